/*
 * devices.c — tokens for gate readers, alarm panels and kiosks.
 *
 * A device token is "chd_" and 256 random bits in base64url, shown once
 * when an administrator makes it; the store keeps its SHA-256.  A device
 * is bound to one post and to a set of permissions: the device-only
 * permission ("device") and, for now, the read permissions posts.read and
 * people.read.  The HTTP layer accepts a token only on routes flagged for
 * devices, so a token never reaches a user-only route whatever it holds.
 * Revocation is immediate; each use records when and from where (at most
 * once a minute, so that a busy reader does not serialise on writes).
 *
 * A gate reader presents its token on every swipe, so the server keeps
 * the tokens it resolved lately (their hash and principal) for at most
 * CACHE_MS: a token is looked up in the store once a second, not once
 * per request.  A revocation through this server empties the cache in
 * its transaction's wake, so it applies to the next request; one made by
 * another process (`chancery device revoke` beside a running server)
 * applies within CACHE_MS.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/audit.h"
#include "people/people.h"

#define TOKEN_PREFIX "chd_"
#define CACHE_MS 1000
#define CACHE_SLOTS 64

struct cached_device {
	char hash[65];
	int64_t until_ms;
	int64_t last_used; /* what the store said, or the last touch */
	struct ch_principal who;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached_device cache[CACHE_SLOTS];
/* Moves with every clear: a lookup that began before a revocation does
 * not put what it read back into the cache. */
static uint64_t cache_generation;

static void
cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	memset(cache, 0, sizeof(cache));
	cache_generation++;
	pthread_mutex_unlock(&cache_lock);
}

static size_t
cache_slot(const char *hash)
{
	size_t h = 0;

	for (size_t i = 0; i < 8 && hash[i] != '\0'; i++)
		h = h * 31 + (unsigned char)hash[i];
	return h % CACHE_SLOTS;
}

static const enum ch_perm device_perms[] = {
    CH_PERM_DEVICE,
    CH_PERM_POSTS_READ,
    CH_PERM_PEOPLE_READ,
};

bool
ch_device_perms_parse(const char *list, uint64_t *mask)
{
	const char *p = list;

	*mask = 1u << CH_PERM_DEVICE;
	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");
		bool known = false;

		for (size_t i = 0; i < CH_ARRAY_LEN(device_perms); i++) {
			const char *code = ch_perm_code(device_perms[i]);

			if (strlen(code) == n && strncmp(p, code, n) == 0) {
				*mask |= CH_PERM_BIT(device_perms[i]);
				known = true;
			}
		}
		if (!known)
			return false;
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}

static void
perms_format(uint64_t mask, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < CH_ARRAY_LEN(device_perms); i++) {
		const char *code = ch_perm_code(device_perms[i]);

		if (!(mask & CH_PERM_BIT(device_perms[i])))
			continue;
		if (used + strlen(code) + 2 > size)
			break;
		used += (size_t)snprintf(
		    out + used, size - used, "%s%s", used ? "," : "", code);
	}
}

bool
ch_device_token_syntax(const char *s, size_t len)
{
	if (s == NULL || len != CH_DEVICE_TOKEN_LEN - 1 ||
	    strncmp(s, TOKEN_PREFIX, 4) != 0)
		return false;
	for (size_t i = 4; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static ch_err
audit_device(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const struct ch_device *d)
{
	char state[512];
	struct ch_audit_entry e;

	snprintf(state, sizeof(state),
	    "id=%s\nname=%s\npost=%s\npermissions=%s\nrevoked_at=%s\n", d->id,
	    d->name, d->post_id, d->permissions, d->revoked_at);
	e = (struct ch_audit_entry){
	    action, "device", d->id, d->post_id, state, strlen(state)};
	return ch_audit_append(tx, ctx, &e);
}

ch_err
ch_devices_create(struct ch_ctx *ctx, const struct ch_device_input *in,
    struct ch_device *out, char token[CH_DEVICE_TOKEN_LEN])
{
	unsigned char raw[32];
	char perms[128];
	struct ch_post post;
	struct ch_tx *tx = NULL;
	uint64_t mask;
	long n;
	ch_err err;

	memset(out, 0, sizeof(*out));
	n = in->name ? ch_utf8_length(in->name, strlen(in->name)) : -1;
	if (n < 1 || n > 100) {
		ch_fault_set(&ctx->fault, "/name",
		    "Name the device (1 to 100 characters), e.g. \"Main gate "
		    "reader\".");
		return CH_ERR_INVALID;
	}
	if (!ch_device_perms_parse(in->permissions, &mask)) {
		ch_fault_set(&ctx->fault, "/permissions",
		    "A device may hold posts.read and people.read (and "
		    "always holds device).");
		return CH_ERR_INVALID;
	}
	perms_format(mask, perms, sizeof(perms));
	ch_strlcpy(token, TOKEN_PREFIX, CH_DEVICE_TOKEN_LEN);
	ch_random_bytes(raw, sizeof(raw));
	sodium_bin2base64(token + 4, CH_DEVICE_TOKEN_LEN - 4, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	ch_id_new(out->id);
	out->name = ch_arena_strdup(ctx->arena, in->name);
	ch_strlcpy(
	    out->post_id, in->post_id ? in->post_id : "", sizeof(out->post_id));
	out->permissions = ch_arena_strdup(ctx->arena, perms);
	ch_session_token_hash(token, out->token_hash);
	ch_time_format(ch_clock_now(), out->created_at);
	out->created_by = ch_arena_strdup(ctx->arena, ch_ctx_actor(ctx));
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		goto fail_token;
	if (!ch_id_valid(out->post_id) ||
	    ch_store_post_get(tx, out->post_id, ctx->arena, &post) != CH_OK ||
	    !ch_ctx_sees_post(ctx, out->post_id)) {
		ch_fault_set(&ctx->fault, "/post_id", "No such post.");
		err = CH_ERR_INVALID;
		goto fail;
	}
	if ((err = ch_store_device_insert(tx, out)) != CH_OK ||
	    (err = audit_device(ctx, tx, "device.create", out)) != CH_OK)
		goto fail;
	if ((err = ch_store_commit(tx)) != CH_OK)
		goto fail_token;
	return CH_OK;
fail:
	ch_store_rollback(tx);
fail_token:
	sodium_memzero(token, CH_DEVICE_TOKEN_LEN);
	return err;
}

ch_err
ch_devices_list(struct ch_ctx *ctx, struct ch_device **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_device_list(tx, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_devices_revoke(struct ch_ctx *ctx, const char *id)
{
	struct ch_tx *tx = NULL;
	struct ch_device d;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_device_get(tx, id, ctx->arena, &d)) != CH_OK)
		goto fail;
	if (!ch_ctx_sees_post(ctx, d.post_id)) {
		err = CH_ERR_NOT_FOUND;
		goto fail;
	}
	if (d.revoked_at[0] != '\0') {
		ch_fault_set(&ctx->fault, "", "The device is already revoked.");
		err = CH_ERR_CONFLICT;
		goto fail;
	}
	ch_time_format(ch_clock_now(), d.revoked_at);
	if ((err = ch_store_device_revoke(tx, id, d.revoked_at)) != CH_OK ||
	    (err = audit_device(ctx, tx, "device.revoke", &d)) != CH_OK)
		goto fail;
	err = ch_store_commit(tx);
	cache_clear();
	return err;
fail:
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_device_resolve(struct ch_store *store, const char *token, const char *source,
    ch_arena *arena, struct ch_principal *who)
{
	struct ch_device d;
	struct ch_tx *tx = NULL;
	struct cached_device *slot;
	uint64_t generation;
	char hash[65], now[CH_TIMESTAMP_LEN];
	int64_t last = 0;
	bool hit = false;
	ch_err err;

	if (!ch_device_token_syntax(token, token ? strlen(token) : 0))
		return CH_ERR_UNAUTHENTICATED;
	ch_session_token_hash(token, hash);
	slot = &cache[cache_slot(hash)];
	pthread_mutex_lock(&cache_lock);
	if (strcmp(slot->hash, hash) == 0 &&
	    ch_clock_mono_ms() < slot->until_ms) {
		*who = slot->who;
		last = slot->last_used;
		hit = true;
	}
	generation = cache_generation;
	pthread_mutex_unlock(&cache_lock);
	if (!hit) {
		if ((err = ch_store_begin(store, false, &tx)) != CH_OK)
			return err;
		err = ch_store_device_by_token(tx, hash, arena, &d);
		ch_store_rollback(tx);
		if (err == CH_ERR_NOT_FOUND ||
		    (err == CH_OK && d.revoked_at[0]))
			return CH_ERR_UNAUTHENTICATED;
		if (err != CH_OK)
			return err;
		memset(who, 0, sizeof(*who));
		who->device = true;
		if (!ch_device_perms_parse(d.permissions, &who->device_perms))
			who->device_perms = CH_PERM_BIT(CH_PERM_DEVICE);
		ch_strlcpy(who->user_id, d.id, sizeof(who->user_id));
		snprintf(who->username, sizeof(who->username), "device:%.50s",
		    d.name);
		ch_strlcpy(
		    who->display_name, d.name, sizeof(who->display_name));
		ch_strlcpy(who->post_id, d.post_id, sizeof(who->post_id));
		who->clearance = CH_CLEARANCE_UNCLASSIFIED;
		if (d.last_used_at[0] == '\0' ||
		    !ch_time_parse(d.last_used_at, &last))
			last = 0;
	}
	if (ch_clock_now() - last >= 60) {
		ch_time_format(ch_clock_now(), now);
		last = ch_clock_now();
		if (ch_store_begin(store, true, &tx) == CH_OK) {
			if (ch_store_device_touch(tx, who->user_id, now,
				source ? source : "?") == CH_OK)
				ch_store_commit(tx);
			else
				ch_store_rollback(tx);
		}
	}
	pthread_mutex_lock(&cache_lock);
	if (generation == cache_generation &&
	    (!hit || strcmp(slot->hash, hash) == 0)) {
		ch_strlcpy(slot->hash, hash, sizeof(slot->hash));
		slot->who = *who;
		slot->last_used = last;
		if (!hit)
			slot->until_ms = ch_clock_mono_ms() + CACHE_MS;
	}
	pthread_mutex_unlock(&cache_lock);
	return CH_OK;
}

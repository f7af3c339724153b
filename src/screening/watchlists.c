/*
 * watchlists.c — the lists and their versions: creating a list, importing
 * a new version of it (one transaction; entries unchanged in ref and
 * content keep their ids; a summary of what changed), the post's own
 * lookout entries, and reading lists, versions and entries.  Every change
 * is audited, published on the event bus after its commit, and followed
 * by a rebuild of the screening index and a re-screening of the posts
 * that see the list (screen.c).
 *
 * Who may: lists are read with watchlists.read; a post's lists (custom,
 * lookout) are managed with watchlists.manage by users who see the post;
 * global lists (OFAC, UN) by HQ, the administrator and the CLI.
 */
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/events.h"
#include "people/people.h"
#include "screening/countries.h"
#include "screening/screening.h"
#include "store/store.h"

#define LIST_NAME_MAX 100
/* The memory of one import from disk: files of CH_WATCH_MAX_FILE bytes,
 * their entries and rows. */
#define IMPORT_ARENA_MAX ((size_t)16 * CH_WATCH_MAX_FILE)

static bool
global_manager(const struct ch_ctx *ctx)
{
	return ctx->who == NULL ||
	    (ctx->who->roles &
		((1u << CH_ROLE_HQ) | (1u << CH_ROLE_ADMINISTRATOR))) != 0;
}

/* May the context read (manage false) or manage list l? */
static bool
may(struct ch_ctx *ctx, const struct ch_watchlist *l, bool manage)
{
	struct ch_label label = {0};

	label.post_id = l->post_id[0] != '\0' ? l->post_id : NULL;
	if (!ch_ctx_permits(ctx,
		manage ? CH_PERM_WATCHLISTS_MANAGE : CH_PERM_WATCHLISTS_READ,
		&label))
		return false;
	return !manage || l->post_id[0] != '\0' || global_manager(ctx);
}

static ch_err
audit_commit(struct ch_ctx *ctx, struct ch_tx *tx, const char *action,
    const char *object_type, const char *object_id, const char *post_id,
    const char *state, const char *event)
{
	struct ch_audit_entry e = {action, object_type, object_id,
	    post_id != NULL && *post_id ? post_id : NULL, state, strlen(state)};
	struct ch_event ev;
	ch_err err;

	if ((err = ch_audit_append(tx, ctx, &e)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ev = (struct ch_event){event, object_type, object_id,
	    post_id != NULL && *post_id ? post_id : NULL, ch_clock_now()};
	ch_events_publish(&ev);
	return CH_OK;
}

ch_err
ch_watchlists_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_watchlist **out, size_t *count)
{
	struct ch_tx *tx = NULL;
	const char *scope = post_id;
	ch_err err;

	*out = NULL;
	*count = 0;
	if (!ch_ctx_permits(ctx, CH_PERM_WATCHLISTS_READ, NULL))
		return CH_ERR_DENIED;
	/* A user who sees one post only sees the global lists and its own. */
	if (scope == NULL && ctx->who != NULL && !ch_policy_all_posts(ctx->who))
		scope = ctx->who->post_id[0] ? ctx->who->post_id : "none";
	if (scope != NULL && ctx->who != NULL &&
	    !ch_ctx_sees_post(ctx, scope) && strcmp(scope, "none") != 0)
		return CH_ERR_DENIED;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_watchlist_list(tx, scope, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_watchlists_get(struct ch_ctx *ctx, const char *id, struct ch_watchlist *out)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_watchlist_get(tx, id, ctx->arena, out);
	ch_store_rollback(tx);
	if (err == CH_OK && !may(ctx, out, false))
		return CH_ERR_NOT_FOUND;
	return err;
}

static bool
source_ok(const char *s)
{
	static const char *const sources[] = {
	    "ofac-sdn", "ofac-cons", "un", "custom", "lookout"};

	for (size_t i = 0; s != NULL && i < CH_ARRAY_LEN(sources); i++)
		if (strcmp(s, sources[i]) == 0)
			return true;
	return false;
}

ch_err
ch_watchlists_create(struct ch_ctx *ctx, const char *post_id, const char *name,
    const char *source, struct ch_watchlist *out)
{
	struct ch_tx *tx = NULL;
	struct ch_post post;
	char *state;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (!ch_text_check(&ctx->fault, "/name", name, LIST_NAME_MAX,
		CH_TEXT_REQUIRED | CH_TEXT_TRIMMED))
		return CH_ERR_INVALID;
	if (!source_ok(source)) {
		ch_fault_set(&ctx->fault, "/source",
		    "source must be ofac-sdn, ofac-cons, un, custom or "
		    "lookout.");
		return CH_ERR_INVALID;
	}
	if (post_id != NULL && *post_id != '\0') {
		if (!ch_id_valid(post_id)) {
			ch_fault_set(&ctx->fault, "/post_id",
			    "post_id must be a post's id.");
			return CH_ERR_INVALID;
		}
		ch_strlcpy(out->post_id, post_id, sizeof(out->post_id));
	} else if (strcmp(source, "lookout") == 0) {
		ch_fault_set(&ctx->fault, "/post_id",
		    "a lookout list belongs to a post: give post_id.");
		return CH_ERR_INVALID;
	}
	if (!may(ctx, out, true))
		return CH_ERR_DENIED;
	ch_id_new(out->id);
	out->name = ch_arena_strdup(ctx->arena, name);
	out->source = ch_arena_strdup(ctx->arena, source);
	ch_time_format(ch_clock_now(), out->created_at);
	memcpy(out->updated_at, out->created_at, sizeof(out->updated_at));
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if (out->post_id[0] != '\0' &&
	    ch_store_post_get(tx, out->post_id, ctx->arena, &post) != CH_OK) {
		ch_store_rollback(tx);
		ch_fault_set(&ctx->fault, "/post_id", "no such post.");
		return CH_ERR_INVALID;
	}
	err = ch_store_watchlist_insert(tx, out);
	if (err == CH_ERR_CONFLICT)
		ch_fault_set(&ctx->fault, "/name",
		    "a list of that name exists already here.");
	if (err != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	state =
	    ch_arena_printf(ctx->arena, "id=%s\npost=%s\nname=%s\nsource=%s\n",
		out->id, out->post_id, out->name, out->source);
	if (state == NULL) {
		ch_store_rollback(tx);
		return CH_ERR_NOMEM;
	}
	return audit_commit(ctx, tx, "watchlist.create", "watchlist", out->id,
	    out->post_id, state, "watchlist.created");
}

static int
row_ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ch_watch_row *)a)->ref,
	    ((const struct ch_watch_row *)b)->ref);
}

static int
ref_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Refs are an entry's identity across versions: one each in a set. */
static ch_err
refs_unique(struct ch_ctx *ctx, const struct ch_watch_set *set)
{
	const char **refs;

	refs = ch_arena_alloc(ctx->arena, set->n_entries * sizeof(*refs));
	if (refs == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < set->n_entries; i++) {
		refs[i] = set->entries[i].ref;
		if (refs[i] == NULL || *refs[i] == '\0') {
			ch_fault_set(&ctx->fault, "/entries",
			    "entry %zu has no ref.", i + 1);
			return CH_ERR_INVALID;
		}
	}
	qsort(refs, set->n_entries, sizeof(*refs), ref_ptr_cmp);
	for (size_t i = 1; i < set->n_entries; i++)
		if (strcmp(refs[i], refs[i - 1]) == 0) {
			ch_fault_set(&ctx->fault, "/entries",
			    "the ref %.60s appears twice in the list.",
			    refs[i]);
			return CH_ERR_INVALID;
		}
	return CH_OK;
}

/* A new row for entry e of list l at version, its JSON and hash made. */
static ch_err
make_row(ch_arena *a, const struct ch_watchlist *l,
    const struct ch_watch_entry *e, int64_t version, const char *now,
    struct ch_buf *json, struct ch_watch_row *row)
{
	ch_err err;

	memset(row, 0, sizeof(*row));
	if ((err = ch_watch_entry_json(e, json)) != CH_OK)
		return err;
	ch_watch_entry_hash(json->data, json->len, row->hash);
	ch_id_new(row->id);
	ch_strlcpy(row->list_id, l->id, sizeof(row->list_id));
	row->ref = e->ref;
	row->primary_name = e->n_names > 0 ? e->names[0].full : e->ref;
	row->kind = ch_watch_kind_code(e->kind);
	row->data = ch_arena_strndup(a, json->data, json->len);
	row->first_version = version;
	ch_strlcpy(row->created_at, now, sizeof(row->created_at));
	return row->data == NULL ? CH_ERR_NOMEM : CH_OK;
}

/* While set, list changes leave the index and the re-screening to one
 * ch_watchlists_refresh() at the end (a batch of imports, the demo). */
static bool deferred;

void
ch_watchlists_defer_refresh(bool on)
{
	deferred = on;
}

static void after_change(struct ch_ctx *ctx, const char *post_id);

void
ch_watchlists_refresh(struct ch_ctx *ctx, const char *post_id)
{
	bool was = deferred;

	deferred = false;
	after_change(ctx, post_id != NULL ? post_id : "");
	deferred = was;
}

/* Re-screen after a list of post_id ("" for global) changed. */
static void
after_change(struct ch_ctx *ctx, const char *post_id)
{
	struct ch_post *posts = NULL;
	struct ch_tx *tx = NULL;
	size_t n = 0, hits = 0;
	struct ch_ctx sys = *ctx;

	if (deferred)
		return;
	if (ch_screening_reload(ctx->store) != CH_OK)
		log_error("the screening index was not rebuilt");
	/* The re-screening is the system's work, for every post the list
	 * reaches, whoever imported it. */
	sys.who = NULL;
	if (post_id[0] != '\0') {
		if (ch_screening_rescreen(&sys, post_id, &hits) != CH_OK)
			log_error("re-screening post %s failed", post_id);
		return;
	}
	if (ch_store_begin(ctx->store, false, &tx) != CH_OK)
		return;
	if (ch_store_post_list(tx, NULL, ctx->arena, &posts, &n) != CH_OK)
		n = 0;
	ch_store_rollback(tx);
	for (size_t i = 0; i < n; i++)
		if (ch_screening_rescreen(&sys, posts[i].id, &hits) != CH_OK)
			log_error("re-screening post %s failed", posts[i].id);
}

ch_err
ch_watchlists_import(struct ch_ctx *ctx, const char *list_id,
    const struct ch_watch_set *set, const char *origin,
    struct ch_watch_version *out)
{
	struct ch_watchlist l;
	struct ch_watch_row *cur = NULL, key, *hit, row;
	struct ch_tx *tx = NULL;
	struct ch_buf json;
	bool *seen = NULL;
	size_t ncur = 0;
	char now[CH_TIMESTAMP_LEN];
	char *state;
	ch_err err;

	memset(out, 0, sizeof(*out));
	if (set->n_entries == 0) {
		ch_fault_set(&ctx->fault, "/entries", "the list is empty.");
		return CH_ERR_INVALID;
	}
	if ((err = ch_watchlists_get(ctx, list_id, &l)) != CH_OK)
		return err;
	if (!may(ctx, &l, true))
		return CH_ERR_DENIED;
	if ((err = refs_unique(ctx, set)) != CH_OK)
		return err;
	if (strcmp(l.source, "lookout") == 0) {
		ch_fault_set(&ctx->fault, "/list_id",
		    "a lookout list is edited entry by entry, not imported.");
		return CH_ERR_INVALID;
	}
	ch_time_format(ch_clock_now(), now);
	ch_buf_init(&json, 4u * 1024 * 1024);
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		goto free_json;
	/* Read the version inside the write transaction: two imports of
	 * one list take turns. */
	if ((err = ch_store_watchlist_get(tx, list_id, ctx->arena, &l)) !=
		CH_OK ||
	    (err = ch_store_watch_entries(tx, l.id, false, NULL, 0, ctx->arena,
		 &cur, &ncur, NULL, 0)) != CH_OK)
		goto rollback;
	if (ncur > 1)
		qsort(cur, ncur, sizeof(*cur), row_ref_cmp);
	seen = ch_arena_alloc(ctx->arena, ncur + 1);
	if (seen == NULL) {
		err = CH_ERR_NOMEM;
		goto rollback;
	}
	ch_id_new(out->id);
	ch_strlcpy(out->list_id, l.id, sizeof(out->list_id));
	out->number = l.current_version + 1;
	out->origin = origin != NULL ? origin : "";
	out->entries = (int64_t)set->n_entries;
	out->imported_by = ch_ctx_actor(ctx);
	memcpy(out->imported_at, now, sizeof(out->imported_at));
	for (size_t i = 0; i < set->n_entries; i++) {
		const struct ch_watch_entry *e = &set->entries[i];

		if ((err = make_row(ctx->arena, &l, e, out->number, now, &json,
			 &row)) != CH_OK)
			goto rollback;
		key.ref = e->ref;
		hit = ncur > 0
		    ? bsearch(&key, cur, ncur, sizeof(*cur), row_ref_cmp)
		    : NULL;
		if (hit != NULL && seen[hit - cur]) {
			ch_fault_set(&ctx->fault, "/entries",
			    "the ref %.60s appears twice in the list.", e->ref);
			err = CH_ERR_INVALID;
			goto rollback;
		}
		if (hit != NULL) {
			seen[hit - cur] = true;
			if (strcmp(hit->hash, row.hash) == 0) {
				out->unchanged++;
				continue;
			}
			out->changed++;
			if ((err = ch_store_watch_entry_retire(
				 tx, hit->id, l.current_version)) != CH_OK)
				goto rollback;
		} else {
			out->added++;
		}
		if ((err = ch_store_watch_entry_insert(tx, &row)) != CH_OK)
			goto rollback;
	}
	for (size_t i = 0; i < ncur; i++) {
		if (seen[i])
			continue;
		out->removed++;
		if ((err = ch_store_watch_entry_retire(
			 tx, cur[i].id, l.current_version)) != CH_OK)
			goto rollback;
	}
	if ((err = ch_store_watch_version_insert(tx, out)) != CH_OK ||
	    (err = ch_store_watchlist_set_version(
		 tx, l.id, out->number, now)) != CH_OK)
		goto rollback;
	state = ch_arena_printf(ctx->arena,
	    "list=%s\nversion=%lld\norigin=%s\nentries=%lld\nadded=%lld\n"
	    "removed=%lld\nchanged=%lld\nunchanged=%lld\n",
	    l.id, (long long)out->number, out->origin, (long long)out->entries,
	    (long long)out->added, (long long)out->removed,
	    (long long)out->changed, (long long)out->unchanged);
	if (state == NULL) {
		err = CH_ERR_NOMEM;
		goto rollback;
	}
	ch_buf_free(&json);
	err = audit_commit(ctx, tx, "watchlist.import", "watchlist_version",
	    out->id, l.post_id, state, "watchlist.imported");
	if (err == CH_OK)
		after_change(ctx, l.post_id);
	return err;
rollback:
	ch_store_rollback(tx);
free_json:
	ch_buf_free(&json);
	return err;
}

static const char *
official_name(enum ch_watch_source s)
{
	switch (s) {
	case CH_WATCH_SRC_OFAC_SDN:
		return "OFAC SDN";
	case CH_WATCH_SRC_OFAC_CONS:
		return "OFAC consolidated (non-SDN)";
	case CH_WATCH_SRC_UN:
		return "UN Security Council consolidated";
	case CH_WATCH_SRC_CUSTOM:
		break;
	}
	return "Custom";
}

ch_err
ch_watchlists_import_path(struct ch_ctx *ctx, const char *post_id,
    enum ch_watch_source source, const char *path, const char *list_name,
    struct ch_watchlist *list, struct ch_watch_version *out)
{
	struct ch_watch_set set;
	struct ch_tx *tx = NULL;
	const char *name =
	    list_name != NULL ? list_name : official_name(source);
	const char *scope = post_id != NULL && *post_id ? post_id : "global";
	ch_arena *caller = ctx->arena, *work;
	ch_err err;

	if (source == CH_WATCH_SRC_CUSTOM && strcmp(scope, "global") == 0 &&
	    !global_manager(ctx)) {
		ch_fault_set(&ctx->fault, "/post_id",
		    "a custom list belongs to a post: give post_id.");
		return CH_ERR_INVALID;
	}
	/* The files, their entries and the rows made of them take several
	 * times the files' size: more than the caller's arena may hold.  They
	 * live in an arena of the import's own, freed at the end. */
	if ((work = ch_arena_create(IMPORT_ARENA_MAX)) == NULL)
		return CH_ERR_NOMEM;
	ctx->arena = work;
	err = ch_watch_import_path(source, path, work, &set, &ctx->fault);
	/* Refs checked before the list is made: a refused first import
	 * leaves no list behind. */
	if (err == CH_OK)
		err = refs_unique(ctx, &set);
	if (err == CH_OK &&
	    (err = ch_store_begin(ctx->store, false, &tx)) == CH_OK) {
		err = ch_store_watchlist_find(tx, scope, name, work, list);
		ch_store_rollback(tx);
		if (err == CH_ERR_NOT_FOUND)
			err = ch_watchlists_create(ctx, post_id, name,
			    ch_watch_source_code(source), list);
	}
	if (err == CH_OK)
		err = ch_watchlists_import(ctx, list->id, &set, path, out);
	ctx->arena = caller;
	if (err == CH_ERR_NOMEM)
		ch_fault_set(&ctx->fault, path,
		    "the list needs more than %zu MiB of memory to import; "
		    "split it into smaller lists.",
		    IMPORT_ARENA_MAX >> 20);
	if (err == CH_OK)
		err = ch_watchlists_get(ctx, list->id, list);
	if (err != CH_OK)
		list->name = list->source = NULL; /* were in work */
	ch_arena_destroy(work);
	return err;
}

ch_err
ch_watchlists_versions(struct ch_ctx *ctx, const char *list_id,
    struct ch_watch_version **out, size_t *count)
{
	struct ch_watchlist l;
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_watchlists_get(ctx, list_id, &l)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_watch_version_list(tx, l.id, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_watchlists_entries(struct ch_ctx *ctx, const char *list_id,
    const char *cursor, size_t limit, struct ch_watch_row **out, size_t *count,
    char *next, size_t next_size)
{
	struct ch_watchlist l;
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_watchlists_get(ctx, list_id, &l)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_watch_entries(tx, l.id, true, cursor, limit, ctx->arena,
	    out, count, next, next_size);
	ch_store_rollback(tx);
	return err;
}

/* ---- lookout entries ---- */

#define LOOKOUT_LIST_NAME "Lookout"

static bool
seriousness_ok(const char *s)
{
	return s != NULL &&
	    (strcmp(s, "low") == 0 || strcmp(s, "medium") == 0 ||
		strcmp(s, "high") == 0);
}

/* The entry a lookout input describes, checked. */
static ch_err
lookout_entry(struct ch_ctx *ctx, const struct ch_lookout_input *in,
    const char *ref, struct ch_watch_entry *e)
{
	struct ch_watch_date *d;
	ch_err err;

	memset(e, 0, sizeof(*e));
	if (!ch_text_check(&ctx->fault, "/name", in->name, 300,
		CH_TEXT_REQUIRED | CH_TEXT_TRIMMED) ||
	    !ch_text_check(&ctx->fault, "/reason", in->reason, 2000,
		CH_TEXT_REQUIRED | CH_TEXT_MULTILINE) ||
	    !ch_text_check(&ctx->fault, "/aliases", in->aliases, 2000, 0))
		return CH_ERR_INVALID;
	if (!seriousness_ok(in->seriousness)) {
		ch_fault_set(&ctx->fault, "/seriousness",
		    "seriousness must be low, medium or high.");
		return CH_ERR_INVALID;
	}
	e->ref = ref;
	e->kind = CH_WATCH_INDIVIDUAL;
	if (in->kind != NULL && *in->kind != '\0' &&
	    !ch_watch_kind_parse(in->kind, &e->kind)) {
		ch_fault_set(&ctx->fault, "/kind",
		    "kind must be individual, entity, vessel or aircraft.");
		return CH_ERR_INVALID;
	}
	if ((err = ch_watch_add_name(
		 ctx->arena, e, in->name, CH_NAME_PRIMARY, false)) != CH_OK)
		return err;
	if (in->aliases != NULL) {
		char *copy = ch_arena_strdup(ctx->arena, in->aliases), *p, *n;

		for (p = copy; p != NULL; p = n) {
			n = strchr(p, ';');
			if (n != NULL)
				*n++ = '\0';
			p = ch_watch_trim(p);
			if (*p != '\0' &&
			    (err = ch_watch_add_name(ctx->arena, e, p,
				 CH_NAME_STRONG, false)) != CH_OK)
				return err;
		}
	}
	if (in->dob != NULL && *in->dob != '\0') {
		d = ch_watch_push(
		    ctx->arena, (void **)&e->dobs, &e->n_dobs, sizeof(*d));
		if (d == NULL)
			return CH_ERR_NOMEM;
		if (!ch_watch_date_parse(in->dob, d)) {
			ch_fault_set(&ctx->fault, "/dob",
			    "dob must be a date such as 1960-03-17, 1960 or "
			    "circa 1960.");
			return CH_ERR_INVALID;
		}
	}
	if (in->nationality != NULL && *in->nationality != '\0') {
		if (ch_country_code(in->nationality) == NULL) {
			ch_fault_set(&ctx->fault, "/nationality",
			    "nationality must be an ISO 3166-1 code or a "
			    "country name.");
			return CH_ERR_INVALID;
		}
		if ((err = ch_watch_add_nationality(
			 ctx->arena, e, in->nationality)) != CH_OK)
			return err;
	}
	if (in->gender != NULL && *in->gender != '\0') {
		if (strcmp(in->gender, "M") != 0 &&
		    strcmp(in->gender, "F") != 0) {
			ch_fault_set(
			    &ctx->fault, "/gender", "gender must be M or F.");
			return CH_ERR_INVALID;
		}
		e->gender = in->gender[0];
	}
	e->remarks = in->reason;
	return CH_OK;
}

/* The post's lookout list, made when it has none; the caller must be one
 * who manages it (made or found: another post's list is refused alike). */
static ch_err
lookout_list(struct ch_ctx *ctx, const char *post_id, struct ch_watchlist *l)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if (post_id == NULL || !ch_id_valid(post_id)) {
		ch_fault_set(
		    &ctx->fault, "/post_id", "post_id must be a post's id.");
		return CH_ERR_INVALID;
	}
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_watchlist_find(
	    tx, post_id, LOOKOUT_LIST_NAME, ctx->arena, l);
	ch_store_rollback(tx);
	if (err == CH_ERR_NOT_FOUND)
		err = ch_watchlists_create(
		    ctx, post_id, LOOKOUT_LIST_NAME, "lookout", l);
	else if (err == CH_OK && !may(ctx, l, true))
		err = CH_ERR_DENIED;
	return err;
}

static ch_err
lookout_write(struct ch_ctx *ctx, const struct ch_watchlist *l,
    const struct ch_lookout_input *in, const char *ref,
    const struct ch_watch_row *replaces, struct ch_watch_row *out)
{
	struct ch_watch_entry e;
	struct ch_tx *tx = NULL;
	struct ch_buf json;
	char now[CH_TIMESTAMP_LEN], *state;
	ch_err err;

	if ((err = lookout_entry(ctx, in, ref, &e)) != CH_OK)
		return err;
	ch_time_format(ch_clock_now(), now);
	ch_buf_init(&json, 1024 * 1024);
	err = make_row(ctx->arena, l, &e, l->current_version, now, &json, out);
	ch_buf_free(&json);
	if (err != CH_OK)
		return err;
	out->reason = in->reason;
	out->seriousness = in->seriousness;
	out->created_by = ch_ctx_actor(ctx);
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((replaces != NULL &&
		(err = ch_store_watch_entry_retire(
		     tx, replaces->id, l->current_version)) != CH_OK) ||
	    (err = ch_store_watch_entry_insert(tx, out)) != CH_OK ||
	    (err = ch_store_watchlist_set_version(
		 tx, l->id, l->current_version, now)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	state = ch_arena_printf(ctx->arena,
	    "id=%s\nlist=%s\nreplaces=%s\nseriousness=%s\nreason=%s\n"
	    "entry=%s\n",
	    out->id, l->id, replaces ? replaces->id : "", out->seriousness,
	    out->reason, out->data);
	if (state == NULL) {
		ch_store_rollback(tx);
		return CH_ERR_NOMEM;
	}
	err = audit_commit(ctx, tx,
	    replaces ? "lookout.update" : "lookout.create", "watchlist_entry",
	    out->id, l->post_id, state,
	    replaces ? "lookout.updated" : "lookout.created");
	if (err == CH_OK)
		after_change(ctx, l->post_id);
	return err;
}

ch_err
ch_lookout_create(struct ch_ctx *ctx, const struct ch_lookout_input *in,
    struct ch_watch_row *out)
{
	struct ch_watchlist l;
	char ref[CH_ID_LEN];
	ch_err err;

	if (ctx->who != NULL &&
	    !ch_policy_allows(ctx->who, CH_PERM_WATCHLISTS_MANAGE))
		return CH_ERR_DENIED;
	if ((err = lookout_list(ctx, in->post_id, &l)) != CH_OK)
		return err;
	/* A lookout entry's ref is its first id: it stays when edited. */
	ch_id_new(ref);
	return lookout_write(
	    ctx, &l, in, ch_arena_strdup(ctx->arena, ref), NULL, out);
}

ch_err
ch_lookout_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_watch_row **out, size_t *count)
{
	struct ch_watchlist l;
	struct ch_tx *tx = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	if (post_id == NULL || !ch_id_valid(post_id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_watchlist_find(
	    tx, post_id, LOOKOUT_LIST_NAME, ctx->arena, &l);
	ch_store_rollback(tx);
	if (err == CH_ERR_NOT_FOUND) {
		struct ch_label label = {.post_id = post_id};

		return ch_ctx_permits(ctx, CH_PERM_WATCHLISTS_READ, &label)
		    ? CH_OK
		    : CH_ERR_DENIED;
	}
	if (err != CH_OK)
		return err;
	if (!may(ctx, &l, false))
		return CH_ERR_DENIED;
	return ch_watchlists_entries(ctx, l.id, NULL, 0, out, count, NULL, 0);
}

/* The current lookout entry id and its list, for an update or delete. */
static ch_err
lookout_find(struct ch_ctx *ctx, const char *entry_id, struct ch_watchlist *l,
    struct ch_watch_row *row)
{
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!ch_id_valid(entry_id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_watch_entry_get(tx, entry_id, ctx->arena, row);
	if (err == CH_OK)
		err = ch_store_watchlist_get(tx, row->list_id, ctx->arena, l);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err;
	if (strcmp(l->source, "lookout") != 0 || row->last_version != -1 ||
	    !may(ctx, l, false))
		return CH_ERR_NOT_FOUND;
	if (!may(ctx, l, true))
		return CH_ERR_DENIED;
	return CH_OK;
}

ch_err
ch_lookout_update(struct ch_ctx *ctx, const char *entry_id,
    const struct ch_lookout_input *in, struct ch_watch_row *out)
{
	struct ch_watchlist l;
	struct ch_watch_row old;
	ch_err err;

	if ((err = lookout_find(ctx, entry_id, &l, &old)) != CH_OK)
		return err;
	return lookout_write(ctx, &l, in, old.ref, &old, out);
}

ch_err
ch_lookout_delete(struct ch_ctx *ctx, const char *entry_id)
{
	struct ch_watchlist l;
	struct ch_watch_row old;
	struct ch_tx *tx = NULL;
	char *state;
	ch_err err;

	if ((err = lookout_find(ctx, entry_id, &l, &old)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	if ((err = ch_store_watch_entry_retire(
		 tx, old.id, l.current_version)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	state = ch_arena_printf(
	    ctx->arena, "id=%s\nlist=%s\nremoved=1\n", old.id, l.id);
	if (state == NULL) {
		ch_store_rollback(tx);
		return CH_ERR_NOMEM;
	}
	err = audit_commit(ctx, tx, "lookout.delete", "watchlist_entry", old.id,
	    l.post_id, state, "lookout.deleted");
	if (err == CH_OK)
		after_change(ctx, l.post_id);
	return err;
}

/*
 * screen.c — screening: the engine's index kept in memory, screening a
 * subject and recording what it found, re-screening a post after a list
 * changed, the review queue and adjudication.
 *
 * The index is a snapshot: every current entry of every list, read from
 * the store and parsed back from its JSON into an arena, with one engine
 * index for the global lists and one per post that has lists of its own.
 * A query takes a reference to the snapshot of the moment (under a mutex
 * held for a pointer copy only) and gives it back when done; a rebuild
 * makes a new snapshot without any lock and swaps the pointer, and the old
 * one is freed by the last reader to let go.  Readers are never blocked by
 * a rebuild.
 *
 * Subjects: a person screened is keyed "person:<id>", any other subject
 * "name:<hash of its name>"; its hash covers the attributes screened (name,
 * date of birth, nationality, gender).  See screening.h for the memory of
 * adjudications.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/events.h"
#include "core/vault.h"
#include "people/people.h"
#include "screening/countries.h"
#include "screening/match.h"
#include "screening/screening.h"
#include "store/store.h"
#include "visitors/visitors.h"

#define SNAPSHOT_MAX_BYTES (2048u * 1024 * 1024)
#define HITS_MAX 20
#define NAME_MAX_CHARS 300

struct entry_meta {
	char id[CH_ID_LEN];
	char hash[65];
};

struct list_ref {
	char id[CH_ID_LEN];
	const char *name;
	const char *source;
	struct ch_watch_entry *entries;
	struct entry_meta *meta;
	size_t n;
};

struct scope {
	char post_id[CH_ID_LEN]; /* "" for the global lists */
	struct list_ref *lists;
	size_t n_lists;
	struct ch_match_index *ix;
};

struct snapshot {
	int refs;
	char generation[96]; /* ch_store_watchlists_generation() at build */
	ch_arena *arena;
	struct scope *scopes;
	size_t n_scopes;
	size_t entries;
};

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *current;

static void
snapshot_free(struct snapshot *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_scopes; i++)
		ch_match_index_destroy(s->scopes[i].ix);
	ch_arena_destroy(s->arena);
	free(s);
}

static struct snapshot *
acquire(void)
{
	struct snapshot *s;

	pthread_mutex_lock(&snap_lock);
	s = current;
	if (s != NULL)
		s->refs++;
	pthread_mutex_unlock(&snap_lock);
	return s;
}

static void
release(struct snapshot *s)
{
	bool last;

	if (s == NULL)
		return;
	pthread_mutex_lock(&snap_lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&snap_lock);
	if (last)
		snapshot_free(s);
}

static struct scope *
scope_of(struct snapshot *s, const char *post_id, size_t *n_scopes_cap)
{
	for (size_t i = 0; i < s->n_scopes; i++)
		if (strcmp(s->scopes[i].post_id, post_id) == 0)
			return &s->scopes[i];
	if (n_scopes_cap == NULL || s->n_scopes >= *n_scopes_cap)
		return NULL;
	ch_strlcpy(s->scopes[s->n_scopes].post_id, post_id, CH_ID_LEN);
	return &s->scopes[s->n_scopes++];
}

/* Read one list's current entries into the snapshot. */
static ch_err
load_list(struct ch_tx *tx, struct snapshot *s, const struct ch_watchlist *l,
    struct list_ref *ref)
{
	ch_arena *tmp = ch_arena_create(SNAPSHOT_MAX_BYTES);
	struct ch_watch_row *rows = NULL;
	size_t n = 0;
	ch_err err;

	if (tmp == NULL)
		return CH_ERR_NOMEM;
	memset(ref, 0, sizeof(*ref));
	ch_strlcpy(ref->id, l->id, sizeof(ref->id));
	ref->name = ch_arena_strdup(s->arena, l->name);
	ref->source = ch_arena_strdup(s->arena, l->source);
	err = ch_store_watch_entries(
	    tx, l->id, true, NULL, 0, tmp, &rows, &n, NULL, 0);
	if (err == CH_OK && n > 0) {
		ref->entries =
		    ch_arena_alloc(s->arena, n * sizeof(*ref->entries));
		ref->meta = ch_arena_alloc(s->arena, n * sizeof(*ref->meta));
		if (ref->entries == NULL || ref->meta == NULL)
			err = CH_ERR_NOMEM;
	}
	for (size_t i = 0; err == CH_OK && i < n; i++) {
		err = ch_watch_entry_from_json(
		    rows[i].data, s->arena, &ref->entries[ref->n]);
		if (err == CH_ERR_INVALID) {
			log_error("entry %s of list %s is not readable JSON",
			    rows[i].id, l->id);
			err = CH_OK;
			continue;
		}
		memcpy(ref->meta[ref->n].id, rows[i].id, CH_ID_LEN);
		memcpy(ref->meta[ref->n].hash, rows[i].hash, 65);
		ref->n++;
	}
	ch_arena_destroy(tmp);
	return err;
}

static ch_err
snapshot_build(struct ch_store *store, struct snapshot **out)
{
	struct ch_watchlist *lists = NULL;
	struct snapshot *s;
	struct ch_tx *tx = NULL;
	ch_arena *tmp;
	size_t n = 0, cap;
	ch_err err;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return CH_ERR_NOMEM;
	s->refs = 1;
	s->arena = ch_arena_create(SNAPSHOT_MAX_BYTES);
	tmp = ch_arena_create(0);
	if (s->arena == NULL || tmp == NULL) {
		err = CH_ERR_NOMEM;
		goto fail;
	}
	if ((err = ch_store_begin(store, false, &tx)) != CH_OK)
		goto fail;
	if ((err = ch_store_watchlists_generation(
		 tx, s->generation, sizeof(s->generation))) != CH_OK ||
	    (err = ch_store_watchlist_list(tx, NULL, tmp, &lists, &n)) != CH_OK)
		goto rollback;
	cap = n + 1;
	s->scopes = ch_arena_alloc(s->arena, cap * sizeof(*s->scopes));
	if (s->scopes == NULL) {
		err = CH_ERR_NOMEM;
		goto rollback;
	}
	scope_of(s, "", &cap); /* the global scope is scopes[0] */
	for (size_t i = 0; i < n; i++) {
		struct scope *sc = scope_of(s, lists[i].post_id, &cap);

		if (sc->lists == NULL &&
		    (sc->lists = ch_arena_alloc(
			 s->arena, n * sizeof(*sc->lists))) == NULL) {
			err = CH_ERR_NOMEM;
			goto rollback;
		}
		if ((err = load_list(
			 tx, s, &lists[i], &sc->lists[sc->n_lists])) != CH_OK)
			goto rollback;
		s->entries += sc->lists[sc->n_lists].n;
		sc->n_lists++;
	}
	ch_store_rollback(tx);
	for (size_t i = 0; i < s->n_scopes; i++) {
		struct scope *sc = &s->scopes[i];
		struct ch_match_list *ml;

		ml = ch_arena_alloc(s->arena, (sc->n_lists + 1) * sizeof(*ml));
		if (ml == NULL) {
			err = CH_ERR_NOMEM;
			goto fail;
		}
		for (size_t k = 0; k < sc->n_lists; k++)
			ml[k] = (struct ch_match_list){sc->lists[k].name,
			    sc->lists[k].entries, sc->lists[k].n};
		if ((sc->ix = ch_match_index_create(ml, sc->n_lists)) == NULL) {
			err = CH_ERR_NOMEM;
			goto fail;
		}
	}
	ch_arena_destroy(tmp);
	*out = s;
	return CH_OK;
rollback:
	ch_store_rollback(tx);
fail:
	ch_arena_destroy(tmp);
	snapshot_free(s);
	return err;
}

/* One build at a time: the first build at start and the watcher's would
 * otherwise both build, the later replacing the earlier. */
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;

static ch_err reload_locked(struct ch_store *store);

ch_err
ch_screening_reload(struct ch_store *store)
{
	ch_err err;

	pthread_mutex_lock(&build_lock);
	err = reload_locked(store);
	pthread_mutex_unlock(&build_lock);
	return err;
}

static ch_err
reload_locked(struct ch_store *store)
{
	struct snapshot *s = NULL, *old;
	int64_t t0 = ch_clock_mono_ms();
	size_t entries, scopes;
	ch_err err;

	if ((err = snapshot_build(store, &s)) != CH_OK) {
		log_error(
		    "the screening index was not built: %s", ch_strerror(err));
		return err;
	}
	/* What the log says is read before s is published: once it is,
	 * another reload may replace and free it. */
	entries = s->entries;
	scopes = s->n_scopes;
	pthread_mutex_lock(&snap_lock);
	old = current;
	current = s;
	pthread_mutex_unlock(&snap_lock);
	release(old);
	log_info("screening index: %zu entries in %zu scopes, built in %lld ms",
	    entries, scopes, (long long)(ch_clock_mono_ms() - t0));
	return CH_OK;
}

ch_err
ch_screening_start(struct ch_store *store)
{
	return ch_screening_reload(store);
}

/* The first build, in a thread of its own so that the server answers at
 * once; until it is done a screening answers CH_ERR_BUSY (never "no
 * hits"). */
static struct {
	pthread_t thread;
	bool running;
} first_build;

static void *
first_build_main(void *arg)
{
	(void)ch_screening_reload(arg);
	return NULL;
}

ch_err
ch_screening_start_async(struct ch_store *store)
{
	if (first_build.running)
		return CH_OK;
	if (pthread_create(
		&first_build.thread, NULL, first_build_main, store) != 0)
		return ch_screening_reload(store);
	first_build.running = true;
	return CH_OK;
}

bool
ch_screening_ready(void)
{
	struct snapshot *s = acquire();
	bool ready = s != NULL;

	release(s);
	return ready;
}

/* A screening without an index is refused, not answered "no hits". */
static ch_err
not_ready(struct ch_ctx *ctx)
{
	ch_fault_set(&ctx->fault, "",
	    "The watchlist index is still being built (the server has just "
	    "started, or a list was imported): try again in a few seconds.");
	return CH_ERR_BUSY;
}

ch_err
ch_screening_check(struct ch_store *store, bool *reloaded)
{
	struct snapshot *s;
	struct ch_tx *tx = NULL;
	char gen[96];
	bool same;
	ch_err err;

	*reloaded = false;
	/* A build under way (the first, or an import's) is not started
	 * again: the next check compares with what it built. */
	if (pthread_mutex_trylock(&build_lock) != 0)
		return CH_OK;
	if ((err = ch_store_begin(store, false, &tx)) != CH_OK) {
		pthread_mutex_unlock(&build_lock);
		return err;
	}
	err = ch_store_watchlists_generation(tx, gen, sizeof(gen));
	ch_store_rollback(tx);
	if (err != CH_OK) {
		pthread_mutex_unlock(&build_lock);
		return err;
	}
	s = acquire();
	same = s != NULL && strcmp(s->generation, gen) == 0;
	release(s);
	if (!same) {
		log_info("the watchlists changed elsewhere: rebuilding the "
			 "index");
		if ((err = reload_locked(store)) == CH_OK)
			*reloaded = true;
	}
	pthread_mutex_unlock(&build_lock);
	return err;
}

/* The watcher: a thread that checks every few seconds. */
static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool running, stop;
	struct ch_store *store;
	int seconds;
} watcher = {
    .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *
watch_loop(void *arg)
{
	struct timespec until;
	bool reloaded;

	(void)arg;
	pthread_mutex_lock(&watcher.lock);
	while (!watcher.stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += watcher.seconds;
		pthread_cond_timedwait(&watcher.wake, &watcher.lock, &until);
		if (watcher.stop)
			break;
		pthread_mutex_unlock(&watcher.lock);
		if (ch_screening_check(watcher.store, &reloaded) != CH_OK)
			log_warn("could not check the watchlists for changes");
		pthread_mutex_lock(&watcher.lock);
	}
	pthread_mutex_unlock(&watcher.lock);
	return NULL;
}

ch_err
ch_screening_watch(struct ch_store *store, int seconds)
{
	if (watcher.running)
		return CH_OK;
	watcher.store = store;
	watcher.seconds = seconds > 0 ? seconds : 10;
	watcher.stop = false;
	if (pthread_create(&watcher.thread, NULL, watch_loop, NULL) != 0)
		return CH_ERR_INTERNAL;
	watcher.running = true;
	return CH_OK;
}

void
ch_screening_stop(void)
{
	struct snapshot *old;

	if (first_build.running) {
		pthread_join(first_build.thread, NULL);
		first_build.running = false;
	}
	if (watcher.running) {
		pthread_mutex_lock(&watcher.lock);
		watcher.stop = true;
		pthread_cond_signal(&watcher.wake);
		pthread_mutex_unlock(&watcher.lock);
		pthread_join(watcher.thread, NULL);
		watcher.running = false;
	}

	pthread_mutex_lock(&snap_lock);
	old = current;
	current = NULL;
	pthread_mutex_unlock(&snap_lock);
	release(old);
}

size_t
ch_screening_indexed(void)
{
	struct snapshot *s = acquire();
	size_t n = s != NULL ? s->entries : 0;

	release(s);
	return n;
}

/* ---- settings ---- */

static void
default_settings(const char *post_id, struct ch_screen_settings *out)
{
	struct ch_match_params p = ch_match_params_default();

	memset(out, 0, sizeof(*out));
	ch_strlcpy(out->post_id, post_id, sizeof(out->post_id));
	out->review_permille = (int)(p.review * 1000 + 0.5);
	out->alert_permille = (int)(p.alert * 1000 + 0.5);
	out->updated_by = "default";
}

static ch_err
settings_in(struct ch_tx *tx, const char *post_id, ch_arena *a,
    struct ch_screen_settings *out)
{
	ch_err err = ch_store_screen_settings_get(tx, post_id, a, out);

	if (err == CH_ERR_NOT_FOUND) {
		default_settings(post_id, out);
		err = CH_OK;
	}
	return err;
}

ch_err
ch_screening_settings_get(
    struct ch_ctx *ctx, const char *post_id, struct ch_screen_settings *out)
{
	struct ch_label label = {.post_id = post_id};
	struct ch_tx *tx = NULL;
	ch_err err;

	if (post_id == NULL || !ch_id_valid(post_id))
		return CH_ERR_NOT_FOUND;
	if (!ch_ctx_permits(ctx, CH_PERM_WATCHLISTS_READ, &label))
		return CH_ERR_DENIED;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = settings_in(tx, post_id, ctx->arena, out);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_screening_settings_set(struct ch_ctx *ctx, const char *post_id,
    int review_permille, int alert_permille, struct ch_screen_settings *out)
{
	struct ch_label label = {.post_id = post_id};
	struct ch_audit_entry e;
	struct ch_tx *tx = NULL;
	char *state;
	ch_err err;

	if (post_id == NULL || !ch_id_valid(post_id))
		return CH_ERR_NOT_FOUND;
	if (!ch_ctx_permits(ctx, CH_PERM_WATCHLISTS_MANAGE, &label))
		return CH_ERR_DENIED;
	if (review_permille < 1 || review_permille > 1000) {
		ch_fault_set(&ctx->fault, "/review",
		    "review must be above 0 and at most 1.");
		return CH_ERR_INVALID;
	}
	if (alert_permille < review_permille || alert_permille > 1000) {
		ch_fault_set(&ctx->fault, "/alert",
		    "alert must be at least review and at most 1.");
		return CH_ERR_INVALID;
	}
	memset(out, 0, sizeof(*out));
	ch_strlcpy(out->post_id, post_id, sizeof(out->post_id));
	out->review_permille = review_permille;
	out->alert_permille = alert_permille;
	out->updated_by = ch_ctx_actor(ctx);
	ch_time_format(ch_clock_now(), out->updated_at);
	state = ch_arena_printf(ctx->arena, "post=%s\nreview=%d\nalert=%d\n",
	    post_id, review_permille, alert_permille);
	if (state == NULL)
		return CH_ERR_NOMEM;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	e = (struct ch_audit_entry){"screening.settings", "post", post_id,
	    post_id, state, strlen(state)};
	if ((err = ch_store_screen_settings_put(tx, out)) != CH_OK ||
	    (err = ch_audit_append(tx, ctx, &e)) != CH_OK) {
		ch_store_rollback(tx);
		return err;
	}
	return ch_store_commit(tx);
}

/* ---- subjects ---- */

struct prepared {
	struct ch_match_subject m;
	const char *nationality; /* code when known */
	char key[80];
	char hash[65];
	const char *type;
	const char *id;
};

static void
hex_sha256(const char *s, size_t n, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, n);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static ch_err
prepare(
    struct ch_ctx *ctx, const struct ch_screen_subject *in, struct prepared *p)
{
	char ascii[CH_MATCH_NAME_MAX], *canon;
	const char *code;

	memset(p, 0, sizeof(*p));
	if (!ch_text_check(&ctx->fault, "/name", in->name, NAME_MAX_CHARS,
		CH_TEXT_REQUIRED))
		return CH_ERR_INVALID;
	p->m.name = in->name;
	if (in->dob != NULL && *in->dob != '\0' &&
	    !ch_match_parse_date(in->dob, &p->m.dob)) {
		ch_fault_set(&ctx->fault, "/dob",
		    "dob must be a date such as 1965-03-12, 1965 or circa "
		    "1965.");
		return CH_ERR_INVALID;
	}
	if (in->nationality != NULL && *in->nationality != '\0') {
		if (!ch_text_check(&ctx->fault, "/nationality", in->nationality,
			100, CH_TEXT_TRIMMED))
			return CH_ERR_INVALID;
		code = ch_country_code(in->nationality);
		p->nationality = code != NULL ? code : in->nationality;
		p->m.nationality = p->nationality;
	}
	if (in->gender != 0 && in->gender != 'M' && in->gender != 'F') {
		ch_fault_set(&ctx->fault, "/gender", "gender must be M or F.");
		return CH_ERR_INVALID;
	}
	p->m.gender = in->gender;
	if (in->kind != NULL && *in->kind != '\0') {
		if (!ch_watch_kind_parse(in->kind, &p->m.kind)) {
			ch_fault_set(&ctx->fault, "/kind",
			    "kind must be individual, entity, vessel or "
			    "aircraft.");
			return CH_ERR_INVALID;
		}
		p->m.kind_known = true;
	}
	p->type = in->subject_type != NULL && *in->subject_type != '\0'
	    ? in->subject_type
	    : "adhoc";
	p->id = in->subject_id != NULL && *in->subject_id != '\0'
	    ? in->subject_id
	    : NULL;
	if (strcmp(p->type, "adhoc") != 0 && p->id == NULL) {
		ch_fault_set(&ctx->fault, "/subject_id",
		    "a %s is screened with its id.", p->type);
		return CH_ERR_INVALID;
	}
	if (p->id != NULL && !ch_id_valid(p->id)) {
		ch_fault_set(
		    &ctx->fault, "/subject_id", "subject_id must be an id.");
		return CH_ERR_INVALID;
	}
	ch_match_ascii(in->name, ascii, sizeof(ascii));
	canon = ch_arena_printf(ctx->arena, "%s\n%s\n%s\n%c", ascii,
	    in->dob ? in->dob : "", p->nationality ? p->nationality : "",
	    in->gender ? in->gender : '-');
	if (canon == NULL)
		return CH_ERR_NOMEM;
	hex_sha256(canon, strlen(canon), p->hash);
	if (p->id != NULL) {
		snprintf(p->key, sizeof(p->key), "%.20s:%s", p->type, p->id);
	} else {
		char h[65];

		hex_sha256(ascii, strlen(ascii), h);
		snprintf(p->key, sizeof(p->key), "name:%.32s", h);
	}
	return CH_OK;
}

/* The subject hash as an audit state holds it: a keyed digest
 * (core/vault.h).  The hash itself is a plain SHA-256 of the name, date
 * of birth, nationality and gender, found again by trying them, and the
 * audit log keeps each state's hash for good, past a visitor's purge. */
static void
audit_subject_hash(const char *subject_hash, char out[65])
{
	ch_vault_digest(
	    "chancery audit state v1", subject_hash, strlen(subject_hash), out);
}

/* A hit of the engine, with where its entry lives. */
struct found {
	struct ch_match_hit hit;
	const struct list_ref *list;
	const struct entry_meta *meta;
};

static int
found_cmp(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	return (x->hit.score < y->hit.score) - (x->hit.score > y->hit.score);
}

/* Query the global scope and the post's; best first, at most HITS_MAX.
 * list_filter keeps only hits of lists of that name or source. */
static ch_err
query(struct snapshot *s, const char *post_id,
    const struct ch_match_subject *subject, const struct ch_match_params *mp,
    const char *list_filter, struct found *out, size_t *n_out)
{
	struct ch_match_hit hits[HITS_MAX];
	struct scope *scopes[2] = {NULL, NULL};
	size_t n = 0;
	ch_err err;

	*n_out = 0;
	if (s == NULL)
		return CH_OK;
	scopes[0] = scope_of(s, "", NULL);
	if (post_id != NULL && *post_id != '\0')
		scopes[1] = scope_of(s, post_id, NULL);
	for (size_t k = 0; k < 2; k++) {
		struct scope *sc = scopes[k];

		if (sc == NULL || sc->ix == NULL)
			continue;
		err = ch_match_query(sc->ix, subject, mp, hits, HITS_MAX, &n);
		if (err != CH_OK)
			return err;
		for (size_t i = 0; i < n && *n_out < 2 * HITS_MAX; i++) {
			const struct list_ref *l = &sc->lists[hits[i].list];
			size_t at = (size_t)(hits[i].entry - l->entries);

			if (list_filter != NULL &&
			    strcmp(list_filter, l->name) != 0 &&
			    strcmp(list_filter, l->source) != 0)
				continue;
			out[*n_out] = (struct found){hits[i], l, &l->meta[at]};
			(*n_out)++;
		}
	}
	qsort(out, *n_out, sizeof(*out), found_cmp);
	if (*n_out > (mp->top_k ? mp->top_k : CH_MATCH_TOP_K_DEFAULT))
		*n_out = mp->top_k ? mp->top_k : CH_MATCH_TOP_K_DEFAULT;
	return CH_OK;
}

static struct ch_match_params
params_of(const struct ch_screen_settings *st)
{
	struct ch_match_params mp = ch_match_params_default();

	mp.review = st->review_permille / 1000.0;
	mp.alert = st->alert_permille / 1000.0;
	return mp;
}

static char *
explain_text(ch_arena *a, const struct ch_match_explain *why)
{
	json_t *j = ch_match_explain_json(why);
	char *s, *copy;

	if (j == NULL)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (s == NULL)
		return NULL;
	copy = ch_arena_strdup(a, s);
	free(s);
	return copy;
}

/*
 * Screen one prepared subject of post_id and record it.  only_new (the
 * re-screening) records nothing for a pair with an open hit waiting or a
 * decision that still holds, and nothing at all without a new hit.
 */
static ch_err
screen_one(struct ch_ctx *ctx, struct snapshot *snap, const char *post_id,
    const struct prepared *p, const char *name, const char *dob,
    const char *origin, bool only_new, struct ch_screening *out,
    struct ch_screen_hit **hits_out, size_t *n_hits, size_t *n_open)
{
	struct found found[2 * HITS_MAX];
	struct ch_screen_settings st;
	struct ch_match_params mp;
	struct ch_screen_hit *hits;
	struct ch_tx *tx = NULL;
	struct ch_buf state;
	char keyed[65];
	struct ch_audit_entry ae;
	struct ch_event ev;
	size_t n = 0, kept = 0;
	ch_err err;

	*n_hits = 0;
	*n_open = 0;
	if (hits_out != NULL)
		*hits_out = NULL;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = settings_in(tx, post_id, ctx->arena, &st);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err;
	mp = params_of(&st);
	err = query(snap, post_id, &p->m, &mp, NULL, found, &n);
	if (err == CH_ERR_INVALID) {
		ch_fault_set(
		    &ctx->fault, "/name", "the name has no letters to screen.");
		return err;
	}
	if (err != CH_OK)
		return err;
	if (only_new && n == 0)
		return CH_OK;
	memset(out, 0, sizeof(*out));
	ch_id_new(out->id);
	ch_strlcpy(out->post_id, post_id, sizeof(out->post_id));
	out->subject_type = p->type;
	ch_strlcpy(out->subject_id, p->id ? p->id : "", CH_ID_LEN);
	memcpy(out->subject_key, p->key, sizeof(out->subject_key));
	memcpy(out->subject_hash, p->hash, sizeof(out->subject_hash));
	out->name = name;
	out->dob = dob;
	out->nationality = p->nationality;
	out->gender = p->m.gender == 'M' ? "M"
	    : p->m.gender == 'F'         ? "F"
					 : NULL;
	out->origin = origin;
	out->requested_by = ch_ctx_actor(ctx);
	ch_time_format(ch_clock_now(), out->created_at);
	hits = ch_arena_alloc(ctx->arena, (n + 1) * sizeof(*hits));
	if (hits == NULL)
		return CH_ERR_NOMEM;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		struct ch_screen_hit *h = &hits[kept];
		struct ch_screen_decision d;
		bool waiting = false, decided;

		memset(h, 0, sizeof(*h));
		memset(&d, 0, sizeof(d));
		err =
		    ch_store_screen_decision_find(tx, post_id, p->key, p->hash,
			found[i].meta->id, found[i].meta->hash, ctx->arena, &d);
		if (err != CH_OK && err != CH_ERR_NOT_FOUND)
			goto rollback;
		decided = err == CH_OK;
		if (only_new && !decided &&
		    (err = ch_store_screen_hit_open_exists(tx, post_id, p->key,
			 found[i].meta->id, &waiting)) != CH_OK)
			goto rollback;
		/* The re-screening raises only what is new: no decision that
		 * still holds, no open hit waiting on the same pair. */
		if (only_new && (decided || waiting))
			continue;
		if (decided) {
			h->status = d.decision;
			memcpy(h->decision_id, d.id, CH_ID_LEN);
			h->decision = d.decision;
			h->decision_reason = d.reason;
			h->decided_by = d.decided_by;
			h->decided_at =
			    ch_arena_strdup(ctx->arena, d.decided_at);
		} else {
			h->status = "open";
			(*n_open)++;
		}
		ch_id_new(h->id);
		memcpy(h->screening_id, out->id, CH_ID_LEN);
		ch_strlcpy(h->post_id, post_id, CH_ID_LEN);
		memcpy(h->entry_id, found[i].meta->id, CH_ID_LEN);
		memcpy(h->list_id, found[i].list->id, CH_ID_LEN);
		h->score_permille = (int)(found[i].hit.score * 1000 + 0.5);
		h->level =
		    found[i].hit.level == CH_MATCH_ALERT ? "alert" : "review";
		h->explanation = explain_text(ctx->arena, &found[i].hit.why);
		if (h->explanation == NULL) {
			err = CH_ERR_NOMEM;
			goto rollback;
		}
		memcpy(h->created_at, out->created_at, CH_TIMESTAMP_LEN);
		h->list_name = found[i].list->name;
		h->entry_ref = found[i].hit.entry->ref;
		h->entry_name = found[i].hit.entry->names[0].full;
		h->subject_name = name;
		h->subject_type = p->type;
		h->subject_id = p->id;
		h->subject_key = out->subject_key;
		h->subject_hash = out->subject_hash;
		h->entry_hash = found[i].meta->hash;
		kept++;
	}
	if (only_new && kept == 0) {
		ch_store_rollback(tx);
		return CH_OK;
	}
	out->hits = (int64_t)kept;
	if ((err = ch_store_screening_insert(tx, out)) != CH_OK)
		goto rollback;
	ch_buf_init(&state, 64 * 1024);
	audit_subject_hash(out->subject_hash, keyed);
	ch_buf_appendf(&state,
	    "id=%s\npost=%s\nsubject=%s\nsubject_hash=%s\norigin=%s\n", out->id,
	    post_id, out->subject_key, keyed, origin);
	for (size_t i = 0; i < kept && err == CH_OK; i++) {
		err = ch_store_screen_hit_insert(tx, &hits[i]);
		ch_buf_appendf(&state, "hit=%s,%s,%d,%s\n", hits[i].id,
		    hits[i].entry_id, hits[i].score_permille, hits[i].status);
	}
	ae = (struct ch_audit_entry){"screening.run", "screening", out->id,
	    post_id, state.data, state.len};
	if (err == CH_OK)
		err = ch_audit_append(tx, ctx, &ae);
	ch_buf_free(&state);
	if (err != CH_OK)
		goto rollback;
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	*n_hits = kept;
	if (hits_out != NULL)
		*hits_out = hits;
	if (*n_open > 0) {
		ev = (struct ch_event){"screening.hit", "screening", out->id,
		    post_id, ch_clock_now()};
		ch_events_publish(&ev);
	}
	return CH_OK;
rollback:
	ch_store_rollback(tx);
	return err;
}

/* A screening of a person or a visit is theirs (its hits hold a visit's
 * check-in, wherever it was run): the subject must be one of the post. */
static ch_err
subject_of_post(struct ch_ctx *ctx, struct ch_tx *tx, const struct prepared *p,
    const char *post_id)
{
	ch_err err = CH_OK; /* adhoc: nobody's */

	if (strcmp(p->type, "person") == 0) {
		struct ch_person person;

		err = ch_store_person_get(tx, p->id, ctx->arena, &person);
		if (err == CH_OK && strcmp(person.post_id, post_id) != 0)
			err = CH_ERR_NOT_FOUND;
	} else if (strcmp(p->type, "visitor") == 0) {
		struct ch_visitor v;

		err = ch_store_visitor_get(tx, p->id, false, ctx->arena, &v);
		if (err == CH_OK && strcmp(v.post_id, post_id) != 0)
			err = CH_ERR_NOT_FOUND;
	}
	if (err == CH_ERR_NOT_FOUND) {
		ch_fault_set(&ctx->fault, "/subject_id",
		    "no %s of this post has the id %s.", p->type, p->id);
		return CH_ERR_INVALID;
	}
	return err;
}

ch_err
ch_screening_run(struct ch_ctx *ctx, const char *post_id,
    const struct ch_screen_subject *subject, const char *origin,
    struct ch_screening *out, struct ch_screen_hit **hits, size_t *n_hits)
{
	struct ch_label label = {.post_id = post_id};
	struct snapshot *snap;
	struct ch_post post;
	struct ch_tx *tx = NULL;
	struct prepared p;
	size_t n_open = 0;
	ch_err err;

	*hits = NULL;
	*n_hits = 0;
	if (post_id == NULL || !ch_id_valid(post_id)) {
		ch_fault_set(
		    &ctx->fault, "/post_id", "post_id must be a post's id.");
		return CH_ERR_INVALID;
	}
	if (!ch_ctx_permits(ctx, CH_PERM_SCREENING_RUN, &label))
		return CH_ERR_DENIED;
	if ((err = prepare(ctx, subject, &p)) != CH_OK)
		return err;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_post_get(tx, post_id, ctx->arena, &post);
	if (err == CH_ERR_NOT_FOUND) {
		ch_store_rollback(tx);
		ch_fault_set(&ctx->fault, "/post_id", "no such post.");
		return CH_ERR_INVALID;
	}
	if (err == CH_OK && p.id != NULL)
		err = subject_of_post(ctx, tx, &p, post_id);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err;
	snap = acquire();
	if (snap == NULL)
		return not_ready(ctx);
	err = screen_one(ctx, snap, post_id, &p, subject->name, subject->dob,
	    origin ? origin : "manual", false, out, hits, n_hits, &n_open);
	release(snap);
	return err;
}

ch_err
ch_screening_probe(struct ch_ctx *ctx, const char *post_id,
    const struct ch_screen_subject *subject, json_t **out)
{
	struct found found[2 * HITS_MAX];
	struct ch_screen_settings st;
	struct ch_match_params mp;
	struct snapshot *snap;
	struct prepared p;
	size_t n = 0;
	json_t *arr;
	ch_err err;

	*out = NULL;
	if (!ch_ctx_permits(ctx, CH_PERM_SCREENING_RUN, NULL))
		return CH_ERR_DENIED;
	if ((err = prepare(ctx, subject, &p)) != CH_OK)
		return err;
	default_settings(post_id ? post_id : "", &st);
	if (post_id != NULL && *post_id != '\0') {
		struct ch_tx *tx = NULL;

		if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
			return err;
		err = settings_in(tx, post_id, ctx->arena, &st);
		ch_store_rollback(tx);
		if (err != CH_OK)
			return err;
	}
	mp = params_of(&st);
	snap = acquire();
	if (snap == NULL)
		return not_ready(ctx);
	err = query(snap, post_id, &p.m, &mp, subject->list, found, &n);
	if (err == CH_ERR_INVALID)
		ch_fault_set(
		    &ctx->fault, "/name", "the name has no letters to screen.");
	arr = err == CH_OK ? json_array() : NULL;
	for (size_t i = 0; arr != NULL && i < n; i++) {
		json_t *h = json_object();

		json_object_set_new(
		    h, "list", json_string(found[i].list->name));
		json_object_set_new(
		    h, "entry_id", json_string(found[i].meta->id));
		json_object_set_new(h, "score", json_real(found[i].hit.score));
		json_object_set_new(h, "level",
		    json_string(found[i].hit.level == CH_MATCH_ALERT
			    ? "alert"
			    : "review"));
		json_object_set_new(
		    h, "entry", ch_watch_entry_to_api(found[i].hit.entry));
		json_object_set_new(
		    h, "explanation", ch_match_explain_json(&found[i].hit.why));
		{
			struct ch_buf text;

			ch_buf_init(&text, 64 * 1024);
			if (ch_match_explain_text(&found[i].hit.why, &text) ==
				CH_OK &&
			    text.len > 0)
				json_object_set_new(h, "explanation_text",
				    json_string(text.data));
			ch_buf_free(&text);
		}
		json_array_append_new(arr, h);
	}
	release(snap);
	if (err == CH_OK && arr == NULL)
		err = CH_ERR_NOMEM;
	*out = arr;
	return err;
}

/* ---- re-screening ---- */

ch_err
ch_screening_rescreen_subjects(struct ch_ctx *ctx, const char *post_id,
    const struct ch_screen_subject *subjects, size_t n, size_t *new_hits)
{
	struct snapshot *snap = acquire();
	struct ch_screening sc;
	struct prepared p;
	struct ch_ctx one;
	size_t k, open;
	ch_err err = CH_OK;

	*new_hits = 0;
	if (snap == NULL)
		return not_ready(ctx);
	for (size_t i = 0; i < n && err == CH_OK; i++) {
		/* Each subject in memory of its own: a post may be large. */
		one = *ctx;
		if ((one.arena = ch_arena_create(16u * 1024 * 1024)) == NULL) {
			err = CH_ERR_NOMEM;
			break;
		}
		/* A record the screening cannot read (no letters in the name,
		 * a date it does not know) is skipped. */
		if (prepare(&one, &subjects[i], &p) == CH_OK) {
			err = screen_one(&one, snap, post_id, &p,
			    subjects[i].name, subjects[i].dob, "list-update",
			    true, &sc, NULL, &k, &open);
			if (err == CH_ERR_INVALID)
				err = CH_OK;
			else if (err == CH_OK)
				*new_hits += open;
		}
		ch_arena_destroy(one.arena);
	}
	release(snap);
	return err;
}

ch_err
ch_screening_rescreen(struct ch_ctx *ctx, const char *post_id, size_t *new_hits)
{
	struct ch_screen_person *people = NULL, *visitors = NULL;
	struct ch_screen_subject *subjects;
	struct ch_tx *tx = NULL;
	size_t n = 0, nv = 0;
	ch_err err;

	*new_hits = 0;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_screen_people(tx, post_id, ctx->arena, &people, &n);
	/* The visitors expected or in the building are screened too. */
	if (err == CH_OK)
		err = ch_store_screen_visitors(
		    tx, post_id, ctx->arena, &visitors, &nv);
	ch_store_rollback(tx);
	if (err != CH_OK || n + nv == 0)
		return err;
	subjects = ch_arena_alloc(ctx->arena, (n + nv) * sizeof(*subjects));
	if (subjects == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < nv; i++)
		subjects[n + i] = (struct ch_screen_subject){
		    .name = visitors[i].name,
		    .dob = visitors[i].date_of_birth,
		    .nationality = visitors[i].nationality,
		    .kind = "individual",
		    .subject_type = "visitor",
		    .subject_id = visitors[i].id,
		};
	for (size_t i = 0; i < n; i++) {
		const char *g = people[i].gender;

		subjects[i] = (struct ch_screen_subject){
		    .name = people[i].name,
		    .dob = people[i].date_of_birth,
		    .nationality = people[i].nationality,
		    .gender = g != NULL && (g[0] == 'M' || g[0] == 'F') &&
			    g[1] == '\0'
			? g[0]
			: 0,
		    .kind = "individual",
		    .subject_type = "person",
		    .subject_id = people[i].id,
		};
	}
	err = ch_screening_rescreen_subjects(
	    ctx, post_id, subjects, n + nv, new_hits);
	if (err == CH_OK && *new_hits > 0)
		log_info("re-screening post %s: %zu new hits to review",
		    post_id, *new_hits);
	return err;
}

/* ---- the review queue and adjudication ---- */

ch_err
ch_screening_hits(struct ch_ctx *ctx, const char *post_id, const char *status,
    size_t limit, struct ch_screen_hit **out, size_t *count)
{
	const char *scope = post_id;
	struct ch_tx *tx = NULL;
	ch_err err;

	*out = NULL;
	*count = 0;
	if (!ch_ctx_permits(ctx, CH_PERM_SCREENING_REVIEW, NULL))
		return CH_ERR_DENIED;
	if (status != NULL && strcmp(status, "open") != 0 &&
	    strcmp(status, "confirmed") != 0 &&
	    strcmp(status, "dismissed") != 0) {
		ch_fault_set(&ctx->fault, "status",
		    "status must be open, confirmed or dismissed.");
		return CH_ERR_INVALID;
	}
	if (scope == NULL && ctx->who != NULL && !ch_policy_all_posts(ctx->who))
		scope = ctx->who->post_id;
	if (scope != NULL && !ch_ctx_sees_post(ctx, scope))
		return CH_ERR_DENIED;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_screen_hit_list(tx, scope, status ? status : "open",
	    limit > 0 && limit <= 500 ? limit : 100, ctx->arena, out, count);
	ch_store_rollback(tx);
	return err;
}

ch_err
ch_screening_hit_get(
    struct ch_ctx *ctx, const char *id, struct ch_screen_hit *out)
{
	struct ch_label label = {0};
	struct ch_tx *tx = NULL;
	ch_err err;

	if (!ch_id_valid(id))
		return CH_ERR_NOT_FOUND;
	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_screen_hit_get(tx, id, ctx->arena, out);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err;
	label.post_id = out->post_id;
	if (!ch_ctx_permits(ctx, CH_PERM_SCREENING_REVIEW, &label))
		return CH_ERR_NOT_FOUND;
	return CH_OK;
}

ch_err
ch_screening_adjudicate(struct ch_ctx *ctx, const char *hit_id,
    const char *decision, const char *reason, struct ch_screen_hit *out)
{
	struct ch_label label = {0};
	struct ch_screen_decision d;
	struct ch_audit_entry ae;
	struct ch_event ev;
	struct ch_tx *tx = NULL;
	char *state, keyed[65];
	ch_err err;

	if (decision == NULL ||
	    (strcmp(decision, "confirmed") != 0 &&
		strcmp(decision, "dismissed") != 0)) {
		ch_fault_set(&ctx->fault, "/decision",
		    "decision must be confirmed or dismissed.");
		return CH_ERR_INVALID;
	}
	if (!ch_text_check(&ctx->fault, "/reason", reason, 2000,
		CH_TEXT_REQUIRED | CH_TEXT_MULTILINE))
		return CH_ERR_INVALID;
	if ((err = ch_screening_hit_get(ctx, hit_id, out)) != CH_OK)
		return err;
	label.post_id = out->post_id;
	if (!ch_ctx_permits(ctx, CH_PERM_SCREENING_ADJUDICATE, &label))
		return CH_ERR_DENIED;
	memset(&d, 0, sizeof(d));
	ch_id_new(d.id);
	ch_strlcpy(d.post_id, out->post_id, sizeof(d.post_id));
	ch_strlcpy(d.hit_id, out->id, sizeof(d.hit_id));
	ch_strlcpy(d.subject_key, out->subject_key, sizeof(d.subject_key));
	ch_strlcpy(d.subject_hash, out->subject_hash, sizeof(d.subject_hash));
	ch_strlcpy(d.entry_id, out->entry_id, sizeof(d.entry_id));
	ch_strlcpy(d.entry_hash, out->entry_hash, sizeof(d.entry_hash));
	d.decision = decision;
	d.reason = reason;
	d.decided_by = ch_ctx_actor(ctx);
	ch_time_format(ch_clock_now(), d.decided_at);
	audit_subject_hash(d.subject_hash, keyed);
	state = ch_arena_printf(ctx->arena,
	    "hit=%s\ndecision=%s\nreason=%s\nsubject=%s\nsubject_hash=%s\n"
	    "entry=%s\nentry_hash=%s\n",
	    out->id, decision, reason, d.subject_key, keyed, d.entry_id,
	    d.entry_hash);
	if (state == NULL)
		return CH_ERR_NOMEM;
	if ((err = ch_store_begin(ctx->store, true, &tx)) != CH_OK)
		return err;
	ae = (struct ch_audit_entry){"screening.adjudicate", "screening_hit",
	    out->id, out->post_id, state, strlen(state)};
	if ((err = ch_store_screen_decision_insert(tx, &d)) != CH_OK ||
	    (err = ch_store_screen_hit_decide(tx, out->id, decision, d.id)) !=
		CH_OK ||
	    (err = ch_audit_append(tx, ctx, &ae)) != CH_OK) {
		if (err == CH_ERR_CONFLICT)
			ch_fault_set(&ctx->fault, "/decision",
			    "the hit was decided already.");
		ch_store_rollback(tx);
		return err;
	}
	if ((err = ch_store_commit(tx)) != CH_OK)
		return err;
	ev = (struct ch_event){"screening.adjudicated", "screening_hit",
	    out->id, out->post_id, ch_clock_now()};
	ch_events_publish(&ev);
	return ch_screening_hit_get(ctx, hit_id, out);
}

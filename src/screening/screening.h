/*
 * screening.h — watchlist screening as the rest of Chancery uses it: the
 * lists (OFAC and UN global, custom and lookout lists per post) and their
 * versions, the post's own lookout entries, thresholds per post,
 * screenings and their hits, and the adjudication of hits.  The matching
 * itself is the engine's (match.h); this module keeps the engine's index
 * in memory, built from the store at start and swapped after every list
 * change, and records what a screening found.
 *
 * Entry identity: an entry keeps its id across versions as long as its
 * ref (the list's own id) and its content hash (SHA-256 of its canonical
 * JSON, see ch_watch_entry_json) stay the same.  A changed entry is a new
 * row with a new id; the old one is retired.
 *
 * Adjudication memory: a decision is stored for the pair (subject key,
 * entry id) together with the subject's hash (SHA-256 of the screened
 * attributes: name, date of birth, nationality, gender) and the entry's
 * content hash.  A later hit on the same pair with both hashes equal takes
 * the decision over (a dismissed pair stays dismissed, no review); a change
 * on either side makes a new entry id or a new subject hash, and the hit
 * is open again.
 */
#ifndef CH_SCREENING_SCREENING_H
#define CH_SCREENING_SCREENING_H

#include <jansson.h>

#include "core/context.h"
#include "core/core.h"
#include "screening/import.h"
#include "screening/watchlist.h"

/* ---- lists, versions, entries ---- */

struct ch_watchlist {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN]; /* "" for a global list */
	const char *name;
	const char *source;      /* ofac-sdn, ofac-cons, un, custom, lookout */
	int64_t current_version; /* 0: nothing imported yet */
	int64_t entries;         /* current entries */
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};

struct ch_watch_version {
	char id[CH_ID_LEN];
	char list_id[CH_ID_LEN];
	int64_t number;
	const char *origin; /* the file or directory imported */
	int64_t entries, added, removed, changed, unchanged;
	const char *imported_by;
	char imported_at[CH_TIMESTAMP_LEN];
};

/* An entry as stored. */
struct ch_watch_row {
	char id[CH_ID_LEN];
	char list_id[CH_ID_LEN];
	const char *ref;
	char hash[65];
	const char *primary_name;
	const char *kind;
	const char *data; /* canonical JSON (ch_watch_entry_json) */
	int64_t first_version;
	int64_t last_version;    /* -1: current */
	const char *reason;      /* lookout entries */
	const char *seriousness; /* lookout: low, medium, high */
	const char *created_by;
	char created_at[CH_TIMESTAMP_LEN];
};

/* ---- screenings and hits ---- */

struct ch_screen_settings {
	char post_id[CH_ID_LEN];
	int review_permille; /* 0..1000 */
	int alert_permille;
	const char *updated_by;
	char updated_at[CH_TIMESTAMP_LEN];
};

/* What is screened. */
struct ch_screen_subject {
	const char *name;
	const char *dob;          /* as written: 1960-03-17, 1960, ... */
	const char *nationality;  /* ISO code or country name */
	char gender;              /* 'M', 'F' or 0 */
	const char *kind;         /* individual (default), entity, ... */
	const char *subject_type; /* person, visitor, adhoc (default) */
	const char *subject_id;   /* the person's or visitor's id */
	const char *list;         /* probe only: one list's name or source */
};

struct ch_screening {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	const char *subject_type;
	char subject_id[CH_ID_LEN];
	char subject_key[80];
	char subject_hash[65];
	const char *name, *dob, *nationality, *gender;
	const char *origin; /* manual, list-update, ... */
	int64_t hits;
	const char *requested_by;
	char created_at[CH_TIMESTAMP_LEN];
};

struct ch_screen_hit {
	char id[CH_ID_LEN];
	char screening_id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char entry_id[CH_ID_LEN];
	char list_id[CH_ID_LEN];
	int score_permille;
	const char *level;       /* review, alert */
	const char *status;      /* open, confirmed, dismissed */
	const char *explanation; /* JSON (ch_match_explain_json) */
	char decision_id[CH_ID_LEN];
	char created_at[CH_TIMESTAMP_LEN];
	/* Joined for reading: */
	const char *list_name, *entry_ref, *entry_name, *entry_data;
	const char *subject_name, *subject_type, *subject_id;
	const char *decision, *decision_reason, *decided_by, *decided_at;
	const char *subject_key, *subject_hash, *entry_hash;
};

struct ch_screen_decision {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char hit_id[CH_ID_LEN];
	char subject_key[80];
	char subject_hash[65];
	char entry_id[CH_ID_LEN];
	char entry_hash[65];
	const char *decision; /* confirmed, dismissed */
	const char *reason;
	const char *decided_by;
	char decided_at[CH_TIMESTAMP_LEN];
};

/* ---- entry_json.c ---- */
/* The canonical JSON of an entry (keys in a fixed order, no spaces) into
 * buf, and its SHA-256 as hex. */
ch_err ch_watch_entry_json(const struct ch_watch_entry *e, struct ch_buf *buf);
void ch_watch_entry_hash(const char *json, size_t len, char out[65]);
/* Read an entry back from its JSON, strings into arena. */
ch_err ch_watch_entry_from_json(
    const char *json, ch_arena *arena, struct ch_watch_entry *out);
/* An entry as a JSON object for the API (new reference). */
json_t *ch_watch_entry_to_api(const struct ch_watch_entry *e);
const char *ch_watch_kind_code(enum ch_watch_kind k);
bool ch_watch_kind_parse(const char *s, enum ch_watch_kind *out);

/* ---- watchlists.c: use cases ---- */

/* The lists a context sees: the global ones and its post's (all for HQ
 * and the CLI); post_id narrows to global + that post. */
ch_err ch_watchlists_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_watchlist **out, size_t *count);
ch_err ch_watchlists_get(
    struct ch_ctx *ctx, const char *id, struct ch_watchlist *out);
/* Create a list: post_id NULL or "" for a global list (OFAC, UN: HQ,
 * administrator or the CLI), else a post's custom or lookout list. */
ch_err ch_watchlists_create(struct ch_ctx *ctx, const char *post_id,
    const char *name, const char *source, struct ch_watchlist *out);
/*
 * Import a new version of list_id from set (all or nothing, one
 * transaction): entries whose ref and content are unchanged keep their
 * ids; the version's summary counts added, removed, changed, unchanged.
 * origin names the file.  After the commit the index is rebuilt and the
 * people of the posts that see the list are re-screened (new hits open).
 */
ch_err ch_watchlists_import(struct ch_ctx *ctx, const char *list_id,
    const struct ch_watch_set *set, const char *origin,
    struct ch_watch_version *out);
/* Find or create the global list for an official source ("OFAC SDN",
 * "OFAC consolidated", "UN consolidated") and import a file into it.  The
 * files are read and parsed in an arena of the import's own (they may
 * have CH_WATCH_MAX_FILE bytes each), not in ctx->arena. */
ch_err ch_watchlists_import_path(struct ch_ctx *ctx, const char *post_id,
    enum ch_watch_source source, const char *path, const char *list_name,
    struct ch_watchlist *list, struct ch_watch_version *out);
/* Batch imports (the demo): while deferred, imports and lookout changes
 * neither rebuild the index nor re-screen; ch_watchlists_refresh() does
 * both once for post_id ("" or NULL: every post). */
void ch_watchlists_defer_refresh(bool on);
void ch_watchlists_refresh(struct ch_ctx *ctx, const char *post_id);
ch_err ch_watchlists_versions(struct ch_ctx *ctx, const char *list_id,
    struct ch_watch_version **out, size_t *count);
/* The current entries of a list by ref, a page of limit (0: all) after
 * cursor (NULL: from the start); *next gets the next page's cursor, or ""
 * at the end (next may be NULL).  CH_ERR_INVALID on a bad cursor. */
ch_err ch_watchlists_entries(struct ch_ctx *ctx, const char *list_id,
    const char *cursor, size_t limit, struct ch_watch_row **out, size_t *count,
    char *next, size_t next_size);

/* Lookout entries: the post's own, with reason and seriousness. */
struct ch_lookout_input {
	const char *post_id;
	const char *name;
	const char *aliases; /* ";"-separated, may be NULL */
	const char *dob;
	const char *nationality;
	const char *gender;
	const char *kind;
	const char *reason;
	const char *seriousness; /* low, medium, high */
};
ch_err ch_lookout_create(struct ch_ctx *ctx, const struct ch_lookout_input *in,
    struct ch_watch_row *out);
ch_err ch_lookout_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_watch_row **out, size_t *count);
/* Replace an entry (a new id: its content changed) or remove it. */
ch_err ch_lookout_update(struct ch_ctx *ctx, const char *entry_id,
    const struct ch_lookout_input *in, struct ch_watch_row *out);
ch_err ch_lookout_delete(struct ch_ctx *ctx, const char *entry_id);

/* ---- screen.c: screening ---- */

/* Build the in-memory index from the store (at server start); later list
 * changes rebuild it.  Readers are never blocked: a query holds a
 * reference to the index it started with. */
ch_err ch_screening_start(struct ch_store *store);
/* The same, building in a thread of its own (the server: it answers at
 * once; screenings answer CH_ERR_BUSY until the index is built). */
ch_err ch_screening_start_async(struct ch_store *store);
/* Whether the index has been built. */
bool ch_screening_ready(void);
/* Stop the watcher, if any, and free the index. */
void ch_screening_stop(void);
/* Rebuild and swap the index now (after an import). */
ch_err ch_screening_reload(struct ch_store *store);
/* Rebuild when the lists changed since the index was built (an import by
 * the CLI or another server): *reloaded says whether it did. */
ch_err ch_screening_check(struct ch_store *store, bool *reloaded);
/* The server: check every `seconds` in a thread of its own, until
 * ch_screening_stop(). */
ch_err ch_screening_watch(struct ch_store *store, int seconds);
/* Entries in the index now (0 before start). */
size_t ch_screening_indexed(void);

ch_err ch_screening_settings_get(
    struct ch_ctx *ctx, const char *post_id, struct ch_screen_settings *out);
ch_err ch_screening_settings_set(struct ch_ctx *ctx, const char *post_id,
    int review_permille, int alert_permille, struct ch_screen_settings *out);

/*
 * Screen one subject for post_id against the global lists and the post's:
 * records the screening and its hits (each open, or decided already when
 * the same subject and entry were adjudicated and neither changed).
 * origin says why ("manual", "list-update", "registration").
 */
ch_err ch_screening_run(struct ch_ctx *ctx, const char *post_id,
    const struct ch_screen_subject *subject, const char *origin,
    struct ch_screening *out, struct ch_screen_hit **hits, size_t *n_hits);
/* Screen without recording (the CLI's `chancery screen`): hits with their
 * entries and explanations as JSON. */
ch_err ch_screening_probe(struct ch_ctx *ctx, const char *post_id,
    const struct ch_screen_subject *subject, json_t **out);

/*
 * Re-screen the subjects of a post after a list changed: every person of
 * the post now, and, once the visitors feature exists, the visitors it
 * passes through rescreen_subjects.  Called after each list import for
 * every post that sees the list (all posts for a global list).  Returns
 * the number of new open hits in *new_hits.
 */
ch_err ch_screening_rescreen(
    struct ch_ctx *ctx, const char *post_id, size_t *new_hits);
/* The same for a list of subjects the caller gathered (visitors). */
ch_err ch_screening_rescreen_subjects(struct ch_ctx *ctx, const char *post_id,
    const struct ch_screen_subject *subjects, size_t n, size_t *new_hits);

/* The review queue: hits of a post by status ("open" by default). */
ch_err ch_screening_hits(struct ch_ctx *ctx, const char *post_id,
    const char *status, size_t limit, struct ch_screen_hit **out,
    size_t *count);
ch_err ch_screening_hit_get(
    struct ch_ctx *ctx, const char *id, struct ch_screen_hit *out);
/* Confirm or dismiss a hit with a reason (decision "confirmed" or
 * "dismissed"); CH_ERR_CONFLICT when it was decided already. */
ch_err ch_screening_adjudicate(struct ch_ctx *ctx, const char *hit_id,
    const char *decision, const char *reason, struct ch_screen_hit *out);

#endif /* CH_SCREENING_SCREENING_H */

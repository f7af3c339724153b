/*
 * store.h — the one storage interface.  A ch_store is a pool of database
 * connections over one driver (SQLite or PostgreSQL).  The use-case layer
 * opens a transaction with ch_store_begin(), calls the record functions
 * below with it, and ends it with ch_store_commit() or ch_store_rollback();
 * the connection goes back to the pool when the transaction ends.
 *
 * All SQL lives under src/store/ and is written once, portable between the
 * two engines (see db.h for the rules).
 */
#ifndef CH_STORE_H
#define CH_STORE_H

#include "core/context.h"
#include "core/core.h"

struct ch_store;
struct ch_tx;
struct ch_person;
struct ch_person_filter;
struct ch_person_page;
struct ch_post;
struct ch_zone;
struct ch_training;
struct ch_rows;
struct ch_incident;
struct ch_incident_filter;
struct ch_incident_scope;
struct ch_incident_page;
struct ch_incident_transition;

/* ---- store.c: the pool and transactions ---- */
/*
 * Open a store on dsn ("sqlite:PATH" or "postgresql://..."), with up to
 * nconns connections, and run the migrations this binary knows.  Refuses a
 * database whose schema is newer (CH_ERR_SCHEMA_NEWER).
 */
ch_err ch_store_open(const char *dsn, int nconns, struct ch_store **out);
void ch_store_close(struct ch_store *store);
const char *ch_store_engine(const struct ch_store *store);
/* A number no other store opened by this process has had: for caches of
 * what a store holds (a store opened later may get the same address). */
uint64_t ch_store_serial(const struct ch_store *store);
/* The schema version of the database and of this binary. */
int ch_store_schema_version(const struct ch_store *store);
int ch_store_schema_latest(void);

/* On SQLite the writers of a process take turns in arrival order; a
 * thread that opens a write transaction while it holds one gets
 * CH_ERR_BUSY at once (it would otherwise wait for itself). */
ch_err ch_store_begin(struct ch_store *store, bool write, struct ch_tx **out);
ch_err ch_store_commit(struct ch_tx *tx);
/*
 * A write transaction whose commit does not wait for the disk (SQLite:
 * synchronous=NORMAL for this transaction only: the write-ahead log is
 * written, not synced; PostgreSQL: an ordinary, durable commit).  Its
 * writer must not say it is done before ch_store_sync() has returned
 * CH_OK after the commit: that makes every commit so far durable (one
 * fsync of the log), and may run in another thread while the next such
 * transaction runs (the gate's pipelined group commit).
 */
ch_err ch_store_begin_unsynced(struct ch_store *store, struct ch_tx **out);
ch_err ch_store_sync(struct ch_store *store);
/* Roll back and release; accepts NULL. */
void ch_store_rollback(struct ch_tx *tx);
/* A trivial query, for /healthz. */
ch_err ch_store_ping(struct ch_store *store);

/* Database timings for /metrics: calls and total microseconds. */
struct ch_store_stats {
	uint64_t queries;
	uint64_t query_us;
	uint64_t transactions;
	uint64_t commit_us;
	uint64_t errors;
	uint64_t busy;
};
void ch_store_stats(struct ch_store *store, struct ch_store_stats *out);

/* ---- people_sql.c ---- */
ch_err ch_store_person_insert(struct ch_tx *tx, const struct ch_person *p);
/* Write p over the stored record when its version is expected; sets
 * p->version to the new version. CH_ERR_PRECONDITION on a stale version. */
ch_err ch_store_person_update(
    struct ch_tx *tx, struct ch_person *p, int64_t expected_version);
ch_err ch_store_person_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_person *out);
ch_err ch_store_person_list(struct ch_tx *tx, const struct ch_person_filter *f,
    const char *scope_post_id, ch_arena *arena, struct ch_person_page *out);
/* The members linked to principal_id (household_of = principal_id). */
ch_err ch_store_household(struct ch_tx *tx, const char *principal_id,
    ch_arena *arena, struct ch_person **out, size_t *count);
ch_err ch_store_training_insert(struct ch_tx *tx, const struct ch_training *t);
ch_err ch_store_training_list(struct ch_tx *tx, const char *person_id,
    ch_arena *arena, struct ch_training **out, size_t *count);

/* ---- posts_sql.c ---- */
ch_err ch_store_post_insert(struct ch_tx *tx, const struct ch_post *p);
ch_err ch_store_post_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_post *out);
/* All posts, or only scope_post_id when it is not NULL. */
ch_err ch_store_post_list(struct ch_tx *tx, const char *scope_post_id,
    ch_arena *arena, struct ch_post **out, size_t *count);
ch_err ch_store_zone_insert(struct ch_tx *tx, const struct ch_zone *z);
ch_err ch_store_zone_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_zone *out);
ch_err ch_store_zone_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_zone **out, size_t *count);

/* ---- audit_sql.c: the audit log's records ---- */
struct ch_audit_record {
	int64_t seq; /* assigned by the store, from 1 */
	char time[CH_TIMESTAMP_LEN];
	const char *actor;
	const char *post_id; /* may be NULL */
	const char *action;
	const char *object_type;
	const char *object_id;
	const char *request_id;
	const char *source;
	char state_hash[65]; /* hex SHA-256 of the object's new state */
	char leaf_hash[65];  /* hex RFC 9162 leaf hash of the record */
	/* Read back: the stored row is in no form the log writes — an empty
	 * value where it writes none (NULL, hashed as empty), or a value
	 * longer than its field (read cut) — so the hash, which covers what
	 * was read, cannot vouch for what is stored. */
	bool misstored;
};
/* Take the next sequence number (serialises concurrent appenders). */
ch_err ch_store_audit_next_seq(struct ch_tx *tx, int64_t *seq);
ch_err ch_store_audit_insert(struct ch_tx *tx, const struct ch_audit_record *r);
/* Take n numbers at once (the first is *first), and insert n records
 * with multi-row statements (a batch of the gate's decisions). */
ch_err ch_store_audit_reserve(struct ch_tx *tx, size_t n, int64_t *first);
ch_err ch_store_audit_insert_many(
    struct ch_tx *tx, const struct ch_audit_record *r, size_t n);
/* Records with seq in [from, from + limit), in order, strings in arena. */
ch_err ch_store_audit_range(struct ch_tx *tx, int64_t from, size_t limit,
    ch_arena *arena, struct ch_audit_record **out, size_t *count);
ch_err ch_store_audit_count(struct ch_tx *tx, int64_t *count);
/* The highest seq in the log (0 when empty): not the head's size when
 * records were removed. */
ch_err ch_store_audit_last_seq(struct ch_tx *tx, int64_t *seq);
/* How many audit records there are, and the lowest seq (1 when none). */
ch_err ch_store_audit_rows(struct ch_tx *tx, int64_t *rows, int64_t *lowest);
/* The seq and leaf hash (hex) of at most limit records from seq from, in
 * order: what the checkpoint thread needs of a record. */
ch_err ch_store_audit_leaves(struct ch_tx *tx, int64_t from, size_t limit,
    int64_t *seqs, char (*hashes)[65], size_t *count);
/*
 * Hashes (hex) of count consecutive positions from first: leaf hashes of
 * seq first+1 ... when level is 0, else audit_nodes rows (level, first),
 * ....  out[i] is "" where a row is missing.  count <= 64.
 */
ch_err ch_store_audit_hashes(struct ch_tx *tx, unsigned level, int64_t first,
    size_t count, char (*out)[65]);
ch_err ch_store_audit_node_insert(
    struct ch_tx *tx, unsigned level, int64_t index, const char *hash);

struct ch_audit_checkpoint_row {
	int64_t size;
	char root_hash[65];
	char created_at[CH_TIMESTAMP_LEN];
	const char *note; /* the whole signed note */
};
ch_err ch_store_audit_checkpoint_insert(
    struct ch_tx *tx, const struct ch_audit_checkpoint_row *c);
/* The checkpoint of the largest size; CH_ERR_NOT_FOUND when none. */
ch_err ch_store_audit_checkpoint_latest(
    struct ch_tx *tx, ch_arena *arena, struct ch_audit_checkpoint_row *out);
/* Up to limit checkpoints of size > after, by size. */
ch_err ch_store_audit_checkpoint_list(struct ch_tx *tx, int64_t after,
    size_t limit, ch_arena *arena, struct ch_audit_checkpoint_row **out,
    size_t *count);
/* The first limit records about object_id, in order (a timeline). */
ch_err ch_store_audit_by_object(struct ch_tx *tx, const char *object_id,
    size_t limit, ch_arena *arena, struct ch_audit_record **out, size_t *count);

/* ---- incidents_sql.c: daily counts for trend detection ---- */
struct ch_incident_scope;
struct ch_daily_count {
	int category; /* enum ch_threat_category */
	char day[CH_DATE_LEN];
	int64_t count;
};
/* Incidents per category and day (UTC) since the time given, among those
 * the scope may read (the list's rules). */
ch_err ch_store_incident_daily_counts(struct ch_tx *tx,
    const struct ch_incident_scope *scope, const char *since, ch_arena *arena,
    struct ch_daily_count **out, size_t *count);

/* ---- incidents_sql.c ---- */
/* Insert an incident with its people and recipients. */
ch_err ch_store_incident_insert(struct ch_tx *tx, const struct ch_incident *p);
/* Write p (and its people and recipients) over the stored incident when
 * its version is expected; CH_ERR_PRECONDITION on a stale version. */
ch_err ch_store_incident_update(
    struct ch_tx *tx, struct ch_incident *p, int64_t expected_version);
ch_err ch_store_incident_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_incident *out);
/* A page of the incidents scope admits, newest first; CH_ERR_INVALID on a
 * malformed cursor. */
ch_err ch_store_incident_list(struct ch_tx *tx,
    const struct ch_incident_filter *f, const struct ch_incident_scope *scope,
    ch_arena *arena, struct ch_incident_page *out);
ch_err ch_store_incident_transition_insert(
    struct ch_tx *tx, const struct ch_incident_transition *t);
ch_err ch_store_incident_transitions(struct ch_tx *tx, const char *incident_id,
    ch_arena *arena, struct ch_incident_transition **out, size_t *count);
/* Evidence files: the listing, and one file's sealed key and encrypted
 * content (base64). */
struct ch_evidence;
ch_err ch_store_evidence_insert(struct ch_tx *tx, const struct ch_evidence *e,
    const char *file_key, const char *content);
ch_err ch_store_evidence_list(struct ch_tx *tx, const char *incident_id,
    ch_arena *arena, struct ch_evidence **out, size_t *count);
ch_err ch_store_evidence_get(struct ch_tx *tx, const char *incident_id,
    const char *id, ch_arena *arena, struct ch_evidence *out, char **file_key,
    char **content);

/* ---- accounts_sql.c: users and sessions ---- */
struct ch_user {
	char id[CH_ID_LEN];
	char *username;
	char *display_name;
	char *password_hash; /* Argon2id encoded string */
	unsigned roles;
	enum ch_clearance clearance;
	char post_id[CH_ID_LEN];
	char person_id[CH_ID_LEN];
	bool disabled;
	bool totp_enrolled; /* has a confirmed second factor (lists only) */
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};
ch_err ch_store_user_insert(struct ch_tx *tx, const struct ch_user *u);
ch_err ch_store_user_update(struct ch_tx *tx, struct ch_user *u);
/* CH_OK when user id is still at version, its row then held until tx ends
 * (a change in another transaction is waited for, or waits);
 * CH_ERR_PRECONDITION when it changed or is gone. */
ch_err ch_store_user_hold(struct ch_tx *tx, const char *id, int64_t version);
ch_err ch_store_user_by_name(struct ch_tx *tx, const char *username,
    ch_arena *arena, struct ch_user *out);
ch_err ch_store_user_by_id(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_user *out);
/* Users of post_id, or every user when it is NULL. */
ch_err ch_store_user_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_user **out, size_t *count);

/* A session's stage: full, or pending a second factor or an enrolment. */
#define CH_STAGE_FULL "full"
#define CH_STAGE_TOTP "totp"
#define CH_STAGE_ENROL "enrol"

struct ch_session_row {
	char token_hash[65];
	char public_id[CH_ID_LEN]; /* what the user sees and ends it by */
	char stage[8];             /* CH_STAGE_* */
	int64_t reauth_at;         /* last password (+TOTP) check */
	char user_id[CH_ID_LEN];
	char csrf_token[65];
	int64_t created_at;
	int64_t last_seen;
	int64_t expires_at;
	const char *source;
};
ch_err ch_store_session_insert(
    struct ch_tx *tx, const struct ch_session_row *s);
ch_err ch_store_session_get(struct ch_tx *tx, const char *token_hash,
    ch_arena *arena, struct ch_session_row *out);
ch_err ch_store_session_touch(
    struct ch_tx *tx, const char *token_hash, int64_t last_seen);
ch_err ch_store_session_delete(struct ch_tx *tx, const char *token_hash);
ch_err ch_store_session_delete_user(struct ch_tx *tx, const char *user_id);
ch_err ch_store_session_purge(struct ch_tx *tx, int64_t now);

/* ---- sealed_sql.c: the sealed columns and key rotation ---- */
struct ch_sealed_column {
	const char *table;
	const char *id_column; /* the row id bound into the seal */
	const char *column;
};
/* Every column the store seals (core/vault.h). */
const struct ch_sealed_column *ch_store_sealed_columns(size_t *count);
struct ch_reseal_stats {
	int64_t resealed;  /* written back under the current key */
	int64_t plaintext; /* of which were plaintext (older versions) */
	int64_t skipped;   /* changed meanwhile by someone else */
	int64_t failed;    /* did not open: logged, left as they were */
	int64_t batches;
};
/*
 * Seal again under the vault's current key every sealed value that is not
 * under it (or, with plaintext_only, every value not sealed at all), batch
 * rows per transaction.  CH_ERR_CRYPTO when some value did not open.
 */
ch_err ch_store_reseal(struct ch_store *store, bool plaintext_only,
    size_t batch, struct ch_reseal_stats *stats);
/* How many values are sealed under key_id; with NULL, how many are not
 * sealed at all (plaintext). */
ch_err ch_store_sealed_count(
    struct ch_store *store, const char *key_id, int64_t *count);

/* ---- backup_sql.c: whole tables, for backup and restore ---- */
/*
 * A read transaction that sees one snapshot of the whole database: a
 * WAL read transaction in SQLite, REPEATABLE READ READ ONLY in PostgreSQL.
 * End it with ch_store_rollback().
 */
ch_err ch_store_begin_snapshot(struct ch_store *store, struct ch_tx **out);
/* The names of the tables of the schema, sorted (bytewise). */
ch_err ch_store_table_names(
    struct ch_tx *tx, ch_arena *arena, char ***names, size_t *count);
/* Every row of table, ordered by its first column (the caller frees). */
ch_err ch_store_table_rows(
    struct ch_tx *tx, const char *table, struct ch_rows **out);
ch_err ch_store_table_count(
    struct ch_tx *tx, const char *table, int64_t *count);
/*
 * Restoring, in one write transaction: defer the foreign-key checks to
 * the end (restore_begin), empty tables, insert rows by column name (the
 * target's column types decide how each text cell is bound), then check
 * and reinstate the keys (restore_end).  Names are checked against the
 * target's own tables and columns: they come from a file.
 */
struct ch_restore;
ch_err ch_store_restore_begin(struct ch_tx *tx, struct ch_restore **out);
ch_err ch_store_restore_clear(struct ch_restore *r, const char *table);
/* Prepare inserts into table with these columns (in the row's order). */
ch_err ch_store_restore_table(struct ch_restore *r, const char *table,
    const char *const *columns, size_t ncols);
ch_err ch_store_restore_row(struct ch_restore *r, const char *const *cells);
/* Check the foreign keys and end; frees r (also on failure). */
ch_err ch_store_restore_end(struct ch_restore *r);
/* Free r without checking (the caller rolls back); accepts NULL. */
void ch_store_restore_abort(struct ch_restore *r);
/* ---- auth_sql.c: sessions by user, TOTP, recovery codes, throttling
 * records, per-post second-factor rule, device tokens ---- */
/* The sessions of a user, newest first, strings in arena. */
ch_err ch_store_session_list_user(struct ch_tx *tx, const char *user_id,
    ch_arena *arena, struct ch_session_row **out, size_t *count);
/* End one session of a user by its public id; CH_ERR_NOT_FOUND if the
 * user has no such session. */
ch_err ch_store_session_delete_public(
    struct ch_tx *tx, const char *user_id, const char *public_id);
ch_err ch_store_session_set_reauth(
    struct ch_tx *tx, const char *token_hash, int64_t at);

struct ch_totp_row {
	char secret[64];   /* base32; "" when not enrolled */
	char pending[64];  /* base32 of an enrolment not yet confirmed */
	int64_t last_step; /* the last time step accepted */
};
ch_err ch_store_totp_get(
    struct ch_tx *tx, const char *user_id, struct ch_totp_row *out);
ch_err ch_store_totp_set_pending(
    struct ch_tx *tx, const char *user_id, const char *pending);
/* Make the pending secret the secret, with step as the last one used. */
ch_err ch_store_totp_confirm(
    struct ch_tx *tx, const char *user_id, int64_t step);
/* Record step as used, only if it is later than the last one used:
 * CH_ERR_CONFLICT when it is not (a replay). */
ch_err ch_store_totp_use_step(
    struct ch_tx *tx, const char *user_id, int64_t step);
ch_err ch_store_totp_clear(struct ch_tx *tx, const char *user_id);

/* Replace a user's recovery codes by n new hashes. */
ch_err ch_store_recovery_replace(struct ch_tx *tx, const char *user_id,
    char (*hashes)[65], size_t n, int64_t now);
/* Use one unused code: CH_ERR_NOT_FOUND when there is none with hash. */
ch_err ch_store_recovery_use(
    struct ch_tx *tx, const char *user_id, const char *hash, int64_t now);
ch_err ch_store_recovery_left(
    struct ch_tx *tx, const char *user_id, int64_t *count);

/* A post's second-factor rule: "privileged", "all" or "optional". */
ch_err ch_store_post_second_factor(
    struct ch_tx *tx, const char *post_id, char out[16]);
ch_err ch_store_post_set_second_factor(
    struct ch_tx *tx, const char *post_id, const char *rule);

struct ch_login_failure {
	char account[72];
	char source[64];
	int64_t at;
};
ch_err ch_store_login_failure_add(
    struct ch_tx *tx, const char *account, const char *source, int64_t at);
/* Failures since a time, oldest first (at most max), in arena. */
ch_err ch_store_login_failures_since(struct ch_tx *tx, int64_t since,
    size_t max, ch_arena *arena, struct ch_login_failure **out, size_t *count);
ch_err ch_store_login_failures_forget(
    struct ch_tx *tx, const char *account, int64_t before);

struct ch_device {
	char id[CH_ID_LEN];
	char *name;
	char post_id[CH_ID_LEN];
	char *permissions; /* "posts.read,people.read" */
	char token_hash[65];
	char created_at[CH_TIMESTAMP_LEN];
	char *created_by;
	char last_used_at[CH_TIMESTAMP_LEN]; /* "" never */
	char *last_used_from;
	char revoked_at[CH_TIMESTAMP_LEN]; /* "" while valid */
};
ch_err ch_store_device_insert(struct ch_tx *tx, const struct ch_device *d);
ch_err ch_store_device_by_token(struct ch_tx *tx, const char *token_hash,
    ch_arena *arena, struct ch_device *out);
ch_err ch_store_device_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_device *out);
ch_err ch_store_device_list(
    struct ch_tx *tx, ch_arena *arena, struct ch_device **out, size_t *count);
ch_err ch_store_device_revoke(struct ch_tx *tx, const char *id, const char *at);
ch_err ch_store_device_touch(
    struct ch_tx *tx, const char *id, const char *at, const char *from);

/* ---- intel_sql.c: sources, graded reports, threat actors, places ----
 *
 * FOR RATINGS (threat ratings compute from graded reports): call
 *   ch_store_intel_reports_for_rating(tx, post_id, since, arena, &rows, &n)
 * inside a read transaction.  It returns every report of the post whose
 * reported_at >= since (ISO UTC), oldest first, that still counts: status
 * "active" (not withdrawn) and outcome not "refuted".  Each row gives the
 * threat category (enum ch_threat_category, the incidents' categories),
 * the two halves of the Admiralty grading kept apart (reliability 'A'..'F'
 * of the source, credibility 1..6 of the information), the validity
 * window, reported_at and created_at, the outcome (confirmed counts more
 * than unassessed if the formula wants it), classification and TLP.  It
 * is the system's view: labels are not filtered, so do not show the rows
 * (ids, titles) to a reader without ch_intel_report_get()'s checks.
 */
struct ch_intel_source;
struct ch_intel_track;
struct ch_intel_report;
struct ch_intel_report_filter;
struct ch_intel_report_page;
struct ch_intel_scope;
struct ch_intel_actor;
struct ch_intel_place;

struct ch_intel_rating_row {
	char id[CH_ID_LEN];
	int category;     /* enum ch_threat_category */
	char reliability; /* 'A'..'F' */
	int credibility;  /* 1..6 */
	int outcome;      /* enum ch_report_outcome: unassessed or confirmed */
	int classification; /* enum ch_clearance */
	int tlp;            /* enum ch_tlp */
	char valid_from[CH_TIMESTAMP_LEN];
	char valid_until[CH_TIMESTAMP_LEN];
	char reported_at[CH_TIMESTAMP_LEN];
	char created_at[CH_TIMESTAMP_LEN];
};
ch_err ch_store_intel_reports_for_rating(struct ch_tx *tx, const char *post_id,
    const char *since, ch_arena *arena, struct ch_intel_rating_row **out,
    size_t *count);

/* Sources; the identity column is sealed (vault) as it is written, arena
 * holds the sealed text. */
ch_err ch_store_intel_source_insert(
    struct ch_tx *tx, const struct ch_intel_source *s, ch_arena *arena);
/* Everything but the identity; CH_ERR_PRECONDITION on a stale version. */
ch_err ch_store_intel_source_update(
    struct ch_tx *tx, struct ch_intel_source *s, int64_t expected_version);
/* Seal and store (NULL or "": clear) a source's identity. */
ch_err ch_store_intel_source_set_identity(
    struct ch_tx *tx, const char *id, const char *identity, ch_arena *arena);
/* With reveal, the identity is opened into out->identity. */
ch_err ch_store_intel_source_get(struct ch_tx *tx, const char *id, bool reveal,
    ch_arena *arena, struct ch_intel_source *out);
/* The sources of post_id (NULL: all), by name. */
ch_err ch_store_intel_source_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_intel_source **out, size_t *count);
/* A source's reports that scope may read: counts and gradings. */
ch_err ch_store_intel_source_track(struct ch_tx *tx, const char *source_id,
    const struct ch_intel_scope *scope, ch_arena *arena,
    struct ch_intel_track *out);

/* Reports with their recipients and links. */
ch_err ch_store_intel_report_insert(
    struct ch_tx *tx, const struct ch_intel_report *r);
ch_err ch_store_intel_report_update(
    struct ch_tx *tx, struct ch_intel_report *r, int64_t expected_version);
ch_err ch_store_intel_report_get(struct ch_tx *tx, const char *id,
    ch_arena *arena, struct ch_intel_report *out);
/* A page of the reports scope admits, newest reported_at first. */
ch_err ch_store_intel_report_list(struct ch_tx *tx,
    const struct ch_intel_report_filter *f, const struct ch_intel_scope *scope,
    ch_arena *arena, struct ch_intel_report_page *out);

/* Threat actors and named places of a post; q matches name (and aliases)
 * by ch_name_key(). */
ch_err ch_store_intel_actor_insert(
    struct ch_tx *tx, const struct ch_intel_actor *a);
ch_err ch_store_intel_actor_update(
    struct ch_tx *tx, struct ch_intel_actor *a, int64_t expected_version);
ch_err ch_store_intel_actor_get(struct ch_tx *tx, const char *id,
    ch_arena *arena, struct ch_intel_actor *out);
ch_err ch_store_intel_actor_list(struct ch_tx *tx, const char *post_id,
    const char *q, ch_arena *arena, struct ch_intel_actor **out, size_t *count);
ch_err ch_store_intel_place_insert(
    struct ch_tx *tx, const struct ch_intel_place *p);
ch_err ch_store_intel_place_update(
    struct ch_tx *tx, struct ch_intel_place *p, int64_t expected_version);
ch_err ch_store_intel_place_get(struct ch_tx *tx, const char *id,
    ch_arena *arena, struct ch_intel_place *out);
ch_err ch_store_intel_place_list(struct ch_tx *tx, const char *post_id,
    const char *q, ch_arena *arena, struct ch_intel_place **out, size_t *count);
/* ---- ratings_sql.c: threat ratings, settings, daily snapshots ---- */
struct ch_rating_settings;
struct ch_risk_bands;
struct ch_rating_change;
struct ch_rating_day;
struct ch_rating_incident;
/* The post's settings, or the defaults when it has none. */
ch_err ch_store_threat_settings_get(struct ch_tx *tx, const char *post_id,
    struct ch_rating_settings *rating, struct ch_risk_bands *bands);
ch_err ch_store_threat_settings_put(struct ch_tx *tx, const char *post_id,
    const struct ch_rating_settings *rating, const struct ch_risk_bands *bands,
    const char *at);
ch_err ch_store_rating_change_insert(
    struct ch_tx *tx, const struct ch_rating_change *c);
/* One official change by id (CH_ERR_NOT_FOUND when none). */
ch_err ch_store_rating_change_get(struct ch_tx *tx, const char *id,
    ch_arena *arena, struct ch_rating_change *out);
/* Official changes of a post, newest first (at most limit). */
ch_err ch_store_rating_changes(struct ch_tx *tx, const char *post_id,
    size_t limit, ch_arena *arena, struct ch_rating_change **out,
    size_t *count);
/* Write (insert or replace) one day's computed rating. */
ch_err ch_store_rating_day_put(struct ch_tx *tx, const char *post_id,
    const struct ch_rating_day *d, const char *recorded_at);
/* Days of a post from since (a date) on, oldest first. */
ch_err ch_store_rating_days(struct ch_tx *tx, const char *post_id,
    const char *since, ch_arena *arena, struct ch_rating_day **out,
    size_t *count);
/* The latest day recorded for a post ("" when none). */
ch_err ch_store_rating_last_day(
    struct ch_tx *tx, const char *post_id, char day[CH_DATE_LEN]);
/* The earliest incident report or official change of a post ("" when
 * none): where snapshots start. */
ch_err ch_store_rating_first_time(
    struct ch_tx *tx, const char *post_id, char at[CH_TIMESTAMP_LEN]);
/* Incidents of a post that occurred at or after since, for the formula;
 * visible says whether a reader of clearance_max (user_id for TLP:RED;
 * NULL: the system) may read each one. */
ch_err ch_store_rating_incidents(struct ch_tx *tx, const char *post_id,
    const char *since, int clearance_max, const char *user_id, ch_arena *arena,
    struct ch_rating_incident **out, size_t *count);

/* ---- risks_sql.c: the risk register ---- */
struct ch_risk;
ch_err ch_store_risk_insert(struct ch_tx *tx, const struct ch_risk *r);
/* Write r over the stored risk when its version is expected; sets
 * r->version.  CH_ERR_PRECONDITION on a stale version. */
ch_err ch_store_risk_update(
    struct ch_tx *tx, struct ch_risk *r, int64_t expected_version);
ch_err ch_store_risk_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_risk *out);
/* The risks of a post (all when post_id is NULL), with controls. */
ch_err ch_store_risk_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_risk **out, size_t *count);
/* The ids of the risks of a post linked to a category. */
ch_err ch_store_risks_linked(struct ch_tx *tx, const char *post_id,
    const char *category, ch_arena *arena, char (**ids)[CH_ID_LEN],
    size_t *count);
/* Count the flagged risks of a post linked to a category. */
ch_err ch_store_risks_flagged_count(struct ch_tx *tx, const char *post_id,
    const char *category, int64_t *count);
/* ---- access_sql.c: access control (access/access.h) ---- */
struct ch_access_point;
struct ch_credential;
struct ch_schedule;
struct ch_rule_row;
struct ch_access_event;
struct ch_access_event_filter;
struct ch_access_event_page;
struct ch_presence;
struct ch_zone_count;
struct ch_alarm;
ch_err ch_store_access_point_insert(
    struct ch_tx *tx, const struct ch_access_point *p);
ch_err ch_store_access_point_get(struct ch_tx *tx, const char *id,
    ch_arena *arena, struct ch_access_point *out);
ch_err ch_store_access_point_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_access_point **out, size_t *count);
ch_err ch_store_credential_insert(
    struct ch_tx *tx, const struct ch_credential *c);
/* Write c over the stored credential (status, validity, PIN hashes). */
ch_err ch_store_credential_update(
    struct ch_tx *tx, const struct ch_credential *c);
ch_err ch_store_credential_get(struct ch_tx *tx, const char *id,
    ch_arena *arena, struct ch_credential *out);
ch_err ch_store_credential_by_badge(struct ch_tx *tx, const char *badge,
    ch_arena *arena, struct ch_credential *out);
/* Credentials of a post and/or a person (either may be NULL), by badge. */
ch_err ch_store_credential_list(struct ch_tx *tx, const char *post_id,
    const char *person_id, ch_arena *arena, struct ch_credential **out,
    size_t *count);
ch_err ch_store_schedule_insert(struct ch_tx *tx, const struct ch_schedule *s);
ch_err ch_store_schedule_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_schedule *out);
ch_err ch_store_schedule_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_schedule **out, size_t *count);
ch_err ch_store_rule_insert(struct ch_tx *tx, const struct ch_rule_row *r);
ch_err ch_store_rule_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_rule_row *out);
ch_err ch_store_rule_delete(struct ch_tx *tx, const char *id);
/* Every rule of a post (none left out), with its schedule's windows. */
ch_err ch_store_rule_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_rule_row **out, size_t *count);
/* A post's posture code ("normal" when none was set). */
ch_err ch_store_posture_get(struct ch_tx *tx, const char *post_id,
    char posture[16], char changed_at[CH_TIMESTAMP_LEN]);
ch_err ch_store_posture_set(struct ch_tx *tx, const char *post_id,
    const char *posture, const char *reason, const char *by, const char *at);
/* The roles of the enabled user account of a person (0 when none). */
ch_err ch_store_person_roles(
    struct ch_tx *tx, const char *person_id, unsigned *roles);
/* The access configuration's change counter, locked to the end of the
 * (write) transaction, and a bump of it (in the transaction of the
 * change). */
ch_err ch_store_access_config_version(struct ch_tx *tx, int64_t *version);
ch_err ch_store_access_config_bump(struct ch_tx *tx);
/* What the gate needs of a badge in one query: the credential and its
 * holder's name, category, clearance, position and the roles of the
 * holder's enabled user account (0 without one). */
struct ch_gate_holder {
	bool person_found;
	char *given_name, *family_name, *position;
	char category[40];
	char clearance[20];
	unsigned roles;
};
ch_err ch_store_gate_credential(struct ch_tx *tx, const char *badge,
    ch_arena *arena, struct ch_credential *cred, struct ch_gate_holder *h);
/* Insert an event, giving it the next seq (ev->seq is set). */
ch_err ch_store_access_event_insert(
    struct ch_tx *tx, struct ch_access_event *ev);
ch_err ch_store_access_event_list(struct ch_tx *tx,
    const struct ch_access_event_filter *f, ch_arena *arena,
    struct ch_access_event_page *out);
/* Events of a post with at in [since, until), oldest first, at most max. */
ch_err ch_store_access_event_range(struct ch_tx *tx, const char *post_id,
    const char *since, const char *until, size_t max, ch_arena *arena,
    struct ch_access_event **out, size_t *count);
/* Where a holder is: *found false when not inside. */
ch_err ch_store_presence_get(struct ch_tx *tx, const char *holder_id,
    char zone_id[CH_ID_LEN], bool *found);
/* Where each of n holders is: for each one present, its holder_id and
 * zone_id in *out (malloc'd, the caller frees; the absent are not there),
 * in statements of up to CH_ROWS_CHUNK_MAX holders. */
struct ch_presence_at {
	char holder_id[CH_ID_LEN];
	char zone_id[CH_ID_LEN];
};
ch_err ch_store_presence_get_many(struct ch_tx *tx, const char *const *holders,
    size_t n, struct ch_presence_at **out, size_t *count);
/* Set a holder's zone, or remove the holder when zone_id is "". */
ch_err ch_store_presence_set(struct ch_tx *tx, const char *holder_id,
    const char *post_id, const char *person_id, const char *credential_id,
    const char *zone_id, const char *since, const char *point_id);
ch_err ch_store_presence_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_presence **out, size_t *count);
ch_err ch_store_alarm_insert(struct ch_tx *tx, const struct ch_alarm *a);
/* The gate's batches (group commit): numbers for n events at once (the
 * first is *first, the others follow), the events (seq set) inserted with
 * multi-row statements, and the holders' last moves of the batch (one per
 * holder; zone_id "" removes the holder). */
ch_err ch_store_access_seq_reserve(struct ch_tx *tx, size_t n, int64_t *first);
ch_err ch_store_access_events_insert_many(
    struct ch_tx *tx, const struct ch_access_event *ev, size_t n);
struct ch_presence_move {
	const char *holder_id, *post_id, *person_id, *credential_id;
	const char *zone_id, *since, *point_id;
};
ch_err ch_store_presence_set_many(
    struct ch_tx *tx, const struct ch_presence_move *m, size_t n);
ch_err ch_store_alarm_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_alarm *out);
/* Write status, level and the handling fields over the stored alarm when
 * its version is expected (then a->version is the new one);
 * CH_ERR_PRECONDITION when someone changed it meanwhile. */
ch_err ch_store_alarm_update(
    struct ch_tx *tx, struct ch_alarm *a, int64_t expected_version);
/* Alarms of a post (NULL: all posts) with a status (NULL: any), newest
 * first, at most 500. */
ch_err ch_store_alarm_list(struct ch_tx *tx, const char *post_id,
    const char *status, ch_arena *arena, struct ch_alarm **out, size_t *count);
/* Raised (unacknowledged) alarms below level max_level raised before
 * before, oldest first, at most 200. */
struct ch_tour_route;
struct ch_tour;
struct ch_tour_checkpoint;
ch_err ch_store_tour_route_insert(
    struct ch_tx *tx, const struct ch_tour_route *r);
/* A route with its checkpoints (in order). */
ch_err ch_store_tour_route_get(struct ch_tx *tx, const char *id,
    ch_arena *arena, struct ch_tour_route *out);
ch_err ch_store_tour_route_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_tour_route **out, size_t *count);
/* The checkpoint of a post with this code, and its route id. */
ch_err ch_store_checkpoint_by_code(struct ch_tx *tx, const char *post_id,
    const char *code, ch_arena *arena, struct ch_tour_checkpoint *out,
    char route_id[CH_ID_LEN]);
ch_err ch_store_tour_insert(struct ch_tx *tx, const struct ch_tour *t);
/* Write status, next_seq and finished_at when the version is expected. */
ch_err ch_store_tour_update(
    struct ch_tx *tx, struct ch_tour *t, int64_t expected_version);
/* The tour (without scans). */
ch_err ch_store_tour_get(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_tour *out);
/* The newest running tour of a route; CH_ERR_NOT_FOUND when none. */
ch_err ch_store_tour_running(struct ch_tx *tx, const char *route_id,
    ch_arena *arena, struct ch_tour *out);
/* Every running tour (the sweep), oldest first, at most 200. */
ch_err ch_store_tours_running(
    struct ch_tx *tx, ch_arena *arena, struct ch_tour **out, size_t *count);
/* Tours of a post, newest first, at most 100, with their scans. */
ch_err ch_store_tour_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_tour **out, size_t *count);
ch_err ch_store_tour_scan_insert(struct ch_tx *tx, const char *tour_id,
    const char *checkpoint_id, int seq, const char *scanned_at, bool missed,
    bool on_time, bool in_order, const char *source);
ch_err ch_store_alarm_unacknowledged(struct ch_tx *tx, const char *before,
    int max_level, ch_arena *arena, struct ch_alarm **out, size_t *count);

/* ---- watchlists_sql.c: watchlist screening (screening/screening.h) ---- */
struct ch_watchlist;
struct ch_watch_version;
struct ch_watch_row;
struct ch_screen_settings;
struct ch_screening;
struct ch_screen_hit;
struct ch_screen_decision;
/* A person as screening reads them. */
struct ch_screen_person {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	const char *name; /* "Given Family" */
	const char *date_of_birth, *nationality, *gender;
};
ch_err ch_store_watchlist_insert(
    struct ch_tx *tx, const struct ch_watchlist *l);
ch_err ch_store_watchlist_get(struct ch_tx *tx, const char *id, ch_arena *arena,
    struct ch_watchlist *out);
/* The list of that scope ("global" or a post id) and name. */
ch_err ch_store_watchlist_find(struct ch_tx *tx, const char *scope,
    const char *name, ch_arena *arena, struct ch_watchlist *out);
/* Global lists and those of post_id (every post's when NULL). */
ch_err ch_store_watchlist_list(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_watchlist **out, size_t *count);
/* A text that changes whenever a list is added, imported or edited (the
 * lists, their summed versions, the entry rows and the current ones), for
 * the server to notice changes made by another process (the CLI, a second
 * server on the same database). */
ch_err ch_store_watchlists_generation(struct ch_tx *tx, char *out, size_t size);
ch_err ch_store_watchlist_set_version(
    struct ch_tx *tx, const char *id, int64_t version, const char *updated_at);
ch_err ch_store_watch_version_insert(
    struct ch_tx *tx, const struct ch_watch_version *v);
ch_err ch_store_watch_version_list(struct ch_tx *tx, const char *list_id,
    ch_arena *arena, struct ch_watch_version **out, size_t *count);
/* Current entries of a list by ref: with_data false leaves data NULL (for
 * the comparison of an import); a page of limit entries (0: all) after
 * cursor (NULL or "": from the start), and the next page's cursor in next
 * ("" at the end; next may be NULL).  CH_ERR_INVALID on a bad cursor. */
ch_err ch_store_watch_entries(struct ch_tx *tx, const char *list_id,
    bool with_data, const char *cursor, size_t limit, ch_arena *arena,
    struct ch_watch_row **out, size_t *count, char *next, size_t next_size);
ch_err ch_store_watch_entry_insert(
    struct ch_tx *tx, const struct ch_watch_row *row);
ch_err ch_store_watch_entry_get(struct ch_tx *tx, const char *id,
    ch_arena *arena, struct ch_watch_row *out);
/* Retire a current entry: it was last in version last_version. */
ch_err ch_store_watch_entry_retire(
    struct ch_tx *tx, const char *id, int64_t last_version);
ch_err ch_store_screen_settings_get(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_screen_settings *out);
ch_err ch_store_screen_settings_put(
    struct ch_tx *tx, const struct ch_screen_settings *s);
ch_err ch_store_screening_insert(
    struct ch_tx *tx, const struct ch_screening *s);
ch_err ch_store_screen_hit_insert(
    struct ch_tx *tx, const struct ch_screen_hit *h);
/* Hits of a post (every post's when NULL) with a status, newest first. */
ch_err ch_store_screen_hit_list(struct ch_tx *tx, const char *post_id,
    const char *status, size_t limit, ch_arena *arena,
    struct ch_screen_hit **out, size_t *count);
ch_err ch_store_screen_hit_get(struct ch_tx *tx, const char *id,
    ch_arena *arena, struct ch_screen_hit *out);
/* Set a hit's status and decision when it is still open. */
ch_err ch_store_screen_hit_decide(struct ch_tx *tx, const char *id,
    const char *status, const char *decision_id);
ch_err ch_store_screen_decision_insert(
    struct ch_tx *tx, const struct ch_screen_decision *d);
/* The latest decision on a subject and entry whose hashes still match;
 * CH_ERR_NOT_FOUND when none. */
ch_err ch_store_screen_decision_find(struct ch_tx *tx, const char *post_id,
    const char *subject_key, const char *subject_hash, const char *entry_id,
    const char *entry_hash, ch_arena *arena, struct ch_screen_decision *out);
/* Whether an open hit on the subject and entry is waiting already. */
ch_err ch_store_screen_hit_open_exists(struct ch_tx *tx, const char *post_id,
    const char *subject_key, const char *entry_id, bool *exists);
/* The people of a post (of every post when NULL), for re-screening. */
ch_err ch_store_screen_people(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_screen_person **out, size_t *count);

/* ---- visitors (src/visitors): visits, holds, sweeps, retention ---- */
struct ch_visitor;
struct ch_visitor_filter;
struct ch_visitor_page;
struct ch_visitor_hold;
/* Insert v, sealing its identity document (bound to the row). */
ch_err ch_store_visitor_insert(
    struct ch_tx *tx, const struct ch_visitor *v, ch_arena *arena);
/* reveal: open the sealed document into out's doc_* fields. */
ch_err ch_store_visitor_get(struct ch_tx *tx, const char *id, bool reveal,
    ch_arena *arena, struct ch_visitor *out);
/* Write the workflow fields of v (status, escort, credential, times,
 * alarm) if the stored version is expected_version; v->version moves on;
 * CH_ERR_PRECONDITION otherwise. */
ch_err ch_store_visitor_update(
    struct ch_tx *tx, struct ch_visitor *v, int64_t expected_version);
/* Visits by filter (post_id NULL: every post), by expected arrival, a
 * page at a time; from and until (UTC, or NULL) bound the day the filter
 * names: visits whose window meets [from, until). */
ch_err ch_store_visitor_list(struct ch_tx *tx,
    const struct ch_visitor_filter *f, const char *from, const char *until,
    ch_arena *arena, struct ch_visitor_page *out);
/* The open or confirmed screening hits of a visitor. */
ch_err ch_store_visitor_holds(struct ch_tx *tx, const char *visitor_id,
    ch_arena *arena, struct ch_visitor_hold **out, size_t *count);
/* Visits of a status whose window ended before `before` (the sweep);
 * overstay: checked in and not yet alarmed. */
ch_err ch_store_visitor_due(struct ch_tx *tx, const char *status,
    const char *before, ch_arena *arena, struct ch_visitor **out,
    size_t *count);
/* Ended visits not yet purged (post_id NULL: all) with when they ended and
 * their post's retention period in days. */
struct ch_visitor_ended {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char ended_at[CH_TIMESTAMP_LEN];
	int retention_days;
};
ch_err ch_store_visitor_ended(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_visitor_ended **out, size_t *count);
/* Remove a visit's personal data (and its screenings' copies of it). */
ch_err ch_store_visitor_purge(
    struct ch_tx *tx, const char *id, const char *name, const char *at);
ch_err ch_store_visitor_retention_get(
    struct ch_tx *tx, const char *post_id, int *days);
ch_err ch_store_visitor_retention_set(struct ch_tx *tx, const char *post_id,
    int days, const char *by, const char *at);
/* Expected and checked-in visitors of a post (NULL: all) for the
 * re-screening after a list changed (name "Given Family" is the name). */
ch_err ch_store_screen_visitors(struct ch_tx *tx, const char *post_id,
    ch_arena *arena, struct ch_screen_person **out, size_t *count);

#endif /* CH_STORE_H */

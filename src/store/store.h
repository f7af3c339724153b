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
/* The schema version of the database and of this binary. */
int ch_store_schema_version(const struct ch_store *store);
int ch_store_schema_latest(void);

ch_err ch_store_begin(struct ch_store *store, bool write, struct ch_tx **out);
ch_err ch_store_commit(struct ch_tx *tx);
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
};
/* Take the next sequence number (serialises concurrent appenders). */
ch_err ch_store_audit_next_seq(struct ch_tx *tx, int64_t *seq);
ch_err ch_store_audit_insert(struct ch_tx *tx, const struct ch_audit_record *r);
/* Records with seq in [from, from + limit), in order, strings in arena. */
ch_err ch_store_audit_range(struct ch_tx *tx, int64_t from, size_t limit,
    ch_arena *arena, struct ch_audit_record **out, size_t *count);
ch_err ch_store_audit_count(struct ch_tx *tx, int64_t *count);
/* The first limit records about object_id, in order (a timeline). */
ch_err ch_store_audit_by_object(struct ch_tx *tx, const char *object_id,
    size_t limit, ch_arena *arena, struct ch_audit_record **out, size_t *count);

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
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};
ch_err ch_store_user_insert(struct ch_tx *tx, const struct ch_user *u);
ch_err ch_store_user_update(struct ch_tx *tx, struct ch_user *u);
ch_err ch_store_user_by_name(struct ch_tx *tx, const char *username,
    ch_arena *arena, struct ch_user *out);
ch_err ch_store_user_by_id(
    struct ch_tx *tx, const char *id, ch_arena *arena, struct ch_user *out);
ch_err ch_store_user_list(
    struct ch_tx *tx, ch_arena *arena, struct ch_user **out, size_t *count);

struct ch_session_row {
	char token_hash[65];
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

#endif /* CH_STORE_H */

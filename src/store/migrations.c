/*
 * migrations.c — the schema, as numbered migrations run at start.  The SQL
 * is portable between SQLite and PostgreSQL: TEXT, BIGINT and INTEGER
 * columns, UUID text keys made by the program, ISO 8601 UTC text times,
 * 0/1 booleans.  A migration, once released, never changes: add a new one.
 */
#include "store/store_int.h"

static const char m001_foundation[] =
    "CREATE TABLE posts ("
    " id TEXT PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL,"
    " country TEXT NOT NULL,"
    " city TEXT NOT NULL,"
    " timezone TEXT NOT NULL,"
    " latitude TEXT,"
    " longitude TEXT,"
    " version BIGINT NOT NULL DEFAULT 1,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL);"
    "CREATE TABLE zones ("
    " id TEXT PRIMARY KEY,"
    " post_id TEXT NOT NULL REFERENCES posts(id),"
    " parent_id TEXT REFERENCES zones(id),"
    " name TEXT NOT NULL,"
    " level TEXT NOT NULL,"
    " required_clearance TEXT NOT NULL,"
    " escort_required INTEGER NOT NULL DEFAULT 0,"
    " version BIGINT NOT NULL DEFAULT 1,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL,"
    " UNIQUE (post_id, name));"
    "CREATE TABLE people ("
    " id TEXT PRIMARY KEY,"
    " post_id TEXT NOT NULL REFERENCES posts(id),"
    " given_name TEXT NOT NULL,"
    " family_name TEXT NOT NULL,"
    " sort_name TEXT NOT NULL,"
    " search_key TEXT NOT NULL,"
    " category TEXT NOT NULL,"
    " nationality TEXT NOT NULL,"
    " host_national INTEGER NOT NULL DEFAULT 0,"
    " permanent_resident INTEGER NOT NULL DEFAULT 0,"
    " notified_on TEXT,"
    " arrived_on TEXT,"
    " functions_end_on TEXT,"
    " date_of_birth TEXT,"
    " gender TEXT,"
    " position TEXT,"
    " clearance TEXT NOT NULL,"
    " email TEXT,"
    " phone TEXT,"
    " household_of TEXT REFERENCES people(id),"
    " relationship TEXT,"
    " version BIGINT NOT NULL DEFAULT 1,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL);"
    "CREATE INDEX people_post_sort ON people (post_id, sort_name, id);"
    "CREATE INDEX people_sort ON people (sort_name, id);"
    "CREATE INDEX people_household ON people (household_of);"
    "CREATE TABLE training ("
    " id TEXT PRIMARY KEY,"
    " person_id TEXT NOT NULL REFERENCES people(id),"
    " course TEXT NOT NULL,"
    " completed_on TEXT NOT NULL,"
    " expires_on TEXT,"
    " created_at TEXT NOT NULL);"
    "CREATE INDEX training_person ON training (person_id);"
    "CREATE TABLE users ("
    " id TEXT PRIMARY KEY,"
    " username TEXT NOT NULL UNIQUE,"
    " display_name TEXT NOT NULL,"
    " password_hash TEXT NOT NULL,"
    " roles TEXT NOT NULL,"
    " clearance TEXT NOT NULL,"
    " post_id TEXT REFERENCES posts(id),"
    " person_id TEXT REFERENCES people(id),"
    " disabled INTEGER NOT NULL DEFAULT 0,"
    " version BIGINT NOT NULL DEFAULT 1,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL);"
    "CREATE TABLE sessions ("
    " token_hash TEXT PRIMARY KEY,"
    " user_id TEXT NOT NULL REFERENCES users(id),"
    " csrf_token TEXT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " last_seen BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL,"
    " source TEXT);"
    "CREATE INDEX sessions_user ON sessions (user_id);"
    "CREATE TABLE audit_head ("
    " id INTEGER PRIMARY KEY,"
    " size BIGINT NOT NULL);"
    "INSERT INTO audit_head (id, size) VALUES (1, 0);"
    "CREATE TABLE audit_log ("
    " seq BIGINT PRIMARY KEY,"
    " time TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " post_id TEXT,"
    " action TEXT NOT NULL,"
    " object_type TEXT NOT NULL,"
    " object_id TEXT,"
    " request_id TEXT,"
    " source TEXT,"
    " state_hash TEXT,"
    " leaf_hash TEXT NOT NULL);";

/*
 * The audit tree's cache and its signed checkpoints.  audit_nodes holds
 * the hashes (hex) of the perfect subtrees of 16, 256, 4096, ... leaves
 * (levels 4, 8, 12, ...), written with the checkpoint that first covers
 * them; any other subtree is at most 8 rows of the level below it (or of
 * audit_log's leaf hashes).  audit_checkpoints keeps each signed note.
 */
static const char m002_audit_checkpoints[] = "CREATE TABLE audit_nodes ("
					     " level INTEGER NOT NULL,"
					     " idx BIGINT NOT NULL,"
					     " hash TEXT NOT NULL,"
					     " PRIMARY KEY (level, idx));"
					     "CREATE TABLE audit_checkpoints ("
					     " size BIGINT PRIMARY KEY,"
					     " root_hash TEXT NOT NULL,"
					     " created_at TEXT NOT NULL,"
					     " note TEXT NOT NULL);";

const struct ch_migration ch_migrations[] = {
    {1,
	"foundation: posts, zones, people, training, users, sessions, "
	"audit log",
	m001_foundation},
    {2, "audit: tree cache and signed checkpoints", m002_audit_checkpoints},
};

const size_t ch_migrations_count = CH_ARRAY_LEN(ch_migrations);

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

/*
 * 3: authentication.  TOTP secrets live in their own columns of users,
 * sealed by the store (src/store/auth_sql.c, core/vault.h); a database
 * that held them in plain text gets them sealed by the start-up pass.
 */
static const char m003_authentication[] =
    "ALTER TABLE users ADD COLUMN totp_secret TEXT;"
    "ALTER TABLE users ADD COLUMN totp_pending TEXT;"
    "ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE posts ADD COLUMN second_factor TEXT NOT NULL"
    " DEFAULT 'privileged';"
    "ALTER TABLE sessions ADD COLUMN public_id TEXT;"
    "ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';"
    "ALTER TABLE sessions ADD COLUMN reauth_at BIGINT NOT NULL DEFAULT 0;"
    "CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id);"
    "CREATE TABLE recovery_codes ("
    " user_id TEXT NOT NULL REFERENCES users(id),"
    " code_hash TEXT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " used_at BIGINT,"
    " PRIMARY KEY (user_id, code_hash));"
    "CREATE TABLE login_failures ("
    " id TEXT PRIMARY KEY,"
    " account TEXT NOT NULL,"
    " source TEXT NOT NULL,"
    " at BIGINT NOT NULL);"
    "CREATE INDEX login_failures_at ON login_failures (at);"
    "CREATE TABLE devices ("
    " id TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " post_id TEXT NOT NULL REFERENCES posts(id),"
    " permissions TEXT NOT NULL,"
    " token_hash TEXT NOT NULL UNIQUE,"
    " created_at TEXT NOT NULL,"
    " created_by TEXT NOT NULL,"
    " last_used_at TEXT,"
    " last_used_from TEXT,"
    " revoked_at TEXT);";

/* 5: incidents, their people, recipients and workflow steps. */
static const char m005_incidents[] =
    "CREATE TABLE incidents ("
    " id TEXT PRIMARY KEY,"
    " post_id TEXT NOT NULL REFERENCES posts(id),"
    " type TEXT NOT NULL,"
    " category TEXT NOT NULL,"
    " severity TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " title TEXT NOT NULL,"
    " description TEXT,"
    " zone_id TEXT REFERENCES zones(id),"
    " place_kind TEXT NOT NULL,"
    " place_name TEXT,"
    " latitude TEXT,"
    " longitude TEXT,"
    " occurred_at TEXT NOT NULL,"
    " reported_at TEXT NOT NULL,"
    " reporter_user_id TEXT,"
    " reporter_person_id TEXT,"
    " classification TEXT NOT NULL,"
    " classification_rank INTEGER NOT NULL,"
    " tlp TEXT NOT NULL,"
    " version BIGINT NOT NULL DEFAULT 1,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL);"
    "CREATE INDEX incidents_post_time ON incidents (post_id, occurred_at, id);"
    "CREATE INDEX incidents_time ON incidents (occurred_at, id);"
    "CREATE TABLE incident_people ("
    " incident_id TEXT NOT NULL REFERENCES incidents(id),"
    " person_id TEXT NOT NULL REFERENCES people(id),"
    " role TEXT NOT NULL,"
    " PRIMARY KEY (incident_id, person_id));"
    "CREATE TABLE incident_recipients ("
    " incident_id TEXT NOT NULL REFERENCES incidents(id),"
    " user_id TEXT NOT NULL REFERENCES users(id),"
    " PRIMARY KEY (incident_id, user_id));"
    "CREATE TABLE incident_transitions ("
    " id TEXT PRIMARY KEY,"
    " incident_id TEXT NOT NULL REFERENCES incidents(id),"
    " version BIGINT NOT NULL,"
    " from_status TEXT NOT NULL,"
    " to_status TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " at TEXT NOT NULL);"
    "CREATE INDEX incident_transitions_incident ON incident_transitions"
    " (incident_id, version);"
    "CREATE INDEX audit_log_object ON audit_log (object_id, seq);";

/* 10: evidence files of incidents, each encrypted under a key of its own
 * (file_key, sealed by the vault) and listed with the SHA-256 of what was
 * uploaded. */
static const char m010_incident_evidence[] =
    "CREATE TABLE incident_evidence ("
    " id TEXT PRIMARY KEY,"
    " incident_id TEXT NOT NULL REFERENCES incidents(id),"
    " name TEXT NOT NULL,"
    " media_type TEXT NOT NULL,"
    " size BIGINT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " description TEXT,"
    " file_key TEXT NOT NULL,"
    " content TEXT NOT NULL,"
    " uploaded_by TEXT NOT NULL,"
    " uploaded_at TEXT NOT NULL);"
    "CREATE INDEX incident_evidence_incident ON incident_evidence"
    " (incident_id, uploaded_at, id);";

const struct ch_migration ch_migrations[] = {
    {1,
	"foundation: posts, zones, people, training, users, sessions, "
	"audit log",
	m001_foundation},
    {2, "audit: tree cache and signed checkpoints", m002_audit_checkpoints},
    {3,
	"authentication: TOTP, recovery codes, per-post second-factor rule, "
	"session ids and stages, login failures, device tokens",
	m003_authentication},
    {5,
	"incidents: incidents, people involved, TLP:RED recipients, status "
	"transitions; audit log by object",
	m005_incidents},
    {10, "incident evidence: encrypted files with their SHA-256",
	m010_incident_evidence},
};

const size_t ch_migrations_count = CH_ARRAY_LEN(ch_migrations);

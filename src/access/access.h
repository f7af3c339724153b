/*
 * access.h — facility access control (DESIGN.md §2.3): access points
 * between zones, credentials (badges and PINs), weekly schedules, rules
 * that grant or deny (deny beats grant), a posture per post that narrows
 * what the rules grant, and the decisions gate readers ask for.
 *
 * The decision itself is a pure function, ch_access_decide(), over the
 * facts the gate gathers in its transaction (gate.c); it is table-tested
 * without a database.  Every decision is recorded as an access event with
 * its audit record before the answer leaves; concurrent decisions share
 * one transaction (group commit, gate.c).  Strings are owned by
 * ctx->arena unless said otherwise.
 */
#ifndef CH_ACCESS_H
#define CH_ACCESS_H

#include <pthread.h>

#include "core/context.h"
#include "core/core.h"
#include "people/immunity.h"

struct ch_store;
struct ch_tx;

#define CH_ACCESS_MAX_WINDOWS 16 /* time windows in one schedule */
#define CH_ACCESS_PIN_HASH_LEN 120

enum ch_posture {
	CH_POSTURE_NORMAL,
	CH_POSTURE_HEIGHTENED,
	CH_POSTURE_LOCKDOWN,
	CH_POSTURE__COUNT
};
enum ch_passback { CH_PASSBACK_NONE, CH_PASSBACK_SOFT, CH_PASSBACK_HARD };
enum ch_cred_status {
	CH_CRED_ACTIVE,
	CH_CRED_SUSPENDED,
	CH_CRED_REVOKED,
	CH_CRED_LOST,
	CH_CRED_STATUS__COUNT
};
enum ch_direction { CH_DIR_IN, CH_DIR_OUT };
enum ch_rule_effect { CH_RULE_GRANT, CH_RULE_DENY };
enum ch_rule_subject {
	CH_SUBJ_EVERYONE,
	CH_SUBJ_ROLE,       /* the role of the person's user account */
	CH_SUBJ_CATEGORY,   /* a staff category code */
	CH_SUBJ_PERSON,     /* a person id */
	CH_SUBJ_CREDENTIAL, /* a credential id */
	CH_SUBJ__COUNT
};

/* Why a decision came out as it did: a stable code per outcome. */
enum ch_access_reason {
	CH_REASON_GRANTED,
	CH_REASON_GRANTED_EXIT,   /* going out (egress) */
	CH_REASON_GRANTED_DURESS, /* granted; a silent alarm was raised */
	CH_REASON_UNKNOWN_POINT,
	CH_REASON_UNKNOWN_CREDENTIAL,
	CH_REASON_CREDENTIAL_SUSPENDED,
	CH_REASON_CREDENTIAL_REVOKED,
	CH_REASON_CREDENTIAL_LOST,
	CH_REASON_NOT_YET_VALID,
	CH_REASON_EXPIRED,
	CH_REASON_PIN_REQUIRED,
	CH_REASON_WRONG_PIN,
	CH_REASON_CLEARANCE,
	CH_REASON_NO_RULE,          /* nothing grants */
	CH_REASON_DENY_RULE,        /* a deny rule matched */
	CH_REASON_OUTSIDE_SCHEDULE, /* a rule would grant, but not now */
	CH_REASON_LOCKDOWN,
	CH_REASON_HEIGHTENED, /* heightened posture refuses this */
	CH_REASON_ESCORT_REQUIRED,
	CH_REASON_VISITOR_REFUSED,
	CH_REASON_PASSBACK, /* hard anti-passback */
	CH_REASON_UNBOUND,  /* the credential is bound to nobody */
	CH_REASON__COUNT
};
const char *ch_access_reason_code(enum ch_access_reason r);
/* A sentence for the guard at the gate. */
const char *ch_access_reason_text(enum ch_access_reason r);

const char *ch_posture_code(enum ch_posture p);
bool ch_posture_parse(const char *s, enum ch_posture *out);
const char *ch_passback_code(enum ch_passback p);
bool ch_passback_parse(const char *s, enum ch_passback *out);
const char *ch_cred_status_code(enum ch_cred_status s);
bool ch_cred_status_parse(const char *s, enum ch_cred_status *out);
const char *ch_rule_subject_code(enum ch_rule_subject s);
bool ch_rule_subject_parse(const char *s, enum ch_rule_subject *out);

/* ---- schedules: weekly windows in the post's local time ---- */
struct ch_window {
	unsigned days;  /* bit 1 << d, d = 1 (Monday) ... 7 (Sunday) */
	int start, end; /* minutes since local midnight, start < end */
};
struct ch_schedule_spec {
	struct ch_window w[CH_ACCESS_MAX_WINDOWS];
	size_t n;
};
/*
 * Parse "1-5 07:00-19:00; 6 09:00-13:00" (ISO weekdays, single days,
 * ranges or lists such as "1,3,5"; 24:00 allowed as an end).  False on
 * anything else, with a sentence in fault.
 */
bool ch_schedule_parse(
    const char *text, struct ch_schedule_spec *out, struct ch_fault *fault);
/* Whether local time (ISO weekday 1..7, minute of day) is in a window. */
bool ch_schedule_open(
    const struct ch_schedule_spec *s, int weekday, int minute);
/* ch_local_time (the local weekday and minute of a post) is in core/tz.c. */

/* ---- the pure decision ---- */
struct ch_access_rule {
	char id[CH_ID_LEN];
	enum ch_rule_effect effect;
	enum ch_rule_subject subject;
	const char *subject_value; /* role/category code or id; "" everyone */
	char zone_id[CH_ID_LEN];   /* "" every zone of the post */
	bool has_schedule;
	struct ch_schedule_spec schedule;
};

/* What the gate knows when it decides. */
struct ch_access_facts {
	enum ch_posture posture;
	enum ch_direction direction;
	enum ch_passback passback;
	int weekday, minute; /* local time at the post */
	int64_t now;
	/* the point was found; the zone entered ("" = leaving the site) */
	bool point_found;
	char dest_zone_id[CH_ID_LEN];
	/* the destination zone and the zones that contain it */
	const char *const *dest_zone_chain; /* dest first, then parents */
	size_t dest_chain_len;
	enum ch_clearance dest_clearance;
	bool dest_escort_required;
	/* the credential */
	bool credential_found;
	char credential_id[CH_ID_LEN];
	enum ch_cred_status status;
	int64_t valid_from, valid_until; /* 0: open */
	bool has_pin;      /* a PIN is set: badge + PIN points ask it */
	bool pin_required; /* the point asks for a PIN */
	bool pin_given, pin_ok, duress;
	/* the holder */
	bool is_person, is_visitor;
	char person_id[CH_ID_LEN];
	enum ch_staff_category category;
	enum ch_clearance clearance;
	unsigned roles;      /* of the person's user account, 0 when none */
	bool security_staff; /* security officer or guard */
	/* anti-passback: where the holder is now ("" = outside) */
	bool presence_known;
	char presence_zone_id[CH_ID_LEN];
	char src_zone_id[CH_ID_LEN]; /* the zone the point leaves */
	/* the post's rules */
	const struct ch_access_rule *rules;
	size_t nrules;
};

struct ch_access_result {
	bool granted;
	enum ch_access_reason reason;
	bool passback_flag;      /* soft anti-passback: granted, flagged */
	bool duress;             /* raise a silent alarm */
	bool out_of_schedule;    /* a rule would have granted at another time */
	char rule_id[CH_ID_LEN]; /* the deciding rule, or "" (a copy: the
				  * rules may be freed once decided) */
};

/*
 * Decide one access request.  The order: the point, the credential
 * (status, validity, PIN), the holder, posture (lockdown: security staff
 * only, visitors never), clearance of the zone entered, escort, the
 * rules (deny beats grant; heightened: only scheduled grants count for
 * anyone but security staff), anti-passback.  Going out (egress) needs
 * no rule nor clearance; lockdown and anti-passback still apply.  A duress PIN
 * decides as the right PIN would and sets out->duress.
 */
void ch_access_decide(
    const struct ch_access_facts *f, struct ch_access_result *out);

/* ---- credentials' PINs ---- */
/* A salted, keyed hash of a PIN of 4 to 8 digits; false on a bad PIN. */
bool ch_access_pin_hash(const char *pin, char out[CH_ACCESS_PIN_HASH_LEN]);
/* Whether pin matches hash, in time independent of where they differ. */
bool ch_access_pin_check(const char *hash, const char *pin);
bool ch_access_pin_syntax(const char *pin);

/* ---- the records ---- */
struct ch_access_point {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char *name;
	char from_zone_id[CH_ID_LEN]; /* "" the outside */
	char to_zone_id[CH_ID_LEN];
	enum ch_passback passback;
	bool pin_required;
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
};

struct ch_credential {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char *badge;
	char pin_hash[CH_ACCESS_PIN_HASH_LEN];    /* "" none */
	char duress_hash[CH_ACCESS_PIN_HASH_LEN]; /* "" none */
	enum ch_cred_status status;
	char valid_from[CH_TIMESTAMP_LEN];  /* "" open */
	char valid_until[CH_TIMESTAMP_LEN]; /* "" open */
	char person_id[CH_ID_LEN];
	char visitor_id[CH_ID_LEN]; /* reserved for the visitors feature */
	char *holder_name;          /* lists only */
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};

struct ch_schedule {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char *name;
	char *windows; /* the text form */
	char created_at[CH_TIMESTAMP_LEN];
};

struct ch_rule_row {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	enum ch_rule_effect effect;
	enum ch_rule_subject subject;
	char *subject_value;
	char zone_id[CH_ID_LEN];
	char schedule_id[CH_ID_LEN];
	char *windows; /* the schedule's text, when there is one */
	char *note;
	char created_at[CH_TIMESTAMP_LEN];
};

struct ch_access_event {
	char id[CH_ID_LEN];
	int64_t seq; /* order of decision, assigned by the store */
	char post_id[CH_ID_LEN];
	char point_id[CH_ID_LEN];
	char *point_name;
	char zone_id[CH_ID_LEN]; /* the zone entered ("" outside) */
	char credential_id[CH_ID_LEN];
	char *badge;
	char person_id[CH_ID_LEN];
	char *person_name;
	enum ch_direction direction;
	bool granted;
	enum ch_access_reason reason;
	bool passback_flag;
	bool duress;
	bool out_of_schedule;
	char at[CH_TIMESTAMP_LEN];
	char device_id[CH_ID_LEN];
};

struct ch_access_event_filter {
	const char *post_id;
	const char *person_id;
	const char *point_id;
	const char *credential_id;
	const char *decision; /* "grant", "deny" or NULL */
	const char *since, *until;
	size_t limit;
	const char *cursor;
};
struct ch_access_event_page {
	struct ch_access_event *items;
	size_t count;
	char next_cursor[200];
};

/* Who is where now. */
struct ch_presence {
	char person_id[CH_ID_LEN];
	char *person_name;
	char *category;
	char credential_id[CH_ID_LEN];
	char zone_id[CH_ID_LEN];
	char *zone_name;
	char since[CH_TIMESTAMP_LEN];
	char last_point_id[CH_ID_LEN];
};
struct ch_zone_count {
	char zone_id[CH_ID_LEN];
	char *zone_name;
	int64_t count;
};

enum ch_alarm_kind {
	CH_ALARM_INTRUSION,
	CH_ALARM_DURESS,
	CH_ALARM_FIRE,
	CH_ALARM_TAMPER,
	CH_ALARM_DOOR_FORCED,
	CH_ALARM_DOOR_HELD_OPEN,
	CH_ALARM_TOUR_MISSED,       /* a checkpoint not scanned in time */
	CH_ALARM_TOUR_OUT_OF_ORDER, /* a checkpoint scanned out of turn */
	CH_ALARM_VISITOR_OVERSTAY,  /* a visitor still in after the window */
	CH_ALARM_KIND__COUNT
};
const char *ch_alarm_kind_code(enum ch_alarm_kind k);
bool ch_alarm_kind_parse(const char *s, enum ch_alarm_kind *out);

/* Escalation while nobody acknowledges: level 1 (the duty officer) after
 * the first delay, level 2 (the security officer) after the second, both
 * counted from when the alarm was raised. */
#define CH_ALARM_ESCALATE_1 120 /* seconds */
#define CH_ALARM_ESCALATE_2 300
/* Whom an escalation level calls, in words. */
const char *ch_alarm_level_text(int level);

struct ch_alarm {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char *kind;   /* ch_alarm_kind_code() */
	char *status; /* "raised", "acknowledged", "resolved" */
	char point_id[CH_ID_LEN];
	char zone_id[CH_ID_LEN];
	char person_id[CH_ID_LEN];
	char event_id[CH_ID_LEN];
	char device_id[CH_ID_LEN];
	char *detail;
	char raised_at[CH_TIMESTAMP_LEN];
	int level;
	char escalated_at[CH_TIMESTAMP_LEN];
	char acknowledged_at[CH_TIMESTAMP_LEN];
	char *acknowledged_by;
	char resolved_at[CH_TIMESTAMP_LEN];
	char *resolved_by;
	char *notes;
	int64_t version;
};

enum ch_anomaly_kind {
	CH_ANOMALY_REPEATED_DENIALS,
	CH_ANOMALY_OUTSIDE_SCHEDULE,
	CH_ANOMALY_IMPOSSIBLE_TRAVEL,
	CH_ANOMALY_NO_EXIT,
	CH_ANOMALY__COUNT
};
const char *ch_anomaly_code(enum ch_anomaly_kind k);
struct ch_anomaly {
	enum ch_anomaly_kind kind;
	char credential_id[CH_ID_LEN];
	char person_id[CH_ID_LEN];
	char *person_name;
	char at[CH_TIMESTAMP_LEN];
	char *detail;
};

/* ---- admin.c: the use cases (permission access.read / access.write) --- */
struct ch_access_point_input {
	const char *post_id, *name, *from_zone_id, *to_zone_id, *passback;
	bool pin_required;
};
ch_err ch_access_points_create(struct ch_ctx *ctx,
    const struct ch_access_point_input *in, struct ch_access_point *out);
ch_err ch_access_points_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_access_point **out, size_t *count);

struct ch_credential_input {
	const char *post_id, *badge, *pin, *duress_pin, *status;
	const char *valid_from, *valid_until, *person_id;
	bool has_pin, has_duress_pin, has_status, has_valid_from,
	    has_valid_until;
};
ch_err ch_credentials_create(struct ch_ctx *ctx,
    const struct ch_credential_input *in, struct ch_credential *out);
/* Change status, validity or PINs; the other fields stay. */
ch_err ch_credentials_update(struct ch_ctx *ctx, const char *id,
    const struct ch_credential_input *in, struct ch_credential *out);
ch_err ch_credentials_list(struct ch_ctx *ctx, const char *post_id,
    const char *person_id, struct ch_credential **out, size_t *count);

ch_err ch_schedules_create(struct ch_ctx *ctx, const char *post_id,
    const char *name, const char *windows, struct ch_schedule *out);
ch_err ch_schedules_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_schedule **out, size_t *count);

struct ch_rule_input {
	const char *post_id, *effect, *subject, *subject_value, *zone_id,
	    *schedule_id, *note;
};
ch_err ch_rules_create(struct ch_ctx *ctx, const struct ch_rule_input *in,
    struct ch_rule_row *out);
ch_err ch_rules_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_rule_row **out, size_t *count);
ch_err ch_rules_delete(struct ch_ctx *ctx, const char *id);

ch_err ch_posture_get(struct ch_ctx *ctx, const char *post_id,
    enum ch_posture *out, char changed_at[CH_TIMESTAMP_LEN]);
ch_err ch_posture_set(struct ch_ctx *ctx, const char *post_id,
    enum ch_posture posture, const char *reason);

ch_err ch_access_events_list(struct ch_ctx *ctx,
    struct ch_access_event_filter *f, struct ch_access_event_page *out);
ch_err ch_access_occupancy(struct ch_ctx *ctx, const char *post_id,
    struct ch_zone_count **zones, size_t *nzones, struct ch_presence **people,
    size_t *npeople);
/* Alarms of a post, newest first; status NULL: all. */
ch_err ch_access_alarms_list(struct ch_ctx *ctx, const char *post_id,
    const char *status, struct ch_alarm **out, size_t *count);

/* ---- alarms.c: sensors' alarms and their handling ---- */
struct ch_alarm_input {
	const char *post_id; /* the device's post */
	const char *device_id;
	const char *kind;
	const char *point_id, *zone_id, *detail; /* optional */
};
/* Raise an alarm (a sensor through its device token). */
ch_err ch_alarms_raise(
    struct ch_ctx *ctx, const struct ch_alarm_input *in, struct ch_alarm *out);
/* Raise an alarm inside tx with its audit record (the system's alarms:
 * guard tours); out's other fields (point, zone, person) are kept.  After
 * the commit, ch_alarms_published() tells the event bus. */
ch_err ch_alarms_raise_in_tx(struct ch_ctx *ctx, struct ch_tx *tx,
    enum ch_alarm_kind kind, const char *post_id, const char *detail,
    struct ch_alarm *out);
void ch_alarms_published(const struct ch_alarm *a);
/* raised → acknowledged (note optional); CH_ERR_CONFLICT otherwise. */
ch_err ch_alarms_acknowledge(
    struct ch_ctx *ctx, const char *id, const char *note, struct ch_alarm *out);
/* raised or acknowledged → resolved, with a note (required). */
ch_err ch_alarms_resolve(
    struct ch_ctx *ctx, const char *id, const char *note, struct ch_alarm *out);
/* Escalate every raised alarm whose delays have passed at now (the
 * system acts; audited, published); *count gets how many moved. */
ch_err ch_alarms_escalate(struct ch_store *store, int64_t now, size_t *count);
/* A thread that escalates every every_seconds; stop accepts none started. */
ch_err ch_alarms_escalator_start(struct ch_store *store, int every_seconds);
void ch_alarms_escalator_stop(void);

/* ---- tours.c: guard tours ---- */
#define CH_TOUR_MAX_CHECKPOINTS 50
struct ch_tour_checkpoint {
	char id[CH_ID_LEN];
	int seq; /* 1, 2, ... in the order they are walked */
	char *name;
	char *code;      /* what the tag or QR code at the checkpoint holds */
	int due_minutes; /* after the tour starts */
};
struct ch_tour_route {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char *name;
	struct ch_tour_checkpoint *checkpoints;
	size_t ncheckpoints;
	char created_at[CH_TIMESTAMP_LEN];
};
struct ch_tour_scan {
	char checkpoint_id[CH_ID_LEN];
	int seq;
	char *checkpoint_name;
	char scanned_at[CH_TIMESTAMP_LEN]; /* "" when missed */
	bool missed, on_time, in_order;
	char *source;
};
struct ch_tour {
	char id[CH_ID_LEN];
	char route_id[CH_ID_LEN];
	char *route_name;
	char post_id[CH_ID_LEN];
	char *started_by;
	char started_at[CH_TIMESTAMP_LEN];
	char *status; /* "running", "completed" */
	int next_seq;
	char finished_at[CH_TIMESTAMP_LEN];
	int64_t version;
	struct ch_tour_scan *scans;
	size_t nscans;
};
/* A route: checkpoints in order, due minutes strictly rising, codes
 * unique. */
ch_err ch_tour_routes_create(struct ch_ctx *ctx, const char *post_id,
    const char *name, const struct ch_tour_checkpoint *cps, size_t n,
    struct ch_tour_route *out);
ch_err ch_tour_routes_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_tour_route **out, size_t *count);
/* Start a tour of a route now. */
ch_err ch_tours_start(
    struct ch_ctx *ctx, const char *route_id, struct ch_tour *out);
/*
 * A scan of a checkpoint's code in post_id: recorded on the running tour
 * of its route; out of turn raises a tour_out_of_order alarm and marks the
 * checkpoints skipped as missed; the last checkpoint completes the tour.
 * CH_ERR_CONFLICT when no tour of that route is running.
 */
ch_err ch_tours_scan(struct ch_ctx *ctx, const char *post_id, const char *code,
    const char *source, struct ch_tour *out);
/* Tours of a post, newest first, with their scans (the tour report). */
ch_err ch_tours_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_tour **out, size_t *count);
/* Mark overdue checkpoints of running tours missed and raise a
 * tour_missed alarm for each (the system acts); *count: how many. */
ch_err ch_tours_sweep(struct ch_store *store, int64_t now, size_t *count);

/* ---- anomalies.c ---- */
struct ch_anomaly_params {
	int64_t since, until;
	int denials;               /* this many denials ... (default 3) */
	int64_t denial_window;     /* ... within this many seconds (300) */
	int64_t travel_seconds;    /* two points further apart (60) */
	int64_t overnight_seconds; /* in without out for longer (86400) */
};
ch_err ch_access_anomalies(struct ch_ctx *ctx, const char *post_id,
    const struct ch_anomaly_params *p, struct ch_anomaly **out, size_t *count);
/* The pure scan over events of one post in time order (tests). */
ch_err ch_anomalies_scan(const struct ch_access_event *ev, size_t n,
    const struct ch_anomaly_params *p, int64_t now, ch_arena *arena,
    struct ch_anomaly **out, size_t *count);

/* ---- gate.c: decisions for devices ---- */
struct ch_decision_request {
	const char *point_id;
	const char *badge;
	const char *pin; /* NULL when none was typed */
	enum ch_direction direction;
	int64_t at; /* the reader's time; 0: now */
	const char *device_id;
	const char *device_post_id;
};
struct ch_decision {
	struct ch_access_result result;
	char event_id[CH_ID_LEN];
	char at[CH_TIMESTAMP_LEN];
	char person_id[CH_ID_LEN];
	char *person_name; /* "" unknown */
	char *person_category;
	char *photo_hint; /* position, for the guard */
	char zone_id[CH_ID_LEN];
	char *zone_name;
};
/*
 * Decide and record one request: the event, occupancy, any alarm and the
 * audit record are committed before this returns CH_OK.  With the group
 * committer running, the work is queued and shares a transaction with
 * the other decisions waiting at that moment.
 */
ch_err ch_gate_decide(struct ch_ctx *ctx, const struct ch_decision_request *rq,
    struct ch_decision *out);

/* The group committer's job of one asynchronous decision; the caller
 * keeps it (with rq and out) alive until done is called. */
typedef void (*ch_gate_done_fn)(void *arg, ch_err err);
struct ch_gate_job {
	struct ch_ctx *ctx;
	const struct ch_decision_request *rq;
	struct ch_decision *out;
	ch_err err;
	bool done;
	pthread_cond_t *wake;    /* ch_gate_decide: signalled when done */
	ch_gate_done_fn on_done; /* or called, from the committer's thread */
	void *arg;
	struct ch_gate_job *next;
	bool batched; /* the committer's: committed with its batch */
};
/* Check a request's input (what ch_gate_decide checks first). */
ch_err ch_gate_check(struct ch_ctx *ctx, const struct ch_decision_request *rq);
/* Whether the group committer runs (decisions may be queued). */
bool ch_gate_committer_running(void);
/*
 * Queue a checked request for the group committer without waiting:
 * job->on_done(job->arg, err) is called from the committer's thread once
 * the decision is committed (CH_OK) or failed, and the job is not touched
 * after it.  Without a committer, the decision is made in a transaction
 * of its own and on_done is called before this returns.
 */
void ch_gate_decide_async(struct ch_gate_job *job);

/* Decide and record n requests in order in one transaction (the demo's
 * and the simulator's replays); all or nothing.  Checks no input. */
ch_err ch_gate_decide_many(struct ch_ctx *ctx,
    const struct ch_decision_request *rqs, size_t n, struct ch_decision *outs);

/* The group committer: one thread, one write transaction per batch of at
 * most max_batch queued decisions.  Without it, each decision commits on
 * its own. */
ch_err ch_gate_committer_start(struct ch_store *store, size_t max_batch);
/* Pipelined (pipelined=true): a batch's commit writes the log without
 * waiting for the disk (ch_store_begin_unsynced), and a second thread
 * makes the committed batches durable with one fsync of the log while
 * the committer runs the next batch; a decision is answered only after
 * that fsync, so nothing is answered before it is on disk, but readers
 * may see a batch up to one fsync before it is durable. */
ch_err ch_gate_committer_start_ex(
    struct ch_store *store, size_t max_batch, bool pipelined);
void ch_gate_committer_stop(void);
struct ch_gate_stats {
	uint64_t decisions, batches, max_batch, fallbacks;
	/* The committer's time in microseconds: running the batches'
	 * statements (elapsed, and its thread's CPU time), and committing
	 * them (the fsync). */
	uint64_t work_us, work_cpu_us, commit_us;
	uint64_t syncs, sync_us; /* pipelined: the fsyncs of the log */
};
void ch_gate_stats(struct ch_gate_stats *out);

#endif /* CH_ACCESS_H */

/*
 * people.h — posts, zones, people, households and training records, and
 * the use cases over them.  Each use case validates, authorises against the
 * post scope, writes in one transaction with its audit record, then
 * publishes an event.  Strings in the structs are owned by ctx->arena.
 */
#ifndef CH_PEOPLE_H
#define CH_PEOPLE_H

#include "core/context.h"
#include "core/core.h"
#include "people/immunity.h"

#define CH_NAME_MAX 100       /* code points in a given or family name */
#define CH_TEXT_MAX 200       /* code points in a short text field */
#define CH_LIST_LIMIT_MAX 200 /* page size ceiling */

enum ch_post_kind {
	CH_POST_EMBASSY,
	CH_POST_CONSULATE,
	CH_POST_MISSION,
	CH_POST_KIND__COUNT
};
enum ch_zone_level {
	CH_ZONE_PUBLIC,
	CH_ZONE_CONTROLLED,
	CH_ZONE_RESTRICTED,
	CH_ZONE_LEVEL__COUNT
};

struct ch_post {
	char id[CH_ID_LEN];
	char *name;
	enum ch_post_kind kind;
	char country[3]; /* ISO 3166-1 alpha-2 of the host state */
	char *city;
	char *timezone; /* IANA name */
	double latitude, longitude;
	bool has_location;
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};

struct ch_zone {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char parent_id[CH_ID_LEN]; /* "" for a top-level zone */
	char *name;
	enum ch_zone_level level;
	enum ch_clearance required_clearance;
	bool escort_required;
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};

struct ch_training {
	char id[CH_ID_LEN];
	char person_id[CH_ID_LEN];
	char *course;
	char completed_on[CH_DATE_LEN];
	char expires_on[CH_DATE_LEN]; /* "" when it never expires */
};

/* The fields a person record carries.  Optional text fields are NULL or
 * "" when absent; optional dates are "". */
struct ch_person {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char *given_name;
	char *family_name;
	enum ch_staff_category category;
	char nationality[3]; /* ISO 3166-1 alpha-2 */
	bool host_national;
	bool permanent_resident;
	char notified_on[CH_DATE_LEN];
	char arrived_on[CH_DATE_LEN];
	char functions_end_on[CH_DATE_LEN];
	char date_of_birth[CH_DATE_LEN];
	char *gender; /* female, male, other, unspecified */
	char *position;
	enum ch_clearance clearance;
	char *email;
	char *phone;
	char household_of[CH_ID_LEN]; /* the principal's id, or "" */
	char *relationship;           /* spouse, partner, child, ... */
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
};

/* Bits of the fields present in a create or update request. */
enum ch_person_field {
	CH_PF_POST_ID = 1u << 0,
	CH_PF_GIVEN_NAME = 1u << 1,
	CH_PF_FAMILY_NAME = 1u << 2,
	CH_PF_CATEGORY = 1u << 3,
	CH_PF_NATIONALITY = 1u << 4,
	CH_PF_HOST_NATIONAL = 1u << 5,
	CH_PF_PERMANENT_RESIDENT = 1u << 6,
	CH_PF_NOTIFIED_ON = 1u << 7,
	CH_PF_ARRIVED_ON = 1u << 8,
	CH_PF_FUNCTIONS_END_ON = 1u << 9,
	CH_PF_DATE_OF_BIRTH = 1u << 10,
	CH_PF_GENDER = 1u << 11,
	CH_PF_POSITION = 1u << 12,
	CH_PF_CLEARANCE = 1u << 13,
	CH_PF_EMAIL = 1u << 14,
	CH_PF_PHONE = 1u << 15,
	CH_PF_HOUSEHOLD_OF = 1u << 16,
	CH_PF_RELATIONSHIP = 1u << 17,
};

/*
 * A create or update request: the values, and which of them were given.
 * Text fields given as JSON null arrive as NULL with their bit set, which
 * clears them.  Category and nationality travel as text so that the use
 * case, not the caller, says what is wrong with them.
 */
struct ch_person_input {
	unsigned set;
	const char *post_id;
	const char *given_name;
	const char *family_name;
	const char *category;
	const char *nationality;
	bool host_national;
	bool permanent_resident;
	const char *notified_on;
	const char *arrived_on;
	const char *functions_end_on;
	const char *date_of_birth;
	const char *gender;
	const char *position;
	const char *clearance;
	const char *email;
	const char *phone;
	const char *household_of;
	const char *relationship;
};

struct ch_person_filter {
	const char *query; /* matches given or family name, case-insensitive */
	const char *post_id;
	bool has_category;
	enum ch_staff_category category;
	int host_national;  /* -1 any, 0 no, 1 yes */
	const char *cursor; /* the last id of the previous page */
	int limit;
	const char *only_id; /* only this person (a user's own record) */
};

/* What a list row needs of a household member's principal to derive the
 * member's immunity without loading the principal. */
struct ch_principal_status {
	bool known; /* the row has a principal */
	enum ch_staff_category category;
	bool local; /* the principal is a host national or permanent resident */
};

struct ch_person_page {
	struct ch_person *items;
	struct ch_principal_status *principals; /* one per item */
	size_t count;
	char next_cursor[1100]; /* opaque; "" at the end */
};

/* A person with what the person page shows beside the record. */
struct ch_person_view {
	struct ch_person person;
	struct ch_immunity_profile immunity;
	struct ch_person *household; /* principal and other members */
	size_t household_count;
	struct ch_training *training;
	size_t training_count;
};

const char *ch_post_kind_code(enum ch_post_kind k);
bool ch_post_kind_parse(const char *s, enum ch_post_kind *out);
const char *ch_zone_level_code(enum ch_zone_level l);
bool ch_zone_level_parse(const char *s, enum ch_zone_level *out);
/* Training status against today: "valid", "expiring" (within 30 days),
 * "expired". */
const char *ch_training_status(const struct ch_training *t, const char *today);

/* The immunity input for a person and (when linked) the household
 * principal, which may be NULL. */
void ch_person_immunity_input(const struct ch_person *p,
    const struct ch_person *principal, const char *today,
    struct ch_immunity_input *in);

/* ---- people.c: use cases ---- */
ch_err ch_people_create(struct ch_ctx *ctx, const struct ch_person_input *in,
    struct ch_person *out);
/* Apply the fields of in to the person id when its version is still
 * expected_version (0: do not check). */
ch_err ch_people_update(struct ch_ctx *ctx, const char *id,
    const struct ch_person_input *in, int64_t expected_version,
    struct ch_person *out);
ch_err ch_people_get(
    struct ch_ctx *ctx, const char *id, struct ch_person_view *out);
ch_err ch_people_list(struct ch_ctx *ctx, const struct ch_person_filter *f,
    struct ch_person_page *out);
/* Check a whole person record; fills ctx->fault.  Used by create, update
 * and the CSV import before anything is written. */
ch_err ch_person_validate(
    const struct ch_person_input *in, struct ch_fault *fault);
/* Apply the given fields of in onto p (strings into arena). */
ch_err ch_person_apply(const struct ch_person_input *in, struct ch_person *p,
    ch_arena *arena, struct ch_fault *fault);
/* The canonical state of a person, the bytes its audit records hash
 * (appended to b); contacts enter it as keyed digests, never plaintext. */
void ch_person_state(const struct ch_person *p, struct ch_buf *b);
/* Add a training record to a person. */
ch_err ch_people_add_training(struct ch_ctx *ctx, const char *person_id,
    const char *course, const char *completed_on, const char *expires_on,
    struct ch_training *out);

/* ---- posts.c: posts and zones ---- */
ch_err ch_posts_create(
    struct ch_ctx *ctx, const struct ch_post *in, struct ch_post *out);
ch_err ch_posts_list(struct ch_ctx *ctx, struct ch_post **out, size_t *count);
ch_err ch_posts_get(struct ch_ctx *ctx, const char *id, struct ch_post *out);
/* The post a new or changed record names, inside tx: the principal's
 * (HQ: any) and existing, into *out.  CH_ERR_INVALID with the fault on
 * "/post_id" otherwise. */
struct ch_tx;
ch_err ch_posts_check_record(struct ch_ctx *ctx, struct ch_tx *tx,
    const char *post_id, struct ch_post *out);
ch_err ch_zones_create(
    struct ch_ctx *ctx, const struct ch_zone *in, struct ch_zone *out);
ch_err ch_zones_list(struct ch_ctx *ctx, const char *post_id,
    struct ch_zone **out, size_t *count);

/* ---- import.c: people from CSV, all or nothing ---- */
struct ch_import_result {
	size_t rows;
	size_t created;
};
/*
 * Import people from CSV text into post_id.  Every row is checked before
 * anything is written; the first error names the line and the field in
 * ctx->fault and nothing is written.
 */
ch_err ch_people_import_csv(struct ch_ctx *ctx, const char *post_id,
    const char *csv, size_t len, struct ch_import_result *out);
/* Parse and check CSV without writing: the fuzz target's entry. */
ch_err ch_people_import_check(const char *csv, size_t len, ch_arena *arena,
    struct ch_fault *fault, size_t *rows);

#endif /* CH_PEOPLE_H */

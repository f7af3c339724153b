/*
 * risks.h — the risk register of a post: a risk is a scenario against an
 * asset, linked to threat categories, with likelihood and impact on 1..5
 * (inherent score L x I), controls that each lower the likelihood and/or
 * the impact by steps (counted when in place; planned ones give the target),
 * the residual score, a treatment, an owner (a person of the post) and a
 * review date.  A rise of a linked category's official rating flags the
 * risk for review (ratings.c); a review clears the flag.  Score bands are
 * per post, validated to cover 1..25 without gap (DESIGN.md section 8).
 * Strings in the structs are owned by ctx->arena.
 */
#ifndef CH_RISKS_H
#define CH_RISKS_H

#include "core/context.h"
#include "core/core.h"
#include "incidents/incidents.h"

#define CH_RISK_TITLE_MAX 200
#define CH_RISK_ASSET_MAX 200
#define CH_RISK_TEXT_MAX 4000
#define CH_RISK_CONTROLS_MAX 20
#define CH_RISK_CONTROL_NAME_MAX 200
#define CH_RISK_NOTE_MAX 1000

enum ch_treatment {
	CH_TREAT_ACCEPT,
	CH_TREAT_MITIGATE,
	CH_TREAT_TRANSFER,
	CH_TREAT_AVOID,
	CH_TREAT__COUNT
};
const char *ch_treatment_code(enum ch_treatment t);
bool ch_treatment_parse(const char *s, enum ch_treatment *out);

enum ch_control_status {
	CH_CONTROL_PLANNED,
	CH_CONTROL_IN_PLACE,
	CH_CONTROL__COUNT
};
const char *ch_control_status_code(enum ch_control_status s);
bool ch_control_status_parse(const char *s, enum ch_control_status *out);

/* Band names: the threat level words, Low..Critical. */
enum ch_band { CH_BAND_LOW, CH_BAND_MEDIUM, CH_BAND_HIGH, CH_BAND_CRITICAL };
const char *ch_band_code(enum ch_band b); /* "low", ... */
/* Axis words of DESIGN.md section 8, index 1..5 (0: ""). */
const char *ch_likelihood_label(int l); /* rare .. almost certain */
const char *ch_impact_label(int i);     /* negligible .. severe */

/* Bands as the highest score of low, medium and high; critical is the rest
 * up to 25.  Defaults 4, 9, 14. */
struct ch_risk_bands {
	int low_max, medium_max, high_max;
};
void ch_risk_bands_defaults(struct ch_risk_bands *b);
/* The band of a score 1..25. */
enum ch_band ch_risk_band_of(const struct ch_risk_bands *b, int score);
/* A band given as ranges, as the API takes them. */
struct ch_band_range {
	const char *name; /* low, medium, high, critical */
	long min, max;
};
/*
 * Check four ranges (in any order) and fill bands: each name once, each
 * range min <= max, together contiguous from 1 to 25 in the order low,
 * medium, high, critical with no gap or overlap.  Fills fault.
 */
bool ch_risk_bands_from_ranges(const struct ch_band_range *r, size_t n,
    struct ch_risk_bands *out, struct ch_fault *fault);

struct ch_risk_control {
	char id[CH_ID_LEN];
	char *name;
	int likelihood_steps; /* 0..4 */
	int impact_steps;     /* 0..4 */
	enum ch_control_status status;
};

struct ch_risk {
	char id[CH_ID_LEN];
	char post_id[CH_ID_LEN];
	char *title; /* the scenario */
	char *asset;
	char *description;
	unsigned categories; /* bit (1u << enum ch_threat_category) */
	int likelihood, impact;
	enum ch_treatment treatment;
	char owner_person_id[CH_ID_LEN];
	char review_on[CH_DATE_LEN];
	bool flagged;
	char *flag_reason;
	char flagged_at[CH_TIMESTAMP_LEN];
	char reviewed_at[CH_TIMESTAMP_LEN];
	char *reviewed_by;
	struct ch_risk_control *controls;
	size_t ncontrols;
	int64_t version;
	char created_at[CH_TIMESTAMP_LEN];
	char updated_at[CH_TIMESTAMP_LEN];
	/* Derived on read: */
	int residual_likelihood, residual_impact;
	int target_likelihood, target_impact; /* with planned controls too */
	bool overdue;
	char *owner_name; /* NULL when unknown */
};

/* Residual likelihood and impact after the controls: each in-place
 * control's steps lower its axis, never below 1; with planned too, the
 * target.  Pure. */
void ch_risk_residual(const struct ch_risk *r, bool include_planned,
    int *likelihood, int *impact);
/* Fill the derived fields (residual, target, overdue against today). */
void ch_risk_derive(struct ch_risk *r, const char *today);

enum ch_risk_field {
	CH_RF_POST_ID = 1u << 0,
	CH_RF_TITLE = 1u << 1,
	CH_RF_ASSET = 1u << 2,
	CH_RF_DESCRIPTION = 1u << 3,
	CH_RF_CATEGORIES = 1u << 4,
	CH_RF_LIKELIHOOD = 1u << 5,
	CH_RF_IMPACT = 1u << 6,
	CH_RF_TREATMENT = 1u << 7,
	CH_RF_OWNER = 1u << 8,
	CH_RF_REVIEW_ON = 1u << 9,
	CH_RF_CONTROLS = 1u << 10,
};

struct ch_risk_control_input {
	const char *name;
	long likelihood_steps, impact_steps;
	const char *status;
};

struct ch_risk_input {
	unsigned set;
	const char *post_id;
	const char *title;
	const char *asset;
	const char *description;
	const char *const *categories;
	size_t ncategories;
	long likelihood, impact;
	const char *treatment;
	const char *owner_person_id;
	const char *review_on;
	const struct ch_risk_control_input *controls;
	size_t ncontrols;
};

struct ch_risk_filter {
	bool flagged_only, overdue_only;
	bool has_category;
	enum ch_threat_category category;
};

struct ch_risk_list {
	struct ch_risk *items; /* by residual score, highest first */
	size_t count;
	struct ch_risk_bands bands;
};

/* ---- heatmap.c ---- */
/* Counts per cell: [likelihood-1][impact-1]. */
struct ch_heatmap {
	int inherent[5][5];
	int residual[5][5];
	struct ch_risk_bands bands;
};
void ch_heatmap_count(const struct ch_risk *risks, size_t n,
    const struct ch_risk_bands *bands, struct ch_heatmap *out);
/* The SVG document (UTF-8, with title and desc, text labels in every
 * cell, bands by colour and by letter) into b. */
ch_err ch_heatmap_svg(
    const struct ch_heatmap *h, const char *title, struct ch_buf *b);

/* ---- use cases (risks.c) ---- */
ch_err ch_risks_create(
    struct ch_ctx *ctx, const struct ch_risk_input *in, struct ch_risk *out);
ch_err ch_risks_update(struct ch_ctx *ctx, const char *id,
    const struct ch_risk_input *in, int64_t expected_version,
    struct ch_risk *out);
/* Record a review: clears the flag, sets the next review date (default
 * 90 days on). */
ch_err ch_risks_review(struct ch_ctx *ctx, const char *id, const char *note,
    const char *next_review_on, struct ch_risk *out);
ch_err ch_risks_get(struct ch_ctx *ctx, const char *id, struct ch_risk *out);
ch_err ch_risks_list(struct ch_ctx *ctx, const char *post_id,
    const struct ch_risk_filter *f, struct ch_risk_list *out);
ch_err ch_risks_bands_get(
    struct ch_ctx *ctx, const char *post_id, struct ch_risk_bands *out);
ch_err ch_risks_bands_set(
    struct ch_ctx *ctx, const char *post_id, const struct ch_risk_bands *in);

#endif /* CH_RISKS_H */

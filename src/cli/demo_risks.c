/*
 * demo_risks.c — the demo post's threat ratings and risk register: a year
 * of official rating changes by the security officer, each with its
 * rationale, and fifteen risks of an embassy in Nairobi with their
 * controls.  The history is made by moving the clock back to each day it
 * happened on (ch_clock_set_offset), so that the computed ratings'
 * daily snapshots, the risk flags that rises set and the reviews that
 * cleared them are the ones the running system would have recorded.
 */
#include <string.h>

#include "accounts/accounts.h"
#include "cli/cli.h"
#include "risks/ratings.h"
#include "risks/risks.h"
#include "store/store.h"

#define DAY 86400

struct demo_control {
	const char *name;
	int likelihood_steps, impact_steps;
	const char *status;
};

struct demo_risk {
	const char *title, *asset, *text;
	const char *categories[3];
	int likelihood, impact;
	const char *treatment, *owner; /* owner: a demo username */
	int review_in;                 /* days from today; < 0: overdue */
	struct demo_control controls[4];
};

#define PV "political_violence"
#define TE "terrorism"
#define CR "crime"
#define HI "human_intelligence"
#define TC "technical_cyber"
#define IN "in_place"
#define PL "planned"

static const struct demo_risk risks[] = {
    {"Vehicle-borne IED against the chancery perimeter", "Chancery and staff",
	"A vehicle bomb at the main gate or along the Limuru Road wall during "
	"office hours.",
	{TE, NULL, NULL}, 2, 5, "mitigate", "rso", 45,
	{{"Hostile vehicle barriers and 30 m stand-off at the main gate", 0, 2,
	     IN},
	    {"Vehicle search bay outside the perimeter", 1, 0, IN},
	    {"Blast film on all street-facing windows", 0, 1, PL}}},
    {"Armed attack on a public venue frequented by staff",
	"Staff and families off duty",
	"A Westgate- or DusitD2-style attack on a shopping centre, hotel or "
	"restaurant used by staff at weekends.",
	{TE, NULL, NULL}, 3, 5, "mitigate", "rso", 20,
	{{"Venue advisories in the weekly security note", 1, 0, IN},
	    {"Accountability drill via the warden system within 60 minutes", 0,
		1, IN},
	    {"Personal trauma kits for each household", 0, 1, PL}}},
    {"Violent demonstration breaches the perimeter", "Chancery compound",
	"A crowd after a political trigger climbs the perimeter wall or "
	"forces the consular gate.",
	{PV, NULL, NULL}, 3, 4, "mitigate", "rso", 30,
	{{"Anti-climb topping on the north and east walls", 1, 0, IN},
	    {"Agreement with the GSU for a standing presence on protest days",
		1, 0, IN},
	    {"Safe-haven drill for chancery staff, twice a year", 0, 1, IN}}},
    {"Staff caught in unrest while travelling in the city", "Staff on the move",
	"Road blocks, stone-throwing or tear gas on routes used by staff "
	"during election or price protests.",
	{PV, CR, NULL}, 3, 3, "mitigate", "analyst", -12,
	{{"Route advisories by SMS from the duty officer", 1, 0, IN},
	    {"Vehicle tracking with a panic button", 0, 1, PL}}},
    {"Armed carjacking of an embassy vehicle", "Official vehicles and drivers",
	"Two or more armed men block an official car at a junction, as in "
	"the Lavington attempt.",
	{CR, NULL, NULL}, 4, 4, "mitigate", "rso", 15,
	{{"Defensive driving course for all drivers", 1, 0, IN},
	    {"Vehicle tracking and immobiliser", 0, 1, IN},
	    {"Armoured vehicle for the ambassador", 0, 1, IN}}},
    {"Burglary at staff residences", "Staff residences and property",
	"Break-ins at residences in Kileleshwa, Lavington and Karen while "
	"families are out.",
	{CR, NULL, NULL}, 4, 2, "mitigate", "rso", -5,
	{{"Residential guard service at every house", 1, 0, IN},
	    {"Alarm with response-team contract", 0, 1, PL}}},
    {"Street robbery or assault of a staff member", "Staff",
	"Phone snatching, mugging or assault in the CBD, Westlands or at "
	"restaurants in the evening.",
	{CR, NULL, NULL}, 4, 3, "mitigate", "analyst", 60,
	{{"Arrival briefing on street crime and safe areas", 1, 0, IN}}},
    {"Kidnapping of a staff member or dependant", "Staff and families",
	"Express or ransom kidnapping of a staff member or a child on the "
	"school run.",
	{CR, TE, NULL}, 2, 5, "mitigate", "rso", 40,
	{{"Varied routes and times for school runs", 1, 0, IN},
	    {"Proof-of-life questionnaires held by the RSO", 0, 1, IN},
	    {"Kidnap and ransom insurance through HQ", 0, 1, PL}}},
    {"Recruitment of locally employed staff by a foreign service",
	"Classified information and staff",
	"A hostile service cultivates a local employee with money or "
	"pressure, as in the café approach.",
	{HI, NULL, NULL}, 3, 4, "mitigate", "rso", 25,
	{{"Annual counter-intelligence briefing for all staff", 1, 0, IN},
	    {"Contact reporting rule for unofficial approaches", 1, 0, IN}}},
    {"Technical eavesdropping in the chancery", "Meeting rooms and the CAA",
	"Listening devices placed during maintenance or by a visitor, as the "
	"transmitter found in the meeting room.",
	{HI, TC, NULL}, 3, 5, "mitigate", "rso", -20,
	{{"Technical surveillance countermeasures sweep every quarter", 1, 0,
	     IN},
	    {"Escort for all contractors in controlled areas", 1, 0, IN},
	    {"Secure meeting room (shielded)", 0, 2, PL}}},
    {"Hostile surveillance of the residence and the ambassador's movements",
	"Ambassador and residence",
	"Repeated photographing and following, a precursor to attack "
	"planning or intimidation.",
	{HI, TE, NULL}, 4, 4, "mitigate", "rso", 10,
	{{"Surveillance detection by the residence guard force", 1, 0, IN},
	    {"Varied routes for the ambassador's car", 1, 0, IN}}},
    {"Spear-phishing compromise of the chancery network",
	"Unclassified network and mailboxes",
	"A targeted message leads to a foothold on the unclassified network "
	"and theft of mail.",
	{TC, NULL, NULL}, 4, 4, "mitigate", "admin", 30,
	{{"Phishing training and reporting button", 1, 0, IN},
	    {"Endpoint detection with HQ CERT monitoring", 0, 1, IN},
	    {"Hardware security keys for all accounts", 1, 0, PL}}},
    {"Denial of service against the visa appointment portal",
	"Consular online services",
	"Credential stuffing or flooding takes the appointment portal down "
	"for days.",
	{TC, NULL, NULL}, 3, 2, "transfer", "admin", 90,
	{{"HQ-hosted portal behind a DDoS protection service", 1, 1, IN}}},
    {"Fraud against the consular section by impostors",
	"Consular data and applicants",
	"Callers or emails posing as officials extract applicants' data or "
	"fees.",
	{CR, TC, NULL}, 3, 2, "accept", "staff", 120,
	{{"Call-back verification rule for data requests", 1, 0, IN}}},
    {"Insider removes classified material", "Classified holdings",
	"A member of staff copies or removes classified documents.",
	{HI, NULL, NULL}, 1, 5, "avoid", "eac", 75,
	{{"No removable media in the controlled area", 1, 0, IN},
	    {"Two-person rule for the registry", 0, 1, IN}}},
};

/* The official ratings over the year, oldest first.  review_after: the
 * linked risks flagged by a rise are reviewed that many days later (0:
 * left flagged). */
static const struct {
	int days;
	const char *category, *level, *rationale;
	int review_after;
} ratings[] = {
    {364, TE, "High",
	"Al-Shabaab retains intent and capability to attack Western "
	"interests in Nairobi (HQ assessment of January); no specific "
	"threat to the mission.",
	14},
    {364, PV, "Low",
	"Demonstrations at the mission are infrequent and have been "
	"peaceful; the host police respond well.",
	0},
    {364, CR, "High",
	"Armed robbery, carjacking and burglary are common in Nairobi, "
	"including in the areas where staff live.",
	14},
    {364, HI, "Medium",
	"Several foreign services are active in Nairobi; no approach to our "
	"staff this year.",
	14},
    {364, TC, "Medium", "Routine phishing against the mission; no compromise.",
	14},
    {315, TC, "High",
	"Spear-phishing campaign against the political section with a "
	"workstation compromised; targeting looks deliberate.",
	10},
    {270, HI, "High",
	"A locally employed staff member was approached for names and "
	"routines of chancery staff.",
	12},
    {226, PV, "High",
	"Violent demonstration of about 400 people after a news report; "
	"stones over the perimeter and a vehicle set alight.",
	7},
    {200, TC, "Medium",
	"Forensics closed: the compromise was contained, controls "
	"strengthened.",
	0},
    {190, PV, "Medium",
	"No further violent protests in five weeks; organisers have moved "
	"on to other targets.",
	0},
    {150, HI, "Medium", "No further approaches; the case was handed to HQ.", 0},
    {141, TE, "Critical",
	"IED explosion at a shopping centre 3 km from the chancery; "
	"further attacks possible in the coming weeks.",
	10},
    {100, TE, "High",
	"No follow-on attack; the host authorities arrested the cell. "
	"Back to the standing assessment.",
	0},
    {70, HI, "High",
	"A transmitter was found in the second-floor meeting room during a "
	"technical sweep.",
	0},
    {34, TC, "High",
	"Malware beacon from a consular workstation to known "
	"command-and-control infrastructure; investigation open.",
	0},
};

/* A context acting as a demo user; principal and arena belong to it. */
static ch_err
user_ctx(struct ch_ctx *base, const char *username, struct ch_principal *who,
    struct ch_ctx *out)
{
	struct ch_user u;
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(base->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_user_by_name(tx, username, base->arena, &u);
	ch_store_rollback(tx);
	if (err != CH_OK)
		return err;
	ch_principal_from_user(&u, who);
	*out = *base;
	out->who = who;
	out->source = "demo";
	return CH_OK;
}

static ch_err
add_risks(struct ch_ctx *ctx, const char *post_id, int64_t now)
{
	ch_err err;

	for (size_t i = 0; i < CH_ARRAY_LEN(risks); i++) {
		const struct demo_risk *d = &risks[i];
		struct ch_risk_control_input controls[4];
		struct ch_risk_input in = {0};
		struct ch_principal owner;
		struct ch_ctx octx;
		struct ch_risk out;
		char review[CH_TIMESTAMP_LEN];

		if ((err = user_ctx(ctx, d->owner, &owner, &octx)) != CH_OK)
			return err;
		ch_time_format(now + (int64_t)d->review_in * DAY, review);
		review[CH_DATE_LEN - 1] = '\0';
		in.set = CH_RF_POST_ID | CH_RF_TITLE | CH_RF_ASSET |
		    CH_RF_DESCRIPTION | CH_RF_CATEGORIES | CH_RF_LIKELIHOOD |
		    CH_RF_IMPACT | CH_RF_TREATMENT | CH_RF_OWNER |
		    CH_RF_REVIEW_ON | CH_RF_CONTROLS;
		in.post_id = post_id;
		in.title = d->title;
		in.asset = d->asset;
		in.description = d->text;
		while (in.ncategories < 3 && d->categories[in.ncategories])
			in.ncategories++;
		in.categories = d->categories;
		in.likelihood = d->likelihood;
		in.impact = d->impact;
		in.treatment = d->treatment;
		in.owner_person_id = owner.person_id;
		in.review_on = review;
		while (in.ncontrols < 4 && d->controls[in.ncontrols].name) {
			const struct demo_control *c =
			    &d->controls[in.ncontrols];

			controls[in.ncontrols++] =
			    (struct ch_risk_control_input){c->name,
				c->likelihood_steps, c->impact_steps,
				c->status};
		}
		in.controls = controls;
		if ((err = ch_risks_create(ctx, &in, &out)) != CH_OK) {
			log_error("demo risk %zu: %s", i, ctx->fault.detail);
			return err;
		}
	}
	return CH_OK;
}

/* Review the flagged risks of a post (as the security officer). */
static ch_err
review_flagged(struct ch_ctx *ctx, const char *post_id)
{
	struct ch_risk_filter f = {0};
	struct ch_risk_list list;
	ch_err err;

	f.flagged_only = true;
	if ((err = ch_risks_list(ctx, post_id, &f, &list)) != CH_OK)
		return err;
	for (size_t i = 0; i < list.count; i++) {
		struct ch_risk r;

		err = ch_risks_review(ctx, list.items[i].id,
		    "Reviewed after the rating rise: controls confirmed in "
		    "place, likelihood unchanged.",
		    NULL, &r);
		if (err != CH_OK)
			return err;
	}
	return CH_OK;
}

/* Reviews during the year moved each risk's next review on; set the
 * dates the register plans now (some already overdue). */
static ch_err
plan_reviews(struct ch_ctx *ctx, const char *post_id, int64_t now)
{
	struct ch_risk_filter f = {0};
	struct ch_risk_list list;
	ch_err err;

	if ((err = ch_risks_list(ctx, post_id, &f, &list)) != CH_OK)
		return err;
	for (size_t i = 0; i < list.count; i++) {
		struct ch_risk_input in = {0};
		char review[CH_TIMESTAMP_LEN];
		struct ch_risk r;

		for (size_t k = 0; k < CH_ARRAY_LEN(risks); k++) {
			if (strcmp(risks[k].title, list.items[i].title) != 0)
				continue;
			ch_time_format(
			    now + (int64_t)risks[k].review_in * DAY, review);
			review[CH_DATE_LEN - 1] = '\0';
			in.set = CH_RF_REVIEW_ON;
			in.review_on = review;
		}
		if (in.set == 0 ||
		    strcmp(list.items[i].review_on, in.review_on) == 0)
			continue;
		err = ch_risks_update(
		    ctx, list.items[i].id, &in, list.items[i].version, &r);
		if (err != CH_OK)
			return err;
	}
	return CH_OK;
}

ch_err
ch_demo_risks(struct ch_ctx *ctx, const char *post_id)
{
	struct ch_principal rso;
	struct ch_ctx sctx;
	int64_t now = ch_clock_now();
	ch_err err;

	if ((err = user_ctx(ctx, "rso", &rso, &sctx)) != CH_OK)
		return err;
	/* The register is a year old. */
	ch_clock_set_offset(-366 * DAY);
	err = add_risks(ctx, post_id, now);
	for (size_t i = 0; err == CH_OK && i < CH_ARRAY_LEN(ratings); i++) {
		struct ch_rating_change c;
		int flagged;

		ch_clock_set_offset(-(int64_t)ratings[i].days * DAY + 9 * 3600);
		err = ch_ratings_set(&sctx, post_id, ratings[i].category,
		    ratings[i].level, ratings[i].rationale, NULL, &c, &flagged);
		if (err != CH_OK) {
			log_error("demo rating %zu: %s", i, sctx.fault.detail);
			break;
		}
		if (ratings[i].review_after > 0) {
			ch_clock_set_offset(-(int64_t)(ratings[i].days -
						ratings[i].review_after) *
				DAY +
			    11 * 3600);
			err = review_flagged(&sctx, post_id);
		}
	}
	ch_clock_set_offset(0);
	if (err == CH_OK)
		err = plan_reviews(&sctx, post_id, now);
	if (err == CH_OK)
		err = ch_ratings_refresh(&sctx, post_id);
	return err;
}

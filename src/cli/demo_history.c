/*
 * demo_history.c — the routine incident history of the demo post: a year
 * of the everyday crime, protests, surveillance and cyber noise that a
 * post in Nairobi logs, around the named incidents of demo_data.c, so that
 * trends, computed ratings and the dashboard have a baseline to stand out
 * from.
 *
 * The history is generated, deterministically (a fixed seed), as Poisson
 * arrivals per category with a rate that varies over the year: a protest
 * season around a contested by-election five to four months ago, a
 * phishing campaign two months ago, and a spate of car-jackings and
 * thefts in the last week (the demo's live crime trend alert).  Each
 * incident takes a template of its category and a place from a list of
 * real Nairobi places; older incidents are closed, recent ones still open.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "incidents/incidents.h"

#define DAYS 365

struct template {
	const char *type, *severity, *title, *text, *place_kind;
	const char *classification, *tlp;
	bool analyst; /* reported by the analyst rather than the guards */
};

#define ROUTINE(type, sev, title, text)                                        \
	{type, sev, title, text, "elsewhere", "UNCLASSIFIED", "CLEAR", false}

static const struct template crime[] = {
    ROUTINE("crime", "Minor", "Phone snatched from a staff member",
	"A phone was snatched through an open car window in slow traffic. "
	"Reported to the police; the line was blocked."),
    ROUTINE("crime", "Minor", "Pickpocketing reported by a staff member",
	"Wallet taken in a crowded market; cards cancelled, police abstract "
	"obtained."),
    ROUTINE("crime", "Moderate", "Attempted car-jacking of a staff vehicle",
	"Two men approached the vehicle at a junction and tried the doors; "
	"the driver drove off as trained. No injuries."),
    ROUTINE("crime", "Moderate", "Burglary at a staff residence",
	"Entry through a kitchen window while the family was away; "
	"electronics taken. Residence security survey booked."),
    ROUTINE("crime", "Minor", "Card skimmer found at an ATM used by staff",
	"Staff member noticed a loose card reader; bank and police told, "
	"warden message sent."),
    ROUTINE("crime", "Moderate", "Staff member robbed at knife-point",
	"Robbed of phone and cash walking to a car after dark; shaken, not "
	"injured. Counselling offered."),
    ROUTINE("crime", "Minor", "Fraudulent visa-appointment website",
	"A website selling fake appointments at the consular section; "
	"takedown requested, warning posted."),
};

static const struct template political[] = {
    ROUTINE("hostile_protest", "Minor", "Peaceful demonstration near the "
					"chancery",
	"About 40 people with placards on the road outside; police present, "
	"dispersed within the hour."),
    ROUTINE("hostile_protest", "Moderate", "Road blocked by protesters on "
					   "the staff commute",
	"Burning tyres across the road; staff told to stay home until "
	"cleared. Teargas used by police nearby."),
    ROUTINE("hostile_protest", "Moderate", "Stones thrown at passing "
					   "vehicles during a protest",
	"A staff vehicle was hit by a stone; windscreen cracked, no "
	"injuries. Route changed for a week."),
    ROUTINE("hostile_protest", "Minor", "Election rally near the residence",
	"A large rally passed the residence road; gates closed for two "
	"hours as a precaution."),
};

static const struct template humint[] = {
    {"surveillance_detected", "Minor",
	"Person photographing the chancery entrance",
	"A man photographed the visitor entrance and staff arriving; left when "
	"challenged. Description passed to the analyst.",
	"premises", "SBU", "AMBER", false},
    {"surveillance_detected", "Moderate",
	"Same vehicle seen following a staff car",
	"A grey saloon followed a staff car from the chancery to the residence "
	"on two days; plate noted.",
	"elsewhere", "SBU", "AMBER", true},
    {"espionage", "Moderate",
	"Unsolicited approach to a locally employed staff member",
	"A stranger offered money for details of the ambassador's schedule; "
	"reported as briefed. Contact details recorded.",
	"elsewhere", "CONFIDENTIAL", "AMBER", true},
};

static const struct template cyber[] = {
    {"cyberattack", "Minor", "Phishing e-mails to the consular inbox",
	"A wave of e-mails imitating the ministry with a credential-harvesting "
	"link; blocked at the gateway, two users clicked and reset.",
	"premises", "UNCLASSIFIED", "GREEN", true},
    {"cyberattack", "Moderate", "Password-spraying against staff accounts",
	"Failed sign-ins from foreign addresses against a dozen accounts; "
	"addresses blocked, second factor confirmed for all.",
	"premises", "SBU", "AMBER", true},
    {"cyberattack", "Minor", "Unknown USB device found in a meeting room",
	"A USB stick left in the conference room; sealed and sent for "
	"analysis without being plugged in.",
	"premises", "SBU", "AMBER", true},
};

static const struct template terror[] = {
    {"other", "Moderate", "Suspicious unattended bag near the gate",
	"Bag left at the visitor queue; area cleared, police EOD found "
	"clothing only. Gate reopened after 90 minutes.",
	"premises", "UNCLASSIFIED", "CLEAR", false},
    {"other", "Minor", "Hoax bomb threat by telephone",
	"An anonymous caller claimed a bomb at the consular section; search "
	"found nothing. Call details to police.",
	"premises", "SBU", "AMBER", false},
};

static const char *const places[] = {"Westlands", "Gigiri", "Kilimani",
    "Lavington", "the Central Business District", "Karen", "Upper Hill",
    "Parklands", "Thika Road", "Ngong Road", "Muthaiga", "Hurlingham"};

/* The expected incidents a day of a category, days_ago before today. */
static double
rate(enum ch_threat_category c, int days_ago)
{
	switch (c) {
	case CH_THREAT_CRIME:
		return days_ago < 7 ? 0.9 : 0.2; /* this week's spate */
	case CH_THREAT_POLITICAL_VIOLENCE:
		return days_ago >= 120 && days_ago < 150 ? 0.3 : 0.06;
	case CH_THREAT_HUMAN_INTELLIGENCE:
		return 0.04;
	case CH_THREAT_TECHNICAL_CYBER:
		return days_ago >= 55 && days_ago < 70 ? 0.25 : 0.04;
	case CH_THREAT_TERRORISM:
		return 0.015;
	default:
		return 0;
	}
}

/* xorshift64*: the same history on every machine. */
static uint64_t
next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static double
uniform(uint64_t *s)
{
	return (double)(next(s) >> 11) / 9007199254740992.0;
}

/* A Poisson draw of mean lambda (small lambda: Knuth's method). */
static int
poisson(uint64_t *s, double lambda)
{
	double l = exp(-lambda), p = 1.0;
	int k = 0;

	do {
		k++;
		p *= uniform(s);
	} while (p > l);
	return k - 1;
}

static const char *const steps[] = {"triaged", "investigating", "closed"};
static const char *const reasons[] = {
    "Assessed by the duty analyst.",
    "Followed up with the host police liaison.",
    "No further action; recorded for the trend picture."};

/* How far along the workflow an incident of that age is: the number of
 * steps taken. */
static size_t
progress(uint64_t *s, int days_ago)
{
	double u = uniform(s);

	if (days_ago < 3)
		return u < 0.6 ? 0 : 1;
	if (days_ago < 30)
		return u < 0.2 ? 1 : u < 0.5 ? 2 : 3;
	return u < 0.08 ? 2 : 3;
}

static ch_err
add_one(struct ch_ctx *ctx, const char *post_id,
    const struct ch_demo_reporters *who, enum ch_threat_category c,
    const struct template *t, const char *place, int days_ago, int minute,
    size_t nsteps)
{
	int64_t now = ch_clock_now(), day = now - now % 86400;
	int64_t at = day - (int64_t)days_ago * 86400 + minute * 60;
	char occurred[CH_TIMESTAMP_LEN], reported[CH_TIMESTAMP_LEN];
	char title[200];
	struct ch_incident_input in = {0};
	struct ch_incident out;
	ch_err err;

	if (at > now - 3600)
		at = now - 3600 - minute; /* today: before now */
	ch_time_format(at, occurred);
	ch_time_format(at + 25 * 60 + minute % 90 * 60, reported);
	if (strcmp(t->place_kind, "elsewhere") == 0)
		snprintf(title, sizeof(title), "%s in %s", t->title, place);
	else
		snprintf(title, sizeof(title), "%s", t->title);
	in.set = CH_IF_POST_ID | CH_IF_TYPE | CH_IF_CATEGORY | CH_IF_SEVERITY |
	    CH_IF_TITLE | CH_IF_DESCRIPTION | CH_IF_OCCURRED_AT |
	    CH_IF_REPORTED_AT | CH_IF_CLASSIFICATION | CH_IF_TLP |
	    CH_IF_PLACE_KIND;
	in.post_id = post_id;
	in.type = t->type;
	in.category = ch_threat_category_code(c);
	in.severity = t->severity;
	in.title = title;
	in.description = t->text;
	in.occurred_at = occurred;
	in.reported_at = reported;
	in.classification = t->classification;
	in.tlp = t->tlp;
	in.place_kind = t->place_kind;
	if (strcmp(t->place_kind, "elsewhere") == 0) {
		in.set |= CH_IF_PLACE_NAME;
		in.place_name = place;
	}
	in.reporter_user_id =
	    t->analyst ? who->analyst_user : who->guard_user;
	in.reporter_person_id =
	    t->analyst ? who->analyst_person : who->guard_person;
	if ((err = ch_incidents_report(ctx, &in, &out)) != CH_OK) {
		log_error("demo history: %s", ctx->fault.detail);
		return err;
	}
	for (size_t s = 0; s < nsteps; s++) {
		struct ch_incident moved;

		err = ch_incidents_transition(
		    ctx, out.id, steps[s], reasons[s], &moved);
		if (err != CH_OK) {
			log_error("demo history: %s", ctx->fault.detail);
			return err;
		}
	}
	return CH_OK;
}

ch_err
ch_demo_history(struct ch_ctx *ctx, const char *post_id,
    const struct ch_demo_reporters *who, size_t *count)
{
	static const struct {
		enum ch_threat_category category;
		const struct template *templates;
		size_t n;
	} kinds[] = {
	    {CH_THREAT_CRIME, crime, CH_ARRAY_LEN(crime)},
	    {CH_THREAT_POLITICAL_VIOLENCE, political, CH_ARRAY_LEN(political)},
	    {CH_THREAT_HUMAN_INTELLIGENCE, humint, CH_ARRAY_LEN(humint)},
	    {CH_THREAT_TECHNICAL_CYBER, cyber, CH_ARRAY_LEN(cyber)},
	    {CH_THREAT_TERRORISM, terror, CH_ARRAY_LEN(terror)},
	};
	uint64_t seed = 0x43484e43u; /* "CHNC" */
	ch_err err;

	*count = 0;
	for (int d = DAYS - 1; d >= 0; d--) {
		for (size_t k = 0; k < CH_ARRAY_LEN(kinds); k++) {
			int n = poisson(&seed, rate(kinds[k].category, d));

			for (int i = 0; i < n; i++) {
				const struct template *t =
				    &kinds[k].templates[next(&seed) %
					kinds[k].n];
				const char *place = places[next(&seed) %
				    CH_ARRAY_LEN(places)];
				int minute = 360 + (int)(next(&seed) % 960);

				err = add_one(ctx, post_id, who,
				    kinds[k].category, t, place, d, minute,
				    progress(&seed, d));
				if (err != CH_OK)
					return err;
				(*count)++;
			}
		}
	}
	return CH_OK;
}

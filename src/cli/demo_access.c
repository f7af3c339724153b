/*
 * demo_access.c — access control for the demo post: access points between
 * its zones, a badge (and for the cleared, a PIN with a duress PIN) for
 * every person, office-hours and weekend schedules, rules that grant and
 * deny, and a day of badge traffic (yesterday, local time) plus this
 * morning's arrivals, decided by the real gate so that the log, occupancy
 * and anomalies are what a real day would leave; and two sensor alarms,
 * one handled and one waiting for a guard.
 *
 * Demo PINs: the person's badge number's last four digits reversed;
 * the duress PIN is the PIN with its last digit plus one (mod 10).
 */
#include <stdio.h>
#include <string.h>

#include "access/access.h"
#include "cli/cli.h"
#include "people/people.h"
#include "store/store.h"

static const struct {
	const char *name, *from, *to, *passback;
	bool pin;
} demo_points[] = {
    {"Main gate", NULL, "Compound perimeter", "soft", false},
    {"Consular entrance", "Compound perimeter", "Consular waiting hall", "none",
	false},
    {"Chancery entrance", "Compound perimeter", "Chancery ground floor", "hard",
	false},
    {"Offices door", "Chancery ground floor", "Chancery offices", "none",
	false},
    {"CAA door", "Chancery offices", "Controlled access area", "hard", true},
    {"Motor pool gate", "Compound perimeter", "Motor pool", "none", false},
};

static const struct {
	const char *effect, *subject, *value, *zone, *schedule, *note;
} demo_rules[] = {
    {"grant", "role", "security_officer", NULL, NULL,
	"The security officer: everywhere, always."},
    {"grant", "role", "guard", NULL, NULL, "Guards: everywhere, always."},
    {"grant", "category", "diplomatic_agent", "Compound perimeter", NULL,
	"Diplomats: the compound at any hour."},
    {"grant", "category", "administrative_technical", "Compound perimeter",
	"Office hours", "Admin and technical staff: office hours."},
    {"grant", "category", "locally_employed", "Compound perimeter",
	"Office hours", "Local staff: office hours."},
    {"deny", "category", "locally_employed", "Chancery offices", NULL,
	"Local staff do not enter the offices."},
    {"grant", "category", "contractor", "Compound perimeter", "Office hours",
	"Contractors: office hours."},
    {"deny", "category", "contractor", "Controlled access area", NULL,
	"Never a contractor in the CAA."},
    {"grant", "category", "service_staff", "Compound perimeter", "Office hours",
	"Service staff: office hours."},
    {"deny", "category", "service_staff", "Chancery offices", NULL,
	"Service staff do not enter the offices."},
    {"grant", "category", "consular_officer", "Compound perimeter",
	"Office hours", "Consular officers: office hours."},
    {"grant", "category", "consular_employee", "Compound perimeter",
	"Office hours", "Consular employees: office hours."},
    {"grant", "category", "honorary_consular_officer", "Compound perimeter",
	"Office hours", "Honorary consuls: the waiting hall."},
    {"grant", "category", "family_member", "Consular waiting hall",
	"Weekend duty", "Families: the hall at weekends."},
};

static const char *
zone_named(struct ch_zone *zones, size_t n, const char *name)
{
	for (size_t i = 0; name != NULL && i < n; i++)
		if (strcmp(zones[i].name, name) == 0)
			return zones[i].id;
	return NULL;
}

/* A small deterministic generator, so that every demo is the same. */
static unsigned
next_rand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

struct plan {
	struct ch_decision_request *rq;
	size_t n, cap;
	char (*point_ids)[CH_ID_LEN];
	const char *post_id;
};

static void
swipe(struct plan *p, size_t point, const char *badge, const char *pin,
    enum ch_direction dir, int64_t at)
{
	struct ch_decision_request *r;

	if (p->n == p->cap)
		return;
	r = &p->rq[p->n++];
	memset(r, 0, sizeof(*r));
	r->point_id = p->point_ids[point];
	r->badge = badge;
	r->pin = pin;
	r->direction = dir;
	r->at = at;
	r->device_post_id = p->post_id;
}

/* Where a holder goes in a day: through the gate, into the chancery
 * (and its offices, and the CAA with a PIN) or to a side zone. */
struct route {
	bool chancery, offices, caa;
	size_t side; /* a point from the compound, when not the chancery */
};

/* In through the gate and onwards, and out again (leave 0: still in). */
static void
day_of(struct plan *p, const char *badge, const char *pin,
    const struct route *r, int64_t arrive, int64_t leave)
{
	swipe(p, 0, badge, NULL, CH_DIR_IN, arrive);
	if (!r->chancery) {
		swipe(p, r->side, badge, NULL, CH_DIR_IN, arrive + 60);
		if (leave == 0)
			return;
		swipe(p, r->side, badge, NULL, CH_DIR_OUT, leave - 60);
		swipe(p, 0, badge, NULL, CH_DIR_OUT, leave);
		return;
	}
	swipe(p, 2, badge, NULL, CH_DIR_IN, arrive + 40);
	if (r->offices)
		swipe(p, 3, badge, NULL, CH_DIR_IN, arrive + 90);
	if (r->caa && leave > arrive + 7200) {
		swipe(p, 4, badge, pin, CH_DIR_IN, arrive + 3600);
		swipe(p, 4, badge, NULL, CH_DIR_OUT, arrive + 5400);
	}
	if (leave == 0)
		return;
	if (r->offices)
		swipe(p, 3, badge, NULL, CH_DIR_OUT, leave - 90);
	swipe(p, 2, badge, NULL, CH_DIR_OUT, leave - 40);
	swipe(p, 0, badge, NULL, CH_DIR_OUT, leave);
}

static struct route
route_of(const struct ch_person *pp, bool has_pin)
{
	struct route r = {false, false, false, 1};

	switch (pp->category) {
	case CH_CAT_DIPLOMATIC_AGENT:
	case CH_CAT_ADMIN_TECHNICAL:
		r.chancery = r.offices = pp->clearance >= CH_CLEARANCE_SBU;
		r.caa = has_pin;
		break;
	case CH_CAT_LOCALLY_EMPLOYED:
	case CH_CAT_SERVICE_STAFF:
	case CH_CAT_CONTRACTOR:
		r.chancery = pp->clearance >= CH_CLEARANCE_SBU;
		r.side = 5; /* the motor pool */
		break;
	default: /* consular staff: the waiting hall */
		break;
	}
	return r;
}

ch_err
ch_demo_access_populate(struct ch_ctx *ctx, const char *post_id)
{
	static char point_ids[CH_ARRAY_LEN(demo_points)][CH_ID_LEN];
	struct ch_person_filter f = {0};
	struct ch_person_page page;
	struct ch_zone *zones = NULL;
	struct ch_schedule office, weekend;
	struct plan plan = {0};
	struct ch_decision *outs;
	char **badges, **pins;
	int64_t now = ch_clock_now(), midnight;
	int weekday, minute, yesterday_weekday, minute_unused;
	unsigned seed = 20261125;
	size_t nz = 0;
	ch_err err;

	if ((err = ch_zones_list(ctx, post_id, &zones, &nz)) != CH_OK)
		return err;
	for (size_t i = 0; i < CH_ARRAY_LEN(demo_points); i++) {
		struct ch_access_point_input in = {post_id, demo_points[i].name,
		    zone_named(zones, nz, demo_points[i].from),
		    zone_named(zones, nz, demo_points[i].to),
		    demo_points[i].passback, demo_points[i].pin};
		struct ch_access_point out;

		if ((err = ch_access_points_create(ctx, &in, &out)) != CH_OK)
			return err;
		ch_strlcpy(point_ids[i], out.id, CH_ID_LEN);
	}
	if ((err = ch_schedules_create(ctx, post_id, "Office hours",
		 "1-5 07:00-19:00", &office)) != CH_OK ||
	    (err = ch_schedules_create(ctx, post_id, "Weekend duty",
		 "6-7 08:00-14:00", &weekend)) != CH_OK)
		return err;
	for (size_t i = 0; i < CH_ARRAY_LEN(demo_rules); i++) {
		struct ch_rule_input in = {post_id, demo_rules[i].effect,
		    demo_rules[i].subject, demo_rules[i].value,
		    zone_named(zones, nz, demo_rules[i].zone), NULL,
		    demo_rules[i].note};
		struct ch_rule_row out;

		if (demo_rules[i].schedule != NULL)
			in.schedule_id =
			    strcmp(demo_rules[i].schedule, "Office hours") == 0
			    ? office.id
			    : weekend.id;
		if ((err = ch_rules_create(ctx, &in, &out)) != CH_OK)
			return err;
	}
	f.post_id = post_id;
	f.limit = 200;
	f.host_national = -1;
	if ((err = ch_people_list(ctx, &f, &page)) != CH_OK)
		return err;
	badges = ch_arena_alloc(ctx->arena, sizeof(char *) * (page.count + 1));
	pins = ch_arena_alloc(ctx->arena, sizeof(char *) * (page.count + 1));
	if (badges == NULL || pins == NULL)
		return CH_ERR_NOMEM;
	for (size_t i = 0; i < page.count; i++) {
		const struct ch_person *pp = &page.items[i];
		struct ch_credential_input in = {0};
		struct ch_credential out;
		char pin[8], duress[8];

		badges[i] = ch_arena_printf(ctx->arena, "NBO-%04zu", 1001 + i);
		snprintf(pin, sizeof(pin), "%c%c%c%c", badges[i][7],
		    badges[i][6], badges[i][5], badges[i][4]);
		snprintf(duress, sizeof(duress), "%.3s%c", pin,
		    (char)('0' + (pin[3] - '0' + 1) % 10));
		pins[i] = pp->clearance >= CH_CLEARANCE_SECRET
		    ? ch_arena_strdup(ctx->arena, pin)
		    : NULL;
		in.post_id = post_id;
		in.badge = badges[i];
		in.person_id = pp->id;
		if (pins[i] != NULL) {
			in.pin = pin;
			in.has_pin = true;
			in.duress_pin = duress;
			in.has_duress_pin = true;
		}
		if ((err = ch_credentials_create(ctx, &in, &out)) != CH_OK)
			return err;
	}
	/* Yesterday, from local midnight, and this morning. */
	ch_local_time(now, "Africa/Nairobi", &weekday, &minute);
	midnight = now - (int64_t)minute * 60 - 86400;
	ch_local_time(midnight + 43200, "Africa/Nairobi", &yesterday_weekday,
	    &minute_unused);
	plan.cap = page.count * 14 + 16;
	plan.rq = ch_arena_alloc(ctx->arena, sizeof(*plan.rq) * plan.cap);
	outs = ch_arena_alloc(ctx->arena, sizeof(*outs) * plan.cap);
	if (plan.rq == NULL || outs == NULL)
		return CH_ERR_NOMEM;
	plan.point_ids = point_ids;
	plan.post_id = post_id;
	for (size_t i = 0; i < page.count; i++) {
		const struct ch_person *pp = &page.items[i];
		struct route r = route_of(pp, pins[i] != NULL);
		int64_t arrive = midnight + 7 * 3600 + 1800 +
		    (int64_t)(next_rand(&seed) % 5400);
		int64_t leave =
		    midnight + 16 * 3600 + (int64_t)(next_rand(&seed) % 10800);
		unsigned roles = 0;
		struct ch_tx *tx = NULL;

		if (pp->category == CH_CAT_FAMILY_MEMBER ||
		    pp->category == CH_CAT_PRIVATE_SERVANT)
			continue;
		if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
			return err;
		err = ch_store_person_roles(tx, pp->id, &roles);
		ch_store_rollback(tx);
		if (err != CH_OK)
			return err;
		if (roles & (1u << CH_ROLE_GUARD)) {
			/* The night shift: in last evening, still on. */
			r.chancery = true;
			r.offices = false;
			day_of(&plan, badges[i], pins[i], &r,
			    midnight + 19 * 3600, 0);
			continue;
		}
		if (yesterday_weekday <= 5 || r.caa)
			day_of(&plan, badges[i], pins[i], &r, arrive, leave);
		/* This morning: about half are already in. */
		if (minute > 8 * 60 && next_rand(&seed) % 2 == 0) {
			int64_t today = now -
			    (int64_t)(minute - 7 * 60 - 30) * 60 +
			    (int64_t)(next_rand(&seed) % 1800);

			r.caa = false;
			if (today < now - 300)
				day_of(&plan, badges[i], pins[i], &r, today, 0);
		}
	}
	/* Some trouble: a contractor tries the CAA, a lost badge, a
	 * mistyped PIN three times. */
	for (size_t i = 0; i < page.count; i++) {
		const struct ch_person *pp = &page.items[i];

		if (pp->category == CH_CAT_CONTRACTOR) {
			swipe(&plan, 4, badges[i], NULL, CH_DIR_IN,
			    midnight + 11 * 3600);
			swipe(&plan, 3, badges[i], NULL, CH_DIR_IN,
			    midnight + 11 * 3600 + 30);
			swipe(&plan, 4, badges[i], NULL, CH_DIR_IN,
			    midnight + 11 * 3600 + 60);
			break;
		}
	}
	swipe(&plan, 0, "NBO-9999", NULL, CH_DIR_IN, midnight + 22 * 3600);
	for (size_t i = 0; i < page.count; i++) {
		if (pins[i] == NULL)
			continue;
		for (int k = 0; k < 3; k++)
			swipe(&plan, 4, badges[i], "0000", CH_DIR_IN,
			    midnight + 13 * 3600 + k * 20);
		break;
	}
	/* In time order, as the readers would have asked (stable). */
	for (size_t i = 1; i < plan.n; i++) {
		struct ch_decision_request r = plan.rq[i];
		size_t j = i;

		for (; j > 0 && plan.rq[j - 1].at > r.at; j--)
			plan.rq[j] = plan.rq[j - 1];
		plan.rq[j] = r;
	}
	if ((err = ch_gate_decide_many(ctx, plan.rq, plan.n, outs)) != CH_OK)
		return err;
	/* Two sensor alarms: one handled yesterday, one waiting now. */
	{
		struct ch_alarm_input held = {post_id, NULL, "door_held_open",
		    point_ids[5], NULL, "Motor pool gate open for 4 minutes."};
		struct ch_alarm_input tamper = {post_id, NULL, "tamper",
		    point_ids[4], NULL, "CAA door reader cover opened."};
		struct ch_alarm a;

		if ((err = ch_alarms_raise(ctx, &held, &a)) != CH_OK ||
		    (err = ch_alarms_acknowledge(
			 ctx, a.id, "Guard sent to the gate.", &a)) != CH_OK ||
		    (err = ch_alarms_resolve(ctx, a.id,
			 "Fuel delivery; gate closed after unloading.", &a)) !=
			CH_OK ||
		    (err = ch_alarms_raise(ctx, &tamper, &a)) != CH_OK)
			return err;
	}
	/* A guard tour route, walked once in order. */
	{
		struct ch_tour_checkpoint cps[4] = {
		    {"", 0, "Main gate", "NBO-TOUR-GATE", 10},
		    {"", 0, "Generator room", "NBO-TOUR-GEN", 20},
		    {"", 0, "Motor pool", "NBO-TOUR-MOTOR", 30},
		    {"", 0, "Chancery roof", "NBO-TOUR-ROOF", 45},
		};
		struct ch_tour_route route;
		struct ch_tour tour;

		if ((err = ch_tour_routes_create(ctx, post_id,
			 "Night perimeter", cps, 4, &route)) != CH_OK ||
		    (err = ch_tours_start(ctx, route.id, &tour)) != CH_OK)
			return err;
		for (size_t i = 0; i < 4; i++)
			if ((err = ch_tours_scan(ctx, post_id, cps[i].code,
				 "demo", &tour)) != CH_OK)
				return err;
	}
	return CH_OK;
}

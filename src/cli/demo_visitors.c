/*
 * demo_visitors.c — the demo post's visitors, made through the use cases
 * (so they are screened, audited and badged as real ones): today's
 * expected visitors hosted by the staff user, one of them named like a
 * real OFAC SDN entry so that the kiosk shows a check-in on hold; two
 * checked in now; and yesterday's two visits checked in and out (made
 * under a shifted clock).  Windows are relative to the time the demo is
 * made, so the kiosk's "today" always has them.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "people/people.h"
#include "store/store.h"
#include "visitors/visitors.h"

#define HOUR 3600

enum when { TODAY_EXPECTED, TODAY_IN, YESTERDAY };

static const struct demo_visitor {
	const char *name, *organisation, *nationality, *dob;
	const char *doc_type, *doc_number, *doc_country;
	const char *purpose;
	int from, to; /* hours from now (yesterday: from now - 24 h) */
	bool escort;
	const char *zone; /* the zone requested */
	enum when when;
} visitors[] = {
    {"Viktor Bout", "Great Lakes Business Company", "RU", "1967-01-13",
	"passport", "RU7731204", "Russia",
	"Meeting on an aviation services tender.", -1, 3, true,
	"Chancery ground floor", TODAY_EXPECTED},
    {"Amina Wanjiru", "Kenya Power", "KE", NULL, "national ID card",
	"KE-27415590", "Kenya", "Inspection of the generator room.", 0, 4, true,
	"Chancery ground floor", TODAY_EXPECTED},
    {"Ida Mørkegaard", "Ministry of Foreign Affairs", "DK", "1979-05-02",
	"diplomatic passport", "DK0043187", "Denmark",
	"Consular inspection visit.", 0, 6, false, "Consular waiting hall",
	TODAY_EXPECTED},
    {"Grace Muthoni", "Muthoni Catering", "KE", NULL, "national ID card",
	"KE-30981144", "Kenya", "Reception catering set-up.", -2, 3, true,
	"Chancery ground floor", TODAY_IN},
    {"Peter Otieno", "Safaricom", "KE", NULL, "national ID card", "KE-21877302",
	"Kenya", "Network line check.", -1, 2, false, "Consular waiting hall",
	TODAY_IN},
    {"Hanna Sørensen", "Danish Chamber of Commerce", "DK", NULL, "passport",
	"DK2209761", "Denmark", "Trade delegation briefing.", -3, 0, false,
	"Consular waiting hall", YESTERDAY},
    {"Joseph Kamau", "Kamau Plumbing", "KE", NULL, "national ID card",
	"KE-19033528", "Kenya", "Repair in the consular toilets.", -4, -1, true,
	"Consular waiting hall", YESTERDAY},
};

static ch_err
find_ids(struct ch_ctx *ctx, const char *post_id, char host[CH_ID_LEN],
    char escort[CH_ID_LEN], struct ch_zone **zones, size_t *nzones)
{
	struct ch_user u;
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_user_by_name(tx, "staff", ctx->arena, &u);
	if (err == CH_OK) {
		ch_strlcpy(host, u.person_id, CH_ID_LEN);
		err = ch_store_user_by_name(tx, "guard", ctx->arena, &u);
	}
	if (err == CH_OK) {
		ch_strlcpy(escort, u.person_id, CH_ID_LEN);
		err =
		    ch_store_zone_list(tx, post_id, ctx->arena, zones, nzones);
	}
	ch_store_rollback(tx);
	return err;
}

static const char *
zone_id(const struct ch_zone *zones, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(zones[i].name, name) == 0)
			return zones[i].id;
	return NULL;
}

static ch_err
add(struct ch_ctx *ctx, const char *post_id, const char *host,
    const char *escort, const struct ch_zone *zones, size_t nz,
    const struct demo_visitor *d)
{
	/* Yesterday's visits are made at their arrival time yesterday. */
	int64_t shift = d->when == YESTERDAY ? -24 * HOUR + d->from * HOUR : 0;
	int64_t len = (int64_t)(d->to - d->from) * HOUR, base;
	char arrival[CH_TIMESTAMP_LEN], departure[CH_TIMESTAMP_LEN];
	const char *zone = zone_id(zones, nz, d->zone);
	struct ch_visitor_input in;
	struct ch_checkin_input ci = {d->escort ? escort : NULL, NULL};
	struct ch_visitor_hold hold;
	struct ch_visitor v;
	ch_err err;

	ch_clock_set_offset(shift);
	base = ch_clock_now() + (d->when == YESTERDAY ? 0 : d->from * HOUR);
	ch_time_format(base, arrival);
	ch_time_format(base + len, departure);
	memset(&in, 0, sizeof(in));
	in.post_id = post_id;
	in.host_person_id = host;
	in.name = d->name;
	in.organisation = d->organisation;
	in.doc_type = d->doc_type;
	in.doc_number = d->doc_number;
	in.doc_country = d->doc_country;
	in.nationality = d->nationality;
	in.date_of_birth = d->dob;
	in.purpose = d->purpose;
	in.arrival = arrival;
	in.departure = departure;
	in.escort_required = d->escort;
	in.zone_ids = &zone;
	in.nzones = zone != NULL ? 1 : 0;
	if ((err = ch_visitors_register(ctx, &in, &v)) != CH_OK)
		goto done;
	if (d->when == TODAY_EXPECTED)
		goto done;
	if ((err = ch_visitors_check_in(ctx, v.id, &ci, &v, &hold)) != CH_OK)
		goto done;
	if (d->when == YESTERDAY) {
		ch_clock_set_offset(shift + len - HOUR / 2);
		err = ch_visitors_check_out(ctx, v.id, &v);
	}
done:
	ch_clock_set_offset(0);
	return err;
}

ch_err
ch_demo_visitors(struct ch_ctx *ctx, const char *post_id)
{
	char host[CH_ID_LEN], escort[CH_ID_LEN];
	struct ch_zone *zones = NULL;
	size_t nz = 0;
	ch_err err;

	if ((err = find_ids(ctx, post_id, host, escort, &zones, &nz)) != CH_OK)
		return err;
	for (size_t i = 0; err == CH_OK && i < CH_ARRAY_LEN(visitors); i++)
		err = add(ctx, post_id, host, escort, zones, nz, &visitors[i]);
	if (err != CH_OK)
		ch_cli_error("demo visitors", err, &ctx->fault);
	return err;
}

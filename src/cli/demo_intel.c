/*
 * demo_intel.c — twelve months of intelligence for the demo post: sources
 * with different track records, threat actors (all fictional), named
 * places around Nairobi, and some eighty graded reports dated relative to
 * now, linked to the actors, places and demo incidents they concern.
 * Older reports are assessed from each source's quality with a fixed
 * pseudo-random sequence, so every demo has the same history and the
 * track records differ the way real ones do.  Everything goes through the
 * intel use cases as the system, so it is validated and audited.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "incidents/incidents.h"
#include "intel/intel.h"
#include "store/store.h"

#define TE "terrorism"
#define PV "political_violence"
#define CR "crime"
#define HI "human_intelligence"
#define TC "technical_cyber"

static const struct {
	const char *name, *kind, *reliability, *description, *identity;
	int quality; /* percent of assessed reports that are confirmed */
} sources[] = {
    {"HORNBILL", "human", "B",
	"Long-standing contact in a transport union with access to protest "
	"organisers and their plans.",
	"Protected: see file HB-01 held by the security officer.", 85},
    {"MARABOU", "human", "C",
	"Contact in the Eastleigh business community; hears crime and "
	"extremist talk second-hand.",
	"Protected: see file MB-02 held by the security officer.", 60},
    {"ZEBRA", "human", "D",
	"Paid walk-in with a record of embellishment; reports are "
	"corroborated before any action.",
	NULL, 25},
    {"TAMARIND", "human", "F",
	"New walk-in, first met three months ago; not yet judged.", NULL, 50},
    {"ACACIA", "liaison", "B",
	"Liaison desk of an allied service in Nairobi; shares threat "
	"reporting under TLP.",
	NULL, 80},
    {"Press and social media monitoring", "open_source", "C",
	"Kenyan press, broadcast and social media, read daily by the "
	"security section.",
	NULL, 55},
    {"Chancery network sensor", "technical", "B",
	"Intrusion detection on the chancery network and mail gateway.", NULL,
	90},
};
enum { S_HORNBILL, S_MARABOU, S_ZEBRA, S_TAMARIND, S_ACACIA, S_OSINT, S_NET };

static const struct {
	const char *name, *kind, *aliases[3], *categories[3], *description;
	const char *incidents[3]; /* demo incident titles attributed */
} actors[] = {
    {"Jabhat al-Sahel", "group", {"JaS", "The Sahel Front"}, {TE, PV},
	"Fictional violent extremist group active in the region; has named "
	"Western diplomatic missions as targets and recruits in Nairobi.",
	{"Explosion near a shopping centre frequented by staff",
	    "Threatening letter delivered to the consular section"}},
    {"Simba Street Gang", "group", {"Simba Boys"}, {CR},
	"Fictional criminal gang: carjackings, phone snatching and burglaries "
	"in Westlands and Parklands.",
	{"Attempted carjacking of an embassy vehicle",
	    "Phone snatched from staff member on Waiyaki Way",
	    "Burglary at a staff residence"}},
    {"Ostravian State Security Directorate", "state",
	{"OSSD", "Directorate Nine"}, {HI, TC},
	"Fictional hostile intelligence service; cultivates locally employed "
	"staff and runs technical collection against missions.",
	{"Approach to a locally employed staff member by a foreign officer",
	    "Unknown device found in a meeting room",
	    "Ambassador's car followed from the residence"}},
    {"Grey Heron", "group", {"APT-GH"}, {TC},
	"Fictional cyber-espionage group assessed to work for the OSSD: "
	"spear-phishing and credential theft.",
	{"Spear-phishing campaign against the political section",
	    "Malware beacon from a consular workstation"}},
    {"Haki Sasa Movement", "group", {"Haki Sasa"}, {PV},
	"Fictional protest movement; mostly peaceful marches, with a violent "
	"fringe that has attacked the gate.",
	{"Violent demonstration after a news report",
	    "Demonstration at the main gate over visa refusals"}},
    {"The Broker", "individual", {"Mzee K"}, {CR, TE},
	"Unidentified facilitator who sells weapons and forged documents to "
	"the Simba Street Gang and, reportedly, to JaS.",
	{NULL}},
};
enum { A_JAS, A_SIMBA, A_OSSD, A_HERON, A_HAKI, A_BROKER, A_NONE = -1 };

static const struct {
	const char *name, *description, *area;
	double lat, lon, radius;
	struct ch_geo_point poly[4];
} places[] = {
    {"Westlands shopping district", "Malls and restaurants used by staff.",
	"circle", -1.2596, 36.8031, 600, {{0, 0}}},
    {"Central Business District", "Government offices, banks, the courts.",
	"circle", -1.2841, 36.8233, 900, {{0, 0}}},
    {"Uhuru Park", "The usual start and end of marches.", "polygon", 0, 0, 0,
	{{-1.2885, 36.8140}, {-1.2870, 36.8195}, {-1.2935, 36.8220},
	    {-1.2960, 36.8170}}},
    {"Eastleigh market", "Dense market district; crime hot spot.", "circle",
	-1.2760, 36.8480, 700, {{0, 0}}},
    {"Jomo Kenyatta International Airport", "Arrivals and the airport road.",
	"circle", -1.3192, 36.9278, 2500, {{0, 0}}},
    {"Waiyaki Way / Chiromo junction", "Choke point on the staff commute.",
	"point", -1.2690, 36.8090, 0, {{0, 0}}},
    {"Gigiri diplomatic quarter", "UN complex and residences.", "circle",
	-1.2335, 36.8150, 800, {{0, 0}}},
    {"Kilimani residential area", "Staff residences.", "polygon", 0, 0, 0,
	{{-1.2870, 36.7780}, {-1.2860, 36.7900}, {-1.2960, 36.7920},
	    {-1.2975, 36.7800}}},
};
enum {
	P_WESTLANDS,
	P_CBD,
	P_UHURU,
	P_EASTLEIGH,
	P_AIRPORT,
	P_WAIYAKI,
	P_GIGIRI,
	P_KILIMANI,
	P_NONE = -1
};

/* One report: days before today it was reported, its source, grading
 * (reliability 0: the source's own), window, labels and links. */
struct demo_report {
	int days, source;
	const char *category;
	char reliability;
	int credibility;
	const char *title, *summary;
	const char *classification, *tlp;
	int valid_days, actor, place;
	const char *incident; /* a demo incident's title, or NULL */
};

static const struct demo_report reports[] = {
    {362, S_HORNBILL, PV, 0, 2, "Union plans a march on the embassy over visas",
	"Organisers intend to march from Uhuru Park to the chancery within "
	"the week; a fringe wants to 'make noise at the gate'.",
	"SBU", "AMBER", 10, A_HAKI, P_UHURU,
	"Demonstration at the main gate over visa refusals"},
    {355, S_OSINT, PV, 0, 3, "Calls on social media to protest visa refusals",
	"Hashtag campaign naming the embassy; around 2,000 shares.",
	"UNCLASSIFIED", "CLEAR", 14, A_HAKI, P_NONE, NULL},
    {348, S_ACACIA, TE, 0, 2,
	"JaS names Western missions in Nairobi as targets",
	"An allied service reports a JaS message listing diplomatic "
	"missions, ours among them, as legitimate targets.",
	"SECRET", "AMBER+STRICT", 90, A_JAS, P_NONE, NULL},
    {344, S_MARABOU, HI, 0, 3, "Foreign officers asking about embassy drivers",
	"Two men with an Eastern European accent asked a garage owner which "
	"drivers work for the embassy.",
	"CONFIDENTIAL", "AMBER", 45, A_OSSD, P_EASTLEIGH,
	"Same white saloon seen outside the residence three evenings"},
    {336, S_ZEBRA, TE, 0, 5, "Claimed plot to bomb the airport road",
	"Walk-in claims a cell will attack vehicles on the airport road this "
	"month; no detail on who or how.",
	"CONFIDENTIAL", "AMBER", 30, A_JAS, P_AIRPORT, NULL},
    {330, S_HORNBILL, CR, 0, 2, "Phone-snatching crew working Waiyaki Way",
	"A crew on motorbikes is snatching phones from car windows at the "
	"Chiromo junction in the evening rush.",
	"UNCLASSIFIED", "GREEN", 30, A_SIMBA, P_WAIYAKI,
	"Phone snatched from staff member on Waiyaki Way"},
    {318, S_NET, TC, 0, 1, "Spear-phishing wave against the political section",
	"Mail gateway blocked 41 messages spoofing the ministry; 3 reached "
	"inboxes. Indicators shared with HQ.",
	"SBU", "AMBER", 21, A_HERON, P_NONE,
	"Spear-phishing campaign against the political section"},
    {312, S_ACACIA, TC, 0, 2, "Grey Heron tooling linked to the OSSD",
	"Allied analysis ties the phishing infrastructure to a group "
	"working for the Ostravian service.",
	"SECRET", "RED", 120, A_HERON, P_NONE, NULL},
    {304, S_OSINT, PV, 0, 3, "Picket planned at the consular section",
	"A small group of rejected applicants plans a picket on Thursday.",
	"UNCLASSIFIED", "CLEAR", 7, A_HAKI, P_NONE,
	"Small picket outside the consular waiting hall"},
    {296, S_MARABOU, CR, 0, 3, "Simba Boys looking for SUVs with CD plates",
	"Gang members were heard saying diplomatic SUVs fetch a good price.",
	"SBU", "AMBER", 60, A_SIMBA, P_WESTLANDS,
	"Attempted carjacking of an embassy vehicle"},
    {285, S_ZEBRA, HI, 0, 4, "Claim that a guard sells rosters",
	"Walk-in claims a guard sells shift rosters; names no one.",
	"CONFIDENTIAL", "AMBER+STRICT", 45, A_OSSD, P_NONE, NULL},
    {276, S_HORNBILL, HI, 0, 2, "Locally employed staff member approached",
	"A foreign officer has invited a locally employed staff member to "
	"dinners and offered 'consultancy' money.",
	"SECRET", "RED", 60, A_OSSD, P_KILIMANI,
	"Approach to a locally employed staff member by a foreign officer"},
    {262, S_TAMARIND, CR, 0, 6,
	"Rumour of a planned break-in at the motor pool",
	"Hearsay from a neighbour of the motor pool.", "UNCLASSIFIED", "GREEN",
	14, A_SIMBA, P_NONE, "Break-in attempt at the motor pool"},
    {248, S_OSINT, HI, 0, 3, "Drone sales to private buyers rising",
	"Press reports on unregulated drone imports; several sold to "
	"foreign nationals.",
	"UNCLASSIFIED", "CLEAR", 60, A_NONE, P_NONE, "Drone over the compound"},
    {233, S_HORNBILL, PV, 0, 1, "News report will trigger protests at the gate",
	"Union leaders will bus members to the chancery after tonight's "
	"broadcast; some plan to bring stones.",
	"SBU", "AMBER", 5, A_HAKI, P_CBD,
	"Violent demonstration after a news report"},
    {228, S_ACACIA, PV, 0, 2, "Host police expect violence at the march",
	"Liaison reports riot police will deploy; expects stone-throwing.",
	"CONFIDENTIAL", "AMBER", 5, A_HAKI, P_CBD, NULL},
    {216, S_MARABOU, CR, 0, 3, "Burglary crew targeting Kilimani residences",
	"A crew enters through roof vents while families are out.", "SBU",
	"GREEN", 45, A_SIMBA, P_KILIMANI, "Burglary at a staff residence"},
    {205, S_ZEBRA, TE, 0, 5, "Claimed suicide vest in Eastleigh",
	"Walk-in claims to have seen a vest in a shop; no location given.",
	"CONFIDENTIAL", "AMBER", 14, A_JAS, P_EASTLEIGH, NULL},
    {199, S_OSINT, TE, 0, 3, "Hoax device reports across the city",
	"Police report a wave of suspicious-package calls.", "UNCLASSIFIED",
	"CLEAR", 30, A_NONE, P_CBD,
	"Suspicious package at the consular entrance"},
    {188, S_MARABOU, CR, 0, 2, "The Broker selling pistols to the Simba gang",
	"A facilitator known as Mzee K is selling pistols; the gang now "
	"robs at gunpoint.",
	"CONFIDENTIAL", "AMBER", 90, A_BROKER, P_EASTLEIGH,
	"Diplomat assaulted during a robbery"},
    {176, S_NET, TC, 0, 1, "Credential stuffing against the visa portal",
	"Sensor saw 180,000 login attempts from a botnet in six hours.", "SBU",
	"AMBER", 14, A_NONE, P_NONE,
	"Credential-stuffing against the visa appointment portal"},
    {164, S_HORNBILL, HI, 0, 2, "Ambassador's movements being logged",
	"Drivers at the residence gate were asked about the ambassador's "
	"routes by a man who paid well.",
	"SECRET", "RED", 45, A_OSSD, P_GIGIRI,
	"Ambassador's car followed from the residence"},
    {150, S_ACACIA, TE, 0, 2, "JaS cell in Nairobi has acquired explosives",
	"An allied service has reporting that a JaS cell has explosives and is "
	"surveying shopping centres.",
	"SECRET", "AMBER+STRICT", 30, A_JAS, P_WESTLANDS,
	"Explosion near a shopping centre frequented by staff"},
    {146, S_ZEBRA, TE, 0, 4, "Attack on a shopping centre 'next week'",
	"Walk-in warns of an attack on a mall; no name, no date.",
	"CONFIDENTIAL", "AMBER", 10, A_JAS, P_WESTLANDS, NULL},
    {139, S_OSINT, TE, 0, 1, "Claim of responsibility for the mall explosion",
	"JaS channels claim the explosion near the shopping centre.",
	"UNCLASSIFIED", "CLEAR", 60, A_JAS, P_WESTLANDS, NULL},
    {131, S_MARABOU, TE, 0, 4, "Camera cables cut to test the response",
	"Talk in Eastleigh that 'someone' is timing the embassy's response "
	"to faults.",
	"CONFIDENTIAL", "AMBER", 30, A_JAS, P_NONE,
	"Perimeter camera cables cut"},
    {118, S_OSINT, CR, 0, 3, "Pickpocket gangs at the city market",
	"Police warn of organised pickpocketing at the market.", "UNCLASSIFIED",
	"CLEAR", 30, A_NONE, P_CBD, "Pickpocketing at the city market"},
    {104, S_ACACIA, HI, 0, 3, "OSSD officer arrives under diplomatic cover",
	"A known OSSD officer has been accredited to the Ostravian embassy.",
	"SECRET", "RED", 180, A_OSSD, P_GIGIRI, NULL},
    {90, S_HORNBILL, PV, 0, 2, "Protest against the sending state's policy",
	"Student unions will join a march on the chancery; organisers want "
	"it peaceful.",
	"SBU", "AMBER", 7, A_HAKI, P_UHURU,
	"Protest over the sending state's foreign policy"},
    {80, S_TAMARIND, HI, 0, 3, "Cleaner asked to plant a USB stick",
	"A cleaning contractor's employee was offered money to leave a USB "
	"stick in a meeting room.",
	"SECRET", "RED", 60, A_OSSD, P_NONE,
	"Unknown device found in a meeting room"},
    {74, S_ZEBRA, HI, 0, 5, "Claim that the ambassador's phone is tapped",
	"Walk-in claims to have heard recordings; offers more for money.",
	"CONFIDENTIAL", "AMBER", 30, A_OSSD, P_NONE, NULL},
    {62, S_MARABOU, HI, 0, 3,
	"Photographer paid to watch the consular entrance",
	"A freelance photographer was paid to photograph visitors.",
	"CONFIDENTIAL", "AMBER", 45, A_OSSD, P_NONE,
	"Photographer outside the consular entrance"},
    {50, S_HORNBILL, CR, 0, 2, "Car break-ins at the Sarit Centre car park",
	"Signal jammers used to stop cars locking; gang sells laptops in "
	"Eastleigh.",
	"UNCLASSIFIED", "GREEN", 60, A_SIMBA, P_WESTLANDS,
	"Staff member's car broken into at the Sarit Centre"},
    {44, S_TAMARIND, CR, 0, 6, "Rumour of kidnap-for-ransom of foreigners",
	"Hearsay; no names or places.", "SBU", "AMBER", 30, A_NONE, P_NONE,
	NULL},
    {38, S_NET, TC, 0, 1, "Beacon to Grey Heron infrastructure",
	"A consular workstation beacons to a domain tied to Grey Heron.",
	"SECRET", "AMBER+STRICT", 60, A_HERON, P_NONE,
	"Malware beacon from a consular workstation"},
    {34, S_ACACIA, TC, 0, 2, "Grey Heron targeting visa data",
	"Allied reporting: the group's current tasking is visa applicant "
	"data of Western missions.",
	"SECRET", "RED", 90, A_HERON, P_NONE, NULL},
    {29, S_MARABOU, CR, 0, 3, "Fuel-station robberies of drivers",
	"Drivers of diplomatic cars are being threatened at fuel stations on "
	"Limuru Road.",
	"SBU", "AMBER", 45, A_SIMBA, P_NONE,
	"Driver threatened at a fuel station"},
    {22, S_OSINT, PV, 0, 2, "Student march route passes the chancery",
	"Universities publish a route that passes the chancery on Friday.",
	"UNCLASSIFIED", "CLEAR", 5, A_HAKI, P_NONE,
	"Students' march past the chancery"},
    {16, S_HORNBILL, HI, 0, 2, "Night-time photography of the residence",
	"A driver was paid to photograph the residence after dark.",
	"CONFIDENTIAL", "AMBER", 45, A_OSSD, P_GIGIRI,
	"Vehicle photographing the residence at night"},
    {11, S_ZEBRA, TE, 0, 5, "Claimed JaS plan against the consular queue",
	"Walk-in claims an attack on the visa queue; details change each "
	"time he is asked.",
	"CONFIDENTIAL", "AMBER", 30, A_JAS, P_NONE, NULL},
    {9, S_OSINT, CR, 0, 3, "Consular fraud offers on social media",
	"Adverts offer 'guaranteed visas' for a fee.", "UNCLASSIFIED", "CLEAR",
	60, A_NONE, P_NONE, "Attempted fraud against the consular section"},
    {6, S_ACACIA, TE, 0, 2, "JaS intent against diplomatic missions renewed",
	"Allied services assess that JaS retains intent and some capability "
	"to attack Western missions in Nairobi.",
	"SECRET", "AMBER+STRICT", 90, A_JAS, P_NONE,
	"Threatening letter delivered to the consular section"},
    {5, S_MARABOU, TE, 0, 3, "The Broker moving documents to a JaS contact",
	"Forged Kenyan identity cards are being passed to a man believed to "
	"be JaS.",
	"SECRET", "AMBER+STRICT", 60, A_BROKER, P_EASTLEIGH, NULL},
    {3, S_HORNBILL, PV, 0, 2, "Crowd expected after the court ruling",
	"Union members will gather at the courts and may march on the "
	"chancery tonight.",
	"SBU", "AMBER", 3, A_HAKI, P_CBD,
	"Crowd gathering after a court ruling"},
    {1, S_TAMARIND, PV, 0, 3, "Students plan a sit-in at the consular section",
	"A student group plans a sit-in next week.", "UNCLASSIFIED", "GREEN",
	14, A_HAKI, P_NONE, NULL},
};

/* Routine series: press monitoring of protest calls and the network
 * sensor's monthly phishing summary. */
static const char *const protest_topics[] = {"fuel prices", "the finance bill",
    "police conduct", "university fees", "land evictions", "the cost of living",
    "a disputed by-election", "visa refusals"};

/* How many reports of each source have been assessed so far. */
static unsigned assessed[CH_ARRAY_LEN(sources)];

/* A fixed linear congruential sequence: the same demo every time. */
static unsigned
next_draw(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) % 100u;
}

static ch_err
find_incidents(struct ch_ctx *ctx, struct ch_incident_page *page)
{
	struct ch_incident_filter f = {0};

	f.limit = 200;
	return ch_incidents_list(ctx, &f, page);
}

static const char *
incident_id(const struct ch_incident_page *page, const char *title)
{
	for (size_t i = 0; title != NULL && i < page->count; i++)
		if (strcmp(page->items[i].title, title) == 0)
			return page->items[i].id;
	return NULL;
}

static ch_err
user_id(struct ch_ctx *ctx, const char *username, char out[CH_ID_LEN])
{
	struct ch_user u;
	struct ch_tx *tx = NULL;
	ch_err err;

	if ((err = ch_store_begin(ctx->store, false, &tx)) != CH_OK)
		return err;
	err = ch_store_user_by_name(tx, username, ctx->arena, &u);
	ch_store_rollback(tx);
	if (err == CH_OK)
		memcpy(out, u.id, CH_ID_LEN);
	return err;
}

/* One report through the use case, then its outcome when assessed. */
static ch_err
add_report(struct ch_ctx *ctx, const char *post_id, const struct demo_report *d,
    char source_ids[][CH_ID_LEN], char actor_ids[][CH_ID_LEN],
    char place_ids[][CH_ID_LEN], const struct ch_incident_page *incidents,
    char users[2][CH_ID_LEN], unsigned *draws)
{
	int64_t now = ch_clock_now(), day = now - now % 86400;
	int64_t at = day - (int64_t)d->days * 86400 + 7 * 3600 +
	    (int64_t)(next_draw(draws) * 5) * 60;
	char reported[CH_TIMESTAMP_LEN], until[CH_TIMESTAMP_LEN];
	char rel[2] = {d->reliability, '\0'};
	const char *recipients[2] = {users[0], users[1]};
	const char *actor[1], *place[1], *inc[1];
	struct ch_intel_report_input in = {0};
	struct ch_intel_report r, done;
	unsigned draw, k;
	ch_err err;

	if (at > now)
		at = now - 600;
	ch_time_format(at, reported);
	ch_time_format(at + (int64_t)d->valid_days * 86400, until);
	if (rel[0] == 0)
		rel[0] = sources[d->source].reliability[0];
	in.set = CH_RF_POST_ID | CH_RF_SOURCE_ID | CH_RF_CATEGORY |
	    CH_RF_RELIABILITY | CH_RF_CREDIBILITY | CH_RF_TITLE |
	    CH_RF_SUMMARY | CH_RF_CLASSIFICATION | CH_RF_TLP |
	    CH_RF_VALID_FROM | CH_RF_VALID_UNTIL | CH_RF_REPORTED_AT;
	in.post_id = post_id;
	in.source_id = source_ids[d->source];
	in.category = d->category;
	in.reliability = rel;
	in.credibility = d->credibility;
	in.title = d->title;
	in.summary = d->summary;
	in.classification = d->classification;
	in.tlp = d->tlp;
	in.valid_from = reported;
	in.valid_until = until;
	in.reported_at = reported;
	in.author_user_id = users[d->days % 3 == 0 ? 0 : 1];
	if (strcmp(d->tlp, "RED") == 0) {
		in.set |= CH_RF_RECIPIENTS;
		in.recipients = recipients;
		in.nrecipients = 2;
	}
	if (d->actor != A_NONE) {
		actor[0] = actor_ids[d->actor];
		in.set |= CH_RF_ACTORS;
		in.actor_ids = actor;
		in.nactors = 1;
	}
	if (d->place != P_NONE) {
		place[0] = place_ids[d->place];
		in.set |= CH_RF_PLACES;
		in.place_ids = place;
		in.nplaces = 1;
	}
	if ((inc[0] = incident_id(incidents, d->incident)) != NULL) {
		in.set |= CH_RF_INCIDENTS;
		in.incident_ids = inc;
		in.nincidents = 1;
	}
	if ((err = ch_intel_report_create(ctx, &in, &r)) != CH_OK) {
		log_error(
		    "demo report \"%s\": %s", d->title, ctx->fault.detail);
		return err;
	}
	/* Reports older than three weeks have mostly been assessed; the
	 * k-th assessment of a source is confirmed when an evenly spread
	 * sequence falls below its quality, so shares follow the quality. */
	draw = next_draw(draws);
	if (d->days < 21 || draw < 15)
		return CH_OK;
	k = assessed[d->source]++;
	return ch_intel_report_assess(ctx, r.id,
	    (int)((k * 61 + 17) % 100) < sources[d->source].quality
		? "confirmed"
		: "refuted",
	    "Assessed against later reporting and incidents.", &done);
}

ch_err
ch_demo_intel(struct ch_ctx *ctx, const char *post_id)
{
	static char source_ids[CH_ARRAY_LEN(sources)][CH_ID_LEN];
	static char actor_ids[CH_ARRAY_LEN(actors)][CH_ID_LEN];
	static char place_ids[CH_ARRAY_LEN(places)][CH_ID_LEN];
	char users[2][CH_ID_LEN];
	struct ch_incident_page incidents;
	unsigned draws = 20261125u;
	ch_err err;

	memset(assessed, 0, sizeof(assessed));
	if ((err = user_id(ctx, "rso", users[0])) != CH_OK ||
	    (err = user_id(ctx, "analyst", users[1])) != CH_OK ||
	    (err = find_incidents(ctx, &incidents)) != CH_OK)
		return err;
	for (size_t i = 0; i < CH_ARRAY_LEN(sources); i++) {
		struct ch_intel_source_input in = {0};
		struct ch_intel_source s;

		in.set = CH_SF_POST_ID | CH_SF_NAME | CH_SF_KIND |
		    CH_SF_RELIABILITY | CH_SF_DESCRIPTION;
		in.post_id = post_id;
		in.name = sources[i].name;
		in.kind = sources[i].kind;
		in.reliability = sources[i].reliability;
		in.description = sources[i].description;
		if (sources[i].identity != NULL) {
			in.set |= CH_SF_IDENTITY;
			in.identity = sources[i].identity;
		}
		if ((err = ch_intel_source_create(ctx, &in, &s)) != CH_OK)
			return err;
		memcpy(source_ids[i], s.id, CH_ID_LEN);
	}
	for (size_t i = 0; i < CH_ARRAY_LEN(actors); i++) {
		struct ch_intel_actor_input in = {0};
		struct ch_intel_actor a;
		const char *incs[3];

		in.set = CH_AF_POST_ID | CH_AF_NAME | CH_AF_KIND |
		    CH_AF_ALIASES | CH_AF_CATEGORIES | CH_AF_DESCRIPTION |
		    CH_AF_INCIDENTS;
		in.post_id = post_id;
		in.name = actors[i].name;
		in.kind = actors[i].kind;
		in.aliases = actors[i].aliases;
		while (in.naliases < 3 && actors[i].aliases[in.naliases])
			in.naliases++;
		in.categories = actors[i].categories;
		while (
		    in.ncategories < 3 && actors[i].categories[in.ncategories])
			in.ncategories++;
		in.description = actors[i].description;
		for (size_t k = 0; k < 3; k++) {
			const char *id =
			    incident_id(&incidents, actors[i].incidents[k]);

			if (id != NULL)
				incs[in.nincidents++] = id;
		}
		in.incident_ids = incs;
		if ((err = ch_intel_actor_create(ctx, &in, &a)) != CH_OK)
			return err;
		memcpy(actor_ids[i], a.id, CH_ID_LEN);
	}
	for (size_t i = 0; i < CH_ARRAY_LEN(places); i++) {
		struct ch_intel_place_input in = {0};
		struct ch_intel_place p;

		in.set =
		    CH_LF_POST_ID | CH_LF_NAME | CH_LF_DESCRIPTION | CH_LF_AREA;
		in.post_id = post_id;
		in.name = places[i].name;
		in.description = places[i].description;
		in.area = places[i].area;
		in.has_centre = true;
		in.latitude = places[i].lat;
		in.longitude = places[i].lon;
		in.has_radius = places[i].radius > 0;
		in.radius_m = places[i].radius;
		if (strcmp(places[i].area, "polygon") == 0) {
			in.polygon = places[i].poly;
			in.npolygon = 4;
		}
		if ((err = ch_intel_place_create(ctx, &in, &p)) != CH_OK)
			return err;
		memcpy(place_ids[i], p.id, CH_ID_LEN);
	}
	for (size_t i = 0; i < CH_ARRAY_LEN(reports); i++)
		if ((err = add_report(ctx, post_id, &reports[i], source_ids,
			 actor_ids, place_ids, &incidents, users, &draws)) !=
		    CH_OK)
			return err;
	/* The routine series, every three weeks and every month. */
	for (int days = 357, k = 0; days > 0; days -= 21, k++) {
		char title[160];
		struct demo_report d = {days, S_OSINT, PV, 0, 3, title,
		    "Press and social media monitoring: calls to protest, "
		    "expected turnout and route.",
		    "UNCLASSIFIED", "CLEAR", 10, A_HAKI, P_UHURU, NULL};

		snprintf(title, sizeof(title), "Protest calls over %s",
		    protest_topics[k % CH_ARRAY_LEN(protest_topics)]);
		if ((err = add_report(ctx, post_id, &d, source_ids, actor_ids,
			 place_ids, &incidents, users, &draws)) != CH_OK)
			return err;
	}
	for (int days = 345; days > 0; days -= 30) {
		struct demo_report d = {days, S_NET, TC, 0, 2,
		    "Monthly phishing summary from the mail gateway",
		    "Blocked and delivered phishing against the chancery, with "
		    "indicators shared with HQ.",
		    "SBU", "AMBER", 30, A_NONE, P_NONE, NULL};

		if ((err = add_report(ctx, post_id, &d, source_ids, actor_ids,
			 place_ids, &incidents, users, &draws)) != CH_OK)
			return err;
	}
	return CH_OK;
}

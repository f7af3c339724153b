/*
 * watchlist.h — one entry of a watchlist as every importer produces it and
 * the matching engine indexes it.  The contract between the importers
 * (OFAC SDN and consolidated CSV, UN consolidated XML, custom CSV, the
 * post's own lookout entries) and the engine: importers fill these,
 * allocating every string and array from the list's arena; the engine and
 * the store only read them.
 */
#ifndef CH_SCREENING_WATCHLIST_H
#define CH_SCREENING_WATCHLIST_H

#include "core/core.h"

enum ch_watch_kind {
	CH_WATCH_INDIVIDUAL,
	CH_WATCH_ENTITY,
	CH_WATCH_VESSEL,
	CH_WATCH_AIRCRAFT,
	CH_WATCH_OTHER,
};

/* How much a name is worth as evidence.  PRIMARY is the listed name;
 * STRONG an alias the list calls good quality (OFAC "aka", UN "Good");
 * WEAK one it calls low quality (OFAC "fka"/"nka" stay STRONG, OFAC
 * weak "aka" and UN "Low" are WEAK). */
enum ch_watch_name_quality {
	CH_NAME_PRIMARY,
	CH_NAME_STRONG,
	CH_NAME_WEAK,
};

struct ch_watch_name {
	const char *full; /* as listed (UTF-8), e.g. "AL-ZAWAHIRI, Ayman" */
	enum ch_watch_name_quality quality;
	bool original_script; /* UN NAME_ORIGINAL_SCRIPT and the like */
};

/* A date of birth as precise as the list gives it: day and month 0 when
 * unknown; year_to > year for a range ("1960 to 1962"); circa for
 * "circa 1965"/"approximately". */
struct ch_watch_date {
	int year, year_to, month, day;
	bool circa;
};

struct ch_watch_entry {
	const char *ref; /* the list's own id: OFAC ent_num, UN REFERENCE_NUMBER */
	enum ch_watch_kind kind;
	struct ch_watch_name *names; /* names[0] is the primary name */
	size_t n_names;
	struct ch_watch_date *dobs;
	size_t n_dobs;
	const char **nationalities; /* ISO 3166-1 alpha-2 when known, else as listed */
	size_t n_nationalities;
	char gender; /* 'M', 'F' or 0 when the list does not say */
	const char **documents; /* "passport A1234567 (Iraq)" as listed */
	size_t n_documents;
	const char **addresses;
	size_t n_addresses;
	const char *programs; /* sanctions programmes, "; "-joined; may be NULL */
	const char *remarks;  /* free text as listed; may be NULL */
};

#endif /* CH_SCREENING_WATCHLIST_H */

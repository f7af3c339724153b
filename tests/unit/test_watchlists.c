/*
 * test_watchlists.c — the watchlist importers (src/screening/import_*.c) on
 * the real published files in ../shared/data/watchlists: the counts of
 * entries and aliases equal the files' own, counted here independently
 * (records with the CSV reader, elements and markers by searching the raw
 * bytes); known entries read right; the files' quirks; and bad input gets
 * a fault that names the place and no data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "core/csv.h"
#include "screening/countries.h"
#include "screening/import.h"

#ifndef CH_SOURCE_ROOT
#define CH_SOURCE_ROOT "."
#endif
#define DATA CH_SOURCE_ROOT "/../shared/data/watchlists"
#define SDN DATA "/ofac-sdn-2021-07"
#define CONS DATA "/ofac-consolidated-non-sdn"
#define UN DATA "/un-consolidated/consolidated-2026-02-27.xml"

static ch_arena *arena;

static void
setup(void)
{
	ch_log_set_quiet(true);
	arena = ch_arena_create(512u * 1024 * 1024);
	cr_assert_not_null(arena);
}

static void
teardown(void)
{
	ch_arena_destroy(arena);
}

TestSuite(watchlists, .init = setup, .fini = teardown);

static char *
slurp(const char *path, size_t *len)
{
	struct ch_fault f;
	char *data = NULL;

	if (ch_watch_read_file(
		path, CH_WATCH_MAX_FILE, arena, &data, len, &f) != CH_OK)
		cr_skip_test(
		    "the real list %s is not here (%s)", path, f.detail);
	return data;
}

/* Records in a CSV file, read by the CSV reader after the 0x1A byte. */
static size_t
csv_records(const char *path)
{
	struct ch_csv r;
	struct ch_csv_row row;
	struct ch_fault f;
	size_t len, n = 0;
	char *data = slurp(path, &len);

	while (len > 0 && data[len - 1] == 0x1a)
		len--;
	ch_csv_init(&r, data, len, 0);
	while (ch_csv_next(&r, &row, &f) == CH_OK && row.nfields > 0)
		n++;
	ch_csv_free(&r);
	return n;
}

/* Records of add.csv with at least one of address, city, country. */
static size_t
csv_addresses(const char *path)
{
	struct ch_csv r;
	struct ch_csv_row row;
	struct ch_fault f;
	size_t len, n = 0;
	char *data = slurp(path, &len);

	while (len > 0 && data[len - 1] == 0x1a)
		len--;
	ch_csv_init(&r, data, len, 0);
	while (ch_csv_next(&r, &row, &f) == CH_OK && row.nfields > 0)
		for (size_t i = 2; i <= 4; i++)
			if (strncmp(row.fields[i], "-0-", 3) != 0) {
				n++;
				break;
			}
	ch_csv_free(&r);
	return n;
}

static size_t
occurrences(const char *path, const char *needle)
{
	size_t len, n = 0;
	char *data = slurp(path, &len);

	for (const char *p = data; (p = strstr(p, needle)) != NULL;
	     p += strlen(needle))
		n++;
	return n;
}

static size_t
names_of(
    const struct ch_watch_set *s, enum ch_watch_name_quality q, bool original)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_entries; i++)
		for (size_t k = 0; k < s->entries[i].n_names; k++)
			if (s->entries[i].names[k].quality == q &&
			    (!original ||
				s->entries[i].names[k].original_script))
				n++;
	return n;
}

static const struct ch_watch_entry *
by_ref(const struct ch_watch_set *s, const char *ref)
{
	for (size_t i = 0; i < s->n_entries; i++)
		if (strcmp(s->entries[i].ref, ref) == 0)
			return &s->entries[i];
	cr_assert_fail("no entry %s", ref);
	return NULL;
}

static bool
has_name(const struct ch_watch_entry *e, const char *full,
    enum ch_watch_name_quality q)
{
	for (size_t k = 0; k < e->n_names; k++)
		if (strcmp(e->names[k].full, full) == 0 &&
		    e->names[k].quality == q)
			return true;
	return false;
}

static bool
has_text(const char *const *arr, size_t n, const char *s)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(arr[k], s) == 0)
			return true;
	return false;
}

static size_t
total(const struct ch_watch_set *s, size_t field)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_entries; i++)
		n += *(const size_t *)((const char *)&s->entries[i] + field);
	return n;
}

static void
import_ok(enum ch_watch_source src, const char *path, struct ch_watch_set *s)
{
	struct ch_fault f = {{0}, {0}};
	ch_err err = ch_watch_import_path(src, path, arena, s, &f);

	cr_assert_eq(err, CH_OK, "import %s: %s: %s", path, f.field, f.detail);
}

Test(watchlists, ofac_sdn_counts_equal_the_files)
{
	struct ch_watch_set s;
	size_t weak;

	import_ok(CH_WATCH_SRC_OFAC_SDN, SDN, &s);
	cr_assert_eq(s.n_entries, csv_records(SDN "/sdn.csv"));
	cr_assert_eq(s.n_entries, 8976);
	cr_assert_eq(names_of(&s, CH_NAME_PRIMARY, false), s.n_entries);
	cr_assert_eq(
	    names_of(&s, CH_NAME_STRONG, false), csv_records(SDN "/alt.csv"));
	weak = occurrences(SDN "/sdn.csv", "a.k.a. '") +
	    occurrences(SDN "/sdn_comments.csv", "a.k.a. '") +
	    occurrences(SDN "/sdn.csv", "f.k.a. '") +
	    occurrences(SDN "/sdn.csv", "n.k.a. '");
	cr_assert_eq(names_of(&s, CH_NAME_WEAK, false), weak);
	cr_assert_eq(total(&s, offsetof(struct ch_watch_entry, n_addresses)),
	    csv_addresses(SDN "/add.csv"));
	/* Every "Gender" remark is read. */
	{
		size_t g = 0;

		for (size_t i = 0; i < s.n_entries; i++)
			g += s.entries[i].gender != 0;
		cr_assert_eq(g,
		    occurrences(SDN "/sdn.csv", "Gender Male") +
			occurrences(SDN "/sdn.csv", "Gender Female"));
	}
}

Test(watchlists, ofac_sdn_known_entries)
{
	struct ch_watch_set s;
	const struct ch_watch_entry *e;

	import_ok(CH_WATCH_SRC_OFAC_SDN, SDN, &s);
	e = by_ref(&s, "306");
	cr_assert_str_eq(e->names[0].full, "BANCO NACIONAL DE CUBA");
	cr_assert_eq(e->names[0].quality, CH_NAME_PRIMARY);
	cr_assert_eq(e->kind, CH_WATCH_ENTITY);
	cr_assert_str_eq(e->programs, "CUBA");
	cr_assert(has_name(e, "NATIONAL BANK OF CUBA", CH_NAME_STRONG));
	cr_assert(has_name(e, "BNC", CH_NAME_WEAK));
	cr_assert(has_text(e->addresses, e->n_addresses,
	    "Zweierstrasse 35, Zurich CH-8022, Switzerland"));

	e = by_ref(&s, "2676");
	cr_assert_str_eq(e->names[0].full, "AL ZAWAHIRI, Dr. Ayman");
	cr_assert_eq(e->kind, CH_WATCH_INDIVIDUAL);
	cr_assert_eq(e->n_dobs, 1);
	cr_assert_eq(e->dobs[0].year, 1951);
	cr_assert_eq(e->dobs[0].month, 6);
	cr_assert_eq(e->dobs[0].day, 19);
	cr_assert(
	    has_text(e->documents, e->n_documents, "Passport 1084010 (Egypt)"));
	cr_assert(has_text(e->documents, e->n_documents, "Passport 19820215"));

	/* "DOB circa 1979-1982; alt. DOB 1982", nationality, weak akas. */
	e = by_ref(&s, "11748");
	cr_assert_eq(e->n_dobs, 2);
	cr_assert(e->dobs[0].circa);
	cr_assert_eq(e->dobs[0].year, 1979);
	cr_assert_eq(e->dobs[0].year_to, 1982);
	cr_assert_eq(e->dobs[1].year, 1982);
	cr_assert_not(e->dobs[1].circa);
	cr_assert_eq(e->n_nationalities, 1);
	cr_assert_str_eq(e->nationalities[0], "SO");
	cr_assert(has_name(e, "MUSCAB, Abu", CH_NAME_WEAK));
	cr_assert(has_name(e, "QORGAB", CH_NAME_WEAK));

	/* The kinds. */
	{
		size_t kinds[5] = {0};

		for (size_t i = 0; i < s.n_entries; i++)
			kinds[s.entries[i].kind]++;
		cr_assert_eq(kinds[CH_WATCH_INDIVIDUAL],
		    occurrences(SDN "/sdn.csv", "\"individual\""));
		cr_assert_eq(kinds[CH_WATCH_VESSEL],
		    occurrences(SDN "/sdn.csv", "\"vessel\""));
		cr_assert_eq(kinds[CH_WATCH_AIRCRAFT],
		    occurrences(SDN "/sdn.csv", "\"aircraft\""));
		cr_assert_eq(kinds[CH_WATCH_OTHER], 0);
	}
}

Test(watchlists, ofac_sdn_comments_continue_the_remarks)
{
	struct ch_watch_set s;
	const struct ch_watch_entry *e;
	const char *tail = "Linked To: INTERNET RESEARCH AGENCY LLC.";

	import_ok(CH_WATCH_SRC_OFAC_SDN, SDN, &s);
	for (size_t i = 0; i < s.n_entries; i++) {
		const char *r = s.entries[i].remarks;

		cr_assert(r == NULL || strchr(r, 0x1a) == NULL);
	}
	/* Entry 30518's remarks fill sdn.csv's 1,000 characters and go on
	 * in sdn_comments.csv, which ends with the tail. */
	e = by_ref(&s, "30518");
	cr_assert_str_eq(e->remarks + strlen(e->remarks) - strlen(tail), tail);
	cr_assert_gt(strlen(e->remarks), 1000);
}

Test(watchlists, ofac_consolidated_counts_equal_the_files)
{
	struct ch_watch_set s;

	import_ok(CH_WATCH_SRC_OFAC_CONS, CONS, &s);
	cr_assert_eq(s.n_entries, csv_records(CONS "/cons_prim.csv"));
	cr_assert_eq(s.n_entries, 442);
	cr_assert_eq(names_of(&s, CH_NAME_STRONG, false),
	    csv_records(CONS "/cons_alt.csv"));
	cr_assert_eq(names_of(&s, CH_NAME_WEAK, false),
	    occurrences(CONS "/cons_prim.csv", "a.k.a. '") +
		occurrences(CONS "/cons_comments.csv", "a.k.a. '") +
		occurrences(CONS "/cons_prim.csv", "f.k.a. '"));
	cr_assert_eq(total(&s, offsetof(struct ch_watch_entry, n_addresses)),
	    csv_addresses(CONS "/cons_add.csv"));
	{
		const struct ch_watch_entry *e = by_ref(&s, "9639");

		cr_assert_str_eq(
		    e->names[0].full, "HANIYA, Ismail Abdul Salah");
		cr_assert(has_name(e, "HANIYYA, Ismaeel", CH_NAME_STRONG));
		cr_assert_eq(e->n_dobs, 1);
		cr_assert_eq(e->dobs[0].year, 1962);
		cr_assert_eq(e->dobs[0].month, 0);
		cr_assert_eq(e->n_addresses, 0); /* "-0-" in every part */
		e = by_ref(&s, "9641");
		cr_assert(has_text(
		    e->addresses, e->n_addresses, "Gaza, Palestinian"));
	}
}

Test(watchlists, un_counts_equal_the_file)
{
	struct ch_watch_set s;
	size_t individuals = 0, dobs;

	import_ok(CH_WATCH_SRC_UN, UN, &s);
	for (size_t i = 0; i < s.n_entries; i++)
		individuals += s.entries[i].kind == CH_WATCH_INDIVIDUAL;
	cr_assert_eq(individuals, occurrences(UN, "<INDIVIDUAL>"));
	cr_assert_eq(s.n_entries - individuals, occurrences(UN, "<ENTITY>"));
	cr_assert_eq(s.n_entries, 1003);
	cr_assert_eq(s.n_entries, occurrences(UN, "<REFERENCE_NUMBER>"));
	cr_assert_eq(names_of(&s, CH_NAME_STRONG, true),
	    occurrences(UN, "<NAME_ORIGINAL_SCRIPT>"));
	cr_assert_eq(names_of(&s, CH_NAME_WEAK, false),
	    occurrences(UN, "<QUALITY>Low</QUALITY>"));
	cr_assert_eq(names_of(&s, CH_NAME_STRONG, false) -
		names_of(&s, CH_NAME_STRONG, true) +
		names_of(&s, CH_NAME_WEAK, false),
	    occurrences(UN, "<ALIAS_NAME>"));
	/* A date of birth is a DATE, a YEAR or a FROM_YEAR..TO_YEAR (the
	 * other <DATE>s of the file are <DATE_OF_ISSUE> and the like). */
	dobs = total(&s, offsetof(struct ch_watch_entry, n_dobs));
	cr_assert_eq(dobs,
	    occurrences(UN, "<DATE>") + occurrences(UN, "<YEAR>") +
		occurrences(UN, "<FROM_YEAR>"));
}

Test(watchlists, un_known_entries)
{
	struct ch_watch_set s;
	const struct ch_watch_entry *e;

	import_ok(CH_WATCH_SRC_UN, UN, &s);
	e = by_ref(&s, "QDi.006");
	cr_assert_eq(e->kind, CH_WATCH_INDIVIDUAL);
	cr_assert(strstr(e->names[0].full, "AL-ZAWAHIRI") != NULL, "%s",
	    e->names[0].full);
	cr_assert(has_name(e, "أيمن محمد ربيع الظواهري", CH_NAME_STRONG));
	cr_assert(has_name(e, "Ayman Al-Zawahari", CH_NAME_STRONG));
	cr_assert(has_text(e->nationalities, e->n_nationalities, "EG"));

	e = by_ref(&s, "CDi.001");
	cr_assert_str_eq(e->names[0].full, "ERIC BADEGE");
	cr_assert_eq(e->gender, 'M');
	cr_assert_str_eq(e->nationalities[0], "CD");
	cr_assert_eq(e->n_dobs, 1);
	cr_assert_eq(e->dobs[0].year, 1971);
	cr_assert_str_eq(e->programs, "DRC");

	/* BETWEEN and APPROXIMATELY. */
	{
		size_t between = 0, approx = 0;

		for (size_t i = 0; i < s.n_entries; i++)
			for (size_t k = 0; k < s.entries[i].n_dobs; k++) {
				between += s.entries[i].dobs[k].year_to > 0;
				approx += s.entries[i].dobs[k].circa;
			}
		cr_assert_eq(between, occurrences(UN, ">BETWEEN<"));
		/* One APPROXIMATELY of the file gives only a NOTE. */
		cr_assert_eq(approx, occurrences(UN, ">APPROXIMATELY<") - 1);
	}
	/* A passport, as listed with its number and country. */
	{
		size_t passports = 0;

		for (size_t i = 0; i < s.n_entries; i++)
			for (size_t k = 0; k < s.entries[i].n_documents; k++)
				passports += strncmp(s.entries[i].documents[k],
						 "Passport ", 9) == 0;
		cr_assert_gt(passports, 250);
	}
}

Test(watchlists, dates_of_birth)
{
	struct ch_watch_date d;

	cr_assert(ch_watch_date_parse("01 Jan 1960", &d));
	cr_assert(d.year == 1960 && d.month == 1 && d.day == 1 && !d.circa);
	cr_assert(ch_watch_date_parse("1960-03-17", &d));
	cr_assert(d.year == 1960 && d.month == 3 && d.day == 17);
	cr_assert(ch_watch_date_parse("Mar 1960", &d));
	cr_assert(d.year == 1960 && d.month == 3 && d.day == 0);
	cr_assert(ch_watch_date_parse("circa 1965", &d));
	cr_assert(d.year == 1965 && d.circa && d.year_to == 0);
	cr_assert(ch_watch_date_parse("1960 to 1962", &d));
	cr_assert(d.year == 1960 && d.year_to == 1962);
	cr_assert(ch_watch_date_parse("01 Jan 1960 to 31 Dec 1962", &d));
	cr_assert(d.year == 1960 && d.year_to == 1962 && d.month == 0);
	cr_assert(ch_watch_date_parse("circa 1979-1982", &d));
	cr_assert(d.year == 1979 && d.year_to == 1982 && d.circa);
	cr_assert_not(ch_watch_date_parse("1962 to 1960", &d));
	cr_assert_not(ch_watch_date_parse("32 Jan 1960", &d));
	cr_assert_not(ch_watch_date_parse("Smarch 1960", &d));
	cr_assert_not(ch_watch_date_parse("1960 and more", &d));
	cr_assert_not(ch_watch_date_parse("", &d));
}

Test(watchlists, countries)
{
	cr_assert_str_eq(ch_country_code("Iraq"), "IQ");
	cr_assert_str_eq(ch_country_code("Korea, North"), "KP");
	cr_assert_str_eq(
	    ch_country_code("Democratic People's Republic of Korea"), "KP");
	cr_assert_str_eq(ch_country_code("Iran (Islamic Republic of)"), "IR");
	cr_assert_str_eq(ch_country_code("Burma"), "MM");
	cr_assert_str_eq(ch_country_code("Palestinian"), "PS");
	cr_assert_str_eq(ch_country_code("Bosnia and Herzegovina"), "BA");
	cr_assert_str_eq(ch_country_code("Türkiye"), "TR");
	cr_assert_str_eq(ch_country_code("gb"), "GB");
	cr_assert_null(ch_country_code("Atlantis"));
	cr_assert_null(ch_country_code("XX"));
}

static ch_err
ofac_bytes(const char *prim, const char *alt, struct ch_watch_set *s,
    struct ch_fault *f)
{
	struct ch_ofac_files files = {.prim = prim,
	    .prim_len = strlen(prim),
	    .alt = alt,
	    .alt_len = strlen(alt),
	    .add = "",
	    .comments = ""};

	memset(f, 0, sizeof(*f));
	return ch_watch_parse_ofac(&files, false, arena, s, f);
}

Test(watchlists, ofac_quirks_and_errors)
{
	struct ch_watch_set s;
	struct ch_fault f;
	const char *row = "7,\"DOE, John\",\"individual\",\"SDGT] [IRGC\",-0- ,"
			  "-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1960 to 1962; "
			  "Gender Female; nationality Korea, North; "
			  "a.k.a. 'JD'.\"\r\n\x1a";

	cr_assert_eq(
	    ofac_bytes(row, "7,1,\"aka\",\"DOE, J.\",-0- \r\n\x1a", &s, &f),
	    CH_OK, "%s %s", f.field, f.detail);
	cr_assert_eq(s.n_entries, 1);
	cr_assert_str_eq(s.entries[0].programs, "SDGT; IRGC");
	cr_assert_eq(s.entries[0].gender, 'F');
	cr_assert_str_eq(s.entries[0].nationalities[0], "KP");
	cr_assert_eq(s.entries[0].dobs[0].year_to, 1962);
	cr_assert(has_name(&s.entries[0], "JD", CH_NAME_WEAK));
	cr_assert(has_name(&s.entries[0], "DOE, J.", CH_NAME_STRONG));

	/* An alias of an entry the primary file lacks. */
	cr_assert_eq(ofac_bytes(row, "8,1,\"aka\",\"X\",-0- \r\n", &s, &f),
	    CH_ERR_INVALID);
	cr_assert_str_eq(f.field, "alt.csv");
	cr_assert(strstr(f.detail, "line 1") && strstr(f.detail, "entry 8"),
	    "%s", f.detail);
	cr_assert_eq(s.n_entries, 0);
	cr_assert_null(s.entries);

	/* The wrong file: too few fields. */
	cr_assert_eq(
	    ofac_bytes("1,\"A\",-0- \r\n", "", &s, &f), CH_ERR_INVALID);
	cr_assert(strstr(f.detail, "3 fields") != NULL, "%s", f.detail);
	cr_assert_eq(s.n_entries, 0);

	/* A bad entry number, a duplicate, an empty file, bad quoting. */
	cr_assert_eq(ofac_bytes("x1,\"A\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,"
				"-0-,-0-\r\n",
			 "", &s, &f),
	    CH_ERR_INVALID);
	cr_assert(strstr(f.detail, "ent_num") != NULL);
	cr_assert_eq(ofac_bytes("1,\"A\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,"
				"-0-\r\n1,\"B\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,"
				"-0-,-0-,-0-\r\n",
			 "", &s, &f),
	    CH_ERR_INVALID);
	cr_assert(strstr(f.detail, "twice") != NULL);
	cr_assert_eq(ofac_bytes("\x1a", "", &s, &f), CH_ERR_INVALID);
	cr_assert_eq(ofac_bytes("1,\"A,-0-\r\n", "", &s, &f), CH_ERR_INVALID);
	cr_assert_eq(s.n_entries, 0);
}

/*
 * alt.csv, add.csv and the comments may be absent, but one that is there
 * and cannot be read is an error: read as empty it would import a version
 * of the list without its aliases, addresses or remarks, and replace the
 * previous one.  (A symbolic link to itself cannot be opened even by root,
 * who reads a file of mode 000.)
 */
Test(watchlists, ofac_optional_file_that_cannot_be_opened_is_an_error)
{
	char dir[] = "/tmp/ch-ofac-XXXXXX", path[256];
	struct ch_watch_set s;
	struct ch_fault f;
	FILE *out;
	ch_err err;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sdn.csv", dir);
	cr_assert_not_null(out = fopen(path, "w"));
	fputs("1,\"DOE, John\",\"individual\",\"SDGT\",-0-,-0-,-0-,-0-,-0-,"
	      "-0-,-0-,-0-\r\n",
	    out);
	fclose(out);
	snprintf(path, sizeof(path), "%s/alt.csv", dir);
	cr_assert_eq(symlink(path, path), 0);
	memset(&f, 0, sizeof(f));
	err = ch_watch_import_path(CH_WATCH_SRC_OFAC_SDN, dir, arena, &s, &f);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sdn.csv", dir);
	unlink(path);
	rmdir(dir);
	cr_assert_eq(err, CH_ERR_IO, "an unreadable alt.csv was read as empty");
	cr_assert(strstr(f.field, "alt.csv") != NULL, "%s", f.field);
	cr_assert_eq(s.n_entries, 0);
}

/*
 * A remarks field continued over many comment rows is joined once: joined
 * row by row, each row copied all the rows before it again, so 200 rows
 * of 4,000 bytes took 80 MB and a request's 32 MiB arena ran out with no
 * word of why.
 */
Test(watchlists, ofac_long_comments_join_in_linear_memory)
{
	const char *prim = "7,\"DOE, John\",\"individual\",-0- ,-0- ,-0- ,"
			   "-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1960\"\r\n";
	struct ch_ofac_files files = {.prim = prim,
	    .prim_len = strlen(prim),
	    .alt = "",
	    .add = ""};
	ch_arena *request = ch_arena_create(32u * 1024 * 1024);
	struct ch_watch_set s;
	struct ch_fault f;
	struct ch_buf b;
	const char *r;

	cr_assert_not_null(request);
	ch_buf_init(&b, 1u << 20);
	for (int i = 0; i < 200; i++) {
		ch_buf_appendf(&b, "7,\"; %03d ", i);
		for (int k = 0; k < 399; k++)
			ch_buf_append_str(&b, "xxxxxxxxxx");
		ch_buf_append_str(&b, "\"\r\n");
	}
	ch_buf_append_str(&b, "7,\"; nationality Iraq\"\r\n");
	files.comments = b.data;
	files.comments_len = b.len;
	memset(&f, 0, sizeof(f));
	cr_assert_eq(ch_watch_parse_ofac(&files, false, request, &s, &f), CH_OK,
	    "%s", f.detail);
	r = s.entries[0].remarks;
	cr_assert_eq(strlen(r),
	    strlen("DOB 1960") + 200 * 3996 + strlen("; nationality Iraq"));
	cr_assert(strncmp(r, "DOB 1960; 000 xxx", 17) == 0, "%.20s", r);
	cr_assert(strstr(r, "x; 199 xxx") != NULL);
	cr_assert_eq(s.entries[0].n_dobs, 1);
	cr_assert_eq(s.entries[0].n_nationalities, 1);
	ch_buf_free(&b);
	ch_arena_destroy(request);
}

/*
 * A list is a regular file.  A directory given for the UN or a custom
 * list read as "9223372036854775807 bytes, more than the 67108864 a list
 * may have", and a named pipe blocked the import until someone wrote to
 * it; both are refused, saying what the path is.
 */
Test(watchlists, a_list_that_is_not_a_regular_file_is_refused,
    .timeout = 20)
{
	char dir[] = "/tmp/ch-list-XXXXXX", fifo[64];
	struct ch_fault f;
	char *data = NULL;
	size_t len = 0;
	ch_err err;

	cr_assert_not_null(mkdtemp(dir));
	memset(&f, 0, sizeof(f));
	err = ch_watch_read_file(dir, CH_WATCH_MAX_FILE, arena, &data, &len, &f);
	cr_assert_eq(err, CH_ERR_INVALID, "%s", f.detail);
	cr_assert(strstr(f.detail, "directory") != NULL, "%s", f.detail);
	snprintf(fifo, sizeof(fifo), "%s/pipe", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	memset(&f, 0, sizeof(f));
	err = ch_watch_read_file(
	    fifo, CH_WATCH_MAX_FILE, arena, &data, &len, &f);
	unlink(fifo);
	cr_assert_eq(err, CH_ERR_INVALID, "%s", f.detail);
	cr_assert(strstr(f.detail, "not a regular file") != NULL, "%s",
	    f.detail);
	/* An OFAC directory whose alt.csv is a pipe. */
	{
		struct ch_watch_set s;
		char path[96];
		FILE *out;

		snprintf(path, sizeof(path), "%s/sdn.csv", dir);
		cr_assert_not_null(out = fopen(path, "w"));
		fputs("1,\"DOE, John\",\"individual\",-0-,-0-,-0-,-0-,-0-,"
		      "-0-,-0-,-0-,-0-\r\n",
		    out);
		fclose(out);
		snprintf(fifo, sizeof(fifo), "%s/alt.csv", dir);
		cr_assert_eq(mkfifo(fifo, 0600), 0);
		memset(&f, 0, sizeof(f));
		err = ch_watch_import_path(
		    CH_WATCH_SRC_OFAC_SDN, dir, arena, &s, &f);
		unlink(fifo);
		unlink(path);
		cr_assert_eq(err, CH_ERR_INVALID, "%s", f.detail);
		cr_assert(strstr(f.field, "alt.csv") != NULL, "%s", f.field);
	}
	rmdir(dir);
}

/*
 * The OFAC files have no control characters.  One in a field is refused:
 * kept, an escape sequence in a name ("\x1b]0;...\a") would reach the
 * operator's terminal through `chancery screen`, and a name with control
 * characters is not one anybody can match.
 */
Test(watchlists, ofac_control_characters_are_refused)
{
	static const char *const rows[] = {
	    "7,\"DOE\x1b]0;owned\x07, John\",\"individual\",-0- ,-0- ,-0- ,"
	    "-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n",
	    "7,\"DOE, John\",\"individual\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
	    "-0- ,-0- ,\"DOB 1960;\r\nnationality Iraq\"\r\n",
	};
	struct ch_watch_set s;
	struct ch_fault f;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cr_assert_eq(ofac_bytes(rows[i], "", &s, &f), CH_ERR_INVALID,
		    "row %zu with a control character was read", i);
		cr_assert(strstr(f.detail, "control character") != NULL &&
			strstr(f.detail, "line 1") != NULL,
		    "%s", f.detail);
		cr_assert_eq(s.n_entries, 0);
	}
	cr_assert_eq(ofac_bytes(rows[0], "", &s, &f), CH_ERR_INVALID);
	cr_assert_eq(ofac_bytes("7,\"DOE, John\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
				"-0- ,-0- ,-0- ,-0- \r\n",
			 "7,1,\"aka\",\"J\x1b[2JD\",-0- \r\n", &s, &f),
	    CH_ERR_INVALID);
	cr_assert(strstr(f.field, "alt.csv") != NULL, "%s", f.field);
}

static ch_err
un_bytes(const char *xml, struct ch_watch_set *s, struct ch_fault *f)
{
	memset(f, 0, sizeof(*f));
	return ch_watch_parse_un(xml, strlen(xml), arena, s, f);
}

Test(watchlists, un_errors_and_entities_refused)
{
	struct ch_watch_set s;
	struct ch_fault f;

	cr_assert_eq(un_bytes("<?xml version=\"1.0\"?>\n<!DOCTYPE l [<!ENTITY "
			      "a \"aaaa\">]>\n<CONSOLIDATED_LIST/>",
			 &s, &f),
	    CH_ERR_INVALID);
	cr_assert(strstr(f.detail, "DOCTYPE") != NULL);
	cr_assert_eq(un_bytes("<CONSOLIDATED_LIST><INDIVIDUALS>", &s, &f),
	    CH_ERR_INVALID);
	cr_assert(strstr(f.detail, "well-formed") != NULL, "%s", f.detail);
	cr_assert_eq(un_bytes("<OTHER/>", &s, &f), CH_ERR_INVALID);
	cr_assert(strstr(f.detail, "CONSOLIDATED_LIST") != NULL);
	cr_assert_eq(un_bytes("<CONSOLIDATED_LIST><INDIVIDUALS>\n<INDIVIDUAL>"
			      "<FIRST_NAME>A</FIRST_NAME></INDIVIDUAL>"
			      "</INDIVIDUALS></CONSOLIDATED_LIST>",
			 &s, &f),
	    CH_ERR_INVALID);
	cr_assert(strstr(f.detail, "line 2") != NULL &&
		strstr(f.detail, "REFERENCE_NUMBER") != NULL,
	    "%s", f.detail);
	cr_assert_eq(s.n_entries, 0);
	cr_assert_eq(un_bytes("<CONSOLIDATED_LIST><ENTITIES><ENTITY>"
			      "<REFERENCE_NUMBER>X.1</REFERENCE_NUMBER>"
			      "<FIRST_NAME>ACME &amp; CO</FIRST_NAME>"
			      "<ENTITY_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>"
			      "AC</ALIAS_NAME></ENTITY_ALIAS></ENTITY>"
			      "</ENTITIES></CONSOLIDATED_LIST>",
			 &s, &f),
	    CH_OK, "%s", f.detail);
	cr_assert_eq(s.n_entries, 1);
	cr_assert_eq(s.entries[0].kind, CH_WATCH_ENTITY);
	cr_assert_str_eq(s.entries[0].names[0].full, "ACME & CO");
	cr_assert(has_name(&s.entries[0], "AC", CH_NAME_WEAK));
}

/*
 * The DOCTYPE refusal must hold whatever the bytes claim to be: a UTF-16
 * file (where "<!DOCTYPE" is not those bytes) or a UTF-8 file that
 * declares encoding="UTF-7" (where "+ADwAIQ-DOCTYPE" is "<!DOCTYPE" once
 * decoded) must not reach libxml2's DTD and entity handling.
 */
Test(watchlists, un_doctype_refused_in_any_encoding)
{
	static const char doc[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"
	    "<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY n \"FROM AN ENTITY\">]>\n"
	    "<CONSOLIDATED_LIST><ENTITIES><ENTITY>"
	    "<REFERENCE_NUMBER>X.1</REFERENCE_NUMBER>"
	    "<FIRST_NAME>&n;</FIRST_NAME></ENTITY></ENTITIES>"
	    "</CONSOLIDATED_LIST>";
	static const char utf7[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n"
	    "+ADwAIQ-DOCTYPE CONSOLIDATED_LIST +AFsAPAAh-ENTITY n "
	    "+ACI-FROM AN ENTITY+ACIAPgBdAD4-\n"
	    "<CONSOLIDATED_LIST><ENTITIES><ENTITY>"
	    "<REFERENCE_NUMBER>X.1</REFERENCE_NUMBER>"
	    "<FIRST_NAME>+ACY-n+ADs-</FIRST_NAME></ENTITY></ENTITIES>"
	    "</CONSOLIDATED_LIST>";
	char utf16[2 * sizeof(doc) + 2];
	struct ch_watch_set s;
	struct ch_fault f;
	size_t n = 0;

	/* UTF-16LE with its byte order mark. */
	utf16[n++] = (char)0xff;
	utf16[n++] = (char)0xfe;
	for (size_t i = 0; i < sizeof(doc) - 1; i++) {
		utf16[n++] = doc[i];
		utf16[n++] = '\0';
	}
	memset(&f, 0, sizeof(f));
	cr_assert_eq(ch_watch_parse_un(utf16, n, arena, &s, &f),
	    CH_ERR_INVALID, "a UTF-16 list with a DOCTYPE was read");
	cr_assert(strstr(f.detail, "UTF-8") != NULL, "%s", f.detail);
	cr_assert_eq(s.n_entries, 0);
	cr_assert_eq(un_bytes(utf7, &s, &f), CH_ERR_INVALID,
	    "a list declared UTF-7 had its DOCTYPE read");
	cr_assert_eq(s.n_entries, 0);
}

/*
 * A nationality is added only if the entry does not have it yet, which is
 * a scan of the ones it has: without a bound, a crafted list with tens of
 * thousands of distinct nationalities on one entry costs time that grows
 * with their square (a 1 MB UN file took seconds, a large one hours).  An
 * entry may have CH_WATCH_MAX_NATIONALITIES; one more is refused, naming
 * the entry.
 */
Test(watchlists, nationalities_of_one_entry_are_bounded)
{
	struct ch_watch_set s;
	struct ch_fault f;
	struct ch_buf b;

	for (int extra = 0; extra <= 1; extra++) {
		int n = CH_WATCH_MAX_NATIONALITIES + extra;

		ch_buf_init(&b, 1u << 20);
		ch_buf_append_str(&b,
		    "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>"
		    "<REFERENCE_NUMBER>QDi.9</REFERENCE_NUMBER>"
		    "<FIRST_NAME>A</FIRST_NAME><NATIONALITY>");
		for (int i = 0; i < n; i++)
			ch_buf_appendf(&b, "<VALUE>Land %d</VALUE>", i);
		ch_buf_append_str(&b, "</NATIONALITY></INDIVIDUAL>"
				      "</INDIVIDUALS></CONSOLIDATED_LIST>");
		memset(&f, 0, sizeof(f));
		if (extra == 0) {
			cr_assert_eq(ch_watch_parse_un(b.data, b.len, arena,
					 &s, &f),
			    CH_OK, "%s", f.detail);
			cr_assert_eq(s.entries[0].n_nationalities, (size_t)n);
		} else {
			cr_assert_eq(ch_watch_parse_un(b.data, b.len, arena,
					 &s, &f),
			    CH_ERR_INVALID, "%d nationalities were read", n);
			cr_assert(strstr(f.detail, "QDi.9") != NULL &&
				strstr(f.detail, "nationalities") != NULL,
			    "%s", f.detail);
			cr_assert_eq(s.n_entries, 0);
		}
		ch_buf_reset(&b);
		ch_buf_append_str(&b, "7,\"DOE, John\",\"individual\",-0- ,-0- ,"
				      "-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"");
		for (int i = 0; i < n; i++)
			ch_buf_appendf(&b, "citizen %d; ", i);
		ch_buf_append_str(&b, "\"\r\n");
		if (extra == 0) {
			cr_assert_eq(ofac_bytes(b.data, "", &s, &f), CH_OK,
			    "%s", f.detail);
			cr_assert_eq(s.entries[0].n_nationalities, (size_t)n);
		} else {
			cr_assert_eq(ofac_bytes(b.data, "", &s, &f),
			    CH_ERR_INVALID, "%d nationalities were read", n);
			cr_assert(strstr(f.detail, "entry 7") != NULL &&
				strstr(f.detail, "nationalities") != NULL,
			    "%s", f.detail);
			cr_assert_eq(s.n_entries, 0);
		}
		ch_buf_free(&b);
	}
}

/* A fault names the line of a long list right: libxml2 keeps line
 * numbers past 65,535 only when asked (XML_PARSE_BIG_LINES). */
Test(watchlists, un_faults_name_lines_past_65535)
{
	struct ch_watch_set s;
	struct ch_fault f;
	struct ch_buf b;

	ch_buf_init(&b, 1u << 20);
	ch_buf_append_str(&b, "<CONSOLIDATED_LIST>");
	for (int i = 1; i < 70000; i++)
		ch_buf_append_str(&b, "\n");
	ch_buf_append_str(&b, "<ENTITIES><ENTITY><FIRST_NAME>A</FIRST_NAME>"
			      "</ENTITY></ENTITIES></CONSOLIDATED_LIST>");
	memset(&f, 0, sizeof(f));
	cr_assert_eq(
	    ch_watch_parse_un(b.data, b.len, arena, &s, &f), CH_ERR_INVALID);
	cr_assert(strstr(f.detail, "line 70000:") != NULL, "%s", f.detail);
	ch_buf_free(&b);
}

static ch_err
custom_bytes(const char *csv, struct ch_watch_set *s, struct ch_fault *f)
{
	memset(f, 0, sizeof(*f));
	return ch_watch_parse_custom(csv, strlen(csv), arena, s, f);
}

Test(watchlists, custom_csv)
{
	struct ch_watch_set s;
	struct ch_fault f;

	cr_assert_eq(custom_bytes("name,aliases,dob,nationality,gender,kind,"
				  "remarks\n"
				  "\"PETROV, Ivan\",Ivan Petroff; I. Petrov,"
				  "circa 1970,Russia;UA,M,,seen at the gate\n"
				  "ACME LTD,,,,,entity,\n",
			 &s, &f),
	    CH_OK, "%s: %s", f.field, f.detail);
	cr_assert_eq(s.n_entries, 2);
	cr_assert_str_eq(s.entries[0].ref, "PETROV, Ivan");
	cr_assert_eq(s.entries[0].n_names, 3);
	cr_assert(has_name(&s.entries[0], "I. Petrov", CH_NAME_STRONG));
	cr_assert(s.entries[0].dobs[0].circa);
	cr_assert_str_eq(s.entries[0].nationalities[0], "RU");
	cr_assert_str_eq(s.entries[0].nationalities[1], "UA");
	cr_assert_eq(s.entries[0].gender, 'M');
	cr_assert_str_eq(s.entries[0].remarks, "seen at the gate");
	cr_assert_eq(s.entries[1].kind, CH_WATCH_ENTITY);

	cr_assert_eq(custom_bytes("name,dob\nA,1960\nB,yesterday\n", &s, &f),
	    CH_ERR_INVALID);
	cr_assert_str_eq(f.field, "line 3, column dob");
	cr_assert_eq(s.n_entries, 0);
	cr_assert_eq(custom_bytes("name,nationality\nA,Atlantis\n", &s, &f),
	    CH_ERR_INVALID);
	cr_assert_str_eq(f.field, "line 2, column nationality");
	cr_assert_eq(
	    custom_bytes("name,gender\nA,X\n", &s, &f), CH_ERR_INVALID);
	cr_assert_str_eq(f.field, "line 2, column gender");
	cr_assert_eq(
	    custom_bytes("name,kind\nA,planet\n", &s, &f), CH_ERR_INVALID);
	cr_assert_str_eq(f.field, "line 2, column kind");
	cr_assert_eq(
	    custom_bytes("name,colour\nA,red\n", &s, &f), CH_ERR_INVALID);
	cr_assert_str_eq(f.field, "line 1");
	cr_assert(strstr(f.detail, "colour") != NULL);
	cr_assert_eq(custom_bytes("dob\n1960\n", &s, &f), CH_ERR_INVALID);
	cr_assert_eq(custom_bytes("name,dob\n,1960\n", &s, &f), CH_ERR_INVALID);
	cr_assert_str_eq(f.field, "line 2, column name");
	cr_assert_eq(custom_bytes("name\nA\nA\n", &s, &f), CH_ERR_INVALID);
	cr_assert(strstr(f.detail, "line 3") != NULL, "%s", f.detail);
	cr_assert_eq(custom_bytes("name,dob\nA\n", &s, &f), CH_ERR_INVALID);
	cr_assert_str_eq(f.field, "line 2");
	cr_assert_eq(custom_bytes("name\n", &s, &f), CH_ERR_INVALID);
	cr_assert_eq(custom_bytes("", &s, &f), CH_ERR_INVALID);
	cr_assert_eq(s.n_entries, 0);
}

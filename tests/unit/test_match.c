/*
 * test_match.c — the screening matching engine (screening/match.h):
 * normalisation across scripts, titles, particles and legal forms; the
 * phonetic keys and string measures; name scores (order, initials,
 * particles, missing and extra tokens); evidence (date of birth,
 * nationality, gender, kind); explanations as text and JSON; date
 * parsing; and the index returning what a full scan returns on a
 * generated list, from several threads at once.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "screening/match.h"
#include "screening/match_int.h"

/* The normalised tokens of NAME joined by spaces, titles and legal forms
 * in brackets, particles in angle brackets, initials followed by '.'. */
static void
tokens_of(const char *name, enum ch_watch_kind kind, char *out, size_t size)
{
	struct ch_match_name n;
	size_t used = 0;

	ch_match_normalise(name, kind, &n);
	out[0] = '\0';
	for (size_t i = 0; i < n.n_tokens && used < size; i++) {
		const struct ch_match_token *t = &n.tokens[i];
		bool bracket =
		    t->role == CH_TOKEN_TITLE || t->role == CH_TOKEN_SUFFIX;
		bool angle = t->role == CH_TOKEN_PARTICLE;

		used += (size_t)snprintf(out + used, size - used, "%s%s%s%s%s",
		    i > 0 ? " " : "",
		    bracket     ? "["
			: angle ? "<"
				: "",
		    t->text,
		    bracket     ? "]"
			: angle ? ">"
				: "",
		    t->role == CH_TOKEN_INITIAL ? "." : "");
	}
}

static double
name_score(const char *a, const char *b, enum ch_watch_kind kind)
{
	struct ch_match_name x, y;

	ch_match_normalise(a, kind, &x);
	ch_match_normalise(b, kind, &y);
	return ch_match_names(&x, &y, NULL);
}

static double
person(const char *a, const char *b)
{
	return name_score(a, b, CH_WATCH_INDIVIDUAL);
}

#define REVIEW (ch_match_params_default().review)
#define ALERT (ch_match_params_default().alert)

/* ---- normalisation ---- */

Test(normalise, latin_case_accents_punctuation)
{
	char t[256];

	tokens_of("  José-María  O'Brien ", CH_WATCH_INDIVIDUAL, t, sizeof(t));
	cr_expect_str_eq(t, "jose maria obrien");
}

Test(normalise, last_comma_first_is_reordered_for_people)
{
	char t[256];

	tokens_of("AL-ZAWAHIRI, Ayman", CH_WATCH_INDIVIDUAL, t, sizeof(t));
	cr_expect_str_eq(t, "ayman <al> zawahiri");
	tokens_of("CECOEX, S.A.", CH_WATCH_ENTITY, t, sizeof(t));
	cr_expect_str_eq(t, "cecoex [sa]");
}

Test(normalise, titles_and_particles)
{
	char t[256];

	tokens_of(
	    "Sheikh Dr. Isa bin Tarif", CH_WATCH_INDIVIDUAL, t, sizeof(t));
	cr_expect_str_eq(t, "[sheikh] [dr] isa <bin> tarif");
	tokens_of(
	    "Colonel Ludwig van Beethoven", CH_WATCH_INDIVIDUAL, t, sizeof(t));
	cr_expect_str_eq(t, "[colonel] ludwig <van> beethoven");
	/* A name of titles alone keeps them. */
	tokens_of("General", CH_WATCH_INDIVIDUAL, t, sizeof(t));
	cr_expect_str_eq(t, "general");
}

Test(normalise, legal_forms_of_bodies)
{
	char t[256];

	tokens_of(
	    "Open Joint Stock Company Gazprom", CH_WATCH_ENTITY, t, sizeof(t));
	cr_expect_str_eq(t, "[open] [joint] [stock] [company] gazprom");
	tokens_of("Siemens GmbH & Co. KG", CH_WATCH_ENTITY, t, sizeof(t));
	cr_expect_str_eq(t, "siemens [gmbh] [co] [kg]");
	/* For a person "co" is no legal form unless it ends the name. */
	tokens_of("J. Smith", CH_WATCH_INDIVIDUAL, t, sizeof(t));
	cr_expect_str_eq(t, "j. smith");
}

Test(normalise, glued_particle_is_recorded)
{
	struct ch_match_name n;

	ch_match_normalise("Alzawahiri", CH_WATCH_INDIVIDUAL, &n);
	cr_assert_eq(n.n_tokens, 1);
	cr_expect_eq(n.tokens[0].stem, 2);
	ch_match_normalise("Albert", CH_WATCH_INDIVIDUAL, &n);
	cr_expect_eq(n.tokens[0].stem, 0, "too short a rest to split");
}

Test(normalise, scripts_to_ascii)
{
	char t[256];

	tokens_of("Σοφία", CH_WATCH_INDIVIDUAL, t, sizeof(t));
	cr_expect_str_eq(t, "sophia");
	tokens_of("Владимир Путин", CH_WATCH_INDIVIDUAL, t, sizeof(t));
	cr_expect_str_eq(t, "vladimir putin");
	tokens_of("习近平", CH_WATCH_INDIVIDUAL, t, sizeof(t));
	cr_expect_str_eq(t, "xi jin ping");
	tokens_of("أيمن الظواهري", CH_WATCH_INDIVIDUAL, t, sizeof(t));
	cr_expect_str_eq(t, "aymn alzwahry");
}

Test(normalise, bad_utf8_and_limits)
{
	struct ch_match_name n;
	char big[4000];

	ch_match_normalise("Ab\xff\xfe Cd", CH_WATCH_INDIVIDUAL, &n);
	cr_expect_eq(n.n_tokens, 2);
	ch_match_normalise(NULL, CH_WATCH_INDIVIDUAL, &n);
	cr_expect_eq(n.n_tokens, 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (size_t i = 5; i < sizeof(big) - 1; i += 6)
		big[i] = ' ';
	ch_match_normalise(big, CH_WATCH_INDIVIDUAL, &n);
	cr_expect_eq(n.n_tokens, CH_MATCH_TOKENS_MAX);
}

/* ---- measures ---- */

Test(measures, jaro_winkler_known_values)
{
	cr_expect_float_eq(
	    ch_match_jaro_winkler("martha", "marhta"), 0.961, 0.001);
	cr_expect_float_eq(
	    ch_match_jaro_winkler("dixon", "dicksonx"), 0.813, 0.001);
	cr_expect_float_eq(ch_match_jaro_winkler("abc", "abc"), 1.0, 1e-9);
	cr_expect_float_eq(ch_match_jaro_winkler("abc", "xyz"), 0.0, 1e-9);
}

/* The least Jaro-Winkler of A against every word one edit from it (a
 * letter changed to one of the first ALPHA letters, dropped, added, or
 * swapped with its neighbour) where the longer of the two has at least
 * CH_MATCH_JW_ONE_EDIT_FROM letters. */
static double
one_edit_least(const char *a, size_t la, int alpha)
{
	char b[CH_MATCH_TOKEN_MAX + 1];
	double least = 1.0, v;

	for (size_t k = 0; k <= la; k++) {
		for (int c = 0; c < alpha; c++) {
			/* changed at k (the longer A), and added before k */
			if (k < la && la >= CH_MATCH_JW_ONE_EDIT_FROM &&
			    a[k] != 'a' + c) {
				memcpy(b, a, la);
				b[k] = (char)('a' + c);
				if ((v = ch_match_jaro_winkler_n(
					 a, la, b, la)) < least)
					least = v;
			}
			if (la + 1 < sizeof(b)) {
				memcpy(b, a, k);
				b[k] = (char)('a' + c);
				memcpy(b + k + 1, a + k, la - k);
				if ((v = ch_match_jaro_winkler_n(
					 a, la, b, la + 1)) < least)
					least = v;
				if ((v = ch_match_jaro_winkler_n(
					 b, la + 1, a, la)) < least)
					least = v;
			}
		}
		if (k + 1 < la && la >= CH_MATCH_JW_ONE_EDIT_FROM &&
		    a[k] != a[k + 1]) {
			memcpy(b, a, la);
			b[k] = a[k + 1];
			b[k + 1] = a[k];
			if ((v = ch_match_jaro_winkler_n(a, la, b, la)) < least)
				least = v;
		}
		/* dropped at k (the longer word is A) */
		if (k < la && la >= CH_MATCH_JW_ONE_EDIT_FROM) {
			memcpy(b, a, k);
			memcpy(b + k, a + k + 1, la - k - 1);
			if ((v = ch_match_jaro_winkler_n(a, la, b, la - 1)) <
			    least)
				least = v;
		}
	}
	return least;
}

/* The scorer takes the spelling similarity of two words one edit apart
 * as that edit's cap without computing Jaro-Winkler, from
 * CH_MATCH_JW_ONE_EDIT_FROM letters (score.c): Jaro-Winkler must then be
 * at least the floor.  Every word of up to twelve, nine and seven letters
 * over two, three and four letters, and random words to the longest. */
Test(measures, one_edit_reaches_the_floor)
{
	static const size_t longest[5] = {0, 0, 12, 9, 7};
	unsigned long long seed = 11;
	char a[CH_MATCH_TOKEN_MAX];
	double least = 1.0, v;

	for (int alpha = 2; alpha <= 4; alpha++)
		for (size_t len = CH_MATCH_JW_ONE_EDIT_FROM - 1;
		     len <= longest[alpha]; len++) {
			size_t total = 1;

			for (size_t i = 0; i < len; i++)
				total *= (size_t)alpha;
			for (size_t x = 0; x < total; x++) {
				size_t y = x;

				for (size_t i = 0; i < len; i++, y /= alpha)
					a[i] = (char)('a' + y % (size_t)alpha);
				if ((v = one_edit_least(a, len, alpha)) < least)
					least = v;
			}
		}
	for (int i = 0; i < 20000; i++) {
		int alpha;
		size_t len;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		alpha = 2 + (int)(seed >> 33) % 25;
		len = CH_MATCH_JW_ONE_EDIT_FROM +
		    (size_t)(seed >> 40) %
			(CH_MATCH_TOKEN_MAX - 1 - CH_MATCH_JW_ONE_EDIT_FROM);
		for (size_t k = 0; k < len; k++) {
			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			a[k] = (char)('a' + (int)(seed >> 33) % alpha);
		}
		if ((v = one_edit_least(a, len, alpha)) < least)
			least = v;
	}
	cr_expect_geq(least, CH_MATCH_TOKEN_FLOOR, "least %.4f", least);
}

/* Bits set in V, one at a time. */
static unsigned
bits_one_by_one(uint64_t v)
{
	unsigned n = 0;

	for (; v != 0; v >>= 1)
		n += (unsigned)(v & 1);
	return n;
}

/* Letters two words share, each counted as often as it occurs in both,
 * by reading them. */
static size_t
shared_by_reading(const char *a, const char *b)
{
	size_t count[256] = {0}, c = 0;

	for (; *a != '\0'; a++)
		count[(unsigned char)*a]++;
	for (; *b != '\0'; b++)
		if (count[(unsigned char)*b] > 0) {
			count[(unsigned char)*b]--;
			c++;
		}
	return c;
}

/* The letters' bit counts (ch_match_bits, ch_match_bits64 and the shared
 * letters counted from them) are the same with the popcnt instruction,
 * where the processor has it, and in software: against counting one bit
 * at a time and reading the words, both ways. */
Test(measures, bit_counts_agree)
{
	unsigned long long seed = 5;
	bool hw = false;

#ifdef CH_MATCH_POPCNT_ASM
	hw = ch_match_popcnt;
#endif
	for (int way = 0; way < 2; way++) {
#ifdef CH_MATCH_POPCNT_ASM
		ch_match_popcnt = way == 0 ? hw : false;
#endif
		cr_expect_eq(ch_match_bits(0), 0);
		cr_expect_eq(ch_match_bits(~0u), 32);
		cr_expect_eq(ch_match_bits64(~(uint64_t)0), 64);
		cr_expect_eq(ch_match_bits64((uint64_t)1 << 63), 1);
		for (int i = 0; i < 200000; i++) {
			uint64_t v;

			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			/* sparse and dense values as well as random */
			v = i % 3 == 0   ? seed & seed >> 17 & seed >> 29
			    : i % 3 == 1 ? seed | seed >> 13
					 : seed;
			cr_assert_eq(ch_match_bits((unsigned)v),
			    bits_one_by_one((unsigned)v), "%u",
			    (unsigned)v);
			cr_assert_eq(ch_match_bits64(v), bits_one_by_one(v),
			    "%llu", (unsigned long long)v);
			cr_assert_eq(ch_match_bits_soft((unsigned)v),
			    bits_one_by_one((unsigned)v));
			cr_assert_eq(
			    ch_match_bits64_soft(v), bits_one_by_one(v));
		}
		for (int i = 0; i < 20000; i++) {
			char wa[16], wb[16];
			struct ch_match_name na, nb;
			int alpha;

			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			alpha = 2 + (int)(seed >> 33) % 25;
			for (int k = 0; k < 15; k++) {
				size_t la = 1 + (size_t)(seed >> 20) % 15,
				       lb = 1 + (size_t)(seed >> 40) % 15;

				seed = seed * 6364136223846793005ULL +
				    1442695040888963407ULL;
				wa[k] = k < (int)la
				    ? (char)('a' + (int)(seed >> 33) % alpha)
				    : '\0';
				wb[k] = k < (int)lb
				    ? (char)('a' + (int)(seed >> 45) % alpha)
				    : '\0';
			}
			wa[15] = wb[15] = '\0';
			ch_match_normalise(wa, CH_WATCH_INDIVIDUAL, &na);
			ch_match_normalise(wb, CH_WATCH_INDIVIDUAL, &nb);
			if (na.n_tokens != 1 || nb.n_tokens != 1)
				continue;
			cr_assert_eq(ch_match_shared_letters(
					 &na.tokens[0], &nb.tokens[0]),
			    shared_by_reading(
				na.tokens[0].text, nb.tokens[0].text),
			    "%s %s", na.tokens[0].text, nb.tokens[0].text);
		}
	}
#ifdef CH_MATCH_POPCNT_ASM
	ch_match_popcnt = hw;
#endif
}

Test(measures, double_metaphone)
{
	char p[8], a[8], p2[8], a2[8];

	ch_match_metaphone("smith", p, a);
	cr_expect_str_eq(p, "SM0");
	cr_expect_str_eq(a, "XMT");
	ch_match_metaphone("schmidt", p2, a2);
	cr_expect_str_eq(p2, "XMT");
	ch_match_metaphone("Thomas", p, a);
	cr_expect_str_eq(p, "TMS");
	ch_match_metaphone("Qaddafi", p, a);
	ch_match_metaphone("Gaddafi", p2, a2);
	cr_expect_str_eq(p, p2);
	ch_match_metaphone("knight", p, a);
	cr_expect_str_eq(p, "NT");
	ch_match_metaphone("", p, a);
	cr_expect_str_eq(p, "");
}

Test(measures, skeleton_of_arabic_transliterations)
{
	struct ch_match_name a, b, c;

	ch_match_normalise("Muhammad", CH_WATCH_INDIVIDUAL, &a);
	ch_match_normalise("Mohamed", CH_WATCH_INDIVIDUAL, &b);
	ch_match_normalise("Hamid", CH_WATCH_INDIVIDUAL, &c);
	cr_expect_str_eq(a.tokens[0].skeleton, "mhmd");
	cr_expect_str_eq(a.tokens[0].skeleton, b.tokens[0].skeleton);
	cr_expect_str_neq(a.tokens[0].skeleton, c.tokens[0].skeleton);
}

/* ---- name scores ---- */

Test(score, identical_and_unrelated)
{
	cr_expect_float_eq(person("Olaf Scholz", "Olaf Scholz"), 1.0, 1e-9);
	cr_expect_lt(person("Usama bin Laden", "Angela Merkel"), 0.2);
}

Test(score, particles_every_way)
{
	double a = person("al-Zawahiri, Ayman", "Ayman Zawahiri");
	double b = person("Ayman Alzawahiri", "Ayman al-Zawahiri");
	double c = person("Ayman el Zawahiri", "AL-ZAWAHIRI, Ayman");

	cr_expect_geq(a, ALERT, "%f", a);
	cr_expect_geq(b, ALERT, "%f", b);
	cr_expect_geq(c, ALERT, "%f", c);
	cr_expect_geq(person("Abdulrahman Yasin", "Abdul Rahman Yasin"), ALERT);
}

Test(score, order_free_but_order_noticed)
{
	double same = person("Hans Friedrich", "Hans Friedrich");
	double swapped = person("Friedrich Hans", "Hans Friedrich");

	cr_expect_geq(swapped, ALERT, "%f", swapped);
	cr_expect_lt(swapped, same);
	cr_expect_geq(
	    person("ZARKARI, Haji Asad Khan", "Asad Khan Zarkari"), ALERT);
}

Test(score, initials)
{
	double i = person("J. Smith", "John Smith");
	double wrong = person("K. Smith", "John Smith");

	cr_expect_geq(i, REVIEW, "%f", i);
	cr_expect_lt(wrong, i);
}

Test(score, missing_costs_more_than_extra)
{
	/* The list has a middle name the visitor did not give ... */
	double extra = person("Ayman Zawahiri", "Ayman Muhammad Zawahiri");
	/* ... or the visitor gives one the list does not have. */
	double missing = person("Ayman Muhammad Zawahiri", "Ayman Zawahiri");
	/* One name in place of another is a different person. */
	double swap = person("Ayman Rabi Zawahiri", "Ayman Muhammad Zawahiri");

	cr_expect_gt(extra, missing);
	cr_expect_geq(missing, REVIEW);
	cr_expect_lt(swap, REVIEW, "%f", swap);
}

Test(score, typos_and_transliterations)
{
	cr_expect_geq(person("Olaf Scholze", "Olaf Scholz"), ALERT);
	cr_expect_geq(person("Muhammad Qaddafi", "Mohamed Gadhafi"), REVIEW);
	cr_expect_geq(person("Usama bin Ladin", "Osama bin Laden"), ALERT);
	cr_expect_lt(person("Viktor Orbach", "Viktor Orban"), REVIEW);
	cr_expect_lt(person("Andrei Navalny", "Alexei Navalny"), REVIEW);
}

/* Allowances that do not stack or do not apply: two Pinyin syllables are
 * two characters (Zheng is not Zhang), and a name that drops a glued
 * particle gets no vowel allowance besides (Karam is not Abdulkarim). */
Test(score, allowances_that_do_not_apply)
{
	cr_expect_lt(person("Lei Zheng", "ZHANG, Lei"), ALERT);
	cr_expect_lt(person("Wei Zhong", "ZHANG, Wei"), ALERT);
	cr_expect_geq(person("Zhang Lei", "ZHANG, Lei"), ALERT);
	cr_expect_lt(person("Mohamed Karam", "Mohamad Abdulkarim"), ALERT);
	cr_expect_geq(
	    person("Mohamed Abdulkarim", "Mohamad Abdul Karim"), ALERT);
	cr_expect_geq(person("Usama bin Ladin", "Osama bin Laden"), ALERT);
}

Test(score, scripts)
{
	double greek = person("Σοφία", "Sofia");
	double cyr = person("Владимир Путин", "Vladimir Putin");
	double arabic = person("أيمن الظواهري", "Ayman al-Zawahiri");
	double chinese = person("习近平", "Xi Jinping");

	cr_expect_geq(greek, REVIEW, "greek %f", greek);
	cr_expect_geq(cyr, ALERT, "cyrillic %f", cyr);
	cr_expect_geq(arabic, REVIEW, "arabic %f", arabic);
	cr_expect_geq(chinese, ALERT, "chinese %f", chinese);
	cr_expect_lt(person("习近朋", "习近平"), ALERT);
}

Test(score, companies)
{
	cr_expect_geq(name_score("Siemens Aktiengesellschaft", "Siemens AG",
			  CH_WATCH_ENTITY),
	    ALERT);
	cr_expect_geq(
	    name_score("SiemensAG", "Siemens AG", CH_WATCH_ENTITY), ALERT);
	cr_expect_lt(
	    name_score("Volkswagen AG", "Siemens AG", CH_WATCH_ENTITY), 0.2);
	cr_expect_lt(
	    name_score("Bank of Armenia", "Bank of America", CH_WATCH_ENTITY),
	    REVIEW);
}

/* ---- evidence and explanations ---- */

static struct ch_watch_name zawahiri_names[] = {
    {"AL-ZAWAHIRI, Ayman", CH_NAME_PRIMARY, false},
    {"Abu Muhammad", CH_NAME_WEAK, false},
};
static struct ch_watch_date zawahiri_dob[] = {{1951, 0, 6, 19, false}};
static const char *zawahiri_nat[] = {"EG"};
static const struct ch_watch_entry zawahiri = {
    .ref = "6908",
    .kind = CH_WATCH_INDIVIDUAL,
    .names = zawahiri_names,
    .n_names = 2,
    .dobs = zawahiri_dob,
    .n_dobs = 1,
    .nationalities = zawahiri_nat,
    .n_nationalities = 1,
    .gender = 'M',
};

static double
factor(const struct ch_match_explain *why, const char *name)
{
	for (size_t i = 0; i < why->n_factors; i++)
		if (strcmp(why->factors[i].name, name) == 0)
			return why->factors[i].contribution;
	return -99;
}

Test(evidence, date_of_birth)
{
	struct ch_match_explain why;
	struct ch_match_subject s = {.name = "Ayman Zawahiri"};
	double none, exact, year, near, far, range;

	none = ch_match_score(&s, &zawahiri, NULL);
	cr_assert(ch_match_parse_date("19 Jun 1951", &s.dob));
	exact = ch_match_score(&s, &zawahiri, &why);
	cr_expect_gt(factor(&why, "dob"), 0);
	cr_assert(ch_match_parse_date("1951", &s.dob));
	year = ch_match_score(&s, &zawahiri, NULL);
	cr_assert(ch_match_parse_date("1952", &s.dob));
	near = ch_match_score(&s, &zawahiri, NULL);
	cr_assert(ch_match_parse_date("1975", &s.dob));
	far = ch_match_score(&s, &zawahiri, &why);
	cr_expect_lt(factor(&why, "dob"), 0);
	cr_assert(ch_match_parse_date("circa 1953", &s.dob));
	range = ch_match_score(&s, &zawahiri, NULL);
	cr_expect_gt(exact, year);
	cr_expect_gt(year, near - 1e-9);
	cr_expect_float_eq(near, none, 1e-9);
	cr_expect_lt(far, none);
	cr_expect_gt(range, none);
}

Test(evidence, nationality_gender_kind)
{
	struct ch_match_subject s = {.name = "Ayman Zawahiri"};
	double base = ch_match_score(&s, &zawahiri, NULL);

	s.nationality = "EG";
	cr_expect_gt(ch_match_score(&s, &zawahiri, NULL), base);
	s.nationality = "NO";
	cr_expect_lt(ch_match_score(&s, &zawahiri, NULL), base);
	s.nationality = NULL;
	s.gender = 'F';
	cr_expect_lt(ch_match_score(&s, &zawahiri, NULL), base);
	s.gender = 0;
	s.kind = CH_WATCH_ENTITY;
	s.kind_known = true;
	cr_expect_lt(ch_match_score(&s, &zawahiri, NULL), base - 0.2);
}

Test(evidence, weak_alias_counts_less)
{
	struct ch_match_subject s = {.name = "Abu Muhammad"};
	struct ch_match_explain why;
	double v = ch_match_score(&s, &zawahiri, &why);

	cr_expect_lt(v, 1.0);
	cr_expect_eq(why.entry_name_index, 1);
	cr_expect_lt(factor(&why, "alias"), 0);
}

Test(explain, factors_add_up_and_render)
{
	struct ch_match_subject s = {
	    .name = "Dr. Aiman al-Zawahri", .nationality = "EG"};
	struct ch_match_explain why;
	struct ch_buf text;
	double sum = 0, v;
	json_t *j;
	char *dump;

	ch_match_parse_date("1951", &s.dob);
	v = ch_match_score(&s, &zawahiri, &why);
	for (size_t i = 0; i < why.n_factors; i++)
		sum += why.factors[i].contribution;
	cr_expect_float_eq(sum, v, 1e-9, "factors %f, score %f", sum, v);
	cr_expect_float_eq(why.score, v, 1e-12);
	cr_expect_geq(why.n_alignments, 2);
	ch_buf_init(&text, 1 << 16);
	cr_assert_eq(ch_match_explain_text(&why, &text), CH_OK);
	cr_assert_eq(ch_buf_append(&text, "", 1), CH_OK);
	cr_expect_not_null(strstr(text.data, "aiman ~ ayman"), "%s", text.data);
	cr_expect_not_null(strstr(text.data, "dob"));
	cr_expect_not_null(strstr(text.data, "nationality"));
	ch_buf_free(&text);
	j = ch_match_explain_json(&why);
	cr_assert_not_null(j);
	dump = json_dumps(j, JSON_COMPACT);
	cr_expect_not_null(strstr(dump, "\"how\""));
	cr_expect_not_null(strstr(dump, "\"factors\""));
	cr_expect_eq(json_array_size(json_object_get(j, "alignments")),
	    why.n_alignments);
	free(dump);
	json_decref(j);
}

/* ---- dates ---- */

Test(dates, forms)
{
	struct ch_watch_date d;

	cr_assert(ch_match_parse_date("1965-03-12", &d));
	cr_expect(d.year == 1965 && d.month == 3 && d.day == 12);
	cr_assert(ch_match_parse_date("12/03/1965", &d));
	cr_expect(d.year == 1965 && d.month == 3 && d.day == 12);
	cr_assert(ch_match_parse_date("12 Mar 1965", &d));
	cr_expect(d.year == 1965 && d.month == 3 && d.day == 12);
	cr_assert(ch_match_parse_date("March 1965", &d));
	cr_expect(d.year == 1965 && d.month == 3 && d.day == 0);
	cr_assert(ch_match_parse_date("circa 1965", &d));
	cr_expect(d.year == 1965 && d.circa);
	cr_assert(ch_match_parse_date("1960 to 1962", &d));
	cr_expect(d.year == 1960 && d.year_to == 1962);
	cr_assert(ch_match_parse_date("1960-1962", &d));
	cr_expect(d.year == 1960 && d.year_to == 1962);
	cr_expect_not(ch_match_parse_date("", &d));
	cr_expect_not(ch_match_parse_date("yesterday", &d));
	cr_expect_not(ch_match_parse_date("1965-13-01", &d));
	cr_expect_not(ch_match_parse_date("1962 to 1960", &d));
	cr_expect_not(ch_match_parse_date("12/03/1965 and more", &d));
	cr_expect_eq(d.year, 0, "a failed parse leaves nothing");
}

/* The index's cheap similarity (ch_match_token_similarity_floor) rejects
 * pairs by a bound on Jaro-Winkler: it must agree with the scorer on
 * every pair that reaches the floor, and reject every pair that does
 * not.  Words, their typos (a letter dropped, changed, doubled, two
 * swapped) and glued particles, every pair. */
Test(measures, floor_similarity_agrees_with_the_scorer)
{
	static const char *const words[] = {"Ahmed", "Ahmad", "Mohammed",
	    "Muhammad", "Mohamed", "Usama", "Osama", "Ladin", "Laden",
	    "Zawahiri", "Alzawahiri", "Zawahri", "Abdulrahman", "Rahman",
	    "Ivanov", "Ivanova", "Petrova", "Sergei", "Sergey", "Orban",
	    "Orbach", "Merkel", "Merkur", "Haqqani", "Hakkani", "Yusuf",
	    "Youssef", "Qadhafi", "Gaddafi", "Kadafi", "Li", "Lee", "Wei",
	    "Zhang", "Cheng", "Nguyen", "Garcia", "Garsia", "Karim", "Kareem",
	    "Fatima", "Fatma", "Aisha", "Ayesha", "Abu", "Sayyaf", "Abusayyaf",
	    "Khan", "Han", "Jo", "Joe", "Ana", "Anna"};
	enum { N_WORDS = sizeof(words) / sizeof(*words), VARIANTS = 6 };
	static struct ch_match_token tokens[N_WORDS * VARIANTS];
	size_t n = 0, agreed = 0;

	for (size_t w = 0; w < N_WORDS; w++)
		for (size_t v = 0; v < VARIANTS; v++) {
			char text[64];
			size_t len = strlen(words[w]), at = len / 2;
			struct ch_match_name name;

			if (v == 0 || len < 3)
				snprintf(text, sizeof(text), "%s", words[w]);
			else if (v == 1)
				snprintf(text, sizeof(text), "%.*s%s", (int)at,
				    words[w], words[w] + at + 1);
			else if (v == 2)
				snprintf(text, sizeof(text), "%.*sx%s", (int)at,
				    words[w], words[w] + at + 1);
			else if (v == 3)
				snprintf(text, sizeof(text), "%.*s%c%s",
				    (int)at + 1, words[w], words[w][at],
				    words[w] + at + 1);
			else if (v == 4)
				snprintf(text, sizeof(text), "%.*s%c%c%s",
				    (int)at - 1, words[w], words[w][at],
				    words[w][at - 1], words[w] + at + 1);
			else
				snprintf(text, sizeof(text), "Al%s", words[w]);
			ch_match_normalise(text, CH_WATCH_INDIVIDUAL, &name);
			for (size_t t = 0; t < name.n_tokens; t++)
				if (n < N_WORDS * VARIANTS &&
				    name.tokens[t].role == CH_TOKEN_NAME)
					tokens[n++] = name.tokens[t];
		}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			double full =
			    ch_match_token_similarity(&tokens[i], &tokens[j]);
			double cheap = ch_match_token_similarity_floor(
			    &tokens[i], &tokens[j]);

			if (full >= CH_MATCH_TOKEN_FLOOR) {
				cr_assert_float_eq(cheap, full, 1e-12,
				    "%s / %s: %f, cheaply %f", tokens[i].text,
				    tokens[j].text, full, cheap);
				agreed++;
			} else {
				cr_assert_lt(cheap, CH_MATCH_TOKEN_FLOOR,
				    "%s / %s: %f, cheaply %f", tokens[i].text,
				    tokens[j].text, full, cheap);
			}
		}
	/* Both sides of the floor were tried. */
	cr_assert_gt(agreed, n);
	cr_assert_lt(agreed, n * n / 2);
}

/* The same on random words of few letters with glued particles on
 * either side or both ("al", "el", "abu", "abd"), each against itself
 * with one to four letters changed, dropped or added (so that pairs fall
 * on both sides of the floor, sounds and skeletons agreeing or not): the
 * floor's similarity agrees with the scorer at and above the floor and
 * stays under it below, and the edits' test (ch_match_token_under_edits)
 * says "under" only of pairs under its floor, at four floors. */
Test(measures, floor_tests_agree_on_glued_particles)
{
	static const char *const glue[] = {"", "al", "el", "abu", "abd"};
	static const double floors[] = {0.60, 0.70, 0.80, 0.88};
	unsigned long long seed = 23;
	size_t above = 0, below = 0, under = 0;

	for (int i = 0; i < 40000; i++) {
		char wa[40], wb[40], base[24];
		struct ch_match_name na, nb;
		size_t len, edits, lb;
		int alpha;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		alpha = 3 + (int)(seed >> 33) % 8;
		len = 3 + (size_t)(seed >> 40) % 10;
		edits = 1 + (size_t)(seed >> 50) % 4;
		for (size_t k = 0; k < len; k++) {
			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			base[k] = (char)('a' + (int)(seed >> 33) % alpha);
		}
		base[len] = '\0';
		snprintf(wa, sizeof(wa), "%s%s", glue[(seed >> 20) % 5], base);
		lb = len;
		for (size_t e = 0; e < edits; e++) {
			size_t at;
			int op;

			seed = seed * 6364136223846793005ULL +
			    1442695040888963407ULL;
			at = (size_t)(seed >> 33) % lb;
			op = (int)(seed >> 45) % 3;
			if (op == 0)
				base[at] = (char)('a' + (int)(seed >> 50) % alpha);
			else if (op == 1 && lb > 2) {
				memmove(base + at, base + at + 1, lb - at);
				lb--;
			} else if (lb < sizeof(base) - 1) {
				memmove(base + at + 1, base + at, lb - at + 1);
				base[at] = (char)('a' + (int)(seed >> 50) % alpha);
				lb++;
			}
		}
		snprintf(wb, sizeof(wb), "%s%s", glue[(seed >> 24) % 5], base);
		ch_match_normalise(wa, CH_WATCH_INDIVIDUAL, &na);
		ch_match_normalise(wb, CH_WATCH_INDIVIDUAL, &nb);
		if (na.n_tokens != 1 || nb.n_tokens != 1 ||
		    na.tokens[0].role != CH_TOKEN_NAME ||
		    nb.tokens[0].role != CH_TOKEN_NAME)
			continue;
		for (int way = 0; way < 2; way++) {
			const struct ch_match_token *a =
						       &(way ? nb : na).tokens[0],
						   *b = &(way ? na : nb).tokens[0];
			double full = ch_match_token_similarity(a, b);
			double cheap = ch_match_token_similarity_floor(a, b);

			if (full >= CH_MATCH_TOKEN_FLOOR) {
				cr_assert_float_eq(cheap, full, 1e-12,
				    "%s / %s: %f, cheaply %f", a->text, b->text,
				    full, cheap);
				above++;
			} else {
				cr_assert_lt(cheap, CH_MATCH_TOKEN_FLOOR,
				    "%s / %s: %f, cheaply %f", a->text, b->text,
				    full, cheap);
				below++;
			}
			for (size_t f = 0; f < 4; f++)
				if (ch_match_token_under_edits(a, b, floors[f])) {
					cr_assert_lt(full, floors[f],
					    "%s / %s: %f under %.2f", a->text,
					    b->text, full, floors[f]);
					under++;
				}
		}
	}
	/* Both sides of the floor were tried, and the edits' test said
	 * "under" often. */
	cr_assert_gt(above, 5000);
	cr_assert_gt(below, 5000);
	cr_assert_gt(under, 5000);
}

/* ---- the index ---- */

static const char *const given[] = {"Ahmed", "Mohammed", "Muhammad", "Omar",
    "Ivan", "Sergei", "Anna", "Maria", "John", "Li", "Wei", "Fatima", "Hassan",
    "Yusuf", "Carlos", "Jose", "Olga", "Aisha", "Ali", "Karim"};
static const char *const family[] = {"al-Masri", "Haddad", "Ivanov", "Petrova",
    "Smith", "Wang", "Zhang", "Garcia", "Lopez", "Khan", "Rahman",
    "Abdulrahman", "bin Laden", "Zawahiri", "Kuznetsov", "Nguyen", "Haqqani",
    "Rodriguez", "Salem", "Aziz"};

#define LIST_SIZE 600

struct generated {
	struct ch_watch_entry entries[LIST_SIZE];
	struct ch_watch_name names[LIST_SIZE][2];
	char text[LIST_SIZE][2][96];
};

static unsigned long long
next_random(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
generate(struct generated *g)
{
	unsigned long long seed = 0x1234567;

	for (size_t i = 0; i < LIST_SIZE; i++) {
		for (size_t k = 0; k < 2; k++) {
			snprintf(g->text[i][k], sizeof(g->text[i][k]),
			    "%s %s %s", given[next_random(&seed) % 20],
			    given[next_random(&seed) % 20],
			    family[next_random(&seed) % 20]);
			g->names[i][k] = (struct ch_watch_name){g->text[i][k],
			    k == 0 ? CH_NAME_PRIMARY : CH_NAME_STRONG, false};
		}
		g->entries[i] = (struct ch_watch_entry){.ref = g->text[i][0],
		    .kind = CH_WATCH_INDIVIDUAL,
		    .names = g->names[i],
		    .n_names = 2};
	}
}

/* Queries: listed names, with a letter dropped or changed, reordered,
 * shortened, and names of the same parts not listed. */
static void
query_name(
    unsigned long long *seed, const struct generated *g, char *out, size_t size)
{
	const char *src = g->text[next_random(seed) % LIST_SIZE][0];
	size_t len = strlen(src), at = 1 + next_random(seed) % (len - 2);

	switch (next_random(seed) % 5) {
	case 0:
		snprintf(out, size, "%s", src);
		break;
	case 1:
		snprintf(out, size, "%.*s%s", (int)at, src, src + at + 1);
		break;
	case 2:
		snprintf(out, size, "%.*sx%s", (int)at, src, src + at + 1);
		break;
	case 3:
		snprintf(out, size, "%s %s", family[next_random(seed) % 20],
		    given[next_random(seed) % 20]);
		break;
	default:
		snprintf(out, size, "%s %s %s", given[next_random(seed) % 20],
		    family[next_random(seed) % 20],
		    family[next_random(seed) % 20]);
		break;
	}
}

static bool
same_hits(const struct ch_match_hit *a, size_t na, const struct ch_match_hit *b,
    size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].entry != b[i].entry ||
		    a[i].score < b[i].score - 1e-12 ||
		    a[i].score > b[i].score + 1e-12)
			return false;
	return true;
}

Test(index, equals_full_scan_on_a_generated_list)
{
	static struct generated g;
	struct ch_match_list list = {"generated", g.entries, LIST_SIZE};
	struct ch_match_index *ix;
	struct ch_match_params p = ch_match_params_default();
	struct ch_match_hit *a = calloc(20, sizeof(*a)),
			    *b = calloc(20, sizeof(*b));
	unsigned long long seed = 99;
	size_t differ = 0, total_hits = 0, scored = 0;

	generate(&g);
	ix = ch_match_index_create(&list, 1);
	cr_assert_not_null(ix);
	cr_expect_eq(ch_match_index_entries(ix), LIST_SIZE);
	cr_expect_eq(ch_match_index_names(ix), 2 * LIST_SIZE);
	p.top_k = 20;
	for (int i = 0; i < 300; i++) {
		char name[200];
		struct ch_match_subject s = {.name = name};
		size_t na, nb;

		query_name(&seed, &g, name, sizeof(name));
		cr_assert_eq(ch_match_query(ix, &s, &p, a, 20, &na), CH_OK);
		scored += ch_match_last_candidates();
		cr_assert_eq(ch_match_scan(ix, &s, &p, b, 20, &nb), CH_OK);
		total_hits += nb;
		if (!same_hits(a, na, b, nb)) {
			differ++;
			cr_log_info("differs: %s (%zu vs %zu)", name, na, nb);
		}
		for (size_t h = 0; h < na; h++) {
			cr_expect_geq(a[h].score, p.review);
			cr_expect_eq(a[h].level,
			    a[h].score >= p.alert ? CH_MATCH_ALERT
						  : CH_MATCH_REVIEW);
			if (h > 0)
				cr_expect_geq(a[h - 1].score, a[h].score);
		}
	}
	cr_expect_gt(total_hits, 300, "the queries must find something");
	cr_expect_eq(
	    differ, 0, "%zu of 300 queries differ from a scan", differ);
	cr_expect_lt(scored, 300 * 2 * LIST_SIZE / 2,
	    "the index scores a fraction of the list (%zu)", scored);
	ch_match_index_destroy(ix);
	free(a);
	free(b);
}

Test(index, empty_query_and_empty_list)
{
	struct ch_match_index *ix = ch_match_index_create(NULL, 0);
	struct ch_match_params p = ch_match_params_default();
	struct ch_match_hit hits[2];
	struct ch_match_subject s = {.name = " ,.- "};
	size_t n = 9;

	cr_assert_not_null(ix);
	cr_expect_eq(ch_match_query(ix, &s, &p, hits, 2, &n), CH_ERR_INVALID);
	cr_expect_eq(n, 0);
	s.name = "John Smith";
	cr_expect_eq(ch_match_query(ix, &s, &p, hits, 2, &n), CH_OK);
	cr_expect_eq(n, 0);
	ch_match_index_destroy(ix);
	ch_match_index_destroy(NULL);
}

struct worker {
	const struct ch_match_index *ix;
	const struct generated *g;
	unsigned long long seed;
	size_t hits;
	bool ok;
	/* what one thread alone found, before the others started */
	const struct ch_watch_entry *expect_entry[100][10];
	double expect_score[100][10];
	size_t expect_n[100];
};

/* The hits of query I of a worker's sequence, into HITS. */
static size_t
worker_query(const struct ch_match_index *ix, const struct generated *g,
    unsigned long long *seed, int i, struct ch_match_hit *hits)
{
	struct ch_match_params p = ch_match_params_default();
	char name[200];
	struct ch_match_subject s = {.name = name};
	size_t n = 0;

	query_name(seed, g, name, sizeof(name));
	if (i % 7 == 0)
		snprintf(name, sizeof(name), "Мухаммад Хан");
	ch_match_query(ix, &s, &p, hits, 10, &n);
	return n;
}

/* The worker's queries, one thread alone, before the others start. */
static void
expect(struct worker *w)
{
	struct ch_match_hit *a = calloc(10, sizeof(*a));
	unsigned long long seed = w->seed;

	for (int i = 0; i < 100; i++) {
		w->expect_n[i] = worker_query(w->ix, w->g, &seed, i, a);
		for (size_t h = 0; h < w->expect_n[i]; h++) {
			w->expect_entry[i][h] = a[h].entry;
			w->expect_score[i][h] = a[h].score;
		}
	}
	free(a);
}

/* Each thread runs its queries while the others run theirs: the same
 * hits and scores as alone. */
static void *
work(void *arg)
{
	struct worker *w = arg;
	struct ch_match_hit *a = calloc(10, sizeof(*a));
	unsigned long long seed = w->seed;

	w->ok = true;
	for (int i = 0; i < 100; i++) {
		size_t n = worker_query(w->ix, w->g, &seed, i, a);

		w->ok = w->ok && n == w->expect_n[i];
		for (size_t h = 0; w->ok && h < n; h++)
			w->ok = a[h].entry == w->expect_entry[i][h] &&
			    a[h].score == w->expect_score[i][h];
		w->hits += n;
	}
	free(a);
	return NULL;
}

/* Four threads at once, each query cut first (CUT_FROM 0) or none cut
 * (SIZE_MAX). */
static void
concurrent(size_t cut_from)
{
	static struct generated g;
	struct ch_match_list list = {"generated", g.entries, LIST_SIZE};
	struct ch_match_index *ix;
	static struct worker w[4];
	pthread_t t[4];

	generate(&g);
	ix = ch_match_index_create(&list, 1);
	cr_assert_not_null(ix);
	ch_match_index_set_cut(ix, cut_from);
	for (int i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].ix = ix;
		w[i].g = &g;
		w[i].seed = 1000 + (unsigned)i;
		expect(&w[i]);
	}
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		cr_expect(w[i].ok,
		    "thread %d answered differently from alone (cut from %zu)",
		    i, cut_from);
		cr_expect_gt(w[i].hits, 0);
	}
	ch_match_index_destroy(ix);
}

Test(index, concurrent_queries)
{
	concurrent(SIZE_MAX);
	concurrent(0);
}

Test(index, hits_name_their_list)
{
	static struct ch_watch_name n1 = {
	    "Ivan Petrov", CH_NAME_PRIMARY, false};
	static struct ch_watch_name n2 = {
	    "PETROV, Ivan", CH_NAME_PRIMARY, false};
	static const struct ch_watch_entry e1 = {.ref = "a",
	    .kind = CH_WATCH_INDIVIDUAL,
	    .names = &n1,
	    .n_names = 1};
	static const struct ch_watch_entry e2 = {.ref = "b",
	    .kind = CH_WATCH_INDIVIDUAL,
	    .names = &n2,
	    .n_names = 1};
	struct ch_match_list lists[] = {{"one", &e1, 1}, {"two", &e2, 1}};
	struct ch_match_index *ix = ch_match_index_create(lists, 2);
	struct ch_match_params p = ch_match_params_default();
	struct ch_match_hit hits[4];
	struct ch_match_subject s = {.name = "Ivan Petrov"};
	size_t n;

	cr_assert_eq(ch_match_query(ix, &s, &p, hits, 4, &n), CH_OK);
	cr_assert_eq(n, 2);
	cr_expect_eq(hits[0].list + hits[1].list, 1);
	cr_expect_eq(hits[0].level, CH_MATCH_ALERT);
	p.top_k = 1;
	cr_assert_eq(ch_match_query(ix, &s, &p, hits, 4, &n), CH_OK);
	cr_expect_eq(n, 1);
	ch_match_index_destroy(ix);
}

Test(index, equal_scores_keep_the_first_listed)
{
	/* Twenty entries that score alike, then ten that score higher: the
	 * index visits the higher ones first (best bound first), yet ties at
	 * the end of the top are the first listed, as in a scan. */
	static struct ch_watch_name names[30];
	static struct ch_watch_entry entries[30];
	struct ch_match_list list = {"ties", entries, 30};
	struct ch_match_index *ix;
	struct ch_match_params p = ch_match_params_default();
	struct ch_match_hit a[15], b[15];
	struct ch_match_subject s = {.name = "Omar Haddad"};
	size_t na, nb;

	for (size_t i = 0; i < 30; i++) {
		names[i] = (struct ch_watch_name){
		    i < 20 ? "Omar Hadad" : "Omar Haddad", CH_NAME_PRIMARY,
		    false};
		entries[i] = (struct ch_watch_entry){.ref = "t",
		    .kind = CH_WATCH_INDIVIDUAL,
		    .names = &names[i],
		    .n_names = 1};
	}
	ix = ch_match_index_create(&list, 1);
	cr_assert_not_null(ix);
	p.top_k = 15;
	cr_assert_eq(ch_match_query(ix, &s, &p, a, 15, &na), CH_OK);
	cr_assert_eq(ch_match_scan(ix, &s, &p, b, 15, &nb), CH_OK);
	cr_assert_eq(na, 15);
	cr_assert_eq(nb, 15);
	for (size_t h = 0; h < 15; h++) {
		cr_expect_eq(a[h].entry, b[h].entry, "hit %zu", h);
		cr_expect_eq(a[h].score, b[h].score, "hit %zu", h);
		/* The ten exact names first, then entries 0 to 4. */
		cr_expect_eq(a[h].entry, &entries[h < 10 ? 20 + h : h - 10],
		    "hit %zu", h);
	}
	cr_expect_gt(a[0].score, a[14].score);
	ch_match_index_destroy(ix);
}

/*
 * Each name of an entry with many aliases, screened as listed, finds the
 * entry through THAT name (score 1) and is explained by it: the index
 * must not settle for another name of the entry (the SDN's "WEI, Hsueh
 * Kang" has seven aliases; "WEI, Shao-Kang" against the primary name
 * alone scores 0.400).
 */
Test(index, every_alias_of_an_entry_scores_as_itself)
{
	static struct ch_watch_name names[] = {
	    {"WEI, Hsueh Kang", CH_NAME_PRIMARY, false},
	    {"CHARNCHAI, Chiwinnitipanya", CH_NAME_STRONG, false},
	    {"CHIVINNITIPANYA, Prasit", CH_NAME_STRONG, false},
	    {"CHIWINNITIPANYA, Charnchai", CH_NAME_STRONG, false},
	    {"PRASIT, Chivinnitipanya", CH_NAME_STRONG, false},
	    {"PRASIT, Cheewinnittipanya", CH_NAME_STRONG, false},
	    {"WEI, Shao-Kang", CH_NAME_STRONG, false},
	    {"WEI, Sia-Kang", CH_NAME_STRONG, false},
	};
	static struct ch_watch_name other[] = {
	    {"WEI, Zhao", CH_NAME_PRIMARY, false},
	};
	static const struct ch_watch_entry e[] = {
	    {.ref = "wei",
		.kind = CH_WATCH_INDIVIDUAL,
		.names = names,
		.n_names = sizeof(names) / sizeof(names[0])},
	    {.ref = "zhao",
		.kind = CH_WATCH_INDIVIDUAL,
		.names = other,
		.n_names = 1},
	};
	struct ch_match_list list = {"sdn", e, 2};
	struct ch_match_index *ix = ch_match_index_create(&list, 1);
	struct ch_match_params p = ch_match_params_default();
	struct ch_match_hit hits[4];

	cr_assert_not_null(ix);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct ch_match_subject s = {.name = names[i].full};
		size_t n = 0;

		cr_assert_eq(ch_match_query(ix, &s, &p, hits, 4, &n), CH_OK);
		cr_assert_geq(n, 1, "%s: no hit", names[i].full);
		cr_expect_str_eq(hits[0].entry->ref, "wei", "%s: first is %s",
		    names[i].full, hits[0].entry->ref);
		cr_expect_geq(hits[0].score, 0.999, "%s scores %.3f",
		    names[i].full, hits[0].score);
		cr_expect_eq(hits[0].why.entry_name_index, i,
		    "%s: explained by name %zu", names[i].full,
		    hits[0].why.entry_name_index);
	}
	ch_match_index_destroy(ix);
}

/*
 * The cut of large queries (index.c, cut_build) drops, before reading
 * them, names that a bound puts under the threshold; the bound must be
 * true, so results must be the same with the cut and without.  Forced
 * on every query of a list made to meet what may align without a key in
 * common: initials, particles spelt otherwise and words spelt as
 * particles, glued particles, words of one and two letters, long words
 * three edits apart, patronymics, syllables and words that join and
 * split on either side, legal forms; at review, at a low threshold, and
 * with evidence (which lowers the cut's threshold).
 */
static const char *const cut_parts[] = {"J", "John", "Jon", "Jonathan", "M",
    "Li", "Lo", "Xi", "Xu", "Hao", "Fan", "Haofan", "Song", "Nam", "Songnam",
    "Abdul", "Abd", "Abdel", "Rahman", "Abdulrahman", "Abdurrahman", "Muhammad",
    "Mohamed", "Mohammad", "Ahmed", "Ahmad", "Abu", "Ibn", "Ben", "bin", "Al",
    "el", "Ould", "Ahmadinejad", "Ahmadinezhad", "Kuznetsova", "Kouznetsova",
    "Kusnezowa", "Vladimirovich", "Alexandrovna", "Sergei", "Sergey", "O'Brien",
    "Obrien", "Alzawahiri", "Zawahiri", "Zawahri", "Karim", "Karam",
    "Abdulkarim", "Haqqani", "Chiwinnitipanya", "Chivinnitipanya",
    "Cheewinnittipanya", "Wei", "Zheng", "Zhang", "Ali", "Aly", "Hassan",
    "Hasan", "Khan", "2nd", "Dr", "Haji"};
#define CUT_PARTS (sizeof(cut_parts) / sizeof(cut_parts[0]))
#define CUT_LIST 3000

static void
cut_name(unsigned long long *seed, char *out, size_t size, bool mutate)
{
	size_t n = 1 + next_random(seed) % 4, used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used + 40 < size; i++) {
		const char *part = cut_parts[next_random(seed) % CUT_PARTS];
		size_t len = strlen(part), at = next_random(seed) % len;
		/* Joined to the last part, or apart. */
		const char *sep = i == 0                   ? ""
		    : mutate && next_random(seed) % 6 == 0 ? ""
							   : " ";

		switch (mutate ? next_random(seed) % 5 : 0) {
		case 1: /* a letter dropped */
			used += (size_t)snprintf(out + used, size - used,
			    "%s%.*s%s", sep, (int)at, part, part + at + 1);
			break;
		case 2: /* a letter changed */
			used += (size_t)snprintf(out + used, size - used,
			    "%s%.*sy%s", sep, (int)at, part, part + at + 1);
			break;
		default:
			used += (size_t)snprintf(
			    out + used, size - used, "%s%s", sep, part);
			break;
		}
	}
}

Test(index, the_cut_changes_no_result)
{
	static struct ch_watch_entry entries[CUT_LIST];
	static struct ch_watch_name names[CUT_LIST];
	static char text[CUT_LIST][200];
	static const char *nat[] = {"EG"};
	static struct ch_watch_date dob = {1960, 0, 0, 0, false};
	struct ch_match_list list = {"cut", entries, CUT_LIST};
	struct ch_match_index *ix;
	struct ch_match_hit *a = calloc(10, sizeof(*a)),
			    *b = calloc(10, sizeof(*b));
	unsigned long long seed = 4711;
	size_t hits = 0, read_cut = 0, read_all = 0;

	for (size_t i = 0; i < CUT_LIST; i++) {
		bool body = i % 10 == 0;

		cut_name(&seed, text[i], sizeof(text[i]), false);
		if (body)
			strcat(
			    text[i], next_random(&seed) % 2 ? " Ltd" : " AG");
		names[i] = (struct ch_watch_name){text[i],
		    i % 7 == 0 ? CH_NAME_WEAK : CH_NAME_PRIMARY, false};
		entries[i] = (struct ch_watch_entry){.ref = text[i],
		    .kind = body ? CH_WATCH_ENTITY : CH_WATCH_INDIVIDUAL,
		    .names = &names[i],
		    .n_names = 1,
		    .dobs = i % 3 == 0 ? &dob : NULL,
		    .n_dobs = i % 3 == 0 ? 1 : 0};
	}
	ix = ch_match_index_create(&list, 1);
	cr_assert_not_null(ix);
	for (int i = 0; i < 1500; i++) {
		char name[200];
		struct ch_match_params p = ch_match_params_default();
		struct ch_match_subject s = {.name = name};
		size_t na = 0, nb = 0;

		cut_name(&seed, name, sizeof(name), true);
		if (i % 3 == 1)
			p.review = 0.30;
		if (i % 4 == 2) {
			s.dob = dob;
			s.nationality = nat[0];
		}
		ch_match_index_set_cut(ix, SIZE_MAX);
		if (ch_match_query(ix, &s, &p, a, 10, &na) != CH_OK)
			continue;
		read_all += ch_match_last_candidates();
		ch_match_index_set_cut(ix, 0);
		cr_assert_eq(ch_match_query(ix, &s, &p, b, 10, &nb), CH_OK);
		read_cut += ch_match_last_candidates();
		hits += na;
		cr_expect(same_hits(a, na, b, nb) &&
			(na == 0 || a[0].score == b[0].score),
		    "%s: %zu hits without the cut, %zu with it", name, na, nb);
	}
	cr_expect_gt(hits, 1500, "the queries must find something (%zu)", hits);
	cr_expect_lt(read_cut, read_all,
	    "the cut must spare some names (%zu of %zu scored)", read_cut,
	    read_all);
	ch_match_index_destroy(ix);
	free(a);
	free(b);
}

/* Entries of one primary name each, an individual's, named by their ref. */
static void
one_name_entries(const char *const *listed, size_t n,
    struct ch_watch_entry *entries, struct ch_watch_name *names)
{
	for (size_t i = 0; i < n; i++) {
		names[i] =
		    (struct ch_watch_name){listed[i], CH_NAME_PRIMARY, false};
		entries[i] = (struct ch_watch_entry){.ref = listed[i],
		    .kind = CH_WATCH_INDIVIDUAL,
		    .names = &names[i],
		    .n_names = 1};
	}
}

/* Two neighbouring words joined against one of the other side, where the
 * side with the pair has another word of the same first letter: the
 * query keeps the compound similarities it finds per pair and per query
 * word (index.c), and a value kept for the wrong word would drop a hit
 * from the bound ("Hong Haofan" for "Hao Fan Hong"; "Fo Fan Hai" for
 * "Fanhai Fo"). */
Test(index, joined_words_beside_words_of_their_letter)
{
	static const char *listed[] = {"Hao Fan Hong", "Fanhai Fo",
	    "Hai Fan Hong", "Fan Hai Fo", "Hong Lin", "Lin Hao", "Wei Haofan",
	    "Abdul Rahman Ali", "Ali Abdulrahman", "Fo Hong", "Hong Fo",
	    "Haofan Hu", "Hu Fanhai"};
	static const char *asked[] = {"Hong Haofan", "Fo Fan Hai",
	    "Haofan Hong", "Fofan Hai", "Hong Hai Fan", "Hao Fan Hong",
	    "Fanhai Fo", "Ali Abdul Rahman", "Hu Hao Fan", "Hai Fan Hu",
	    "Fanhai Hong", "Hong Fan Hai"};
	enum { N = sizeof(listed) / sizeof(listed[0]) };
	static struct ch_watch_entry entries[N];
	static struct ch_watch_name names[N];
	struct ch_match_list list = {"joined", entries, N};
	struct ch_match_index *ix;
	struct ch_match_hit a[10], b[10];
	size_t hits = 0;
	bool found = false;

	one_name_entries(listed, N, entries, names);
	ix = ch_match_index_create(&list, 1);
	cr_assert_not_null(ix);
	for (size_t q = 0; q < sizeof(asked) / sizeof(asked[0]); q++)
		for (int cut = 0; cut < 2; cut++) {
			struct ch_match_params p = ch_match_params_default();
			struct ch_match_subject s = {.name = asked[q]};
			size_t na = 0, nb = 0;

			ch_match_index_set_cut(ix, cut ? 0 : SIZE_MAX);
			cr_assert_eq(
			    ch_match_query(ix, &s, &p, a, 10, &na), CH_OK);
			cr_assert_eq(
			    ch_match_scan(ix, &s, &p, b, 10, &nb), CH_OK);
			cr_expect(same_hits(a, na, b, nb),
			    "%s (cut %d): %zu hits, the scan %zu", asked[q],
			    cut, na, nb);
			hits += nb;
			for (size_t h = 0; q == 0 && h < nb; h++)
				found = found || b[h].entry == &entries[0];
		}
	cr_expect(found, "Hong Haofan must find Hao Fan Hong");
	cr_expect_gt(hits, 20, "the queries must find something (%zu)", hits);
	ch_match_index_destroy(ix);
}

/* Long words with two and three edits, listed and asked: the cut scans
 * the words of nearby lengths for them (no key in common), and passes
 * over those the query's first step compared — a word compared for
 * another query word must still be scanned, or this fails. */
static const char *const long_parts[] = {"Abdulrahman", "Abdurrahman",
    "Muhammad", "Mohamed", "Mohammad", "Ahmed", "Ahmad", "Ahmadinejad",
    "Ahmadinezhad", "Kuznetsova", "Kouznetsova", "Kusnezowa", "Vladimirovich",
    "Alexandrovna", "Alzawahiri", "Zawahiri", "Zawahri", "Abdulkarim",
    "Haqqani", "Chiwinnitipanya", "Chivinnitipanya", "Cheewinnittipanya",
    "Hassan", "Hasan", "Ali", "Wei", "Alexander", "Aleksandr", "Aliaksandr",
    "Oleksandr", "Konstantinov", "Konstantinovich", "Khristoforov",
    "Christoforou", "Abdelrahim", "Abdulraheem"};
#define LONG_PARTS (sizeof(long_parts) / sizeof(long_parts[0]))
#define LONG_LIST 3000

static void
long_name(unsigned long long *seed, char *out, size_t size, int edits)
{
	size_t n = 1 + next_random(seed) % 3, used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used + 40 < size; i++) {
		char w[64];
		size_t l;
		int k = edits > 0 ? (int)(next_random(seed) % (edits + 1)) : 0;

		snprintf(w, sizeof(w), "%s",
		    long_parts[next_random(seed) % LONG_PARTS]);
		l = strlen(w);
		for (int e = 0; e < k && l > 2; e++) {
			size_t at = 1 + next_random(seed) % (l - 1);

			switch (next_random(seed) % 3) {
			case 0: /* a letter dropped */
				memmove(w + at, w + at + 1, l - at);
				l--;
				break;
			case 1: /* a letter changed */
				w[at] =
				    "aeiouhklmnrsdtyz"[next_random(seed) % 16];
				break;
			default: /* a letter added */
				memmove(w + at + 1, w + at, l - at + 1);
				w[at] = "aeiouyhk"[next_random(seed) % 8];
				l++;
				break;
			}
		}
		used += (size_t)snprintf(
		    out + used, size - used, "%s%s", i > 0 ? " " : "", w);
	}
}

/* Two query words joined find the listed words two edits off from nine
 * letters (the compound floor, 0.80, is reached there: 0.82) through the
 * keys without a pair of letters, of the joined words (two letters
 * changed) or of the listed ones (two dropped): index against scan, each
 * query finding its entry. */
Test(index, joined_words_two_edits_off)
{
	static const char *listed[] = {"Karimullah", "Karimulah", "Sadrudinov",
	    "Kamil Ullah", "Karim Khan", "Ullah Said"};
	/* katimulbah, katimulbh: two letters changed (no sound or
	 * skeleton in common); karmulah, sadrdinv: two dropped (eight
	 * letters) */
	static const struct {
		const char *asked;
		size_t entry;
	} cases[] = {{"Katim Ulbah", 0}, {"Katim Ulbh", 1}, {"Karm Ulah", 0},
	    {"Sadr Dinv", 2}};
	enum { N = sizeof(listed) / sizeof(listed[0]) };
	static struct ch_watch_entry entries[N];
	static struct ch_watch_name names[N];
	struct ch_match_list list = {"two edits", entries, N};
	struct ch_match_index *ix;
	struct ch_match_hit a[10], b[10];

	one_name_entries(listed, N, entries, names);
	ix = ch_match_index_create(&list, 1);
	cr_assert_not_null(ix);
	for (size_t q = 0; q < sizeof(cases) / sizeof(cases[0]); q++) {
		struct ch_match_params p = ch_match_params_default();
		struct ch_match_subject s = {.name = cases[q].asked};
		size_t na = 0, nb = 0;
		bool found = false;

		p.review = 0.30;
		cr_assert_eq(ch_match_query(ix, &s, &p, a, 10, &na), CH_OK);
		cr_assert_eq(ch_match_scan(ix, &s, &p, b, 10, &nb), CH_OK);
		cr_expect(same_hits(a, na, b, nb), "%s: %zu hits, the scan %zu",
		    cases[q].asked, na, nb);
		for (size_t h = 0; h < na; h++)
			found = found || a[h].entry == &entries[cases[q].entry];
		cr_expect(found, "%s must find %s", cases[q].asked,
		    listed[cases[q].entry]);
	}
	ch_match_index_destroy(ix);
}

Test(index, the_cut_of_misspelt_long_words_changes_no_result)
{
	static struct ch_watch_entry entries[LONG_LIST];
	static struct ch_watch_name names[LONG_LIST];
	static char text[LONG_LIST][200];
	struct ch_match_list list = {"long", entries, LONG_LIST};
	struct ch_match_index *ix;
	struct ch_match_hit a[10], b[10];
	unsigned long long seed = 4711;
	size_t hits = 0, differ = 0;

	for (size_t i = 0; i < LONG_LIST; i++) {
		long_name(&seed, text[i], sizeof(text[i]), i % 2 ? 2 : 0);
		names[i] =
		    (struct ch_watch_name){text[i], CH_NAME_PRIMARY, false};
		entries[i] = (struct ch_watch_entry){.ref = text[i],
		    .kind = CH_WATCH_INDIVIDUAL,
		    .names = &names[i],
		    .n_names = 1};
	}
	ix = ch_match_index_create(&list, 1);
	cr_assert_not_null(ix);
	for (int i = 0; i < 4000; i++) {
		char name[200];
		struct ch_match_params p = ch_match_params_default();
		struct ch_match_subject s = {.name = name};
		size_t na = 0, nb = 0;

		long_name(&seed, name, sizeof(name), 3);
		if (i % 2 == 1)
			p.review = 0.30;
		ch_match_index_set_cut(ix, SIZE_MAX);
		if (ch_match_query(ix, &s, &p, a, 10, &na) != CH_OK)
			continue;
		ch_match_index_set_cut(ix, 0);
		cr_assert_eq(ch_match_query(ix, &s, &p, b, 10, &nb), CH_OK);
		hits += na;
		if (!same_hits(a, na, b, nb)) {
			differ++;
			cr_log_info("differs: %s (%zu vs %zu)", name, na, nb);
		}
	}
	cr_expect_eq(
	    differ, 0, "%zu of 4000 queries differ with the cut", differ);
	cr_expect_gt(hits, 4000, "the queries must find something (%zu)", hits);
	ch_match_index_destroy(ix);
}

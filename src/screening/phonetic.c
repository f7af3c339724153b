/*
 * phonetic.c — the string measures of name matching: Jaro-Winkler
 * similarity, Double Metaphone keys (Lawrence Philips' rules, written here
 * from their description: a primary and an alternate code per word, for
 * the English, Germanic, Slavic, Romance and Greek spellings of a name),
 * and the consonant skeleton used for names transliterated from Arabic
 * and Persian, where short vowels are not written and vary from one
 * transliteration to the next ("Mohammed", "Muhamad", "Mohamad": "mhmd").
 * Everything here works on ASCII lower- or upper-case letters only.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "screening/match.h"
#include "screening/match_int.h"

/* ---- Jaro-Winkler ---- */

double
ch_match_jaro_winkler(const char *a, const char *b)
{
	return ch_match_jaro_winkler_n(a, strlen(a), b, strlen(b));
}

double
ch_match_jaro_winkler_n(const char *a, size_t la, const char *b, size_t lb)
{
	enum { WORDS = CH_MATCH_NAME_MAX / 64 };
	uint64_t fa[WORDS], fb[WORDS];
	size_t window, m = 0, t = 0, k = 0;
	double jaro;
	size_t prefix = 0;

	if (la == 0 && lb == 0)
		return 1.0;
	if (la == 0 || lb == 0)
		return 0.0;
	if (la >= CH_MATCH_NAME_MAX)
		la = CH_MATCH_NAME_MAX - 1;
	if (lb >= CH_MATCH_NAME_MAX)
		lb = CH_MATCH_NAME_MAX - 1;
	window = (la > lb ? la : lb) / 2;
	window = window > 0 ? window - 1 : 0;
	if (la <= 64 && lb <= 64) {
		/* A word (the usual case): the matched letters of each side
		 * in one machine word, the same matches in the same order.
		 * Letter i of A takes the first letter of B in its window that
		 * is the same and not taken: the lowest bit of B's positions
		 * of that letter (pos, set for the letters of B, cleared for
		 * those of A), less those taken, within the window. */
		uint64_t ma = 0, mb = 0, pos[256];

		for (size_t i = 0; i < la; i++)
			pos[(unsigned char)a[i]] = 0;
		for (size_t j = 0; j < lb; j++)
			pos[(unsigned char)b[j]] = 0;
		for (size_t j = 0; j < lb; j++)
			pos[(unsigned char)b[j]] |= (uint64_t)1 << j;
		for (size_t i = 0; i < la; i++) {
			size_t lo = i > window ? i - window : 0;
			size_t hi = i + window + 1 < lb ? i + window + 1 : lb;
			uint64_t in, free_;

			if (lo >= hi)
				continue;
			in = (hi >= 64 ? ~(uint64_t)0
				       : ((uint64_t)1 << hi) - 1) &
			    ~(((uint64_t)1 << lo) - 1);
			free_ = pos[(unsigned char)a[i]] & ~mb & in;
			if (free_ == 0)
				continue;
			ma |= (uint64_t)1 << i;
			mb |= free_ & (~free_ + 1);
			m++;
		}
		if (m == 0)
			return 0.0;
		while (ma != 0) {
			if (a[__builtin_ctzll(ma)] != b[__builtin_ctzll(mb)])
				t++;
			ma &= ma - 1;
			mb &= mb - 1;
		}
		goto score;
	}
	memset(fa, 0, ((la + 63) / 64) * sizeof(*fa));
	memset(fb, 0, ((lb + 63) / 64) * sizeof(*fb));
	for (size_t i = 0; i < la; i++) {
		size_t lo = i > window ? i - window : 0;
		size_t hi = i + window + 1 < lb ? i + window + 1 : lb;

		for (size_t j = lo; j < hi; j++) {
			if ((fb[j / 64] >> (j % 64) & 1) != 0 || a[i] != b[j])
				continue;
			fa[i / 64] |= (uint64_t)1 << (i % 64);
			fb[j / 64] |= (uint64_t)1 << (j % 64);
			m++;
			break;
		}
	}
	if (m == 0)
		return 0.0;
	for (size_t i = 0; i < la; i++) {
		if ((fa[i / 64] >> (i % 64) & 1) == 0)
			continue;
		while ((fb[k / 64] >> (k % 64) & 1) == 0)
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
score:
	jaro = ((double)m / (double)la + (double)m / (double)lb +
		   ((double)m - (double)t / 2.0) / (double)m) /
	    3.0;
	while (
	    prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
		prefix++;
	return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

/* ---- consonant skeleton ---- */

static bool
is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' ||
	    c == 'y';
}

/*
 * The skeleton of an ASCII lower-case word: digraphs folded (kh k, gh g,
 * dh d, th t, ph f, sh s, ch s, ou u), q and c read as k, vowels and a
 * final h dropped, doubled letters folded: "Abdulrahman" "bdlrhmn",
 * "Qaddafi" and "Gadhafi" differ by their first letter only.
 */
void
ch_match_skeleton(const char *word, char *out, size_t size)
{
	size_t n = 0;
	char last = 0;

	for (size_t i = 0; word[i] != '\0' && n + 1 < size; i++) {
		char c = word[i], next = word[i + 1];

		if (!isalpha((unsigned char)c))
			continue;
		if (next == 'h' && strchr("kgdtpsc", c) != NULL) {
			c = c == 'p' ? 'f' : c == 'c' ? 's' : c;
			i++;
		} else if (c == 'q' || c == 'c') {
			c = 'k';
		} else if (c == 'z' && last == 'd') {
			continue;
		}
		if (is_vowel(c) || c == 'w')
			continue;
		if (c == 'h' && word[i + 1] == '\0')
			continue;
		if (c == last)
			continue;
		out[n++] = c;
		last = c;
	}
	out[n] = '\0';
}

/* ---- Double Metaphone ---- */

struct dm {
	const char *w; /* upper case, NUL-terminated */
	int len;
	char p[CH_MATCH_PHON_MAX + 1], a[CH_MATCH_PHON_MAX + 1];
	int np, na;
};

static void
add2(struct dm *d, const char *p, const char *a)
{
	for (; *p != '\0' && d->np < CH_MATCH_PHON_MAX; p++)
		d->p[d->np++] = *p;
	for (; *a != '\0' && d->na < CH_MATCH_PHON_MAX; a++)
		d->a[d->na++] = *a;
}

static void
add(struct dm *d, const char *both)
{
	add2(d, both, both);
}

static char
at(const struct dm *d, int i)
{
	return i >= 0 && i < d->len ? d->w[i] : '\0';
}

/* Whether one of the NUL-separated, double-NUL-ended strings in LIST
 * occurs at position I of the word. */
static bool
has(const struct dm *d, int i, const char *list)
{
	if (i < 0)
		return false;
	for (; *list != '\0'; list += strlen(list) + 1) {
		size_t n = strlen(list);

		if ((size_t)i + n <= (size_t)d->len &&
		    memcmp(d->w + i, list, n) == 0)
			return true;
	}
	return false;
}

static bool
vowel_at(const struct dm *d, int i)
{
	char c = at(d, i);

	return c != '\0' && strchr("AEIOUY", c) != NULL;
}

static bool
slavo_germanic(const struct dm *d)
{
	return strchr(d->w, 'W') != NULL || strchr(d->w, 'K') != NULL ||
	    strstr(d->w, "CZ") != NULL || strstr(d->w, "WITZ") != NULL;
}

static bool
germanic(const struct dm *d)
{
	return has(d, 0, "VAN \0VON \0SCH\0");
}

/* The letter C at I; returns how many letters were read. */
static int
dm_c(struct dm *d, int i)
{
	if (i > 1 && !vowel_at(d, i - 2) && has(d, i - 1, "ACH\0") &&
	    at(d, i + 2) != 'I' &&
	    (at(d, i + 2) != 'E' || has(d, i - 2, "BACHER\0MACHER\0"))) {
		add(d, "K");
		return 2;
	}
	if (i == 0 && has(d, i, "CAESAR\0")) {
		add(d, "S");
		return 2;
	}
	if (has(d, i, "CHIA\0")) {
		add(d, "K");
		return 2;
	}
	if (has(d, i, "CH\0")) {
		if (i > 0 && has(d, i, "CHAE\0")) {
			add2(d, "K", "X");
			return 2;
		}
		if (i == 0 &&
		    (has(d, 1, "HARAC\0HARIS\0HOR\0HYM\0HIA\0HEM\0")) &&
		    !has(d, 0, "CHORE\0")) {
			add(d, "K");
			return 2;
		}
		if (germanic(d) || has(d, i - 2, "ORCHES\0ARCHIT\0ORCHID\0") ||
		    at(d, i + 2) == 'T' || at(d, i + 2) == 'S' ||
		    ((i == 0 || strchr("AOUE", at(d, i - 1)) != NULL) &&
			at(d, i + 2) != '\0' &&
			strchr("LRNMBHFVW ", at(d, i + 2)) != NULL)) {
			add(d, "K");
		} else if (i > 0) {
			if (has(d, 0, "MC\0"))
				add(d, "K");
			else
				add2(d, "X", "K");
		} else {
			add(d, "X");
		}
		return 2;
	}
	if (has(d, i, "CZ\0") && !has(d, i - 2, "WICZ\0")) {
		add2(d, "S", "X");
		return 2;
	}
	if (has(d, i + 1, "CIA\0")) {
		add(d, "X");
		return 3;
	}
	if (has(d, i, "CC\0") && !(i == 1 && at(d, 0) == 'M')) {
		if (strchr("IEH", at(d, i + 2)) != NULL &&
		    at(d, i + 2) != '\0' && !has(d, i + 2, "HU\0")) {
			if ((i == 1 && at(d, 0) == 'A') ||
			    has(d, i - 1, "UCCEE\0UCCES\0"))
				add(d, "KS");
			else
				add(d, "X");
			return 3;
		}
		add(d, "K");
		return 2;
	}
	if (has(d, i, "CK\0CG\0CQ\0")) {
		add(d, "K");
		return 2;
	}
	if (has(d, i, "CI\0CE\0CY\0")) {
		if (has(d, i, "CIO\0CIE\0CIA\0"))
			add2(d, "S", "X");
		else
			add(d, "S");
		return 2;
	}
	add(d, "K");
	if (has(d, i + 1, " C\0 Q\0 G\0"))
		return 3;
	if (strchr("CKQ", at(d, i + 1)) != NULL && at(d, i + 1) != '\0' &&
	    !has(d, i + 1, "CE\0CI\0"))
		return 2;
	return 1;
}

static int
dm_g(struct dm *d, int i)
{
	if (at(d, i + 1) == 'H') {
		if (i > 0 && !vowel_at(d, i - 1)) {
			add(d, "K");
			return 2;
		}
		if (i == 0) {
			add(d, at(d, i + 2) == 'I' ? "J" : "K");
			return 2;
		}
		if ((i > 1 && strchr("BHD", at(d, i - 2)) != NULL) ||
		    (i > 2 && strchr("BHD", at(d, i - 3)) != NULL) ||
		    (i > 3 && strchr("BH", at(d, i - 4)) != NULL))
			return 2;
		if (i > 2 && at(d, i - 1) == 'U' &&
		    strchr("CGLRT", at(d, i - 3)) != NULL) {
			add(d, "F");
		} else if (i > 0 && at(d, i - 1) != 'I') {
			add(d, "K");
		}
		return 2;
	}
	if (at(d, i + 1) == 'N') {
		if (i == 1 && vowel_at(d, 0) && !slavo_germanic(d))
			add2(d, "KN", "N");
		else if (!has(d, i + 2, "EY\0") && at(d, i + 1) != 'Y' &&
		    !slavo_germanic(d))
			add2(d, "N", "KN");
		else
			add(d, "KN");
		return 2;
	}
	if (has(d, i + 1, "LI\0") && !slavo_germanic(d)) {
		add2(d, "KL", "L");
		return 2;
	}
	if (i == 0 &&
	    (at(d, 1) == 'Y' ||
		has(d, 1, "ES\0EP\0EB\0EL\0EY\0IB\0IL\0IN\0IE\0EI\0ER\0"))) {
		add2(d, "K", "J");
		return 2;
	}
	if ((has(d, i + 1, "ER\0") || at(d, i + 1) == 'Y') &&
	    !has(d, 0, "DANGER\0RANGER\0MANGER\0") &&
	    strchr("EI", at(d, i - 1 < 0 ? 0 : i - 1)) == NULL &&
	    !has(d, i - 1, "RGY\0OGY\0")) {
		add2(d, "K", "J");
		return 2;
	}
	if ((at(d, i + 1) != '\0' && strchr("EIY", at(d, i + 1)) != NULL) ||
	    has(d, i - 1, "AGGI\0OGGI\0")) {
		if (germanic(d) || has(d, i + 1, "ET\0"))
			add(d, "K");
		else if (has(d, i + 1, "IER \0") ||
		    (has(d, i + 1, "IER\0") && i + 4 == d->len))
			add(d, "J");
		else
			add2(d, "J", "K");
		return 2;
	}
	add(d, "K");
	return at(d, i + 1) == 'G' ? 2 : 1;
}

static int
dm_s(struct dm *d, int i)
{
	if (has(d, i - 1, "ISL\0YSL\0"))
		return 1;
	if (i == 0 && has(d, 0, "SUGAR\0")) {
		add2(d, "X", "S");
		return 1;
	}
	if (has(d, i, "SH\0")) {
		if (has(d, i + 1, "HEIM\0HOEK\0HOLM\0HOLZ\0"))
			add(d, "S");
		else
			add(d, "X");
		return 2;
	}
	if (has(d, i, "SIO\0SIA\0SIAN\0")) {
		if (slavo_germanic(d))
			add(d, "S");
		else
			add2(d, "S", "X");
		return 3;
	}
	if ((i == 0 && has(d, 1, "M\0N\0L\0W\0")) || at(d, i + 1) == 'Z') {
		add2(d, "S", "X");
		return at(d, i + 1) == 'Z' ? 2 : 1;
	}
	if (has(d, i, "SC\0")) {
		if (at(d, i + 2) == 'H') {
			if (has(d, i + 3, "OO\0ER\0EN\0UY\0ED\0EM\0")) {
				if (has(d, i + 3, "ER\0EN\0"))
					add2(d, "X", "SK");
				else
					add(d, "SK");
			} else if (i == 0 && !vowel_at(d, 3) &&
			    at(d, 3) != 'W') {
				add2(d, "X", "S");
			} else {
				add(d, "X");
			}
			return 3;
		}
		if (at(d, i + 2) != '\0' &&
		    strchr("IEY", at(d, i + 2)) != NULL) {
			add(d, "S");
			return 3;
		}
		add(d, "SK");
		return 3;
	}
	if (i == d->len - 1 && has(d, i - 2, "AI\0OI\0"))
		add2(d, "", "S");
	else
		add(d, "S");
	return strchr("SZ", at(d, i + 1)) != NULL && at(d, i + 1) != '\0' ? 2
									  : 1;
}

static int
dm_t(struct dm *d, int i)
{
	if (has(d, i, "TION\0TIA\0TCH\0")) {
		add(d, "X");
		return 3;
	}
	if (has(d, i, "TH\0TTH\0")) {
		if (has(d, i + 2, "OM\0AM\0") || germanic(d))
			add(d, "T");
		else
			add2(d, "0", "T");
		return 2;
	}
	add(d, "T");
	return strchr("TD", at(d, i + 1)) != NULL && at(d, i + 1) != '\0' ? 2
									  : 1;
}

static int
dm_w(struct dm *d, int i)
{
	if (has(d, i, "WR\0")) {
		add(d, "R");
		return 2;
	}
	if (i == 0 && (vowel_at(d, 1) || at(d, 1) == 'H')) {
		if (vowel_at(d, 1))
			add2(d, "A", "F");
		else
			add(d, "A");
		return 1;
	}
	if ((i == d->len - 1 && vowel_at(d, i - 1)) ||
	    has(d, i - 1, "EWSKI\0EWSKY\0OWSKI\0OWSKY\0") ||
	    has(d, 0, "SCH\0")) {
		add2(d, "", "F");
		return 1;
	}
	if (has(d, i, "WICZ\0WITZ\0")) {
		add2(d, "TS", "FX");
		return 4;
	}
	return 1;
}

/* One letter (or group) at I; returns how many letters were read. */
static int
dm_letter(struct dm *d, int i)
{
	char c = at(d, i), n = at(d, i + 1);

	switch (c) {
	case 'A':
	case 'E':
	case 'I':
	case 'O':
	case 'U':
	case 'Y':
		if (i == 0)
			add(d, "A");
		return 1;
	case 'B':
		add(d, "P");
		return n == 'B' ? 2 : 1;
	case 'C':
		return dm_c(d, i);
	case 'D':
		if (has(d, i, "DG\0")) {
			if (strchr("IEY", at(d, i + 2)) != NULL &&
			    at(d, i + 2) != '\0') {
				add(d, "J");
				return 3;
			}
			add(d, "TK");
			return 2;
		}
		add(d, "T");
		return n == 'T' || n == 'D' ? 2 : 1;
	case 'F':
	case 'K':
	case 'L':
	case 'M':
	case 'N':
	case 'R':
		if (c == 'L' && n == 'L' &&
		    ((i == d->len - 3 && has(d, i - 1, "ILLO\0ILLA\0ALLE\0")) ||
			((has(d, d->len - 2, "AS\0OS\0") ||
			     strchr("AO", at(d, d->len - 1)) != NULL) &&
			    has(d, i - 1, "ALLE\0")))) {
			add2(d, "L", "");
			return 2;
		}
		if (c == 'M' && has(d, i - 1, "UMB\0") &&
		    (i + 1 == d->len - 1 || has(d, i + 2, "ER\0"))) {
			add(d, "M");
			return 2;
		}
		if (c == 'R' && i == d->len - 1 && !slavo_germanic(d) &&
		    has(d, i - 2, "IE\0") && !has(d, i - 4, "ME\0MA\0")) {
			add2(d, "", "R");
			return 1;
		}
		add(d, (char[]){c, '\0'});
		return n == c ? 2 : 1;
	case 'G':
		return dm_g(d, i);
	case 'H':
		if ((i == 0 || vowel_at(d, i - 1)) && vowel_at(d, i + 1)) {
			add(d, "H");
			return 2;
		}
		return 1;
	case 'J':
		if (has(d, i, "JOSE\0") || has(d, 0, "SAN \0")) {
			if ((i == 0 && at(d, i + 4) == ' ') ||
			    has(d, 0, "SAN \0"))
				add(d, "H");
			else
				add2(d, "J", "H");
			return 1;
		}
		if (i == 0)
			add2(d, "J", "A");
		else if (vowel_at(d, i - 1) && !slavo_germanic(d) &&
		    (n == 'A' || n == 'O'))
			add2(d, "J", "H");
		else if (i == d->len - 1)
			add2(d, "J", "");
		else
			add(d, "J");
		return n == 'J' ? 2 : 1;
	case 'P':
		if (n == 'H') {
			add(d, "F");
			return 2;
		}
		add(d, "P");
		return n == 'P' || n == 'B' ? 2 : 1;
	case 'Q':
		add(d, "K");
		return n == 'Q' ? 2 : 1;
	case 'S':
		return dm_s(d, i);
	case 'T':
		return dm_t(d, i);
	case 'V':
		add(d, "F");
		return n == 'V' ? 2 : 1;
	case 'W':
		return dm_w(d, i);
	case 'X':
		if (i == 0) {
			add(d, "S");
			return 1;
		}
		if (!(i == d->len - 1 &&
			(has(d, i - 3, "IAU\0EAU\0") ||
			    has(d, i - 2, "AU\0OU\0"))))
			add(d, "KS");
		return n == 'C' || n == 'X' ? 2 : 1;
	case 'Z':
		if (n == 'H') {
			add(d, "J");
			return 2;
		}
		if (has(d, i + 1, "ZO\0ZI\0ZA\0") ||
		    (slavo_germanic(d) && i > 0 && at(d, i - 1) != 'T'))
			add2(d, "S", "TS");
		else
			add(d, "S");
		return n == 'Z' ? 2 : 1;
	default:
		return 1;
	}
}

void
ch_match_metaphone(const char *word, char primary[8], char alternate[8])
{
	char up[CH_MATCH_TOKEN_MAX + 1];
	struct dm d = {0};
	int n = 0, i = 0;

	for (; n < CH_MATCH_TOKEN_MAX && word[n] != '\0'; n++)
		up[n] = (char)toupper((unsigned char)word[n]);
	up[n] = '\0';
	d.w = up;
	d.len = n;
	if (has(&d, 0, "GN\0KN\0PN\0WR\0PS\0"))
		i = 1;
	while (
	    i < d.len && (d.np < CH_MATCH_PHON_MAX || d.na < CH_MATCH_PHON_MAX))
		i += dm_letter(&d, i);
	d.p[d.np] = '\0';
	d.a[d.na] = '\0';
	memcpy(primary, d.p, (size_t)d.np + 1);
	memcpy(alternate, d.a, (size_t)d.na + 1);
}

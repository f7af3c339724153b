/*
 * normalise.c — a name in any script to the tokens the scorer compares.
 *
 * 1. ASCII: NFKC, ICU transliteration to Latin then ASCII, lower case
 *    (ch_name_ascii in core/names.c: per-thread transliterators, ASCII
 *    input skips ICU).
 * 2. Order: a listed "LAST, First" of an individual is read "First LAST".
 * 3. Tokens: runs of letters and digits; apostrophes inside a word are
 *    dropped ("O'Brien" obrien, "Sa'id" said), every other character
 *    separates ("al-Zawahiri" al zawahiri).  For bodies (entities,
 *    vessels, aircraft) runs of single letters are joined ("S.A." sa).
 * 4. Roles from word tables: titles and honorifics of people (dr, sheikh,
 *    haji, colonel ...), particles (al, bin, ibn, abu, van, de ...), legal
 *    forms of bodies (ltd, gmbh, sa ...), and initials (one letter of a
 *    person's name).  A name made only of titles or legal forms keeps them
 *    as names.
 * 5. Keys per token: Double Metaphone, consonant skeleton, and the length
 *    of a particle glued to the name ("Alzawahiri", "Abdulaziz"), so that
 *    the scorer and the index can read the name without it.
 *
 * Also here: the date-of-birth parser for subjects and importers.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"
#include "screening/match.h"
#include "screening/match_int.h"

/* Words as NUL-separated, double-NUL-ended lists. */
static const char titles[] =
    "mr\0mrs\0ms\0miss\0mx\0dr\0doctor\0prof\0professor\0sir\0dame\0"
    "lord\0lady\0sheikh\0shaikh\0sheik\0shaykh\0cheikh\0sheekh\0haji\0"
    "hajji\0hadji\0hajj\0haj\0alhaj\0alhajj\0mullah\0mulla\0mawlawi\0"
    "maulvi\0maulana\0mawlana\0molvi\0qari\0imam\0ayatollah\0"
    "hojatoleslam\0general\0gen\0colonel\0col\0major\0maj\0captain\0"
    "capt\0lieutenant\0lt\0sergeant\0sgt\0admiral\0adm\0brigadier\0"
    "commander\0cmdr\0marshal\0president\0minister\0senator\0judge\0"
    "rev\0reverend\0father\0prince\0princess\0king\0queen\0emir\0jr\0"
    "sr\0ii\0iii\0iv\0hon\0excellency\0his\0her\0";

static const char particles[] =
    "al\0el\0ul\0ad\0as\0ash\0az\0bin\0ben\0ibn\0ibni\0bint\0binti\0"
    "abu\0abou\0abo\0abd\0abdul\0abdel\0abdal\0abdol\0ould\0wuld\0van\0"
    "von\0der\0den\0de\0da\0di\0du\0del\0della\0dello\0dos\0das\0do\0"
    "le\0la\0lo\0ter\0ten\0zu\0y\0e\0";

static const char body_stopwords[] =
    "the\0and\0of\0for\0und\0et\0y\0de\0del\0la\0le\0les\0des\0da\0di\0"
    "al\0el\0";

static const char legal_forms[] =
    "ltd\0limited\0llc\0inc\0incorporated\0corp\0corporation\0co\0"
    "company\0cie\0gmbh\0mbh\0ag\0aktiengesellschaft\0gesellschaft\0kg\0"
    "sa\0sas\0sarl\0spa\0srl\0sro\0bv\0nv\0plc\0llp\0lp\0oy\0ab\0as\0"
    "asa\0ooo\0oao\0zao\0pao\0ao\0jsc\0ojsc\0cjsc\0pjsc\0pte\0pty\0"
    "sdn\0bhd\0kk\0fze\0fzco\0fzc\0fzllc\0lda\0ltda\0cv\0se\0tic\0sti\0"
    "sirketi\0est\0establishment\0joint\0stock\0liability\0"
    "partnership\0obsestvo\0obshchestvo\0akcionernoe\0aktsionernoe\0"
    "ogranicennoj\0ogranichennoy\0otvetstvennostu\0"
    "otvetstvennostyu\0societatea\0raspundere\0limitata\0spolka\0sp\0"
    "zoo\0s\0";

/* Words that are part of a legal form when one follows them ("Open Joint
 * Stock Company", "Publicnoe akcionernoe obsestvo"). */
static const char legal_openers[] =
    "open\0closed\0public\0private\0publicnoe\0zakrytoe\0otkrytoe\0"
    "cu\0";

/* Particles spelt differently in different transliterations. */
static const char *const particle_canon[][2] = {
    {"el", "al"},
    {"ul", "al"},
    {"ad", "al"},
    {"as", "al"},
    {"ash", "al"},
    {"az", "al"},
    {"ben", "bin"},
    {"ibn", "bin"},
    {"ibni", "bin"},
    {"binti", "bint"},
    {"abou", "abu"},
    {"abo", "abu"},
    {"abdul", "abd"},
    {"abdel", "abd"},
    {"abdal", "abd"},
    {"abdol", "abd"},
    {"wuld", "ould"},
    {"von", "van"},
};

/* Particles that are glued to a name in some spellings, and the least
 * length of the rest for the split to count. */
static const struct {
	const char *prefix;
	size_t min_rest;
} glued[] = {
    {"abdul", 4},
    {"abdel", 4},
    {"abdal", 4},
    {"abdol", 4},
    {"abd", 4},
    {"abu", 4},
    {"al", 5},
    {"el", 5},
};

static bool
in_list(const char *list, const char *word)
{
	for (; *list != '\0'; list += strlen(list) + 1)
		if (list[0] == word[0] && strcmp(list, word) == 0)
			return true;
	return false;
}

const char *
ch_match_token_canon(const struct ch_match_token *t)
{
	return t->canon != 0 ? particle_canon[t->canon - 1][1] : t->text;
}

/* The letters of TEXT that occur at least k times, in MORE[k - 1] for k
 * from 1 to 4; *MOST the most times one does, UCHAR_MAX when TEXT holds a
 * character not a letter or digit (shared letters are then counted from
 * the text). */
static void
count_letters(const char *text, unsigned more[4], unsigned char *most)
{
	unsigned char count[26] = {0};

	memset(more, 0, 4 * sizeof(*more));
	*most = 0;
	for (const char *c = text; *c != '\0'; c++) {
		unsigned char k;

		if (*c < 'a' || *c > 'z') {
			if (*c < '0' || *c > '9')
				*most = UCHAR_MAX;
			continue;
		}
		k = ++count[*c - 'a'];
		if (k <= 4)
			more[k - 1] |= 1u << (*c - 'a');
		if (k > *most && *most != UCHAR_MAX)
			*most = k;
	}
}

void
ch_match_token_keys(struct ch_match_token *t)
{
	const char *base;

	t->stem = 0;
	if (t->role == CH_TOKEN_NAME) {
		size_t len = strlen(t->text);

		for (size_t i = 0; i < sizeof(glued) / sizeof(*glued); i++) {
			size_t n = strlen(glued[i].prefix);

			if (len >= n + glued[i].min_rest &&
			    strncmp(t->text, glued[i].prefix, n) == 0) {
				t->stem = (unsigned char)n;
				break;
			}
		}
	}
	base = t->text + t->stem;
	t->letters = 0;
	t->digit = false;
	for (const char *c = t->text; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			t->letters |= 1u << (*c - 'a');
		else if (*c >= '0' && *c <= '9')
			t->digit = true;
	{
		unsigned more[4];

		count_letters(t->text, more, &t->most);
		memcpy(t->letters_more, more + 1, sizeof(t->letters_more));
		count_letters(
		    t->text + t->stem, t->base_letters, &t->base_most);
	}
	t->n_letters = (unsigned char)__builtin_popcount(t->letters);
	t->canon = 0;
	for (size_t i = 0; i < sizeof(particle_canon) / sizeof(*particle_canon);
	     i++)
		if (strcmp(particle_canon[i][0], t->text) == 0) {
			t->canon = (unsigned char)(i + 1);
			break;
		}
	t->len = (unsigned char)strnlen(t->text, CH_MATCH_TOKEN_MAX - 1);
	t->pinyin = ch_match_pinyin_syllable(t->text);
	t->weight = ch_match_role_weight(t);
	ch_match_metaphone(base, t->phon1, t->phon2);
	ch_match_skeleton(base, t->skeleton, sizeof(t->skeleton));
}

static bool
is_body(enum ch_watch_kind kind)
{
	return kind == CH_WATCH_ENTITY || kind == CH_WATCH_VESSEL ||
	    kind == CH_WATCH_AIRCRAFT;
}

/* "LAST, First more" -> "First more LAST" in place (first comma only). */
static void
reorder_last_first(char *s)
{
	char tmp[CH_MATCH_NAME_MAX];
	char *comma = strchr(s, ',');
	const char *rest;
	size_t head;

	if (comma == NULL)
		return;
	head = (size_t)(comma - s);
	rest = comma + 1;
	while (*rest == ' ')
		rest++;
	if (*rest == '\0' || head == 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s %.*s", rest, (int)head, s);
	snprintf(s, CH_MATCH_NAME_MAX, "%s", tmp);
}

static void
push_token(struct ch_match_name *out, const char *text, size_t len)
{
	struct ch_match_token *t;

	if (len == 0 || out->n_tokens >= CH_MATCH_TOKENS_MAX)
		return;
	if (len >= CH_MATCH_TOKEN_MAX)
		len = CH_MATCH_TOKEN_MAX - 1;
	t = &out->tokens[out->n_tokens++];
	memset(t, 0, sizeof(*t));
	memcpy(t->text, text, len);
	t->text[len] = '\0';
}

static void
tokenise(const char *s, struct ch_match_name *out)
{
	char word[CH_MATCH_TOKEN_MAX];
	size_t n = 0;

	for (;; s++) {
		char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (n + 1 < sizeof(word))
				word[n++] = c;
			continue;
		}
		/* An apostrophe between letters joins them. */
		if ((c == '\'' || c == '`') && n > 0 &&
		    isalnum((unsigned char)s[1]))
			continue;
		push_token(out, word, n);
		n = 0;
		if (c == '\0')
			break;
	}
}

/* For bodies: "s a" -> "sa", "j s c" -> "jsc". */
static void
join_single_letters(struct ch_match_name *out)
{
	size_t w = 0;

	for (size_t r = 0; r < out->n_tokens; r++) {
		struct ch_match_token *prev =
		    w > 0 ? &out->tokens[w - 1] : NULL;
		size_t plen = prev != NULL ? strlen(prev->text) : 0;

		if (prev != NULL && strlen(out->tokens[r].text) == 1 &&
		    plen + 1 < CH_MATCH_TOKEN_MAX &&
		    strspn(prev->text, "abcdefghijklmnopqrstuvwxyz") == plen &&
		    r > 0 && strlen(out->tokens[r - 1].text) == 1) {
			prev->text[plen] = out->tokens[r].text[0];
			prev->text[plen + 1] = '\0';
			continue;
		}
		if (w != r)
			out->tokens[w] = out->tokens[r];
		w++;
	}
	out->n_tokens = w;
}

static void
assign_roles(struct ch_match_name *out, enum ch_watch_kind kind)
{
	bool body = is_body(kind), person = !body;
	bool other = kind == CH_WATCH_OTHER;
	size_t names = 0;

	for (size_t i = 0; i < out->n_tokens; i++) {
		struct ch_match_token *t = &out->tokens[i];

		t->role = CH_TOKEN_NAME;
		if (person && in_list(titles, t->text))
			t->role = CH_TOKEN_TITLE;
		else if ((body || other) && in_list(legal_forms, t->text))
			t->role = CH_TOKEN_SUFFIX;
		else if (person && in_list(particles, t->text))
			t->role = CH_TOKEN_PARTICLE;
		else if (body && in_list(body_stopwords, t->text))
			t->role = CH_TOKEN_PARTICLE;
		else if (person && t->text[1] == '\0' &&
		    !isdigit((unsigned char)t->text[0]))
			t->role = CH_TOKEN_INITIAL;
	}
	for (size_t i = out->n_tokens; i-- > 0;) {
		struct ch_match_token *t = &out->tokens[i];

		if ((body || other) && i + 1 < out->n_tokens &&
		    out->tokens[i + 1].role == CH_TOKEN_SUFFIX &&
		    in_list(legal_openers, t->text))
			t->role = CH_TOKEN_SUFFIX;
		/* "Nicolas Maduro SA": a legal form ending a person's name. */
		if (person && !other && i + 1 == out->n_tokens && i > 0 &&
		    strlen(t->text) > 1 && in_list(legal_forms, t->text))
			t->role = CH_TOKEN_SUFFIX;
		if (t->role == CH_TOKEN_NAME || t->role == CH_TOKEN_INITIAL)
			names++;
	}
	/* "Abu Bakr": a particle before the one name is part of it; a name
	 * of titles, particles or legal forms alone keeps them. */
	if (names == 0)
		for (size_t i = 0; i < out->n_tokens; i++)
			out->tokens[i].role = CH_TOKEN_NAME;
	for (size_t i = 0; i < out->n_tokens; i++)
		ch_match_token_keys(&out->tokens[i]);
}

void
ch_match_normalise(
    const char *name, enum ch_watch_kind kind, struct ch_match_name *out)
{
	out->n_tokens = 0;
	out->kind = kind;
	ch_name_ascii(name != NULL ? name : "", out->ascii, sizeof(out->ascii));
	if (!is_body(kind))
		reorder_last_first(out->ascii);
	tokenise(out->ascii, out);
	if (is_body(kind))
		join_single_letters(out);
	assign_roles(out, kind);
}

void
ch_match_ascii(const char *in, char *out, size_t size)
{
	ch_name_ascii(in, out, size);
}

/* ---- dates of birth ---- */

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
    "jul", "aug", "sep", "oct", "nov", "dec"};

/* A number of 1..4 digits at *P; advances *P. -1 when none. */
static int
number(const char **p)
{
	int v = 0, n = 0;

	while (isdigit((unsigned char)**p) && n < 5) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n == 0 || n > 4)
		return -1;
	return v;
}

/* A month name (three letters or more) at *P; advances *P. 0 when none. */
static int
month_name(const char **p)
{
	for (int m = 0; m < 12; m++) {
		if (strncasecmp(*p, months[m], 3) != 0)
			continue;
		*p += 3;
		while (isalpha((unsigned char)**p))
			(*p)++;
		return m + 1;
	}
	return 0;
}

static void
skip_space(const char **p)
{
	while (**p == ' ' || **p == ',' || **p == '.')
		(*p)++;
}

static bool
valid_year(int y)
{
	return y >= 1800 && y <= 2200;
}

bool
ch_match_parse_date(const char *s, struct ch_watch_date *out)
{
	static const char *const circa[] = {
	    "circa", "approximately", "approx", "about", "ca", "c", "abt"};
	const char *p = s;
	int a, b, c, m;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return false;
	skip_space(&p);
	for (size_t i = 0; i < sizeof(circa) / sizeof(*circa); i++) {
		size_t n = strlen(circa[i]);

		if (strncasecmp(p, circa[i], n) == 0 &&
		    !isalpha((unsigned char)p[n])) {
			out->circa = true;
			p += n;
			skip_space(&p);
			break;
		}
	}
	if ((m = month_name(&p)) != 0) { /* "Mar 1965" */
		skip_space(&p);
		a = number(&p);
		if (!valid_year(a))
			goto bad;
		out->year = a;
		out->month = m;
		goto tail;
	}
	a = number(&p);
	if (a < 0)
		goto bad;
	if (valid_year(a) && (*p == '-' || *p == '/') &&
	    isdigit((unsigned char)p[1])) {
		const char *q = p + 1;

		b = number(&q);
		if (valid_year(b)) { /* "1960-1962" */
			out->year = a;
			out->year_to = b;
			p = q;
			goto tail;
		}
		if (b >= 1 && b <= 12 && *q == p[0]) { /* "1965-03-12" */
			q++;
			c = number(&q);
			if (c < 1 || c > 31)
				goto bad;
			out->year = a;
			out->month = b;
			out->day = c;
			p = q;
			goto tail;
		}
		if (b >= 1 && b <= 12 && *q == '\0') { /* "1965-03" */
			out->year = a;
			out->month = b;
			p = q;
			goto tail;
		}
		goto bad;
	}
	if (valid_year(a)) { /* "1965", "1960 to 1962" */
		out->year = a;
		skip_space(&p);
		if (strncasecmp(p, "to", 2) == 0 || *p == '-') {
			p += *p == '-' ? 1 : 2;
			skip_space(&p);
			b = number(&p);
			if (!valid_year(b) || b < a)
				goto bad;
			out->year_to = b;
		}
		goto tail;
	}
	if (a < 1 || a > 31)
		goto bad;
	if (*p == '/' || *p == '-' || *p == '.') { /* "12/03/1965" */
		char sep = *p++;

		b = number(&p);
		if (b < 1 || b > 12 || *p != sep)
			goto bad;
		p++;
		c = number(&p);
		if (!valid_year(c))
			goto bad;
		out->year = c;
		out->month = b;
		out->day = a;
		goto tail;
	}
	skip_space(&p); /* "12 Mar 1965" */
	if ((m = month_name(&p)) == 0)
		goto bad;
	skip_space(&p);
	c = number(&p);
	if (!valid_year(c))
		goto bad;
	out->year = c;
	out->month = m;
	out->day = a;
tail:
	skip_space(&p);
	if (*p == '\0')
		return true;
bad:
	memset(out, 0, sizeof(*out));
	return false;
}

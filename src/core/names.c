/*
 * names.c — search and sort keys for names written in any script.  A key is
 * the name transliterated to Latin, stripped to ASCII and lower-cased by
 * ICU ("Any-Latin; Latin-ASCII; Lower"), with runs of other characters
 * folded to one space: "Иванова", "IVANOVA" and "Ivanová" share one key.
 * The transliterator is costly to build, so each thread keeps its own.
 */
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "core/names.h"

#define KEY_UCHARS 1024

static _Thread_local UTransliterator *thread_translit;
static _Thread_local bool thread_translit_failed;

static UTransliterator *
translit(void)
{
	static const UChar id[] = u"Any-Latin; Latin-ASCII; Lower";
	UErrorCode status = U_ZERO_ERROR;

	if (thread_translit != NULL || thread_translit_failed)
		return thread_translit;
	thread_translit =
	    utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
	if (U_FAILURE(status)) {
		log_error(
		    "ICU transliterator unavailable: %s", u_errorName(status));
		thread_translit = NULL;
		thread_translit_failed = true;
	}
	return thread_translit;
}

/* Keep [a-z0-9], fold every other run into one space, trim. */
static void
squeeze(const char *in, char *out, size_t size)
{
	size_t n = 0;
	bool space = false;

	for (; *in != '\0' && n + 1 < size; in++) {
		char c = *in;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (space && n > 0 && n + 2 < size)
				out[n++] = ' ';
			space = false;
			out[n++] = c;
		} else {
			space = true;
		}
	}
	out[n] = '\0';
}

void
ch_name_key(const char *name, char *out, size_t size)
{
	UChar buf[KEY_UCHARS];
	char utf8[KEY_UCHARS * 3];
	UErrorCode status = U_ZERO_ERROR;
	int32_t len = 0, limit;
	UTransliterator *t;

	if (size == 0)
		return;
	out[0] = '\0';
	if (name == NULL)
		return;
	u_strFromUTF8(buf, KEY_UCHARS - 1, &len, name, -1, &status);
	t = translit();
	if (U_FAILURE(status) || t == NULL) {
		squeeze(name, out, size);
		return;
	}
	limit = len;
	utrans_transUChars(t, buf, &len, KEY_UCHARS - 1, 0, &limit, &status);
	if (U_FAILURE(status)) {
		squeeze(name, out, size);
		return;
	}
	u_strToUTF8(utf8, sizeof(utf8) - 1, NULL, buf, len, &status);
	if (U_FAILURE(status)) {
		squeeze(name, out, size);
		return;
	}
	utf8[sizeof(utf8) - 1] = '\0';
	squeeze(utf8, out, size);
}

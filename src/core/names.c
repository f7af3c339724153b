/*
 * names.c — search and sort keys for names written in any script.  A key is
 * the name transliterated to Latin, stripped to ASCII and lower-cased by
 * ICU ("Any-Latin; Latin-ASCII; Lower"), with runs of other characters
 * folded to one space: "Иванова", "IVANOVA" and "Ivanová" share one key.
 * The transliterator is costly to build, so one is built on first use and
 * shared behind a mutex (keys are made on writes and searches, not in hot
 * loops), and closed at exit.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "core/names.h"

#define KEY_UCHARS 1024

static UTransliterator *shared_translit;
static bool translit_failed;
static pthread_mutex_t translit_lock = PTHREAD_MUTEX_INITIALIZER;

static void
close_translit(void)
{
	pthread_mutex_lock(&translit_lock);
	utrans_close(shared_translit);
	shared_translit = NULL;
	pthread_mutex_unlock(&translit_lock);
}

/* The shared transliterator; call with translit_lock held. */
static UTransliterator *
translit(void)
{
	static const UChar id[] = u"Any-Latin; Latin-ASCII; Lower";
	UErrorCode status = U_ZERO_ERROR;

	if (shared_translit != NULL || translit_failed)
		return shared_translit;
	shared_translit =
	    utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
	if (U_FAILURE(status)) {
		log_error(
		    "ICU transliterator unavailable: %s", u_errorName(status));
		shared_translit = NULL;
		translit_failed = true;
		return NULL;
	}
	atexit(close_translit);
	return shared_translit;
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
	if (U_FAILURE(status)) {
		squeeze(name, out, size);
		return;
	}
	pthread_mutex_lock(&translit_lock);
	t = translit();
	limit = len;
	if (t != NULL)
		utrans_transUChars(
		    t, buf, &len, KEY_UCHARS - 1, 0, &limit, &status);
	pthread_mutex_unlock(&translit_lock);
	if (t == NULL || U_FAILURE(status)) {
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

/* ---- per-thread transliteration for the screening engine ---- */

static pthread_key_t thread_translit_key;
static pthread_once_t thread_translit_once = PTHREAD_ONCE_INIT;
static bool thread_translit_ok;

static void
free_thread_translit(void *t)
{
	utrans_close(t);
}

/* exit() does not run the key's destructor for the exiting thread. */
static void
close_thread_translit(void)
{
	UTransliterator *t = pthread_getspecific(thread_translit_key);

	if (t != NULL) {
		pthread_setspecific(thread_translit_key, NULL);
		utrans_close(t);
	}
}

static void
init_thread_translit(void)
{
	if (pthread_key_create(&thread_translit_key, free_thread_translit) != 0)
		return;
	thread_translit_ok = true;
	atexit(close_thread_translit);
}

/* This thread's transliterator, built on first use; NULL without ICU. */
static UTransliterator *
thread_translit(void)
{
	static const UChar id[] = u"Any-NFKC; Any-Latin; Latin-ASCII; Lower";
	UErrorCode status = U_ZERO_ERROR;
	UTransliterator *t;

	pthread_once(&thread_translit_once, init_thread_translit);
	if (!thread_translit_ok)
		return NULL;
	t = pthread_getspecific(thread_translit_key);
	if (t != NULL)
		return t;
	t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
	if (U_FAILURE(status))
		return NULL;
	if (pthread_setspecific(thread_translit_key, t) != 0) {
		utrans_close(t);
		return NULL;
	}
	return t;
}

/* The ASCII characters of IN, lower-cased. */
static void
ascii_only(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < size; in++) {
		unsigned char c = (unsigned char)*in;

		if (c >= 0x80)
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		out[n++] = (char)c;
	}
	out[n] = '\0';
}

void
ch_name_ascii(const char *name, char *out, size_t size)
{
	UChar buf[KEY_UCHARS];
	UErrorCode status = U_ZERO_ERROR;
	int32_t len = 0, limit;
	UTransliterator *t;
	const char *p;

	if (size == 0)
		return;
	out[0] = '\0';
	if (name == NULL)
		return;
	for (p = name; *p != '\0' && (unsigned char)*p < 0x80; p++)
		;
	if (*p == '\0') {
		ascii_only(name, out, size);
		return;
	}
	u_strFromUTF8(buf, KEY_UCHARS - 1, &len, name, -1, &status);
	t = U_FAILURE(status) ? NULL : thread_translit();
	if (t == NULL) {
		ascii_only(name, out, size);
		return;
	}
	limit = len;
	utrans_transUChars(t, buf, &len, KEY_UCHARS - 1, 0, &limit, &status);
	if (U_FAILURE(status)) {
		ascii_only(name, out, size);
		return;
	}
	/* Transliterated, the text is ASCII but for what ICU could not map;
	 * those characters are dropped. */
	{
		size_t n = 0;

		for (int32_t i = 0; i < len && n + 1 < size; i++)
			if (buf[i] < 0x80)
				out[n++] = (char)buf[i];
		out[n] = '\0';
	}
}

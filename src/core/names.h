/*
 * names.h — keys for searching and sorting names across scripts.
 */
#ifndef CH_CORE_NAMES_H
#define CH_CORE_NAMES_H

#include "core/core.h"

#define CH_NAME_KEY_MAX 512

/*
 * The search key of a name: Latin transliteration, ASCII, lower case, words
 * separated by single spaces.  Never fails: without ICU it falls back to
 * the ASCII letters of the name.
 */
void ch_name_key(const char *name, char *out, size_t size);

/*
 * NAME in ASCII for matching: NFKC, any script to Latin, Latin to ASCII,
 * lower case; spaces and punctuation kept as they are (so "LAST, First"
 * and "al-Zawahiri" keep their structure).  Made for hot loops: ASCII
 * input skips ICU, and each thread has its own transliterator, closed
 * when the thread ends (and at exit for the thread that calls exit).
 * Never fails: without ICU, or on input that is not UTF-8, it keeps the
 * ASCII characters of NAME.
 */
void ch_name_ascii(const char *name, char *out, size_t size);

#endif /* CH_CORE_NAMES_H */

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

#endif /* CH_CORE_NAMES_H */

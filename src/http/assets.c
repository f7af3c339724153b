/*
 * assets.c — serving the embedded console.  Paths are looked up exactly in
 * the embedded table; there is no file system access, so no traversal.
 */
#include <string.h>

#include "http/assets.h"
#include "http/http.h"

bool
ch_assets_lookup(const char *path, const unsigned char **data, size_t *len,
    const char **type, const char **etag)
{
	for (size_t i = 0; i < ch_assets_count; i++) {
		if (strcmp(ch_assets_table[i].path, path) != 0)
			continue;
		*data = ch_assets_table[i].data;
		*len = ch_assets_lengths[i];
		*type = ch_assets_table[i].type;
		*etag = ch_assets_table[i].etag;
		return true;
	}
	return false;
}

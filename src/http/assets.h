/*
 * assets.h — the console's files, embedded at build time by tools/embed.c.
 */
#ifndef CH_HTTP_ASSETS_H
#define CH_HTTP_ASSETS_H

#include <stddef.h>

struct ch_asset {
	const char *path;
	const char *type;
	const unsigned char *data;
	size_t unused;
	const char *etag;
};

extern const struct ch_asset ch_assets_table[];
extern const size_t ch_assets_count;
extern const size_t ch_assets_lengths[];

#endif /* CH_HTTP_ASSETS_H */

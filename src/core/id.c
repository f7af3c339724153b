/*
 * id.c — record identifiers and randomness.  Identifiers are UUID version 7
 * (RFC 9562): 48 bits of milliseconds then random bits, so they sort by
 * creation time (cursor pagination relies on it) and stay unique when many
 * posts' records meet at HQ.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/core.h"

void
ch_random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0)
			continue; /* EINTR; getrandom never fails otherwise */
		p += got;
		n -= (size_t)got;
	}
}

void
ch_id_new(char out[CH_ID_LEN])
{
	unsigned char b[16];
	struct timespec ts;
	uint64_t ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	ch_random_bytes(b, sizeof(b));
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	snprintf(out, CH_ID_LEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
}

bool
ch_id_valid(const char *s)
{
	if (s == NULL || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') ||
			       (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	return true;
}

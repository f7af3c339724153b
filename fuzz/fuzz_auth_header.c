/*
 * fuzz_auth_header.c — libFuzzer driver for what a client sends to
 * authenticate: the Authorization header (ch_auth_bearer_parse), the shape
 * of a device token (ch_device_token_syntax), a recovery code as typed
 * (ch_recovery_code_hash) and a TOTP code (ch_totp_match).  None may crash
 * or read out of bounds; a parsed token must be printable ASCII without
 * spaces and shorter than the buffer.
 *
 *	CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false
 *	ninja -C build-fuzz fuzz_auth_header
 *	build-fuzz/fuzz_auth_header fuzz/corpus/auth_header
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char header[512], token[128], hash[65];
	int64_t step;

	if (size >= sizeof(header))
		return 0; /* libmicrohttpd bounds headers far below this */
	memcpy(header, data, size);
	header[size] = '\0';
	if (ch_auth_bearer_parse(header, token, sizeof(token))) {
		size_t n = strlen(token);

		if (n == 0 || n >= sizeof(token))
			abort();
		for (size_t i = 0; i < n; i++)
			if (token[i] <= ' ' || token[i] > '~')
				abort();
		(void)ch_device_token_syntax(token, n);
	}
	(void)ch_device_token_syntax(header, size);
	if (ch_recovery_code_hash(header, hash) && strlen(hash) != 64)
		abort();
	(void)ch_totp_match(
	    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", header, 1111111111, &step);
	return 0;
}

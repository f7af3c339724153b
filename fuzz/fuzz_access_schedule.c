/*
 * fuzz_access_schedule.c — libFuzzer driver for what an access set-up and a
 * reader send as text: a schedule's windows (ch_schedule_parse), a PIN
 * (ch_access_pin_syntax, ch_access_pin_check against a fixed hash) and the
 * codes of postures, anti-passback modes, statuses and rule subjects.  None
 * may crash; a parsed schedule's windows must be well formed (days within
 * Monday..Sunday, 0 <= start < end <= 24:00) and answer every minute of the
 * week without reading out of bounds.
 *
 *	CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false
 *	ninja -C build-fuzz fuzz_access_schedule
 *	build-fuzz/fuzz_access_schedule fuzz/corpus/access_schedule
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hash[] = "b2$000102030405060708090a0b0c0d0e0f$"
				   "00000000000000000000000000000000"
				   "00000000000000000000000000000000";
	struct ch_schedule_spec s;
	struct ch_fault fault;
	enum ch_posture posture;
	enum ch_passback passback;
	enum ch_cred_status status;
	enum ch_rule_subject subject;
	char text[512];

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ch_schedule_parse(text, &s, &fault)) {
		if (s.n == 0 || s.n > CH_ACCESS_MAX_WINDOWS)
			abort();
		for (size_t i = 0; i < s.n; i++)
			if ((s.w[i].days & ~0xfeu) != 0 || s.w[i].days == 0 ||
			    s.w[i].start < 0 || s.w[i].start >= s.w[i].end ||
			    s.w[i].end > 24 * 60)
				abort();
		for (int d = 1; d <= 7; d++)
			for (int m = 0; m < 24 * 60; m += 7)
				(void)ch_schedule_open(&s, d, m);
	}
	if (ch_access_pin_syntax(text) && ch_access_pin_check(hash, text))
		abort(); /* no PIN hashes to zeros */
	(void)ch_posture_parse(text, &posture);
	(void)ch_passback_parse(text, &passback);
	(void)ch_cred_status_parse(text, &status);
	(void)ch_rule_subject_parse(text, &subject);
	return 0;
}

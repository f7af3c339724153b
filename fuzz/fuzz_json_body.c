/*
 * fuzz_json_body.c — libFuzzer driver for request bodies: the bytes are
 * parsed as the server parses them (ch_json_parse) and checked against
 * every declared body schema with ch_json_check().  The parse must equal
 * jansson's own (json_loadb, duplicate keys refused): the same value, of
 * the same types, with its members in the same order, or the same error
 * at the same place.  It
 * must never crash, leak or read out of bounds; a refusal must come with a
 * field and a sentence, and an accepted body must really be an object.
 * ch_json_check_all() must agree: the same verdict, the same first fault,
 * and (for an object) one {field, detail} per violation, at most 50.
 *
 *	CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false
 *	ninja -C build-fuzz fuzz_json_body
 *	build-fuzz/fuzz_json_body fuzz/corpus/json_body
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ch_jschema *const schemas[] = {
    &ch_schema_login,
    &ch_schema_person_create,
    &ch_schema_person_update,
    &ch_schema_post_create,
    &ch_schema_zone_create,
    &ch_schema_training_create,
    &ch_schema_user_create,
    &ch_schema_user_update,
    &ch_schema_second_factor,
    &ch_schema_totp_confirm,
    &ch_schema_reauth,
    &ch_schema_device_create,
    /* intelligence (h_intel.c) */
    &ch_schema_intel_report_create,
    &ch_schema_intel_report_update,
    &ch_schema_intel_assessment,
    &ch_schema_intel_status,
    &ch_schema_intel_source_create,
    &ch_schema_intel_source_update,
    &ch_schema_intel_actor_create,
    &ch_schema_intel_actor_update,
    &ch_schema_intel_place_create,
    &ch_schema_intel_place_update,
};

/* Equal values of the same types (json_equal also takes 1 and 1.0 as
 * different), and the same text written out (members in the same order).
 */
static void
same_parse(const json_t *a, const json_t *b)
{
	char *ta, *tb;

	if (!json_equal(a, b))
		abort();
	ta = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
	tb = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
	if (ta == NULL || tb == NULL || strcmp(ta, tb) != 0)
		abort();
	free(ta);
	free(tb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr, ref_err;
	json_t *body, *ref;

	if (size > 64 * 1024)
		return 0; /* over every route's body limit */
	body = ch_json_parse((const char *)data, size, &jerr);
	ref = json_loadb(
	    (const char *)data, size, JSON_REJECT_DUPLICATES, &ref_err);
	if ((body == NULL) != (ref == NULL))
		abort();
	if (body == NULL) {
		if (strcmp(jerr.text, ref_err.text) != 0 ||
		    jerr.line != ref_err.line ||
		    jerr.column != ref_err.column ||
		    jerr.position != ref_err.position)
			abort();
		return 0;
	}
	same_parse(body, ref);
	json_decref(ref);
	if ((ref = ch_json_parse_plain((const char *)data, size)) != NULL) {
		same_parse(ref, body);
		json_decref(ref);
	}
	for (size_t i = 0; i < CH_ARRAY_LEN(schemas); i++) {
		struct ch_fault fault = {{0}, {0}};
		ch_err err = ch_json_check(body, schemas[i], &fault);

		if (err == CH_OK && !json_is_object(body))
			abort();
		struct ch_fault first = {{0}, {0}};
		json_t *errors = json_array();
		ch_err all;

		if (err != CH_OK &&
		    (err != CH_ERR_INVALID || fault.detail[0] == '\0'))
			abort();
		if (errors == NULL)
			abort();
		all = ch_json_check_all(body, schemas[i], &first, errors);
		if (all != err ||
		    (err != CH_OK &&
			(strcmp(first.field, fault.field) != 0 ||
			    strcmp(first.detail, fault.detail) != 0)))
			abort();
		if (json_array_size(errors) > 50 ||
		    (err == CH_OK) !=
			(json_array_size(errors) == 0 && json_is_object(body)))
			abort();
		for (size_t k = 0; k < json_array_size(errors); k++) {
			json_t *e = json_array_get(errors, k);

			if (!json_is_string(json_object_get(e, "field")) ||
			    json_string_length(json_object_get(e, "detail")) ==
				0)
				abort();
		}
		json_decref(errors);
	}
	json_decref(body);
	return 0;
}

/*
 * fuzz_json_body.c — libFuzzer driver for request bodies: the bytes are
 * parsed as the server parses them (jansson, duplicate keys refused) and
 * checked against every declared body schema with ch_json_check().  It
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *body;

	if (size > 64 * 1024)
		return 0; /* over every route's body limit */
	body =
	    json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL)
		return 0;
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

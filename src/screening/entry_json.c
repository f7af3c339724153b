/*
 * entry_json.c — a watchlist entry as canonical JSON: the form the store
 * keeps (watchlist_entries.data), the bytes its content hash is taken of,
 * and what the API shows.  Keys come in one fixed order and the text is
 * compact, so equal entries give equal bytes and equal hashes.
 */
#include <sodium.h>
#include <string.h>

#include "screening/screening.h"

static const char *const kind_codes[] = {
    [CH_WATCH_INDIVIDUAL] = "individual",
    [CH_WATCH_ENTITY] = "entity",
    [CH_WATCH_VESSEL] = "vessel",
    [CH_WATCH_AIRCRAFT] = "aircraft",
    [CH_WATCH_OTHER] = "other",
};

static const char *const quality_codes[] = {
    [CH_NAME_PRIMARY] = "primary",
    [CH_NAME_STRONG] = "strong",
    [CH_NAME_WEAK] = "weak",
};

const char *
ch_watch_kind_code(enum ch_watch_kind k)
{
	return (unsigned)k < CH_ARRAY_LEN(kind_codes) ? kind_codes[k] : "other";
}

bool
ch_watch_kind_parse(const char *s, enum ch_watch_kind *out)
{
	for (size_t i = 0; s != NULL && i < CH_ARRAY_LEN(kind_codes); i++)
		if (strcmp(s, kind_codes[i]) == 0) {
			*out = (enum ch_watch_kind)i;
			return true;
		}
	return false;
}

static json_t *
strings(const char *const *a, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, json_string(a[i]));
	return arr;
}

json_t *
ch_watch_entry_to_api(const struct ch_watch_entry *e)
{
	json_t *o = json_object(), *names = json_array(), *dobs = json_array();
	char g[2] = {e->gender, 0};

	if (o == NULL || names == NULL || dobs == NULL) {
		json_decref(o);
		json_decref(names);
		json_decref(dobs);
		return NULL;
	}
	json_object_set_new(o, "ref", json_string(e->ref));
	json_object_set_new(
	    o, "kind", json_string(ch_watch_kind_code(e->kind)));
	for (size_t i = 0; i < e->n_names; i++) {
		json_t *n = json_object();

		json_object_set_new(n, "name", json_string(e->names[i].full));
		json_object_set_new(n, "quality",
		    json_string(quality_codes[e->names[i].quality]));
		json_object_set_new(n, "original_script",
		    json_boolean(e->names[i].original_script));
		json_array_append_new(names, n);
	}
	json_object_set_new(o, "names", names);
	for (size_t i = 0; i < e->n_dobs; i++) {
		const struct ch_watch_date *d = &e->dobs[i];

		json_array_append_new(dobs,
		    json_pack("{s:i,s:i,s:i,s:i,s:b}", "year", d->year,
			"year_to", d->year_to, "month", d->month, "day", d->day,
			"circa", d->circa));
	}
	json_object_set_new(o, "dates_of_birth", dobs);
	json_object_set_new(
	    o, "nationalities", strings(e->nationalities, e->n_nationalities));
	json_object_set_new(
	    o, "gender", e->gender != 0 ? json_string(g) : json_null());
	json_object_set_new(
	    o, "documents", strings(e->documents, e->n_documents));
	json_object_set_new(
	    o, "addresses", strings(e->addresses, e->n_addresses));
	json_object_set_new(o, "programs",
	    e->programs != NULL ? json_string(e->programs) : json_null());
	json_object_set_new(o, "remarks",
	    e->remarks != NULL ? json_string(e->remarks) : json_null());
	return o;
}

ch_err
ch_watch_entry_json(const struct ch_watch_entry *e, struct ch_buf *buf)
{
	json_t *o = ch_watch_entry_to_api(e);
	char *s;
	ch_err err;

	if (o == NULL)
		return CH_ERR_NOMEM;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		return CH_ERR_NOMEM;
	ch_buf_reset(buf);
	err = ch_buf_append(buf, s, strlen(s));
	free(s);
	return err;
}

void
ch_watch_entry_hash(const char *json, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)json, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static const char *
dup_str(ch_arena *a, json_t *v)
{
	return json_is_string(v) ? ch_arena_strdup(a, json_string_value(v))
				 : NULL;
}

static ch_err
dup_strings(ch_arena *a, json_t *arr, const char ***out, size_t *n)
{
	size_t i;
	json_t *v;

	*out = NULL;
	*n = 0;
	if (!json_is_array(arr))
		return CH_OK;
	*out = ch_arena_alloc(a, (json_array_size(arr) + 1) * sizeof(char *));
	if (*out == NULL)
		return CH_ERR_NOMEM;
	json_array_foreach (arr, i, v) {
		if (((*out)[*n] = dup_str(a, v)) != NULL)
			(*n)++;
	}
	return CH_OK;
}

ch_err
ch_watch_entry_from_json(
    const char *json, ch_arena *a, struct ch_watch_entry *out)
{
	json_error_t jerr;
	json_t *o = json_loads(json, 0, &jerr), *arr, *v;
	const char *g;
	ch_err err = CH_ERR_NOMEM;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return CH_ERR_INVALID;
	}
	out->ref = dup_str(a, json_object_get(o, "ref"));
	if (!ch_watch_kind_parse(
		json_string_value(json_object_get(o, "kind")), &out->kind))
		out->kind = CH_WATCH_OTHER;
	arr = json_object_get(o, "names");
	out->names =
	    ch_arena_alloc(a, (json_array_size(arr) + 1) * sizeof(*out->names));
	if (out->names == NULL || out->ref == NULL)
		goto free_json;
	json_array_foreach (arr, i, v) {
		struct ch_watch_name *n = &out->names[out->n_names];
		const char *q =
		    json_string_value(json_object_get(v, "quality"));

		if ((n->full = dup_str(a, json_object_get(v, "name"))) == NULL)
			continue;
		n->quality = q && strcmp(q, "primary") == 0 ? CH_NAME_PRIMARY
		    : q && strcmp(q, "weak") == 0           ? CH_NAME_WEAK
							    : CH_NAME_STRONG;
		n->original_script =
		    json_is_true(json_object_get(v, "original_script"));
		out->n_names++;
	}
	arr = json_object_get(o, "dates_of_birth");
	out->dobs =
	    ch_arena_alloc(a, (json_array_size(arr) + 1) * sizeof(*out->dobs));
	if (out->dobs == NULL)
		goto free_json;
	json_array_foreach (arr, i, v) {
		struct ch_watch_date *d = &out->dobs[out->n_dobs++];

		d->year = (int)json_integer_value(json_object_get(v, "year"));
		d->year_to =
		    (int)json_integer_value(json_object_get(v, "year_to"));
		d->month = (int)json_integer_value(json_object_get(v, "month"));
		d->day = (int)json_integer_value(json_object_get(v, "day"));
		d->circa = json_is_true(json_object_get(v, "circa"));
	}
	if (dup_strings(a, json_object_get(o, "nationalities"),
		&out->nationalities, &out->n_nationalities) != CH_OK ||
	    dup_strings(a, json_object_get(o, "documents"), &out->documents,
		&out->n_documents) != CH_OK ||
	    dup_strings(a, json_object_get(o, "addresses"), &out->addresses,
		&out->n_addresses) != CH_OK)
		goto free_json;
	g = json_string_value(json_object_get(o, "gender"));
	out->gender = g != NULL && (g[0] == 'M' || g[0] == 'F') ? g[0] : 0;
	out->programs = dup_str(a, json_object_get(o, "programs"));
	out->remarks = dup_str(a, json_object_get(o, "remarks"));
	err = CH_OK;
free_json:
	json_decref(o);
	return err;
}

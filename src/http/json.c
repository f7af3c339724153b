/*
 * json.c — strict checking of request bodies against declared fields.  A
 * schema lists each field's name, type, whether it is required or may be
 * null, its maximum length and, for enums, its values.  The same
 * declaration produces the JSON Schema in the OpenAPI document, so what is
 * documented is what is enforced.
 */
#include <string.h>

#include "http/http.h"

#define DEFAULT_MAX_LEN 200
#define LIST_MAX_ITEMS 32
#define CHECK_MAX_ERRORS 50 /* violations listed in one answer */

static const char *const type_names[] = {
    [CH_J_STRING] = "a string",
    [CH_J_BOOL] = "true or false",
    [CH_J_INTEGER] = "an integer",
    [CH_J_NUMBER] = "a number",
    [CH_J_DATE] = "a date, YYYY-MM-DD",
    [CH_J_ID] = "an id",
    [CH_J_ENUM] = "one of the listed values",
    [CH_J_STRING_LIST] = "a list of strings",
    [CH_J_OBJECT_LIST] = "a list of objects",
};

static const struct ch_jfield *
find_field(const struct ch_jschema *s, const char *name)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (strcmp(s->fields[i].name, name) == 0)
			return &s->fields[i];
	return NULL;
}

static bool
check_string(const struct ch_jfield *f, const char *s, size_t n,
    struct ch_fault *fault, const char *ptr)
{
	int max = f->max_len ? f->max_len : DEFAULT_MAX_LEN;
	long len = ch_utf8_length(s, n);

	if (len < 0) {
		ch_fault_set(fault, ptr,
		    "%s is not valid UTF-8 or contains a NUL character.",
		    f->name);
		return false;
	}
	if (len > max) {
		ch_fault_set(fault, ptr,
		    "%s is %ld characters long; at most %d are allowed.",
		    f->name, len, max);
		return false;
	}
	return true;
}

static bool
enum_has(const char *const *values, const char *s)
{
	for (; values != NULL && *values != NULL; values++)
		if (strcmp(*values, s) == 0)
			return true;
	return false;
}

static void
enum_list(const char *const *values, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (; values != NULL && *values != NULL; values++) {
		int n = snprintf(
		    out + used, size - used, "%s%s", used ? ", " : "", *values);

		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

static bool
check_value(const struct ch_jfield *f, const json_t *v, struct ch_fault *fault,
    const char *ptr)
{
	const char *s;
	char list[256];

	switch (f->type) {
	case CH_J_BOOL:
		if (json_is_boolean(v))
			return true;
		break;
	case CH_J_INTEGER:
		if (json_is_integer(v))
			return true;
		break;
	case CH_J_NUMBER:
		if (json_is_number(v))
			return true;
		break;
	case CH_J_OBJECT_LIST:
		if (!json_is_array(v) || json_array_size(v) > LIST_MAX_ITEMS)
			break;
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!json_is_object(json_array_get(v, i)))
				goto wrong_type;
		return true;
	case CH_J_STRING_LIST:
		if (!json_is_array(v) || json_array_size(v) > LIST_MAX_ITEMS)
			break;
		for (size_t i = 0; i < json_array_size(v); i++) {
			const json_t *item = json_array_get(v, i);

			if (!json_is_string(item) ||
			    !check_string(f, json_string_value(item),
				json_string_length(item), fault, ptr))
				goto wrong_item;
			if (f->values != NULL &&
			    !enum_has(f->values, json_string_value(item)))
				goto wrong_item;
		}
		return true;
	wrong_item:
		if (fault->detail[0] == '\0') {
			enum_list(f->values, list, sizeof(list));
			ch_fault_set(fault, ptr,
			    "%s has an item that is not allowed%s%s.", f->name,
			    list[0] ? "; use " : "", list);
		}
		return false;
	default:
		if (!json_is_string(v))
			break;
		s = json_string_value(v);
		if (!check_string(f, s, json_string_length(v), fault, ptr))
			return false;
		if (f->type == CH_J_DATE && !ch_date_valid(s)) {
			ch_fault_set(fault, ptr,
			    "%s \"%.20s\" is not a date: write YYYY-MM-DD.",
			    f->name, s);
			return false;
		}
		if (f->type == CH_J_ID && !ch_id_valid(s)) {
			ch_fault_set(fault, ptr,
			    "%s must be a record id (a lower-case UUID).",
			    f->name);
			return false;
		}
		if (f->type == CH_J_ENUM && !enum_has(f->values, s)) {
			enum_list(f->values, list, sizeof(list));
			ch_fault_set(fault, ptr,
			    "%s \"%.40s\" is not allowed; use one of: %s.",
			    f->name, s, list);
			return false;
		}
		return true;
	}
wrong_type:
	ch_fault_set(
	    fault, ptr, "%s must be %s.", f->name, type_names[f->type]);
	return false;
}

/* Record one violation: the first in fault, every one in errors (when
 * given) as {field, detail}.  False when the caller should stop: no list
 * to fill. */
static bool
note(struct ch_fault *fault, json_t *errors, const struct ch_fault *one,
    bool *failed)
{
	if (!*failed)
		*fault = *one;
	*failed = true;
	if (errors == NULL)
		return false;
	json_array_append_new(errors,
	    json_pack(
		"{s:s, s:s}", "field", one->field, "detail", one->detail));
	return json_array_size(errors) < CHECK_MAX_ERRORS;
}

/* The length of the UTF-8 character that starts with b (the body's keys
 * are UTF-8: the parser checked). */
static size_t
char_len(unsigned char b)
{
	return b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
}

/* The JSON pointer of a member (RFC 6901: "~" is written "~0" and "/"
 * "~1"), cut where a character starts to fit in size: a character cut in
 * two would make the answer's JSON invalid. */
static void
member_pointer(const char *key, char *out, size_t size)
{
	size_t len = 0;

	out[len++] = '/';
	for (const char *k = key; *k != '\0';) {
		unsigned char b = (unsigned char)*k;
		bool esc = b == '~' || b == '/';
		size_t n = esc ? 1 : char_len(b);

		if (len + (esc ? 2 : n) + 1 > size)
			break;
		if (esc) {
			out[len++] = '~';
			out[len++] = b == '~' ? '0' : '1';
		} else {
			memcpy(out + len, k, n);
			len += n;
		}
		k += n;
	}
	out[len] = '\0';
}

/* At most the first 80 bytes of a member's name, for a message, cut where
 * a character starts. */
static void
member_excerpt(const char *key, char out[81])
{
	size_t n = 0;

	while (key[n] != '\0' && n + char_len((unsigned char)key[n]) <= 80)
		n += char_len((unsigned char)key[n]);
	memcpy(out, key, n);
	out[n] = '\0';
}

ch_err
ch_json_check_all(const json_t *body, const struct ch_jschema *schema,
    struct ch_fault *fault, json_t *errors)
{
	const char *key;
	json_t *value;
	char ptr[96];
	struct ch_fault one;
	bool failed = false;

	if (!json_is_object(body)) {
		ch_fault_set(fault, "", "The body must be a JSON object.");
		return CH_ERR_INVALID;
	}
	json_object_foreach ((json_t *)body, key, value) {
		const struct ch_jfield *f = find_field(schema, key);

		memset(&one, 0, sizeof(one));
		if (f == NULL) {
			char name[81];

			member_pointer(key, ptr, sizeof(ptr));
			member_excerpt(key, name);
			ch_fault_set(&one, ptr,
			    "%s is not a field of %s; remove it.", name,
			    schema->name);
			if (!note(fault, errors, &one, &failed))
				return CH_ERR_INVALID;
			continue;
		}
		snprintf(ptr, sizeof(ptr), "/%s", key);
		if (json_is_null(value) && !f->nullable)
			ch_fault_set(&one, ptr, "%s may not be null.", f->name);
		else if (json_is_null(value) ||
		    check_value(f, value, &one, ptr))
			continue;
		if (!note(fault, errors, &one, &failed))
			return CH_ERR_INVALID;
	}
	for (size_t i = 0; i < schema->nfields; i++) {
		const struct ch_jfield *f = &schema->fields[i];
		json_t *v = json_object_get(body, f->name);

		/* A null where null is refused was reported above. */
		if (f->required &&
		    (v == NULL || (json_is_null(v) && f->nullable))) {
			snprintf(ptr, sizeof(ptr), "/%s", f->name);
			ch_fault_set(&one, ptr, "%s is required.", f->name);
			if (!note(fault, errors, &one, &failed))
				return CH_ERR_INVALID;
		}
	}
	return failed ? CH_ERR_INVALID : CH_OK;
}

ch_err
ch_json_check(
    const json_t *body, const struct ch_jschema *schema, struct ch_fault *fault)
{
	return ch_json_check_all(body, schema, fault, NULL);
}

const char *
ch_json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

bool
ch_json_has(const json_t *obj, const char *key)
{
	return json_object_get(obj, key) != NULL;
}

json_t *
ch_json_str_or_null(const char *s)
{
	return s == NULL || *s == '\0' ? json_null() : json_string(s);
}

json_t *
ch_timeline_json(const struct ch_timeline_entry *t, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:s, s:s, s:s}", "time", t[i].time, "action",
			t[i].action, "actor", t[i].actor ? t[i].actor : ""));
	return a;
}

static json_t *
field_doc(const struct ch_jfield *f)
{
	static const char *const json_types[] = {
	    [CH_J_STRING] = "string",
	    [CH_J_BOOL] = "boolean",
	    [CH_J_INTEGER] = "integer",
	    [CH_J_NUMBER] = "number",
	    [CH_J_DATE] = "string",
	    [CH_J_ID] = "string",
	    [CH_J_ENUM] = "string",
	    [CH_J_STRING_LIST] = "array",
	    [CH_J_OBJECT_LIST] = "array",
	};
	json_t *d = json_object();
	json_t *type = json_string(json_types[f->type]);

	if (f->nullable) {
		json_t *both = json_array();

		json_array_append_new(both, type);
		json_array_append_new(both, json_string("null"));
		type = both;
	}
	json_object_set_new(d, "type", type);
	if (f->doc != NULL)
		json_object_set_new(d, "description", json_string(f->doc));
	if (f->type == CH_J_DATE)
		json_object_set_new(d, "format", json_string("date"));
	if (f->type == CH_J_ID)
		json_object_set_new(d, "format", json_string("uuid"));
	if (f->type == CH_J_STRING || f->type == CH_J_ENUM)
		json_object_set_new(d, "maxLength",
		    json_integer(f->max_len ? f->max_len : DEFAULT_MAX_LEN));
	if (f->values != NULL) {
		json_t *values = json_array();

		for (const char *const *v = f->values; *v != NULL; v++)
			json_array_append_new(values, json_string(*v));
		if (f->type == CH_J_STRING_LIST)
			json_object_set_new(d, "items",
			    json_pack("{s:s, s:o}", "type", "string", "enum",
				values));
		else
			json_object_set_new(d, "enum", values);
	} else if (f->type == CH_J_STRING_LIST) {
		json_object_set_new(
		    d, "items", json_pack("{s:s}", "type", "string"));
	} else if (f->type == CH_J_OBJECT_LIST) {
		json_object_set_new(
		    d, "items", json_pack("{s:s}", "type", "object"));
	}
	return d;
}

json_t *
ch_json_schema_doc(const struct ch_jschema *schema)
{
	json_t *props = json_object(), *required = json_array();

	for (size_t i = 0; i < schema->nfields; i++) {
		const struct ch_jfield *f = &schema->fields[i];

		json_object_set_new(props, f->name, field_doc(f));
		if (f->required)
			json_array_append_new(required, json_string(f->name));
	}
	return json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties",
	    props, "required", required, "additionalProperties", 0);
}

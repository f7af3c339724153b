/*
 * import_un.c — the UN Security Council consolidated list, from its
 * official XML (CONSOLIDATED_LIST > INDIVIDUALS > INDIVIDUAL and
 * ENTITIES > ENTITY), read with libxml2 with the network off
 * (XML_PARSE_NONET) and entities neither substituted nor loaded (no
 * XML_PARSE_NOENT, no XML_PARSE_DTDLOAD); a document with a DOCTYPE is
 * refused before parsing, since the list has none and a DTD is where
 * entity expansion attacks live.  That check reads bytes, so the file
 * must be UTF-8 and is parsed as UTF-8 whatever encoding it declares
 * (XML_PARSE_IGNORE_ENC): in UTF-16 or a declared UTF-7 the DOCTYPE
 * would not be those bytes.
 *
 * An entry's ref is its REFERENCE_NUMBER ("QDi.001"); the primary name is
 * FIRST_NAME to FOURTH_NAME joined; aliases carry their QUALITY ("Good",
 * "a.k.a.", "f.k.a." strong, "Low" weak); NAME_ORIGINAL_SCRIPT is a strong
 * name in its own script; dates of birth are EXACT (DATE or YEAR),
 * APPROXIMATELY (circa) or BETWEEN (FROM_YEAR, TO_YEAR); nationalities map
 * to ISO codes; documents read "Passport OB 0243318 (Country)".
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screening/import.h"

struct un {
	ch_arena *arena;
	struct ch_fault *fault;
	struct ch_watch_entry *entries;
	size_t n;
};

static bool
named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

/* The trimmed text of node in the arena ("" when empty); NULL on no memory. */
static char *
text_of(struct un *u, xmlNode *node)
{
	xmlChar *c = xmlNodeGetContent(node);
	char *s;

	if (c == NULL)
		return ch_arena_strdup(u->arena, "");
	s = ch_arena_strdup(u->arena, (const char *)c);
	xmlFree(c);
	return s == NULL ? NULL : ch_watch_trim(s);
}

/* The text of the first child element called name ("" when absent). */
static char *
child_text(struct un *u, xmlNode *parent, const char *name)
{
	for (xmlNode *c = parent->children; c != NULL; c = c->next)
		if (named(c, name))
			return text_of(u, c);
	return ch_arena_strdup(u->arena, "");
}

static ch_err
alias(struct un *u, struct ch_watch_entry *e, xmlNode *node)
{
	char *name = child_text(u, node, "ALIAS_NAME");
	char *quality = child_text(u, node, "QUALITY");

	if (name == NULL || quality == NULL)
		return CH_ERR_NOMEM;
	if (*name == '\0')
		return CH_OK; /* the list's empty <INDIVIDUAL_ALIAS> */
	return ch_watch_add_name(u->arena, e, name,
	    strcmp(quality, "Low") == 0 ? CH_NAME_WEAK : CH_NAME_STRONG, false);
}

static ch_err
address(struct un *u, struct ch_watch_entry *e, xmlNode *node)
{
	static const char *const parts[] = {
	    "STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"};
	struct ch_buf b;
	ch_err err = CH_OK;
	char *t;

	ch_buf_init(&b, 8192);
	for (size_t i = 0; i < 5 && err == CH_OK; i++) {
		if ((t = child_text(u, node, parts[i])) == NULL) {
			err = CH_ERR_NOMEM;
			break;
		}
		if (*t != '\0')
			err = ch_buf_appendf(
			    &b, "%s%s", b.len > 0 ? ", " : "", t);
	}
	if (err == CH_OK && b.len > 0)
		err = ch_watch_add_text(
		    u->arena, &e->addresses, &e->n_addresses, b.data);
	ch_buf_free(&b);
	return err;
}

static ch_err
birth_date(struct un *u, struct ch_watch_entry *e, xmlNode *node)
{
	char *type = child_text(u, node, "TYPE_OF_DATE");
	char *date = child_text(u, node, "DATE");
	char *year = child_text(u, node, "YEAR");
	char *from = child_text(u, node, "FROM_YEAR");
	char *to = child_text(u, node, "TO_YEAR");
	struct ch_watch_date d, *slot;
	char range[64];
	bool ok;

	if (!type || !date || !year || !from || !to)
		return CH_ERR_NOMEM;
	if (*from != '\0' && *to != '\0') {
		snprintf(range, sizeof(range), "%.20s to %.20s", from, to);
		ok = ch_watch_date_parse(range, &d);
	} else if (*date != '\0') {
		ok = ch_watch_date_parse(date, &d);
	} else if (*year != '\0') {
		ok = ch_watch_date_parse(year, &d);
	} else {
		return CH_OK; /* <TYPE_OF_DATE/> alone: no date given */
	}
	if (!ok) {
		ch_fault_set(u->fault, "xml",
		    "line %ld: entry %s has a date of birth that is not a "
		    "date (\"%.40s%.40s%.20s\")",
		    xmlGetLineNo(node), e->ref, date, year, from);
		return CH_ERR_INVALID;
	}
	d.circa = d.circa || strcmp(type, "APPROXIMATELY") == 0;
	slot =
	    ch_watch_push(u->arena, (void **)&e->dobs, &e->n_dobs, sizeof(d));
	if (slot == NULL)
		return CH_ERR_NOMEM;
	*slot = d;
	return CH_OK;
}

static ch_err
document(struct un *u, struct ch_watch_entry *e, xmlNode *node)
{
	char *type = child_text(u, node, "TYPE_OF_DOCUMENT");
	char *number = child_text(u, node, "NUMBER");
	char *country = child_text(u, node, "ISSUING_COUNTRY");
	char *s;

	if (!type || !number || !country)
		return CH_ERR_NOMEM;
	if (*number == '\0')
		return CH_OK;
	s = ch_arena_printf(u->arena, "%s%s%s%s%s%s", type,
	    *type != '\0' ? " " : "", number, *country != '\0' ? " (" : "",
	    country, *country != '\0' ? ")" : "");
	if (s == NULL)
		return CH_ERR_NOMEM;
	return ch_watch_add_text(u->arena, &e->documents, &e->n_documents, s);
}

static ch_err
values(struct un *u, struct ch_watch_entry *e, xmlNode *node, bool nationality)
{
	char *v;
	ch_err err = CH_OK;

	for (xmlNode *c = node->children; c != NULL && err == CH_OK;
	     c = c->next) {
		if (!named(c, "VALUE"))
			continue;
		if ((v = text_of(u, c)) == NULL)
			return CH_ERR_NOMEM;
		if (*v == '\0')
			continue;
		if (nationality)
			err = ch_watch_add_nationality(u->arena, e, v);
	}
	if (err == CH_ERR_TOO_LARGE) {
		ch_fault_set(u->fault, "xml",
		    "line %ld: entry %s has more than %d nationalities; is "
		    "this the UN list?",
		    xmlGetLineNo(node), e->ref, CH_WATCH_MAX_NATIONALITIES);
		err = CH_ERR_INVALID;
	}
	return err;
}

static ch_err
entry(struct un *u, xmlNode *node, bool individual)
{
	static const char *const parts[] = {
	    "FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"};
	struct ch_watch_entry *e;
	struct ch_buf b;
	ch_err err = CH_OK;
	char *t;

	e = ch_watch_push(u->arena, (void **)&u->entries, &u->n, sizeof(*e));
	if (e == NULL)
		return CH_ERR_NOMEM;
	e->kind = individual ? CH_WATCH_INDIVIDUAL : CH_WATCH_ENTITY;
	e->ref = child_text(u, node, "REFERENCE_NUMBER");
	if (e->ref == NULL)
		return CH_ERR_NOMEM;
	if (*e->ref == '\0') {
		ch_fault_set(u->fault, "xml",
		    "line %ld: an %s without a REFERENCE_NUMBER",
		    xmlGetLineNo(node), individual ? "INDIVIDUAL" : "ENTITY");
		return CH_ERR_INVALID;
	}
	ch_buf_init(&b, 4096);
	for (size_t i = 0; i < 4 && err == CH_OK; i++) {
		if ((t = child_text(u, node, parts[i])) == NULL)
			err = CH_ERR_NOMEM;
		else if (*t != '\0')
			err =
			    ch_buf_appendf(&b, "%s%s", b.len > 0 ? " " : "", t);
	}
	if (err == CH_OK && b.len == 0) {
		ch_fault_set(u->fault, "xml", "line %ld: entry %s has no name",
		    xmlGetLineNo(node), e->ref);
		err = CH_ERR_INVALID;
	}
	if (err == CH_OK)
		err = ch_watch_add_name(
		    u->arena, e, b.data, CH_NAME_PRIMARY, false);
	ch_buf_free(&b);
	if (err != CH_OK)
		return err;
	if ((t = child_text(u, node, "UN_LIST_TYPE")) == NULL)
		return CH_ERR_NOMEM;
	e->programs = *t != '\0' ? t : NULL;
	if ((t = child_text(u, node, "COMMENTS1")) == NULL)
		return CH_ERR_NOMEM;
	e->remarks = *t != '\0' ? t : NULL;
	if ((t = child_text(u, node, "GENDER")) == NULL)
		return CH_ERR_NOMEM;
	e->gender = strcmp(t, "Male") == 0 ? 'M'
	    : strcmp(t, "Female") == 0     ? 'F'
					   : 0;
	for (xmlNode *c = node->children; c != NULL && err == CH_OK;
	     c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (named(c, "INDIVIDUAL_ALIAS") || named(c, "ENTITY_ALIAS")) {
			err = alias(u, e, c);
		} else if (named(c, "NAME_ORIGINAL_SCRIPT")) {
			if ((t = text_of(u, c)) == NULL)
				return CH_ERR_NOMEM;
			if (*t != '\0')
				err = ch_watch_add_name(
				    u->arena, e, t, CH_NAME_STRONG, true);
		} else if (named(c, "INDIVIDUAL_ADDRESS") ||
		    named(c, "ENTITY_ADDRESS")) {
			err = address(u, e, c);
		} else if (named(c, "INDIVIDUAL_DATE_OF_BIRTH")) {
			err = birth_date(u, e, c);
		} else if (named(c, "INDIVIDUAL_DOCUMENT")) {
			err = document(u, e, c);
		} else if (named(c, "NATIONALITY")) {
			err = values(u, e, c, true);
		}
	}
	return err;
}

static ch_err
section(struct un *u, xmlNode *node, const char *item, bool individual)
{
	ch_err err = CH_OK;

	for (xmlNode *c = node->children; c != NULL && err == CH_OK;
	     c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!named(c, item)) {
			ch_fault_set(u->fault, "xml",
			    "line %ld: <%.40s> where the list has <%s>",
			    xmlGetLineNo(c), (const char *)c->name, item);
			return CH_ERR_INVALID;
		}
		if (u->n >= CH_WATCH_MAX_ENTRIES) {
			ch_fault_set(u->fault, "xml",
			    "more than %d entries in one list",
			    CH_WATCH_MAX_ENTRIES);
			return CH_ERR_TOO_LARGE;
		}
		err = entry(u, c, individual);
	}
	return err;
}

ch_err
ch_watch_parse_un(const char *xml, size_t len, ch_arena *arena,
    struct ch_watch_set *out, struct ch_fault *fault)
{
	struct un u = {.arena = arena, .fault = fault};
	xmlDoc *doc;
	xmlNode *root;
	ch_err err = CH_OK;
	const xmlError *xe;

	memset(out, 0, sizeof(*out));
	if (len > CH_WATCH_MAX_FILE || len > (size_t)INT32_MAX) {
		ch_fault_set(fault, "xml", "the file is over %u bytes",
		    CH_WATCH_MAX_FILE);
		return CH_ERR_TOO_LARGE;
	}
	/* The check below reads bytes, so the bytes must be the text: UTF-8
	 * (what the UN publishes), parsed as UTF-8 whatever the document
	 * declares.  A UTF-16 file (with its NUL bytes, which are not valid
	 * here either), or one declaring UTF-7, would otherwise hide its
	 * DOCTYPE from it. */
	if (!ch_utf8_valid(xml, len)) {
		ch_fault_set(fault, "xml",
		    "the file is not UTF-8 text; the UN publishes the list in "
		    "UTF-8: import the file as downloaded, or save it as "
		    "UTF-8");
		return CH_ERR_INVALID;
	}
	if (memmem(xml, len, "<!DOCTYPE", 9) != NULL ||
	    memmem(xml, len, "<!ENTITY", 8) != NULL) {
		ch_fault_set(fault, "xml",
		    "the document has a DOCTYPE or an entity declaration; the "
		    "UN list has neither, and they are refused");
		return CH_ERR_INVALID;
	}
	xmlInitParser();
	doc = xmlReadMemory(xml, (int)len, "un.xml", "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC | XML_PARSE_BIG_LINES);
	if (doc == NULL) {
		xe = xmlGetLastError();
		ch_fault_set(fault, "xml",
		    "line %d: not well-formed XML: %.200s",
		    xe != NULL ? xe->line : 0,
		    xe != NULL && xe->message != NULL ? xe->message : "?");
		xmlResetLastError();
		return CH_ERR_INVALID;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !named(root, "CONSOLIDATED_LIST")) {
		ch_fault_set(fault, "xml",
		    "the root element is not <CONSOLIDATED_LIST>; is this the "
		    "UN consolidated list?");
		err = CH_ERR_INVALID;
		goto free_doc;
	}
	for (xmlNode *c = root->children; c != NULL && err == CH_OK;
	     c = c->next) {
		if (named(c, "INDIVIDUALS"))
			err = section(&u, c, "INDIVIDUAL", true);
		else if (named(c, "ENTITIES"))
			err = section(&u, c, "ENTITY", false);
	}
	if (err == CH_OK && u.n == 0) {
		ch_fault_set(fault, "xml", "the list holds no entries");
		err = CH_ERR_INVALID;
	}
	if (err == CH_OK) {
		out->entries = u.entries;
		out->n_entries = u.n;
	}
free_doc:
	xmlFreeDoc(doc);
	return err;
}

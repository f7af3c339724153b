/*
 * test_csv.c — the RFC 4180 reader of core/csv.h: quoting, line ends, the
 * byte order mark, line numbers, and every limit and malformation giving
 * an error that names the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "core/csv.h"

#define MAX_RECORDS 16

/* The records of text, fields joined by '|' and records by '\n', with the
 * line each record starts on. */
struct parsed {
	ch_err err;
	struct ch_fault fault;
	size_t nrecords;
	size_t lines[MAX_RECORDS];
	char text[2048];
};

static void
parse_n(const char *data, size_t len, size_t max_records, struct parsed *p)
{
	struct ch_csv r;
	struct ch_csv_row row;
	size_t used = 0;

	memset(p, 0, sizeof(*p));
	ch_csv_init(&r, data, len, max_records);
	while ((p->err = ch_csv_next(&r, &row, &p->fault)) == CH_OK &&
	    row.nfields > 0) {
		cr_assert_lt(p->nrecords, MAX_RECORDS);
		p->lines[p->nrecords++] = row.line;
		for (size_t i = 0; i < row.nfields; i++) {
			int n = snprintf(p->text + used, sizeof(p->text) - used,
			    "%s%s", i ? "|" : "", row.fields[i]);

			cr_assert(n >= 0 && (size_t)n < sizeof(p->text) - used);
			cr_assert_eq(strlen(row.fields[i]), row.lens[i]);
			used += (size_t)n;
		}
		cr_assert_lt(used + 1, sizeof(p->text));
		p->text[used++] = '\n';
		p->text[used] = '\0';
	}
	ch_csv_free(&r);
}

static void
parse(const char *data, struct parsed *p)
{
	parse_n(data, strlen(data), 0, p);
}

Test(csv, plain_lf)
{
	struct parsed p;

	parse("a,b,c\n1,2,3\n", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_eq(p.nrecords, 2);
	cr_assert_str_eq(p.text, "a|b|c\n1|2|3\n");
	cr_assert_eq(p.lines[0], 1);
	cr_assert_eq(p.lines[1], 2);
}

Test(csv, crlf_and_no_final_line_end)
{
	struct parsed p;

	parse("a,b\r\n1,2\r\n3,4", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_str_eq(p.text, "a|b\n1|2\n3|4\n");
	cr_assert_eq(p.lines[2], 3);
}

Test(csv, bom_is_skipped)
{
	struct parsed p;

	parse("\xef\xbb\xbfgiven_name,x\nA,B\n", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_str_eq(p.text, "given_name|x\nA|B\n");
}

Test(csv, bom_in_the_middle_is_data)
{
	struct parsed p;

	parse("a\n\xef\xbb\xbf"
	      "b\n",
	    &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_str_eq(p.text,
	    "a\n\xef\xbb\xbf"
	    "b\n");
}

Test(csv, quoted_fields)
{
	struct parsed p;

	parse("\"Smith, John\",\"say \"\"hi\"\"\",\"\",plain\n", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_str_eq(p.text, "Smith, John|say \"hi\"||plain\n");
}

Test(csv, embedded_newline_keeps_line_numbers)
{
	struct parsed p;

	parse("h1,h2\n\"two\nlines\",x\r\n\"and\r\nthree\n\",y\nlast,z\n", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_eq(p.nrecords, 4);
	cr_assert_str_eq(
	    p.text, "h1|h2\ntwo\nlines|x\nand\r\nthree\n|y\nlast|z\n");
	cr_assert_eq(p.lines[0], 1);
	cr_assert_eq(p.lines[1], 2);
	cr_assert_eq(p.lines[2], 4);
	cr_assert_eq(p.lines[3], 7);
}

Test(csv, empty_fields_and_trailing_comma)
{
	struct parsed p;

	parse(",a,,\n,\n", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_str_eq(p.text, "|a||\n|\n");
}

Test(csv, blank_lines_are_skipped_but_counted)
{
	struct parsed p;

	parse("\n\r\na\n\n\nb\n\n", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_eq(p.nrecords, 2);
	cr_assert_eq(p.lines[0], 3);
	cr_assert_eq(p.lines[1], 6);
}

Test(csv, empty_input)
{
	struct parsed p;

	parse("", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_eq(p.nrecords, 0);
	parse("\xef\xbb\xbf", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_eq(p.nrecords, 0);
	parse_n(NULL, 0, 0, &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_eq(p.nrecords, 0);
}

Test(csv, header_only)
{
	struct parsed p;

	parse("given_name,family_name\n", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_eq(p.nrecords, 1);
	cr_assert_str_eq(p.text, "given_name|family_name\n");
}

Test(csv, unterminated_quote_names_its_line)
{
	struct parsed p;

	parse("a,b\n1,2\n3,\"open\nstill open\nand more\n", &p);
	cr_assert_eq(p.err, CH_ERR_INVALID);
	cr_assert_str_eq(p.fault.field, "line 3");
	cr_assert(strstr(p.fault.detail, "never closed") != NULL, "%s",
	    p.fault.detail);
}

Test(csv, quote_inside_unquoted_field)
{
	struct parsed p;

	parse("a,b\nab\"c,d\n", &p);
	cr_assert_eq(p.err, CH_ERR_INVALID);
	cr_assert_str_eq(p.fault.field, "line 2");
	cr_assert(strstr(p.fault.detail, "quote") != NULL);
}

Test(csv, text_after_closing_quote)
{
	struct parsed p;

	parse("a\n\"x\ny\"z\n", &p);
	cr_assert_eq(p.err, CH_ERR_INVALID);
	cr_assert_str_eq(p.fault.field, "line 3");
	cr_assert(strstr(p.fault.detail, "closing quote") != NULL);
}

Test(csv, too_many_fields)
{
	char text[300];
	struct parsed p;
	size_t n;

	/* A first record, then one of 64 fields, which is allowed. */
	n = (size_t)snprintf(text, sizeof(text), "ok\n");
	for (int i = 0; i < CH_CSV_MAX_FIELDS; i++)
		n += (size_t)snprintf(
		    text + n, sizeof(text) - n, "%s%d", i ? "," : "", i % 10);
	snprintf(text + n, sizeof(text) - n, "\n");
	parse(text, &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_eq(p.nrecords, 2);
	/* A 65th field is not. */
	snprintf(text + n, sizeof(text) - n, ",x\n");
	parse(text, &p);
	cr_assert_eq(p.err, CH_ERR_INVALID);
	cr_assert_str_eq(p.fault.field, "line 2");
	cr_assert(strstr(p.fault.detail, "64") != NULL);
}

Test(csv, field_too_long)
{
	size_t len = CH_CSV_MAX_FIELD + 8;
	char *data = malloc(len + 1);
	struct ch_csv r;
	struct ch_csv_row row;
	struct ch_fault fault;

	cr_assert_not_null(data);
	/* Exactly the limit, quoted, is fine. */
	data[0] = '"';
	memset(data + 1, 'x', CH_CSV_MAX_FIELD);
	memcpy(data + 1 + CH_CSV_MAX_FIELD, "\"\n", 3);
	ch_csv_init(&r, data, strlen(data), 0);
	cr_assert_eq(ch_csv_next(&r, &row, &fault), CH_OK);
	cr_assert_eq(row.lens[0], CH_CSV_MAX_FIELD);
	ch_csv_free(&r);
	/* One more byte, unquoted, is not. */
	memset(data, 'x', CH_CSV_MAX_FIELD + 1);
	memcpy(data + CH_CSV_MAX_FIELD + 1, "\n", 2);
	ch_csv_init(&r, data, strlen(data), 0);
	cr_assert_eq(ch_csv_next(&r, &row, &fault), CH_ERR_INVALID);
	cr_assert_str_eq(fault.field, "line 1");
	cr_assert(strstr(fault.detail, "4096") != NULL);
	ch_csv_free(&r);
	free(data);
}

Test(csv, record_limit)
{
	struct parsed p;

	parse_n("a\nb\nc\n", 6, 3, &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_eq(p.nrecords, 3);
	parse_n("a\nb\nc\nd\n", 8, 3, &p);
	cr_assert_eq(p.err, CH_ERR_TOO_LARGE);
	cr_assert_eq(p.nrecords, 3);
	cr_assert_str_eq(p.fault.field, "line 4");
}

Test(csv, invalid_utf8)
{
	struct parsed p;

	parse("ok\nbad\xc3(\n", &p);
	cr_assert_eq(p.err, CH_ERR_INVALID);
	cr_assert_str_eq(p.fault.field, "line 2");
	cr_assert(strstr(p.fault.detail, "UTF-8") != NULL);
	/* A surrogate, and a field cut in the middle of a character. */
	parse("\xed\xa0\x80\n", &p);
	cr_assert_eq(p.err, CH_ERR_INVALID);
	parse("\"\xe2\x82\"\n", &p);
	cr_assert_eq(p.err, CH_ERR_INVALID);
}

Test(csv, nul_byte)
{
	static const char plain[] = "a,b\nx\0y,z\n";
	static const char quoted[] = "a,b\n\"x\0y\",z\n";
	struct parsed p;

	parse_n(plain, sizeof(plain) - 1, 0, &p);
	cr_assert_eq(p.err, CH_ERR_INVALID);
	cr_assert_str_eq(p.fault.field, "line 2");
	cr_assert(strstr(p.fault.detail, "NUL") != NULL);
	parse_n(quoted, sizeof(quoted) - 1, 0, &p);
	cr_assert_eq(p.err, CH_ERR_INVALID);
	cr_assert(strstr(p.fault.detail, "NUL") != NULL);
}

Test(csv, lone_carriage_return)
{
	struct parsed p;

	parse("a\rb\n", &p);
	cr_assert_eq(p.err, CH_ERR_INVALID);
	cr_assert_str_eq(p.fault.field, "line 1");
	/* Inside quotes it is data. */
	parse("\"a\rb\"\n", &p);
	cr_assert_eq(p.err, CH_OK);
	cr_assert_str_eq(p.text, "a\rb\n");
}

Test(csv, an_error_stops_the_reader)
{
	struct ch_csv r;
	struct ch_csv_row row;
	struct ch_fault fault;
	const char *data = "a\"b\nc\n";

	ch_csv_init(&r, data, strlen(data), 0);
	cr_assert_eq(ch_csv_next(&r, &row, &fault), CH_ERR_INVALID);
	cr_assert_eq(ch_csv_next(&r, &row, &fault), CH_ERR_INVALID);
	cr_assert_eq(row.nfields, 0);
	ch_csv_free(&r);
}

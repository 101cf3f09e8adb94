/*
 * agent/codes against the standards' own test data in ../shared/vectors:
 * every row of gs1.tsv (GS1 Syntax Engine verdicts) and hibc.tsv, and the
 * AI table against GS1's Barcode Syntax Dictionary. Skips when the folder
 * is absent; prints its agreement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codes/codes_int.h"
#include "util.h"

#define COLS_MAX	24
#define LINE_MAX_	4096

static const char *
vectors(const char *file)
{
	static char path[512];
	const char *dir = getenv("POU_VECTORS");

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "../shared/vectors",
	    file);
	return path;
}

/* Splits a TSV line in place; returns the column count. */
static int
tsv(char *line, char **col)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	col[n++] = line;
	for (; *line && n < COLS_MAX; line++)
		if (*line == '\t') {
			*line = '\0';
			col[n++] = line + 1;
		}
	return n;
}

/* The TSV's "\x1D" spelling of GS back to the byte. */
static size_t
unesc(const char *s, char *out)
{
	size_t n = 0;

	while (*s) {
		if (strncmp(s, "\\x1D", 4) == 0) {
			out[n++] = GS;
			s += 4;
		} else
			out[n++] = *s++;
	}
	out[n] = '\0';
	return n;
}

static FILE *
open_or_skip(const char *file)
{
	FILE *f = fopen(vectors(file), "r");

	if (f == NULL) {
		print_message("%s absent: skipped\n", vectors(file));
		skip();
	}
	return f;
}

/* "01=123|10=ABC" from a result's AIs. */
static void
decoded(const struct code_result *r, char *out, size_t len)
{
	size_t n = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < r->nais; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s=%s", i ? "|" : "",
		    r->ais[i].ai, r->ais[i].val);
}

struct gs1_row {
	/* id valid valid_no_req reason form bracketed raw scan ... */
	char	**c;
};

static enum code_err
gs1_run(char **c, int strict, struct code_result *r)
{
	struct codes_opts o = { 2026, strict };
	char buf[LINE_MAX_];
	size_t n;

	if (strcmp(c[4], "bracketed") == 0)
		return codes_decode_bracketed(c[5], &o, r);
	n = unesc(c[7], buf);
	return codes_decode((const unsigned char *)buf, n, &o, r);
}

static void
test_gs1_tsv(void **state)
{
	char line[LINE_MAX_], *c[COLS_MAX], got[LINE_MAX_];
	int rows = 0, agree = 0, reasons = 0, skipped = 0;
	struct code_result strict, lax;
	FILE *f = open_or_skip("gs1.tsv");

	(void)state;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (tsv(line, c) < 13 || strcmp(c[0], "id") == 0)
			continue;
		/* A raw row without scan data kept only the element string,
		 * which loses whether the input began with FNC1 (G047 and
		 * G050 are the same string with opposite verdicts). */
		if (strcmp(c[4], "raw") == 0 && c[7][0] == '\0') {
			skipped++;
			continue;
		}
		rows++;
		gs1_run(c, 1, &strict);
		gs1_run(c, 0, &lax);
		decoded(&lax, got, sizeof(got));
		if ((strict.err == CODE_OK) == (c[1][0] == '1') &&
		    (lax.err == CODE_OK) == (c[2][0] == '1') &&
		    (lax.err != CODE_OK || strcmp(got, c[9]) == 0))
			agree++;
		else
			print_message("%s: got %s/%s \"%s\" (%s), want %s/%s "
			    "\"%s\" (%s)\n", c[0], codes_errname(strict.err),
			    codes_errname(lax.err), got, strict.msg, c[1], c[2],
			    c[9], c[3]);
		if (strcmp(codes_errname(strict.err), c[3]) == 0)
			reasons++;
		else if (c[1][0] == '0')
			print_message("%s: reason %s, engine says %s\n", c[0],
			    codes_errname(strict.err), c[3]);
	}
	fclose(f);
	print_message("# agreement: gs1.tsv: %d/%d rows agree on verdicts and "
	    "fields, %d/%d on the reason; %d rows without scan data skipped\n",
	    agree, rows, reasons, rows, skipped);
	assert_true(rows > 100);
	assert_int_equal(agree, rows);
	assert_int_equal(skipped, 3);
}

static char
sp(const char *s)
{
	return strcmp(s, "<SP>") == 0 ? ' ' : s[0];
}

static int
hibc_fields_agree(char **c, const struct code_result *r)
{
	const struct hibc_fields *h = &r->hibc;
	char q[16];

	snprintf(q, sizeof(q), "%ld", r->qty);
	return strcmp(c[6], h->lic) == 0 && strcmp(c[7], h->pcn) == 0 &&
	    (c[8][0] == '\0' ? h->uom == 0 : c[8][0] == h->uom) &&
	    strcmp(c[9], r->qty ? q : "") == 0 && strcmp(c[10], h->exp) == 0 &&
	    strcmp(c[13], r->item.lot) == 0 &&
	    strcmp(c[14], r->item.serial) == 0 &&
	    strcmp(c[15], r->item.mfg) == 0 &&
	    (c[16][0] == '\0' ? h->link == 0 : sp(c[16]) == h->link) &&
	    sp(c[17]) == h->check;
}

/* H034's note names the label it is the secondary half of. */
static enum code_err
hibc_pair(char **c, struct code_result *r)
{
	struct codes_opts o = { 2026, 0 };
	struct code_result pri, sec;
	const char *p = strstr(c[20], "half of ");
	char label[128];
	size_t n;

	if (p == NULL)
		return CODE_SYNTAX;
	snprintf(label, sizeof(label), "%s", p + 8);
	n = strcspn(label, ":)");
	while (n > 0 && label[n - 1] == ' ' && label[n - 2] != '+')
		n--;
	label[n - strlen(c[4])] = '\0';	/* the primary before this half */
	codes_decode((const unsigned char *)label, strlen(label), &o, &pri);
	codes_decode((const unsigned char *)c[4], strlen(c[4]), &o, &sec);
	return codes_assemble(&pri, &sec, &o, r);
}

static void
test_hibc_tsv(void **state)
{
	char line[LINE_MAX_], *c[COLS_MAX];
	struct codes_opts o = { 2026, 0 };
	int rows = 0, agree = 0;
	struct code_result r;
	enum code_err e;
	FILE *f = open_or_skip("hibc.tsv");

	(void)state;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (tsv(line, c) < 21 || strcmp(c[0], "id") == 0)
			continue;
		rows++;
		e = strcmp(c[2], "link_mismatch") == 0 ? hibc_pair(c, &r) :
		    codes_decode((const unsigned char *)c[4], strlen(c[4]), &o,
		    &r);
		if (c[1][0] == '1' ? e == CODE_OK && hibc_fields_agree(c, &r) :
		    strcmp(codes_errname(e), c[2]) == 0)
			agree++;
		else
			print_message("%s: got %s (%s) lic=%s pcn=%s uom=%c "
			    "qty=%ld exp=%s lot=%s ser=%s mfg=%s link=%c "
			    "chk=%c\n", c[0], codes_errname(e), r.msg,
			    r.hibc.lic, r.hibc.pcn,
			    r.hibc.uom ? r.hibc.uom : '-', r.qty, r.hibc.exp,
			    r.item.lot, r.item.serial, r.item.mfg,
			    r.hibc.link ? r.hibc.link : '-', r.hibc.check);
	}
	fclose(f);
	print_message("# agreement: hibc.tsv: %d/%d rows agree\n", agree, rows);
	assert_true(rows > 30);
	assert_int_equal(agree, rows);
}

/* One dictionary entry, split into our table's fields. */
struct dict {
	char	lo[8], hi[8], flags[8], spec[256], req[256], ex[256], dl[64];
	int	has_dl;
};

static int
dict_parse(char *line, struct dict *d)
{
	char *tok, *save = NULL, *hash = strchr(line, '#');

	memset(d, 0, sizeof(*d));
	if (hash)
		*hash = '\0';
	if ((tok = strtok_r(line, " \t\r\n", &save)) == NULL)
		return 0;
	if (sscanf(tok, "%7[0-9]-%7[0-9]", d->lo, d->hi) != 2)
		snprintf(d->hi, sizeof(d->hi), "%s", strcpy(d->lo, tok));
	while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
		if (strspn(tok, "*?") == strlen(tok))
			snprintf(d->flags, sizeof(d->flags), "%s", tok);
		else if (strncmp(tok, "req=", 4) == 0)
			snprintf(d->req, sizeof(d->req), "%s", tok + 4);
		else if (strncmp(tok, "ex=", 3) == 0)
			snprintf(d->ex, sizeof(d->ex), "%s", tok + 3);
		else if (strncmp(tok, "dlpkey", 6) == 0) {
			d->has_dl = 1;
			snprintf(d->dl, sizeof(d->dl), "%s", tok[6] == '=' ?
			    tok + 7 : "");
		} else {
			if (d->spec[0])
				strncat(d->spec, " ", sizeof(d->spec) - 1 -
				    strlen(d->spec));
			strncat(d->spec, tok, sizeof(d->spec) - 1 -
			    strlen(d->spec));
		}
	}
	return 1;
}

static int
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b) == 0;
}

static int
dict_agrees(const struct dict *d)
{
	const struct gs1_ai *a = gs1_ai_find(d->lo, strlen(d->lo));

	if (a == NULL || strcmp(a->lo, d->lo) != 0 || strcmp(a->hi, d->hi) != 0)
		return 0;
	return ((a->flags & GS1_FIXED) != 0) ==
	    (strchr(d->flags, '*') != NULL) &&
	    ((a->flags & GS1_DLATTR) != 0) == (strchr(d->flags, '?') != NULL) &&
	    strcmp(a->spec, d->spec) == 0 && same(a->req, d->req) &&
	    same(a->ex, d->ex) && (a->dl != NULL) == d->has_dl &&
	    (!d->has_dl || strcmp(a->dl, d->dl) == 0);
}

static void
test_ai_table_against_dictionary(void **state)
{
	char line[LINE_MAX_], copy[LINE_MAX_];
	int entries = 0, agree = 0;
	struct dict d;
	FILE *f = open_or_skip("gs1-syntax-dictionary.txt");

	(void)state;
	while (fgets(line, sizeof(line), f) != NULL) {
		snprintf(copy, sizeof(copy), "%s", line);
		if (line[0] == '#' || !dict_parse(line, &d))
			continue;
		entries++;
		if (dict_agrees(&d))
			agree++;
		else
			print_message("dictionary: %s", copy);
	}
	fclose(f);
	print_message("# agreement: AI table: %d/%d dictionary entries agree; "
	    "the table has %zu entries\n", agree, entries, gs1_ai_count());
	assert_int_equal(agree, entries);
	assert_int_equal((size_t)entries, gs1_ai_count());
}

/* The value of field k of r, as the fixtures spell it. */
static const char *
field(const struct code_result *r, const char *k, char *buf, size_t len)
{
	int i;

	if (strncmp(k, "ais:", 4) == 0) {
		for (i = 0; i < r->nais; i++)
			if (strcmp(r->ais[i].ai, k + 4) == 0)
				return r->ais[i].val;
		return "(absent)";
	}
	if (strcmp(k, "qty") == 0 || strcmp(k, "partial") == 0) {
		snprintf(buf, len, "%ld", k[0] == 'q' ? r->qty :
		    (long)r->partial);
		return buf;
	}
	return strcmp(k, "scheme") == 0 ? r->item.scheme :
	    strcmp(k, "di") == 0 ? r->item.di : strcmp(k, "lot") == 0 ?
	    r->item.lot : strcmp(k, "serial") == 0 ? r->item.serial :
	    strcmp(k, "expiry") == 0 ? r->item.expiry : strcmp(k, "mfg") == 0 ?
	    r->item.mfg : strcmp(k, "din") == 0 ? r->isbt.din : "(unknown key)";
}

/* Checks "ok" or a reason, then each k=v of want; prints what differs. */
static int
expect(const char *id, const struct code_result *r, const char *reason,
    char *want)
{
	char buf[32], *kv, *save = NULL, *eq;
	const char *got;
	int ok = strcmp(codes_errname(r->err), reason) == 0;

	if (!ok)
		print_message("%s: %s (%s), want %s\n", id,
		    codes_errname(r->err), r->msg, reason);
	for (kv = strtok_r(want, "|", &save); ok && kv;
	    kv = strtok_r(NULL, "|", &save)) {
		if ((eq = strchr(kv, '=')) == NULL)
			continue;
		*eq = '\0';
		got = field(r, kv, buf, sizeof(buf));
		if (strcmp(got, eq + 1) != 0) {
			print_message("%s: %s is \"%s\", want \"%s\"\n", id, kv,
			    got, eq + 1);
			ok = 0;
		}
	}
	return ok;
}

static FILE *
fixture(const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "tests/fixtures/%s", name);
	assert_non_null(f = fopen(path, "r"));
	return f;
}

static void
decode_escaped(const char *s, const struct codes_opts *o,
    struct code_result *r)
{
	unsigned char buf[1024];
	int n;

	if (s[0] == '(') {
		codes_decode_bracketed(s, o, r);
		return;
	}
	n = unescape(s, strlen(s), buf, sizeof(buf));
	assert_true(n >= 0);
	codes_decode(buf, (size_t)n, o, r);
}

static void
test_own_vectors(void **state)
{
	char line[LINE_MAX_], *c[COLS_MAX];
	int rows = 0, agree = 0, n;
	struct code_result r;

	(void)state;
	FILE *f = fixture("codes.tsv");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || (n = tsv(line, c)) < 4)
			continue;
		struct codes_opts o = { 2026, strcmp(c[2], "strict") == 0 };

		rows++;
		decode_escaped(c[1], &o, &r);
		agree += expect(c[0], &r, c[3], n > 4 ? c[4] : (char *)"");
	}
	fclose(f);
	print_message("# agreement: codes.tsv (ISBT 128, Digital Link, "
	    "EAN/UPC, wedge damage): %d/%d\n", agree, rows);
	assert_true(rows >= 30);
	assert_int_equal(agree, rows);
}

static void
test_assembly(void **state)
{
	char line[LINE_MAX_], *c[COLS_MAX];
	struct codes_opts o = { 2026, 0 };
	struct code_result a, b, r;
	int rows = 0, agree = 0, n;

	(void)state;
	FILE *f = fixture("pairs.tsv");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || (n = tsv(line, c)) < 4)
			continue;
		rows++;
		decode_escaped(c[1], &o, &a);
		decode_escaped(c[2], &o, &b);
		codes_assemble(&a, &b, &o, &r);
		agree += expect(c[0], &r, c[3], n > 4 ? c[4] : (char *)"");
	}
	fclose(f);
	print_message("# agreement: pairs.tsv (multi-symbol assembly): %d/%d\n",
	    agree, rows);
	assert_true(rows >= 8);
	assert_int_equal(agree, rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ai_table_against_dictionary),
		cmocka_unit_test(test_gs1_tsv),
		cmocka_unit_test(test_hibc_tsv),
		cmocka_unit_test(test_own_vectors),
		cmocka_unit_test(test_assembly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

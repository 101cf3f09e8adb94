/*
 * pouctl decode: reads scans (arguments, or lines on stdin) written with
 * the sim driver's escapes, or GS1's bracketed form, and prints one JSON
 * object per scan: the decoded item, or the reason it was refused.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "codes/codes.h"
#include "pouctl.h"
#include "util.h"

static json_t *
str_or_null(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static void
decode_gs1(json_t *j, const struct code_result *r)
{
	json_t *ais = json_object();
	int i;

	for (i = 0; i < r->nais; i++)
		json_object_set_new(ais, r->ais[i].ai,
		    json_string(r->ais[i].val));
	json_object_set_new(j, "ais", ais);
}

static void
decode_hibc(json_t *j, const struct code_result *r)
{
	const struct hibc_fields *h = &r->hibc;
	char c[2] = { 0, 0 };

	json_object_set_new(j, "lic", str_or_null(h->lic));
	json_object_set_new(j, "pcn", str_or_null(h->pcn));
	json_object_set_new(j, "uom", h->uom ? json_integer(h->uom - '0') :
	    json_null());
	json_object_set_new(j, "expiry_as_labelled", str_or_null(h->exp));
	json_object_set_new(j, "expiry_format", str_or_null(h->exp_format));
	c[0] = h->link;
	json_object_set_new(j, "link", str_or_null(c));
	c[0] = h->check;
	json_object_set_new(j, "check", str_or_null(c));
}

static json_t *
decode_json(const struct code_result *r)
{
	const struct item *it = &r->item;
	json_t *j;

	if (r->err != CODE_OK)
		return json_pack("{s:b, s:s, s:s}", "ok", 0, "code",
		    codes_errname(r->err), "message", r->msg);
	j = json_pack("{s:b, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "ok", 1,
	    "scheme", it->scheme, "di", str_or_null(it->di),
	    "lot", str_or_null(it->lot), "serial", str_or_null(it->serial),
	    "expiry", str_or_null(it->expiry), "mfg", str_or_null(it->mfg),
	    "qty", r->qty ? json_integer(r->qty) : json_null());
	if (r->partial)
		json_object_set_new(j, "partial", json_true());
	if (strcmp(it->scheme, "gs1") == 0)
		decode_gs1(j, r);
	else if (strcmp(it->scheme, "hibc") == 0)
		decode_hibc(j, r);
	else if (strcmp(it->scheme, "isbt128") == 0)
		json_object_set_new(j, "din", str_or_null(r->isbt.din));
	return j;
}

/* Decodes one line; returns 1 when it was refused. */
static int
decode_line(const char *line, const struct codes_opts *o)
{
	unsigned char buf[ITEM_RAW_MAX + 1];
	struct code_result r;
	char *out;
	json_t *j;
	int n;

	if (line[0] == '(')
		codes_decode_bracketed(line, o, &r);
	else if ((n = unescape(line, strlen(line), buf, sizeof(buf) - 1)) < 0) {
		memset(&r, 0, sizeof(r));
		r.err = CODE_SYNTAX;
		snprintf(r.msg, sizeof(r.msg), "bad escape, or longer than %d "
		    "bytes", ITEM_RAW_MAX);
	} else
		codes_decode(buf, (size_t)n, o, &r);
	j = decode_json(&r);
	out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	puts(out ? out : "{\"ok\":false,\"code\":\"out_of_memory\"}");
	free(out);
	json_decref(j);
	return r.err != CODE_OK;
}

int
ctl_decode(const char *none, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct codes_opts o = { 0, 0 };
	char line[8192];
	time_t t = time(NULL);
	struct tm tm;
	int ch, bad = 0, i;

	(void)none;
	gmtime_r(&t, &tm);
	o.year_now = tm.tm_year + 1900;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "s", opts, NULL)) != -1) {
		if (ch != 's') {
			fprintf(stderr, "usage: pouctl decode [--strict] "
			    "[scan ...]\n");
			return 2;
		}
		o.strict = 1;
	}
	for (i = optind; i < argc; i++)
		bad |= decode_line(argv[i], &o);
	if (optind < argc)
		return bad;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		bad |= decode_line(line, &o);
	}
	return bad;
}

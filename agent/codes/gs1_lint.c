/*
 * GS1 value checks: an AI's value against its format components ("N6,
 * yymmd0 [N4],hhmi") and the content rules ("linters") the General
 * Specifications attach to them: check digits, dates, times, ISO codes...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes_int.h"
#include "iso_tables.h"

#define GCP_MIN		4	/* the shortest GS1 Company Prefix */

static const char cset82[] = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRS"
    "TUVWXYZ_abcdefghijklmnopqrstuvwxyz";
static const char cset39[] = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char cset64[] = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
    "abcdefghijklmnopqrstuvwxyz=";
static const char cset32[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/* One format component: "N6", "X..20", "[N3]", with its linters. */
struct comp {
	char		 type;		/* N, X, Y, Z */
	size_t		 len;		/* fixed length, or the maximum */
	int		 var;		/* "..": 1 to len characters */
	int		 opt;		/* "[...]" */
	const char	*lint;		/* ",csum,gcppos2" or "" */
	size_t		 lintlen;
};

/* Linter failure: the reason code and a short text for the message. */
struct lint_err {
	enum code_err	 err;
	char		 why[96];
};

int
gs1_cset82(int c)
{
	return c != 0 && strchr(cset82, c) != NULL;
}

int
gs1_check_digit(const char *d, size_t n)
{
	int sum = 0, w = 3;
	size_t i;

	/* Weights 3,1,3... from the right, over every digit but the check. */
	for (i = n - 1; i-- > 0; w = 4 - w)
		sum += (d[i] - '0') * w;
	return (10 - sum % 10) % 10;
}

/* GS1 General Specifications 7.12: the century within -49..+50 years of now. */
static int
century(int yy, int year_now)
{
	int cur = year_now % 100, base = year_now - cur, diff = yy - cur;

	if (diff >= 51)
		return base - 100 + yy;
	if (diff <= -50)
		return base + 100 + yy;
	return base + yy;
}

static int
lint_date(int y, const char *md, int d0, struct lint_err *e)
{
	int m = (int)codes_num(md, 2), d = (int)codes_num(md + 2, 2);

	if (m < 1 || m > 12) {
		snprintf(e->why, sizeof(e->why), "month %02d does not exist", m);
		return e->err = CODE_BAD_DATE, -1;
	}
	if ((d == 0 && !d0) || d > codes_days_in_month(y, m)) {
		snprintf(e->why, sizeof(e->why), "%04d-%02d-%02d is not a date",
		    y, m, d);
		return e->err = CODE_BAD_DATE, -1;
	}
	return 0;
}

int
gs1_date_iso(const char *v, int d0, int year_now, char out[11])
{
	struct lint_err e;
	int y = century((int)codes_num(v, 2), year_now), m = (int)codes_num(v + 2, 2), d;

	if (!codes_digits(v, 6) || lint_date(y, v + 2, d0, &e) != 0)
		return -1;
	d = (int)codes_num(v + 4, 2);
	if (d == 0)		/* day 00: the last day of the month */
		d = codes_days_in_month(y, m);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000,
	    (unsigned)m % 100, (unsigned)d % 100);
	return 0;
}

static int
lint_range(const char *v, size_t n, int max, const char *what,
    struct lint_err *e)
{
	if (codes_num(v, n) <= max)
		return 0;
	snprintf(e->why, sizeof(e->why), "%s %.*s does not exist", what, (int)n,
	    v);
	e->err = CODE_BAD_TIME;
	return -1;
}

static int
in_list(const char *const *list, size_t n, const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], v, len) == 0)
			return 1;
	return 0;
}

#define IN_LIST(l, v, n) in_list(l, sizeof(l) / sizeof(l[0]), v, n)

static int
lint_csumalpha(const char *v, size_t n, struct lint_err *e)
{
	unsigned sum = 0, p, k, i, c;
	static const unsigned primes[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29,
		31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101,
		103, 107, 109, 113 };

	if (n < 2 || n - 2 > sizeof(primes) / sizeof(primes[0]) ||
	    strchr(cset32, v[n - 2]) == NULL || strchr(cset32, v[n - 1]) == NULL)
		goto bad;
	/* CSET 82 values weighted by primes from the right, mod 1021. */
	for (i = 0; i < n - 2; i++) {
		c = (unsigned)(strchr(cset82, v[i]) - cset82);
		p = primes[n - 3 - i];
		sum += c * p;
	}
	sum %= 1021;
	k = sum;
	if (v[n - 2] == cset32[k >> 5] && v[n - 1] == cset32[k & 31])
		return 0;
bad:
	snprintf(e->why, sizeof(e->why), "the check character pair is wrong");
	e->err = CODE_CONTENT;
	return -1;
}

static int
lint_iban(const char *v, size_t n, struct lint_err *e)
{
	unsigned r = 0;
	size_t i, k;
	int c;

	if (n < 5 || !IN_LIST(iso3166_alpha2, v, 2) || !codes_digits(v + 2, 2))
		goto bad;
	for (i = 0; i < n; i++) {
		k = (i + 4) % n;	/* the first four characters go last */
		c = v[k];
		if (c >= '0' && c <= '9')
			r = (r * 10 + (unsigned)(c - '0')) % 97;
		else if (c >= 'A' && c <= 'Z')
			r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
		else
			goto bad;
	}
	if (r == 1)
		return 0;
bad:
	snprintf(e->why, sizeof(e->why), "not a valid IBAN");
	e->err = CODE_CONTENT;
	return -1;
}

static int
lint_pcenc(const char *v, size_t n, struct lint_err *e)
{
	static const char hex[] = "0123456789ABCDEFabcdef";
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == '%' && (i + 2 >= n || !strchr(hex, v[i + 1]) ||
		    !strchr(hex, v[i + 2]))) {
			snprintf(e->why, sizeof(e->why), "bad %%hh escape");
			e->err = CODE_CONTENT;
			return -1;
		}
	return 0;
}

static int
content(struct lint_err *e, const char *why)
{
	snprintf(e->why, sizeof(e->why), "%s", why);
	e->err = CODE_CONTENT;
	return -1;
}

static int
lint_pieces(const char *v, size_t n, struct lint_err *e)
{
	long long piece = codes_num(v, n / 2), total = codes_num(v + n / 2, n / 2);

	if (piece == 0 || total == 0)
		return content(e, "piece number and total must not be zero");
	if (piece > total)
		return content(e, "the piece number exceeds the total");
	return 0;
}

static int
lint_country(const char *v, size_t n, int allow999, struct lint_err *e)
{
	if (IN_LIST(iso3166_numeric, v, n) || (allow999 && n == 3 &&
	    memcmp(v, "999", 3) == 0))
		return 0;
	snprintf(e->why, sizeof(e->why), "%.*s is not an ISO 3166 country",
	    (int)n, v);
	e->err = CODE_BAD_COUNTRY;
	return -1;
}

/* Runs the linter name (namelen bytes) on the component value v. */
static int
lint_one(const char *name, size_t namelen, const char *v, size_t n,
    int year_now, struct lint_err *e)
{
#define IS(s) (namelen == sizeof(s) - 1 && memcmp(name, s, namelen) == 0)
	int cd;

	if (IS("csum")) {
		if ((cd = gs1_check_digit(v, n)) == v[n - 1] - '0')
			return 0;
		snprintf(e->why, sizeof(e->why), "check digit should be %d, "
		    "label says %c", cd, v[n - 1]);
		return e->err = CODE_BAD_CHECK_DIGIT, -1;
	}
	if (IS("yymmd0") || IS("yymmdd"))
		return lint_date(century((int)codes_num(v, 2), year_now), v + 2,
		    IS("yymmd0"), e);
	if (IS("yyyymmdd"))
		return lint_date((int)codes_num(v, 4), v + 4, 0, e);
	if (IS("hh"))
		return lint_range(v, 2, 23, "hour", e);
	if (IS("mi") || IS("ss"))
		return lint_range(v, 2, 59, IS("mi") ? "minute" : "second", e);
	if (IS("hhmi"))
		return lint_range(v, 2, 23, "hour", e) ||
		    lint_range(v + 2, 2, 59, "minute", e) ? -1 : 0;
	if (IS("gcppos1") || IS("gcppos2")) {
		size_t off = IS("gcppos2");

		if (n >= off + GCP_MIN && codes_digits(v + off, GCP_MIN))
			return 0;
		return content(e, "does not start with a GS1 Company Prefix");
	}
	if (IS("csumalpha"))
		return lint_csumalpha(v, n, e);
	if (IS("iso3166") || IS("iso3166999"))
		return lint_country(v, n, IS("iso3166999"), e);
	if (IS("iso3166alpha2"))
		return IN_LIST(iso3166_alpha2, v, n) ? 0 :
		    content(e, "not an ISO 3166 alpha-2 country");
	if (IS("iso4217"))
		return IN_LIST(iso4217_numeric, v, n) ? 0 :
		    content(e, "not an ISO 4217 currency");
	if (IS("iso5218"))
		return strchr("0129", v[0]) ? 0 :
		    content(e, "not an ISO/IEC 5218 sex code");
	if (IS("yesno"))
		return v[0] == '0' || v[0] == '1' ? 0 : content(e, "not 0 or 1");
	if (IS("nonzero"))
		return codes_num(v, n) != 0 ? 0 : content(e, "must not be zero");
	if (IS("zero"))
		return v[0] == '0' ? 0 : content(e, "must be zero");
	if (IS("winding"))
		return strchr("019", v[0]) ? 0 :
		    content(e, "winding must be 0, 1 or 9");
	if (IS("hyphen"))
		return v[0] == '-' ? 0 : content(e, "must be a hyphen");
	if (IS("pieceoftotal"))
		return lint_pieces(v, n, e);
	if (IS("latitude"))
		return codes_num(v, n) <= 1800000000 ? 0 : content(e, "latitude");
	if (IS("longitude"))
		return codes_num(v, n) <= 3600000000LL ? 0 : content(e, "longitude");
	if (IS("pcenc"))
		return lint_pcenc(v, n, e);
	if (IS("iban"))
		return lint_iban(v, n, e);
	if (IS("nozeroprefix"))
		return n == 1 || v[0] != '0' ? 0 :
		    content(e, "must not start with zero");
	if (IS("hasnondigit"))
		return !codes_digits(v, n) ? 0 : content(e, "must hold a non-digit");
	if (IS("mediatype"))
		return (codes_num(v, 2) >= 1 && codes_num(v, 2) <= 10) || codes_num(v, 2) >= 80 ?
		    0 : content(e, "not an AIDC media type");
	if (IS("posinseqslash"))
		return v[1] == '/' && v[0] >= '1' && v[0] <= '9' &&
		    v[2] >= v[0] && v[2] <= '9' ? 0 :
		    content(e, "not a position like 1/2");
	if (IS("importeridx"))
		return strchr(cset64, v[0]) && v[0] != '=' ? 0 :
		    content(e, "not an importer index");
	/* packagetype, couponcode, couponposoffer: the format only (see docs). */
	return 0;
#undef IS
}

static int
comp_next(const char **sp, struct comp *c)
{
	const char *s = *sp;
	char *end;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return 0;
	memset(c, 0, sizeof(*c));
	if ((c->opt = *s == '['))
		s++;
	c->type = *s++;
	if ((c->var = s[0] == '.' && s[1] == '.'))
		s += 2;
	c->len = (size_t)strtoul(s, &end, 10);
	s = end;
	if (*s == ']')
		s++;
	c->lint = s;
	while (*s && *s != ' ')
		s++;
	c->lintlen = (size_t)(s - c->lint);
	*sp = s;
	return 1;
}

static int
comp_chars(const struct comp *c, const char *v, size_t n, size_t *bad)
{
	const char *set = c->type == 'X' ? cset82 : c->type == 'Y' ? cset39 :
	    c->type == 'Z' ? cset64 : "0123456789";

	for (*bad = 0; *bad < n; (*bad)++)
		if (v[*bad] == 0 || strchr(set, v[*bad]) == NULL)
			return -1;
	return 0;
}

static int
comp_lint(const struct comp *c, const char *v, size_t n, int year_now,
    struct lint_err *e)
{
	const char *p = c->lint, *end = c->lint + c->lintlen, *q;
	char buf[CODES_AI_VAL_MAX + 1];

	memcpy(buf, v, n);	/* linters may read the value as a string */
	buf[n] = '\0';
	while (p < end) {
		p++;			/* the comma */
		for (q = p; q < end && *q != ','; q++)
			;
		if (lint_one(p, (size_t)(q - p), buf, n, year_now, e) != 0)
			return -1;
		p = q;
	}
	return 0;
}

static const char *
type_name(char t)
{
	return t == 'N' ? "digits" : t == 'Y' ? "CSET 39" : t == 'Z' ?
	    "base64url" : "GS1 characters (CSET 82)";
}

enum code_err
gs1_check(const struct gs1_ai *a, const char *ai, const char *v, size_t n,
    int year_now, struct code_result *r)
{
	const char *spec = a->spec;
	struct lint_err e;
	struct comp c;
	size_t pos = 0, take, bad;

	while (comp_next(&spec, &c)) {
		if (c.opt && pos == n)
			break;
		take = c.var ? n - pos : c.len;
		if (n - pos < (c.var ? 1 : c.len))
			return codes_fail(r, CODE_WRONG_LENGTH, "%s (%s) \"%.*s\" "
			    "is too short", a->title, ai, (int)n, v);
		if (take > c.len)
			return codes_fail(r, CODE_WRONG_LENGTH, "%s (%s) is too "
			    "long: %zu characters", a->title, ai, n);
		if (comp_chars(&c, v + pos, take, &bad) != 0)
			return codes_fail(r, CODE_INVALID_CHAR, "%s (%s) has '%c' "
			    "where only %s may be", a->title, ai, v[pos + bad],
			    type_name(c.type));
		if (comp_lint(&c, v + pos, take, year_now, &e) != 0)
			return codes_fail(r, e.err, "%s (%s) \"%.*s\": %s",
			    a->title, ai, (int)n, v, e.why);
		pos += take;
	}
	if (pos < n)
		return codes_fail(r, CODE_WRONG_LENGTH, "%s (%s) is too long: %zu "
		    "characters", a->title, ai, n);
	return CODE_OK;
}

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

/* A component's value as its linters see it: n characters, a string too. */
struct lint_val {
	const char	*v;
	size_t		 n;
	int		 year_now;	/* places two-digit years */
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
		snprintf(e->why, sizeof(e->why), "month %02d does not exist",
		    m);
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
	int y = century((int)codes_num(v, 2), year_now);
	int m = (int)codes_num(v + 2, 2), d;

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
content(struct lint_err *e, const char *why)
{
	snprintf(e->why, sizeof(e->why), "%s", why);
	e->err = CODE_CONTENT;
	return -1;
}

static int
lint_csumalpha(const struct lint_val *x, struct lint_err *e)
{
	const char *v = x->v;
	size_t n = x->n;
	unsigned sum = 0, p, k, i, c;
	static const unsigned primes[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29,
		31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101,
		103, 107, 109, 113 };

	if (n < 2 || n - 2 > sizeof(primes) / sizeof(primes[0]) ||
	    strchr(cset32, v[n - 2]) == NULL ||
	    strchr(cset32, v[n - 1]) == NULL)
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
lint_iban(const struct lint_val *x, struct lint_err *e)
{
	const char *v = x->v;
	size_t n = x->n, i, k;
	unsigned r = 0;
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
lint_pcenc(const struct lint_val *x, struct lint_err *e)
{
	static const char hex[] = "0123456789ABCDEFabcdef";
	const char *v = x->v;
	size_t n = x->n, i;

	for (i = 0; i < n; i++)
		if (v[i] == '%' && (i + 2 >= n || !strchr(hex, v[i + 1]) ||
		    !strchr(hex, v[i + 2])))
			return content(e, "bad %hh escape");
	return 0;
}

static int
lint_pieces(const struct lint_val *x, struct lint_err *e)
{
	size_t h = x->n / 2;
	long long piece = codes_num(x->v, h), total = codes_num(x->v + h, h);

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

static int
lint_csum(const struct lint_val *x, struct lint_err *e)
{
	int cd = gs1_check_digit(x->v, x->n);

	if (cd == x->v[x->n - 1] - '0')
		return 0;
	snprintf(e->why, sizeof(e->why), "check digit should be %d, "
	    "label says %c", cd, x->v[x->n - 1]);
	return e->err = CODE_BAD_CHECK_DIGIT, -1;
}

static int
lint_yymmd0(const struct lint_val *x, struct lint_err *e)
{
	return lint_date(century((int)codes_num(x->v, 2), x->year_now),
	    x->v + 2, 1, e);
}

static int
lint_yymmdd(const struct lint_val *x, struct lint_err *e)
{
	return lint_date(century((int)codes_num(x->v, 2), x->year_now),
	    x->v + 2, 0, e);
}

static int
lint_yyyymmdd(const struct lint_val *x, struct lint_err *e)
{
	return lint_date((int)codes_num(x->v, 4), x->v + 4, 0, e);
}

static int
lint_hh(const struct lint_val *x, struct lint_err *e)
{
	return lint_range(x->v, 2, 23, "hour", e);
}

static int
lint_mi(const struct lint_val *x, struct lint_err *e)
{
	return lint_range(x->v, 2, 59, "minute", e);
}

static int
lint_ss(const struct lint_val *x, struct lint_err *e)
{
	return lint_range(x->v, 2, 59, "second", e);
}

static int
lint_hhmi(const struct lint_val *x, struct lint_err *e)
{
	return lint_range(x->v, 2, 23, "hour", e) ||
	    lint_range(x->v + 2, 2, 59, "minute", e) ? -1 : 0;
}

/* A GS1 Company Prefix from offset off: at least its shortest length. */
static int
gcppos(const struct lint_val *x, size_t off, struct lint_err *e)
{
	if (x->n >= off + GCP_MIN && codes_digits(x->v + off, GCP_MIN))
		return 0;
	return content(e, "does not start with a GS1 Company Prefix");
}

static int
lint_gcppos1(const struct lint_val *x, struct lint_err *e)
{
	return gcppos(x, 0, e);
}

static int
lint_gcppos2(const struct lint_val *x, struct lint_err *e)
{
	return gcppos(x, 1, e);
}

static int
lint_iso3166(const struct lint_val *x, struct lint_err *e)
{
	return lint_country(x->v, x->n, 0, e);
}

static int
lint_iso3166999(const struct lint_val *x, struct lint_err *e)
{
	return lint_country(x->v, x->n, 1, e);
}

static int
lint_iso3166alpha2(const struct lint_val *x, struct lint_err *e)
{
	return IN_LIST(iso3166_alpha2, x->v, x->n) ? 0 :
	    content(e, "not an ISO 3166 alpha-2 country");
}

static int
lint_iso4217(const struct lint_val *x, struct lint_err *e)
{
	return IN_LIST(iso4217_numeric, x->v, x->n) ? 0 :
	    content(e, "not an ISO 4217 currency");
}

static int
lint_nonzero(const struct lint_val *x, struct lint_err *e)
{
	return codes_num(x->v, x->n) != 0 ? 0 : content(e, "must not be zero");
}

static int
lint_latitude(const struct lint_val *x, struct lint_err *e)
{
	return codes_num(x->v, x->n) <= 1800000000 ? 0 :
	    content(e, "latitude");
}

static int
lint_longitude(const struct lint_val *x, struct lint_err *e)
{
	return codes_num(x->v, x->n) <= 3600000000LL ? 0 :
	    content(e, "longitude");
}

static int
lint_nozeroprefix(const struct lint_val *x, struct lint_err *e)
{
	return x->n == 1 || x->v[0] != '0' ? 0 :
	    content(e, "must not start with zero");
}

static int
lint_hasnondigit(const struct lint_val *x, struct lint_err *e)
{
	return !codes_digits(x->v, x->n) ? 0 :
	    content(e, "must hold a non-digit");
}

static int
lint_mediatype(const struct lint_val *x, struct lint_err *e)
{
	long long t = codes_num(x->v, 2);

	return (t >= 1 && t <= 10) || t >= 80 ? 0 :
	    content(e, "not an AIDC media type");
}

static int
lint_posinseqslash(const struct lint_val *x, struct lint_err *e)
{
	const char *v = x->v;

	return v[1] == '/' && v[0] >= '1' && v[0] <= '9' &&
	    v[2] >= v[0] && v[2] <= '9' ? 0 :
	    content(e, "not a position like 1/2");
}

static int
lint_importeridx(const struct lint_val *x, struct lint_err *e)
{
	return strchr(cset64, x->v[0]) && x->v[0] != '=' ? 0 :
	    content(e, "not an importer index");
}

/*
 * The linters by the names the AI table's specs give them. A row without
 * fn is a test of the first character alone: one of first, or why.
 */
struct linter {
	const char	*name;
	int		(*fn)(const struct lint_val *, struct lint_err *);
	const char	*first;
	const char	*why;
};

#define FN(name, fn)		{ name, fn, NULL, NULL }
#define FIRST(name, set, why)	{ name, NULL, set, why }

/* lint_one walks it (linear): the ones the AI table uses most come first. */
static const struct linter linters[] = {
	FN("csum", lint_csum),
	FN("gcppos1", lint_gcppos1),
	FN("pcenc", lint_pcenc),
	FN("iso3166", lint_iso3166),
	FN("iso3166999", lint_iso3166999),
	FN("yymmd0", lint_yymmd0),
	FN("yymmdd", lint_yymmdd),
	FN("gcppos2", lint_gcppos2),
	FN("hhmi", lint_hhmi),
	FN("hh", lint_hh),
	FN("mi", lint_mi),
	FN("ss", lint_ss),
	FN("yyyymmdd", lint_yyyymmdd),
	FN("csumalpha", lint_csumalpha),
	FN("iso3166alpha2", lint_iso3166alpha2),
	FN("iso4217", lint_iso4217),
	FN("nonzero", lint_nonzero),
	FN("pieceoftotal", lint_pieces),
	FN("latitude", lint_latitude),
	FN("longitude", lint_longitude),
	FN("iban", lint_iban),
	FN("nozeroprefix", lint_nozeroprefix),
	FN("hasnondigit", lint_hasnondigit),
	FN("mediatype", lint_mediatype),
	FN("posinseqslash", lint_posinseqslash),
	FN("importeridx", lint_importeridx),
	FIRST("hyphen", "-", "must be a hyphen"),
	FIRST("yesno", "01", "not 0 or 1"),
	FIRST("zero", "0", "must be zero"),
	FIRST("iso5218", "0129", "not an ISO/IEC 5218 sex code"),
	FIRST("winding", "019", "winding must be 0, 1 or 9"),
};

#undef FN
#undef FIRST

/* Runs the linter name (namelen bytes) on the component value x. */
static int
lint_one(const char *name, size_t namelen, const struct lint_val *x,
    struct lint_err *e)
{
	const struct linter *l;
	size_t i;

	for (i = 0; i < sizeof(linters) / sizeof(linters[0]); i++) {
		l = &linters[i];
		if (strlen(l->name) != namelen ||
		    memcmp(l->name, name, namelen) != 0)
			continue;
		if (l->fn != NULL)
			return l->fn(x, e);
		return strchr(l->first, x->v[0]) != NULL ? 0 :
		    content(e, l->why);
	}
	/*
	 * packagetype, couponcode, couponposoffer: the format only (see docs).
	 */
	return 0;
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
	struct lint_val x = { buf, n, year_now };

	memcpy(buf, v, n);	/* linters may read the value as a string */
	buf[n] = '\0';
	while (p < end) {
		p++;			/* the comma */
		for (q = p; q < end && *q != ','; q++)
			;
		if (lint_one(p, (size_t)(q - p), &x, e) != 0)
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
			return codes_fail(r, CODE_WRONG_LENGTH,
			    "%s (%s) \"%.*s\" is too short", a->title, ai,
			    (int)n, v);
		if (take > c.len)
			return codes_fail(r, CODE_WRONG_LENGTH,
			    "%s (%s) is too long: %zu characters", a->title,
			    ai, n);
		if (comp_chars(&c, v + pos, take, &bad) != 0)
			return codes_fail(r, CODE_INVALID_CHAR,
			    "%s (%s) has '%c' where only %s may be", a->title,
			    ai, v[pos + bad],
			    type_name(c.type));
		if (comp_lint(&c, v + pos, take, year_now, &e) != 0)
			return codes_fail(r, e.err, "%s (%s) \"%.*s\": %s",
			    a->title, ai, (int)n, v, e.why);
		pos += take;
	}
	if (pos < n)
		return codes_fail(r, CODE_WRONG_LENGTH,
		    "%s (%s) is too long: %zu characters", a->title, ai, n);
	return CODE_OK;
}

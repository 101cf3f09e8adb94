/*
 * HIBC LIC (ANSI/HIBC 2.6): primary (LIC, product code, unit of measure),
 * secondary (lot or serial with a date format, quantity, link character),
 * concatenated with supplemental /14D /16D /S /Q fields; mod 43 check.
 * A space may be a check or link character: it is data, never trimmed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codes_int.h"

static const char mod43[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";

#define HIBC_FIELD_MAX	18

/* Sets item.expiry (or mfg) and hibc.exp from y-m-d and an hour (-1: none). */
static int
set_date(struct code_result *r, int y, int m, int d, int h, int month_only,
    char *dst)
{
	if (m < 1 || m > 12 || d < 1 || d > codes_days_in_month(y, m) || h > 23)
		return codes_fail(r, CODE_BAD_DATE, "HIBC date %04d-%02d-%02d "
		    "is not a date", y, m, d), -1;
	snprintf(dst, 11, "%04u-%02u-%02u", (unsigned)y % 10000,
	    (unsigned)m % 100, (unsigned)d % 100);
	if (dst != r->item.expiry)
		return 0;
	if (month_only)
		snprintf(r->hibc.exp, sizeof(r->hibc.exp), "%.7s", dst);
	else if (h >= 0)
		snprintf(r->hibc.exp, sizeof(r->hibc.exp), "%.10sT%02u", dst,
		    (unsigned)h % 100);
	else
		snprintf(r->hibc.exp, sizeof(r->hibc.exp), "%.10s", dst);
	return 0;
}

static int
julian(struct code_result *r, const char *s, int h)
{
	int y = 2000 + (int)codes_num(s, 2), j = (int)codes_num(s + 2, 3);
	int m = 1;

	if (j < 1 || j > (codes_days_in_month(y, 2) == 29 ? 366 : 365))
		return codes_fail(r, CODE_BAD_DATE, "HIBC day of year %03d "
		    "does not exist", j), -1;
	while (j > codes_days_in_month(y, m))
		j -= codes_days_in_month(y, m++);
	return set_date(r, y, m, j, h, 0, r->item.expiry);
}

/* Date formats after "$$": MMYY, or a format digit 2..7. */
static const struct {
	char		 c;
	size_t		 len;
	const char	*name;
} hibc_fmts[] = {
	{ '2', 6, "MMDDYY" }, { '3', 6, "YYMMDD" }, { '4', 8, "YYMMDDHH" },
	{ '5', 5, "YYJJJ" }, { '6', 7, "YYJJJHH" }, { '7', 0, "none" },
};

static int
hibc_date(struct code_result *r, const char *s, size_t n, size_t *used)
{
	size_t i, len;
	const char *d;

	*used = 0;
	if (n == 0)	/* a quantity and nothing after it */
		return 0;
	if (n >= 4 && (s[0] == '0' || s[0] == '1') && codes_digits(s, 4)) {
		int m = (int)codes_num(s, 2);
		int y = 2000 + (int)codes_num(s + 2, 2);

		*used = 4;
		snprintf(r->hibc.exp_format, sizeof(r->hibc.exp_format),
		    "MMYY");
		/* Expires at the end of that month. */
		return set_date(r, y, m,
		    m >= 1 && m <= 12 ? codes_days_in_month(y, m) : 1, -1, 1,
		    r->item.expiry);
	}
	for (i = 0; i < sizeof(hibc_fmts) / sizeof(hibc_fmts[0]); i++)
		if (n > 0 && s[0] == hibc_fmts[i].c)
			break;
	if (i == sizeof(hibc_fmts) / sizeof(hibc_fmts[0]))
		return codes_fail(r, CODE_SYNTAX, "HIBC: unknown date format "
		    "'%c'", n ? s[0] : '?'), -1;
	len = hibc_fmts[i].len;
	d = s + 1;
	if (n < 1 + len || !codes_digits(d, len))
		return codes_fail(r, CODE_WRONG_LENGTH,
		    "HIBC date of format %s is cut short", hibc_fmts[i].name),
		    -1;
	*used = 1 + len;
	snprintf(r->hibc.exp_format, sizeof(r->hibc.exp_format), "%s",
	    hibc_fmts[i].name);
	switch (s[0]) {
	case '2': return set_date(r, 2000 + (int)codes_num(d + 4, 2),
	    (int)codes_num(d, 2), (int)codes_num(d + 2, 2), -1, 0,
	    r->item.expiry);
	case '3': return set_date(r, 2000 + (int)codes_num(d, 2),
	    (int)codes_num(d + 2, 2), (int)codes_num(d + 4, 2), -1, 0,
	    r->item.expiry);
	case '4': return set_date(r, 2000 + (int)codes_num(d, 2),
	    (int)codes_num(d + 2, 2), (int)codes_num(d + 4, 2),
	    (int)codes_num(d + 6, 2), 0, r->item.expiry);
	case '5': return julian(r, d, -1);
	case '6': return julian(r, d, (int)codes_num(d + 5, 2));
	default: return 0;
	}
}

static int
set_field(struct code_result *r, char *dst, size_t size, const char *s,
    size_t n, const char *what)
{
	if (n > HIBC_FIELD_MAX || n >= size || !codes_alnum(s, n))
		return codes_fail(r, CODE_INVALID_CHAR,
		    "HIBC %s \"%.*s\" must be up to 18 letters and digits",
		    what, (int)n, s), -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* Secondary data: $, $+, $$, $$+ forms or the old 5-digit Julian form. */
static int
hibc_secondary(struct code_result *r, const char *s, size_t n)
{
	int serial = 0, dd = 0;
	size_t used = 0, q;

	if (n > 0 && s[0] == '$') {
		dd = n > 1 && s[1] == '$';
		s += 1 + dd, n -= 1 + (size_t)dd;
		if ((serial = n > 0 && s[0] == '+'))
			s++, n--;
	} else if (n >= 5 && codes_digits(s, 5)) {
		snprintf(r->hibc.exp_format, sizeof(r->hibc.exp_format),
		    "YYJJJ");
		if (julian(r, s, -1) != 0)
			return -1;
		s += 5, n -= 5;
	} else
		return codes_fail(r, CODE_SYNTAX,
		    "HIBC secondary data must start with $ or a date"), -1;
	if (dd && n > 0 && (s[0] == '8' || s[0] == '9')) {
		q = s[0] == '8' ? 2 : 5;
		if (n < 1 + q || !codes_digits(s + 1, q))
			return codes_fail(r, CODE_WRONG_LENGTH, "HIBC quantity "
			    "is cut short"), -1;
		r->qty = (int)codes_num(s + 1, q);
		s += 1 + q, n -= 1 + q;
	}
	if (dd && hibc_date(r, s, n, &used) != 0)
		return -1;
	s += used, n -= used;
	return serial ? set_field(r, r->item.serial, sizeof(r->item.serial), s,
	    n, "serial") : set_field(r, r->item.lot, sizeof(r->item.lot), s, n,
	    "lot");
}

static int
hibc_ymd8(struct code_result *r, const char *s, size_t n, char *dst)
{
	if (n != 8 || !codes_digits(s, 8))
		return codes_fail(r, CODE_WRONG_LENGTH, "HIBC date \"%.*s\" "
		    "must be YYYYMMDD", (int)n, s), -1;
	if (dst == r->item.expiry)
		snprintf(r->hibc.exp_format, sizeof(r->hibc.exp_format),
		    "YYYYMMDD");
	return set_date(r, (int)codes_num(s, 4), (int)codes_num(s + 4, 2),
	    (int)codes_num(s + 6, 2), -1, 0, dst);
}

/* One "/"-separated field after the primary of a concatenated label. */
static int
hibc_supplement(struct code_result *r, const char *s, size_t n, int *sec_seen)
{
	if (n >= 3 && memcmp(s, "14D", 3) == 0)
		return hibc_ymd8(r, s + 3, n - 3, r->item.expiry);
	if (n >= 3 && memcmp(s, "16D", 3) == 0)
		return hibc_ymd8(r, s + 3, n - 3, r->item.mfg);
	/* A lot and a serial may each have a secondary field; the old
	 * Julian form (digits first) only comes first. */
	if ((n > 0 && s[0] == '$') || (!*sec_seen && n > 0 && s[0] >= '0' &&
	    s[0] <= '9')) {
		*sec_seen = 1;
		return hibc_secondary(r, s, n);
	}
	if (n > 0 && s[0] == 'S')
		return set_field(r, r->item.serial, sizeof(r->item.serial),
		    s + 1, n - 1, "serial");
	if (n > 1 && s[0] == 'Q' && n <= 6 && codes_digits(s + 1, n - 1)) {
		r->qty = (int)codes_num(s + 1, n - 1);
		return 0;
	}
	return codes_fail(r, CODE_SYNTAX, "HIBC: unknown field \"/%.*s\"",
	    (int)(n < 10 ? n : 10), s), -1;
}

static int
hibc_primary(struct code_result *r, const char *s, size_t n)
{
	struct hibc_fields *h = &r->hibc;

	if (n < 6 || n > 23 || !codes_alnum(s, n) || s[0] < 'A' || s[0] > 'Z' ||
	    s[n - 1] < '0' || s[n - 1] > '9')
		return codes_fail(r, CODE_SYNTAX,
		    "HIBC primary \"%.*s\" is not "
		    "LIC (4) + product code (1-18) + unit of measure (0-9)",
		    (int)n, s), -1;
	memcpy(h->lic, s, 4);
	memcpy(h->pcn, s + 4, n - 5);
	h->uom = s[n - 1];
	snprintf(r->item.di, sizeof(r->item.di), "%.*s", (int)n, s);
	return 0;
}

static int
hibc_check(struct code_result *r, const char *s, size_t len)
{
	size_t i, sum = 0;
	const char *p;

	for (i = 0; i < len; i++)
		if ((p = strchr(mod43, s[i])) == NULL || s[i] == 0)
			return codes_fail(r, CODE_INVALID_CHAR,
			    "'%c' cannot be in an HIBC code", s[i]), -1;
		else if (i + 1 < len)
			sum += (size_t)(p - mod43);
	if (mod43[sum % 43] != s[len - 1])
		return codes_fail(r, CODE_BAD_CHECK_CHAR,
		    "HIBC check character should be '%c', label says '%c'",
		    mod43[sum % 43],
		    s[len - 1]), -1;
	r->hibc.check = s[len - 1];
	return 0;
}

enum code_err
hibc_decode(const char *s, size_t len, const struct codes_opts *o,
    struct code_result *r)
{
	const char *body = s + 1, *end = s + len - 1, *slash;
	int sec_seen = 0;

	(void)o;
	snprintf(r->item.scheme, sizeof(r->item.scheme), "hibc");
	if (len < 4)
		return codes_fail(r, CODE_WRONG_LENGTH, "HIBC code too short");
	if (hibc_check(r, s, len) != 0)
		return r->err;
	if (body[0] == '$' || (body[0] >= '0' && body[0] <= '9')) {
		r->partial = 1;	/* a secondary symbol: link char, then check */
		r->hibc.link = end[-1];
		if (hibc_secondary(r, body, (size_t)(end - 1 - body)) != 0)
			return r->err;
		return r->err = CODE_OK;
	}
	slash = memchr(body, '/', (size_t)(end - body));
	if (hibc_primary(r, body, (size_t)((slash ? slash : end) - body)) != 0)
		return r->err;
	while (slash != NULL) {
		const char *f = slash + 1;

		slash = memchr(f, '/', (size_t)(end - f));
		if (hibc_supplement(r, f, (size_t)((slash ? slash : end) - f),
		    &sec_seen) != 0)
			return r->err;
	}
	return r->err = CODE_OK;
}

enum code_err
hibc_assemble(const struct code_result *pri, const struct code_result *sec,
    struct code_result *out)
{
	*out = *pri;
	if (sec->hibc.link != pri->hibc.check)
		return codes_fail(out, CODE_LINK_MISMATCH,
		    "the secondary label's link character '%c' is not the "
		    "primary's check character '%c': not the same item",
		    sec->hibc.link, pri->hibc.check);
	memcpy(out->item.lot, sec->item.lot, sizeof(out->item.lot));
	memcpy(out->item.serial, sec->item.serial, sizeof(out->item.serial));
	memcpy(out->item.expiry, sec->item.expiry, sizeof(out->item.expiry));
	memcpy(out->hibc.exp, sec->hibc.exp, sizeof(out->hibc.exp));
	memcpy(out->hibc.exp_format, sec->hibc.exp_format,
	    sizeof(out->hibc.exp_format));
	if (sec->qty)
		out->qty = sec->qty;
	return out->err = CODE_OK;
}

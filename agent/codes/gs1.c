/*
 * GS1 element strings (the spine's subset: AIs 01, 10, 11, 17, 21), from
 * the GS1 General Specifications: pre-defined lengths, CSET 82, the GTIN
 * check digit, YYMMDD dates with day 00 and the century rule.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codes.h"

#define GS	0x1d

enum ai_fmt { AI_N14_CSUM, AI_X20, AI_DATE };

struct ai_def {
	const char	*ai;
	enum ai_fmt	 fmt;
	int		 predefined;	/* fixed length, needs no GS after it */
	const char	*title;
};

static const struct ai_def ai_table[] = {
	{ "01", AI_N14_CSUM, 1, "GTIN" },
	{ "10", AI_X20, 0, "lot" },
	{ "11", AI_DATE, 1, "production date" },
	{ "17", AI_DATE, 1, "expiry" },
	{ "21", AI_X20, 0, "serial" },
};

static enum code_err fail(struct code_result *, enum code_err, const char *,
    ...) __attribute__((format(printf, 3, 4)));

static enum code_err
fail(struct code_result *r, enum code_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->err = e;
	return e;
}

/* GS1 AI encodable character set 82. */
static int
cset82(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("!\"%&'()*+,-./:;<=>?_", c));
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

static int
days_in_month(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* YYYY-MM-DD into out[11]; y is within 1950..2149 by the century rule. */
static void
iso_date(char out[11], int y, int m, int d)
{
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = out[7] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* GS1 General Specifications 7.12: the century within -49..+50 years of now. */
static int
gs1_century(int yy, int year_now)
{
	int cur = year_now % 100, century = year_now - cur, diff = yy - cur;

	if (diff >= 51)
		return century - 100 + yy;
	if (diff <= -50)
		return century + 100 + yy;
	return century + yy;
}

static enum code_err
gs1_date(const char *v, int year_now, char out[11], const struct ai_def *ai,
    struct code_result *r)
{
	int yy = (v[0] - '0') * 10 + (v[1] - '0');
	int mm = (v[2] - '0') * 10 + (v[3] - '0');
	int dd = (v[4] - '0') * 10 + (v[5] - '0');
	int y = gs1_century(yy, year_now);

	if (mm < 1 || mm > 12 || dd > days_in_month(y, mm))
		return fail(r, CODE_BAD_DATE, "%s %d-%c%c-%c%c is not a date",
		    ai->title, y, v[2], v[3], v[4], v[5]);
	if (dd == 0)	/* day 00: the last day of the month */
		dd = days_in_month(y, mm);
	iso_date(out, y, mm, dd);
	return CODE_OK;
}

static const struct ai_def *
gs1_ai(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(ai_table) / sizeof(ai_table[0]); i++) {
		size_t n = strlen(ai_table[i].ai);

		if (len >= n && memcmp(s, ai_table[i].ai, n) == 0)
			return &ai_table[i];
	}
	return NULL;
}

/* Length of the value at s: fixed for pre-defined AIs, else up to GS. */
static size_t
gs1_value_len(const struct ai_def *ai, const unsigned char *s, size_t left)
{
	const unsigned char *gs;

	if (ai->fmt == AI_N14_CSUM)
		return left < 14 ? left : 14;
	if (ai->fmt == AI_DATE)
		return left < 6 ? left : 6;
	gs = memchr(s, GS, left);
	return gs ? (size_t)(gs - s) : left;
}

static enum code_err
gs1_check_value(const struct ai_def *ai, const char *v, size_t n,
    struct code_result *r)
{
	size_t i;
	int cd;

	if (ai->fmt != AI_X20) {
		size_t need = ai->fmt == AI_N14_CSUM ? 14 : 6;

		for (i = 0; i < n; i++)
			if (v[i] < '0' || v[i] > '9')
				return fail(r, CODE_INVALID_CHAR, "%s has a "
				    "non-digit: \"%s\"", ai->title, v);
		if (n != need)
			return fail(r, CODE_WRONG_LENGTH, "%s \"%s\" has the "
			    "wrong length", ai->title, v);
		if (ai->fmt == AI_N14_CSUM &&
		    (cd = gs1_check_digit(v, n)) != v[n - 1] - '0') {
			return fail(r, CODE_BAD_CHECK_DIGIT, "GTIN check digit "
			    "should be %d, label says %c", cd, v[n - 1]);
		}
		return CODE_OK;
	}
	if (n == 0 || n > 20)
		return fail(r, CODE_WRONG_LENGTH, "%s must be 1 to 20 "
		    "characters: \"%s\"", ai->title, v);
	for (i = 0; i < n; i++)
		if (!cset82((unsigned char)v[i]))
			return fail(r, CODE_INVALID_CHAR, "%s \"%s\" has a "
			    "character GS1 does not allow", ai->title, v);
	return CODE_OK;
}

static char *
gs1_field(struct item *it, const struct ai_def *ai, size_t *size)
{
	switch (ai->ai[1]) {
	case '1':
		if (ai->ai[0] == '0')
			return *size = sizeof(it->di), it->di;
		if (ai->ai[0] == '1')
			return *size = sizeof(it->mfg), it->mfg;
		return *size = sizeof(it->serial), it->serial;
	case '0':
		return *size = sizeof(it->lot), it->lot;
	default:
		return *size = sizeof(it->expiry), it->expiry;
	}
}

static enum code_err
gs1_store(const struct ai_def *ai, const char *v, int year_now,
    struct code_result *r)
{
	char val[32];
	size_t size;
	char *f = gs1_field(&r->item, ai, &size);

	if (ai->fmt == AI_DATE) {
		if (gs1_date(v, year_now, val, ai, r) != CODE_OK)
			return r->err;
	} else
		snprintf(val, sizeof(val), "%s", v);
	if (f[0] != '\0' && strcmp(f, val) != 0)
		return fail(r, CODE_REPEATED_AI, "(%s) appears twice with "
		    "different values, last \"%s\"", ai->ai, val);
	snprintf(f, size, "%s", val);
	return CODE_OK;
}

/* s is the element string after the symbology identifier. */
enum code_err
gs1_decode(const unsigned char *s, size_t len, int year_now,
    struct code_result *r)
{
	const struct ai_def *ai;
	char v[32], bad[8];
	size_t n;

	snprintf(r->item.scheme, sizeof(r->item.scheme), "gs1");
	while (len > 0) {
		if (*s == GS) {		/* a separator after a fixed AI is harmless */
			s++, len--;
			continue;
		}
		if ((ai = gs1_ai(s, len)) == NULL) {
			snprintf(bad, sizeof(bad), "%.4s", (const char *)s);
			return fail(r, CODE_UNKNOWN_AI, "AI starting \"%s\" is not "
			    "one pou reads", bad);
		}
		s += strlen(ai->ai), len -= strlen(ai->ai);
		n = gs1_value_len(ai, s, len);
		if (n >= sizeof(v))
			return fail(r, CODE_WRONG_LENGTH, "%s must be 1 to 20 "
			    "characters", ai->title);
		memcpy(v, s, n);
		v[n] = '\0';
		if (gs1_check_value(ai, v, n, r) != CODE_OK ||
		    gs1_store(ai, v, year_now, r) != CODE_OK)
			return r->err;
		s += n, len -= n;
	}
	if (r->item.di[0] == '\0')
		return fail(r, CODE_NO_DI, "no GTIN (01) in this code");
	return CODE_OK;
}

/*
 * Dispatch of one scan: by AIM symbology identifier when the scanner sends
 * one, by content when it does not (+ HIBC, http(s) Digital Link, GS1 data
 * that starts with (01)).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codes_int.h"

#define CODES_NAME(e, s) s,
static const char *const code_names[] = { CODES_ERRORS(CODES_NAME) };
#undef CODES_NAME

const char *
codes_errname(enum code_err err)
{
	return code_names[err];
}

int
codes_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
codes_alnum(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' &&
		    s[i] <= 'Z')))
			return 0;
	return 1;
}

long long
codes_num(const char *s, size_t n)
{
	long long v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

int
codes_days_in_month(int y, int m)
{
	static const int dm[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

enum code_err
codes_fail(struct code_result *r, enum code_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return r->err = e;
}

/* AIM ids whose data is a GS1 element string (FNC1 in first position). */
static const char *const aim_gs1[] = { "]C1", "]e0", "]d2", "]Q3", "]J1" };
/* The same with the ECI protocol (DataMatrix, QR). */
static const char *const aim_gs1_eci[] = { "]d5", "]Q4" };

static int
is_aim(const char *s, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(s, set[i], 3) == 0)
			return 1;
	return 0;
}

/* EAN-13 / UPC-A (]E0) and EAN-8 (]E4): a GTIN, padded to 14 digits. */
static enum code_err
codes_ean(const char *s, size_t len, const struct codes_opts *o,
    struct code_result *r)
{
	char e[20];

	if (len != 13 && len != 8)
		return codes_fail(r, CODE_WRONG_LENGTH, "EAN/UPC of %zu digits",
		    len);
	snprintf(e, sizeof(e), "01%.*s%.*s", (int)(14 - len), "000000",
	    (int)len, s);
	return gs1_element(e, 16, o, r);
}

static enum code_err
codes_plain(const char *s, size_t len, const struct codes_opts *o,
    struct code_result *r)
{
	if (len > 0 && s[0] == '+')
		return hibc_decode(s, len, o, r);
	if (len > 0 && (s[0] == '=' || s[0] == '&'))
		return isbt_decode(s, len, o, r);
	if (gs1_is_dl(s, len))
		return gs1_digital_link(s, len, o, r);
	return codes_fail(r, CODE_NOT_GS1, "not an item code pou reads (GS1, "
	    "HIBC, ISBT 128 or GS1 Digital Link)");
}

static int
hexdigit(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static enum code_err
codes_aim(const char *s, size_t len, const struct codes_opts *o,
    struct code_result *r)
{
	if (len < 3 || strchr("ACdeEFGHIJLMOPQRSXz", s[1]) == NULL ||
	    s[1] == 0 || !hexdigit(s[2]))
		return codes_fail(r, CODE_BAD_SYMID, "\"%.3s\" is not a "
		    "symbology identifier", s);
	if (is_aim(s, aim_gs1, sizeof(aim_gs1) / sizeof(aim_gs1[0])))
		return gs1_element(s + 3, len - 3, o, r);
	if (is_aim(s, aim_gs1_eci,
	    sizeof(aim_gs1_eci) / sizeof(aim_gs1_eci[0]))) {
		/* GS1 data holds no backslash: one is an ECI escape. */
		if (memchr(s + 3, '\\', len - 3) != NULL)
			return codes_fail(r, CODE_SYNTAX, "ECI escapes in GS1 "
			    "data: turn off ECI transmission in the scanner");
		return gs1_element(s + 3, len - 3, o, r);
	}
	if (memcmp(s, "]E0", 3) == 0 || memcmp(s, "]E4", 3) == 0)
		return codes_ean(s + 3, len - 3, o, r);
	return codes_plain(s + 3, len - 3, o, r);
}

static enum code_err
codes_bytes(const unsigned char *s, size_t len, struct code_result *r)
{
	size_t i;

	if (len == 0)
		return codes_fail(r, CODE_EMPTY, "empty scan");
	if (len > ITEM_RAW_MAX)
		return codes_fail(r, CODE_WRONG_LENGTH, "scan of %zu bytes is "
		    "longer than %d", len, ITEM_RAW_MAX);
	for (i = 0; i < len; i++)
		if (s[i] >= 0x80)	/* text, but not what barcodes carry */
			return codes_fail(r, CODE_INVALID_CHAR,
			    "byte 0x%02x at %zu is not barcode text", s[i], i);
		else if (s[i] != GS && (s[i] < 0x20 || s[i] == 0x7f))
			return codes_fail(r, CODE_BINARY,
			    "control byte 0x%02x at %zu", s[i], i);
	return CODE_OK;
}

static int
gs1_start(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < 16 && i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len >= 16 && s[0] == '0' && s[1] == '1';
}

enum code_err
codes_decode(const unsigned char *scan, size_t len, const struct codes_opts *o,
    struct code_result *r)
{
	char s[ITEM_RAW_MAX + 1];

	memset(r, 0, sizeof(*r));
	if (codes_bytes(scan, len, r) != CODE_OK)
		return r->err;
	/* The parsers and their messages may read it as a string: it holds
	 * no NUL (codes_bytes refused control bytes), so terminate a copy. */
	memcpy(s, scan, len);
	s[len] = '\0';
	if (s[0] == ']')
		codes_aim(s, len, o, r);
	else if (s[0] == '+' || s[0] == '=' || s[0] == '&' || gs1_is_dl(s, len))
		codes_plain(s, len, o, r);
	else if (gs1_start(s, len))	/* a scanner not set to send AIM ids */
		gs1_element(s, len, o, r);
	else
		codes_fail(r, CODE_BAD_SYMID,
		    "no symbology identifier, and not HIBC, ISBT 128, GS1 or a "
		    "Digital Link: set the scanner to send AIM ids");
	memcpy(r->item.raw, scan, len);
	r->item.raw_len = len;
	return r->err;
}

enum code_err
codes_decode_bracketed(const char *s, const struct codes_opts *o,
    struct code_result *r)
{
	memset(r, 0, sizeof(*r));
	return gs1_bracketed(s, o, r);
}

/* ISBT 128 structures scanned one by one: fill what the primary lacks. */
static enum code_err
isbt_assemble(const struct code_result *pri, const struct code_result *sec,
    struct code_result *out)
{
#define FILL(f) if (out->f[0] == '\0') memcpy(out->f, sec->f, sizeof(out->f))
	*out = *pri;
	FILL(item.lot);
	FILL(item.serial);
	FILL(item.expiry);
	FILL(item.mfg);
	FILL(isbt.din);
	FILL(isbt.product);
#undef FILL
	return out->err = CODE_OK;
}

enum code_err
codes_assemble(const struct code_result *a, const struct code_result *b,
    const struct codes_opts *o, struct code_result *out)
{
	const struct code_result *pri = a->partial ? b : a;
	const struct code_result *sec = a->partial ? a : b;

	memset(out, 0, sizeof(*out));
	if (a->err != CODE_OK || b->err != CODE_OK || pri->partial ||
	    !sec->partial || strcmp(a->item.scheme, b->item.scheme) != 0)
		return codes_fail(out, CODE_NOT_PAIR, "these two scans are not "
		    "the two halves of one label");
	if (strcmp(pri->item.scheme, "hibc") == 0)
		return hibc_assemble(pri, sec, out);
	if (strcmp(pri->item.scheme, "isbt128") == 0)
		return isbt_assemble(pri, sec, out);
	*out = *pri;
	return gs1_merge(out, sec, o);
}

/* Dispatch of one scan by AIM symbology identifier, then by content. */
#include <stdio.h>
#include <string.h>

#include "codes.h"

#define CODES_NAME(e, s) s,
static const char *const code_names[] = { CODES_ERRORS(CODES_NAME) };
#undef CODES_NAME

const char *
codes_errname(enum code_err err)
{
	return code_names[err];
}

/* AIM ids whose data is a GS1 element string. */
static const char *const aim_gs1[] = { "]d2", "]C1", "]Q3", "]e0" };

static int
is_aim_gs1(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; len >= 3 && i < sizeof(aim_gs1) / sizeof(aim_gs1[0]); i++)
		if (memcmp(s, aim_gs1[i], 3) == 0)
			return 1;
	return 0;
}

/* EAN-13 / UPC-A (]E0) and EAN-8 (]E4): a GTIN, padded to 14 digits. */
static enum code_err
codes_ean(const unsigned char *s, size_t len, struct code_result *r)
{
	char gtin[15];
	size_t i;
	int cd;

	if (len != 13 && len != 12 && len != 8) {
		r->err = CODE_WRONG_LENGTH;
		snprintf(r->msg, sizeof(r->msg), "EAN/UPC of %zu digits", len);
		return r->err;
	}
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9') {
			r->err = CODE_INVALID_CHAR;
			snprintf(r->msg, sizeof(r->msg), "EAN/UPC with a "
			    "non-digit");
			return r->err;
		}
	memset(gtin, '0', 14);
	memcpy(gtin + 14 - len, s, len);
	gtin[14] = '\0';
	if ((cd = gs1_check_digit(gtin, 14)) != gtin[13] - '0') {
		r->err = CODE_BAD_CHECK_DIGIT;
		snprintf(r->msg, sizeof(r->msg), "GTIN check digit should be "
		    "%d, label says %c", cd, gtin[13]);
		return r->err;
	}
	snprintf(r->item.scheme, sizeof(r->item.scheme), "gs1");
	memcpy(r->item.di, gtin, sizeof(gtin));
	return CODE_OK;
}

static enum code_err
codes_check_bytes(const unsigned char *s, size_t len, struct code_result *r)
{
	size_t i;

	if (len == 0) {
		r->err = CODE_EMPTY;
		snprintf(r->msg, sizeof(r->msg), "empty scan");
		return r->err;
	}
	if (len > ITEM_RAW_MAX) {
		r->err = CODE_WRONG_LENGTH;
		snprintf(r->msg, sizeof(r->msg), "scan of %zu bytes is longer "
		    "than %d", len, ITEM_RAW_MAX);
		return r->err;
	}
	for (i = 0; i < len; i++)
		if (s[i] != 0x1d && (s[i] < 0x20 || s[i] > 0x7e)) {
			r->err = CODE_BINARY;
			snprintf(r->msg, sizeof(r->msg), "byte 0x%02x at %zu is "
			    "not barcode text", s[i], i);
			return r->err;
		}
	return CODE_OK;
}

enum code_err
codes_decode(const unsigned char *s, size_t len, int year_now,
    struct code_result *r)
{
	memset(r, 0, sizeof(*r));
	if (codes_check_bytes(s, len, r) != CODE_OK)
		return r->err;
	memcpy(r->item.raw, s, len);
	r->item.raw_len = len;
	if (is_aim_gs1(s, len))
		return gs1_decode(s + 3, len - 3, year_now, r);
	if (len >= 3 && (memcmp(s, "]E0", 3) == 0 || memcmp(s, "]E4", 3) == 0))
		return codes_ean(s + 3, len - 3, r);
	if (len >= 3 && s[0] == ']') {
		r->err = CODE_NOT_GS1;
		snprintf(r->msg, sizeof(r->msg), "symbology %.3s carries no "
		    "GS1 data pou reads yet", (const char *)s);
		return r->err;
	}
	/* No AIM id (a scanner not set to send it): GS1 if it starts (01). */
	if (len >= 16 && memcmp(s, "01", 2) == 0)
		return gs1_decode(s, len, year_now, r);
	r->err = CODE_NOT_GS1;
	snprintf(r->msg, sizeof(r->msg), "not a GS1 item code");
	return r->err;
}

/*
 * Barcode grammar: the bytes of one scan in, a decoded item or a refusal
 * with a reason out. GS1 (element strings, Digital Link, EAN/UPC) and
 * HIBC LIC. Pure: no I/O, no globals, no allocation.
 */
#ifndef POU_CODES_H
#define POU_CODES_H

#include <stddef.h>

#include "event.h"

/*
 * Reason codes; the names are GS1 Syntax Engine's where the idea is the same.
 */
#define CODES_ERRORS(X)							\
	X(CODE_OK,			"ok")				\
	X(CODE_EMPTY,			"empty")			\
	X(CODE_BINARY,			"binary_data")			\
	X(CODE_BAD_SYMID,		"bad_symbology_identifier")	\
	X(CODE_NOT_GS1,			"not_gs1_plain_data")		\
	X(CODE_SYNTAX,			"syntax_error")			\
	X(CODE_UNKNOWN_AI,		"unknown_ai")			\
	X(CODE_WRONG_LENGTH,		"wrong_length")			\
	X(CODE_INVALID_CHAR,		"invalid_char")			\
	X(CODE_BAD_CHECK_DIGIT,		"bad_check_digit")		\
	X(CODE_BAD_DATE,		"bad_date")			\
	X(CODE_BAD_TIME,		"bad_time")			\
	X(CODE_CONTENT,			"content_rule")			\
	X(CODE_BAD_COUNTRY,		"bad_country_code")		\
	X(CODE_REPEATED_AI,		"conflicting_repeated_ai")	\
	X(CODE_EXCLUSIVE,		"mutually_exclusive_ais")	\
	X(CODE_MISSING_REQ,		"missing_required_ai")		\
	X(CODE_ABSORBED,		"missing_fnc1_absorbed")	\
	X(CODE_BAD_CHECK_CHAR,		"bad_check_char")		\
	X(CODE_LINK_MISMATCH,		"link_mismatch")		\
	X(CODE_NOT_PAIR,		"not_a_pair")

#define CODES_ENUM(e, s) e,
enum code_err { CODES_ERRORS(CODES_ENUM) };
#undef CODES_ENUM

#define CODES_AIS_MAX		32
#define CODES_AI_VAL_MAX	90	/* the longest AI value, X..90 */

struct code_ai {
	char	ai[5];
	char	val[CODES_AI_VAL_MAX + 1];
};

struct hibc_fields {
	char	lic[5];
	char	pcn[19];
	char	uom;		/* '0'..'9', 0 when absent */
	char	link;		/* a secondary's link character, 0 when none */
	char	check;		/* the mod 43 check character */
	char	exp_format[10];	/* YYJJJ, MMYY, YYMMDDHH, ... */
	/* the expiry as precise as the label: 2025-11, 2020-02-02T16 */
	char	exp[14];
};

struct isbt_fields {
	/* Donation Identification Number, flags dropped */
	char	din[16];
	char	product[9];	/* Product Code [003] */
};

struct code_result {
	enum code_err	 err;
	/* for the person at the scanner and the log */
	char		 msg[192];
	int		 partial;	/* a secondary without its primary */
	long		 qty;		/* from the code; 0 when it says none */
	struct item	 item;		/* valid when err == CODE_OK */
	int		 nais;		/* GS1: every AI as decoded, in order */
	struct code_ai	 ais[CODES_AIS_MAX];
	struct hibc_fields hibc;	/* HIBC: the structure's own fields */
	struct isbt_fields isbt;	/* ISBT 128 */
};

struct codes_opts {
	int	year_now;	/* four digits, for the GS1 century rule */
	int	strict;		/* also apply GS1's required-AI associations */
};

/* Decodes one scan. Returns the result's err. */
enum code_err codes_decode(const unsigned char *scan, size_t len,
	    const struct codes_opts *, struct code_result *out);
/* Decodes GS1 in the human-readable bracketed form "(01)...(17)...". */
enum code_err codes_decode_bracketed(const char *s, const struct codes_opts *,
	    struct code_result *out);
/*
 * Joins a primary and a secondary scanned as two symbols of one label (GS1
 * DI then lot/expiry/serial, or an HIBC primary and its linked secondary),
 * in either order. CODE_NOT_PAIR when they are not such a pair.
 */
enum code_err codes_assemble(const struct code_result *a,
	    const struct code_result *b, const struct codes_opts *,
	    struct code_result *out);
/* The stable code name of err ("bad_check_digit"). */
const char *codes_errname(enum code_err err);
/* GS1 mod-10 check digit of the first n-1 digits of d. */
int	gs1_check_digit(const char *d, size_t n);

#endif

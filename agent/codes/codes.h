/*
 * Barcode grammar: the bytes of one scan in, a decoded item or a refusal
 * with a reason out. Pure: no I/O, no globals, no allocation.
 */
#ifndef POU_CODES_H
#define POU_CODES_H

#include <stddef.h>

#include "event.h"

#define CODES_ERRORS(X)							\
	X(CODE_OK,			"ok")				\
	X(CODE_EMPTY,			"empty")			\
	X(CODE_BINARY,			"binary_data")			\
	X(CODE_BAD_SYMID,		"bad_symbology_identifier")	\
	X(CODE_NOT_GS1,			"not_gs1")			\
	X(CODE_UNKNOWN_AI,		"unknown_ai")			\
	X(CODE_WRONG_LENGTH,		"wrong_length")			\
	X(CODE_INVALID_CHAR,		"invalid_char")			\
	X(CODE_BAD_CHECK_DIGIT,		"bad_check_digit")		\
	X(CODE_BAD_DATE,		"bad_date")			\
	X(CODE_REPEATED_AI,		"conflicting_repeated_ai")	\
	X(CODE_NO_DI,			"missing_required_ai")

#define CODES_ENUM(e, s) e,
enum code_err { CODES_ERRORS(CODES_ENUM) };
#undef CODES_ENUM

struct code_result {
	enum code_err	err;
	char		msg[160];	/* for the person at the scanner and the log */
	struct item	item;		/* valid when err == CODE_OK */
};

/*
 * Decodes one scan. year_now is the current four-digit year, for the GS1
 * century rule. Returns the result's err.
 */
enum code_err codes_decode(const unsigned char *scan, size_t len, int year_now,
	    struct code_result *out);
/* The stable code name of err ("bad_check_digit"). */
const char *codes_errname(enum code_err err);

/* gs1.c */
enum code_err gs1_decode(const unsigned char *s, size_t len, int year_now,
	    struct code_result *out);
int	gs1_check_digit(const char *digits, size_t n);

#endif

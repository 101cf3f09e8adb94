/* Unit tests for agent/codes: the spine's GS1 subset and its refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "codes/codes.h"

#define YEAR	2026

static enum code_err
dec(const char *s, struct code_result *r)
{
	struct codes_opts o = { YEAR, 0 };

	return codes_decode((const unsigned char *)s, strlen(s), &o, r);
}

static void
expect_err(const char *s, enum code_err want, const char *msg_part)
{
	struct code_result r;

	assert_int_equal(dec(s, &r), want);
	if (msg_part && strstr(r.msg, msg_part) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", s, r.msg,
		    msg_part);
}

/* domain.md 2.4 example 1: lot needs a GS, serial last. */
static void
test_datamatrix_lot_serial(void **state)
{
	struct code_result r;
	const char *s = "]d2010088452112345117270630" "10LOT4711\x1d"
	    "21SN000123";

	(void)state;
	assert_int_equal(dec(s, &r), CODE_OK);
	assert_string_equal(r.item.scheme, "gs1");
	assert_string_equal(r.item.di, "00884521123451");
	assert_string_equal(r.item.expiry, "2027-06-30");
	assert_string_equal(r.item.lot, "LOT4711");
	assert_string_equal(r.item.serial, "SN000123");
	assert_int_equal(r.item.raw_len, strlen(s));
	assert_memory_equal(r.item.raw, s, strlen(s));
}

/* domain.md 2.4 example 2: day 00 is the last day of the month (leap year). */
static void
test_day_00_is_last_day(void **state)
{
	struct code_result r;

	(void)state;
	assert_int_equal(dec("]d201008845211234511728020010A1B2", &r), CODE_OK);
	assert_string_equal(r.item.expiry, "2028-02-29");
	assert_string_equal(r.item.lot, "A1B2");
	assert_int_equal(dec("]C1010088452112345117270400", &r), CODE_OK);
	assert_string_equal(r.item.expiry, "2027-04-30");
	assert_int_equal(dec("]C101008845211234511126020010X", &r), CODE_OK);
	assert_string_equal(r.item.mfg, "2026-02-28");
}

static void
test_century_rule(void **state)
{
	struct code_result r;

	(void)state;
	/* YY - current YY = 50: this century; 51: the previous one. */
	assert_int_equal(dec("]d2010088452112345117760101", &r), CODE_OK);
	assert_string_equal(r.item.expiry, "2076-01-01");
	assert_int_equal(dec("]d2010088452112345117770101", &r), CODE_OK);
	assert_string_equal(r.item.expiry, "1977-01-01");
	/* Near a century's end, a small YY is the next century. */
	struct codes_opts o2098 = { 2098, 0 };

	assert_int_equal(codes_decode((const unsigned char *)
	    "]d2010088452112345117050101", 27, &o2098, &r), CODE_OK);
	assert_string_equal(r.item.expiry, "2105-01-01");
}

static void
test_gtin_check_digit(void **state)
{
	(void)state;
	/* gs1-syntax-engine's parity vectors, padded to 14 digits. */
	assert_int_equal(gs1_check_digit("24012345678905", 14), 5);
	assert_int_equal(gs1_check_digit("02112233789657", 14), 7);
	assert_int_equal(gs1_check_digit("00416000336108", 14), 8);
	assert_int_equal(gs1_check_digit("00000002345680", 14), 0);
	expect_err("]d20100884521123452", CODE_BAD_CHECK_DIGIT,
	    "should be 1, label says 2");
}

static void
test_ean_upc_to_gtin14(void **state)
{
	struct code_result r;

	(void)state;
	assert_int_equal(dec("]E04012345678901", &r), CODE_OK);
	assert_string_equal(r.item.di, "04012345678901");
	assert_int_equal(dec("]E402345680", &r), CODE_OK);
	assert_string_equal(r.item.di, "00000002345680");
	expect_err("]E04012345678902", CODE_BAD_CHECK_DIGIT, "should be 1");
	expect_err("]E0401234567", CODE_WRONG_LENGTH, NULL);
}

static void
test_no_aim_id_starting_01(void **state)
{
	struct code_result r;

	(void)state;
	assert_int_equal(dec("01008845211234511727063010L1", &r), CODE_OK);
	assert_string_equal(r.item.lot, "L1");
}

static void
test_refusals_with_reasons(void **state)
{
	(void)state;
	expect_err("", CODE_EMPTY, "empty");
	expect_err("]d2\x01" "0100884521123451", CODE_BINARY, "0x01");
	expect_err("hello", CODE_BAD_SYMID, "AIM");
	expect_err("]d1HELLO", CODE_NOT_GS1, "not an item code");
	expect_err("]d2010088452112345117250230", CODE_BAD_DATE,
	    "expiry (17) \"250230\": 2025-02-30 is not a date");
	expect_err("]d2010088452112345117251301", CODE_BAD_DATE,
	    "month 13 does not exist");
	expect_err("]d2010088452112345189XYZ", CODE_UNKNOWN_AI, "\"89XY\"");
	expect_err("]d201008845211234511012345678901234567890X",
	    CODE_WRONG_LENGTH,
	    "lot (10) is too long: 21 characters");
	expect_err("]d2010088452112345110A|B", CODE_INVALID_CHAR, "'|'");
	expect_err("]d2010088452112345110A B", CODE_INVALID_CHAR, "' '");
	expect_err("]d20100884521123451172706", CODE_WRONG_LENGTH,
	    "expiry (17) has 4 of its 6 digits");
	expect_err("]d2010088452112X451", CODE_INVALID_CHAR,
	    "GTIN (01) has 'X' where only digits may be");
	expect_err("]d20100884521123451172706301727062910L", CODE_REPEATED_AI,
	    "(17)");
}

/* A lot and expiry without their GTIN: partial, for assembly. */
static void
test_lone_secondary_is_partial(void **state)
{
	struct code_result r;
	struct codes_opts strict = { YEAR, 1 };

	(void)state;
	assert_int_equal(dec("]d21727063010LOT", &r), CODE_OK);
	assert_int_equal(r.partial, 1);
	assert_string_equal(r.item.di, "");
	assert_string_equal(r.item.lot, "LOT");
	assert_int_equal(codes_decode((const unsigned char *)"]d21727063010LOT",
	    16, &strict, &r), CODE_MISSING_REQ);
}

static void
test_repeated_ai_same_value_is_fine(void **state)
{
	struct code_result r;

	(void)state;
	assert_int_equal(dec("]d201008845211234510100884521123451", &r),
	    CODE_OK);
}

static void
test_error_names_are_stable(void **state)
{
	(void)state;
	assert_string_equal(codes_errname(CODE_BAD_CHECK_DIGIT),
	    "bad_check_digit");
	assert_string_equal(codes_errname(CODE_BAD_DATE), "bad_date");
	assert_string_equal(codes_errname(CODE_OK), "ok");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datamatrix_lot_serial),
		cmocka_unit_test(test_day_00_is_last_day),
		cmocka_unit_test(test_century_rule),
		cmocka_unit_test(test_gtin_check_digit),
		cmocka_unit_test(test_ean_upc_to_gtin14),
		cmocka_unit_test(test_no_aim_id_starting_01),
		cmocka_unit_test(test_refusals_with_reasons),
		cmocka_unit_test(test_lone_secondary_is_partial),
		cmocka_unit_test(test_repeated_ai_same_value_is_fine),
		cmocka_unit_test(test_error_names_are_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

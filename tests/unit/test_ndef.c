/* Unit tests for drivers/ndef.c: text and URI records on Type 2 tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ndef.h"

static void
test_uri_and_text_records(void **state)
{
	static const unsigned char uri[] = { 0x03, 0x0f, 0xd1, 0x01, 0x0b, 'U',
		0x04, 'e', 'x', '.', 'o', 'r', 'g', '/', '0', '1', '/', 0xfe };
	/* A NULL TLV, then a text record "en" + "01...\x1d10L". */
	static const unsigned char text[] = { 0x00, 0x03, 0x0d,
		0xd1, 0x01, 0x09, 'T', 0x02, 'e', 'n', '0', '1', 0x1d, '1', '0',
		'L', 0xfe };
	char out[64];

	(void)state;
	assert_int_equal(ndef_first_text(uri, sizeof(uri), out, sizeof(out)),
	    18);
	assert_string_equal(out, "https://ex.org/01/");
	assert_int_equal(ndef_first_text(text, sizeof(text), out, sizeof(out)),
	    6);
	assert_memory_equal(out, "01\x1d" "10L", 6);
}

static void
test_malformed_is_refused(void **state)
{
	/* Record longer than its TLV; a TLV longer than the memory. */
	static const unsigned char overlong[] = { 0x03, 0x04, 0xd1, 0x01, 0x30,
		'U', 0xfe };
	static const unsigned char cut[] = { 0x03, 0x40, 0xd1, 0x01 };
	/* MIME type (TNF 2), and an unknown URI code. */
	static const unsigned char mime[] = { 0x03, 0x05, 0xd2, 0x01, 0x01, 'x',
		'y', 0xfe };
	static const unsigned char code[] = { 0x03, 0x05, 0xd1, 0x01, 0x01, 'U',
		0x99, 0xfe };
	static const unsigned char empty[] = { 0xfe };
	/* The ID-length flag set with no byte left for it (fuzz_ndef). */
	static const unsigned char idlen[] = { 0x03, 0x03, 0x39, 0x36, 0x00 };
	char out[8];

	(void)state;
	assert_int_equal(ndef_first_text(overlong, sizeof(overlong), out,
	    sizeof(out)), -1);
	assert_int_equal(ndef_first_text(cut, sizeof(cut), out, sizeof(out)),
	    -1);
	assert_int_equal(ndef_first_text(mime, sizeof(mime), out, sizeof(out)),
	    -1);
	assert_int_equal(ndef_first_text(code, sizeof(code), out, sizeof(out)),
	    -1);
	assert_int_equal(ndef_first_text(empty, sizeof(empty), out,
	    sizeof(out)), -1);
	assert_int_equal(ndef_first_text(idlen, sizeof(idlen), out,
	    sizeof(out)), -1);
}

static void
test_output_is_bounded(void **state)
{
	static const unsigned char uri[] = { 0x03, 0x0f, 0xd1, 0x01, 0x0b, 'U',
		0x04, 'e', 'x', '.', 'o', 'r', 'g', '/', '0', '1', '/', 0xfe };
	char out[8];

	(void)state;
	assert_int_equal(ndef_first_text(uri, sizeof(uri), out, sizeof(out)),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_and_text_records),
		cmocka_unit_test(test_malformed_is_refused),
		cmocka_unit_test(test_output_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

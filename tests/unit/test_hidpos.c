/* Unit tests for drivers/hidpos_report.c: reports into whole barcodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "hid_desc.h"
#include "hidpos_report.h"

/* A 64-byte report: id 2, len, AIM at aim_off (0: none), data, more flag. */
static void
report(unsigned char r[64], size_t aim_off, const char *aim, const char *data,
    size_t len, int more)
{
	memset(r, 0, 64);
	r[0] = 0x02;
	r[1] = (unsigned char)len;
	if (aim_off)
		memcpy(r + aim_off, aim, 3);
	memcpy(r + (aim_off ? aim_off + 3 : 2), data, len);
	r[61] = 'w';
	r[63] = (unsigned char)more;
}

static enum hidpos_rc
feed(struct hidpos_asm *a, const unsigned char r[64], const unsigned char **o,
    size_t *n)
{
	const char *why;

	return hidpos_feed(a, r, 64, o, n, &why);
}

static void
test_honeywell_single_and_multi(void **state)
{
	struct hidpos_asm a;
	unsigned char r[64];
	const unsigned char *o;
	char big[57];
	size_t n;

	(void)state;
	hidpos_asm_init(&a, HIDPOS_HONEYWELL);
	report(r, 2, "]d2", "0100884521123451", 16, 0);
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_DONE);
	assert_int_equal(n, 19);
	assert_memory_equal(o, "]d20100884521123451", 19);
	memset(big, 'A', 56);
	report(r, 2, "]C1", big, 56, 1);
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_NEED_MORE);
	report(r, 2, "]C1", "10LOT\x1d" "21S", 9, 0);
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_DONE);
	assert_int_equal(n, 3 + 56 + 9);
	assert_memory_equal(o, "]C1AAAA", 7);
	assert_memory_equal(o + 59, "10LOT\x1d" "21S", 9);
}

static void
test_other_vendors(void **state)
{
	struct hidpos_asm a;
	unsigned char r[64];
	const unsigned char *o;
	size_t n;

	(void)state;
	hidpos_asm_init(&a, HIDPOS_AUTO);	/* Zebra: AIM one byte later */
	report(r, 3, "]E0", "4012345678901", 13, 0);
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_DONE);
	assert_memory_equal(o, "]E04012345678901", 16);
	hidpos_asm_init(&a, HIDPOS_NEWLAND);	/* no AIM id at all */
	report(r, 0, "", "+A123BJC5D6E71G", 15, 0);
	r[63] = 1;	/* Newland has no continuation flag: ignored */
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_DONE);
	assert_memory_equal(o, "+A123BJC5D6E71G", 15);
}

static void
test_bad_reports_are_bounded(void **state)
{
	struct hidpos_asm a;
	unsigned char r[64];
	const unsigned char *o;
	const char *why;
	size_t n;
	int i;

	(void)state;
	hidpos_asm_init(&a, HIDPOS_HONEYWELL);
	report(r, 2, "]d2", "X", 1, 0);
	r[1] = 200;	/* impossible length */
	assert_int_equal(hidpos_feed(&a, r, 64, &o, &n, &why), HIDPOS_BAD);
	assert_non_null(why);
	report(r, 2, "]d2", "OK", 2, 0);	/* the next barcode is fine */
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_DONE);
	/*
	 * Endless continuation: the 17th report is refused, the rest skipped.
	 */
	report(r, 2, "]d2", "AAAA", 4, 1);
	for (i = 0; i < HIDPOS_MORE_MAX; i++)
		assert_int_equal(feed(&a, r, &o, &n), HIDPOS_NEED_MORE);
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_BAD);
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_IGNORED);
	report(r, 2, "]d2", "AAAA", 4, 0);	/* the end of the bad one */
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_IGNORED);
	report(r, 2, "]d2", "OK", 2, 0);
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_DONE);
	assert_memory_equal(o, "]d2OK", 5);
	/* An 8-byte report cannot hold the Zebra layout's AIM id, data and
	 * trailer: refused, not read past its end (found by fuzz_hidpos). */
	{
		unsigned char small[8] = { 0x02, 1, 0, ']', 'd', '2', 'X', 0 };

		hidpos_asm_init(&a, HIDPOS_SHIFTED);
		assert_int_equal(hidpos_feed(&a, small, 8, &o, &n, &why),
		    HIDPOS_BAD);
	}
	/* Short reports and other report ids are not scanned data. */
	assert_int_equal(hidpos_feed(&a, r, 4, &o, &n, &why), HIDPOS_IGNORED);
	r[0] = 0x04;
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_IGNORED);
}

static void
test_over_512_bytes_is_dropped(void **state)
{
	struct hidpos_asm a;
	unsigned char r[64];
	const unsigned char *o;
	char big[57];
	size_t n;
	int i;

	(void)state;
	memset(big, 'B', 56);
	hidpos_asm_init(&a, HIDPOS_HONEYWELL);
	report(r, 2, "]d2", big, 56, 1);
	for (i = 0; i < 9; i++)
		assert_int_equal(feed(&a, r, &o, &n), HIDPOS_NEED_MORE);
	/* 10 x 56 > 512 */
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_BAD);
	report(r, 2, "]d2", "Z", 1, 0);
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_IGNORED);
	assert_int_equal(feed(&a, r, &o, &n), HIDPOS_DONE);
	assert_int_equal(hidpos_layout_parse("shifted"), HIDPOS_SHIFTED);
	assert_int_equal(hidpos_layout_parse("acme"), -1);
}

/* A HID POS scanner's report descriptor, in the usage tables' terms. */
static const unsigned char pos_desc[] = {
	0x06, 0x8c, 0x00,	/* Usage Page (Bar Code Scanner) */
	0x09, 0x02,		/* Usage (Bar Code Scanner) */
	0xa1, 0x01,		/* Collection (Application) */
	0x09, 0x12,		/*   Usage (Scanned Data Report) */
	0xa1, 0x02,		/*   Collection (Logical) */
	0x85, 0x02,		/*     Report ID (2) */
	0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x3f,
	0x09, 0xfe, 0x81, 0x02,	/*     Usage (Decoded Data), Input */
	0xc0, 0xc0,
};

/* A boot keyboard: what the same scanner looks like in keyboard mode. */
static const unsigned char kbd_desc[] = {
	0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7,
	0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0xc0,
};

static void
test_report_descriptor(void **state)
{
	/* The same with a 4-byte extended usage and a long item first. */
	static const unsigned char ext[] = { 0xfe, 0x02, 0x00, 0xaa, 0xbb,
		0x0b, 0x02, 0x00, 0x8c, 0x00, 0xa1, 0x01, 0xc0 };

	(void)state;
	assert_true(hid_desc_is_pos_scanner(pos_desc, sizeof(pos_desc)));
	assert_false(hid_desc_is_pos_scanner(kbd_desc, sizeof(kbd_desc)));
	assert_true(hid_desc_is_pos_scanner(ext, sizeof(ext)));
	/* Cut short anywhere: never a read past the end, never a yes. */
	for (size_t n = 0; n < 7; n++)
		assert_false(hid_desc_is_pos_scanner(pos_desc, n));
	/* A logical, not an application, collection is not enough. */
	{
		unsigned char logical[sizeof(pos_desc)];

		memcpy(logical, pos_desc, sizeof(pos_desc));
		logical[6] = 0x02;
		assert_false(hid_desc_is_pos_scanner(logical, 7));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_honeywell_single_and_multi),
		cmocka_unit_test(test_other_vendors),
		cmocka_unit_test(test_bad_reports_are_bounded),
		cmocka_unit_test(test_over_512_bytes_is_dropped),
		cmocka_unit_test(test_report_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

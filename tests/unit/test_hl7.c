/* Unit tests for the HL7 DFT^P03 builder, the ACK parser and the ERP record. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "bridge.h"

static const struct charge screw = { .key = "00884521123451",
	.code = "27801234", .desc = "SCREW CANC 6.5X40MM", .revenue = "0278",
	.hcpcs = "C1713", .price_cents = 41200, .billable = 1 };
static const struct itemref screw_item = { .key = "00884521123451",
	.item_id = "100234", .desc = "SCREW CANC 6.5X40MM", .vendor = "ACME",
	.implant = 1, .lot_required = 1, .active = 1 };
static const struct contract screw_price = { .key = "ACME|00884521123451",
	.vendor = "ACME", .cost_cents = 18750 };
static const struct hl7_parties parties = { "POU", "HOSP", "BILLING", "HOSP",
	"ZUD" };

static void
make(struct bevent *be)
{
	struct event *ev = &be->ev;

	memset(be, 0, sizeof(*be));
	snprintf(be->device, sizeof(be->device), "cart-07");
	snprintf(be->epoch, sizeof(be->epoch), "e1");
	be->charge = &screw;
	be->itemref = &screw_item;
	be->contract = &screw_price;
	ev->seq = 17;
	ev->at_ms = 978307200000LL;	/* the cart's clock said 2001-01-01 */
	be->at_fixed_ms = 1741948500000LL;	/* 2025-03-14 10:35:00 UTC */
	be->time_quality = "corrected";
	snprintf(ev->kind, sizeof(ev->kind), "use");
	ev->qty = 2;
	snprintf(ev->item.di, sizeof(ev->item.di), "00884521123451");
	snprintf(ev->item.lot, sizeof(ev->item.lot), "LOT4711");
	snprintf(ev->item.serial, sizeof(ev->item.serial), "S|1");
	snprintf(ev->case_id, sizeof(ev->case_id), "C-42");
	snprintf(ev->mrn, sizeof(ev->mrn), "123456789");
	snprintf(ev->encounter, sizeof(ev->encounter), "45678901");
	snprintf(ev->site, sizeof(ev->site), "WEST");
	snprintf(ev->room, sizeof(ev->room), "OR07");
}

/* Field n of the segment named seg in msg, "" when absent. */
static const char *
fld(const char *msg, const char *seg, int n)
{
	static char out[256];
	const char *p = msg, *e;
	size_t len;

	out[0] = '\0';
	for (; p && *p; p = strchr(p, '\r') ? strchr(p, '\r') + 1 : NULL)
		if (strncmp(p, seg, 3) == 0 && p[3] == '|')
			break;
	if (p == NULL || *p == '\0')
		return out;
	/* MSH-1 is the separator itself, so MSH fields are off by one. */
	if (strcmp(seg, "MSH") == 0)
		n--;
	while (n-- > 0 && (p = strchr(p, '|')) != NULL && p < strchr(p, '\r'))
		p++;
	if (p == NULL)
		return out;
	e = p + strcspn(p, "|\r");
	len = (size_t)(e - p) < sizeof(out) - 1 ? (size_t)(e - p) :
	    sizeof(out) - 1;
	memcpy(out, p, len);
	out[len] = '\0';
	return out;
}

static void
test_dft_p03_fields(void **state)
{
	struct buf b = BUF_INIT;
	struct bevent be;
	const char *m;

	(void)state;
	make(&be);
	hl7_dft_p03(&b, &be, &parties, "POU17", 1741948800000LL);
	m = buf_str(&b);
	assert_string_equal(fld(m, "MSH", 9), "DFT^P03^DFT_P03");
	assert_string_equal(fld(m, "MSH", 10), "POU17");
	assert_string_equal(fld(m, "MSH", 12), "2.5.1");
	assert_string_equal(fld(m, "MSH", 3), "POU");
	assert_string_equal(fld(m, "EVN", 1), "P03");
	assert_string_equal(fld(m, "PID", 3), "123456789^^^^MR");
	assert_string_equal(fld(m, "PID", 18), "45678901^^^^AN");
	assert_string_equal(fld(m, "PV1", 3), "OR07^^^WEST");
	assert_string_equal(fld(m, "PV1", 19), "45678901^^^^VN");
	assert_string_equal(fld(m, "FT1", 2), "cart-07:e1:17");
	/* The time the bridge vouches for, not the cart's wrong clock. */
	assert_string_equal(fld(m, "FT1", 4), "20250314103500+0000");
	/* The UDI as scanned, in the configured Z-segment. */
	assert_string_equal(fld(m, "ZUD", 3), "00884521123451");
	assert_string_equal(fld(m, "ZUD", 4), "LOT4711");
	assert_string_equal(fld(m, "ZUD", 5), "S\\F\\1");	/* | escaped */
	assert_string_equal(fld(m, "FT1", 6), "CG");
	assert_string_equal(fld(m, "FT1", 7),
	    "27801234^SCREW CANC 6.5X40MM^CDM");
	assert_string_equal(fld(m, "FT1", 10), "2");
	assert_string_equal(fld(m, "FT1", 11), "824.00");
	assert_string_equal(fld(m, "FT1", 12), "412.00");
	assert_string_equal(fld(m, "FT1", 16), "OR07^^^WEST");
	assert_string_equal(fld(m, "FT1", 22), "187.50");
	assert_string_equal(fld(m, "FT1", 23), "C-42");
	assert_string_equal(fld(m, "FT1", 25), "C1713^^HCPCS");
	assert_int_equal(m[b.len - 1], '\r');
	buf_free(&b);
}

static void
test_return_is_a_credit(void **state)
{
	struct buf b = BUF_INIT;
	struct bevent be;

	(void)state;
	make(&be);
	snprintf(be.ev.kind, sizeof(be.ev.kind), "return");
	hl7_dft_p03(&b, &be, &parties, "POU1", 0);
	assert_string_equal(fld(buf_str(&b), "FT1", 6), "CD");
	buf_free(&b);
}

static void
test_delimiters_in_data_are_escaped(void **state)
{
	struct buf b = BUF_INIT;
	struct bevent be;
	const char *m;
	int segs = 0;

	(void)state;
	make(&be);
	snprintf(be.ev.case_id, sizeof(be.ev.case_id), "A|B^C~D\\E&F\rG");
	hl7_dft_p03(&b, &be, &parties, "POU1", 0);
	m = buf_str(&b);
	assert_string_equal(fld(m, "FT1", 23),
	    "A\\F\\B\\S\\C\\R\\D\\E\\E\\T\\F\\X0D\\G");
	for (; *m; m++)
		segs += *m == '\r';
	/* MSH EVN PID PV1 FT1 ZUD, none split */
	assert_int_equal(segs, 6);
	buf_free(&b);
}

static void
test_ack_parse(void **state)
{
	struct hl7_ack a;
	const char *aa = "MSH|^~\\&|BILLING|HOSP|POU|HOSP|20250314||"
	    "ACK^P03^ACK|A1|P|2.5.1\rMSA|AA|POU17\r";
	const char *ae = "MSH|^~\\&|B|H|P|H|1||ACK|A2|P|2.3\nMSA|AE|POU18|bad "
	    "code";
	const char *star = "MSH*^~\\&*B\rMSA*AR*POU19*no\r";
	const char *seq = "MSH|^~\\&|B\rMSA|AA|P1||42\r";
	const char *none = "MSH|^~\\&|B\rMSA|AA|P1||-1\r";

	(void)state;
	assert_int_equal(hl7_ack_parse(aa, strlen(aa), &a), 0);
	assert_string_equal(a.code, "AA");
	assert_string_equal(a.ctrl, "POU17");
	assert_string_equal(a.text, "");
	/* Quirks: \n for \r, no trailing CR, another MSH-12. */
	assert_int_equal(hl7_ack_parse(ae, strlen(ae), &a), 0);
	assert_string_equal(a.code, "AE");
	assert_string_equal(a.ctrl, "POU18");
	assert_string_equal(a.text, "bad code");
	assert_int_equal(hl7_ack_parse(star, strlen(star), &a), 0);
	assert_string_equal(a.code, "AR");
	assert_int_equal(a.expected, -2);
	/* MSA-4: the sequence number the receiver expects next. */
	assert_int_equal(hl7_ack_parse(seq, strlen(seq), &a), 0);
	assert_int_equal(a.expected, 42);
	assert_int_equal(hl7_ack_parse(none, strlen(none), &a), 0);
	assert_int_equal(a.expected, -1);
	assert_int_equal(hl7_ack_parse("MSH|^~\\&|B\r", 11, &a), -EINVAL);
	assert_int_equal(hl7_ack_parse("HTTP/1.1 200 OK", 15, &a), -EINVAL);
	assert_int_equal(hl7_ack_parse("MSH|^~\\&\rMSA|A\r", 15, &a), -EINVAL);
}

/* MSH-10: "P" and the first 19 base-32 digits of SHA-256(identity#rev),
 * the values Python's base64.b32encode gives for the same input. */
static void
test_control_id(void **state)
{
	char id[21];

	(void)state;
	hl7_control_id("cart-07:e1:42", 0, id);
	assert_string_equal(id, "PL43UPKWHXHIZPPM2G2R");
	hl7_control_id("cart-07:e1:42", 1, id);
	assert_string_equal(id, "PEHZW762HHRHERZLWXOI");
}

static void
test_erp_issue_record(void **state)
{
	struct bevent be;
	json_error_t je;
	json_t *j;
	char *s;

	(void)state;
	make(&be);
	snprintf(be.ev.item.lot, sizeof(be.ev.item.lot), "LOT\"1");
	assert_non_null(s = erp_issue_json(&be));
	assert_non_null(j = json_loads(s, 0, &je));
	assert_string_equal(json_string_value(json_object_get(j,
	    "idempotency_key")), "cart-07:e1:17");
	assert_string_equal(json_string_value(json_object_get(j, "type")),
	    "inventory_issue");
	assert_int_equal(json_integer_value(json_object_get(j, "qty")), 2);
	assert_string_equal(json_string_value(json_object_get(j, "item_id")),
	    "100234");
	assert_string_equal(json_string_value(json_object_get(j, "vendor")),
	    "ACME");
	assert_int_equal(json_integer_value(json_object_get(j,
	    "unit_cost_cents")), 18750);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "item"), "lot")), "LOT\"1");
	assert_string_equal(json_string_value(json_object_get(j, "used_at")),
	    "2025-03-14T10:35:00.000Z");
	json_decref(j);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dft_p03_fields),
		cmocka_unit_test(test_return_is_a_credit),
		cmocka_unit_test(test_delimiters_in_data_are_escaped),
		cmocka_unit_test(test_ack_parse),
		cmocka_unit_test(test_control_id),
		cmocka_unit_test(test_erp_issue_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

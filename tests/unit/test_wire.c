/* Unit tests for sync/wire.c: encode, decode, and refusing bad payloads. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "wire.h"

#define EPOCH "78d6fe5cb6b7c2bed36bb45359a9b5c2"

/* A detail cut inside a UTF-8 sequence cannot be sent; clipped, it can,
 * and whole sequences are kept. */
static void
test_result_clipped(struct wire_result *r)
{
	char d[16], *p;

	snprintf(d, sizeof(d), "row 2: \xc3\x98\xe2\x82");	/* cut */
	r->data = "";
	r->detail = d;
	assert_null(wire_result_encode(r));
	utf8_clip(d);
	assert_string_equal(d, "row 2: \xc3\x98");
	assert_non_null(p = wire_result_encode(r));
	free(p);
	utf8_clip(d);
	assert_string_equal(d, "row 2: \xc3\x98");
	d[strlen(d) - 1] = '\0';
	utf8_clip(d);
	assert_string_equal(d, "row 2: ");
}

static void
make_event(struct event *ev, int64_t seq)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = seq;
	ev->at_ms = 1795526658000LL;
	snprintf(ev->boot, sizeof(ev->boot), "b0");
	ev->mono_ms = 42;
	snprintf(ev->kind, sizeof(ev->kind), "use");
	ev->qty = 2;
	snprintf(ev->item.scheme, sizeof(ev->item.scheme), "gs1");
	snprintf(ev->item.di, sizeof(ev->item.di), "00884521123451");
	snprintf(ev->item.lot, sizeof(ev->item.lot), "A&B\"<>");
	snprintf(ev->item.serial, sizeof(ev->item.serial), "SN1");
	snprintf(ev->item.expiry, sizeof(ev->item.expiry), "2027-06-30");
	memcpy(ev->item.raw, "]d2010088452112345110A&B\x1d" "21SN1", 30);
	ev->item.raw_len = 30;
	snprintf(ev->case_id, sizeof(ev->case_id), "C1");
	snprintf(ev->mrn, sizeof(ev->mrn), "M1");
	snprintf(ev->encounter, sizeof(ev->encounter), "E1");
	snprintf(ev->user, sizeof(ev->user), "U1");
	snprintf(ev->site, sizeof(ev->site), "or-west");
	snprintf(ev->room, sizeof(ev->room), "OR07");
	snprintf(ev->unit, sizeof(ev->unit), "cart-07");
	ev->flags = EVF_NO_CASE | EVF_OVERRIDE;
	snprintf(ev->source, sizeof(ev->source), "sim0");
}

static void
test_batch_round_trip(void **state)
{
	struct wire_clock sent = { 1795526700000, "boot-2", 81240000 }, back;
	struct event in[3], *out;
	char epoch[WIRE_ID_MAX], err[200], *p;
	int n, i;

	(void)state;
	for (i = 0; i < 3; i++)
		make_event(&in[i], 10 + i);
	assert_non_null(p = wire_batch_encode(EPOCH, in, 3, &sent, NULL));
	assert_int_equal(wire_batch_decode(p, strlen(p), epoch, sizeof(epoch),
	    &out, &n, &back, NULL, err, sizeof(err)), 0);
	assert_string_equal(epoch, EPOCH);
	assert_int_equal(n, 3);
	assert_memory_equal(&back, &sent, sizeof(sent));
	for (i = 0; i < 3; i++)
		assert_memory_equal(&out[i], &in[i], sizeof(in[i]));
	free(out);
	free(p);
}

/* Decodes payload, expecting a refusal whose reason contains want. */
static void
refuse(const char *payload, const char *want)
{
	char epoch[WIRE_ID_MAX], err[200] = "";
	struct event *out = (struct event *)1;
	int n = 7;

	assert_int_equal(wire_batch_decode(payload, strlen(payload), epoch,
	    sizeof(epoch), &out, &n, NULL, NULL, err, sizeof(err)), -EINVAL);
	assert_null(out);
	assert_int_equal(n, 0);
	if (strstr(err, want) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", err, want);
}

/* A valid batch with one substitution applied to its JSON text. */
static char *
mutate(const char *from, const char *to)
{
	struct event ev;
	char *p, *at, *out;

	make_event(&ev, 5);
	p = wire_batch_encode(EPOCH, &ev, 1, &(struct wire_clock){ 1, "b",
	    2 }, NULL);
	assert_non_null(at = strstr(p, from));
	out = malloc(strlen(p) + strlen(to) + 1);
	memcpy(out, p, (size_t)(at - p));
	strcpy(out + (at - p), to);
	strcat(out, at + strlen(from));
	free(p);
	return out;
}

static void
refuse_mutated(const char *from, const char *to, const char *want)
{
	char *p = mutate(from, to);

	refuse(p, want);
	free(p);
}

static void
test_batch_refusals(void **state)
{
	(void)state;
	refuse("", "not JSON");
	refuse("{\"v\":1,", "not JSON");
	refuse("[1,2]", "batch");
	refuse("{\"v\":2,\"epoch\":\"e\",\"events\":[{}]}", "version 2");
	refuse("{\"v\":1,\"epoch\":\"e\",\"events\":[]}", "1 to 1000");
	refuse("{\"v\":1,\"epoch\":\"a/b\",\"events\":[{}]}", "epoch");
	refuse("{\"v\":1,\"epoch\":\"e\",\"events\":[{}],\"x\":1}", "batch");
	refuse("{\"v\":1,\"v\":1,\"epoch\":\"e\",\"events\":[{}]}", "not JSON");
	refuse_mutated("\"kind\":\"use\"", "\"kind\":\"eat\"", "kind");
	refuse_mutated("\"qty\":2", "\"qty\":0", "qty");
	refuse_mutated("\"seq\":5", "\"seq\":-5", "seq");
	refuse_mutated("\"seq\":5", "\"seq\":\"5\"", "events[0]");
	refuse_mutated("\"no_case\"", "\"sleepy\"", "unknown flag");
	refuse_mutated("\"source\":\"sim0\"", "\"source\":\"sim0\",\"x\":1",
	    "events[0]");
	refuse_mutated("\"user\":\"U1\",", "", "events[0]");
	refuse_mutated("\"lot\":\"", "\"lot\":\"0123456789012345678901234567",
	    "item.lot longer");
	refuse_mutated("\"raw\":\"]", "\"raw\":\"\\u0001]",
	    "item.raw has byte");
	refuse_mutated("\"di\":\"00884521123451\"", "\"di\":\"\"", "item.di");
	refuse_mutated("\"source\":\"sim0\"",
	    "\"source\":\"sim0\",\"undoes\":3", "only an undo");
	refuse_mutated("\"kind\":\"use\"", "\"kind\":\"undo\"", "only an undo");
	refuse_mutated("\"mono_ms\":2}", "\"mono_ms\":-2}", "sent");
	refuse_mutated("\"boot\":\"b\",", "", "sent");
}

static void
test_seq_must_ascend(void **state)
{
	struct event ev[2];
	char *p;

	(void)state;
	make_event(&ev[0], 9);
	make_event(&ev[1], 9);
	p = wire_batch_encode(EPOCH, ev, 2, NULL, NULL);
	refuse(p, "not above");
	free(p);
}

static int
ack_decode(const char *p, struct wire_ack *a)
{
	char err[200];

	return wire_ack_decode(p, strlen(p), a, err, sizeof(err));
}

static void
test_ack_round_trip_and_refusals(void **state)
{
	struct wire_ack in = { EPOCH, 1234, 0, 0, 0, 0 }, out;
	char *p;

	(void)state;
	assert_non_null(p = wire_ack_encode(&in));
	assert_int_equal(ack_decode(p, &out), 0);
	assert_string_equal(out.epoch, EPOCH);
	assert_int_equal(out.upto, 1234);
	assert_int_equal(out.replay, 0);
	assert_int_equal(out.stored, 0);
	assert_null(strstr(p, "replay"));
	assert_null(strstr(p, "stored"));
	free(p);
	in.upto = 4, in.replay = 5, in.stored = 9;
	assert_non_null(p = wire_ack_encode(&in));
	assert_int_equal(ack_decode(p, &out), 0);
	assert_int_equal(out.replay, 5);
	assert_int_equal(out.stored, 9);
	assert_null(strstr(p, "held"));
	assert_null(strstr(p, "conflict"));
	free(p);
	/* held only past upto; conflict when there is one */
	in.held = 12, in.conflict = 7;
	assert_non_null(p = wire_ack_encode(&in));
	assert_int_equal(ack_decode(p, &out), 0);
	assert_int_equal(out.held, 12);
	assert_int_equal(out.conflict, 7);
	free(p);
	assert_int_equal(ack_decode("{\"v\":1,\"epoch\":\"e\",\"upto\":5,"
	    "\"held\":-1}", &out), -EINVAL);
	assert_int_equal(ack_decode("{\"v\":1,\"epoch\":\"e\",\"upto\":5,"
	    "\"conflict\":\"x\"}", &out), -EINVAL);
	assert_int_equal(ack_decode("{\"v\":1,\"epoch\":\"e\"}", &out),
	    -EINVAL);
	assert_int_equal(ack_decode("{\"v\":1,\"epoch\":\"e\",\"upto\":-1}",
	    &out), -EINVAL);
	assert_int_equal(ack_decode("{\"v\":1,\"epoch\":\"e\",\"upto\":5,"
	    "\"replay\":5}", &out), -EINVAL);	/* not past upto */
	assert_int_equal(ack_decode("{\"v\":1,\"epoch\":\"e\",\"upto\":5,"
	    "\"stored\":-2}", &out), -EINVAL);
	assert_int_equal(ack_decode("nope", &out), -EINVAL);
}

/* acked and gone: what the device says of its epoch beside the events. */
static void
test_batch_marks(void **state)
{
	struct wire_mark m = { 40, 5, 9 }, back;
	char epoch[WIRE_ID_MAX], err[200], *p;
	struct event ev, *out;
	int n;

	(void)state;
	make_event(&ev, 10);
	assert_non_null(p = wire_batch_encode(EPOCH, &ev, 1, NULL, &m));
	assert_int_equal(wire_batch_decode(p, strlen(p), epoch, sizeof(epoch),
	    &out, &n, NULL, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &m, sizeof(m));
	free(out);
	free(p);
	/* Only gone: no events at all is a batch too. */
	m.gone_to = 40;
	assert_non_null(p = wire_batch_encode(EPOCH, NULL, 0, NULL, &m));
	assert_int_equal(wire_batch_decode(p, strlen(p), epoch, sizeof(epoch),
	    &out, &n, NULL, &back, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_null(out);
	assert_int_equal(back.gone_to, 40);
	free(p);
	/* gone may not reach into the events, nor run backwards */
	m.gone_to = 10;
	p = wire_batch_encode(EPOCH, &ev, 1, NULL, &m);
	refuse(p, "reaches into the events");
	free(p);
	refuse("{\"v\":1,\"epoch\":\"e\",\"events\":[],\"gone\":[9,5]}",
	    "gone is not");
	refuse("{\"v\":1,\"epoch\":\"e\",\"events\":[],\"gone\":[1,2,3]}",
	    "gone is not");
	refuse("{\"v\":1,\"epoch\":\"e\",\"events\":[]}", "0 only with gone");
	refuse("{\"v\":1,\"epoch\":\"e\",\"events\":[],\"gone\":[1,2],"
	    "\"acked\":-4}", "acked is not");
}

static void
test_status_decode(void **state)
{
	struct wire_status ws;
	char err[160], *p;

	(void)state;
	assert_non_null(p = wire_status_encode("online", EPOCH, "0.1.0"));
	assert_int_equal(wire_status_decode(p, strlen(p), &ws, err,
	    sizeof(err)), 0);
	assert_string_equal(ws.state, "online");
	assert_string_equal(ws.epoch, EPOCH);
	assert_string_equal(ws.version, "0.1.0");
	free(p);
	assert_non_null(p = wire_status_encode("offline", NULL, NULL));
	assert_int_equal(wire_status_decode(p, strlen(p), &ws, err,
	    sizeof(err)), 0);
	assert_string_equal(ws.epoch, "");
	assert_string_equal(ws.version, "");
	free(p);
	p = "{\"v\":1,\"state\":\"online\",\"epoch\":\"a b\"}";
	assert_int_equal(wire_status_decode(p, strlen(p), &ws, err,
	    sizeof(err)), -EINVAL);
	p = "{\"v\":1,\"state\":\"online\",\"extra\":1}";
	assert_int_equal(wire_status_decode(p, strlen(p), &ws, err,
	    sizeof(err)), -EINVAL);
}

static void
test_topics(void **state)
{
	struct wire_topic t;
	char buf[160];

	(void)state;
	assert_int_equal(wire_topic(buf, sizeof(buf), "or-west", "cart-07",
	    "events"), 0);
	assert_string_equal(buf, "pou/v1/or-west/cart-07/events");
	assert_int_equal(wire_topic_parse(buf, &t), 0);
	assert_string_equal(t.site, "or-west");
	assert_string_equal(t.device, "cart-07");
	assert_string_equal(t.leaf, "events");
	assert_int_equal(wire_topic_parse("pou/v2/a/b/events", &t), -EINVAL);
	assert_int_equal(wire_topic_parse("pou/v1/a/b/c/events", &t), -EINVAL);
	/* "all" is the site's command topic, never a device. */
	assert_int_equal(wire_topic_parse("pou/v1/a/all/events", &t), -EINVAL);
	assert_false(wire_device_valid("all"));
	assert_true(wire_device_valid("all-1"));
	assert_true(wire_id_valid("all"));	/* a site may be named so */
	assert_int_equal(wire_topic_parse("pou/v1/a/events", &t), -EINVAL);
	assert_int_equal(wire_topic_parse("pou/v1/a/b+/events", &t), -EINVAL);
	assert_int_equal(wire_topic_parse("pou/v1//b/events", &t), -EINVAL);
	assert_false(wire_id_valid("a b"));
	assert_false(wire_id_valid(""));
	assert_true(wire_id_valid("OR-7_a.b"));
}

/* A result as a cart sends it reads back whole; a refusal's null id reads
 * as ""; a result of the wrong shape is refused, naming the field. */
static void
test_result(void **state)
{
	struct wire_result r = { "c-1", "successful", "", "done",
		"{\"rows\":2}", 1800000000123LL };
	struct wire_result_in in;
	char err[160], *p;

	(void)state;
	assert_non_null(p = wire_result_encode(&r));
	assert_int_equal(wire_result_decode(p, strlen(p), &in, err,
	    sizeof(err)), 0);
	assert_string_equal(in.id, "c-1");
	assert_string_equal(in.state, "successful");
	assert_string_equal(in.detail, "done");
	assert_string_equal(in.data, "{\"rows\":2}");
	assert_int_equal(in.at_ms, 1800000000123LL);
	assert_non_null(strstr(p, "\"ok\":true"));
	free(in.data);
	free(p);
	r = (struct wire_result){ "", "failed", "bad_signature", "x", "", 1 };
	assert_non_null(p = wire_result_encode(&r));
	assert_non_null(strstr(p, "\"id\":null"));
	assert_non_null(strstr(p, "\"ok\":false"));
	assert_int_equal(wire_result_decode(p, strlen(p), &in, err,
	    sizeof(err)), 0);
	assert_string_equal(in.id, "");
	free(in.data);
	free(p);
	r.data = "[1]";		/* data must be an object */
	assert_null(wire_result_encode(&r));
	test_result_clipped(&r);
	p = "{\"v\":1,\"id\":3,\"state\":\"failed\",\"ok\":false,"
	    "\"error\":\"\",\"detail\":\"\",\"at\":1,\"data\":{}}";
	assert_int_equal(wire_result_decode(p, strlen(p), &in, err,
	    sizeof(err)), -EINVAL);
	p = "{\"v\":1,\"id\":\"c\",\"state\":\"a-state-far-too-long\","
	    "\"ok\":false,\"error\":\"\",\"detail\":\"\",\"at\":1,"
	    "\"data\":{}}";
	assert_int_equal(wire_result_decode(p, strlen(p), &in, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "state"));
	assert_null(wire_object_text("[1]", 3));
	assert_null(wire_object_text("{", 1));
	assert_non_null(p = wire_object_text("{\"a\": 1}", 8));
	assert_string_equal(p, "{\"a\":1}");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_batch_round_trip),
		cmocka_unit_test(test_batch_refusals),
		cmocka_unit_test(test_seq_must_ascend),
		cmocka_unit_test(test_ack_round_trip_and_refusals),
		cmocka_unit_test(test_batch_marks),
		cmocka_unit_test(test_status_decode),
		cmocka_unit_test(test_topics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for sync/fleetcmd.c: a command built by fleet_cmd_payload and
 * signed is obeyed by the device it names, with its op and args; each
 * refusal is its own: the signature's, expired, not yet valid, too long
 * lived, wrong audience, unknown op, bad args, bad claims; a refusal still
 * names the command's id so it can be reported against it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fleetcmd.h"
#include "log.h"

#define NOW	1800000000LL
#define VER	"\"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef\""

static struct jws_key *key, *other;

static int
group_setup(void **state)
{
	(void)state;
	key = jws_key_generate();
	other = jws_key_generate();
	return key && other ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	jws_key_free(key);
	jws_key_free(other);
	return 0;
}

/* Checks payload signed with k at now, as main/cart-1 would. */
static enum fleet_err
check(struct jws_key *k, const char *payload, int64_t now,
    struct fleet_cmd *c)
{
	struct jws_keys ks = { { key }, 1 };
	char *msg = jws_sign(k, payload, strlen(payload));
	enum fleet_err e;

	assert_non_null(msg);
	e = fleet_cmd_check(&ks, msg, strlen(msg), "main", "cart-1", now, c);
	free(msg);
	return e;
}

/* A command from fleet_cmd_payload; fails the test when it is refused. */
static char *
build(const char *id, int64_t ttl, const char *aud, const char *op,
    const char *args)
{
	char why[128], *p;

	p = fleet_cmd_payload(id, NOW, ttl, aud, op, args, why, sizeof(why));
	if (p == NULL)
		fail_msg("payload refused: %s", why);
	return p;
}

static void
test_obeyed(void **state)
{
	static const char *const auds[] = { "[\"main/cart-1\"]", "[\"main\"]",
		"[\"*\"]", "[\"west/cart-9\",\"main/cart-1\"]" };
	struct fleet_cmd c;
	char *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(auds) / sizeof(auds[0]); i++) {
		p = build("c-1", 600, auds[i], "config",
		    "{\"set\":{\"session.undo_window_s\":\"60\"}}");
		assert_int_equal(check(key, p, NOW + 10, &c), FLEET_OK);
		assert_string_equal(c.id, "c-1");
		assert_string_equal(c.op, "config");
		assert_int_equal(c.iat, NOW);
		assert_int_equal(c.exp, NOW + 600);
		assert_string_equal(c.args,
		    "{\"set\":{\"session.undo_window_s\":\"60\"}}");
		fleet_cmd_free(&c);
		free(p);
	}
	p = build("recall:2026-12-02T10:00", 3600, "[\"*\"]", "recalls",
	    "{\"version\":" VER ",\"part\":1,\"parts\":1,"
	    "\"rows\":[[\"00884521123451\",\"LOT9\",\"\",\"R-1\",\"x\"]]}");
	assert_int_equal(check(key, p, NOW, &c), FLEET_OK);
	fleet_cmd_free(&c);
	free(p);
}

static void
test_time_and_audience(void **state)
{
	struct fleet_cmd c;
	char *p;

	(void)state;
	p = build("c-2", 600, "[\"main/cart-1\"]", "clock", "{}");
	assert_int_equal(check(key, p, NOW + 600, &c), FLEET_EXPIRED);
	assert_string_equal(c.id, "c-2");	/* reported against its id */
	assert_null(c.args);
	assert_int_equal(check(key, p, NOW - FLEET_SKEW_S, &c), FLEET_OK);
	fleet_cmd_free(&c);
	assert_int_equal(check(key, p, NOW - FLEET_SKEW_S - 1, &c),
	    FLEET_NOT_YET_VALID);
	free(p);
	p = build("c-3", 600, "[\"main/cart-2\",\"west\",\"main/cart-10\"]",
	    "clock", "{}");
	assert_int_equal(check(key, p, NOW, &c), FLEET_WRONG_AUDIENCE);
	free(p);
	/* pouctl will not build one living over 90 days; one that does is
	 * refused at the device. */
	assert_null(fleet_cmd_payload("c-4", NOW, FLEET_LIFETIME_MAX_S + 1,
	    "[\"*\"]", "clock", "{}", c.why, sizeof(c.why)));
	assert_int_equal(check(key, "{\"id\":\"c-4\",\"iat\":1800000000,"
	    "\"exp\":1807776001,\"aud\":[\"*\"],\"op\":\"clock\",\"args\":{}}",
	    NOW, &c), FLEET_TOO_LONG_LIVED);
}

static void
test_signature(void **state)
{
	struct fleet_cmd c;
	char *p;

	(void)state;
	p = build("c-5", 600, "[\"*\"]", "restart", "{}");
	assert_int_equal(check(other, p, NOW, &c), FLEET_UNKNOWN_KEY);
	assert_string_equal(c.id, "");	/* an unsigned id is not believed */
	free(p);
	assert_int_equal(fleet_cmd_check(&(struct jws_keys){ { key }, 1 },
	    "garbage\x01\xff", 9, "main", "cart-1", NOW, &c), FLEET_MALFORMED);
	assert_string_equal(fleet_err_name(FLEET_BAD_SIGNATURE),
	    "bad_signature");
	assert_string_equal(fleet_err_name(FLEET_REPLAYED), "replayed");
}

static void
test_ops_and_args(void **state)
{
	static const char *const bad_args[][2] = {
		{ "clock", "{\"x\":1}" },
		{ "config", "{}" },
		{ "config", "{\"set\":{}}" },
		{ "config", "{\"set\":{\"nodot\":\"1\"}}" },
		{ "config", "{\"set\":{\"a.b\":1}}" },
		{ "recalls", "{\"version\":\"abc\",\"part\":1,\"parts\":1,"
		    "\"rows\":[]}" },
		{ "recalls", "{\"version\":" VER ",\"part\":2,\"parts\":1,"
		    "\"rows\":[]}" },
		{ "catalog", "{\"version\":" VER ",\"part\":1,\"parts\":1,"
		    "\"rows\":[[1]]}" },
		{ "schedule", "{\"version\":" VER ",\"part\":1,\"parts\":1,"
		    "\"rows\":[],\"extra\":0}" },
		/* good args, but a schedule (MRNs) to every cart ("*") */
		{ "schedule", "{\"version\":" VER ",\"part\":1,\"parts\":1,"
		    "\"rows\":[]}" },
		{ "recalls", "{\"version\":" VER ",\"part\":1,"
		    "\"parts\":4294967297,\"rows\":[]}" },
		{ "config", "{\"set\":{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x\":\"1\"}}" },
	};
	char payload[512];
	struct fleet_cmd c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_args) / sizeof(bad_args[0]); i++) {
		snprintf(payload, sizeof(payload), "{\"id\":\"c-6\",\"iat\":"
		    "1800000000,\"exp\":1800000600,\"aud\":[\"*\"],\"op\":"
		    "\"%s\",\"args\":%s}", bad_args[i][0], bad_args[i][1]);
		assert_int_equal(check(key, payload, NOW, &c), FLEET_BAD_ARGS);
		assert_null(fleet_cmd_payload("c-6", NOW, 600, "[\"*\"]",
		    bad_args[i][0], bad_args[i][1], c.why, sizeof(c.why)));
	}
	snprintf(payload, sizeof(payload), "{\"id\":\"c-7\",\"iat\":1800000000,"
	    "\"exp\":1800000600,\"aud\":[\"*\"],\"op\":\"format-disk\","
	    "\"args\":{}}");
	assert_int_equal(check(key, payload, NOW, &c), FLEET_UNKNOWN_OP);
	assert_int_equal(fleet_op("recalls"), 0);
	assert_int_equal(fleet_op("nope"), -1);
	assert_string_equal(fleet_op_name(fleet_op("restart")), "restart");
}

static void
test_bad_claims(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"iat\":1800000000,\"exp\":1800000600,\"aud\":[\"*\"],"
		    "\"op\":\"clock\",\"args\":{}}",
		"{\"id\":\"a b\",\"iat\":1800000000,\"exp\":1800000600,"
		    "\"aud\":[\"*\"],\"op\":\"clock\",\"args\":{}}",
		"{\"id\":\"c\",\"iat\":\"now\",\"exp\":1800000600,"
		    "\"aud\":[\"*\"],\"op\":\"clock\",\"args\":{}}",
		"{\"id\":\"c\",\"iat\":1800000000,\"exp\":1800000600,"
		    "\"aud\":\"*\",\"op\":\"clock\",\"args\":{}}",
		"{\"id\":\"c\",\"iat\":1800000000,\"exp\":1800000600,"
		    "\"aud\":[],\"op\":\"clock\",\"args\":{}}",
		"{\"id\":\"c\",\"iat\":1800000000,\"exp\":1800000600,"
		    "\"aud\":[\"*\"],\"op\":\"clock\",\"args\":[]}",
		"{\"id\":\"c\",\"id\":\"d\",\"iat\":1800000000,\"exp\":"
		    "1800000600,\"aud\":[\"*\"],\"op\":\"clock\",\"args\":{}}",
	};
	struct fleet_cmd c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(check(key, bad[i], NOW, &c),
		    FLEET_BAD_CLAIMS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_obeyed),
		cmocka_unit_test(test_time_and_audience),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_ops_and_args),
		cmocka_unit_test(test_bad_claims),
	};

	log_init("test_fleetcmd", 0);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

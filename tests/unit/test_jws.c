/*
 * Unit tests for sync/jws.c: a command signed with a fleet key verifies
 * with its public half and gives back its payload; a changed payload or
 * signature, another alg, a key the verifier does not hold, a malformed or
 * oversized message are each refused by name; keys are saved with their
 * modes, never over an existing one, and load back with the same kid; a
 * rotation holds two keys and then drops the old one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <mbedtls/base64.h>

#include "jws.h"
#include "log.h"

#define PAYLOAD	"{\"id\":\"c1\",\"op\":\"ping\"}"

struct fx {
	char		 dir[64];
	struct jws_key	*a, *b;		/* two fleet keys, private */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/pou-jws.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_non_null(f->a = jws_key_generate());
	assert_non_null(f->b = jws_key_generate());
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[96];

	jws_key_free(f->a);
	jws_key_free(f->b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static enum jws_err
verify(struct jws_key *k1, struct jws_key *k2, const char *msg, char **p)
{
	struct jws_keys ks = { { k1, k2 }, k2 ? 2 : 1 };
	size_t len;

	return jws_verify(&ks, msg, strlen(msg), p, &len);
}

static void
test_sign_verify(void **state)
{
	struct fx *f = *state;
	char *msg, *p;
	size_t len;
	struct jws_keys ks = { { f->a }, 1 };

	assert_int_equal(strlen(jws_key_kid(f->a)), JWS_KID_LEN);
	assert_string_not_equal(jws_key_kid(f->a), jws_key_kid(f->b));
	assert_non_null(msg = jws_sign(f->a, PAYLOAD, strlen(PAYLOAD)));
	assert_null(strpbrk(msg, "+/="));	/* base64url, unpadded */
	assert_int_equal(jws_verify(&ks, msg, strlen(msg), &p, &len), JWS_OK);
	assert_string_equal(p, PAYLOAD);
	assert_int_equal(len, strlen(PAYLOAD));
	free(p);
	/* Another key's signature over the same bytes is not this one's. */
	assert_int_equal(verify(f->b, NULL, msg, &p), JWS_UNKNOWN_KEY);
	assert_null(p);
	free(msg);
}

/* Changes one character of part (0 header, 1 payload, 2 signature) to
 * another of the alphabet, and back when called again. */
static void
flip(char *msg, int part)
{
	static char was;
	char *c = msg;
	int i;

	for (i = 0; i < part; i++)
		c = strchr(c, '.') + 1;
	c += part == 2 ? 10 : 2;
	if (was != '\0') {
		*c = was;
		was = '\0';
	} else {
		was = *c;
		*c = *c == 'Q' ? 'R' : 'Q';
	}
}

static void
test_tampered(void **state)
{
	struct fx *f = *state;
	char *msg, *p;

	assert_non_null(msg = jws_sign(f->a, PAYLOAD, strlen(PAYLOAD)));
	flip(msg, 1);
	assert_int_equal(verify(f->a, NULL, msg, &p), JWS_BAD_SIGNATURE);
	flip(msg, 1);
	flip(msg, 2);
	assert_int_equal(verify(f->a, NULL, msg, &p), JWS_BAD_SIGNATURE);
	flip(msg, 2);
	assert_int_equal(verify(f->a, NULL, msg, &p), JWS_OK);
	free(p);
	/* A signature cut short. */
	msg[strlen(msg) - 4] = '\0';
	assert_int_equal(verify(f->a, NULL, msg, &p), JWS_BAD_SIGNATURE);
	free(msg);
}

/* header as base64url, then msg's payload and signature after it. */
static char *
with_header(const char *header, const char *msg)
{
	unsigned char b[256];
	size_t n, i, j;
	char *out;

	assert_int_equal(mbedtls_base64_encode(b, sizeof(b), &n,
	    (const unsigned char *)header, strlen(header)), 0);
	for (i = j = 0; i < n; i++)
		if (b[i] != '=')
			b[j++] = b[i] == '+' ? '-' : b[i] == '/' ? '_' : b[i];
	b[j] = '\0';
	assert_true(asprintf(&out, "%s%s", b, strchr(msg, '.')) > 0);
	return out;
}

static void
test_header(void **state)
{
	struct fx *f = *state;
	char *msg, *m, *p, h[96];

	assert_non_null(msg = jws_sign(f->a, PAYLOAD, strlen(PAYLOAD)));
	snprintf(h, sizeof(h), "{\"alg\":\"HS256\",\"kid\":\"%s\"}",
	    jws_key_kid(f->a));
	m = with_header(h, msg);
	assert_int_equal(verify(f->a, NULL, m, &p), JWS_BAD_ALG);
	free(m);
	m = with_header("{\"alg\":\"none\"}", msg);
	assert_int_equal(verify(f->a, NULL, m, &p), JWS_MALFORMED);
	free(m);
	snprintf(h, sizeof(h), "{\"alg\":\"ES256\",\"kid\":\"%s\","
	    "\"crit\":[\"x\"]}", jws_key_kid(f->a));
	m = with_header(h, msg);
	assert_int_equal(verify(f->a, NULL, m, &p), JWS_MALFORMED);
	free(m);
	m = with_header("not json", msg);
	assert_int_equal(verify(f->a, NULL, m, &p), JWS_MALFORMED);
	free(m);
	free(msg);
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = { "", ".", "..", "a.b", "a.b.c.d",
		"e30.e30.!!", "e30.e30", "e30.e30.e30.", "eyJ.e30.e30" };
	struct fx *f = *state;
	struct jws_keys ks = { { f->a }, 1 };
	char *p, *big;
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(verify(f->a, NULL, bad[i], &p),
		    JWS_MALFORMED);
	assert_non_null(big = malloc(JWS_MAX + 2));
	memset(big, 'A', JWS_MAX + 1);
	big[JWS_MAX + 1] = '\0';
	assert_int_equal(jws_verify(&ks, big, JWS_MAX + 1, &p, &len),
	    JWS_TOO_BIG);
	free(big);
	assert_string_equal(jws_err_name(JWS_BAD_SIGNATURE), "bad_signature");
	assert_string_equal(jws_err_name(JWS_UNKNOWN_KEY), "unknown_key");
}

static void
test_save_load(void **state)
{
	struct fx *f = *state;
	char priv[96], pub[96], *msg, *p;
	struct jws_key *kp, *kq;
	struct stat st;

	snprintf(priv, sizeof(priv), "%s/fleet.key", f->dir);
	snprintf(pub, sizeof(pub), "%s/fleet.pub", f->dir);
	assert_int_equal(jws_key_save(f->a, priv, 1), 0);
	assert_int_equal(jws_key_save(f->a, pub, 0), 0);
	assert_int_equal(stat(priv, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(pub, &st), 0);
	assert_int_equal(st.st_mode & 0777 & ~0022, 0644 & ~0022);
	assert_int_equal(jws_key_save(f->b, priv, 1), -EEXIST);
	assert_non_null(kp = jws_key_load(priv));
	assert_non_null(kq = jws_key_load(pub));
	assert_true(jws_key_private(kp));
	assert_false(jws_key_private(kq));
	assert_string_equal(jws_key_kid(kp), jws_key_kid(f->a));
	assert_string_equal(jws_key_kid(kq), jws_key_kid(f->a));
	assert_null(jws_sign(kq, PAYLOAD, strlen(PAYLOAD)));
	assert_int_equal(jws_key_save(kq, priv, 1), -EINVAL);
	assert_non_null(msg = jws_sign(kp, PAYLOAD, strlen(PAYLOAD)));
	assert_int_equal(verify(kq, NULL, msg, &p), JWS_OK);
	free(p);
	free(msg);
	jws_key_free(kp);
	jws_key_free(kq);
	assert_null(jws_key_load("/nonexistent/fleet.pub"));
	assert_null(jws_key_load("/etc/hostname"));
}

static void
test_rotation(void **state)
{
	struct fx *f = *state;
	char *old, *new, *p;

	assert_non_null(old = jws_sign(f->a, PAYLOAD, strlen(PAYLOAD)));
	assert_non_null(new = jws_sign(f->b, PAYLOAD, strlen(PAYLOAD)));
	assert_int_equal(verify(f->a, f->b, old, &p), JWS_OK);
	free(p);
	assert_int_equal(verify(f->a, f->b, new, &p), JWS_OK);
	free(p);
	assert_int_equal(verify(f->b, NULL, new, &p), JWS_OK);
	free(p);
	assert_int_equal(verify(f->b, NULL, old, &p), JWS_UNKNOWN_KEY);
	free(old);
	free(new);
}

int
main(void)
{
#define T(t)	cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_sign_verify),
		T(test_tampered),
		T(test_header),
		T(test_malformed),
		T(test_save_load),
		T(test_rotation),
	};
#undef T

	log_init("test_jws", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

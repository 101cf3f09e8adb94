/* SHA-256 as hex, and the content hash of an event (its identity aside). */
#include <stdio.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "hash.h"
#include "util.h"

static void
hex(const unsigned char md[32], char out[HASH_HEX])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0xf];
	}
	out[64] = '\0';
}

void
sha256(const void *p, size_t len, unsigned char md[32])
{
#if MBEDTLS_VERSION_MAJOR >= 3
	mbedtls_sha256(p, len, md, 0);
#else
	mbedtls_sha256_ret(p, len, md, 0);
#endif
}

void
sha256_hex(const void *p, size_t len, char out[HASH_HEX])
{
	unsigned char md[32];

	sha256(p, len, md);
	hex(md, out);
}

#if MBEDTLS_VERSION_MAJOR >= 3
#define sha_starts(c)		mbedtls_sha256_starts(c, 0)
#define sha_update(c, p, n)	mbedtls_sha256_update(c, p, n)
#define sha_finish(c, md)	mbedtls_sha256_finish(c, md)
#else
#define sha_starts(c)		mbedtls_sha256_starts_ret(c, 0)
#define sha_update(c, p, n)	mbedtls_sha256_update_ret(c, p, n)
#define sha_finish(c, md)	mbedtls_sha256_finish_ret(c, md)
#endif

int
sha256_file(const char *path, char out[HASH_HEX])
{
	mbedtls_sha256_context c;
	unsigned char buf[4096], md[32];
	size_t n;
	FILE *f;
	int rc;

	if ((f = fopen(path, "re")) == NULL)
		return -1;
	mbedtls_sha256_init(&c);
	sha_starts(&c);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sha_update(&c, buf, n);
	rc = ferror(f) ? -1 : 0;
	sha_finish(&c, md);
	mbedtls_sha256_free(&c);
	fclose(f);
	hex(md, out);
	return rc;
}

/* A value and a NUL: no value can run into the next. */
static void
put(mbedtls_sha256_context *c, const char *v)
{
	sha_update(c, (const unsigned char *)v, strlen(v) + 1);
}

static void
put_int(mbedtls_sha256_context *c, long long v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", v);
	put(c, s);
}

void
event_hash(const struct event *ev, char out[HASH_HEX])
{
	const struct item *it = &ev->item;
	const char *const strs[] = { ev->boot, ev->kind, it->scheme, it->di,
		it->lot, it->serial, it->expiry, it->mfg, ev->case_id, ev->mrn,
		ev->encounter, ev->user, ev->site, ev->room, ev->unit,
		ev->source };
	mbedtls_sha256_context c;
	unsigned char md[32];
	size_t i;

	mbedtls_sha256_init(&c);
	sha_starts(&c);
	put(&c, "v2");		/* the order below; change it, change this */
	put_int(&c, ev->at_ms);
	put_int(&c, ev->mono_ms);
	put_int(&c, ev->qty);
	put_int(&c, ev->flags);
	put_int(&c, ev->undoes);
	for (i = 0; i < nitems(strs); i++)
		put(&c, strs[i]);
	put_int(&c, (long long)it->raw_len);
	sha_update(&c, it->raw, it->raw_len);
	sha_finish(&c, md);
	mbedtls_sha256_free(&c);
	hex(md, out);
}

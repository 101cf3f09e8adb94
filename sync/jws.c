/*
 * Fleet commands' signatures: JWS compact serialization with ES256 on
 * mbedTLS (2.28 on Debian 12, 3.6 on Debian 13: the calls that differ are
 * behind MBEDTLS_VERSION_MAJOR). JOSE carries ECDSA's r and s as 32 bytes
 * each; mbedTLS reads and writes them as DER, so both are converted here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>

#include "hash.h"
#include "jws.h"
#include "log.h"
#include "util.h"

#ifndef MBEDTLS_PRIVATE
#define MBEDTLS_PRIVATE(m)	m	/* 2.28: the fields are public */
#endif

#define P256_BYTES	32

struct jws_key {
	mbedtls_pk_context	pk;
	int			priv;
	char			kid[JWS_KID_LEN + 1];
};

static const char *const err_names[JWS_ERR_COUNT] = {
	[JWS_OK] = "ok",
	[JWS_TOO_BIG] = "too_big",
	[JWS_MALFORMED] = "malformed",
	[JWS_BAD_ALG] = "bad_alg",
	[JWS_UNKNOWN_KEY] = "unknown_key",
	[JWS_BAD_SIGNATURE] = "bad_signature",
};

const char *
jws_err_name(enum jws_err e)
{
	return e < JWS_ERR_COUNT ? err_names[e] : "?";
}

/* The system's entropy through a CTR-DRBG, for key generation and
 * signing (ECDSA needs a fresh secret per signature). */
struct rng {
	mbedtls_entropy_context		entropy;
	mbedtls_ctr_drbg_context	drbg;
};

static int
rng_open(struct rng *r)
{
	static const unsigned char who[] = "pou-jws";

	mbedtls_entropy_init(&r->entropy);
	mbedtls_ctr_drbg_init(&r->drbg);
	return mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func,
	    &r->entropy, who, sizeof(who) - 1);
}

static void
rng_close(struct rng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->entropy);
}

/* base64url without padding (RFC 7515 2); the caller frees it. */
static char *
b64url(const unsigned char *in, size_t n)
{
	size_t olen = 0, i, j;
	char *out;

	mbedtls_base64_encode(NULL, 0, &olen, in, n);
	if ((out = malloc(olen + 1)) == NULL ||
	    mbedtls_base64_encode((unsigned char *)out, olen + 1, &olen, in,
	    n) != 0) {
		free(out);
		return NULL;
	}
	for (i = j = 0; i < olen; i++)
		if (out[i] != '=')
			out[j++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' :
			    out[i];
	out[j] = '\0';
	return out;
}

/* Decodes n base64url characters into a new buffer (NUL-terminated, the
 * caller frees it); -1 on any character outside the alphabet. */
static int
b64url_decode(const char *in, size_t n, unsigned char **out, size_t *olen)
{
	unsigned char *std, *dec;
	size_t i, slen = n + (4 - n % 4) % 4;

	if (n % 4 == 1 || (std = malloc(slen)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		char c = in[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_')) {
			free(std);
			return -1;
		}
		std[i] = c == '-' ? '+' : c == '_' ? '/' : (unsigned char)c;
	}
	for (; i < slen; i++)
		std[i] = '=';
	if ((dec = malloc(slen / 4 * 3 + 1)) == NULL ||
	    mbedtls_base64_decode(dec, slen / 4 * 3 + 1, olen, std,
	    slen) != 0) {
		free(std);
		free(dec);
		return -1;
	}
	free(std);
	dec[*olen] = '\0';
	*out = dec;
	return 0;
}

/* P-256 only: another curve of 256 bits is no ES256 key. */
static int
key_is_p256(mbedtls_pk_context *pk)
{
	return mbedtls_pk_get_type(pk) == MBEDTLS_PK_ECKEY &&
	    mbedtls_pk_ec(*pk)->MBEDTLS_PRIVATE(grp).id ==
	    MBEDTLS_ECP_DP_SECP256R1;
}

static int
key_set_kid(struct jws_key *k)
{
	unsigned char der[256];
	char hex[HASH_HEX];
	int n;

	if ((n = mbedtls_pk_write_pubkey_der(&k->pk, der, sizeof(der))) <= 0)
		return -1;
	sha256_hex(der + sizeof(der) - n, (size_t)n, hex);
	snprintf(k->kid, sizeof(k->kid), "%.*s", JWS_KID_LEN, hex);
	return 0;
}

static struct jws_key *
key_new(void)
{
	struct jws_key *k = calloc(1, sizeof(*k));

	if (k != NULL)
		mbedtls_pk_init(&k->pk);
	return k;
}

struct jws_key *
jws_key_generate(void)
{
	struct jws_key *k = key_new();
	struct rng r;
	int rc;

	if (k == NULL)
		return NULL;
	if ((rc = rng_open(&r)) == 0 && (rc = mbedtls_pk_setup(&k->pk,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))) == 0)
		rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1,
		    mbedtls_pk_ec(k->pk), mbedtls_ctr_drbg_random, &r.drbg);
	rng_close(&r);
	k->priv = 1;
	if (rc != 0 || key_set_kid(k) != 0) {
		jws_key_free(k);
		return NULL;
	}
	return k;
}

static int
parse_private(mbedtls_pk_context *pk, const char *path)
{
#if MBEDTLS_VERSION_MAJOR >= 3
	struct rng r;
	int rc;

	if ((rc = rng_open(&r)) == 0)
		rc = mbedtls_pk_parse_keyfile(pk, path, NULL,
		    mbedtls_ctr_drbg_random, &r.drbg);
	rng_close(&r);
	return rc;
#else
	return mbedtls_pk_parse_keyfile(pk, path, NULL);
#endif
}

struct jws_key *
jws_key_load(const char *path)
{
	struct jws_key *k = key_new();

	if (k == NULL)
		return NULL;
	if (access(path, R_OK) != 0) {
		log_warn("%s", path);
		jws_key_free(k);
		return NULL;
	}
	if (parse_private(&k->pk, path) == 0)
		k->priv = 1;
	else {
		mbedtls_pk_free(&k->pk);
		mbedtls_pk_init(&k->pk);
		if (mbedtls_pk_parse_public_keyfile(&k->pk, path) != 0) {
			log_warnx("%s: not a PEM or DER key", path);
			jws_key_free(k);
			return NULL;
		}
	}
	if (!key_is_p256(&k->pk) || key_set_kid(k) != 0) {
		log_warnx("%s: not an ECDSA P-256 key (ES256)", path);
		jws_key_free(k);
		return NULL;
	}
	return k;
}

int
jws_key_save(struct jws_key *k, const char *path, int private)
{
	unsigned char pem[1600];
	mbedtls_pk_context *pk = &k->pk;
	int fd, rc;
	ssize_t n;

	if (private && !k->priv)
		return -EINVAL;
	rc = private ? mbedtls_pk_write_key_pem(pk, pem, sizeof(pem)) :
	    mbedtls_pk_write_pubkey_pem(pk, pem, sizeof(pem));
	if (rc != 0)
		return -EINVAL;
	/* Never over an existing key: a lost key is worse than an error. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    private ? 0600 : 0644)) < 0)
		return -errno;
	n = write(fd, pem, strlen((char *)pem));
	rc = n == (ssize_t)strlen((char *)pem) && fsync(fd) == 0 ? 0 : -EIO;
	close(fd);
	return rc;
}

const char *
jws_key_kid(const struct jws_key *k)
{
	return k->kid;
}

int
jws_key_private(const struct jws_key *k)
{
	return k->priv;
}

void
jws_key_free(struct jws_key *k)
{
	if (k == NULL)
		return;
	mbedtls_pk_free(&k->pk);
	free(k);
}

void
jws_keys_free(struct jws_keys *ks)
{
	int i;

	for (i = 0; i < ks->n; i++)
		jws_key_free(ks->k[i]);
	ks->n = 0;
}

/* ECDSA's DER SEQUENCE { r, s } as JOSE's 64 bytes r || s. */
static int
der_to_raw(unsigned char *der, size_t len, unsigned char raw[64])
{
	unsigned char *p = der;
	const unsigned char *end = der + len;
	mbedtls_mpi r, s;
	size_t slen;
	int rc;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	rc = mbedtls_asn1_get_tag(&p, end, &slen, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) || mbedtls_asn1_get_mpi(&p, end, &r) ||
	    mbedtls_asn1_get_mpi(&p, end, &s) ||
	    mbedtls_mpi_write_binary(&r, raw, P256_BYTES) ||
	    mbedtls_mpi_write_binary(&s, raw + P256_BYTES, P256_BYTES);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return rc ? -1 : 0;
}

/* JOSE's r || s as DER, written backwards from the end of buf as
 * asn1write does: the DER's start, or NULL. */
static unsigned char *
raw_to_der(const unsigned char raw[64], unsigned char *buf, size_t size,
    size_t *len)
{
	unsigned char *p = buf + size;
	mbedtls_mpi r, s;
	int k, n = -1;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (mbedtls_mpi_read_binary(&r, raw, P256_BYTES) == 0 &&
	    mbedtls_mpi_read_binary(&s, raw + P256_BYTES, P256_BYTES) == 0 &&
	    (n = mbedtls_asn1_write_mpi(&p, buf, &s)) >= 0 &&
	    (k = mbedtls_asn1_write_mpi(&p, buf, &r)) >= 0) {
		n += k;
		if ((k = mbedtls_asn1_write_len(&p, buf, (size_t)n)) < 0)
			n = -1;
		else
			n += k;
		if (n >= 0 && (k = mbedtls_asn1_write_tag(&p, buf,
		    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) >= 0)
			*len = (size_t)(n + k);
		else
			n = -1;
	} else
		n = -1;
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return n < 0 ? NULL : p;
}

static int
pk_sign(struct jws_key *k, const unsigned char md[32], unsigned char *der,
    size_t size, size_t *len)
{
	mbedtls_pk_context *pk = &k->pk;
	struct rng r;
	int rc;

	if ((rc = rng_open(&r)) == 0)
#if MBEDTLS_VERSION_MAJOR >= 3
		rc = mbedtls_pk_sign(pk, MBEDTLS_MD_SHA256, md, 32, der, size,
		    len, mbedtls_ctr_drbg_random, &r.drbg);
#else
		rc = mbedtls_pk_sign(pk, MBEDTLS_MD_SHA256, md, 32, der, len,
		    mbedtls_ctr_drbg_random, &r.drbg);
	(void)size;
#endif
	rng_close(&r);
	return rc;
}

char *
jws_sign(struct jws_key *k, const char *payload, size_t len)
{
	unsigned char md[32], der[MBEDTLS_ECDSA_MAX_LEN], raw[64];
	char header[64], *h = NULL, *p = NULL, *s = NULL, *out = NULL;
	size_t dlen;

	if (!k->priv)
		return NULL;
	snprintf(header, sizeof(header), "{\"alg\":\"ES256\",\"kid\":\"%s\"}",
	    k->kid);
	if ((h = b64url((const unsigned char *)header, strlen(header))) ==
	    NULL || (p = b64url((const unsigned char *)payload, len)) == NULL ||
	    asprintf(&out, "%s.%s", h, p) < 0) {
		out = NULL;
		goto done;
	}
	sha256(out, strlen(out), md);
	if (pk_sign(k, md, der, sizeof(der), &dlen) != 0 ||
	    der_to_raw(der, dlen, raw) != 0 ||
	    (s = b64url(raw, sizeof(raw))) == NULL) {
		free(out);
		out = NULL;
		goto done;
	}
	free(h);
	h = out;
	if (asprintf(&out, "%s.%s", h, s) < 0)
		out = NULL;
done:
	free(h);
	free(p);
	free(s);
	return out;
}

/* The protected header: ES256 and a kid, nothing this verifier must
 * understand and does not (crit). The kid's key, or an error. */
static enum jws_err
header_key(const struct jws_keys *ks, const unsigned char *h, size_t n,
    struct jws_key **key)
{
	json_t *j = json_loadb((const char *)h, n, 0, NULL);
	const char *alg, *kid;
	enum jws_err e = JWS_UNKNOWN_KEY;
	int i;

	if (!json_is_object(j) || json_object_get(j, "crit") != NULL ||
	    (alg = json_string_value(json_object_get(j, "alg"))) == NULL ||
	    (kid = json_string_value(json_object_get(j, "kid"))) == NULL) {
		json_decref(j);
		return JWS_MALFORMED;
	}
	if (strcmp(alg, "ES256") != 0)
		e = JWS_BAD_ALG;
	for (i = 0; e == JWS_UNKNOWN_KEY && i < ks->n; i++)
		if (strcmp(ks->k[i]->kid, kid) == 0) {
			*key = ks->k[i];
			e = JWS_OK;
		}
	json_decref(j);
	return e;
}

/* The signature over msg's first two parts, signed_len bytes. */
static enum jws_err
check_signature(struct jws_key *k, const char *msg, size_t signed_len,
    const unsigned char *sig, size_t slen)
{
	unsigned char md[32], buf[MBEDTLS_ECDSA_MAX_LEN], *der;
	size_t dlen;

	if (slen != 2 * P256_BYTES ||
	    (der = raw_to_der(sig, buf, sizeof(buf), &dlen)) == NULL)
		return JWS_BAD_SIGNATURE;
	sha256(msg, signed_len, md);
	return mbedtls_pk_verify(&k->pk, MBEDTLS_MD_SHA256, md, 32, der,
	    dlen) == 0 ? JWS_OK : JWS_BAD_SIGNATURE;
}

enum jws_err
jws_verify(const struct jws_keys *ks, const char *msg, size_t len,
    char **payload, size_t *plen)
{
	const char *d1, *d2;
	unsigned char *h = NULL, *p = NULL, *sig = NULL;
	size_t hlen, slen;
	struct jws_key *k = NULL;
	enum jws_err e;

	*payload = NULL;
	if (len > JWS_MAX)
		return JWS_TOO_BIG;
	if ((d1 = memchr(msg, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - msg))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - msg)) != NULL ||
	    b64url_decode(msg, (size_t)(d1 - msg), &h, &hlen) != 0 ||
	    b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &p, plen) != 0 ||
	    b64url_decode(d2 + 1, len - (size_t)(d2 + 1 - msg), &sig,
	    &slen) != 0)
		e = JWS_MALFORMED;
	else if ((e = header_key(ks, h, hlen, &k)) == JWS_OK)
		e = check_signature(k, msg, (size_t)(d2 - msg), sig, slen);
	free(h);
	free(sig);
	if (e == JWS_OK)
		*payload = (char *)p;
	else
		free(p);
	return e;
}

char *
jws_payload_unverified(const char *msg, size_t len, size_t *plen)
{
	const char *d1, *d2;
	unsigned char *p;

	if (len > JWS_MAX || (d1 = memchr(msg, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - msg))) == NULL ||
	    b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &p, plen) != 0)
		return NULL;
	return (char *)p;
}

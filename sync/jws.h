/*
 * Fleet commands' signatures: JWS compact serialization (RFC 7515) with
 * ES256 (ECDSA P-256, SHA-256; RFC 7518 3.4), on mbedTLS. A key is named by
 * its kid, the first 16 hex digits of the SHA-256 of its public key's DER,
 * so a verifier holding several keys (a rotation) picks the one it names.
 */
#ifndef POU_JWS_H
#define POU_JWS_H

#include <stddef.h>

#define JWS_KID_LEN	16
#define JWS_KEYS_MAX	4	/* keys a verifier holds: old and new */
#define JWS_MAX		(64 * 1024)	/* a longer message is refused unread */

struct jws_key;			/* one P-256 key, private or public only */

struct jws_keys {
	struct jws_key	*k[JWS_KEYS_MAX];
	int		 n;
};

/* Why a message was refused; JWS_OK when its signature holds. */
enum jws_err {
	JWS_OK,
	JWS_TOO_BIG,		/* over JWS_MAX */
	JWS_MALFORMED,		/* not three base64url parts, bad header */
	JWS_BAD_ALG,		/* a header alg other than ES256 */
	JWS_UNKNOWN_KEY,	/* no key held has the header's kid */
	JWS_BAD_SIGNATURE,
	JWS_ERR_COUNT
};

/* "too_big", "malformed"...: the wire's names, for results and logs. */
const char *jws_err_name(enum jws_err);

/* A new P-256 key from the system's entropy; NULL on error. */
struct jws_key *jws_key_generate(void);
/* Reads a PEM (or DER) key file, private or public; NULL and a logged
 * error when it is not a P-256 key. */
struct jws_key *jws_key_load(const char *path);
/* Writes the private key (mode 0600) or the public key (0644) as PEM. */
int	jws_key_save(struct jws_key *, const char *path, int private);
const char *jws_key_kid(const struct jws_key *);
int	jws_key_private(const struct jws_key *);
void	jws_key_free(struct jws_key *);	/* NULL-safe */
void	jws_keys_free(struct jws_keys *);

/* header.payload.signature for payload, signed with key (private); the
 * caller frees it; NULL on error. */
char	*jws_sign(struct jws_key *key, const char *payload, size_t len);
/*
 * Checks msg's signature against the keys held; on JWS_OK *payload (NUL-
 * terminated, the caller frees it) and *len are the signed payload.
 */
enum jws_err jws_verify(const struct jws_keys *, const char *msg, size_t len,
	    char **payload, size_t *plen);

/* The payload without checking the signature: for the sender and the
 * bridge, which route a command; only a cart's jws_verify() obeys one. */
char	*jws_payload_unverified(const char *msg, size_t len, size_t *plen);

#endif

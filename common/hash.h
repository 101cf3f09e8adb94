/* SHA-256 as hex, and the content hash of an event (its identity aside). */
#ifndef POU_HASH_H
#define POU_HASH_H

#include <stddef.h>

#include "event.h"

#define HASH_HEX	65	/* 64 hex digits and a NUL */

void	sha256(const void *p, size_t len, unsigned char md[32]);
void	sha256_hex(const void *p, size_t len, char out[HASH_HEX]);
/* A file's SHA-256 in hex (a reference file's version); 0, or -1 when it
 * cannot be read. */
int	sha256_file(const char *path, char out[HASH_HEX]);
/*
 * Every field of ev but seq, in a fixed order: a resend hashes the same,
 * any other content (a forged batch, a store that went back in time and
 * re-used the seq) does not.
 */
void	event_hash(const struct event *ev, char out[HASH_HEX]);

#endif

/* NDEF on NFC Forum Type 2 tags: the first text or URI record. Pure. */
#ifndef POU_NDEF_H
#define POU_NDEF_H

#include <stddef.h>

/*
 * Reads the NDEF message TLV in a Type 2 tag's data area (from page 4) and
 * writes its first well-known text ("T") or URI ("U") record into out.
 * Returns the length written, or -1 when there is none or it is malformed.
 */
int	ndef_first_text(const unsigned char *mem, size_t n, char *out,
	    size_t outlen);

#endif

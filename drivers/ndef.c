/*
 * NDEF (NFC Forum) on Type 2 tags: TLVs in the data area; the NDEF message
 * TLV (0x03) holds records; a well-known text record ("T": status byte,
 * language, text) or URI record ("U": an abbreviation code, the rest) is
 * what an item tag with a GS1 element string or Digital Link carries.
 */
#include <string.h>

#include "ndef.h"

/* NFC Forum URI record prefixes, by code (the common ones). */
static const char *const uri_prefix[] = { "", "http://www.", "https://www.",
	"http://", "https://" };

static int
put(char *out, size_t outlen, const char *p, size_t n, const unsigned char *q,
    size_t m)
{
	if (n + m >= outlen)
		return -1;
	memcpy(out, p, n);
	memcpy(out + n, q, m);
	out[n + m] = '\0';
	return (int)(n + m);
}

/* One record at r (left bytes); its text into out, or -1. */
static int
ndef_record(const unsigned char *r, size_t left, char *out, size_t outlen)
{
	size_t tl, pl, il = 0, h = 3;
	const unsigned char *type, *pay;

	if (left < 3 || (r[0] & 0x07) != 0x01 || !(r[0] & 0x10))
		return -1;	/* only short, well-known records */
	tl = r[1];
	pl = r[2];
	if (r[0] & 0x08) {	/* an ID length byte follows */
		if (left <= h)
			return -1;
		il = r[h++];
	}
	if (h + tl + il + pl > left || tl != 1 || pl < 1)
		return -1;
	type = r + h;
	pay = type + tl + il;
	if (type[0] == 'U')
		return pay[0] < sizeof(uri_prefix) / sizeof(uri_prefix[0]) ?
		    put(out, outlen, uri_prefix[pay[0]],
		    strlen(uri_prefix[pay[0]]), pay + 1, pl - 1) : -1;
	if (type[0] == 'T' && (size_t)(pay[0] & 0x3f) + 1 <= pl)
		return put(out, outlen, "", 0, pay + 1 + (pay[0] & 0x3f),
		    pl - 1 - (pay[0] & 0x3f));
	return -1;
}

int
ndef_first_text(const unsigned char *mem, size_t n, char *out, size_t outlen)
{
	size_t i = 0, len;

	while (i < n) {
		if (mem[i] == 0x00) {		/* NULL TLV */
			i++;
			continue;
		}
		if (mem[i] == 0xfe || i + 1 >= n)	/* terminator */
			return -1;
		len = mem[i + 1];
		if (len == 0xff) {		/* three-byte length */
			if (i + 3 >= n)
				return -1;
			len = (size_t)mem[i + 2] << 8 | mem[i + 3];
			i += 2;
		}
		if (i + 2 + len > n)
			return -1;
		if (mem[i] == 0x03)
			return ndef_record(mem + i + 2, len, out, outlen);
		i += 2 + len;
	}
	return -1;
}

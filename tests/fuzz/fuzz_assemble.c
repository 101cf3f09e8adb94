/* libFuzzer: two scans (split at the first 0x0a) decoded and joined. */
#include <stdint.h>
#include <string.h>

#include "codes/codes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct codes_opts o = { 2026, 0 };
	struct code_result a, b, r;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size / 2;

	codes_decode(data, n, &o, &a);
	codes_decode(data + n + (nl != NULL), size - n - (nl != NULL), &o, &b);
	codes_assemble(&a, &b, &o, &r);
	codes_assemble(&b, &a, &o, &r);
	return 0;
}

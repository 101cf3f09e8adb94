/* libFuzzer: codes_decode, strict and not, on any bytes. */
#include <stddef.h>
#include <stdint.h>

#include "codes/codes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct codes_opts lax = { 2026, 0 }, strict = { 2026, 1 };
	struct code_result r;

	codes_decode(data, size, &lax, &r);
	codes_decode(data, size, &strict, &r);
	return 0;
}

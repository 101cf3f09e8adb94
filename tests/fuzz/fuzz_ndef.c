/* libFuzzer: NDEF on Type 2 tags, from a tag's memory. */
#include <stdint.h>

#include "ndef.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[256];

	ndef_first_text(data, size, out, sizeof(out));
	return 0;
}

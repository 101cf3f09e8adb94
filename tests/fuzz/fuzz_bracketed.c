/* libFuzzer: codes_decode_bracketed on any NUL-free text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codes/codes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct codes_opts o = { 2026, 1 };
	struct code_result r;
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	codes_decode_bracketed(s, &o, &r);
	free(s);
	return 0;
}

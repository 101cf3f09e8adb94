/* libFuzzer: the parser of billing's HL7 ACKs. */
#include <stdint.h>

#include "bridge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char code[3], ctrl[64], text[160];

	hl7_ack_parse((const char *)data, size, code, ctrl, sizeof(ctrl), text,
	    sizeof(text));
	return 0;
}

/* libFuzzer: the parser of billing's HL7 ACKs. */
#include <stdint.h>

#include "bridge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hl7_ack a;

	hl7_ack_parse((const char *)data, size, &a);
	return 0;
}

/* libFuzzer: what pouctl reads from a person: an event identity
 * (device:epoch:seq) and a UTC time, each written back the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256], back[256];
	struct bevent be;
	struct ident id;
	int64_t ms;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (event_identity_parse(s, &id) == 0) {
		memset(&be, 0, sizeof(be));
		memcpy(be.device, id.device, sizeof(be.device));
		memcpy(be.epoch, id.epoch, sizeof(be.epoch));
		be.ev.seq = id.seq;
		event_identity(&be, back, sizeof(back));
		/* What it read names one event: written back, read again. */
		if (event_identity_parse(back, &id) != 0 ||
		    strcmp(id.device, be.device) != 0 || id.seq != be.ev.seq)
			abort();
	}
	if (parse_utc_time(s, &ms) == 0 && ms % 1000 != 0)
		abort();
	return 0;
}

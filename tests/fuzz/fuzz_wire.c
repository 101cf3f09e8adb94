/* libFuzzer: the bridge's and the agent's parsers of MQTT payloads. */
#include <stdint.h>
#include <stdlib.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char epoch[WIRE_ID_MAX], err[200], state[16];
	struct event *evs;
	struct wire_ack ack;
	struct wire_clock sent;
	struct wire_mark mark;
	int n;

	if (wire_batch_decode((const char *)data, size, epoch, sizeof(epoch),
	    &evs, &n, &sent, &mark, err, sizeof(err)) == 0)
		free(evs);
	wire_ack_decode((const char *)data, size, &ack, err, sizeof(err));
	wire_status_decode((const char *)data, size, state, sizeof(state),
	    epoch, sizeof(epoch), err, sizeof(err));
	return 0;
}

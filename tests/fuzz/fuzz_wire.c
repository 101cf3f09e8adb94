/* libFuzzer: the bridge's and the agent's parsers of MQTT payloads. */
#include <stdint.h>
#include <stdlib.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char epoch[WIRE_ID_MAX], err[200];
	struct wire_status ws;
	struct wire_result_in res;
	struct event *evs;
	struct wire_ack ack;
	struct wire_clock sent;
	struct wire_mark mark;
	int n;

	if (wire_batch_decode((const char *)data, size, epoch, sizeof(epoch),
	    &evs, &n, &sent, &mark, err, sizeof(err)) == 0)
		free(evs);
	wire_ack_decode((const char *)data, size, &ack, err, sizeof(err));
	wire_status_decode((const char *)data, size, &ws, err, sizeof(err));
	if (wire_result_decode((const char *)data, size, &res, err,
	    sizeof(err)) == 0)
		free(res.data);
	free(wire_object_text((const char *)data, size));
	return 0;
}

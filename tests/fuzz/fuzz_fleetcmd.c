/* libFuzzer: a fleet command as a cart reads it. An input whose first byte
 * is odd is a payload, signed here with the fleet key so that the claims'
 * checks are reached; an even one is a JWS as it came off the wire. An
 * obeyed command has a good id and its args as a JSON object. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fleetcmd.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jws_keys ks;
	struct fleet_cmd c;
	char *msg;
	json_t *args;

	if (ks.n == 0) {
		log_init("fuzz_fleetcmd", 0);
		if ((ks.k[0] = jws_key_generate()) == NULL)
			abort();
		ks.n = 1;
	}
	if (size < 1 || size > JWS_MAX)
		return 0;
	if (data[0] & 1)
		msg = jws_sign(ks.k[0], (const char *)data + 1, size - 1);
	else if ((msg = malloc(size)) != NULL)
		memcpy(msg, data + 1, size - 1);
	if (msg == NULL)
		return 0;
	if (fleet_cmd_check(&ks, msg, data[0] & 1 ? strlen(msg) : size - 1,
	    "main", "cart-1", 1800000000, &c) == FLEET_OK) {
		args = json_loads(c.args, 0, NULL);
		if (c.id[0] == '\0' || !json_is_object(args) ||
		    fleet_op(c.op) < 0)
			abort();
		json_decref(args);
	}
	fleet_cmd_free(&c);
	free(msg);
	return 0;
}

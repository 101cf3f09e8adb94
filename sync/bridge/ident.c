/* An event's identity, device:epoch:seq, written and read back. */
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "util.h"

void
event_identity(const struct bevent *be, char *out, size_t len)
{
	snprintf(out, len, "%s:%s:%lld", be->device, be->epoch,
	    (long long)be->ev.seq);
}

/* Copies s[0..n) into out (of WIRE_ID_MAX) when it is an id. */
static int
ident_part(const char *s, size_t n, char out[WIRE_ID_MAX])
{
	if (n >= WIRE_ID_MAX)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return wire_id_valid(out) ? 0 : -1;
}

int
event_identity_parse(const char *s, struct ident *id)
{
	const char *c1 = strchr(s, ':'), *c2 = strrchr(s, ':');
	long long seq;

	if (c1 == NULL || c1 == c2 || ident_part(s, (size_t)(c1 - s),
	    id->device) != 0 || ident_part(c1 + 1, (size_t)(c2 - c1 - 1),
	    id->epoch) != 0 || parse_int(c2 + 1, 0, INT64_MAX, &seq) != 0)
		return -1;
	id->seq = seq;
	return 0;
}

/*
 * File-drop output: one file per message, tmp -> fsync -> rename -> fsync dir.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bridge.h"
#include "log.h"
#include "util.h"

static int
drop_open(const struct bridge_conf *c, const char *dest, void **ctx)
{
	const char *dir = dest_lookup(dest)->dir(c);

	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		log_warn("%s: cannot create %s", dest, dir);
		return -errno;
	}
	return (*ctx = strdup(dir)) ? 0 : -ENOMEM;
}

static enum send_result
drop_send(void *ctx, struct outmsg *m, char *err, size_t errlen)
{
	int rc = file_write_durable(ctx, m->name, m->payload, m->len);

	if (rc == 0)
		return SEND_OK;
	snprintf(err, errlen, "%s/%s: %s", (const char *)ctx, m->name,
	    strerror(-rc));
	return SEND_RETRY;	/* a full or read-only disk gets better */
}

static void
drop_close(void *ctx)
{
	free(ctx);
}

const struct transport transport_file = {
	.name = "file",
	.open = drop_open,
	.send = drop_send,
	.close = drop_close,
};

/* Input devices behind one ops table; the core calls driver_*(), never ops. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "log.h"
#include "util.h"

static const struct driver_ops *const drivers[] = {
	&driver_sim,
	&driver_hidpos,
	&driver_serial,
	&driver_wedge,
	&driver_nfc,
};

const struct driver_ops *
driver_lookup(const char *instance)
{
	size_t n = strlen(instance), i;

	while (n > 0 && instance[n - 1] >= '0' && instance[n - 1] <= '9')
		n--;
	for (i = 0; i < nitems(drivers); i++)
		if (strlen(drivers[i]->name) == n &&
		    strncmp(drivers[i]->name, instance, n) == 0)
			return drivers[i];
	return NULL;
}

struct driver *
driver_new(const char *instance)
{
	const struct driver_ops *ops = driver_lookup(instance);
	struct driver *d;

	if (ops == NULL || strlen(instance) >= DRIVER_NAME_MAX) {
		errno = ENOENT;
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->conf = calloc(1, ops->conf_size)) == NULL) {
		free(d);
		return NULL;
	}
	d->ops = ops;
	d->counts_changed = 1;	/* the zeros replace a past run's counts */
	snprintf(d->name, sizeof(d->name), "%s", instance);
	conf_defaults(ops->conf, d->conf);
	return d;
}

int
driver_set(struct driver *d, const char *key, const char *value, char *err,
    size_t errlen)
{
	if (conf_set(d->ops->conf, d->conf, "driver", key, value, err,
	    errlen) == 0)
		return 0;
	if (strncmp(err, "unknown key", 11) == 0)
		snprintf(err, errlen, "unknown key \"%s\" in [driver.%s]", key,
		    d->name);
	return -1;
}

static void
driver_counted_scan(void *arg, const struct scan *sc)
{
	struct driver *d = arg;

	d->counts.scans++;
	d->counts.last_ms = sc->wall_ms;
	d->counts_changed = 1;
	d->up.scan(d->up.arg, sc);
}

static void
driver_up_state(void *arg, const char *instance, const char *state)
{
	struct driver *d = arg;

	if (d->up.state)
		d->up.state(d->up.arg, instance, state);
}

int
driver_open(struct driver *d, const struct driver_sink *sink)
{
	int rc;

	d->up = *sink;
	d->sink.scan = driver_counted_scan;
	d->sink.state = driver_up_state;
	d->sink.arg = d;
	if ((rc = d->ops->open(d->conf, d->name, &d->sink, &d->ctx)) != 0) {
		log_warnx("%s: cannot open: %s", d->name, strerror(-rc));
		d->ctx = NULL;
		return rc;
	}
	log_info("%s: open", d->name);
	return 0;
}

int
driver_pollfds(struct driver *d, struct pollfd *pfd, int max)
{
	d->nfds = d->ctx ? d->ops->pollfds(d->ctx, pfd, max) : 0;
	return d->nfds;
}

int
driver_timeout(struct driver *d, int64_t now)
{
	return d->ctx && d->ops->timeout ? d->ops->timeout(d->ctx, now) : -1;
}

/* Times the handler: the loop, and so every other scan's beep, waits on it. */
void
driver_handle(struct driver *d, const struct pollfd *pfd, int n, int64_t now)
{
	int64_t start = now_mono_ms(), took;

	if (d->ctx == NULL)
		return;
	d->ops->handle(d->ctx, pfd, n, now);
	took = now_mono_ms() - start;
	if (took >= DRIVER_SLOW_MS) {
		d->counts.slow++;
		d->counts_changed = 1;
		log_warnx("%s: its handler took %lld ms; scans wait meanwhile",
		    d->name, (long long)took);
	}
	if (took > d->counts.handle_max_ms) {
		d->counts.handle_max_ms = took;
		d->counts_changed = 1;
	}
}

int
driver_counts(struct driver *d, struct driver_counts *c)
{
	if (!d->counts_changed)
		return 0;
	*c = d->counts;
	d->counts_changed = 0;
	return 1;
}

void
driver_close(struct driver *d)
{
	if (d == NULL || d->ctx == NULL)
		return;
	d->ops->close(d->ctx);
	d->ctx = NULL;
	d->nfds = 0;
}

void
driver_free(struct driver *d)
{
	if (d == NULL)
		return;
	driver_close(d);
	free(d->conf);
	free(d);
}

void
driver_state(const struct driver_sink *sink, const char *instance,
    const char *fmt, ...)
{
	char st[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st, sizeof(st), fmt, ap);
	va_end(ap);
	if (sink->state)
		sink->state(sink->arg, instance, st);
}

int
driver_pollfd(int fd, struct pollfd *pfd, int max)
{
	if (fd < 0 || max < 1)
		return 0;
	pfd->fd = fd;
	pfd->events = POLLIN;
	pfd->revents = 0;
	return 1;
}

void
driver_emit(const struct driver_sink *sink, const char *instance,
    const void *data, size_t len, int64_t mono_ms)
{
	struct scan sc;

	if (len > sizeof(sc.data)) {
		log_warnx("%s: a scan of %zu bytes dropped: over %d", instance,
		    len, ITEM_RAW_MAX);
		return;
	}
	memcpy(sc.data, data, len);
	sc.len = len;
	sc.source = instance;
	sc.mono_ms = mono_ms;
	sc.wall_ms = now_wall_ms();
	sink->scan(sink->arg, &sc);
}

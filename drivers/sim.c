/*
 * The sim driver: a FIFO where each line is one scan, written with the
 * escapes of util.h (\x1d for GS). How the demo and the system tests scan.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "log.h"
#include "util.h"

#define SIM_LINE_MAX	4096	/* a longer line is dropped whole */

struct sim_conf {
	char	path[256];
};

static const struct conf_item sim_conf_items[] = {
	CONF_S("driver", "path", struct sim_conf, path, "/run/pou/sim.fifo"),
	CONF_END
};

struct sim {
	const char		*name;
	struct driver_sink	 sink;
	int			 fd;
	/* held open so writers closing is no EOF */
	int			 wfd;
	char			 line[SIM_LINE_MAX];
	size_t			 len;
	int			 skipping;	/* inside an over-long line */
	unsigned long		 lineno;
};

static int
sim_open(const void *conf, const char *name, const struct driver_sink *sink,
    void **ctx)
{
	const struct sim_conf *c = conf;
	struct stat st;
	struct sim *s;

	*ctx = NULL;
	if (mkfifo(c->path, 0620) != 0 && errno != EEXIST)
		return -errno;
	if (stat(c->path, &st) != 0 || !S_ISFIFO(st.st_mode))
		return -ENOTSUP;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	s->name = name;
	s->sink = *sink;
	s->fd = open(c->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	s->wfd = open(c->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0 || s->wfd < 0) {
		int rc = -errno;

		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return rc;
	}
	*ctx = s;
	driver_state(sink, name, "open");
	return 0;
}

static int
sim_pollfds(void *ctx, struct pollfd *pfd, int max)
{
	struct sim *s = ctx;

	return driver_pollfd(s->fd, pfd, max);
}

static void
sim_line(struct sim *s, int64_t now)
{
	unsigned char data[ITEM_RAW_MAX];
	int n;

	s->lineno++;
	if (s->len > 0 && s->line[s->len - 1] == '\r')
		s->len--;
	if (s->len == 0)
		return;
	n = unescape(s->line, s->len, data, sizeof(data));
	if (n < 0) {
		log_warnx("%s: line %lu dropped: bad escape or over %d bytes",
		    s->name, s->lineno, ITEM_RAW_MAX);
		return;
	}
	driver_emit(&s->sink, s->name, data, (size_t)n, now);
}

static void
sim_bytes(struct sim *s, const char *p, size_t n, int64_t now)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (!s->skipping)
				sim_line(s, now);
			else
				s->lineno++;
			s->len = 0;
			s->skipping = 0;
		} else if (s->skipping)
			continue;
		else if (s->len == sizeof(s->line)) {
			log_warnx("%s: line %lu dropped: longer than %d bytes",
			    s->name, s->lineno + 1, SIM_LINE_MAX);
			s->skipping = 1;
		} else
			s->line[s->len++] = p[i];
	}
}

static void
sim_handle(void *ctx, const struct pollfd *pfd, int n, int64_t now)
{
	struct sim *s = ctx;
	char b[4096];
	ssize_t r;

	if (n < 1 || !(pfd->revents & (POLLIN | POLLHUP)))
		return;
	while ((r = read(s->fd, b, sizeof(b))) > 0)
		sim_bytes(s, b, (size_t)r, now);
	if (r < 0 && errno != EAGAIN && errno != EINTR)
		log_warn("%s: read", s->name);
}

static void
sim_close(void *ctx)
{
	struct sim *s = ctx;

	close(s->fd);
	close(s->wfd);
	free(s);
}

const struct driver_ops driver_sim = {
	.name = "sim",
	.conf = sim_conf_items,
	.conf_size = sizeof(struct sim_conf),
	.open = sim_open,
	.pollfds = sim_pollfds,
	.handle = sim_handle,
	.close = sim_close,
};

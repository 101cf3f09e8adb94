/*
 * The serial driver: scanners on a serial line or USB CDC-ACM (/dev/ttyACM*,
 * /dev/serial/by-id/...). Raw 8N1 at the configured speed; a scan ends with
 * the configured suffix (CR by default), or after gap_ms of silence when
 * the scanner sends none. AIM ids and GS pass through unchanged. A device
 * that hangs up (EIO, EOF) is reopened with backoff.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "driver.h"
#include "log.h"
#include "util.h"

#define REOPEN_MIN_MS	500
#define REOPEN_MAX_MS	30000
/* data with no suffix for this long: report it */
#define NOSUFFIX_MS	1000

struct serial_conf {
	char		path[256];
	long long	baud;
	char		suffix[16];	/* in the sim escapes: \r, \r\n, \x03 */
	long long	gap_ms;		/* 0: frame by suffix only */
};

static const struct conf_item serial_conf_items[] = {
	CONF_S("driver", "path", struct serial_conf, path, "/dev/ttyACM0"),
	CONF_I("driver", "baud", struct serial_conf, baud, "9600", 1200,
	    921600),
	CONF_S("driver", "suffix", struct serial_conf, suffix, "\\r"),
	CONF_I("driver", "gap_ms", struct serial_conf, gap_ms, "0", 0, 10000),
	CONF_END
};

struct serial {
	const char		*name;
	struct driver_sink	 sink;
	struct serial_conf	 c;
	unsigned char		 suffix[8];
	size_t			 suffixlen;
	int			 fd;
	unsigned		 attempts;
	int64_t			 next_open_ms;
	int			 said_missing;
	unsigned char		 buf[ITEM_RAW_MAX];
	size_t			 len;
	/* skipping to the next suffix */
	int			 overlong;
	int64_t			 last_byte_ms;
};

static const struct { long long baud; speed_t sp; } speeds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
	{ 921600, B921600 },
};

static int
serial_speed(long long baud, speed_t *sp)
{
	size_t i;

	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (speeds[i].baud == baud)
			return *sp = speeds[i].sp, 0;
	return -1;
}

static int
serial_tty(struct serial *s)
{
	struct termios t;
	speed_t sp = B9600;

	if (tcgetattr(s->fd, &t) != 0)
		return -errno;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	serial_speed(s->c.baud, &sp);
	cfsetispeed(&t, sp);
	cfsetospeed(&t, sp);
	return tcsetattr(s->fd, TCSANOW, &t) == 0 ? 0 : -errno;
}

static void
serial_try_open(struct serial *s, int64_t now)
{
	int64_t wait;

	s->fd = open(s->c.path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd >= 0 && serial_tty(s) == 0) {
		log_info("%s: %s open at %lld baud", s->name, s->c.path,
		    s->c.baud);
		driver_state(&s->sink, s->name, "open");
		s->attempts = 0;
		s->said_missing = 0;
		s->len = 0;
		s->overlong = 0;
		return;
	}
	if (!s->said_missing++) {
		log_warn("%s: cannot open %s; trying again with backoff",
		    s->name, s->c.path);
		driver_state(&s->sink, s->name, "missing");
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	wait = backoff_ms(s->attempts++, REOPEN_MIN_MS, REOPEN_MAX_MS);
	s->next_open_ms = now + (wait < REOPEN_MIN_MS ? REOPEN_MIN_MS : wait);
}

static int
serial_open(const void *conf, const char *name, const struct driver_sink *sink,
    void **ctx)
{
	const struct serial_conf *c = conf;
	struct serial *s;
	speed_t sp;
	int n;

	*ctx = NULL;
	if (serial_speed(c->baud, &sp) != 0)
		return -EINVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	n = unescape(c->suffix, strlen(c->suffix), s->suffix,
	    sizeof(s->suffix));
	if (n < 0 || (n == 0 && c->gap_ms == 0)) {
		free(s);
		return -EINVAL;	/* no way to tell where a scan ends */
	}
	s->suffixlen = (size_t)n;
	s->name = name;
	s->sink = *sink;
	s->c = *c;
	s->fd = -1;
	*ctx = s;
	return 0;
}

static void
serial_emit(struct serial *s, size_t len, int64_t now)
{
	driver_emit(&s->sink, s->name, s->buf, len, now);
}

static void
serial_byte(struct serial *s, unsigned char b, int64_t now)
{
	if (s->overlong) {
		/* Only the suffix's last byte can end the skipped line. */
		if (s->suffixlen && b == s->suffix[s->suffixlen - 1])
			s->overlong = 0;
		return;
	}
	if (s->len == sizeof(s->buf)) {
		log_warnx("%s: a scan longer than %d bytes; dropped to its "
		    "suffix", s->name, ITEM_RAW_MAX);
		s->len = 0;
		s->overlong = 1;
		return;
	}
	s->buf[s->len++] = b;
	if (s->suffixlen && s->len >= s->suffixlen &&
	    memcmp(s->buf + s->len - s->suffixlen, s->suffix,
	    s->suffixlen) == 0) {
		if (s->len > s->suffixlen)
			serial_emit(s, s->len - s->suffixlen, now);
		s->len = 0;
	}
}

static void
serial_hangup(struct serial *s, int64_t now, const char *why)
{
	log_warnx("%s: %s %s; reopening", s->name, s->c.path, why);
	driver_state(&s->sink, s->name, "hung up");
	close(s->fd);
	s->fd = -1;
	s->attempts = 0;
	s->said_missing = 1;	/* the next failure says nothing new */
	s->next_open_ms = now + REOPEN_MIN_MS;
}

static void
serial_handle(void *ctx, const struct pollfd *pfd, int n, int64_t now)
{
	struct serial *s = ctx;
	unsigned char b[512];
	ssize_t r;
	ssize_t i;

	if (s->fd < 0) {
		if (now >= s->next_open_ms)
			serial_try_open(s, now);
		return;
	}
	if (n > 0 && (pfd->revents & (POLLIN | POLLHUP | POLLERR))) {
		while ((r = read(s->fd, b, sizeof(b))) > 0) {
			for (i = 0; i < r; i++)
				serial_byte(s, b[i], now);
			s->last_byte_ms = now;
		}
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			serial_hangup(s, now,
			    r == 0 ? "hung up" : strerror(errno));
			return;
		}
	}
	if (s->len == 0)
		return;
	if (s->c.gap_ms > 0 && now - s->last_byte_ms >= s->c.gap_ms) {
		serial_emit(s, s->len, now);
		s->len = 0;
	} else if (s->c.gap_ms == 0 && now - s->last_byte_ms >= NOSUFFIX_MS) {
		log_warnx("%s: %zu bytes without the configured suffix "
		    "dropped: check the scanner's suffix setting", s->name,
		    s->len);
		s->len = 0;
	}
}

static int
serial_pollfds(void *ctx, struct pollfd *pfd, int max)
{
	struct serial *s = ctx;

	return driver_pollfd(s->fd, pfd, max);
}

static int
serial_timeout(void *ctx, int64_t now)
{
	struct serial *s = ctx;
	int64_t t;

	if (s->fd < 0)
		t = s->next_open_ms - now;
	else if (s->len > 0)
		t = s->last_byte_ms +
		    (s->c.gap_ms ? s->c.gap_ms : NOSUFFIX_MS) - now;
	else
		return -1;
	return t < 0 ? 0 : (int)t;
}

static void
serial_close(void *ctx)
{
	struct serial *s = ctx;

	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

const struct driver_ops driver_serial = {
	.name = "serial",
	.conf = serial_conf_items,
	.conf_size = sizeof(struct serial_conf),
	.open = serial_open,
	.pollfds = serial_pollfds,
	.timeout = serial_timeout,
	.handle = serial_handle,
	.close = serial_close,
};

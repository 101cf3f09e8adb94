/*
 * Watchdogs, fed from the main loop only while it is healthy: the hardware
 * one (/dev/watchdog: any write feeds it, "V" before close disarms it on a
 * clean stop) and systemd's (WATCHDOG_USEC: "WATCHDOG=1" datagrams to
 * NOTIFY_SOCKET, after "READY=1" once started). A loop that stops turning,
 * or a store that fails with I/O errors, is not fed: the board reboots, or
 * systemd restarts the agent, and the store is checked at start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "log.h"
#include "util.h"

static void
notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (n = strlen(path)) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';		/* an abstract socket */
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
		log_warn("watchdog: %s", path);
	close(fd);
}

void
watchdog_start(struct agent *a)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	long long us;

	a->wd.fd = -1;
	if (a->conf.watchdog[0] != '\0' && (a->wd.fd = open(a->conf.watchdog,
	    O_WRONLY | O_CLOEXEC)) < 0)
		log_warn("watchdog: %s", a->conf.watchdog);
	a->wd.systemd_ms = 0;
	if (usec && parse_int(usec, 1, INT64_MAX, &us) == 0 &&
	    (pid == NULL || atoll(pid) == (long long)getpid()))
		a->wd.systemd_ms = us / 2000;	/* twice per period */
	notify("READY=1");
	log_info("watchdog: %s%s%s", a->wd.fd >= 0 ? a->conf.watchdog : "",
	    a->wd.fd >= 0 && a->wd.systemd_ms ? " and " : "",
	    a->wd.systemd_ms ? "systemd" : a->wd.fd < 0 ? "none" : "");
}

static int
watchdog_period(const struct agent *a)
{
	int64_t p = a->wd.fd >= 0 ? a->conf.watchdog_kick_s * 1000 : INT64_MAX;

	if (a->wd.systemd_ms > 0 && a->wd.systemd_ms < p)
		p = a->wd.systemd_ms;
	return p == INT64_MAX ? -1 : (int)p;
}

int
watchdog_timeout(const struct agent *a, int64_t now)
{
	if (watchdog_period(a) < 0)
		return -1;
	return a->wd.next_ms <= now ? 0 : (int)(a->wd.next_ms - now);
}

void
watchdog_tick(struct agent *a, int64_t now)
{
	int p = watchdog_period(a);

	if (p < 0 || now < a->wd.next_ms)
		return;
	a->wd.next_ms = now + p;
	if (a->health.broken) {
		if (!a->wd.starving)
			log_warnx("watchdog: the store fails; no longer fed");
		a->wd.starving = 1;
		return;
	}
	if (a->wd.fd >= 0 && write(a->wd.fd, "1", 1) != 1)
		log_warn("watchdog: %s", a->conf.watchdog);
	if (a->wd.systemd_ms > 0)
		notify("WATCHDOG=1");
}

void
watchdog_stop(struct agent *a)
{
	notify("STOPPING=1");
	if (a->wd.fd < 0)
		return;
	if (write(a->wd.fd, "V", 1) != 1)	/* the magic close */
		log_warn("watchdog: %s", a->conf.watchdog);
	close(a->wd.fd);
	a->wd.fd = -1;
}

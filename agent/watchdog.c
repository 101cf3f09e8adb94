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
#include <unistd.h>

#include "agent.h"
#include "daemon.h"
#include "log.h"
#include "util.h"

void
watchdog_start(struct agent *a)
{
	a->wd.fd = -1;
	if (a->conf.watchdog[0] != '\0' && (a->wd.fd = open(a->conf.watchdog,
	    O_WRONLY | O_CLOEXEC)) < 0)
		log_warn("watchdog: %s", a->conf.watchdog);
	a->wd.systemd_ms = daemon_watchdog_ms();
	daemon_notify("READY=1");
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
		daemon_notify("WATCHDOG=1");
}

void
watchdog_stop(struct agent *a)
{
	daemon_notify("STOPPING=1");
	if (a->wd.fd < 0)
		return;
	if (write(a->wd.fd, "V", 1) != 1)	/* the magic close */
		log_warn("watchdog: %s", a->conf.watchdog);
	close(a->wd.fd);
	a->wd.fd = -1;
}

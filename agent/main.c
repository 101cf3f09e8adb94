/* pou-agent: point-of-use capture on the cart or cabinet; one poll() loop. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>

#include "agent.h"
#include "daemon.h"
#include "log.h"
#include "refdata.h"
#include "salvage.h"
#include "store.h"
#include "util.h"

#define AGENT_CONF_DEFAULT	"/etc/pou/agent.conf"
/* The poll set: the uplink's socket, then each driver's fds in turn. */
enum {
	SLOT_UPLINK,
	SLOT_DRIVERS,
	POLL_SLOTS = SLOT_DRIVERS + AGENT_DRIVERS_MAX * DRIVER_FDS_MAX
};

static void
agent_driver_state(void *arg, const char *instance, const char *state)
{
	struct agent *a = arg;

	store_set_driver(a->store, instance, state, now_wall_ms());
	if (a->uplink)
		uplink_telemetry_soon(a->uplink);
}

static void
agent_open_drivers(struct agent *a)
{
	struct driver_sink sink = { session_scan, agent_driver_state, a };
	int i;

	for (i = 0; i < a->conf.ndrivers; i++)
		if (driver_open(a->conf.drivers[i], &sink) != 0)
			agent_driver_state(a, a->conf.drivers[i]->name,
			    "not started: see the log");
}

/* What the front end counted, for telemetry and pouctl status. */
static void
agent_driver_counts(struct agent *a)
{
	struct driver_counts c;
	struct store_driver sd;
	int i;

	for (i = 0; i < a->conf.ndrivers; i++) {
		if (!driver_counts(a->conf.drivers[i], &c))
			continue;
		memset(&sd, 0, sizeof(sd));
		snprintf(sd.name, sizeof(sd.name), "%s",
		    a->conf.drivers[i]->name);
		sd.scans = c.scans;
		sd.last_ms = c.last_ms;
		sd.handle_max_ms = c.handle_max_ms;
		sd.slow = c.slow;
		store_set_driver_counts(a->store, &sd);
	}
}

static void
agent_close_drivers(struct agent *a)
{
	int i;

	for (i = 0; i < a->conf.ndrivers; i++)
		driver_close(a->conf.drivers[i]);
}

/* A new board, or the old one kept when the new one fails. */
static void
agent_board(struct agent *a)
{
	struct board *b = board_open(a->conf.board, a->conf.board_desc);

	if (b == NULL) {
		log_warnx("reload: board %s has errors; keeping the running "
		    "one", a->conf.board_desc);
		return;
	}
	board_close(a->board);
	a->board = b;
}

/* A new uplink for new [mqtt] settings, or the running one kept (with its
 * settings in nc) when the new one cannot start. */
static void
agent_uplink(struct agent *a, struct uplink_conf *nc)
{
	struct uplink *u;

	if (memcmp(nc, &a->conf.mqtt, sizeof(*nc)) == 0)
		return;
	if ((u = uplink_new(nc, a->store)) == NULL) {
		log_warnx("reload: cannot start the uplink with the new [mqtt] "
		    "settings; keeping the running one");
		*nc = a->conf.mqtt;
		return;
	}
	uplink_free(a->uplink);
	a->uplink = u;
}

static void
agent_reload(struct agent *a)
{
	struct agent_conf nc;

	if (agent_conf_load(a->conf_path, &nc) != 0) {
		log_warnx("reload: %s has errors; keeping the running "
		    "configuration", a->conf_path);
		agent_conf_free(&nc);
		return;
	}
	fleet_config_apply(a, &nc);
	if (strcmp(nc.store_path, a->conf.store_path) != 0 ||
	    nc.sync_full != a->conf.sync_full ||
	    strcmp(nc.site, a->conf.site) != 0 ||
	    strcmp(nc.device, a->conf.device) != 0)
		log_warnx("reload: [device] site/id and [store] changes need a "
		    "restart; keeping the running ones");
	memcpy(nc.store_path, a->conf.store_path, sizeof(nc.store_path));
	nc.sync_full = a->conf.sync_full;
	memcpy(nc.site, a->conf.site, sizeof(nc.site));
	memcpy(nc.device, a->conf.device, sizeof(nc.device));
	memcpy(nc.mqtt.site, a->conf.mqtt.site, sizeof(nc.mqtt.site));
	memcpy(nc.mqtt.device, a->conf.mqtt.device, sizeof(nc.mqtt.device));
	agent_uplink(a, &nc.mqtt);
	agent_close_drivers(a);
	agent_conf_free(&a->conf);
	a->conf = nc;
	agent_board(a);
	store_set_quota(a->store, a->conf.quota_mb * 1024 * 1024);
	refdata_load(a->store, a->conf.catalog, a->conf.recalls);
	schedule_load(a);
	agent_open_drivers(a);
	fleet_start(a);		/* new keys, and the uplink may be new */
	cert_check(a);
	log_info("reload: configuration reloaded from %s", a->conf_path);
}

static int
min_timeout(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static void
agent_loop(struct agent *a)
{
	struct pollfd pfd[POLL_SLOTS];
	int n, i, t, first[AGENT_DRIVERS_MAX];
	int64_t now;

	while (!daemon_quit) {
		if (daemon_reload) {
			daemon_reload = 0;
			agent_reload(a);
		}
		now = now_mono_ms();
		uplink_pollfd(a->uplink, &pfd[SLOT_UPLINK]);
		t = min_timeout(min_timeout(uplink_timeout(a->uplink, now),
		    session_timeout(a, now)), housekeeping_timeout(a, now));
		t = min_timeout(t, board_timeout(a->board, now));
		t = min_timeout(t, watchdog_timeout(a, now));
		t = min_timeout(t, fleet_timeout(a, now));
		for (n = SLOT_DRIVERS, i = 0; i < a->conf.ndrivers; i++) {
			first[i] = n;
			n += driver_pollfds(a->conf.drivers[i], &pfd[n],
			    POLL_SLOTS - n);
			t = min_timeout(t, driver_timeout(a->conf.drivers[i],
			    now));
		}
		if (poll(pfd, (nfds_t)n, t) < 0 && errno != EINTR)
			fatal("poll");
		now = now_mono_ms();
		uplink_handle(a->uplink, pfd[SLOT_UPLINK].fd >= 0 ?
		    pfd[SLOT_UPLINK].revents : 0, now);
		for (i = 0; i < a->conf.ndrivers; i++)
			driver_handle(a->conf.drivers[i], &pfd[first[i]],
			    a->conf.drivers[i]->nfds, now);
		agent_driver_counts(a);
		session_tick(a, now);
		fleet_tick(a, now);
		schedule_tick(a);
		cert_tick(a, now);
		housekeeping_tick(a, now);
		board_state(a->board, BOARD_OFFLINE, !uplink_online(a->uplink));
		board_state(a->board, BOARD_BUSY, a->sess.has_pending ||
		    a->sess.has_stopped);
		board_tick(a->board, now_mono_ms());
		watchdog_tick(a, now_mono_ms());
	}
}

/* The [mqtt] keys a fleet command set cannot make an uplink (a CA file
 * gone): the file's, so that the cart can still be reached and told. */
static void
agent_uplink_of_file(struct agent *a)
{
	struct agent_conf fc;

	if (agent_conf_load(a->conf_path, &fc) == 0) {
		memcpy(fc.mqtt.site, a->conf.mqtt.site, sizeof(fc.mqtt.site));
		memcpy(fc.mqtt.device, a->conf.mqtt.device,
		    sizeof(fc.mqtt.device));
		log_warnx("cannot start the uplink with the [mqtt] keys set by "
		    "the fleet; starting it with the file's");
		a->conf.mqtt = fc.mqtt;
		a->uplink = uplink_new(&a->conf.mqtt, a->store);
	}
	agent_conf_free(&fc);
	if (a->uplink == NULL)
		fatalx("cannot start the uplink");
}

static void
agent_start(struct agent *a)
{
	int rc;

	/* A cart that cannot light its LEDs still records: log lines then. */
	if ((a->board = board_open(a->conf.board,
	    a->conf.board_desc)) == NULL) {
		log_warnx("board: %s has errors; feedback goes to the log only",
		    a->conf.board_desc);
		a->board = board_open("console", "");
	}
	boot_id(a->boot);
	if ((rc = salvage_open(a->conf.store_path, a->conf.sync_full,
	    &a->store)) != 0)
		fatalx("cannot open the store %s (%s)", a->conf.store_path,
		    strerror(-rc));
	fleet_config_apply(a, &a->conf);	/* before anything reads it */
	if (store_set_quota(a->store, a->conf.quota_mb * 1024 * 1024) != 0)
		fatalx("cannot set the store's quota");
	refdata_load(a->store, a->conf.catalog, a->conf.recalls);
	schedule_load(a);
	mosquitto_lib_init();
	if ((a->uplink = uplink_new(&a->conf.mqtt, a->store)) == NULL)
		agent_uplink_of_file(a);
	agent_open_drivers(a);
	fleet_start(a);
	a->cert.days = INT_MIN;	/* the first look clears or raises */
	cert_check(a);
	watchdog_start(a);
	log_info("started: device %s/%s, epoch %s, store %s", a->conf.site,
	    a->conf.device, store_epoch(a->store), a->conf.store_path);
}

static void
agent_stop(struct agent *a)
{
	watchdog_stop(a);
	agent_close_drivers(a);
	fleet_stop(a);
	uplink_free(a->uplink);
	mosquitto_lib_cleanup();
	store_close(a->store);
	board_close(a->board);
	agent_conf_free(&a->conf);
	log_info("stopped: %lu recorded, %lu refused, %lu stopped and not "
	    "used, %lu store errors", a->tally.recorded, a->tally.refused,
	    a->tally.abandoned, a->tally.store_errors);
}

/* -n: the reference files the configuration names can be read. */
static int
agent_check_files(const struct agent_conf *c, const char *conf_path)
{
	const char *const files[] = { c->catalog, c->recalls, c->schedule };
	const char *const what[] = { "catalog", "recalls", "schedule" };
	int errors = 0;
	size_t i;

	for (i = 0; i < nitems(files); i++)
		if (files[i][0] != '\0' && access(files[i], R_OK) != 0) {
			log_warn("%s: [reference] %s = %s", conf_path, what[i],
			    files[i]);
			errors++;
		}
	return errors;
}

int
main(int argc, char *argv[])
{
	struct daemon_opts o = { "pou-agent", AGENT_CONF_DEFAULT,
		"the configuration", "the configuration", 0, 0 };
	struct agent a;
	int rc;

	if ((rc = daemon_args(argc, argv, &o)) >= 0)
		return rc;
	memset(&a, 0, sizeof(a));
	a.conf_path = o.conf_path;
	log_init("pou-agent", o.verbose);
	if (o.check)
		log_plain();	/* -n: a person reads it */
	if (agent_conf_load(a.conf_path, &a.conf) != 0)
		fatalx("%s: configuration has errors", a.conf_path);
	if (o.check) {
		if ((a.board = board_open(a.conf.board, a.conf.board_desc)) ==
		    NULL) {
			agent_conf_free(&a.conf);
			fatalx("%s: the board %s has errors", a.conf_path,
			    a.conf.board_desc);
		}
		board_close(a.board);
		if (agent_check_files(&a.conf, a.conf_path) +
		    fleet_load_keys(&a) != 0) {
			fleet_stop(&a);
			agent_conf_free(&a.conf);
			fatalx("%s: reference or fleet key files have "
			    "errors", a.conf_path);
		}
		fleet_stop(&a);
		printf("%s: configuration OK\n", a.conf_path);
		agent_conf_free(&a.conf);
		return 0;
	}
	daemon_signals();
	agent_start(&a);
	agent_loop(&a);
	agent_stop(&a);
	return 0;
}

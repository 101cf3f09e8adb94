/* pou-agent's configuration: one table over libinih, plus [driver.<name>N]. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "conf.h"
#include "log.h"
#include "util.h"
#include "wire.h"

#define AC struct agent_conf

static const struct conf_item agent_items[] = {
	CONF_S("device", "site", AC, site, ""),
	CONF_S("device", "id", AC, device, ""),
	CONF_S("device", "room", AC, room, ""),
	CONF_S("device", "unit", AC, unit, ""),
	CONF_S("store", "path", AC, store_path, "/var/lib/pou/agent.db"),
	CONF_B("store", "synchronous_full", AC, sync_full, "yes"),
	CONF_I("store", "quota_mb", AC, quota_mb, "0", 0, 1000000),
	CONF_I("store", "retention_days", AC, retention_days, "30", 1, 3650),
	CONF_S("mqtt", "host", AC, mqtt.host, "localhost"),
	CONF_I("mqtt", "port", AC, mqtt.port, "1883", 1, 65535),
	CONF_I("mqtt", "keepalive", AC, mqtt.keepalive_s, "30", 5, 3600),
	CONF_I("mqtt", "batch_max", AC, mqtt.batch_max, "100", 1, 1000),
	CONF_I("mqtt", "window", AC, mqtt.window, "1000", 1, 100000),
	CONF_I("mqtt", "ack_timeout_ms", AC, mqtt.ack_timeout_ms, "10000", 100,
	    3600000),
	CONF_I("mqtt", "backoff_min_ms", AC, mqtt.backoff_min_ms, "500", 10,
	    600000),
	CONF_I("mqtt", "backoff_max_ms", AC, mqtt.backoff_max_ms, "60000", 10,
	    3600000),
	CONF_I("mqtt", "telemetry_s", AC, mqtt.telemetry_s, "60", 5, 3600),
	CONF_S("mqtt", "cafile", AC, mqtt.cafile, ""),
	CONF_S("mqtt", "certfile", AC, mqtt.certfile, ""),
	CONF_S("mqtt", "keyfile", AC, mqtt.keyfile, ""),
	CONF_S("session", "case_prefix", AC, case_prefix, "CASE:"),
	CONF_S("session", "mrn_prefix", AC, mrn_prefix, "MRN:"),
	CONF_S("session", "encounter_prefix", AC, enc_prefix, "ENC:"),
	CONF_S("session", "user_prefix", AC, user_prefix, "USER:"),
	CONF_I("session", "context_timeout_s", AC, context_timeout_s, "7200", 2,
	    86400),
	CONF_I("session", "override_window_s", AC, override_window_s, "30", 2,
	    600),
	CONF_I("session", "undo_window_s", AC, undo_window_s, "300", 5, 86400),
	CONF_S("reference", "catalog", AC, catalog, ""),
	CONF_S("reference", "recalls", AC, recalls, ""),
	CONF_S("reference", "schedule", AC, schedule, ""),
	CONF_I("session", "assembly_window_ms", AC, assembly_window_ms, "3000",
	    0, 60000),
	CONF_S("board", "backend", AC, board, "console"),
	CONF_S("board", "description", AC, board_desc, ""),
	CONF_S("watchdog", "device", AC, watchdog, ""),
	CONF_S("device", "state_file", AC, state_file, "/run/pou/agent.state"),
	CONF_I("watchdog", "kick_s", AC, watchdog_kick_s, "5", 1, 60),
	CONF_S("fleet", "keys", AC, fleet_keys, ""),
	CONF_I("fleet", "trial_s", AC, fleet_trial_s, "60", 5, 3600),
	CONF_END
};

static struct driver *
agent_driver(struct agent_conf *c, const char *inst, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < c->ndrivers; i++)
		if (strcmp(c->drivers[i]->name, inst) == 0)
			return c->drivers[i];
	if (c->ndrivers == AGENT_DRIVERS_MAX) {
		snprintf(err, errlen, "more than %d drivers",
		    AGENT_DRIVERS_MAX);
		return NULL;
	}
	if ((c->drivers[c->ndrivers] = driver_new(inst)) == NULL) {
		snprintf(err, errlen, "no driver for [driver.%s] "
		    "(known: sim, hidpos, serial, wedge, nfc)", inst);
		return NULL;
	}
	return c->drivers[c->ndrivers++];
}

static int
agent_conf_extra(void *arg, const char *section, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct driver *d;

	if (strncmp(section, "driver.", 7) != 0) {
		snprintf(err, errlen, "unknown section [%s]", section);
		return -1;
	}
	if ((d = agent_driver(arg, section + 7, err, errlen)) == NULL)
		return -1;
	return driver_set(d, key, value, err, errlen);
}

static int
agent_conf_check(const char *path, struct agent_conf *c)
{
	int errors = 0;

	if (!wire_id_valid(c->site) || !wire_device_valid(c->device)) {
		log_warnx("%s: [device] site and id are required: letters, "
		    "digits, - _ . only (and the id is not \"all\")", path);
		errors++;
	}
	if (c->mqtt.backoff_max_ms < c->mqtt.backoff_min_ms) {
		log_warnx("%s: [mqtt] backoff_max_ms is below backoff_min_ms",
		    path);
		errors++;
	}
	if (!board_backend_valid(c->board) || (strcmp(c->board,
	    "hardware") == 0 && c->board_desc[0] == '\0')) {
		log_warnx("%s: [board] backend \"%s\" is not console, null, or "
		    "hardware with a description file", path, c->board);
		errors++;
	}
	if (c->ndrivers == 0)
		log_warnx("%s: no [driver.*] section: nothing will scan", path);
	c->mqtt.quota_bytes = c->quota_mb * 1024 * 1024;
	snprintf(c->mqtt.site, sizeof(c->mqtt.site), "%s", c->site);
	snprintf(c->mqtt.device, sizeof(c->mqtt.device), "%s", c->device);
	return errors;
}

int
agent_conf_load(const char *path, struct agent_conf *c)
{
	int errors;

	memset(c, 0, sizeof(*c));
	errors = conf_load(path, agent_items, c, agent_conf_extra, c);
	return errors + agent_conf_check(path, c);
}

/* The keys a fleet command may set: what a reload applies, and never the
 * cart's identity, its store or the keys that command it. */
static const char *const settable[] = { "mqtt.", "session.",
	"store.quota_mb", "store.retention_days", "device.room",
	"device.unit", "watchdog.kick_s" };

int
agent_conf_set(struct agent_conf *c, const char *section, const char *key,
    const char *value, char *err, size_t errlen)
{
	char name[96];
	size_t i;

	snprintf(name, sizeof(name), "%s.%s", section, key);
	for (i = 0; i < nitems(settable); i++)
		if (strncmp(name, settable[i], strlen(settable[i])) == 0 &&
		    (settable[i][strlen(settable[i]) - 1] == '.' ||
		    strcmp(name, settable[i]) == 0))
			break;
	if (i == nitems(settable)) {
		snprintf(err, errlen, "[%s] %s is not set by a command",
		    section, key);
		return -1;
	}
	if (conf_set(agent_items, c, section, key, value, err, errlen) != 0)
		return -1;
	if (c->mqtt.backoff_max_ms < c->mqtt.backoff_min_ms) {
		snprintf(err, errlen, "[mqtt] backoff_max_ms is below "
		    "backoff_min_ms");
		return -1;
	}
	c->mqtt.quota_bytes = c->quota_mb * 1024 * 1024;
	return 0;
}

void
agent_conf_free(struct agent_conf *c)
{
	int i;

	for (i = 0; i < c->ndrivers; i++)
		driver_free(c->drivers[i]);
	c->ndrivers = 0;
}

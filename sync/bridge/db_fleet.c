/*
 * The fleet in the bridge's database: each cart's registry row (its status
 * and last telemetry), the commands IT sent with who sent them, and each
 * cart's results, kept once per command, cart and state. Rows come back as
 * text to a callback, as db_ops.c's do.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "db.h"
#include "db_int.h"

int
db_device_status(struct db *d, const char *device, const char *site,
    const char *state, const char *epoch, const char *version, int64_t now)
{
	return db_change(d, "INSERT INTO device_status (device, site, state, "
	    "since_ms, epoch, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON "
	    "CONFLICT (device) DO UPDATE SET site = ?2, epoch = CASE WHEN ?5 = "
	    "'' THEN epoch ELSE ?5 END, version = CASE WHEN ?6 = '' THEN "
	    "version ELSE ?6 END, since_ms = CASE WHEN state = ?3 THEN "
	    "since_ms ELSE ?4 END, state = ?3", "tttitt", device, site, state,
	    now, epoch, version) < 0 ? -EIO : 0;
}

int
db_device_telemetry(struct db *d, const char *device, const char *site,
    const char *json, int64_t now)
{
	return db_change(d, "INSERT INTO device_status (device, site, state, "
	    "since_ms, telemetry, telemetry_ms) VALUES (?1, ?2, 'online', ?4, "
	    "?3, ?4) ON CONFLICT (device) DO UPDATE SET telemetry = ?3, "
	    "telemetry_ms = ?4", "ttti", device, site, json, now) < 0 ? -EIO :
	    0;
}

int
db_device_alarms(struct db *d, const char *device, const char *site,
    const char *json, int64_t now)
{
	/* Its status says online or not: a row made here waits for it. */
	return db_change(d, "INSERT INTO device_status (device, site, state, "
	    "since_ms, alarms) VALUES (?1, ?2, 'unknown', ?4, ?3) ON CONFLICT "
	    "(device) DO UPDATE SET alarms = ?3", "ttti", device, site, json,
	    now) < 0 ? -EIO : 0;
}

int
db_rows_sites(struct db *d, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT site FROM device_status UNION SELECT site "
	    "FROM enrolment WHERE state = 'enrolled' ORDER BY site", fn, arg,
	    "");
}

int
db_devices_registry(struct db *d, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT s.device, s.site, s.state, s.since_ms, "
	    "s.version, s.epoch, s.telemetry, s.telemetry_ms, "
	    "coalesce(e.state, ''), s.alarms FROM device_status s LEFT JOIN "
	    "enrolment e "
	    "USING (device) ORDER BY s.site, s.device", fn, arg, "");
}

int
db_fleet_add(struct db *d, const char *id, const char *op, const char *aud,
    int64_t exp, const char *jws, const char *by, int64_t now)
{
	int n = db_change(d, "INSERT INTO fleet_commands (id, op, aud, exp, "
	    "jws, by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON "
	    "CONFLICT (id) DO NOTHING", "tttitti", id, op, aud, exp, jws, by,
	    now);

	return n < 0 ? -EIO : n == 0 ? -EEXIST : 0;
}

int
db_fleet_unsent(struct db *d, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT id, aud, jws FROM fleet_commands WHERE "
	    "sent_ms IS NULL ORDER BY created_ms, id", fn, arg, "");
}

int
db_fleet_sent(struct db *d, const char *id, int64_t now)
{
	return db_change(d, "UPDATE fleet_commands SET sent_ms = ?2 WHERE id = "
	    "?1", "ti", id, now) < 0 ? -EIO : 0;
}

int
db_fleet_pending(struct db *d, const char *device, int64_t now_s,
    db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT c.id, c.aud, c.jws FROM fleet_commands c "
	    "WHERE c.exp > ?2 AND NOT EXISTS (SELECT 1 FROM fleet_results r "
	    "WHERE r.id = c.id AND r.device = ?1 AND r.state IN ('successful', "
	    "'failed')) ORDER BY c.created_ms, c.id", fn, arg, "ti", device,
	    now_s);
}

int
db_fleet_result(struct db *d, const char *device, const char *id,
    const char *state, const char *error, const char *detail,
    const char *data, int64_t at_ms, int64_t now)
{
	return db_change(d, "INSERT INTO fleet_results VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING", "ttttttii", id, device,
	    state, error, detail, data, at_ms, now) < 0 ? -EIO : 0;
}

int
db_fleet_command(struct db *d, const char *id, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT id, op, aud, exp, by, created_ms, "
	    "coalesce(sent_ms, '') FROM fleet_commands WHERE id = ?1", fn, arg,
	    "t", id);
}

int
db_fleet_commands(struct db *d, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT id, op, aud, exp, by, created_ms, "
	    "coalesce(sent_ms, '') FROM fleet_commands ORDER BY created_ms "
	    "DESC, id", fn, arg, "");
}

/* The data of kind's installs that carts reported, newest first. */
int
db_fleet_installed(struct db *d, const char *kind, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT r.data FROM fleet_results r JOIN "
	    "fleet_commands c USING (id) WHERE c.op = ?1 AND r.state = "
	    "'successful' AND r.data LIKE '{\"' || ?1 || '\":%' ORDER BY "
	    "r.at_ms DESC", fn, arg, "t", kind);
}

/* A command's results on one cart, furthest state first: a terminal one,
 * then executing, then received. */
#define LATEST(where, partition) \
	"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY " \
	partition " ORDER BY CASE state WHEN 'received' THEN 0 WHEN " \
	"'executing' THEN 1 ELSE 2 END DESC, at_ms DESC) AS rn FROM " \
	"fleet_results WHERE " where ") WHERE rn = 1"

/* Each cart's latest state for id. */
int
db_fleet_results(struct db *d, const char *id, db_row_fn fn, void *arg)
{
	return db_rows(d, "SELECT device, state, error, detail, data, at_ms "
	    "FROM (" LATEST("id = ?1", "device") ") ORDER BY device", fn, arg,
	    "t", id);
}

/* What a cart did with each command, newest first. */
int
db_fleet_device_results(struct db *d, const char *device, db_row_fn fn,
    void *arg)
{
	return db_rows(d, "SELECT id, state, error, detail, at_ms FROM ("
	    LATEST("device = ?1", "id") ") ORDER BY at_ms DESC LIMIT 20", fn,
	    arg, "t", device);
}

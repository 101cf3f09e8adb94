/*
 * The fleet's ops at the cart, one function each (docs/fleet.md): a
 * reference set's part held, and the set installed whole once every part
 * is there (a bad row refuses it whole, the set before stays); the clock's
 * status; a diagnostic snapshot; a restart. Each applies whole or not at
 * all, so one cut short by a kill is simply run again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "daemon.h"
#include "log.h"
#include "refdata.h"
#include "store.h"
#include "util.h"

#define PARTS_KEEP_MS	(7LL * 86400 * 1000)	/* a set never finished */
#define ROW_FIELDS_MAX	8

struct op_out {
	char	*error, *detail;
	size_t	 elen, dlen;
	char	*data;		/* JSON text, or NULL */
};

static int
op_fail(struct op_out *o, const char *error, const char *detail)
{
	snprintf(o->error, o->elen, "%s", error);
	snprintf(o->detail, o->dlen, "%s", detail);
	return -1;
}

/* Stores each row of one part; stops at the first bad one. */
struct install {
	struct store	*store;
	int		 kind;
	int		 row;		/* rows seen */
	char		 why[128];
};

/* One row (an array of strings, as fleetcmd.c checked) into the set. */
static const char *
install_row(struct install *in, json_t *row)
{
	char *f[ROW_FIELDS_MAX];
	const char *why = NULL;
	size_t k, n = json_array_size(row);

	if (n > ROW_FIELDS_MAX)
		return "a row with the wrong number of fields";
	for (k = 0; k < n; k++)
		if ((f[k] = strdup(json_string_value(json_array_get(row,
		    k)))) == NULL)
			why = "out of memory";
	if (why == NULL)
		why = refdata_row(in->store, in->kind, f, (int)n);
	while (k-- > 0)
		free(f[k]);
	return why;
}

static int
install_part(void *arg, const char *rows)
{
	struct install *in = arg;
	json_t *j = json_loads(rows, 0, NULL), *row;
	const char *why = NULL;
	size_t i;

	if (!json_is_array(j))
		why = "a part that is no array of rows";
	json_array_foreach(j, i, row) {
		in->row++;
		if ((why = install_row(in, row)) != NULL)
			break;
	}
	if (why != NULL)
		snprintf(in->why, sizeof(in->why), "row %d: %s", in->row, why);
	json_decref(j);
	return why != NULL;
}

static int
refset_install(struct agent *a, int kind, const char *name,
    const char *version, struct op_out *o)
{
	struct install in = { a->store, kind, 0, "" };
	int rc, rows;

	if ((rc = store_ref_begin(a->store, kind)) != 0)
		return op_fail(o, "store", strerror(-rc));
	if ((rc = store_parts(a->store, name, version, install_part, &in)) !=
	    0) {
		store_ref_abort(a->store);
		store_parts_drop(a->store, name, version, 0);
		return op_fail(o, rc > 0 ? "bad_row" : "store", rc > 0 ?
		    in.why : strerror(-rc));
	}
	if ((rc = store_ref_commit(a->store, version, 0, &rows)) != 0)
		return op_fail(o, "store", strerror(-rc));
	/* Every held part of this kind goes: a late part of an older set can
	 * never complete it over this one. */
	store_parts_drop(a->store, name, "", now_wall_ms() - PARTS_KEEP_MS);
	log_info("fleet: %s version %.12s installed: %d rows", name, version,
	    rows);
	uplink_telemetry_soon(a->uplink);	/* the registry's versions */
	snprintf(o->detail, o->dlen, "%s version %.12s: %d rows", name,
	    version, rows);
	o->data = NULL;
	if (asprintf(&o->data, "{\"%s\":\"%s\",\"rows\":%d}", name, version,
	    rows) < 0)
		o->data = NULL;
	return 0;
}

/* args {"version","part","parts","rows"}, checked by fleetcmd.c. */
static int
op_refset(struct agent *a, const struct store_cmd *c, int kind,
    struct op_out *o)
{
	json_t *j = json_loads(c->args, 0, NULL);
	const char *version = json_string_value(json_object_get(j, "version"));
	int part = (int)json_integer_value(json_object_get(j, "part"));
	int parts = (int)json_integer_value(json_object_get(j, "parts"));
	char *rows = json_dumps(json_object_get(j, "rows"), JSON_COMPACT);
	int rc;

	if (version == NULL || rows == NULL)
		rc = op_fail(o, "bad_args", "the set's part cannot be read");
	else if (store_ref_current(a->store, kind, version)) {
		snprintf(o->detail, o->dlen, "%s version %.12s is already the "
		    "current one", c->op, version);
		rc = 0;
	} else if ((rc = store_part_put(a->store, c->op, version, part, parts,
	    rows, now_wall_ms())) < 0)
		rc = op_fail(o, "store", strerror(-rc));
	else if (rc == 0)
		snprintf(o->detail, o->dlen, "part %d of %d held", part, parts);
	else
		rc = refset_install(a, kind, c->op, version, o);
	free(rows);
	json_decref(j);
	return rc;
}

static int
op_recalls(struct agent *a, const struct store_cmd *c, struct op_out *o)
{
	return op_refset(a, c, STORE_REF_RECALLS, o);
}

static int
op_catalog(struct agent *a, const struct store_cmd *c, struct op_out *o)
{
	return op_refset(a, c, STORE_REF_CATALOG, o);
}

static int
op_schedule(struct agent *a, const struct store_cmd *c, struct op_out *o)
{
	int rc = op_refset(a, c, STORE_REF_SCHEDULE, o);

	if (rc == 0)
		schedule_refresh(a);
	return rc;
}

static int
op_clock(struct agent *a, const struct store_cmd *c, struct op_out *o)
{
	int synced = clock_synced();

	(void)c;
	snprintf(o->detail, o->dlen, "the clock is %s", synced ?
	    "synchronised" : "NOT synchronised");
	if (asprintf(&o->data, "{\"wall_ms\":%lld,\"synced\":%s,\"boot\":"
	    "\"%s\"}", (long long)now_wall_ms(), synced ? "true" : "false",
	    a->boot) < 0)
		o->data = NULL;
	return 0;
}

static json_t *
diag_store(struct agent *a)
{
	struct store_stats ss;
	int64_t db = 0, freeb = -1;
	int check = store_check(a->store);

	memset(&ss, 0, sizeof(ss));
	store_stats(a->store, &ss);
	store_space(a->store, &db, &freeb);
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "epoch",
	    ss.epoch, "last_seq", (json_int_t)ss.last_seq, "unacked",
	    (json_int_t)ss.unacked, "salvage", (json_int_t)ss.salvage,
	    "bytes", (json_int_t)db, "disk_free", (json_int_t)freeb,
	    "integrity", check == 0 ? "ok" : check == -EBADMSG ? "damaged" :
	    "unreadable");
}

static void
diag_driver(void *arg, const struct store_driver *d)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:I, s:I, s:I}",
	    "name", d->name, "state", d->state, "scans", (json_int_t)d->scans,
	    "handle_max_ms", (json_int_t)d->handle_max_ms, "slow",
	    (json_int_t)d->slow));
}

static void
diag_alarm(void *arg, const char *kind, int64_t at_ms, const char *detail)
{
	json_array_append_new(arg, json_pack("{s:s, s:I, s:s}", "kind", kind,
	    "at", (json_int_t)at_ms, "detail", detail));
}

/* A line that is not UTF-8 (a byte of a file's logged) goes with '?' for
 * each byte above ASCII. */
static void
diag_log(void *arg, const char *line)
{
	json_t *s = json_string(line);
	char *p;

	if (s == NULL && (p = strdup(line)) != NULL) {
		ascii_only(p);
		s = json_string(p);
		free(p);
	}
	if (s != NULL)
		json_array_append_new(arg, s);
}

static int
op_diagnose(struct agent *a, const struct store_cmd *c, struct op_out *o)
{
	json_t *drivers = json_array(), *alarms = json_array(), *j;
	json_t *lines = json_array();

	(void)c;
	store_drivers(a->store, diag_driver, drivers);
	store_alarms(a->store, diag_alarm, alarms);
	log_recent(diag_log, lines);
	j = json_pack("{s:s, s:o, s:o, s:o, s:b, s:b, s:o}", "version",
	    POU_VERSION, "store", diag_store(a), "drivers", drivers, "alarms",
	    alarms, "online", uplink_online(a->uplink), "clock_synced",
	    clock_synced(), "log", lines);
	o->data = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	snprintf(o->detail, o->dlen, "snapshot taken");
	return o->data ? 0 : op_fail(o, "internal", "out of memory");
}

/* Done once the agent stops: the start after it reports it successful. */
static int
op_restart(struct agent *a, const struct store_cmd *c, struct op_out *o)
{
	(void)c;
	log_info("fleet: restart asked: stopping for the service manager to "
	    "start the agent again");
	a->fleet.restart = 1;
	daemon_quit = 1;
	snprintf(o->detail, o->dlen, "restarting");
	return 1;		/* not finished: it stays executing */
}

#define CONFIG_KEYS_MAX	16

struct config_keys {
	int		 n;
	const char	*section[CONFIG_KEYS_MAX], *key[CONFIG_KEYS_MAX];
	const char	*value[CONFIG_KEYS_MAX];
	char		 names[CONFIG_KEYS_MAX][96];
};

/* args {"set": {"section.key": "value"}}: each key tried on a copy of the
 * running configuration, so a bad one refuses them all before any is set. */
static int
config_parse(struct agent *a, json_t *set, struct config_keys *k,
    struct op_out *o)
{
	struct agent_conf copy = a->conf;
	char err[160], *dot;
	const char *name;
	json_t *v;

	k->n = 0;
	json_object_foreach(set, name, v) {
		if (k->n == CONFIG_KEYS_MAX)
			return op_fail(o, "bad_args", "over 16 keys");
		/* fleetcmd.c bounds it; checked again before the write */
		if (strlen(name) >= sizeof(k->names[0]) ||
		    strchr(name, '.') == NULL)
			return op_fail(o, "bad_args", "a key is no "
			    "section.key");
		snprintf(k->names[k->n], sizeof(k->names[0]), "%s", name);
		dot = strchr(k->names[k->n], '.');
		*dot = '\0';
		k->section[k->n] = k->names[k->n];
		k->key[k->n] = dot + 1;
		k->value[k->n] = json_string_value(v);
		if (agent_conf_set(&copy, k->section[k->n], k->key[k->n],
		    k->value[k->n], err, sizeof(err)) != 0)
			return op_fail(o, "bad_args", err);
		k->n++;
	}
	return 0;
}

static void
config_quiet(void *arg, const char *section, const char *key,
    const char *value)
{
	char err[160];

	agent_conf_set(arg, section, key, value, err, sizeof(err));
}

/* Whether the running configuration is the file's with every key the
 * store holds: a reload that could not take them (a file with errors, an
 * uplink that could not be made) kept the one before. */
static int
config_running(struct agent *a)
{
	struct agent_conf want = a->conf;

	store_config_list(a->store, config_quiet, &want);
	return memcmp(&want, &a->conf, sizeof(want)) == 0;
}

/* Undone and failed, and reloaded without it; 1 when the store cannot
 * (again later). */
static int
config_undo(struct agent *a, const struct store_cmd *c, struct op_out *o,
    const char *error, const char *why)
{
	snprintf(o->detail, o->dlen, "%s: rolled back", why);
	snprintf(o->error, o->elen, "%s", error);
	if (store_config_undo(a->store, c->id, o->error, o->detail) != 0)
		return 1;
	daemon_reload = 1;
	log_warnx("fleet: command %s: %s: rolled back", c->id, why);
	return FLEET_RECORDED;
}

/* A change on trial: kept, undone, or (1) still on trial. */
static int
config_judge(struct agent *a, const struct store_cmd *c, int64_t deadline,
    struct op_out *o)
{
	if (daemon_reload)
		return 1;		/* its reload is still to come */
	if (!config_running(a))
		return config_undo(a, c, o, "not_applied", "the running "
		    "configuration could not take it (see the log)");
	if (uplink_online(a->uplink)) {
		snprintf(o->detail, o->dlen, "applied; the uplink is online");
		return store_config_keep(a->store, c->id, o->detail) != 0 ? 1 :
		    FLEET_RECORDED;
	}
	if (now_wall_ms() >= deadline)
		return config_undo(a, c, o, "uplink_lost", "the uplink did "
		    "not come back within [fleet] trial_s");
	return 1;
}

/*
 * A configuration change, on trial: set in the store with the values it
 * replaces and reloaded; kept once the uplink is online after it, or
 * undone (and reloaded again) when it is not back within [fleet] trial_s.
 * Each step is one call: 1 while the trial runs.
 */
static int
op_config(struct agent *a, const struct store_cmd *c, struct op_out *o)
{
	json_t *j = json_loads(c->args, 0, NULL);
	struct config_keys k;
	int64_t deadline;
	int rc = store_config_trial(a->store, c->id, &deadline);

	if (rc < 0)
		rc = op_fail(o, "store", "the trial cannot be read");
	else if (rc == 1)
		rc = config_judge(a, c, deadline, o);
	else if ((rc = config_parse(a, json_object_get(j, "set"), &k, o)) ==
	    0 && (rc = store_config_try(a->store, c->id, k.n, k.section, k.key,
	    k.value, now_wall_ms() + a->conf.fleet_trial_s * 1000)) != 0)
		rc = op_fail(o, "store", strerror(-rc));
	else if (rc == 0) {
		log_info("fleet: command %s: %d configuration keys set, on "
		    "trial", c->id, k.n);
		daemon_reload = 1;
		rc = 1;
	}
	json_decref(j);
	return rc;
}

static void
config_one(void *arg, const char *section, const char *key,
    const char *value)
{
	struct agent_conf *c = arg;
	char err[160];

	if (agent_conf_set(c, section, key, value, err, sizeof(err)) != 0)
		log_warnx("config: [%s] %s set by the fleet left out: %s",
		    section, key, err);
	else
		log_info("config: [%s] %s = %s (set by the fleet)", section,
		    key, value);
}

void
fleet_config_apply(struct agent *a, struct agent_conf *c)
{
	store_config_list(a->store, config_one, c);
}

static const struct {
	const char	*name;
	int		(*run)(struct agent *, const struct store_cmd *,
			    struct op_out *);
} ops[] = {
	{ "recalls", op_recalls },
	{ "catalog", op_catalog },
	{ "schedule", op_schedule },
	{ "config", op_config },
	{ "diagnose", op_diagnose },
	{ "clock", op_clock },
	{ "restart", op_restart },
};

int
fleet_run(struct agent *a, const struct store_cmd *c, char *error,
    size_t elen, char *detail, size_t dlen, char **data)
{
	struct op_out o = { error, detail, elen, dlen, NULL };
	size_t i;
	int rc = -1;

	error[0] = detail[0] = '\0';
	for (i = 0; i < nitems(ops); i++)
		if (strcmp(ops[i].name, c->op) == 0)
			break;
	if (i == nitems(ops))
		op_fail(&o, "unknown_op", c->op);
	else
		rc = ops[i].run(a, c, &o);
	*data = o.data;
	return rc;
}

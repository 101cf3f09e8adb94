/*
 * pouctl status and clear-alarm, on this cart: its store (read through the
 * store's own functions) and the agent's state file on tmpfs. The store's
 * path comes from --store, else from the agent's configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>
#include <jansson.h>

#include "pouctl.h"
#include "store.h"
#include "util.h"

struct ctl_paths {
	char	store[256];
	char	device[128];
	char	state[256];
};

static int
ctl_ini(void *arg, const char *sec, const char *key, const char *val)
{
	struct ctl_paths *p = arg;

	if (strcmp(sec, "store") == 0 && strcmp(key, "path") == 0)
		snprintf(p->store, sizeof(p->store), "%s", val);
	else if (strcmp(sec, "device") == 0 && strcmp(key, "id") == 0)
		snprintf(p->device, sizeof(p->device), "%s", val);
	else if (strcmp(sec, "device") == 0 && strcmp(key, "state_file") == 0)
		snprintf(p->state, sizeof(p->state), "%s", val);
	return 1;
}

static void
age(char *out, size_t len, int64_t ms)
{
	long long s = ms / 1000;

	if (s < 120)
		snprintf(out, len, "%llds", s);
	else if (s < 7200)
		snprintf(out, len, "%lldm %llds", s / 60, s % 60);
	else
		snprintf(out, len, "%lldh %lldm", s / 3600, s / 60 % 60);
}

static void
print_time(const char *label, int64_t at_ms, int64_t now)
{
	char iso[32], a[32];

	if (at_ms == 0) {
		printf("%-12s never\n", label);
		return;
	}
	fmt_iso_time(at_ms, iso);
	age(a, sizeof(a), now - at_ms);
	printf("%-12s %s (%s ago)\n", label, iso, a);
}

static void
print_driver(void *arg, const struct store_driver *d)
{
	int64_t now = *(const int64_t *)arg;
	char a[32], l[32] = "none";

	age(a, sizeof(a), now - d->since_ms);
	if (d->last_ms)
		age(l, sizeof(l), now - d->last_ms);
	printf("  %-10s %s for %s; %lld scans, last %s%s; longest handler "
	    "%lld ms", d->name, d->state, a, (long long)d->scans, l,
	    d->last_ms ? " ago" : "", (long long)d->handle_max_ms);
	if (d->slow)
		printf(", %lld slow", (long long)d->slow);
	printf("\n");
}

static void
print_alarm(void *arg, const char *kind, int64_t at_ms, const char *detail)
{
	char iso[32];

	fmt_iso_time(at_ms, iso);
	printf("  %-14s since %s: %s\n", kind, iso, detail);
	(void)arg;
}

static int
ctl_clear_alarm(const struct ctl_paths *p, const char *kind)
{
	struct store *s;
	int rc;

	if ((rc = store_open_existing(p->store, 1, &s)) != 0) {
		fprintf(stderr, "pouctl: cannot open the store %s (%s)\n",
		    p->store, strerror(-rc));
		return 1;
	}
	rc = store_alarm_clear(s, kind);
	store_close(s);
	return rc != 0;
}

static const char *
js(json_t *j, const char *key)
{
	const char *v = json_string_value(json_object_get(j, key));

	return v && v[0] ? v : "-";
}

/* The cart's session, from the agent's state file. */
static void
print_session(const char *path, int64_t now)
{
	json_t *j = json_load_file(path, 0, NULL), *o;
	char a[32];
	size_t i;

	if (j == NULL) {
		printf("%-12s (no state file %s: the agent is not running)\n",
		    "session", path);
		return;
	}
	printf("%-12s %s\n", "case", js(j, "case"));
	printf("%-12s mrn %s, encounter %s\n", "patient", js(j, "mrn"),
	    js(j, "encounter"));
	printf("%-12s %s\n", "user", js(j, "user"));
	printf("%-12s %s x%lld%s\n", "next item", js(j, "next_kind"),
	    (long long)json_integer_value(json_object_get(j, "next_qty")),
	    json_is_true(json_object_get(j, "stopped_item_waiting")) ?
	    " (a stopped item waits for POU:OVERRIDE)" : "");
	printf("%-12s %s\n", "board", js(j, "board"));
	printf("last scans\n");
	json_array_foreach(json_object_get(j, "last"), i, o) {
		age(a, sizeof(a), now - (int64_t)json_integer_value(
		    json_object_get(o, "at")));
		printf("  %8s ago  %-7s %s\n", a, js(o, "outcome"),
		    js(o, "what"));
	}
	json_decref(j);
}

static int
ctl_status(const struct ctl_paths *p)
{
	struct store_stats ss;
	struct store *s;
	int64_t now = now_wall_ms();
	int rc;

	if ((rc = store_open_existing(p->store, 0, &s)) != 0) {
		fprintf(stderr, "pouctl: cannot read the store %s (%s)\n",
		    p->store, strerror(-rc));
		return 1;
	}
	rc = store_stats(s, &ss);
	if (rc != 0) {
		store_close(s);
		return 1;
	}
	printf("%-12s %s\n", "device", p->device[0] ? p->device : "?");
	print_session(p->state, now);
	printf("%-12s %s\n", "store", p->store);
	printf("%-12s %s\n", "epoch", ss.epoch);
	printf("%-12s %lld\n", "last seq", (long long)ss.last_seq);
	printf("%-12s %lld\n", "acked upto", (long long)ss.acked_upto);
	printf("%-12s %lld\n", "unacked", (long long)ss.unacked);
	if (ss.salvage > 0)
		printf("%-12s %lld (from a damaged store, not yet acked)\n",
		    "salvaged", (long long)ss.salvage);
	if (ss.unacked > 0)
		print_time("oldest", ss.oldest_unacked_at_ms, now);
	print_time("last ack", ss.last_ack_ms, now);
	printf("%-12s %s\n", "uplink", ss.uplink);
	print_time("  since", ss.uplink_since_ms, now);
	printf("drivers\n");
	rc = store_drivers(s, print_driver, &now);
	printf("alarms\n");
	rc |= store_alarms(s, print_alarm, NULL);
	store_close(s);
	return rc != 0;
}

/* The store's and the state file's paths: 0, or 1 (said on stderr). */
static int
ctl_paths(const struct ctl *c, struct ctl_paths *p)
{
	int rc;

	snprintf(p->store, sizeof(p->store), "/var/lib/pou/agent.db");
	snprintf(p->state, sizeof(p->state), "/run/pou/agent.state");
	p->device[0] = '\0';
	if (c->store == NULL && (rc = ini_parse(c->conf, ctl_ini, p)) != 0) {
		fprintf(stderr, "pouctl: %s: %s\n", c->conf, rc < 0 ?
		    strerror(errno) : "not an INI file");
		return 1;
	}
	if (c->store != NULL)
		snprintf(p->store, sizeof(p->store), "%s", c->store);
	return 0;
}

int
ctl_cart(const struct ctl *c, int argc, char *argv[])
{
	struct ctl_paths p;
	int clear = strcmp(argv[0], "clear-alarm") == 0;

	if (argc > 1 && argv[1][0] == '-') {
		fprintf(stderr, "pouctl %s: unknown option %s (options go "
		    "before the command: pouctl --help)\n", argv[0], argv[1]);
		return 2;
	}
	if (argc != (clear ? 2 : 1)) {
		fprintf(stderr, "usage: pouctl [-c agent.conf | -s store] %s\n",
		    clear ? "clear-alarm KIND" : "status");
		return 2;
	}
	if (ctl_paths(c, &p) != 0)
		return 1;
	return clear ? ctl_clear_alarm(&p, argv[1]) : ctl_status(&p);
}

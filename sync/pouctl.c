/* pouctl: the CLI for IT and operators. First verb: status of this device. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>
#include <jansson.h>

#include "log.h"
#include "pouctl.h"
#include "store.h"
#include "util.h"

#define AGENT_CONF_DEFAULT	"/etc/pou/agent.conf"

struct ctl_paths {
	char	store[256];
	char	device[128];
	char	state[256];
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: pouctl [-c agent.conf] [--store db] command\n"
	    "commands:\n"
	    "  status     this device's store and uplink: epoch, last seq,\n"
	    "             unacked events and the oldest one's age, last ack,\n"
	    "             drivers, alarms\n"
	    "  clear-alarm KIND\n"
	    "             clear an alarm once it has been dealt with\n"
	    "  exceptions [list|all|show ID|resolve ID key=value...|\n"
	    "             release ID|discard ID REASON] [--by NAME]\n"
	    "             the bridge's exception queue (--bridge-db)\n"
	    "  replay device:epoch:seq|--device ID|--day DATE|--from TIME\n"
	    "         [--to TIME]|--all [--dest D]\n"
	    "             send failed and dead deliveries again (--bridge-db)\n"
	    "  trace device:epoch:seq\n"
	    "             one event from scan to posting (--bridge-db)\n"
	    "  report YYYY-MM-DD [site]\n"
	    "             the day's reconciliation; exits 3 when it does not\n"
	    "             balance (--bridge-db)\n"
	    "  refdata validate|import KIND FILE [--by NAME] | refdata versions\n"
	    "             the bridge's reference files: check one, put one in\n"
	    "             place for the bridge to load, or show the versions\n"
	    "             (--bridge-conf; KIND: items, chargemaster,\n"
	    "             contracts, locations, par)\n"
	    "  devices [list|enroll DEVICE SITE|retire DEVICE] [--by NAME]\n"
	    "             the devices the bridge takes events from; each\n"
	    "             change audited (--bridge-db)\n"
	    "  alarms [all|clear KIND DEVICE [--by NAME]]\n"
	    "             the bridge's alarms: conflicts, lost events, a\n"
	    "             database that went back (--bridge-db)\n"
	    "  audit      who changed what, when, before and after (--bridge-db)\n"
	    "  onhand [list|count ERP_LOCATION DI QTY [--by NAME]]\n"
	    "             the bridge's PAR estimates; count records a shelf\n"
	    "             count (--bridge-db)\n"
	    "  decode [--strict] [scan ...]\n"
	    "             decode barcodes (arguments, or lines on stdin; \\x1d\n"
	    "             for GS, or GS1's (01)...(17)... form) to JSON lines\n"
	    "options:\n"
	    "  -c, --config FILE  the agent's configuration (default %s)\n"
	    "  -s, --store FILE   the agent's store, instead of the config's\n"
	    "  -b, --bridge-db FILE  the bridge's database (default\n"
	    "                     /var/lib/pou/bridge.db)\n"
	    "  -B, --bridge-conf FILE  the bridge's configuration (default\n"
	    "                     /etc/pou/bridge.conf)\n"
	    "      --help         this text\n"
	    "      --version      print the version\n", AGENT_CONF_DEFAULT);
}

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
	printf("  %-10s %s for %s; %lld recorded, last %s%s\n", d->name,
	    d->state, a, (long long)d->scans, l, d->last_ms ? " ago" : "");
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

/* The verbs on the bridge's database (--bridge-db). */
static const struct {
	const char	*name;
	int		(*run)(const char *bridge_db, int argc, char *argv[]);
} bridge_verbs[] = {
	{ "exceptions", ctl_exceptions }, { "onhand", ctl_onhand },
	{ "replay", ctl_replay }, { "trace", ctl_trace },
	{ "report", ctl_report }, { "devices", ctl_devices },
	{ "alarms", ctl_alarms }, { "audit", ctl_audit },
};

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "bridge-db", required_argument, NULL, 'b' },
		{ "bridge-conf", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_paths p = { "/var/lib/pou/agent.db", "",
	    "/run/pou/agent.state" };
	const char *conf = AGENT_CONF_DEFAULT, *store = NULL,
	    *bridge_db = "/var/lib/pou/bridge.db",
	    *bridge_conf = "/etc/pou/bridge.conf";
	size_t i;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+b:B:c:s:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 's': store = optarg; break;
		case 'b': bridge_db = optarg; break;
		case 'B': bridge_conf = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("pouctl %s\n", POU_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "decode") == 0)
		return ctl_decode(argc - optind, argv + optind);
	if (optind < argc && strcmp(argv[optind], "refdata") == 0)
		return ctl_refdata(bridge_conf, argc - optind, argv + optind);
	for (i = 0; optind < argc && i < nitems(bridge_verbs); i++)
		if (strcmp(argv[optind], bridge_verbs[i].name) == 0)
			return bridge_verbs[i].run(bridge_db, argc - optind,
			    argv + optind);
	if (optind != argc - 1 && !(optind == argc - 2 &&
	    strcmp(argv[optind], "clear-alarm") == 0)) {
		usage(stderr);
		return 2;
	}
	log_init("pouctl", 0);
	if (store != NULL)
		snprintf(p.store, sizeof(p.store), "%s", store);
	else if ((rc = ini_parse(conf, ctl_ini, &p)) != 0) {
		fprintf(stderr, "pouctl: %s: %s\n", conf, rc < 0 ?
		    strerror(errno) : "not an INI file");
		return 1;
	}
	if (strcmp(argv[optind], "status") == 0)
		return ctl_status(&p);
	if (strcmp(argv[optind], "clear-alarm") == 0 && optind == argc - 2)
		return ctl_clear_alarm(&p, argv[optind + 1]);
	fprintf(stderr, "pouctl: unknown command \"%s\"\n", argv[optind]);
	usage(stderr);
	return 2;
}

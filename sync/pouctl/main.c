/*
 * pouctl: the CLI for IT and operators. One verb table: each verb names
 * what it works on (this cart's store, the bridge's database, the
 * bridge's configuration, or nothing) and the file that does it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "pouctl.h"
#include "util.h"

#define AGENT_CONF_DEFAULT	"/etc/pou/agent.conf"

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
	    "  refdata validate|import KIND FILE [--by NAME] | "
	    "refdata versions\n"
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
	    "  audit      who changed what, when, before and after "
	    "(--bridge-db)\n"
	    "  onhand [list|count ERP_LOCATION DI QTY [--by NAME]]\n"
	    "             the bridge's PAR estimates; count records a shelf\n"
	    "             count (--bridge-db)\n"
	    "  decode [--strict] [scan ...]\n"
	    "             decode barcodes (arguments, or lines on stdin; "
	    "\\x1d\n"
	    "             for GS, or GS1's (01)...(17)... form) to JSON lines\n"
	    "  fleet keygen|sign|sign-set|verify|send|ls|show|status ...\n"
	    "             the fleet's signing key, signed commands, and the\n"
	    "             carts as the bridge sees them (send..status on\n"
	    "             --bridge-db; pouctl fleet lists the options)\n"
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

enum on { ON_CART, ON_BRIDGE_DB, ON_BRIDGE_CONF, ON_NOTHING };

static const struct verb {
	const char	*name;
	enum on		 on;
	int		(*run)(const char *path, int argc, char *argv[]);
} verbs[] = {
	{ "status", ON_CART, NULL },
	{ "clear-alarm", ON_CART, NULL },
	{ "exceptions", ON_BRIDGE_DB, ctl_exceptions },
	{ "replay", ON_BRIDGE_DB, ctl_replay },
	{ "trace", ON_BRIDGE_DB, ctl_trace },
	{ "report", ON_BRIDGE_DB, ctl_report },
	{ "devices", ON_BRIDGE_DB, ctl_devices },
	{ "alarms", ON_BRIDGE_DB, ctl_alarms },
	{ "audit", ON_BRIDGE_DB, ctl_audit },
	{ "onhand", ON_BRIDGE_DB, ctl_onhand },
	{ "refdata", ON_BRIDGE_CONF, ctl_refdata },
	{ "decode", ON_NOTHING, ctl_decode },
	{ "fleet", ON_BRIDGE_DB, ctl_fleet },
};

static const struct verb *
verb_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(verbs); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

static int
verb_run(const struct verb *v, const struct ctl *c, int argc, char *argv[])
{
	switch (v->on) {
	case ON_CART:
		return ctl_cart(c, argc, argv);
	case ON_BRIDGE_DB:
		return v->run(c->bridge_db, argc, argv);
	case ON_BRIDGE_CONF:
		return v->run(c->bridge_conf, argc, argv);
	default:
		return v->run(NULL, argc, argv);
	}
}

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
	struct ctl c = { AGENT_CONF_DEFAULT, NULL, "/var/lib/pou/bridge.db",
	    "/etc/pou/bridge.conf" };
	const struct verb *v;
	int ch;

	log_init("pouctl", 0);
	log_plain();
	umask(027);	/* a bridge database it creates holds MRNs */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+hb:B:c:s:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': c.conf = optarg; break;
		case 's': c.store = optarg; break;
		case 'b': c.bridge_db = optarg; break;
		case 'B': c.bridge_conf = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("pouctl %s\n", POU_VERSION); return 0;
		default:
			fprintf(stderr, "pouctl: %s %s (pouctl --help)\n",
			    ch == ':' ? "option needs a value:" :
			    "unknown option", argv[optind - 1]);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	if ((v = verb_lookup(argv[optind])) == NULL) {
		fprintf(stderr, "pouctl: unknown command \"%s\" (pouctl --help "
		    "lists them)\n", argv[optind]);
		return 2;
	}
	return verb_run(v, &c, argc - optind, argv + optind);
}

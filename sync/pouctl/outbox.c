/*
 * pouctl on the bridge's deliveries: replay (failed or dead deliveries sent
 * again), trace (one event's lineage, scan to posting) and report (a day's
 * reconciliation: every event in exactly one billing and one ERP column,
 * and the events where the two disagree). The statements are db_ops.c's;
 * this file reads the arguments and prints.
 */
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "db.h"
#include "pouctl.h"
#include "util.h"

#define DAY_MS	(24 * 3600 * 1000LL)

static int
replay_usage(void)
{
	fprintf(stderr, "usage: pouctl replay device:epoch:seq|--device ID|"
	    "--day YYYY-MM-DD|--from TIME [--to TIME]|--all\n       [--dest");
	for (int i = 0; i < DEST_COUNT; i++)
		fprintf(stderr, "%s%s", i ? "|" : " ", dests[i].name);
	fprintf(stderr, "]   (times UTC: 2026-11-24 or 2026-11-24T13:30)\n");
	return 2;
}

/* A time of the selection; said when it is none. */
static int
replay_time(const char *s, int64_t *ms)
{
	if (parse_utc_time(s, ms) == 0)
		return 0;
	fprintf(stderr, "pouctl: replay: \"%s\" is not a time like 2026-11-24 "
	    "or 2026-11-24T13:30 (UTC)\n", s);
	return -1;
}

/* The selection WHAT [VALUE] with --to and --dest; 0, 2 (said) or -1. */
static int
replay_select(int argc, char **argv, struct db_replay *r, struct ident *id)
{
	const char *what = argv[1], *val = argc > 2 ? argv[2] : NULL,
	    *to = NULL;
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 2; i + 1 < argc; i++)
		if (strcmp(argv[i], "--dest") == 0)
			r->dest = argv[i + 1];
		else if (strcmp(argv[i], "--to") == 0)
			to = argv[i + 1];
	if (r->dest && dest_lookup(r->dest) == NULL)
		return replay_usage();
	r->to_ms = INT64_MAX;
	if (strcmp(what, "--all") == 0)
		r->by = REPLAY_ALL;
	else if (strcmp(what, "--device") == 0 && val) {
		r->by = REPLAY_DEVICE;
		r->device = val;
	} else if ((strcmp(what, "--day") == 0 || strcmp(what, "--from") == 0)
	    && val) {
		r->by = REPLAY_RECEIVED;
		if (replay_time(val, &r->from_ms) != 0 || (to && what[2] == 'f'
		    && replay_time(to, &r->to_ms) != 0))
			return 2;
		if (what[2] == 'd')
			r->to_ms = r->from_ms + DAY_MS;
	} else if (what[0] != '-' && event_identity_parse(what, id) == 0) {
		r->by = REPLAY_EVENT;
		r->device = id->device;
		r->epoch = id->epoch;
		r->seq = id->seq;
	} else
		return replay_usage();
	return 0;
}

/*
 * replay WHAT [--dest D]: WHAT is an event (device:epoch:seq), --device ID,
 * --day YYYY-MM-DD, --from TIME [--to TIME] (received, UTC) or --all; only
 * failed and dead rows go again (done ones never: billing does not dedup a
 * second DFT^P03).
 */
int
ctl_replay(const char *path, int argc, char **argv)
{
	struct db_replay r;
	struct ident id;
	struct db *d;
	int n;

	if (argc < 2)
		return replay_usage();
	if ((n = replay_select(argc, argv, &r, &id)) != 0)
		return n;
	if ((d = ctl_bridge_open(path, 0)) == NULL)
		return 1;
	n = db_replay(d, &r);
	db_close(d);
	if (n < 0)
		return 1;
	printf("%d deliveries queued again; the bridge sends them within a "
	    "second\n", n);
	return 0;
}

static void
trace_event(void *arg, const char *const *c, int n)
{
	char at[32], fixed[32], rx[32];

	(void)n;
	printf("event      %s\n  %s x%s di %s lot %s serial %s case %s "
	    "encounter %s user %s room %s\n", (const char *)arg, c[5], c[6],
	    c[7], c[8], c[9], c[10], c[11], c[12], c[13]);
	printf("scanned    %s  device clock, by %s (bridge: %s, %s)\n",
	    ctl_time(c[1], at), c[14], ctl_time(c[2], fixed), c[3]);
	printf("received   %s  stored in the same transaction\n",
	    ctl_time(c[4], rx));
	printf("enriched   charge %s, %s cents\n", c[15][0] ? c[15] : "none",
	    c[16][0] ? c[16] : "0");
}

static void
trace_exception(void *arg, const char *const *c, int n)
{
	char t[32];

	(void)arg;
	(void)n;
	printf("rule       %s: %s (holds %s) %s; %s%s%s\n", c[0], c[1],
	    c[2][0] ? c[2] : "nothing", ctl_time(c[4], t), c[3],
	    c[5][0] ? "; by " : "", c[5]);
}

static void
trace_delivery(void *arg, const char *const *c, int n)
{
	char t[32];

	(void)arg;
	(void)n;
	printf("%-10s %s after %s attempt(s) at %s; id %s; answer %s%s%s\n",
	    c[0], c[1], c[2], ctl_time(c[4], t), c[7], c[5][0] ? c[5] : "-",
	    c[6][0] ? "; last error: " : "", c[6]);
}

int
ctl_trace(const char *path, int argc, char **argv)
{
	struct db_trace t = { trace_event, trace_exception, trace_delivery,
		NULL };
	struct ident id;
	struct db *d;
	int found = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: pouctl trace device:epoch:seq\n");
		return 2;
	}
	if ((d = ctl_bridge_open(path, 0)) == NULL)
		return 1;
	t.arg = argv[1];
	if (event_identity_parse(argv[1], &id) == 0)
		found = db_trace(d, id.device, id.epoch, id.seq, &t);
	if (found == 0)
		fprintf(stderr, "pouctl: no event %s at the bridge\n", argv[1]);
	db_close(d);
	return found != 1;
}

static void
report_row(void *arg, const char *const *c, int n)
{
	int *rc = arg;

	(void)n;
	if (strcmp(c[0], "missing") == 0) {
		printf("  NOT ACCOUNTED  %s\n", c[1]);
		*rc = 3;
	} else
		printf("  %-8s %-13s %6s\n", c[0], c[1], c[2]);
}

int
ctl_report(const char *path, int argc, char **argv)
{
	const char *site = argc > 2 ? argv[2] : "";
	struct db *d;
	int64_t day;
	int rc = 0;

	if (argc < 2 || argc > 3 || strlen(argv[1]) != 10 ||
	    parse_utc_time(argv[1], &day) != 0) {
		fprintf(stderr, "usage: pouctl report YYYY-MM-DD [site]\n");
		return 2;
	}
	if ((d = ctl_bridge_open(path, 0)) == NULL)
		return 1;
	printf("reconciliation %s%s%s (bridge received date, UTC)\n", argv[1],
	    site[0] ? ", site " : "", site);
	if (db_report(d, day, day + DAY_MS, site, report_row, &rc) < 0)
		rc = 1;
	db_close(d);
	if (rc != 1)
		printf("%s\n", rc ? "does NOT balance: the events above are in "
		    "no column" : "balances: every event is in one billing and "
		    "one ERP column");
	return rc;
}

/*
 * pouctl fleet send | ls | show | status: the central view of the carts and
 * of the commands sent to them, on the bridge's database (db_fleet.c).
 * send queues signed commands for the bridge to publish; the bridge sends
 * each again to a cart that comes online without having finished it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db.h"
#include "fleetcmd.h"
#include "pouctl.h"
#include "util.h"

/* fleet send [FILE]: each line a command, as pouctl fleet sign prints. */
static int
central_send(const char *bridge_db, int argc, char *argv[])
{
	const char *by = ctl_by(&argc, argv);
	FILE *f = argc == 2 ? fopen(argv[1], "re") : argc == 1 ? stdin : NULL;
	char *line = NULL, *aud;
	size_t size = 0;
	struct fleet_cmd c;
	struct db *d;
	ssize_t n;
	int rc = 0, e;

	if (f == NULL) {
		fprintf(stderr, argc > 2 ? "usage: pouctl fleet send [FILE] "
		    "[--by NAME]\n" : "pouctl: fleet send: %s: cannot read\n",
		    argv[1]);
		return 2;
	}
	if ((d = ctl_bridge_open(bridge_db, 0)) == NULL)
		return 1;
	while ((n = getline(&line, &size, f)) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if ((e = fleet_cmd_peek(line, strlen(line), &c, &aud)) !=
		    FLEET_OK) {
			fprintf(stderr, "pouctl: fleet send: not a command: "
			    "%s\n", c.why);
			rc = 1;
			continue;
		}
		e = db_fleet_add(d, c.id, c.op, aud, c.exp, line, by,
		    now_wall_ms());
		printf("%s %s %s to %s\n", c.id, c.op, e == 0 ? "queued" : e ==
		    -EEXIST ? "was sent before" : "NOT queued", aud);
		rc |= e != 0 && e != -EEXIST;
		free(aud);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	db_close(d);
	return rc;
}

/* The telemetry's fields ls and show print. */
struct tele {
	long long	backlog, used, quota;
	int		synced;
	char		recalls[13], catalog[13];
};

static void
tele_version(json_t *v, char out[13])
{
	const char *s = json_string_value(v);

	snprintf(out, 13, "%.12s", s && s[0] ? s : "-");
}

static void
tele_read(const char *json, struct tele *t)
{
	json_t *j = json_loads(json, 0, NULL), *r;

	memset(t, 0, sizeof(*t));
	t->synced = -1;
	t->backlog = json_integer_value(json_object_get(j, "backlog"));
	t->used = json_integer_value(json_object_get(j, "store_used_bytes"));
	t->quota = json_integer_value(json_object_get(j, "store_quota_bytes"));
	if (json_is_boolean(json_object_get(json_object_get(j, "clock"),
	    "synced")))
		t->synced = json_is_true(json_object_get(json_object_get(j,
		    "clock"), "synced"));
	r = json_object_get(j, "refdata");
	tele_version(json_object_get(r, "recalls"), t->recalls);
	tele_version(json_object_get(r, "catalog"), t->catalog);
	json_decref(j);
}

static int
alarms_count(const char *json)
{
	json_t *j = json_loads(json, 0, NULL);
	int n = (int)json_array_size(j);

	json_decref(j);
	return n;
}

/* Each alarm the cart holds open: its kind, since when, and the rest. */
static void
alarms_print(const char *json)
{
	json_t *j = json_loads(json, 0, NULL), *a;
	const char *kind;
	char at[32], *rest;
	size_t i;

	printf("alarms%s\n", json_array_size(j) ? "" : "     none");
	json_array_foreach(j, i, a) {
		if ((kind = json_string_value(json_object_get(a, "kind"))) ==
		    NULL)
			continue;	/* a cart's message: anything */
		fmt_iso_time(json_integer_value(json_object_get(a, "at")), at);
		printf("  %-20s since %s", kind, at);
		json_object_del(a, "kind");
		json_object_del(a, "at");
		rest = json_dumps(a, JSON_COMPACT);
		printf(" %s\n", rest ? rest : "");
		free(rest);
	}
	json_decref(j);
}

struct ls {
	const char	*site;
	int		 offline, behind;
	char		 newest[13];	/* the newest recall list installed */
	int		 rows;
};

/* The newest recall list any cart reported installed. */
static void
ls_newest(void *arg, const char *const *col, int n)
{
	struct ls *l = arg;
	json_t *j = json_loads(col[0], 0, NULL);
	const char *v = json_string_value(json_object_get(j, "recalls"));

	(void)n;
	if (v != NULL && l->newest[0] == '\0')
		snprintf(l->newest, sizeof(l->newest), "%.12s", v);
	json_decref(j);
}

static void
ls_row(void *arg, const char *const *col, int n)
{
	struct ls *l = arg;
	char since[32];
	struct tele t;

	(void)n;
	tele_read(col[6], &t);
	if ((l->site && strcmp(col[1], l->site) != 0) || (l->offline &&
	    strcmp(col[2], "offline") != 0) || (l->behind &&
	    strcmp(t.recalls, l->newest) == 0))
		return;
	if (l->rows++ == 0)
		printf("%-12s %-10s %-8s %-24s %-8s %-7s %-12s %-10s %s\n",
		    "device", "site", "state", "since", "version", "backlog",
		    "recalls", "clock", "alarms");
	printf("%-12s %-10s %-8s %-24s %-8s %-7lld %-12s %-10s %d\n", col[0],
	    col[1], col[2], ctl_time(col[3], since), col[4][0] ? col[4] : "-",
	    t.backlog, t.recalls, t.synced < 0 ? "-" : t.synced ? "synced" :
	    "NOT synced", alarms_count(col[9]));
}

static int
central_ls(const char *bridge_db, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "site", required_argument, NULL, 's' },
		{ "offline", no_argument, NULL, 'o' },
		{ "behind", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	struct ls l = { NULL, 0, 0, "", 0 };
	struct db *d;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 's': l.site = optarg; break;
		case 'o': l.offline = 1; break;
		case 'b': l.behind = 1; break;
		default:
			fprintf(stderr, "usage: pouctl fleet ls [--site SITE] "
			    "[--offline] [--behind]\n");
			return 2;
		}
	if ((d = ctl_bridge_open(bridge_db, 0)) == NULL)
		return 1;
	db_fleet_installed(d, "recalls", ls_newest, &l);
	rc = db_devices_registry(d, ls_row, &l) < 0;
	if (l.behind)
		printf("%d carts behind the newest recall list (%s)\n", l.rows,
		    l.newest[0] ? l.newest : "none pushed");
	db_close(d);
	return rc;
}

static void
show_row(void *arg, const char *const *col, int n)
{
	char since[32], tel[32];
	struct tele t;

	(void)n;
	tele_read(col[6], &t);
	printf("device     %s\nsite       %s\nstate      %s since %s\n"
	    "enrolment  %s\nversion    %s\nepoch      %s\ntelemetry  %s\n"
	    "backlog    %lld events\nstore      %lld of %lld bytes\n"
	    "clock      %s\ncatalog    %s\nrecalls    %s\n", col[0],
	    col[1], col[2], ctl_time(col[3], since), col[8][0] ? col[8] :
	    "not enrolled", col[4][0] ? col[4] : "-", col[5][0] ? col[5] : "-",
	    ctl_time(col[7], tel), t.backlog, t.used, t.quota, t.synced < 0 ?
	    "-" : t.synced ? "synced" : "NOT synced", t.catalog, t.recalls);
	alarms_print(col[9]);
	printf("commands\n");
	*(int *)arg = 1;
}

struct show {
	const char	*device;
	int		 found;
};

static void
show_match(void *arg, const char *const *col, int n)
{
	struct show *s = arg;

	if (strcmp(col[0], s->device) == 0)
		show_row(&s->found, col, n);
}

static void
show_command(void *arg, const char *const *col, int n)
{
	char at[32];

	(void)arg;
	(void)n;
	printf("  %-40s %-10s %s%s%s (%s)\n", col[0], col[1], col[2],
	    col[2][0] ? ": " : "", col[3], ctl_time(col[4], at));
}

static int
central_show(const char *bridge_db, int argc, char *argv[])
{
	struct show s = { argc == 2 ? argv[1] : NULL, 0 };
	struct db *d;

	if (s.device == NULL) {
		fprintf(stderr, "usage: pouctl fleet show DEVICE\n");
		return 2;
	}
	if ((d = ctl_bridge_open(bridge_db, 0)) == NULL)
		return 1;
	db_devices_registry(d, show_match, &s);
	if (s.found)
		db_fleet_device_results(d, s.device, show_command, NULL);
	else
		fprintf(stderr, "pouctl: fleet show: no cart %s in the "
		    "registry\n", s.device);
	db_close(d);
	return !s.found;
}

struct status {
	struct db	*db;
	const char	*id;
	char		*aud;		/* the command's, as sent */
	char		*done;		/* " dev  dev " that reported */
	size_t		 done_len;
	/* successful, failed, under way, pending */
	int		 counts[4];
};

static void
status_cmd(void *arg, const char *const *col, int n)
{
	struct status *s = arg;
	char at[32];

	(void)n;
	free(s->aud);
	s->aud = strdup(col[2]);
	printf("command  %s\nop       %s\naudience %s\nsent by  %s at %s\n",
	    col[0], col[1], col[2], col[4], ctl_time(col[5], at));
}

static void
status_result(void *arg, const char *const *col, int n)
{
	struct status *s = arg;
	char at[32];
	size_t add = strlen(col[0]) + 2;
	char *d;

	(void)n;
	s->counts[strcmp(col[1], "successful") == 0 ? 0 : strcmp(col[1],
	    "failed") == 0 ? 1 : 2]++;
	printf("  %-12s %-10s %s%s%s (%s)\n", col[0], col[1], col[2],
	    col[2][0] ? ": " : "", col[3], ctl_time(col[5], at));
	if ((d = realloc(s->done, s->done_len + add + 1)) == NULL)
		return;
	s->done = d;
	snprintf(s->done + s->done_len, add + 1, " %s ", col[0]);
	s->done_len += add;
}

/* A cart the command names that has not reported on it. */
static void
status_pending(void *arg, const char *const *col, int n)
{
	struct status *s = arg;
	char me[80];

	(void)n;
	snprintf(me, sizeof(me), " %s ", col[0]);
	if ((s->done && strstr(s->done, me) != NULL) || s->aud == NULL ||
	    strcmp(col[8], "enrolled") != 0 ||
	    !fleet_aud_names(s->aud, col[1], col[0]))
		return;
	s->counts[3]++;
	printf("  %-12s %-10s (%s)\n", col[0], "pending", col[2]);
}

static int
central_status(const char *bridge_db, int argc, char *argv[])
{
	struct status s;
	struct db *d;

	memset(&s, 0, sizeof(s));
	if (argc != 2) {
		fprintf(stderr, "usage: pouctl fleet status COMMAND-ID\n");
		return 2;
	}
	if ((d = ctl_bridge_open(bridge_db, 0)) == NULL)
		return 1;
	s.db = d;
	s.id = argv[1];
	if (db_fleet_command(d, s.id, status_cmd, &s) <= 0) {
		fprintf(stderr, "pouctl: fleet status: no command %s\n", s.id);
		db_close(d);
		return 1;
	}
	db_fleet_results(d, s.id, status_result, &s);
	db_devices_registry(d, status_pending, &s);
	printf("%d successful, %d failed, %d under way, %d pending\n",
	    s.counts[0], s.counts[1], s.counts[2], s.counts[3]);
	free(s.aud);
	free(s.done);
	db_close(d);
	return 0;
}

int
fleet_central(const char *bridge_db, int argc, char *argv[])
{
	if (strcmp(argv[0], "send") == 0)
		return central_send(bridge_db, argc, argv);
	if (strcmp(argv[0], "ls") == 0)
		return central_ls(bridge_db, argc, argv);
	if (strcmp(argv[0], "show") == 0)
		return central_show(bridge_db, argc, argv);
	return central_status(bridge_db, argc, argv);
}

/*
 * pouctl exceptions: the bridge's exception queue. Events a governance rule
 * held are listed with the reason; a person supplies what was missing
 * (resolve), sends the event on (release: the bridge queues it within a
 * second) or drops it (discard, with a reason). Every change records who
 * and when. The state machine is the database's (db_ops.c); this file
 * reads the arguments and prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "event.h"
#include "pouctl.h"
#include "util.h"

#define EXC_FIXES_MAX	8

static void
print_exception(void *arg, const char *const *c, int n)
{
	(void)arg;
	(void)n;
	printf("%-5s %-9s %-17s %-44s %-14s %-10s %-10s %s: %s\n", c[0], c[1],
	    c[2], c[3], c[4], c[5], c[6], c[7][0] ? c[7] : "nothing", c[8]);
}

static int
exc_list(struct db *d, int all)
{
	printf("%-5s %-9s %-17s %-44s %-14s %-10s %-10s %s\n", "id", "state",
	    "rule", "event", "di", "lot", "case", "holds: reason");
	return db_exceptions(d, all, print_exception, NULL) < 0;
}

static void
print_history(void *arg, const char *const *c, int n)
{
	int *rows = arg;

	(void)n;
	if ((*rows)++ == 0)
		printf("event      %s\n  %s x%s  di %s lot %s serial %s "
		    "expiry %s\n  case %s mrn %s encounter %s user %s "
		    "room %s\n", c[7], c[8], c[9], c[10], c[11], c[12], c[13],
		    c[14], c[15], c[16], c[17], c[18]);
	printf("exception  %s %s %s (holds %s): %s%s%s%s%s\n", c[0], c[1], c[2],
	    c[3][0] ? c[3] : "nothing", c[4], c[5][0] ? "; by " : "", c[5],
	    c[6][0] ? ": " : "", c[6]);
}

static int
exc_show(struct db *d, long long id)
{
	int rows = 0;

	if (db_exception_history(d, id, print_history, &rows) < 0)
		return 1;
	if (rows == 0)
		fprintf(stderr, "pouctl: no exception %lld\n", id);
	return rows == 0;
}

/* "key=value" as a fix, the keys a person may supply; -1 said. */
static int
exc_fix(const char *kv, struct db_fix *fix)
{
	const char *eq = strchr(kv, '='), *name;
	int f;

	for (f = 0; eq && f < XF_COUNT; f++) {
		name = db_exception_field_name(f);
		if ((size_t)(eq - kv) == strlen(name) &&
		    strncmp(kv, name, strlen(name)) == 0)
			break;
	}
	if (eq == NULL || f == XF_COUNT || strlen(eq + 1) >= EV_STR) {
		fprintf(stderr, "pouctl: \"%s\": give encounter=, lot=, "
		    "serial=, mrn= or case_id= and a value\n", kv);
		return -1;
	}
	fix->field = f;
	fix->value = eq + 1;
	return 0;
}

/* "open or resolved": the states to can be reached from. */
static void
exc_from_text(enum exc_state to, char *out, size_t len)
{
	unsigned from = db_exception_from(to);
	int s;

	out[0] = '\0';
	for (s = 0; s < EXC_STATE_COUNT; s++)
		if (from & (1u << s))
			snprintf(out + strlen(out), len - strlen(out), "%s%s",
			    out[0] ? " or " : "", db_exc_state_name(s));
}

/* Says what a move did: n rows (< 0: the database said why). */
static int
exc_moved(long long id, int n, enum exc_state to, const char *by)
{
	char from[64];

	if (n < 0) {
		fprintf(stderr, "pouctl: exception %lld: not %s (the database "
		    "refused; see above)\n", id, db_exc_state_name(to));
		return 1;
	}
	if (n == 0) {
		exc_from_text(to, from, sizeof(from));
		fprintf(stderr, "pouctl: exception %lld: nothing was %s (only "
		    "an exception that is %s can be)\n", id,
		    db_exc_state_name(to), from);
		return 1;
	}
	printf("exception %lld: %d row(s) %s by %s\n", id, n,
	    db_exc_state_name(to), by);
	return 0;
}

static int
exc_resolve(struct db *d, long long id, int argc, char **argv,
    const char *by)
{
	struct db_fix fix[EXC_FIXES_MAX];
	char note[400] = "";
	int i;

	if (argc > EXC_FIXES_MAX) {
		fprintf(stderr, "pouctl: resolve takes at most %d key=value\n",
		    EXC_FIXES_MAX);
		return 2;
	}
	for (i = 0; i < argc; i++) {
		if (exc_fix(argv[i], &fix[i]) != 0)
			return 2;
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
		    "%s%s", note[0] ? " " : "", argv[i]);
	}
	return exc_moved(id, db_exception_resolve(d, id, fix, argc, by, note),
	    EXC_RESOLVED, by);
}

static int
exc_change(struct db *d, const char *verb, long long id, int argc,
    char **argv, const char *by)
{
	if (strcmp(verb, "release") == 0)
		return exc_moved(id, db_exception_move(d, id, EXC_RELEASED, by,
		    ""), EXC_RELEASED, by);
	if (strcmp(verb, "discard") == 0) {
		if (argc < 1) {
			fprintf(stderr, "pouctl: discard needs a reason\n");
			return 2;
		}
		return exc_moved(id, db_exception_move(d, id, EXC_DISCARDED, by,
		    argv[0]), EXC_DISCARDED, by);
	}
	return exc_resolve(d, id, argc, argv, by);
}

static int
exc_usage(void)
{
	fprintf(stderr, "usage: pouctl exceptions [list|all|show ID|resolve ID "
	    "key=value...|release ID|discard ID REASON] [--by NAME]\n");
	return 2;
}

int
ctl_exceptions(const char *path, int argc, char **argv)
{
	const char *by = ctl_by(&argc, argv);
	long long id = 0;
	struct db *d;
	int rc, list, change;

	if (argc >= 3 && parse_int(argv[2], 1, INT64_MAX, &id) != 0)
		id = 0;
	list = argc == 1 || (argc == 2 && (strcmp(argv[1], "list") == 0 ||
	    strcmp(argv[1], "all") == 0));
	change = id > 0 && (strcmp(argv[1], "resolve") == 0 ||
	    strcmp(argv[1], "release") == 0 || strcmp(argv[1], "discard") == 0);
	if (!list && !change && !(argc == 3 && id > 0 &&
	    strcmp(argv[1], "show") == 0))
		return exc_usage();
	if ((d = ctl_bridge_open(path, 0)) == NULL)
		return 1;
	if (list)
		rc = exc_list(d, argc == 2 && strcmp(argv[1], "all") == 0);
	else if (strcmp(argv[1], "show") == 0)
		rc = exc_show(d, id);
	else
		rc = exc_change(d, argv[1], id, argc - 3, argv + 3, by);
	db_close(d);
	return rc;
}

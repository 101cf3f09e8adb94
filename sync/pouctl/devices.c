/*
 * pouctl devices, alarms and audit, on the bridge's database through its
 * own functions: the enrolment list (which devices the bridge takes events
 * from, at which site; every change audited with who, when, before and
 * after), the bridge's alarms, and the audit trail.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "pouctl.h"
#include "wire.h"

static void
print_enrolment(void *arg, const char *const *c, int n)
{
	(void)arg;
	(void)n;
	printf("%-20s %-12s %-9s since %s by %s\n", c[0], c[1], c[2], c[4],
	    c[3]);
}

static int
devices_set(struct db *d, int argc, char **argv, const char *by)
{
	const char *state = strcmp(argv[1], "enroll") == 0 ? "enrolled" :
	    "retired";
	char site[WIRE_ID_MAX];

	if (argc != (state[0] == 'e' ? 4 : 3) || !wire_device_valid(argv[2]) ||
	    (argc == 4 && !wire_id_valid(argv[3]))) {
		fprintf(stderr, "pouctl: devices enroll DEVICE SITE | retire "
		    "DEVICE [--by NAME] (ids: letters, digits, - _ .)\n");
		return 2;
	}
	if (argc == 3 && db_enrolment(d, argv[2], site, sizeof(site)) ==
	    DB_UNKNOWN) {
		fprintf(stderr, "pouctl: %s is not on the enrolment list\n",
		    argv[2]);
		return 1;
	}
	if (db_enrol(d, argv[2], argc == 4 ? argv[3] : site, state, by) != 0)
		return 1;
	printf("%s %s%s%s by %s\n", argv[2], state, argc == 4 ? " at " : "",
	    argc == 4 ? argv[3] : "", by);
	return 0;
}

int
ctl_devices(const char *bridge_db, int argc, char *argv[])
{
	const char *by = ctl_by(&argc, argv);
	struct db *d;
	int rc;

	if (argc > 1 && strcmp(argv[1], "list") != 0 &&
	    strcmp(argv[1], "enroll") != 0 && strcmp(argv[1], "retire") != 0) {
		fprintf(stderr, "pouctl: devices [list | enroll DEVICE SITE | "
		    "retire DEVICE] [--by NAME]\n");
		return 2;
	}
	if ((d = ctl_bridge_open(bridge_db, 1)) == NULL)
		return 1;
	if (argc <= 2 && (argc == 1 || strcmp(argv[1], "list") == 0))
		rc = db_enrolments(d, print_enrolment, NULL) < 0;
	else
		rc = devices_set(d, argc, argv, by);
	db_close(d);
	return rc;
}

static void
print_alarm_row(void *arg, const char *const *c, int n)
{
	(void)arg;
	(void)n;
	printf("%-18s %-14s %.12s  x%s  last %s%s%s\n    %s\n", c[0], c[1],
	    c[2], c[3], c[4], c[6][0] ? ", cleared by " : "", c[6], c[5]);
}

int
ctl_alarms(const char *bridge_db, int argc, char *argv[])
{
	const char *by = ctl_by(&argc, argv);
	struct db *d;
	int rc;

	if (!(argc == 1 || (argc == 2 && strcmp(argv[1], "all") == 0) ||
	    (argc == 4 && strcmp(argv[1], "clear") == 0))) {
		fprintf(stderr, "pouctl: alarms [all | clear KIND DEVICE] "
		    "[--by NAME]\n");
		return 2;
	}
	if ((d = ctl_bridge_open(bridge_db, 0)) == NULL)
		return 1;
	if (argc == 4) {
		rc = db_alarm_clear(d, argv[2], argv[3], by);
		if (rc == 0)
			fprintf(stderr, "pouctl: no %s alarm is raised for "
			    "%s\n", argv[2], argv[3]);
		rc = rc <= 0;
	} else
		rc = db_alarms(d, argc == 2, print_alarm_row, NULL) < 0;
	db_close(d);
	return rc;
}

static void
print_audit(void *arg, const char *const *c, int n)
{
	(void)arg;
	(void)n;
	printf("%s  %-20s %s: [%s] -> [%s]\n", c[0], c[1], c[2], c[3], c[4]);
}

int
ctl_audit(const char *bridge_db, int argc, char *argv[])
{
	struct db *d;
	int rc;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "pouctl: audit takes no arguments\n");
		return 2;
	}
	if ((d = ctl_bridge_open(bridge_db, 0)) == NULL)
		return 1;
	rc = db_audit(d, print_audit, NULL) < 0;
	db_close(d);
	return rc;
}

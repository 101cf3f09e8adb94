/*
 * pouctl's way into the bridge's database (db.h, as the bridge's own
 * threads use it: pouctl runs no SQL), who is acting, and the database's
 * times as a person reads them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pouctl.h"
#include "util.h"

struct db *
ctl_bridge_open(const char *path, int create)
{
	struct db *d;
	int rc;

	if ((rc = db_open(path, DB_SYNC_FULL | (create ? 0 : DB_EXISTING),
	    &d)) != 0) {
		fprintf(stderr, "pouctl: cannot open the bridge's database %s "
		    "(%s)\n", path, strerror(-rc));
		return NULL;
	}
	return d;
}

const char *
ctl_by(int *argc, char **argv)
{
	if (*argc >= 3 && strcmp(argv[*argc - 2], "--by") == 0) {
		*argc -= 2;
		return argv[*argc + 1];
	}
	return getenv("SUDO_USER") ? getenv("SUDO_USER") : getenv("USER") ?
	    getenv("USER") : "pouctl";
}

const char *
ctl_time(const char *ms, char out[32])
{
	long long v;

	if (parse_int(ms, INT64_MIN, INT64_MAX, &v) != 0)
		return "-";
	fmt_iso_time(v, out);
	return out;
}

/* Schema migrations for the agent's and the bridge's SQLite files. */
#include <errno.h>
#include <stdio.h>

#include "log.h"
#include "sqlmig.h"

static int
sqlmig_exec(sqlite3 *db, const char *who, const char *sql)
{
	char *msg = NULL;
	int rc;

	if ((rc = sqlite3_exec(db, sql, NULL, NULL, &msg)) != SQLITE_OK) {
		log_warnx("%s: migration: %s", who, msg ? msg : "exec failed");
		sqlite3_free(msg);
	}
	return rc;
}

int
sqlmig_run(sqlite3 *db, const char *who, const char *const *steps, int n)
{
	sqlite3_stmt *st;
	char sql[64];
	int v = -1, rc;

	if ((rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
	    NULL)) != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v < 0)
		return rc;
	if (v > n) {
		log_warnx("%s: schema %d is newer than this program's (%d)",
		    who, v, n);
		return -EPROTO;
	}
	for (rc = 0; v < n && rc == 0; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if ((rc = sqlmig_exec(db, who, "BEGIN IMMEDIATE")) != 0)
			break;
		if ((rc = sqlmig_exec(db, who, steps[v])) == 0 &&
		    (rc = sqlmig_exec(db, who, sql)) == 0)
			rc = sqlmig_exec(db, who, "COMMIT");
		if (rc != 0)
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

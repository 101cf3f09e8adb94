/* Schema migrations for the agent's and the bridge's SQLite files. */
#ifndef POU_SQLMIG_H
#define POU_SQLMIG_H

#include <sqlite3.h>

/*
 * Brings the file's user_version up to n: step i (SQL) takes version i to
 * i + 1, each in its own transaction with the version bump. Returns 0, the
 * SQLite result code of the step that failed (rolled back), or -EPROTO when
 * the file is newer than n (who names the program in the log).
 */
int	sqlmig_run(sqlite3 *db, const char *who, const char *const *steps,
	    int n);

#endif

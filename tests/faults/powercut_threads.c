/*
 * The bridge's shape for the powercut self-test: threads, a connection each,
 * inserting into one WAL database, then waiting on stdin to be SIGKILLed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define NTHREAD		4
#define BUSY_MS		10000	/* a writer waits for the others this long */

struct worker {
	pthread_t	 tid;
	const char	*path, *sync;
	int		 id, rows;
	int		 ckpt;		/* checkpoint every ckpt rows, or 0 */
	int		 seen;		/* rows counted at the end */
	int		 failed;
};

static int
exec_sql(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	fprintf(stderr, "powercut_threads: %s: %s\n", sql, err ? err : "?");
	sqlite3_free(err);
	return -1;
}

static int
count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static sqlite3 *
open_db(const char *path, const char *sync)
{
	sqlite3 *db;
	char sql[64];

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		fprintf(stderr, "powercut_threads: %s: %s\n", path,
		    sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, BUSY_MS);
	snprintf(sql, sizeof(sql), "PRAGMA synchronous = %s", sync);
	if (exec_sql(db, "PRAGMA journal_mode = WAL") != 0 ||
	    exec_sql(db, sql) != 0) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static int
insert_row(sqlite3 *db, int id, int i)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE; INSERT INTO t VALUES "
	    "(%d, %d, randomblob(300)); COMMIT", id, i);
	return exec_sql(db, sql);
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	sqlite3 *db;
	int i;

	if ((db = open_db(w->path, w->sync)) == NULL) {
		w->failed = 1;
		return NULL;
	}
	for (i = 0; i < w->rows && !w->failed; i++) {
		if (insert_row(db, w->id, i) != 0)
			w->failed = 1;
		else if (w->ckpt && i % w->ckpt == w->ckpt - 1 &&
		    exec_sql(db, "PRAGMA wal_checkpoint(PASSIVE)") != 0)
			w->failed = 1;
	}
	/* Reads the others' rows, synced or not. */
	w->seen = count_rows(db, "SELECT count(*) FROM t");
	sqlite3_close(db);
	return NULL;
}

static int
run_workers(const char *path, const char *sync, int rows, int ckpt)
{
	struct worker w[NTHREAD];
	int i, bad = 0;

	memset(w, 0, sizeof(w));
	for (i = 0; i < NTHREAD; i++) {
		w[i].path = path;
		w[i].sync = sync;
		w[i].id = i;
		w[i].rows = rows;
		w[i].ckpt = ckpt;
		if (pthread_create(&w[i].tid, NULL, worker_run, &w[i]) != 0)
			return -1;
	}
	for (i = 0; i < NTHREAD; i++) {
		pthread_join(w[i].tid, NULL);
		bad |= w[i].failed || w[i].seen < rows;
	}
	return bad ? -1 : 0;
}

int
main(int argc, char *argv[])
{
	sqlite3 *db;
	int rows, ckpt, n, ok;

	if (argc != 5) {
		fprintf(stderr, "usage: powercut_threads db FULL|NORMAL|OFF "
		    "rows-per-thread checkpoint-every\n");
		return 2;
	}
	rows = atoi(argv[3]);
	ckpt = atoi(argv[4]);
	if ((db = open_db(argv[1], argv[2])) == NULL ||
	    exec_sql(db, "CREATE TABLE IF NOT EXISTS t (w, i, pad)") != 0 ||
	    run_workers(argv[1], argv[2], rows, ckpt) != 0)
		return 1;
	n = count_rows(db, "SELECT count(*) FROM t");
	ok = count_rows(db, "SELECT count(*) FROM pragma_integrity_check "
	    "WHERE integrity_check = 'ok'");
	/* One line, then wait for the SIGKILL with the connection open. */
	printf("rows %d integrity %s\n", n, ok == 1 ? "ok" : "bad");
	fflush(stdout);
	while (getchar() != EOF)
		continue;
	sqlite3_close(db);
	return 0;
}

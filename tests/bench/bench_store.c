/*
 * make bench: the scan -> committed latency of store_append (WAL,
 * synchronous=FULL, the seq counter and the row in one transaction), p50
 * and p99, beside a bare SQLite program inserting the same row with the
 * same durability in the same run. Files in the directory given (a real
 * disk: fsync is what is measured).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "evsql.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define N	2000

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
report(const char *what, int64_t *lat)
{
	qsort(lat, N, sizeof(*lat), cmp64);
	printf("  %-44s p50 %6.3f ms  p99 %6.3f ms\n", what,
	    (double)lat[N / 2] / 1000, (double)lat[N * 99 / 100] / 1000);
}

static void
event(struct event *ev, int i)
{
	memset(ev, 0, sizeof(*ev));
	ev->at_ms = now_wall_ms();
	snprintf(ev->boot, sizeof(ev->boot), "boot");
	snprintf(ev->kind, sizeof(ev->kind), "use");
	ev->qty = 1;
	snprintf(ev->item.scheme, sizeof(ev->item.scheme), "gs1");
	snprintf(ev->item.di, sizeof(ev->item.di), "00884521123451");
	snprintf(ev->item.lot, sizeof(ev->item.lot), "LOT%d", i);
	memcpy(ev->item.raw, "]d2010088452112345110LOT", 24);
	ev->item.raw_len = 24;
	snprintf(ev->source, sizeof(ev->source), "sim0");
}

/* The same row, by hand: one INSERT in autocommit, WAL, FULL. */
static int
bare(const char *path, int64_t *lat)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct event ev;
	int i;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "CREATE TABLE events (seq INTEGER PRIMARY KEY, " EVSQL_SCHEMA ", "
	    "undoes INTEGER NOT NULL DEFAULT 0);",
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO events (" EVSQL_COLUMNS
	    ") VALUES (" EVSQL_PARAMS ")", -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < N; i++) {
		int64_t t0 = now_us();

		event(&ev, i);
		evsql_bind(st, 1, &ev);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		sqlite3_reset(st);
		lat[i] = now_us() - t0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

int
main(int argc, char *argv[])
{
	static int64_t a[N], b[N];
	char p1[512], p2[512];
	struct store *s;
	struct event ev;
	int i;

	log_init("bench_store", 0);
	if (argc != 2)
		return 2;
	snprintf(p1, sizeof(p1), "%s/agent.db", argv[1]);
	snprintf(p2, sizeof(p2), "%s/bare.db", argv[1]);
	if (store_open(p1, 1, &s) != 0)
		return 1;
	for (i = 0; i < N; i++) {
		int64_t t0 = now_us();

		event(&ev, i);
		if (store_append(s, &ev) != 0)
			return 1;
		a[i] = now_us() - t0;
	}
	store_close(s);
	if (bare(p2, b) != 0)
		return 1;
	printf("scan -> committed, %d events, WAL + synchronous=FULL:\n", N);
	report("store_append (seq counter + row, 1 txn)", a);
	report("baseline: bare SQLite INSERT of the same row", b);
	return 0;
}

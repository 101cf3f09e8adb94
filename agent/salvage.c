/*
 * A damaged store at start (SQLite's quick check fails, the file is not a
 * database, or the WAL's header is garbage, which SQLite would silently
 * treat as an empty WAL): the agent never deletes it and never refuses to
 * run. The files are moved aside; every event row that can still be read
 * and was not acked is copied into a new store under its old identity
 * (epoch, seq), to go up first; an alarm keeps the counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "evsql.h"
#include "log.h"
#include "salvage.h"
#include "store.h"
#include "util.h"
#include "wire.h"

#define SALVAGE_CHUNK	256

struct salvage {
	char		 aside[PATH_MAX];
	char		 epoch[WIRE_ID_MAX];	/* "" when unreadable */
	int64_t		 last_seq, acked_upto;	/* -1 when unreadable */
	int64_t		 salvaged, invalid, skips;
	int		 wal_lost;	/* commits in the WAL are gone */
	struct store	*to;
	struct event	 evs[SALVAGE_CHUNK];
	int		 n;
};

static uint32_t
get32(const unsigned char *p, int big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3] : (uint32_t)p[3] << 24 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A WAL whose 32-byte header has a bad magic or checksum (SQLite's
 * wal format: the checksum words are big-endian when magic is ...83). */
static int
wal_damaged(const char *path)
{
	unsigned char h[32];
	char wal[PATH_MAX];
	uint32_t magic, s0 = 0, s1 = 0;
	ssize_t n;
	int fd, i, big;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	if ((fd = open(wal, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n < (ssize_t)sizeof(h))
		return 0;	/* no header yet: SQLite starts it afresh */
	magic = get32(h, 1);
	if (magic != 0x377f0682 && magic != 0x377f0683)
		return 1;
	big = magic & 1;
	for (i = 0; i < 24; i += 8) {
		s0 += get32(h + i, big) + s1;
		s1 += get32(h + i + 4, big) + s0;
	}
	return s0 != get32(h + 24, 1) || s1 != get32(h + 28, 1);
}

static int
move_aside(const char *path, char *aside, size_t len)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-mark" };
	char from[PATH_MAX], to[PATH_MAX], ts[32], dir[PATH_MAX];
	time_t t = time(NULL);
	struct tm tm;
	size_t i;
	int k;

	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", gmtime_r(&t, &tm));
	snprintf(aside, len, "%s.damaged-%s", path, ts);
	for (k = 1; access(aside, F_OK) == 0; k++)
		snprintf(aside, len, "%s.damaged-%s.%d", path, ts, k);
	for (i = 0; i < nitems(sfx); i++) {
		snprintf(from, sizeof(from), "%s%s", path, sfx[i]);
		snprintf(to, sizeof(to), "%s%s", aside, sfx[i]);
		if (rename(from, to) != 0 && errno != ENOENT) {
			log_warn("store: cannot move %s aside", from);
			return -errno;
		}
	}
	snprintf(dir, sizeof(dir), "%s", path);
	return fsync_dir(dirname(dir));
}

static void
salvage_state(sqlite3 *db, struct salvage *sv)
{
	sqlite3_stmt *st;

	sv->last_seq = sv->acked_upto = -1;
	if (sqlite3_prepare_v2(db, "SELECT epoch, last_seq, acked_upto FROM "
	    "state", -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(sv->epoch, sizeof(sv->epoch), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		sv->last_seq = sqlite3_column_int64(st, 1);
		sv->acked_upto = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
}

/* What the bridge would refuse is not sent; it stays in the aside file. */
static int
salvage_valid(const struct salvage *sv, const struct event *ev)
{
	char epoch[WIRE_ID_MAX], err[160], *p;
	struct event *back;
	int n, ok;

	if (sv->epoch[0] == '\0')
		return 1;	/* held, never sent */
	if ((p = wire_batch_encode(sv->epoch, ev, 1, NULL, NULL)) == NULL)
		return 0;
	ok = wire_batch_decode(p, strlen(p), epoch, sizeof(epoch), &back, &n,
	    NULL, NULL, err, sizeof(err)) == 0;
	if (ok)
		free(back);
	else
		log_warnx("store: salvaged seq %lld not sendable: %s",
		    (long long)ev->seq, err);
	free(p);
	return ok;
}

static int
salvage_flush(struct salvage *sv)
{
	int rc = sv->n ? store_salvage_put(sv->to, sv->epoch, sv->evs,
	    sv->n) : 0;

	sv->salvaged += rc == 0 ? sv->n : 0;
	sv->n = 0;
	return rc;
}

/* Reads rows with seq > after until an error; the last seq read, or after. */
static int64_t
salvage_run(struct salvage *sv, sqlite3_stmt *st, int64_t after, int *err)
{
	struct event *ev;

	sqlite3_bind_int64(st, 1, after);
	while ((*err = sqlite3_step(st)) == SQLITE_ROW) {
		ev = &sv->evs[sv->n];
		memset(ev, 0, sizeof(*ev));
		ev->seq = after = sqlite3_column_int64(st, 0);
		evsql_row(st, 1, ev);
		if (!salvage_valid(sv, ev))
			sv->invalid++;
		else if (++sv->n == SALVAGE_CHUNK && salvage_flush(sv) != 0)
			break;
	}
	sqlite3_reset(st);
	*err = *err == SQLITE_DONE ? 0 : *err == SQLITE_ROW ? -1 : *err;
	return after;
}

static int
readable(sqlite3_stmt *st, int64_t after)
{
	int rc;

	sqlite3_bind_int64(st, 1, after);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* The smallest seq past a damaged page from which reading works, or -1. */
static int64_t
salvage_skip(sqlite3_stmt *st, int64_t after)
{
	int64_t lo = after, hi = after + 1, step = 1, mid;

	while (!readable(st, hi)) {
		if (step > (INT64_C(1) << 40))
			return -1;
		lo = hi;
		hi = after + (step *= 2);
	}
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (readable(st, mid))
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static void
salvage_rows(sqlite3 *db, struct salvage *sv)
{
	sqlite3_stmt *st;
	int64_t after = sv->acked_upto > 0 ? sv->acked_upto : 0;
	int err = 0;

	if (sqlite3_prepare_v2(db, "SELECT seq, " EVSQL_COLUMNS " FROM events "
	    "WHERE seq > ?1 ORDER BY seq", -1, &st, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT seq, " EVSQL_COLUMNS_V1 ", 0 FROM "
	    "events WHERE seq > ?1 ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
		log_warnx("store: no events table to salvage: %s",
		    sqlite3_errmsg(db));
		return;
	}
	for (;;) {
		after = salvage_run(sv, st, after, &err);
		if (err == 0 || err == -1)
			break;
		sv->skips++;
		if ((after = salvage_skip(st, after)) < 0)
			break;
	}
	sqlite3_finalize(st);
	salvage_flush(sv);
}

static void
salvage_read(struct salvage *sv)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(sv->aside, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		log_warnx("store: %s cannot be opened to salvage: %s",
		    sv->aside, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return;
	}
	/* Read the tables whose schema rows still parse, past a bad one. */
	sqlite3_db_config(db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, 1, NULL);
	salvage_state(db, sv);
	salvage_rows(db, sv);
	sqlite3_close(db);
}

static void
salvage_alarm(struct salvage *sv)
{
	int64_t lost = sv->last_seq >= 0 && !sv->wal_lost ? sv->last_seq -
	    sv->acked_upto - sv->salvaged - sv->invalid : -1;
	json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:b}",
	    "moved_to", sv->aside, "old_epoch", sv->epoch,
	    "old_last_seq", (json_int_t)sv->last_seq,
	    "old_acked_upto", (json_int_t)sv->acked_upto,
	    "salvaged", (json_int_t)sv->salvaged,
	    "invalid", (json_int_t)sv->invalid,
	    "unreadable", (json_int_t)(lost < 0 ? -1 : lost),
	    "held", sv->epoch[0] == '\0', "wal_lost", sv->wal_lost);
	char *p = j ? json_dumps(j, JSON_COMPACT) : NULL;

	log_warnx("store: alarm: damaged store moved to %s; %lld unacked "
	    "events salvaged from epoch %s, %lld unreadable%s, %lld not "
	    "sendable%s", sv->aside, (long long)sv->salvaged, sv->epoch[0] ?
	    sv->epoch : "(unreadable)", (long long)lost, sv->wal_lost ?
	    " (unknown: the WAL's commits are lost)" : "",
	    (long long)sv->invalid,
	    sv->epoch[0] ? "" : "; they are held on the device (no epoch)");
	if (p)
		store_alarm_set(sv->to, "store_salvaged", p, now_wall_ms());
	free(p);
	json_decref(j);
}

int
salvage_open(const char *path, int sync_full, struct store **out)
{
	struct salvage *sv;
	int rc, wal_lost;

	if (!(wal_lost = wal_damaged(path))) {
		if ((rc = store_open(path, sync_full, out)) != -EBADMSG)
			return rc;
	} else
		log_warnx("store: %s-wal has a damaged header", path);
	if ((sv = calloc(1, sizeof(*sv))) == NULL)
		return -ENOMEM;
	sv->wal_lost = wal_lost;
	if ((rc = move_aside(path, sv->aside, sizeof(sv->aside))) == 0 &&
	    (rc = store_open(path, sync_full, &sv->to)) == 0) {
		salvage_read(sv);
		salvage_alarm(sv);
		*out = sv->to;
	}
	free(sv);
	return rc;
}

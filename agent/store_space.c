/*
 * The store's room on the disk: the quota covers the database, its WAL and
 * a reserve file whose bytes are given back to the disk when it is full,
 * so that acks, pruning and start-up still land; scans are refused while
 * the reserve is given, and taken again once pruned pages went back.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"
#include "util.h"

#define ROOM_WAL_MAX	(2LL << 20)	/* WAL cut back to 2 MiB at most */
#define ROOM_WAL_MIN	(64LL << 10)
#define WAL_FRAME_HDR	24		/* bytes before each page in the WAL */
#define PRUNE_CHUNK_MIN	16		/* rows deleted per transaction */

/* The store's file system (its directory's, before the file exists). */
static int
store_statvfs(const struct store *s, struct statvfs *vfs)
{
	char dir[PATH_MAX];

	if (statvfs(s->path, vfs) == 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s", s->path);
	return statvfs(dirname(dir), vfs);
}

static int64_t
disk_size(const struct store *s)
{
	struct statvfs vfs;

	return store_statvfs(s, &vfs) == 0 ? (int64_t)vfs.f_blocks *
	    (int64_t)vfs.f_frsize : 0;
}

/* The reserve's size and the WAL's limit: an eighth of the quota each, or
 * with none a 32nd of the disk; within 64 KiB..2 MiB. */
static void
room_sizes(struct store *s, int64_t quota)
{
	struct store_room *r = &s->room;
	int64_t w = quota > 0 ? quota / 8 : disk_size(s) / 32;

	r->quota = quota;
	r->wal_bytes = w < ROOM_WAL_MIN ? ROOM_WAL_MIN : w > ROOM_WAL_MAX ?
	    ROOM_WAL_MAX : w;
	r->reserve_bytes = r->wal_bytes;
}

static int64_t
disk_free(const struct store *s)
{
	struct statvfs vfs;

	return store_statvfs(s, &vfs) == 0 ? (int64_t)vfs.f_bavail *
	    (int64_t)vfs.f_frsize : -1;
}

static int64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

static int64_t
wal_size(const struct store *s)
{
	char wal[PATH_MAX + 8];

	snprintf(wal, sizeof(wal), "%s-wal", s->path);
	return file_size(wal);
}

/* Makes the reserve hold its bytes; 0, or -ENOSPC when the disk has not. */
static int
room_take(struct store *s)
{
	struct store_room *r = &s->room;
	int rc;

	if (r->reserve_fd < 0)
		return -EBADF;
	if ((rc = posix_fallocate(r->reserve_fd, 0, (off_t)r->reserve_bytes)) ==
	    0 && ftruncate(r->reserve_fd, (off_t)r->reserve_bytes) == 0) {
		r->reserve_ok = 1;
		return 0;
	}
	rc = rc ? rc : errno;
	if (ftruncate(r->reserve_fd, 0) != 0)	/* half a reserve is none */
		log_warn("store: the reserve");
	r->reserve_ok = 0;
	return -rc;
}

void
store_room_open(struct store *s)
{
	char path[PATH_MAX + 16];
	int rc;

	room_sizes(s, 0);
	snprintf(path, sizeof(path), "%s-reserve", s->path);
	if ((s->room.reserve_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC,
	    0600)) < 0) {
		log_warn("store: %s", path);
		s->room.reserve_ok = 1;	/* no reserve: the disk decides */
		return;
	}
	if ((rc = room_take(s)) != 0)
		log_warnx("store: alarm: no room for the %lld kB reserve (%s); "
		    "scans are refused until there is", (long long)
		    s->room.reserve_bytes / 1024, strerror(-rc));
}

void
store_room_close(struct store *s)
{
	if (s->room.reserve_fd >= 0)
		close(s->room.reserve_fd);
	s->room.reserve_fd = -1;
}

int
store_room_give(struct store *s)
{
	struct store_room *r = &s->room;

	if (r->reserve_fd < 0 || !r->reserve_ok)
		return 0;
	if (ftruncate(r->reserve_fd, 0) != 0) {
		log_warn("store: cannot give up the reserve");
		return 0;
	}
	r->reserve_ok = 0;
	log_warnx("store: alarm: the disk is full; the %lld kB reserve is "
	    "given up for acks and pruning, scans are refused",
	    (long long)r->reserve_bytes / 1024);
	return 1;
}

int
store_room_limits(struct store *s)
{
	int64_t page = store_pragma(s, "PRAGMA page_size");
	int64_t frames = s->room.wal_bytes * 3 / 4 / (page + WAL_FRAME_HDR);
	char sql[96];

	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %lld",
	    (long long)s->room.wal_bytes);
	store_pragma(s, sql);
	snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint = %lld",
	    (long long)(frames < PRUNE_CHUNK_MIN ? PRUNE_CHUNK_MIN : frames));
	store_pragma(s, sql);
	return 0;
}

int
store_room_ok(const struct store *s)
{
	return s->room.reserve_ok && !s->room.full;
}

#define SHRINK_PAGES	64	/* pages given back per transaction */

/*
 * Freed pages back to the disk, a few at a time: each step's WAL frames
 * need room, and the checkpoint after it shrinks the file and the WAL.
 */
static void
room_shrink(struct store *s)
{
	int64_t left = store_pragma(s, "PRAGMA freelist_count"), was;
	char sql[48];
	int rc = 0;

	/* A store made before auto_vacuum = INCREMENTAL cannot give pages
	 * back (docs/operating.md): its free pages wait for new events. */
	if (store_pragma(s, "PRAGMA auto_vacuum") != 2)
		return;
	snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%d)",
	    SHRINK_PAGES);
	do {
		was = left;
		if ((rc = store_exec(s, sql)) == -ENOSPC && store_room_give(s))
			rc = store_exec(s, sql);
		if (rc == 0)
			rc = store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)");
		left = store_pragma(s, "PRAGMA freelist_count");
	} while (rc == 0 && left > 0 && left < was);
}

int
store_room_restore(struct store *s)
{
	struct store_room *r = &s->room;
	int64_t avail;

	/* The reserve held: room when pruned pages wait for reuse or the
	 * disk took some back. */
	if (r->reserve_ok || r->reserve_fd < 0) {
		if (r->full && (store_pragma(s, "PRAGMA freelist_count") > 0 ||
		    (r->quota == 0 && disk_free(s) >= r->wal_bytes)))
			r->full = 0;
		return !r->full;
	}
	room_shrink(s);
	/* Room for the reserve and for the WAL to grow back beside it. */
	if ((avail = disk_free(s)) >= 0 && avail < r->reserve_bytes +
	    r->wal_bytes)
		return 0;
	if (room_take(s) != 0)
		return 0;
	log_info("store: the reserve is back (%lld kB free on the disk)",
	    (long long)(disk_free(s) / 1024));
	r->full = 0;
	return 1;
}

int
store_space(struct store *s, int64_t *db_bytes, int64_t *free_bytes)
{
	*db_bytes = store_pragma(s, "PRAGMA page_count") *
	    store_pragma(s, "PRAGMA page_size") + wal_size(s);
	*free_bytes = disk_free(s);
	return 0;
}

int
store_set_quota(struct store *s, int64_t bytes)
{
	struct store_room *r = &s->room;
	int64_t page = store_pragma(s, "PRAGMA page_size");
	int64_t had = r->reserve_bytes;
	int64_t pages = 1073741823;
	char sql[80];

	room_sizes(s, bytes);
	if (bytes > 0 && page > 0)
		pages = (bytes - r->wal_bytes - r->reserve_bytes) / page;
	if (pages < 16)
		pages = 16;
	if (r->reserve_fd >= 0 && r->reserve_ok && had != r->reserve_bytes)
		room_take(s);
	store_room_limits(s);
	/* SQLite's own cap: past it an insert fails with SQLITE_FULL. */
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
	    (long long)pages);
	return store_pragma(s, sql) > 0 ? 0 : -EIO;
}

int64_t
store_used(struct store *s)
{
	return (store_pragma(s, "PRAGMA page_count") -
	    store_pragma(s, "PRAGMA freelist_count")) *
	    store_pragma(s, "PRAGMA page_size") + wal_size(s) +
	    (s->room.reserve_ok ? s->room.reserve_bytes : 0);
}

/* One chunk of acked rows older than before; how many, or < 0. */
static int64_t
prune_chunk(struct store *s, sqlite3_stmt *st, int64_t before, int chunk)
{
	int rc;

	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, chunk);	/* ?3 stays bound */
	rc = store_step(s, st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return sqlite3_changes(s->db);
	if ((rc = store_err(s, "prune")) == -ENOSPC && store_room_give(s))
		return prune_chunk(s, st, before, chunk);
	return rc;
}

/*
 * In chunks, so that the WAL stays within its limit; each chunk may be
 * lost in a power cut (it is pruned again), so none waits for the disk.
 */
int64_t
store_prune(struct store *s, int64_t before, int64_t upto)
{
	int64_t page = store_pragma(s, "PRAGMA page_size"), n = 0, k;
	int chunk = (int)(s->room.wal_bytes / 4 / (page + WAL_FRAME_HDR));
	sqlite3_stmt *st;

	if (chunk < PRUNE_CHUNK_MIN)
		chunk = PRUNE_CHUNK_MIN;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM events WHERE seq IN "
	    "(SELECT seq FROM events WHERE seq <= min((SELECT acked_upto FROM "
	    "state), ?3) AND at_ms < ?1 ORDER BY seq LIMIT ?2)", -1, &st,
	    NULL) != SQLITE_OK)
		return store_err(s, "prune");
	sqlite3_bind_int64(st, 3, upto);
	store_sync(s, 0);
	while ((k = prune_chunk(s, st, before, chunk)) > 0) {
		n += k;
		if (k < chunk)
			break;
	}
	store_sync(s, 1);
	sqlite3_finalize(st);
	return k < 0 && n == 0 ? k : n;
}

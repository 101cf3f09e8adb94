/*
 * A store that went back in time (its WAL lost or damaged, a restored
 * copy) must never hand out an event identity twice. Two witnesses say so:
 * the mark file beside it, rewritten (not synced) after every commit, which
 * outlives a WAL deleted after a kill -9; and the bridge, whose mark for
 * this epoch is past the store's own counter. Either way the store starts
 * a new epoch: events recorded since the rollback are recorded again under
 * it, the unacked ones from before go up under their old identity, and a
 * retained alarm keeps the counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evsql.h"
#include "log.h"
#include "store_int.h"
#include "util.h"

#define MARK_LEN	64	/* "<epoch> <seq>\n", padded */

void
store_mark_open(struct store *s, int64_t last_seq, char epoch[33],
    int64_t *seq)
{
	char path[PATH_MAX + 8], buf[MARK_LEN + 1], ep[40];
	long long v;
	ssize_t n;

	epoch[0] = '\0';
	*seq = 0;
	snprintf(path, sizeof(path), "%s-mark", s->path);
	if ((s->mark_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		log_warn("store: %s", path);
		return;
	}
	if ((n = pread(s->mark_fd, buf, MARK_LEN, 0)) > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "%39s %lld", ep, &v) == 2 && strlen(ep) < 33) {
			memcpy(epoch, ep, strlen(ep) + 1);
			*seq = v;
		}
	}
	(void)last_seq;
}

void
store_mark_write(struct store *s, int64_t seq)
{
	char buf[MARK_LEN];

	if (s->mark_fd < 0)
		return;
	memset(buf, ' ', sizeof(buf));
	snprintf(buf, sizeof(buf), "%s %" PRId64 "\n", s->epoch, seq);
	/* Not synced: it only has to outlive the process, as the page
	 * cache does. A power cut cannot lose a FULL commit's WAL. */
	if (pwrite(s->mark_fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		log_warn("store: cannot write its mark file");
}

void
store_mark_close(struct store *s)
{
	if (s->mark_fd >= 0)
		close(s->mark_fd);
	s->mark_fd = -1;
}

/* The steps of a rollover, one transaction; ?1 the first seq recorded
 * after the rollback, ?2 the old epoch. */
static const char *const rollover_sql[] = {
	/* Unacked events from before it keep their identity. An undo of
	 * one of them cannot be said in a new epoch: it goes up under its
	 * own old identity too, and the bridge keeps it for review. */
	"INSERT OR IGNORE INTO salvage (epoch, seq, " EVSQL_COLUMNS ") "
	"SELECT ?2, seq, " EVSQL_COLUMNS " FROM events WHERE seq > "
	"(SELECT acked_upto FROM state) AND (seq < ?1 OR (kind = 'undo' AND "
	"undoes < ?1))",
	"CREATE TEMP TABLE moved AS SELECT row_number() OVER (ORDER BY seq) "
	"AS nseq, * FROM events WHERE seq >= ?1 AND NOT (kind = 'undo' AND "
	"undoes < ?1)",
	"UPDATE moved SET undoes = coalesce((SELECT m.nseq FROM moved m WHERE "
	"m.seq = moved.undoes), 0) WHERE undoes > 0",
	"DELETE FROM events",
	"INSERT INTO events (seq, " EVSQL_COLUMNS ") SELECT nseq, "
	EVSQL_COLUMNS " FROM moved ORDER BY nseq",
	"UPDATE state SET epoch = lower(hex(randomblob(16))), last_seq = "
	"(SELECT count(*) FROM moved), acked_upto = 0, last_ack_ms = 0",
};

/* Salvaged rows of an old epoch the bridge holds with other content, from
 * ?1 on (?2 the epoch): recorded again as new events of this one. */
static const char *const adopt_sql[] = {
	"CREATE TEMP TABLE adopt AS SELECT (SELECT last_seq FROM state) + "
	"row_number() OVER (ORDER BY seq) AS nseq, * FROM salvage WHERE "
	"epoch = ?2 AND seq >= ?1 AND NOT (kind = 'undo' AND undoes < ?1)",
	"UPDATE adopt SET undoes = coalesce((SELECT a.nseq FROM adopt a WHERE "
	"a.seq = adopt.undoes), 0) WHERE undoes > 0",
	"DELETE FROM salvage WHERE epoch = ?2 AND seq IN (SELECT seq FROM "
	"adopt)",
	"INSERT INTO events (seq, " EVSQL_COLUMNS ") SELECT nseq, "
	EVSQL_COLUMNS " FROM adopt ORDER BY nseq",
	"UPDATE state SET last_seq = last_seq + (SELECT count(*) FROM adopt)",
};

static int
rollover_step(struct store *s, const char *sql, int64_t from,
    const char *epoch)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(s, "rollover");
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, from);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_text(st, 2, epoch, -1, SQLITE_STATIC);
	rc = store_step(s, st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_err(s, "rollover");
}

static int64_t
rollover_count(struct store *s, const char *sql)
{
	int64_t n = store_pragma(s, sql);

	return n < 0 ? 0 : n;
}

static int
rollover_apply(struct store *s, int64_t from, struct store_rollover *r)
{
	size_t i;
	int rc;

	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	r->resent = -rollover_count(s, "SELECT count(*) FROM salvage");
	r->moved = 0;
	for (i = 0, rc = 0; i < nitems(rollover_sql) && rc == 0; i++)
		rc = rollover_step(s, rollover_sql[i], from, s->epoch);
	if (rc == 0) {
		r->resent += rollover_count(s, "SELECT count(*) FROM salvage");
		r->moved = rollover_count(s, "SELECT count(*) FROM moved");
		rc = store_step_done(s, ST_COMMIT);
	}
	if (rc != 0)
		store_step_done(s, ST_ROLLBACK);
	store_exec(s, "DROP TABLE IF EXISTS temp.moved");
	return rc;
}

static void
rollover_alarm(struct store *s, const struct store_rollback *why,
    const struct store_rollover *r)
{
	char detail[512];

	snprintf(detail, sizeof(detail), "{\"how\":\"%s\",\"old_epoch\":\"%s\","
	    "\"new_epoch\":\"%s\",\"store_last_seq\":%" PRId64 ","
	    "\"mark_seq\":%" PRId64 ",\"bridge_held\":%" PRId64 ","
	    "\"lost_here\":%" PRId64 ",\"moved\":%" PRId64 ",\"resent\":%"
	    PRId64 "}", why->how, r->old_epoch, r->new_epoch, r->last_seq,
	    why->mark_seq, why->bridge_held, why->mark_seq > r->last_seq ?
	    why->mark_seq - r->last_seq : 0, r->moved, r->resent);
	store_alarm_set(s, "store_rolled_back", detail, now_wall_ms());
	log_warnx("store: alarm: the store went back in time (%s: %s %lld, "
	    "the store's counter %lld%s): epoch %s ends; %lld events recorded "
	    "since are recorded again under the new epoch %s, %lld unacked "
	    "ones go up under the old one", why->how, why->mark_seq ?
	    "its mark file names seq" : "the bridge holds seq", (long long)
	    (why->mark_seq ? why->mark_seq : why->bridge_held),
	    (long long)r->last_seq, why->from <= r->last_seq ?
	    "; it holds the seqs from the first moved on with other content" :
	    "", r->old_epoch, (long long)r->moved, r->new_epoch,
	    (long long)r->resent);
}

void
store_lost_alarm(struct store *s, const char *old_epoch, int64_t seq)
{
	char detail[256];

	snprintf(detail, sizeof(detail), "{\"how\":\"local\",\"old_epoch\":"
	    "\"%s\",\"new_epoch\":\"%s\",\"store_last_seq\":0,\"mark_seq\":"
	    "%" PRId64 ",\"lost_here\":%" PRId64 ",\"moved\":0,\"resent\":0}",
	    old_epoch, s->epoch, seq, seq);
	store_alarm_set(s, "store_rolled_back", detail, now_wall_ms());
	log_warnx("store: alarm: the store was made anew, but its mark file "
	    "names epoch %s up to seq %lld: that store is gone; what the "
	    "bridge did not ack of it is lost here", old_epoch,
	    (long long)seq);
}

int
store_rollover(struct store *s, const struct store_rollback *why,
    struct store_rollover *r)
{
	struct store_stats ss;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = store_stats(s, &ss)) != 0)
		return rc;
	snprintf(r->old_epoch, sizeof(r->old_epoch), "%s", s->epoch);
	r->last_seq = ss.last_seq;
	/* It must land: on a full disk the reserve goes to it. */
	if ((rc = rollover_apply(s, why->from, r)) == -ENOSPC &&
	    store_room_give(s))
		rc = rollover_apply(s, why->from, r);
	if (rc != 0 ||
	    (rc = store_load_epoch(s)) != 0) {
		log_warnx("store: alarm: it went back in time but cannot start "
		    "a new epoch (%s)", strerror(-rc));
		return rc;
	}
	snprintf(r->new_epoch, sizeof(r->new_epoch), "%s", s->epoch);
	store_mark_write(s, r->moved);
	rollover_alarm(s, why, r);
	return 0;
}

static int
adopt_apply(struct store *s, const char *epoch, int64_t from, int64_t *n)
{
	size_t i;
	int rc;

	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	for (i = 0; i < nitems(adopt_sql) && rc == 0; i++)
		rc = rollover_step(s, adopt_sql[i], from, epoch);
	if (rc == 0) {
		*n = rollover_count(s, "SELECT count(*) FROM adopt");
		rc = store_step_done(s, ST_COMMIT);
	}
	if (rc != 0)
		store_step_done(s, ST_ROLLBACK);
	store_exec(s, "DROP TABLE IF EXISTS temp.adopt");
	return rc;
}

int64_t
store_salvage_adopt(struct store *s, const char *epoch, int64_t from)
{
	int64_t n = 0;
	int rc;

	if ((rc = adopt_apply(s, epoch, from, &n)) == -ENOSPC &&
	    store_room_give(s))
		rc = adopt_apply(s, epoch, from, &n);
	if (rc != 0 || n == 0)
		return rc;
	store_mark_write(s, store_pragma(s, "SELECT last_seq FROM state"));
	log_warnx("store: alarm: the bridge holds %s:%lld.. with other "
	    "content: %lld events recorded after the store went back are "
	    "recorded again under epoch %s", epoch, (long long)from,
	    (long long)n, s->epoch);
	return n;
}

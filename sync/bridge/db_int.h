/*
 * The bridge's database from inside: shared by db.c (schema, events, the
 * outbox, exceptions), db_guard.c (content hashes, conflicts, gaps,
 * alarms, enrolment, audit) and db_ops.c (what operators do). Nothing
 * else includes it.
 */
#ifndef POU_BRIDGE_DB_INT_H
#define POU_BRIDGE_DB_INT_H

#include <sqlite3.h>

#include "db.h"

enum { Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_INSERT, Q_ENQUEUE, Q_CONTIG, Q_NEXT,
	Q_DEVICE, Q_REJECT, Q_OB_NEXT, Q_OB_SET, Q_MAXSEQ, Q_BOOT_GET,
	Q_BOOT_SET, Q_EXC_ADD, Q_SERIAL, Q_ONHAND, Q_ONHAND_SET, Q_KIND,
	Q_REFLOG, Q_REFUSED, Q_REV, Q_SEQNO, Q_SEQNO_MAX, Q_COUNT };

enum { G_HASH, G_CONFLICT_ADD, G_CONFLICT_EXC, G_SETTLE, G_SETTLE_EXC,
	G_UNSETTLED, G_FLOOR,
	G_GAP, G_HELD, G_ALARM, G_ENROL_GET, G_ENROL_SET, G_AUDIT, G_COUNT };

struct db {
	sqlite3		*h;
	sqlite3_stmt	*q[Q_COUNT];
	sqlite3_stmt	*g[G_COUNT];
	int		 fail_at, steps;	/* db_fail_nth() */
	int		 txn_failed;	/* a step failed since db_begin */
};

/* db.c */
/* Every step of a statement goes through here: the one place a test makes
 * the Nth fail (db_fail_nth). */
int	db_step(struct db *, sqlite3_stmt *);
int	db_fail(struct db *, const char *what);
int	db_exec(struct db *, const char *sql);
/* Steps q (Q_*) to completion and resets it; 0 or a negative error. */
int	db_run(struct db *, int q);
void	bt(sqlite3_stmt *, int i, const char *v);
/* Runs sql with its arguments (types: a letter per ?N, t text or i
 * int64), calling fn (may be NULL) with each row's columns as text; the
 * rows, or < 0. */
int	db_rows(struct db *, const char *sql, db_row_fn, void *arg,
	    const char *types, ...);
/* Runs a statement that changes rows; how many it changed, or < 0. */
int	db_change(struct db *, const char *sql, const char *types, ...);

/* db_guard.c */
int	db_guard_prepare(struct db *);
void	db_guard_finalize(struct db *);

#endif

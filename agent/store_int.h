/*
 * The agent's store from inside: shared by store.c (events, acks, state),
 * store_space.c (quota, reserve, pruning) and store_epoch.c (the mark file
 * and a new epoch after a rollback). Nothing else includes it.
 */
#ifndef POU_STORE_INT_H
#define POU_STORE_INT_H

#include <limits.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

enum { ST_APPEND_SEQ, ST_INSERT, ST_ACK, ST_READ, ST_STATE, ST_OLDEST,
	ST_UPLINK, ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_DRIVER, ST_DRIVERS,
	ST_DRIVER_COUNTS,
	ST_SAL_PUT, ST_SAL_READ, ST_SAL_RELEASE, ST_SAL_COUNT, ST_ALARM_SET,
	ST_ALARM_CLEAR, ST_ALARMS, ST_UNDOABLE, ST_REF_VERSION, ST_REF_RECORD,
	ST_REF_ITEM, ST_REF_ANY, ST_REF_RECALLED, ST_REF_FILE_SEEN, ST_REF_GET,
	ST_SCHEDULE,
	ST_CMD_ADD, ST_CMD_STATE, ST_CMD_RESULT, ST_CMD_NEXT, ST_CMD_LIST,
	ST_RES_NEXT, ST_RES_DONE,
	ST_CMD_PRUNE, ST_PART_PUT, ST_PART_COUNT, ST_PARTS, ST_PART_DROP,
	ST_CONF_LIST, ST_CONF_TRY, ST_CONF_SET, ST_CONF_TRIAL, ST_CONF_KEEP,
	ST_CONF_UNDO_DEL, ST_CONF_UNDO_SET, ST_COUNT };

/* What the store may occupy on disk, and the room kept for acks. */
struct store_room {
	int64_t	quota;		/* bytes for db + WAL + reserve; 0: the disk */
	/* the WAL is cut back to this after a checkpoint */
	int64_t	wal_bytes;
	/* held in <path>-reserve for writes that must land */
	int64_t	reserve_bytes;
	int	reserve_fd;	/* -1 when not open */
	/* the reserve holds its bytes: appends may use the disk */
	int	reserve_ok;
	int	full;		/* an append found no room: none is tried until
				 * store_room_restore() finds some */
};

struct store {
	sqlite3			*db;
	sqlite3_stmt		*st[ST_COUNT];
	char			 epoch[33];
	int			 sync_full;
	char			 path[PATH_MAX];
	int			 mark_fd;	/* <path>-mark, or -1 */
	struct store_room	 room;
	/* a failed must-land write */
	int64_t			 keep_warned_ms;
	/* a reference file being loaded */
	sqlite3_stmt		*ref_ins;
	int			 ref_kind, ref_rows;
	int			 steps, fail_at;	/* store_fail_nth() */
};

/* store.c */
int	store_errno(struct store *, int rc);
int	store_err(struct store *, const char *what);
int	store_exec(struct store *, const char *sql);
/* Every statement the store runs is stepped here: sqlite3_step(), or the
 * Nth step an I/O error when a test asked for it with store_fail_nth(). */
int	store_step(struct store *, sqlite3_stmt *);
void	store_fail_nth(struct store *, int n);	/* 0: none */
int	store_step_done(struct store *, int i);
/* Binds v, which outlives the statement's step, as ?i. */
void	store_bind_text(sqlite3_stmt *, int i, const char *v);
/* Ends the transaction begun with ST_BEGIN: commits when rc is 0, else
 * rolls back; rc, or the commit's error. */
int	store_txn_end(struct store *, int rc);
int64_t	store_pragma(struct store *, const char *sql);
void	store_col_text(sqlite3_stmt *, int i, char *dst, size_t size);
int	store_load_epoch(struct store *);
/* A write besides the events: KEEP_ROOM it must land even on a full disk
 * (see store_room_give()); KEEP_LAZY committed without waiting for the
 * disk. */
#define KEEP_LAZY	0x1
#define KEEP_ROOM	0x2
int	store_keep(struct store *, int i, int how);
/* Commits from now on wait for the disk (1) or not (0), when the store's
 * setting is FULL; NORMAL stores never wait. */
void	store_sync(struct store *, int full);

/* store_cmd.c: moves id to state with its result, inside a transaction
 * the caller began (store_cmd_transition() is one of its own). */
int	store_cmd_state(struct store *, const char *id, const char *state,
	    const char *error, const char *detail, const char *data);

/* store_ref.c: the tables of the reference data (see store.h). */

/* store_space.c */
/* Opens <path>-reserve and makes it hold its bytes when the disk allows. */
void	store_room_open(struct store *);
void	store_room_close(struct store *);
/* Gives the reserve's bytes back to the disk; 1 when there were any. */
int	store_room_give(struct store *);
/* Sets the WAL's limits from the quota (journal_size_limit, checkpoint). */
int	store_room_limits(struct store *);

/* store_epoch.c */
/* Opens <path>-mark: the epoch and seq it names (""/0: none). Nothing is
 * written to it until the caller has dealt with what it says. */
void	store_mark_open(struct store *, int64_t last_seq, char epoch[33],
	    int64_t *seq);
/* The store is new, but its mark file names an epoch: the old one is
 * gone (deleted, or never out of the WAL): the alarm says so. */
void	store_lost_alarm(struct store *, const char *old_epoch, int64_t seq);
void	store_mark_write(struct store *, int64_t seq);
void	store_mark_close(struct store *);

#endif

/*
 * The agent's local store: every usage event, in SQLite, before anything
 * else happens to it. The row is the queue; only a bridge ack releases it.
 */
#ifndef POU_STORE_H
#define POU_STORE_H

#include <stdint.h>

#include "event.h"

struct store;

struct store_stats {
	char	epoch[33];
	int64_t	last_seq;
	int64_t	acked_upto;
	int64_t	unacked;
	int64_t	oldest_unacked_at_ms;	/* 0 when nothing is unacked */
	int64_t	last_ack_ms;		/* wall ms of the last ack, 0 if none */
	int64_t	salvage;		/* salvaged rows not yet acked */
	char	uplink[16];		/* the uplink's connection state */
	int64_t	uplink_since_ms;
};

/*
 * Opens (creating and migrating) the store; sync_full picks FULL over NORMAL.
 * -EBADMSG when SQLite finds the file damaged (see salvage_open()).
 */
int	store_open(const char *path, int sync_full, struct store **out);
/* Opens an existing store for pouctl: read-only unless writable. */
int	store_open_existing(const char *path, int writable, struct store **out);
void	store_close(struct store *);	/* NULL-safe */
/* Borrowed; valid until store_close(). */
const char *store_epoch(const struct store *);
/* Commits ev and sets ev->seq to the seq assigned in the same transaction. */
int	store_append(struct store *, struct event *ev);
/*
 * Releases every event with seq <= upto. 0 when applied or already covered;
 * -ERANGE when upto is beyond the last seq recorded (a foreign ack).
 */
int	store_ack(struct store *, int64_t upto, int64_t wall_ms);
/* Reads up to max events with seq > after, ascending; returns how many. */
int	store_read(struct store *, int64_t after, struct event *evs, int max);
int	store_stats(struct store *, struct store_stats *);
/* SQLite's quick check of every page: 0, -EBADMSG when damaged (logged). */
int	store_check(struct store *);
int	store_set_uplink(struct store *, const char *state, int64_t wall_ms);

/* An input driver's state, and what the front end counted of it since the
 * agent started (drivers/driver.h's struct driver_counts). */
struct store_driver {
	char	name[32];
	char	state[96];
	int64_t	since_ms;
	int64_t	scans;
	int64_t	last_ms;	/* wall ms of its last scan, 0 if none */
	int64_t	handle_max_ms;	/* its longest handler call */
	int64_t	slow;		/* handler calls that held up the loop */
};
typedef void (*store_driver_fn)(void *arg, const struct store_driver *);

int	store_set_driver(struct store *, const char *name, const char *state,
	    int64_t wall_ms);
/* Writes d's counts to its row (lazily: a power cut may lose the last). */
int	store_set_driver_counts(struct store *, const struct store_driver *d);
/*
 * The room on the disk (store_space.c). The quota covers the database, its
 * WAL and a reserve file; the reserve's bytes are given back to the disk
 * when it is full so that acks, pruning and start-up land, and scans are
 * refused (-ENOSPC) until they are held again.
 */
/* Bytes of the database and its WAL, and bytes free on its filesystem. */
int	store_space(struct store *, int64_t *db_bytes, int64_t *free_bytes);
/* Caps db + WAL + reserve at bytes (0: the disk); appends past it fail
 * -ENOSPC. */
int	store_set_quota(struct store *, int64_t bytes);
/* Bytes in use: pages holding data, the WAL and the reserve. */
int64_t	store_used(struct store *);
/* True when scans may be recorded: the reserve holds its bytes. */
int	store_room_ok(const struct store *);
/* Gives pruned pages back to the disk and takes the reserve again when it
 * fits; true when scans may be recorded. */
int	store_room_restore(struct store *);
/*
 * Deletes acked events recorded before before_wall_ms (all acked ones when
 * before_wall_ms is INT64_MAX), none past seq upto (the ones being sent
 * again to a bridge that lost them). Never an unacked one. How many.
 */
int64_t	store_prune(struct store *, int64_t before_wall_ms, int64_t upto);
int	store_drivers(struct store *, store_driver_fn, void *arg);
/* The last event of user in case that is no undo and not undone: 1. */
int	store_last_undoable(struct store *, const char *user,
	    const char *case_id, struct event *ev);

/*
 * The reference data on the device (store_ref.c): the item catalog and the
 * recall list, each replaced whole from its file (refdata.c parses it):
 * store_ref_begin(), a store_ref_row() per line, store_ref_commit() with
 * the file's version, or store_ref_abort(). flag[i] >= 0 binds field i
 * as that integer (a yes/no), -1 as the text f[i].
 */
enum { STORE_REF_CATALOG, STORE_REF_RECALLS, STORE_REF_SCHEDULE,
	STORE_REF_COUNT };
/* True when the version loaded of kind is this one. */
int	store_ref_current(struct store *, int kind, const char *version);
/* True when the file last read for kind had this version: a set the fleet
 * pushed since stays until the file changes. */
int	store_ref_file_seen(struct store *, int kind, const char *version);
/* The OR schedule's rows (room, start, end, case_id, mrn, encounter), by
 * start; fn's non-zero stops. */
typedef int (*store_row_fn)(void *arg, char **f);
int	store_schedule(struct store *, store_row_fn, void *arg);
/* The version of kind in use, "" for none. */
int	store_ref_version(struct store *, int kind, char *out, size_t len);
int	store_ref_begin(struct store *, int kind);
/* NULL, or why the row cannot be stored. */
const char *store_ref_row(struct store *, char *const *f, const int *flag);
/* from_file: the set is the file's, else the fleet's. */
int	store_ref_commit(struct store *, const char *version, int from_file,
	    int *rows);
void	store_ref_abort(struct store *);

struct store_item {
	char	desc[96];
	int	implant, lot_required, serial_required, active;
};
/* 1 with *out filled, 0 when not in the catalog, -ENOENT when none is
 * loaded, < 0 on error. */
int	store_catalog_item(struct store *, const char *di,
	    struct store_item *out);
int	store_catalog_loaded(struct store *);
/* 1 with the recall's id when (DI, lot, serial) is recalled, else 0; < 0
 * on error (logged). */
int	store_recalled(struct store *, const struct item *, char *id,
	    size_t len);

/*
 * Fleet commands (store_cmd.c). A command's id is taken once; its state
 * goes received -> executing -> successful | failed, each transition
 * committed with a result queued for the result topic, kept until it is
 * published. The parts of a reference set wait here until it is whole.
 */
#define STORE_CMD_ID	65	/* an id and its NUL */
struct store_cmd {
	char	 id[STORE_CMD_ID];
	char	 op[16];
	char	 state[12];
	char	*args;		/* JSON; owned: store_cmd_release() */
	int64_t	 exp;		/* seconds since the epoch */
	int64_t	 at_ms;		/* received (store_cmd_next), or updated */
};
struct store_result {
	int64_t	 n;		/* its place in the queue */
	char	 id[STORE_CMD_ID];
	char	 state[12];
	char	 error[24];
	char	 detail[160];
	char	*data;		/* JSON, or ""; owned */
	int64_t	 at_ms;
};
/* Takes c as received (its result queued); -EEXIST when the id was seen. */
int	store_cmd_add(struct store *, const struct store_cmd *c);
/* A refused command whose id can be believed: kept as failed, so the id
 * is spent, with its result; -EEXIST when the id was seen. */
int	store_cmd_refused(struct store *, const struct store_cmd *c,
	    const char *error, const char *detail);
/* Moves id to state; error, detail and data (JSON) go with its result. */
int	store_cmd_transition(struct store *, const char *id, const char *state,
	    const char *error, const char *detail, const char *data);
/* The oldest command still to run (received or executing): 1, or 0. */
int	store_cmd_next(struct store *, struct store_cmd *);
typedef void (*store_cmd_fn)(void *arg, const struct store_cmd *);
/* The newest max commands, newest first. */
int	store_cmd_list(struct store *, int max, store_cmd_fn, void *arg);
void	store_cmd_release(struct store_cmd *);
/* The oldest result not yet published: 1, or 0; store_result_done() once
 * the broker has it. */
int	store_result_next(struct store *, struct store_result *);
int	store_result_done(struct store *, int64_t n);
void	store_result_release(struct store_result *);
/* Forgets finished commands that expired before before_s: their ids can
 * no longer be replayed (exp refuses them first). */
int	store_cmd_prune(struct store *, int64_t before_s);
/* Part part of parts of kind's set version (rows as JSON); 1 when the set
 * is whole now, 0 when parts are missing, < 0 on error. */
int	store_part_put(struct store *, const char *kind, const char *version,
	    int part, int parts, const char *rows, int64_t now_ms);
typedef int (*store_part_fn)(void *arg, const char *rows);
/* Hands each part's rows in order to fn; stops at fn's first non-zero. */
int	store_parts(struct store *, const char *kind, const char *version,
	    store_part_fn fn, void *arg);
/* Drops kind's set version (every one of kind's for ""), and parts older
 * than before_ms of any set. */
int	store_parts_drop(struct store *, const char *kind, const char *version,
	    int64_t before_ms);

/*
 * Configuration keys set by fleet commands (store_config.c), applied over
 * the file at every start and reload. A change is tried: the values it
 * replaced are kept until store_config_keep(), or put back by
 * store_config_undo().
 */
typedef void (*store_config_fn)(void *arg, const char *section,
	    const char *key, const char *value);
int	store_config_list(struct store *, store_config_fn, void *arg);
/* Sets n keys for command id in one transaction, on trial until
 * deadline_ms (wall clock). */
int	store_config_try(struct store *, const char *id, int n,
	    const char *const *section, const char *const *key,
	    const char *const *value, int64_t deadline_ms);
/* 1 with *deadline_ms when id's change is on trial, 0 when not, < 0. */
int	store_config_trial(struct store *, const char *id,
	    int64_t *deadline_ms);
/* Each ends id's trial and moves the command to its terminal state (with
 * its result) in the same transaction. */
int	store_config_keep(struct store *, const char *id, const char *detail);
int	store_config_undo(struct store *, const char *id, const char *error,
	    const char *detail);

/*
 * Rows read back from a damaged store keep their identity (old epoch, seq)
 * and go up before new ones; an ack for that epoch releases them. Rows whose
 * epoch could not be read are kept under "" and never sent.
 */
int	store_salvage_put(struct store *, const char *epoch,
	    const struct event *evs, int n);
/* Up to max rows of the oldest sendable epoch, ascending; how many. */
int	store_salvage_read(struct store *, char *epoch, size_t epochlen,
	    struct event *evs, int max);
int	store_salvage_release(struct store *, const char *epoch, int64_t upto);
/* The bridge holds epoch's seqs from from on with other content (they were
 * recorded after the store went back): those rows are recorded again as
 * new events of the current epoch. How many, or < 0. */
int64_t	store_salvage_adopt(struct store *, const char *epoch, int64_t from);

/*
 * The store went back in time (store_epoch.c): events from seq from on were
 * recorded after the rollback. They are recorded again under a new epoch;
 * the unacked ones before from go up under the old identity (salvage);
 * everything else of the old epoch is deleted (the bridge holds it). The
 * retained alarm store_rolled_back keeps the counts. store_open() does this
 * itself when the mark file is ahead of the store.
 */
struct store_rollback {
	/* "local" (the mark file) or "bridge" */
	const char	*how;
	int64_t		 from;
	/* the mark file's seq; 0: not the witness */
	int64_t		 mark_seq;
	/* the bridge's highest seq; 0: unknown */
	int64_t		 bridge_held;
};
struct store_rollover {
	char	old_epoch[33], new_epoch[33];
	int64_t	last_seq;	/* the store's counter when it was found */
	int64_t	moved;		/* recorded again under the new epoch */
	int64_t	resent;		/* unacked, kept under the old identity */
};
int	store_rollover(struct store *, const struct store_rollback *,
	    struct store_rollover *);

/* Alarms: one per kind, detail a JSON object, kept until cleared. */
typedef void (*store_alarm_fn)(void *arg, const char *kind, int64_t at_ms,
	    const char *detail);
int	store_alarm_set(struct store *, const char *kind, const char *detail,
	    int64_t wall_ms);
int	store_alarm_clear(struct store *, const char *kind);
int	store_alarms(struct store *, store_alarm_fn, void *arg);

#endif

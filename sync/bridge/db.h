/*
 * The bridge's database, the one way in: every statement on it runs in
 * db*.c, behind the functions below, for the bridge's threads and for
 * pouctl alike. A second backend implements this header.
 */
#ifndef POU_BRIDGE_DB_H
#define POU_BRIDGE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "bridge.h"
#include "buf.h"

struct db;

/* An outbox row's state (a delivery's); db_ob_state_name() spells it. */
enum ob_state { OB_PENDING, OB_DONE, OB_FAILED, OB_DEAD, OB_STATE_COUNT };
/*
 * An exception's state. Open holds the event for a person, who resolves
 * it (supplies what was missing), releases it (the event goes on) or
 * discards it; a warning holds nothing.
 */
enum exc_state { EXC_OPEN, EXC_RESOLVED, EXC_RELEASED, EXC_DISCARDED,
	EXC_WARNING, EXC_STATE_COUNT };
const char *db_ob_state_name(enum ob_state);
const char *db_exc_state_name(enum exc_state);

/* Opening: DB_SYNC_FULL commits to the platter; DB_EXISTING refuses to
 * create the file (-ENOENT when there is none). */
#define DB_SYNC_FULL	0x1
#define DB_EXISTING	0x2
int	db_open(const char *path, int flags, struct db **);
void	db_close(struct db *);
int	db_begin(struct db *);
int	db_commit(struct db *);
void	db_rollback(struct db *);

/* For tests: the nth statement step from now fails as an I/O error
 * would (0: none), so that every caller's error path can be run. */
void	db_fail_nth(struct db *, int n);

/* Rows for pouctl, as text ("" for none), borrowed for the call. */
#define DB_ROW_MAX	24
typedef void (*db_row_fn)(void *arg, const char *const *col, int n);

/* --- intake (db.c) --- */

/* 1 when stored now, 0 when already held (a resend), <0 on error. */
int	db_insert_event(struct db *, struct bevent *, int64_t received_ms);
/* One delivery of an event to a destination, for its outbox. */
struct db_delivery {
	const char	*dest;
	int64_t		 event_id;
	const char	*name;		/* file name for file drops */
	const char	*control_id;	/* MSH-10, or the ERP key */
	const char	*payload;
	/* the ledger's key: the event identity */
	const char	*ident;
	int		 rev;		/* 0, or how often it was rebuilt */
};
int	db_enqueue(struct db *, const struct db_delivery *);
/* The revision a message for (dest, event) gets now: 0 when it is the
 * first, one more than the last one refused. */
int	db_outbox_rev(struct db *, const char *dest, int64_t event_id);
/* Advances and returns the contiguous prefix held for (device, epoch),
 * first moved to past when that is beyond it (a gap declared). */
int	db_advance(struct db *, const char *site, const char *device,
	    const char *epoch, int64_t past, int64_t *upto);
/* The contiguous prefix held for (device, epoch); 0 when none. */
int64_t	db_contig(struct db *, const char *device, const char *epoch);
/* The highest seq held for (device, epoch), 0 when none. */
int64_t	db_max_seq(struct db *, const char *device, const char *epoch);
int	db_reject(struct db *, const char *topic, const char *reason,
	    const void *payload, size_t len);
/* An exception for a rule's finding: open when disposition holds a
 * destination (HOLD_BILLING, HOLD_ERP), else a warning. */
int	db_exception_add(struct db *, int64_t event_id, const char *rule,
	    const char *reason, int disposition, int64_t now_ms);
/* True when another use of be's DI and serial is held. */
int	db_serial_seen(struct db *, const struct bevent *be);
/* Released events not yet queued: calls fn for each, in a transaction. */
typedef int (*db_release_fn)(void *arg, struct bevent *be, int holds);
int	db_releases(struct db *, db_release_fn fn, void *arg);
/* The wall ms at CLOCK_BOOTTIME 0 of a device's boot; INT64_MIN: unknown. */
int64_t	db_boot_offset(struct db *, const char *device, const char *boot);
/* Keeps the smallest offset seen for the boot. */
int	db_boot_learn(struct db *, const char *device, const char *boot,
	    int64_t offset_ms);
/* The estimated on-hand of a DI at a PAR location; dflt when unknown. */
int64_t	db_onhand(struct db *, const char *erp_location, const char *di,
	    int64_t dflt);
int	db_onhand_set(struct db *, const char *erp_location, const char *di,
	    int64_t qty);
/* The kind of the event (device, epoch, seq); 0, or -1 when none. */
int	db_event_kind(struct db *, const char *device, const char *epoch,
	    int64_t seq, char *kind, size_t len);
/* Notes that the bridge loaded a reference file. */
int	db_refdata_loaded(struct db *, const char *kind, const char *version,
	    size_t rows, const char *path);

/* --- delivery (db.c), for the outbox threads --- */

struct db_outrow {
	int64_t		id;
	char		name[160];
	/* MSH-10, or the ERP key */
	char		control_id[EVENT_ID_MAX];
	char		ident[EVENT_ID_MAX + 16];	/* the ledger's key */
	struct buf	payload;	/* owned by the caller, reused */
	int		attempts;
	int64_t		next_ms;	/* wall ms */
	int64_t		seqno;		/* HL7 MSH-13 given; 0 none yet */
	int		unsure;		/* attempts that may have arrived */
};

/* The oldest pending row of dest: 1 and r filled, 0 when none, <0 error. */
int	db_outbox_next(struct db *, const char *dest, struct db_outrow *r);
/* Records an attempt: pending again (at next_ms), done, failed or dead;
 * unsure 1: its outcome is not known (it may have arrived); -1: the
 * receiver says it has the message once (attempts before count none). */
int	db_outbox_set(struct db *, int64_t id, enum ob_state,
	    int64_t next_ms, const char *error, int unsure);
/* Gives the row its HL7 sequence number (when it has none). */
int	db_outbox_seqno(struct db *, int64_t id, int64_t seqno);
/* The highest HL7 sequence number dest's rows were given; 0 none. */
int64_t	db_outbox_seqno_max(struct db *, const char *dest);
/* A refused delivery: failed, and an exception (rule dest_refused, the
 * answer as reason) in one transaction. */
int	db_outbox_refused(struct db *, int64_t id, const char *error);

/* --- the second defence (db_guard.c) --- */

/* be's identity is held: 1 with the same content (a resend), 0 with other
 * content (a conflict); < 0 not held, or an error; *held_id the held row. */
int	db_event_same(struct db *, const struct bevent *be, int64_t *held_id);
/* Keeps be's other content (json) beside the held event, with an open
 * identity_conflict exception; 1 when new, 0 when already kept. */
int	db_conflict_add(struct db *, const struct bevent *be, int64_t held_id,
	    const char *topic, const char *json, int64_t now_ms);
/* The first seq of (device, epoch) kept as a conflict; 0 when none. */
int64_t	db_conflict_floor(struct db *, const char *device, const char *epoch);
/* True when device has conflicts kept that no later event settled. */
int	db_conflicts_unsettled(struct db *, const char *device);
/* be was stored under a new identity: a kept conflict with its content is
 * noted so (its exception stays open for a person). 1 when one was. */
int	db_conflict_settle(struct db *, const struct bevent *be,
	    int64_t now_ms);
/* Seqs first..last the cart no longer holds; *lost of them not held here. */
int	db_gap_add(struct db *, const char *device, const char *epoch,
	    int64_t first, int64_t last, int64_t *lost);
/* Raises (or repeats, counted) an alarm; detail is JSON. */
int	db_alarm(struct db *, const char *kind, const char *device,
	    const char *epoch, const char *detail);
enum { DB_UNKNOWN, DB_ENROLLED, DB_RETIRED };
/* DB_* for device with its enrolled site, or < 0 on error. */
int	db_enrolment(struct db *, const char *device, char *site, size_t len);
/* Enrols (state "enrolled") or retires a device; audited with by. */
int	db_enrol(struct db *, const char *device, const char *site,
	    const char *state, const char *by);
/* device, site, state, by, at */
int	db_enrolments(struct db *, db_row_fn, void *arg);
/* kind, device, epoch, count, at, detail, cleared_by; all: cleared too */
int	db_alarms(struct db *, int all, db_row_fn, void *arg);
/* How many were cleared, or < 0. */
int	db_alarm_clear(struct db *, const char *kind, const char *device,
	    const char *by);
/* at, by, what, before, after */
int	db_audit(struct db *, db_row_fn, void *arg);

/* --- what operators do (db_ops.c); times are wall ms as text --- */

/* The exception queue: id, state, rule, event, di, lot, case, hold,
 * reason; all: the settled ones too. */
int	db_exceptions(struct db *, int all, db_row_fn, void *arg);
/* Exception id's event and each of its exceptions, a row each: id, state,
 * rule, hold, reason, changed_by, note, event, kind, qty, di, lot, serial,
 * expiry, case, mrn, encounter, user, room. The rows, or < 0. */
int	db_exception_history(struct db *, int64_t id, db_row_fn, void *arg);
/* The states an exception may move to state to from: 1 << EXC_* bits. */
unsigned db_exception_from(enum exc_state to);
/* Moves the exceptions of exception id's event that may go to to; note
 * kept unless "". The rows moved (0: none could), or < 0. */
int	db_exception_move(struct db *, int64_t id, enum exc_state to,
	    const char *by, const char *note);
/* What a person may supply when resolving, as the event's fields. */
enum exc_field { XF_ENCOUNTER, XF_LOT, XF_SERIAL, XF_MRN, XF_CASE, XF_COUNT };
const char *db_exception_field_name(enum exc_field);
struct db_fix {
	enum exc_field	 field;
	const char	*value;
};
/* Sets the fixes on exception id's event and resolves its open
 * exceptions (note: what was supplied), in one transaction; the rows
 * resolved (0: nothing open, nothing changed), or < 0. */
int	db_exception_resolve(struct db *, int64_t id, const struct db_fix *,
	    int n, const char *by, const char *note);

/* Which failed and dead deliveries to send again (done ones never). */
struct db_replay {
	enum { REPLAY_EVENT, REPLAY_DEVICE, REPLAY_RECEIVED, REPLAY_ALL } by;
	const char	*device, *epoch;	/* EVENT: all three; DEVICE */
	int64_t		 seq;
	int64_t		 from_ms, to_ms;	/* RECEIVED: [from, to) */
	const char	*dest;			/* NULL: every destination */
};
/* The deliveries queued again, or < 0. */
int	db_replay(struct db *, const struct db_replay *);

/* One event's lineage, scan to posting: 1 found, 0 none, < 0 error. */
struct db_trace {
	/* id, at, at_fixed, time_quality, received, kind, qty, di, lot,
	 * serial, case, encounter, user, room, source, charge_code
	 * ("" none), price_cents */
	db_row_fn	 event;
	/* rule, state, hold, reason, changed, by, note */
	db_row_fn	 exception;
	/* dest, state, attempts, created, done, answer, last_error,
	 * control_id */
	db_row_fn	 delivery;
	void		*arg;
};
int	db_trace(struct db *, const char *device, const char *epoch,
	    int64_t seq, const struct db_trace *);

/*
 * The reconciliation of the events received in [from, to) (at site, or
 * all when ""): rows of (group, column, count): billing and erp, each
 * event in one column of each; used; per destination the deliveries that
 * may have arrived twice or were known from the ledger; and "missing",
 * column "billing/erp ident", for each event in no column.
 */
int	db_report(struct db *, int64_t from_ms, int64_t to_ms,
	    const char *site, db_row_fn, void *arg);

/* Notes a reference file imported by a person. */
int	db_refdata_imported(struct db *, const char *kind, const char *version,
	    size_t rows, const char *path, const char *by);
/* The last load (imported 0) or import of kind: version, at, by; 1 when
 * there is one, 0 none, < 0 error. */
int	db_refdata_last(struct db *, const char *kind, int imported,
	    db_row_fn, void *arg);

/* PAR estimates: erp_location, di, qty, changed, counted_by. */
int	db_onhand_list(struct db *, db_row_fn, void *arg);
/* A shelf count sets the estimate, with who counted. */
int	db_onhand_count(struct db *, const char *erp_location, const char *di,
	    int64_t qty, const char *by);

/*
 * The fleet (db_fleet.c): the registry of carts from their status and
 * telemetry, the commands sent, each cart's results (once per command,
 * cart and state). 0 or -EIO unless said.
 */
int	db_device_status(struct db *, const char *device, const char *site,
	    const char *state, const char *epoch, const char *version,
	    int64_t now_ms);
int	db_device_telemetry(struct db *, const char *device, const char *site,
	    const char *json, int64_t now_ms);
/* json: the cart's alarms, a JSON array. */
int	db_device_alarms(struct db *, const char *device, const char *site,
	    const char *json, int64_t now_ms);
/* Each site the registry or the enrolment list knows. */
int	db_rows_sites(struct db *, db_row_fn, void *arg);
/* device, site, state, since_ms, version, epoch, telemetry, telemetry_ms,
 * enrolment state, alarms (a JSON array). */
int	db_devices_registry(struct db *, db_row_fn, void *arg);
/* -EEXIST when the id was sent before. */
int	db_fleet_add(struct db *, const char *id, const char *op,
	    const char *aud, int64_t exp, const char *jws, const char *by,
	    int64_t now_ms);
/* id, aud, jws of the commands not yet published. */
int	db_fleet_unsent(struct db *, db_row_fn, void *arg);
int	db_fleet_sent(struct db *, const char *id, int64_t now_ms);
/* id, aud, jws of the live commands device has no terminal result for
 * (whether they name it is the caller's to check). */
int	db_fleet_pending(struct db *, const char *device, int64_t now_s,
	    db_row_fn, void *arg);
int	db_fleet_result(struct db *, const char *device, const char *id,
	    const char *state, const char *error, const char *detail,
	    const char *data, int64_t at_ms, int64_t now_ms);
/* id, op, aud, exp, by, created_ms, sent_ms ("" not yet). */
int	db_fleet_command(struct db *, const char *id, db_row_fn, void *arg);
int	db_fleet_commands(struct db *, db_row_fn, void *arg);
/* data of the successful installs of kind ("recalls"), newest first. */
int	db_fleet_installed(struct db *, const char *kind, db_row_fn,
	    void *arg);
/* device, state, error, detail, data, at_ms: each cart's furthest state. */
int	db_fleet_results(struct db *, const char *id, db_row_fn, void *arg);
/* id, state, error, detail, at_ms: a cart's last 20 commands. */
int	db_fleet_device_results(struct db *, const char *device, db_row_fn,
	    void *arg);

#endif

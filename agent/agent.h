/*
 * pou-agent's private header: the daemon's context and its files' prototypes.
 */
#ifndef POU_AGENT_H
#define POU_AGENT_H

#include <stdint.h>

#include "board.h"
#include "codes/codes.h"
#include "driver.h"
#include "jws.h"
#include "store.h"
#include "uplink.h"

#define AGENT_DRIVERS_MAX	8
#define CTX_PREFIX_MAX		16

struct agent_conf {
	char			 site[64];
	char			 device[64];
	char			 room[64];
	char			 unit[64];
	char			 store_path[256];
	int			 sync_full;
	/* 0: bounded by the disk only */
	long long		 quota_mb;
	/* acked events kept this long */
	long long		 retention_days;
	struct uplink_conf	 mqtt;
	char			 case_prefix[CTX_PREFIX_MAX];
	char			 mrn_prefix[CTX_PREFIX_MAX];
	char			 enc_prefix[CTX_PREFIX_MAX];
	char			 user_prefix[CTX_PREFIX_MAX];
	long long		 context_timeout_s;
	/* a stopped item waits */
	long long		 override_window_s;
	/* POU:UNDO reaches this far back */
	long long		 undo_window_s;
	char			 catalog[256];	/* reference files; "" none */
	char			 recalls[256];
	char			 schedule[256];	/* the OR schedule; "" none */
	long long		 assembly_window_ms;
	char			 board[16];	/* console, null, hardware */
	/* hardware: the board file */
	char			 board_desc[256];
	/* "" for none, or /dev/watchdog */
	char			 watchdog[256];
	/* for pouctl; "" none */
	char			 state_file[256];
	long long		 watchdog_kick_s;
	/* [fleet] keys: public key files, by spaces */
	char			 fleet_keys[256];
	/* a configuration command's change must bring the uplink back */
	long long		 fleet_trial_s;
	struct driver		*drivers[AGENT_DRIVERS_MAX];	/* owned */
	int			 ndrivers;
};

/* The point-of-use context: who, for which case and patient. */
struct session {
	char	case_id[EV_STR];
	char	mrn[EV_STR];
	char	encounter[EV_STR];
	char	user[EV_STR];
	/* monotonic time of the last context or item scan */
	int64_t	last_ms;
	/* The next item's action ("" for use) and quantity (0 for 1). */
	char	kind[10];
	int	qty;
	/* An item stopped (expired, recalled), waiting for POU:OVERRIDE. */
	int		has_stopped;
	int64_t		stopped_until;	/* monotonic deadline */
	struct event	stopped;
	/* Half of a two-symbol label, waiting for its other half. */
	int			has_pending;
	int64_t			pending_until;	/* monotonic deadline */
	struct code_result	pending;
	struct scan		pending_scan;
};

#define FEEDBACK_KEEP	10	/* outcomes kept for pouctl status */
#define SCHEDULE_MAX	64	/* scheduled cases kept for this room */

/* A scheduled case of this cart's room (schedule.c). */
struct slot {
	int64_t	start_ms, end_ms;	/* wall clock */
	char	case_id[EV_STR];
	char	mrn[EV_STR];
	char	encounter[EV_STR];
	int	applied;
};

struct outcome {
	int64_t			at_ms;
	enum board_signal	sig;
	char			why[160];
};

/* What the session did since the start (session.c; logged at the stop). */
struct tally {
	unsigned long	recorded, refused, store_errors, abandoned;
};

/* The store as housekeeping.c watches it; broken is session.c's. */
struct store_health {
	int64_t	next_ms;	/* the next housekeeping pass */
	int	alarm_level;	/* 0, 50, 80, 95 (% of the quota) */
	int	fill_pct;	/* -1: no quota */
	int	full;		/* the last append found no room */
	int	broken;		/* the last append failed: I/O */
};

/* The watchdogs (watchdog.c). */
struct watchdogs {
	int	fd;		/* the hardware watchdog, or -1 */
	int64_t	systemd_ms;	/* systemd's: feed period, 0 none */
	int64_t	next_ms;
	int	starving;
};

/* The last outcomes told to the person, for pouctl status (feedback.c). */
struct outcomes {
	struct outcome	out[FEEDBACK_KEEP];	/* a ring */
	int		head, n;
	int		state_warned;
};

/* Fleet commands (fleet.c): the keys they must be signed with. */
#define FLEET_INBOX	16	/* commands taken off the wire, not yet read */

struct fleet {
	struct jws_keys	keys;
	/* A ring: each is checked in its own loop turn, between scans. */
	struct {
		char	*p;
		size_t	 len;
	}		inbox[FLEET_INBOX];
	int		in_head, in_n;
	unsigned long	dropped;	/* a full inbox: the bridge resends */
	int64_t		dropped_warned_ms;
	int		work;		/* a command or result may be waiting */
	int64_t		next_ms;	/* the next look when there is none */
	int64_t		prune_ms;	/* the next prune of old ids */
	int		restart;	/* a restart command asked to stop */
};

/* The cart's TLS certificate, watched for its end (cert.c). */
struct cert_watch {
	int64_t		next_ms;	/* the next look */
	int		days;		/* left; -1 past it, INT_MAX none,
					 * INT_MIN not looked at yet */
};

/* This room's scheduled cases (schedule.c). */
struct schedule {
	struct slot	slots[SCHEDULE_MAX];
	int		n;
};

struct agent {
	struct agent_conf	 conf;
	const char		*conf_path;
	char			 boot[40];
	struct store		*store;
	struct uplink		*uplink;
	struct board		*board;
	struct session		 sess;
	struct tally		 tally;
	struct store_health	 health;
	struct watchdogs	 wd;
	struct outcomes		 fb;
	struct schedule		 sched;
	struct fleet		 fleet;
	struct cert_watch	 cert;
};

/* cert.c: the alarms cert_expiring (30 days before its end) and
 * cert_expired, checked now, and hourly by cert_tick(). */
void	cert_check(struct agent *);
void	cert_tick(struct agent *, int64_t now_ms);

/* conf.c */
/* Loads path into c; prints every error as file:line; 0 or the error count. */
int	agent_conf_load(const char *path, struct agent_conf *c);
void	agent_conf_free(struct agent_conf *c);	/* frees the drivers */
/* One key as a fleet command sets it: only the keys a reload applies; 0,
 * or -1 with err said. */
int	agent_conf_set(struct agent_conf *c, const char *section,
	    const char *key, const char *value, char *err, size_t errlen);

/* schedule.c */
/* Loads [reference] schedule's file when it changed (all or nothing),
 * then this room's cases from the store. */
void	schedule_load(struct agent *);
/* This room's cases from the store again (a fleet push). */
void	schedule_refresh(struct agent *);
/* Sets a scheduled case that has started when no case is set. */
void	schedule_tick(struct agent *);

/* feedback.c */
/* Tells the person (the board) and pouctl (the state file). */
void	feedback(struct agent *, enum board_signal, const char *why);
/* Rewrites the state file (the context changed without a signal). */
void	feedback_state(struct agent *);

/* watchdog.c */
void	watchdog_start(struct agent *);
int	watchdog_timeout(const struct agent *, int64_t now_ms);
/* Feeds the watchdogs when due, unless the store is failing. */
void	watchdog_tick(struct agent *, int64_t now_ms);
void	watchdog_stop(struct agent *);	/* disarms on a clean stop */

/* housekeeping.c */
int64_t	housekeeping_now(struct agent *);
/* The store is full (1) or has room again (0): log lines and the alarm. */
void	housekeeping_full(struct agent *, int full);
int	housekeeping_timeout(struct agent *, int64_t now_ms);
void	housekeeping_tick(struct agent *, int64_t now_ms);

/* fleet.c */
/* Loads [fleet] keys and takes commands from the uplink (again after a
 * reload); without keys none are taken. The number of bad key files. */
int	fleet_start(struct agent *);
/* Loads [fleet] keys alone (pou-agent -n); the number of bad files. */
int	fleet_load_keys(struct agent *);
void	fleet_stop(struct agent *);
int	fleet_timeout(struct agent *, int64_t now_ms);
/* Runs one waiting command and sends one waiting result. */
void	fleet_tick(struct agent *, int64_t now_ms);
/* fleet_ops.c: the configuration keys fleet commands set, over c. */
void	fleet_config_apply(struct agent *, struct agent_conf *c);
/* fleet_ops.c: runs c; 0, -1 with error and detail said, 1 while it
 * still runs (a restart, a configuration on trial), or FLEET_RECORDED
 * when it ended with its terminal state recorded in the same transaction
 * as its work (a configuration kept or undone). data: a JSON object for
 * the result, or NULL. */
#define FLEET_RECORDED	2
int	fleet_run(struct agent *, const struct store_cmd *c, char *error,
	    size_t elen, char *detail, size_t dlen, char **data);

/* checks.c */
#define CHECKS_STOP	(EVF_EXPIRED | EVF_RECALLED)
/* Flags ev; returns its stop flags, with why for the person at the cart. */
unsigned checks_run(struct agent *, struct event *ev, char *why, size_t len);

/* command.c */
/* 1 when sc is a POU: command barcode (handled), else 0. */
int	command_scan(struct agent *, const struct scan *sc);

/* session.c */
/* A scan's text after the scanner's AIM id, if any (a HID POS scanner sends
 * "]C0CASE:..." for a Code 128 label); its length in *len. */
const char *scan_text(const struct scan *, size_t *len);
/* Records the stopped item with the override flag and the current user. */
void	session_override(struct agent *);
/* Settles a held half-label: a product alone recorded, a lot refused. */
void	session_flush(struct agent *);
/* Gives up a stopped item: it is not recorded. */
void	session_abandon(struct agent *);
void	session_reset_action(struct session *);
/* Records the compensating event of this user's last item in this case. */
void	session_undo(struct agent *);
/* Clears case, patient and pending action (the user stays). */
void	session_end(struct agent *, const char *why);
/* The driver sink: one scan in, context set or an event recorded or refused. */
void	session_scan(void *agent, const struct scan *scan);
/* ms until the context expires, -1 when none is set. */
int	session_timeout(struct agent *, int64_t now_ms);
void	session_tick(struct agent *, int64_t now_ms);

#endif

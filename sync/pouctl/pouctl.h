/* pouctl's private header: a file per group of verbs (main.c has the table). */
#ifndef POU_POUCTL_H
#define POU_POUCTL_H

/* The files the verbs work on, from the options. */
struct ctl {
	const char	*conf;		/* the agent's configuration */
	/* the agent's store; NULL: the config's */
	const char	*store;
	const char	*bridge_db;
	const char	*bridge_conf;
};

/* status.c: argv[0] is "status" or "clear-alarm", on this cart's store. */
int	ctl_cart(const struct ctl *, int argc, char *argv[]);

/* decode.c: argv[0] is "decode". Returns the exit status. */
int	ctl_decode(const char *none, int argc, char *argv[]);
/* fleet.c: argv[0] is "fleet": keygen, sign, verify, sign-set, and
 * (fleet_bridge.c, on the bridge's database) send, ls, show, status. */
int	ctl_fleet(const char *bridge_db, int argc, char *argv[]);
int	fleet_central(const char *bridge_db, int argc, char *argv[]);
/* fleet.c: "90", "30m", "12h", "7d" as seconds; -1 for anything else. */
long long fleet_parse_ttl(const char *);
/* fleet_set.c: argv[0] is "sign-set". */
int	fleet_sign_set(int argc, char *argv[]);
/* exceptions.c: argv[0] is "exceptions", on the bridge's database. */
int	ctl_exceptions(const char *bridge_db, int argc, char *argv[]);

/* bridge.c: the bridge's database, waiting out its writers; created
 * (and its schema made) only when create; NULL (said on stderr) when it
 * cannot be opened. */
struct db *ctl_bridge_open(const char *path, int create);
/* bridge.c: who does it: "--by NAME" at the end of argv (taken
 * off), else the (sudo) user. */
const char *ctl_by(int *argc, char **argv);
/* bridge.c: a time from the database (wall ms as text) in ISO 8601,
 * in out; "-" when there is none. */
const char *ctl_time(const char *ms, char out[32]);
/* outbox.c: argv[0] is the verb, on the bridge's database. */
int	ctl_replay(const char *bridge_db, int argc, char *argv[]);
int	ctl_trace(const char *bridge_db, int argc, char *argv[]);
int	ctl_report(const char *bridge_db, int argc, char *argv[]);

/* devices.c: argv[0] is the verb, on the bridge's database. */
int	ctl_devices(const char *bridge_db, int argc, char *argv[]);
int	ctl_alarms(const char *bridge_db, int argc, char *argv[]);
int	ctl_audit(const char *bridge_db, int argc, char *argv[]);

/* refdata.c: argv[0] is "refdata" (on bridge.conf's files and
 * database) or "onhand" (on the bridge's database). */
int	ctl_refdata(const char *bridge_conf, int argc, char *argv[]);
int	ctl_onhand(const char *bridge_db, int argc, char *argv[]);

#endif

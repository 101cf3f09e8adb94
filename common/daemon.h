/* What both daemons share: options, signals, systemd notifications. */
#ifndef POU_DAEMON_H
#define POU_DAEMON_H

#include <signal.h>
#include <stdint.h>

/* Set by the signal handlers; the loops poll them. */
extern volatile sig_atomic_t daemon_quit, daemon_reload;

struct daemon_opts {
	const char	*prog;		/* "pou-agent" */
	const char	*conf_path;	/* set to the default before parsing */
	const char	*check_text;	/* what -n checks */
	const char	*hup_text;	/* what SIGHUP reloads */
	int		 check;
	int		 verbose;
};

/*
 * Parses -c FILE, -n, -v, --help and --version. Returns -1 to go on, or
 * the status to exit with (after printing help, the version or usage).
 */
int	daemon_args(int argc, char *argv[], struct daemon_opts *);
/* sd_notify(3)'s message (READY=1, WATCHDOG=1, STOPPING=1) to systemd's
 * NOTIFY_SOCKET; nothing without one. */
void	daemon_notify(const char *msg);
/* How often to send WATCHDOG=1 (half of WATCHDOG_USEC) when systemd asks
 * this process for it, else 0. */
int64_t	daemon_watchdog_ms(void);
/* SIGTERM/SIGINT set daemon_quit, SIGHUP daemon_reload; SIGPIPE ignored. */
void	daemon_signals(void);

#endif

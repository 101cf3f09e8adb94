/* What both daemons share at start: options, signals. */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

volatile sig_atomic_t daemon_quit, daemon_reload;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		daemon_reload = 1;
	else
		daemon_quit = 1;
}

static void
usage(FILE *f, const struct daemon_opts *o)
{
	fprintf(f, "usage: %s [-nv] [-c file]\n"
	    "  -c, --config FILE  configuration (default %s)\n"
	    "  -n, --check        check %s and exit\n"
	    "  -v, --verbose      log debug messages\n"
	    "      --help         this text\n"
	    "      --version      print the version\n"
	    "Signals: SIGTERM/SIGINT stop, SIGHUP reloads %s.\n",
	    o->prog, o->conf_path, o->check_text, o->hup_text);
}

int
daemon_args(int argc, char *argv[], struct daemon_opts *o)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	/* Stores, state files and drops hold MRNs: never for the world. */
	umask(027);
	while ((ch = getopt_long(argc, argv, "c:nv", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf_path = optarg; break;
		case 'n': o->check = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout, o); return 0;
		case 'V': printf("%s %s\n", o->prog, POU_VERSION); return 0;
		default: usage(stderr, o); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr, o);
		return 2;
	}
	return -1;
}

void
daemon_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() must wake */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void
daemon_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (n = strlen(path)) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';		/* an abstract socket */
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
		log_warn("systemd: %s", path);
	close(fd);
}

int64_t
daemon_watchdog_ms(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	long long us;

	if (usec == NULL || parse_int(usec, 1, INT64_MAX, &us) != 0 ||
	    (pid != NULL && atoll(pid) != (long long)getpid()))
		return 0;
	return us >= 2000 ? us / 2000 : 1;	/* twice per period */
}

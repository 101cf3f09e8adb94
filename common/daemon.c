/* What both daemons share at start: options, signals. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon.h"
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

/*
 * Logging for the daemons and tools: stderr, journald priority prefixes under
 * systemd.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

/* identical lines within 10 s are counted, not printed */
#define LOG_REPEAT_MS	10000
#define LOG_LINE	512

enum { PRI_ERR = 3, PRI_WARNING = 4, PRI_INFO = 6, PRI_DEBUG = 7 };

/*
 * The logger's own state: the one global the style allows besides signal flags.
 */
/* bridge threads log */
static pthread_mutex_t lg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const char	*prog;
	int		 verbose;
	int		 journal;
	int		 plain;		/* a tool's messages: no time stamp */
	char		 last[LOG_LINE];
	long long	 last_ms;
	unsigned	 repeats;
	/* the last LOG_RECENT lines above debug, oldest at next when full */
	char		 recent[LOG_RECENT][LOG_LINE + 32];
	unsigned	 next, kept;
} lg = { .prog = "pou" };

static long long
log_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
log_plain(void)
{
	lg.plain = 1;
}

void
log_init(const char *prog, int verbose)
{
	lg.prog = prog;
	lg.verbose = verbose;
	lg.journal = getenv("JOURNAL_STREAM") != NULL;
}


static void
log_keep(const char *stamp, const char *msg)
{
	snprintf(lg.recent[lg.next], sizeof(lg.recent[0]), "%s %s", stamp,
	    msg);
	lg.next = (lg.next + 1) % LOG_RECENT;
	if (lg.kept < LOG_RECENT)
		lg.kept++;
}

void
log_recent(void (*fn)(void *, const char *), void *arg)
{
	unsigned i;

	pthread_mutex_lock(&lg_mu);
	for (i = 0; i < lg.kept; i++)
		fn(arg, lg.recent[(lg.next + LOG_RECENT - lg.kept + i) %
		    LOG_RECENT]);
	pthread_mutex_unlock(&lg_mu);
}

static void
log_emit(int pri, const char *msg)
{
	char stamp[32] = "";
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp),
	    ".%03ldZ", ts.tv_nsec / 1000000);
	if (pri < PRI_DEBUG)
		log_keep(stamp, msg);
	if (lg.journal || lg.plain) {
		if (lg.plain)
			fprintf(stderr, "%s: %s\n", lg.prog, msg);
		else
			fprintf(stderr, "<%d>%s\n", pri, msg);
		return;
	}
	fprintf(stderr, "%s %s: %s\n", stamp, lg.prog, msg);
}

static void
log_vlog(int pri, const char *fmt, va_list ap, int with_errno)
{
	char msg[LOG_LINE];
	int saved = errno, n;
	long long now;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	now = log_now_ms();
	pthread_mutex_lock(&lg_mu);
	if (strcmp(msg, lg.last) == 0 && now - lg.last_ms < LOG_REPEAT_MS) {
		lg.repeats++;
		pthread_mutex_unlock(&lg_mu);
		errno = saved;
		return;
	}
	if (lg.repeats > 0) {
		char rep[64];

		snprintf(rep, sizeof(rep), "last message repeated %u times",
		    lg.repeats);
		log_emit(PRI_INFO, rep);
	}
	snprintf(lg.last, sizeof(lg.last), "%s", msg);
	lg.last_ms = now;
	lg.repeats = 0;
	log_emit(pri, msg);
	pthread_mutex_unlock(&lg_mu);
	errno = saved;
}

#define LOG_BODY(pri, with_errno) do {			\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vlog(pri, fmt, ap, with_errno);		\
	va_end(ap);					\
} while (0)

void log_warn(const char *fmt, ...) { LOG_BODY(PRI_WARNING, 1); }
void log_warnx(const char *fmt, ...) { LOG_BODY(PRI_WARNING, 0); }
void log_info(const char *fmt, ...) { LOG_BODY(PRI_INFO, 0); }

void
log_debug(const char *fmt, ...)
{
	if (lg.verbose)
		LOG_BODY(PRI_DEBUG, 0);
}

void
fatal(const char *fmt, ...)
{
	LOG_BODY(PRI_ERR, 1);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(PRI_ERR, 0);
	exit(1);
}

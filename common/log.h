/*
 * Logging for the daemons and tools: stderr, journald priority prefixes under
 * systemd.
 */
#ifndef POU_LOG_H
#define POU_LOG_H

#include <stdarg.h>

#define LOG_FMT(a, b) __attribute__((format(printf, a, b)))

/* prog is borrowed for the life of the process. */
void	log_init(const char *prog, int verbose);
/* For a tool run by a person: messages without a time stamp. */
void	log_plain(void);
/*
 * The last LOG_RECENT lines logged above debug (none holds PHI), oldest
 * first, each with its UTC time: fn is called under the logger's lock and
 * must not log.
 */
#define LOG_RECENT	40
void	log_recent(void (*fn)(void *, const char *line), void *arg);
/* appends strerror(errno) */
void	log_warn(const char *, ...) LOG_FMT(1, 2);
void	log_warnx(const char *, ...) LOG_FMT(1, 2);
void	log_info(const char *, ...) LOG_FMT(1, 2);
void	log_debug(const char *, ...) LOG_FMT(1, 2);
void	fatal(const char *, ...) LOG_FMT(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LOG_FMT(1, 2) __attribute__((noreturn));

#endif

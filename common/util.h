/*
 * Small helpers both daemons use: clocks, randomness, escapes, durable files.
 */
#ifndef POU_UTIL_H
#define POU_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define POU_VERSION	"0.1.0"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

int64_t	now_mono_ms(void);	/* CLOCK_MONOTONIC: deadlines and timeouts */
int64_t	now_boot_ms(void);	/* CLOCK_BOOTTIME: the event's mono_ms */
int64_t	now_wall_ms(void);	/* CLOCK_REALTIME: informational times */
/* Whether the kernel's clock is kept in sync (by NTP, chrony, PTP). */
int	clock_synced(void);
/* Formats UTC ms as ISO 8601; out holds 32. */
void	fmt_iso_time(int64_t wall_ms, char out[32]);
/* Reads "2026-11-24", "2026-11-24T13:30" or "2026-11-24T13:30:05" (a
 * space for the T, a Z at the end) as UTC wall ms; 0, or -1. */
int	parse_utc_time(const char *s, int64_t *wall_ms);
uint32_t random_u32(void);
/* Full-jitter backoff: uniform in [0, min(cap, base * 2^attempt)]. */
int64_t	backoff_ms(unsigned attempt, int64_t base, int64_t cap);

/*
 * Decodes the scan escape notation (\xHH, \\, \t, \r, \n, \e) of src into
 * dst (dstlen bytes). Returns the decoded length or -1 on a bad escape or
 * when dst is too small.
 */
int	unescape(const char *src, size_t srclen, unsigned char *dst,
	    size_t dstlen);
/* Writes bytes printable, \xHH for the rest; out is NUL-terminated. */
void	escape(const unsigned char *src, size_t len, char *out, size_t outlen);

/* Cuts s before a UTF-8 sequence that a truncation left incomplete. */
void	utf8_clip(char *s);
/* Each byte of s above ASCII made '?': text that must be sent as JSON
 * whatever bytes it quotes. */
void	ascii_only(char *s);

/* Writes all len bytes, through short writes and EINTR; 0 or -errno. */
int	write_all(int fd, const void *p, size_t len);
/* fsync()s a directory, making renames and creations in it durable. */
int	fsync_dir(const char *dir);
/* Durable write: tmp (O_EXCL) -> write -> fsync -> rename -> fsync dir.
 * A file replaced keeps its owner and mode. */
int	file_write_durable(const char *dir, const char *name, const void *p,
	    size_t len);
/* Reads /proc/sys/kernel/random/boot_id into out (37 bytes). */
void	boot_id(char out[37]);
/* strtoll over the whole string, within [min, max]; 0 or -EINVAL. */
int	parse_int(const char *s, long long min, long long max, long long *out);

#endif

/*
 * Small helpers both daemons use: clocks, randomness, escapes, durable files.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static int64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t now_mono_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
int64_t now_boot_ms(void) { return clock_ms(CLOCK_BOOTTIME); }
int64_t now_wall_ms(void) { return clock_ms(CLOCK_REALTIME); }

/* UTC broken-down time of wall_ms. */
static void
utc(int64_t wall_ms, struct tm *tm)
{
	time_t t = (time_t)(wall_ms / 1000);

	gmtime_r(&t, tm);
}

void
fmt_iso_time(int64_t wall_ms, char out[32])
{
	char base[32];
	struct tm tm;

	utc(wall_ms, &tm);
	if (strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		base[0] = '\0';
	snprintf(out, 32, "%.20s.%03dZ", base, (int)(wall_ms % 1000));
}

int
parse_utc_time(const char *s, int64_t *wall_ms)
{
	static const char *const forms[] = { "%Y-%m-%d", "%Y-%m-%dT%H:%M",
		"%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S" };
	const char *end;
	struct tm tm;
	size_t i;

	for (i = 0; i < nitems(forms); i++) {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(s, forms[i], &tm)) != NULL &&
		    (end[0] == '\0' || (end[0] == 'Z' && end[1] == '\0'))) {
			*wall_ms = (int64_t)timegm(&tm) * 1000;
			return 0;
		}
	}
	return -1;
}

uint32_t
random_u32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = (uint32_t)now_mono_ms() * 2654435761u;
	return v;
}

int64_t
backoff_ms(unsigned attempt, int64_t base, int64_t cap)
{
	int64_t lim = base;

	while (attempt-- > 0 && lim < cap)
		lim *= 2;
	if (lim > cap)
		lim = cap;
	return lim <= 0 ? 0 : (int64_t)(random_u32() % (uint64_t)(lim + 1));
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
unescape_one(const char *s, size_t left, unsigned char *out)
{
	int hi, lo;

	switch (s[0]) {
	case '\\': *out = '\\'; return 1;
	case 't': *out = '\t'; return 1;
	case 'r': *out = '\r'; return 1;
	case 'n': *out = '\n'; return 1;
	case 'e': *out = 0x1b; return 1;
	case 'x':
		if (left < 3 || (hi = hexval(s[1])) < 0 ||
		    (lo = hexval(s[2])) < 0)
			return -1;
		*out = (unsigned char)(hi << 4 | lo);
		return 3;
	default:
		return -1;
	}
}

int
unescape(const char *src, size_t srclen, unsigned char *dst, size_t dstlen)
{
	size_t i = 0, o = 0;
	int n;

	while (i < srclen) {
		if (o >= dstlen)
			return -1;
		if (src[i] != '\\') {
			dst[o++] = (unsigned char)src[i++];
			continue;
		}
		if (i + 1 >= srclen ||
		    (n = unescape_one(src + i + 1, srclen - i - 1,
		    dst + o)) < 0)
			return -1;
		i += 1 + (size_t)n;
		o++;
	}
	return (int)o;
}

void
escape(const unsigned char *src, size_t len, char *out, size_t outlen)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < outlen; i++) {
		if (src[i] == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (src[i] >= 0x20 && src[i] < 0x7f)
			out[o++] = (char)src[i];
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x",
			    src[i]);
	}
	if (outlen > 0)
		out[o < outlen ? o : outlen - 1] = '\0';
}

int
write_all(int fd, const void *p, size_t len)
{
	const char *c = p;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, c, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fsync_dir(const char *dir)
{
	int fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

int
file_write_durable(const char *dir, const char *name, const void *p,
    size_t len)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	struct stat old;
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= PATH_MAX ||
	    snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= PATH_MAX)
		return -ENAMETOOLONG;
	/*
	 * A tmp left by a crash mid-write is stale: this writer owns the name.
	 */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, p, len);
	/*
	 * A file replaced keeps its owner and mode: whoever read it still can.
	 */
	if (rc == 0 && stat(dst, &old) == 0 && (fchown(fd, old.st_uid,
	    old.st_gid) != 0 || fchmod(fd, old.st_mode & 07777) != 0))
		rc = -errno;
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, dst) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	return fsync_dir(dir);
}

void
boot_id(char out[37])
{
	FILE *f;

	snprintf(out, 37, "unknown");
	if ((f = fopen("/proc/sys/kernel/random/boot_id", "re")) == NULL)
		return;
	if (fgets(out, 37, f) == NULL)
		snprintf(out, 37, "unknown");
	out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

int
parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int
clock_synced(void)
{
	struct timex tx;
	int rc;

	/* A query refused (a sandbox's syscall filter: EPERM) says nothing
	 * of the clock: not synced, never taken on trust. */
	memset(&tx, 0, sizeof(tx));
	rc = adjtimex(&tx);
	return rc != -1 && rc != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

void
utf8_clip(char *s)
{
	size_t len = strlen(s), i = len, need;
	unsigned char c;

	/* back over at most three continuation bytes to the lead byte */
	while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xc0) ==
	    0x80)
		i--;
	if (i == 0 || ((c = (unsigned char)s[i - 1]) & 0x80) == 0)
		return;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	if (len - (i - 1) < need)
		s[i - 1] = '\0';
}

void
ascii_only(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			*s = '?';
}

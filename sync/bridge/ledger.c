/*
 * A destination's ledger: every delivery its receiver acknowledged, one
 * line appended the moment the answer arrives, before the database hears
 * of it, in a file of its own beside the database (<db>-ledger-<dest>).
 * A bridge killed between the answer and its commit, or whose database
 * went back in time, finds the delivery here and does not send it again.
 * Kept in memory as 128-bit digests of the keys; two generations of
 * LEDGER_ROTATE lines each are remembered, far more than a WAL can lose.
 * It also keeps each HL7 sequence number claimed before its message goes
 * out, so that a database that went back never gives one out twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge.h"
#include "hash.h"
#include "log.h"
#include "util.h"

#define LEDGER_ROTATE	200000	/* lines in a generation */
#define LEDGER_SYNC_MS	1000	/* at most one fdatasync a second */

struct keyset {
	uint64_t	*k;	/* pairs; {0, 0} is an empty slot */
	size_t		 cap, n;	/* slots (a power of two), keys */
};

struct ledger {
	char		path[PATH_MAX];
	int		fd;
	struct keyset	cur, prev;
	int64_t		seqno;		/* the highest claimed */
	int		dirty;
	int64_t		synced_ms;
};

static void
key_of(const char *ident, uint64_t k[2])
{
	char hex[HASH_HEX];
	int i;

	sha256_hex(ident, strlen(ident), hex);
	k[0] = k[1] = 0;
	for (i = 0; i < 32; i++)
		k[i / 16] = k[i / 16] << 4 | (uint64_t)(hex[i] <= '9' ?
		    hex[i] - '0' : hex[i] - 'a' + 10);
	if (k[0] == 0 && k[1] == 0)
		k[1] = 1;
}

static size_t
set_slot(const struct keyset *s, const uint64_t k[2])
{
	size_t i = (size_t)k[0] & (s->cap - 1);

	while ((s->k[2 * i] || s->k[2 * i + 1]) && (s->k[2 * i] != k[0] ||
	    s->k[2 * i + 1] != k[1]))
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int
set_has(const struct keyset *s, const uint64_t k[2])
{
	size_t i;

	if (s->cap == 0)
		return 0;
	i = set_slot(s, k);
	return s->k[2 * i] == k[0] && s->k[2 * i + 1] == k[1];
}

static int set_add(struct keyset *, const uint64_t k[2]);

static int
set_grow(struct keyset *s)
{
	struct keyset g = { NULL, s->cap ? s->cap * 2 : 1024, 0 };
	size_t i;

	if ((g.k = calloc(g.cap, 2 * sizeof(uint64_t))) == NULL)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++)
		if (s->k[2 * i] || s->k[2 * i + 1])
			set_add(&g, &s->k[2 * i]);
	free(s->k);
	*s = g;
	return 0;
}

static int
set_add(struct keyset *s, const uint64_t k[2])
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap && set_grow(s) != 0)
		return -ENOMEM;
	i = set_slot(s, k);
	if (s->k[2 * i] == 0 && s->k[2 * i + 1] == 0)
		s->n++;
	s->k[2 * i] = k[0];
	s->k[2 * i + 1] = k[1];
	return 0;
}

static void
set_free(struct keyset *s)
{
	free(s->k);
	memset(s, 0, sizeof(*s));
}

/* Loads the keys of a ledger file; a torn last line is cut off. */
static void
ledger_load(struct ledger *l, const char *path, struct keyset *s, int fd)
{
	long long v;
	char line[512], *tab;
	uint64_t k[2];
	off_t good = 0;
	int torn = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strchr(line, '\n') == NULL) {
			torn = 1;
			break;
		}
		good = ftello(f);
		if (sscanf(line, "#seq %lld", &v) == 1) {
			l->seqno = v > l->seqno ? v : l->seqno;
			continue;
		}
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		key_of(line, k);
		set_add(s, k);
	}
	fclose(f);
	if (!torn || fd < 0)
		return;
	log_warnx("ledger: %s: a torn last line is cut off", path);
	if (ftruncate(fd, good) != 0)
		log_warn("ledger: %s", path);
}

struct ledger *
ledger_open(const char *db_path, const char *dest)
{
	struct ledger *l;
	char prev[PATH_MAX + 4];

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	snprintf(l->path, sizeof(l->path), "%s-ledger-%s", db_path, dest);
	snprintf(prev, sizeof(prev), "%s.1", l->path);
	if ((l->fd = open(l->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) < 0) {
		log_warn("ledger: %s", l->path);
		free(l);
		return NULL;
	}
	ledger_load(l, prev, &l->prev, -1);
	ledger_load(l, l->path, &l->cur, l->fd);
	log_info("ledger: %s: %zu deliveries remembered", l->path,
	    l->cur.n + l->prev.n);
	return l;
}

void
ledger_close(struct ledger *l)
{
	if (l == NULL)
		return;
	ledger_sync(l, 1);
	close(l->fd);
	set_free(&l->cur);
	set_free(&l->prev);
	free(l);
}

int
ledger_has(const struct ledger *l, const char *ident)
{
	uint64_t k[2];

	if (ident[0] == '\0')
		return 0;
	key_of(ident, k);
	return set_has(&l->cur, k) || set_has(&l->prev, k);
}

/* The current generation becomes the previous one. */
static void
ledger_rotate(struct ledger *l)
{
	char prev[PATH_MAX + 4];
	int fd;

	snprintf(prev, sizeof(prev), "%s.1", l->path);
	ledger_sync(l, 1);
	if (rename(l->path, prev) != 0 || (fd = open(l->path, O_RDWR |
	    O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		log_warn("ledger: cannot rotate %s", l->path);
		return;
	}
	close(l->fd);
	l->fd = fd;
	set_free(&l->prev);
	l->prev = l->cur;
	memset(&l->cur, 0, sizeof(l->cur));
}

int
ledger_add(struct ledger *l, const char *ident, const char *answer)
{
	char line[512];
	uint64_t k[2];
	size_t i;
	int n, rc;

	if (ident[0] == '\0')
		return 0;
	n = snprintf(line, sizeof(line), "%s\t%lld\t%s", ident,
	    (long long)now_wall_ms(), answer);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	for (i = 0; i < (size_t)n; i++)	/* one line, whatever was answered */
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	/* Written now: it outlives the process in the page cache. */
	if ((rc = write_all(l->fd, line, (size_t)n)) != 0)
		log_warnx("ledger: %s: %s", l->path, strerror(-rc));
	l->dirty = 1;
	key_of(ident, k);
	set_add(&l->cur, k);
	if (l->cur.n >= LEDGER_ROTATE)
		ledger_rotate(l);
	ledger_sync(l, 0);
	return rc;
}

void
ledger_sync(struct ledger *l, int now)
{
	if (!l->dirty || (!now && now_mono_ms() - l->synced_ms <
	    LEDGER_SYNC_MS))
		return;
	if (fdatasync(l->fd) != 0)
		log_warn("ledger: %s", l->path);
	l->dirty = 0;
	l->synced_ms = now_mono_ms();
}

int64_t
ledger_seqno(const struct ledger *l)
{
	return l->seqno;
}

int
ledger_seqno_claim(struct ledger *l, int64_t seqno)
{
	char line[40];
	int n = snprintf(line, sizeof(line), "#seq %lld\n", (long long)seqno);

	if (seqno > l->seqno)
		l->seqno = seqno;
	l->dirty = 1;
	return write_all(l->fd, line, (size_t)n);
}

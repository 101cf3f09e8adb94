/*
 * An LD_PRELOAD SQLite VFS that turns a SIGKILL into a power cut: writes
 * stay in a per-file overlay in memory until xSync applies them to the file.
 */
/*
 * LD_PRELOAD=build/libpowercut.so POWERCUT=1 [POWERCUT_STATS=file] prog
 * Not modelled: file creation, unlink and rename are durable at once; all
 * unsynced writes are lost, never some of them or torn; the overlay is this
 * process's, so another process sees only synced data (test_powercut_shim.sh
 * has the checks; a clean exit() keeps the overlay, as the page cache would).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#define PC_BLOCK	4096	/* overlay granule, bytes */
#define PC_BUCKETS	64	/* first hash size per file; doubles */
#define PC_ROUND8(n)	(((n) + 7) & ~(size_t)7)
#define PC_MIN(a, b)	((a) < (b) ? (a) : (b))
#define REAL(f)		((f)->real->pMethods)

struct pc_block {
	struct pc_block	*next;		/* hash chain */
	sqlite3_int64	 idx;		/* offset / PC_BLOCK */
	unsigned char	 data[PC_BLOCK];	/* zero past the logical end */
};

/*
 * What one file holds that is not on disk yet, shared by all its handles in
 * the process, as the page cache is. While clean it holds nothing and every
 * call goes to the file, so other processes' synced writes are seen.
 */
struct pc_node {
	struct pc_node	*next;		/* in pc.nodes, when listed */
	pthread_mutex_t	 mu;		/* guards what follows refs */
	dev_t		 dev;
	ino_t		 ino;
	int		 pin;		/* our fd, so the inode is not reused */
	int		 listed;	/* found by dev+ino; else private */
	int		 refs;		/* open handles; under pc.mu */
	int		 dirty;		/* the overlay differs from the file */
	char		*path;		/* for the stats */
	sqlite3_int64	 size;		/* logical size, while dirty */
	sqlite3_int64	 base;		/* file bytes still valid under it */
	struct pc_block	**tab;
	size_t		 nbucket;	/* a power of two, or 0 */
	size_t		 nblock;
};

struct pc_file {
	sqlite3_file	 base;		/* first: SQLite's view */
	struct pc_node	*node;
	sqlite3_file	*real;		/* the wrapped VFS's file, after us */
};

/*
 * The shim's one state: SQLite keeps a pointer to the VFS, and a file's
 * unsynced writes outlive its handles, so both live as long as the process.
 */
static struct {
	sqlite3_vfs	 vfs;
	sqlite3_vfs	*orig;		/* the wrapped default, "unix" */
	pthread_mutex_t	 mu;		/* guards nodes and every refs */
	struct pc_node	*nodes;
	int		 stats;		/* POWERCUT_STATS fd, or -1 */
	pid_t		 pid;		/* a forked child never flushes */
} pc = { .mu = PTHREAD_MUTEX_INITIALIZER, .stats = -1 };

static void
pc_stat(const char *what, const struct pc_node *n, sqlite3_int64 bytes)
{
	char line[4096 + 64];
	int len;

	if (pc.stats == -1)
		return;
	len = snprintf(line, sizeof(line), "%s %s %lld\n", what,
	    n->path ? n->path : "-", (long long)bytes);
	if (len > 0 && (size_t)len < sizeof(line))	/* one append, whole */
		(void)!write(pc.stats, line, (size_t)len);
}

/* The overlay, a hash map of blocks. */

static struct pc_block **
blk_slot(struct pc_node *n, sqlite3_int64 idx)
{
	struct pc_block **bp;

	bp = &n->tab[(uint64_t)idx & (n->nbucket - 1)];
	while (*bp != NULL && (*bp)->idx != idx)
		bp = &(*bp)->next;
	return bp;
}

static struct pc_block *
blk_find(struct pc_node *n, sqlite3_int64 idx)
{
	return n->nbucket ? *blk_slot(n, idx) : NULL;
}

static int
blk_grow(struct pc_node *n)
{
	struct pc_block **tab, *b;
	size_t i, nb = n->nbucket ? n->nbucket * 2 : PC_BUCKETS;

	if ((tab = calloc(nb, sizeof(*tab))) == NULL)
		return SQLITE_NOMEM;
	for (i = 0; i < n->nbucket; i++)
		while ((b = n->tab[i]) != NULL) {
			n->tab[i] = b->next;
			b->next = tab[(uint64_t)b->idx & (nb - 1)];
			tab[(uint64_t)b->idx & (nb - 1)] = b;
		}
	free(n->tab);
	n->tab = tab;
	n->nbucket = nb;
	return SQLITE_OK;
}

/* Frees the blocks that start at or past off; keeps the table. */
static void
blk_drop_from(struct pc_node *n, sqlite3_int64 off)
{
	struct pc_block **bp, *b;
	size_t i;

	for (i = 0; i < n->nbucket; i++)
		for (bp = &n->tab[i]; (b = *bp) != NULL; )
			if (b->idx * PC_BLOCK >= off) {
				*bp = b->next;
				free(b);
				n->nblock--;
			} else
				bp = &b->next;
}

/* Reads the file under the overlay: zeros past what is still valid. */
static int
node_base_read(struct pc_file *f, void *buf, int amt, sqlite3_int64 off)
{
	struct pc_node *n = f->node;
	int have = 0, rc;

	if (off < n->base)
		have = (int)PC_MIN(n->base - off, (sqlite3_int64)amt);
	memset((char *)buf + have, 0, (size_t)(amt - have));
	if (have == 0)
		return SQLITE_OK;
	rc = REAL(f)->xRead(f->real, buf, have, off);
	return rc == SQLITE_IOERR_SHORT_READ ? SQLITE_OK : rc;
}

/* The block at idx, made from the file when new unless it is all rewritten. */
static int
blk_get(struct pc_file *f, sqlite3_int64 idx, int whole, struct pc_block **out)
{
	struct pc_node *n = f->node;
	struct pc_block *b;
	int rc;

	if ((*out = blk_find(n, idx)) != NULL)
		return SQLITE_OK;
	if (n->nblock >= n->nbucket * 2 && (rc = blk_grow(n)) != SQLITE_OK)
		return rc;
	if ((b = malloc(sizeof(*b))) == NULL)
		return SQLITE_NOMEM;
	b->idx = idx;
	if (whole)
		memset(b->data, 0, sizeof(b->data));
	else if ((rc = node_base_read(f, b->data, PC_BLOCK,
	    idx * PC_BLOCK)) != SQLITE_OK) {
		free(b);
		return rc;
	}
	b->next = *blk_slot(n, idx);
	*blk_slot(n, idx) = b;
	n->nblock++;
	*out = b;
	return SQLITE_OK;
}

/* A file's state. Call with the node's mutex held. */

static int
node_mark_dirty(struct pc_file *f)
{
	struct pc_node *n = f->node;
	sqlite3_int64 sz;
	int rc;

	if (n->dirty)
		return SQLITE_OK;
	if ((rc = REAL(f)->xFileSize(f->real, &sz)) != SQLITE_OK)
		return rc;
	n->size = n->base = sz;
	n->dirty = 1;
	return SQLITE_OK;
}

static void
node_clean(struct pc_node *n)
{
	blk_drop_from(n, 0);
	n->dirty = 0;
}

static int
node_read(struct pc_file *f, unsigned char *buf, int amt, sqlite3_int64 off)
{
	struct pc_node *n = f->node;
	struct pc_block *b;
	sqlite3_int64 pos;
	int avail = 0, got, len, in, rc = SQLITE_OK;

	if (off < n->size)
		avail = (int)PC_MIN(n->size - off, (sqlite3_int64)amt);
	for (got = 0; got < avail && rc == SQLITE_OK; got += len) {
		pos = off + got;
		in = (int)(pos % PC_BLOCK);
		len = PC_MIN(PC_BLOCK - in, avail - got);
		if ((b = blk_find(n, pos / PC_BLOCK)) != NULL)
			memcpy(buf + got, b->data + in, (size_t)len);
		else
			rc = node_base_read(f, buf + got, len, pos);
	}
	if (rc != SQLITE_OK || avail == amt)
		return rc;
	memset(buf + avail, 0, (size_t)(amt - avail));
	return SQLITE_IOERR_SHORT_READ;
}

static int
node_write(struct pc_file *f, const unsigned char *buf, int amt,
    sqlite3_int64 off)
{
	struct pc_node *n = f->node;
	struct pc_block *b;
	sqlite3_int64 pos;
	int done, len, in, rc;

	if ((rc = node_mark_dirty(f)) != SQLITE_OK)
		return rc;
	for (done = 0; done < amt && rc == SQLITE_OK; done += len) {
		pos = off + done;
		in = (int)(pos % PC_BLOCK);
		len = PC_MIN(PC_BLOCK - in, amt - done);
		if ((rc = blk_get(f, pos / PC_BLOCK, len == PC_BLOCK,
		    &b)) != SQLITE_OK)
			break;
		memcpy(b->data + in, buf + done, (size_t)len);
		if (pos + len > n->size)
			n->size = pos + len;
	}
	return rc;
}

static int
node_truncate(struct pc_file *f, sqlite3_int64 size)
{
	struct pc_node *n = f->node;
	struct pc_block *b;
	int rc;

	if ((rc = node_mark_dirty(f)) != SQLITE_OK)
		return rc;
	blk_drop_from(n, size);
	if ((b = blk_find(n, size / PC_BLOCK)) != NULL)	/* keep the zeros */
		memset(b->data + size % PC_BLOCK, 0,
		    (size_t)(PC_BLOCK - size % PC_BLOCK));
	n->size = size;
	n->base = PC_MIN(n->base, size);
	return SQLITE_OK;
}

/* Writes the overlay through f's real file; the caller syncs it. */
static int
node_apply(struct pc_file *f, sqlite3_int64 *bytes)
{
	struct pc_node *n = f->node;
	struct pc_block *b;
	sqlite3_int64 sz;
	size_t i;
	int len, rc;

	for (i = 0; i < n->nbucket; i++)
		for (b = n->tab[i]; b != NULL; b = b->next) {
			len = (int)PC_MIN(n->size - b->idx * PC_BLOCK,
			    (sqlite3_int64)PC_BLOCK);
			if ((rc = REAL(f)->xWrite(f->real, b->data, len,
			    b->idx * PC_BLOCK)) != SQLITE_OK)
				return rc;	/* still dirty: applied again */
			*bytes += len;
		}
	if ((rc = REAL(f)->xFileSize(f->real, &sz)) != SQLITE_OK ||
	    (sz != n->size &&
	    (rc = REAL(f)->xTruncate(f->real, n->size)) != SQLITE_OK))
		return rc;
	node_clean(n);
	return SQLITE_OK;
}

/* Writes the overlay through the pin at a clean exit(): the page cache. */
static void
node_flush_pin(struct pc_node *n)
{
	struct pc_block *b;
	sqlite3_int64 bytes = 0;
	size_t i;
	ssize_t len;

	if (!n->dirty || n->pin == -1)
		return;
	for (i = 0; i < n->nbucket; i++)
		for (b = n->tab[i]; b != NULL; b = b->next) {
			len = (ssize_t)PC_MIN(n->size - b->idx * PC_BLOCK,
			    (sqlite3_int64)PC_BLOCK);
			if (pwrite(n->pin, b->data, (size_t)len,
			    (off_t)(b->idx * PC_BLOCK)) != len)
				return;
			bytes += len;
		}
	if (ftruncate(n->pin, (off_t)n->size) == 0)
		pc_stat("exit", n, bytes);
}

/* Nodes: found by dev+inode, counted under pc.mu. */

static struct pc_node *
node_new(const char *path, int pin, const struct stat *st)
{
	struct pc_node *n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	if (path != NULL && (n->path = strdup(path)) == NULL) {
		free(n);
		return NULL;
	}
	pthread_mutex_init(&n->mu, NULL);
	n->pin = pin;
	n->refs = 1;
	if (st != NULL) {
		n->dev = st->st_dev;
		n->ino = st->st_ino;
		n->listed = 1;
	}
	return n;
}

static void
node_free(struct pc_node *n)
{
	node_clean(n);
	free(n->tab);
	if (n->pin != -1)
		close(n->pin);
	pthread_mutex_destroy(&n->mu);
	free(n->path);
	free(n);
}

static struct pc_node *
node_find(const struct stat *st)
{
	struct pc_node *n;

	for (n = pc.nodes; n != NULL; n = n->next)
		if (n->dev == st->st_dev && n->ino == st->st_ino)
			return n;
	return NULL;
}

static void
node_unlist(struct pc_node *n)
{
	struct pc_node **np;

	for (np = &pc.nodes; *np != NULL; np = &(*np)->next)
		if (*np == n) {
			*np = n->next;
			break;
		}
	n->listed = 0;
}

/*
 * The node for a file just opened. The pin is opened only for a new node:
 * closing any other fd of a file drops this process's POSIX locks on it.
 */
static struct pc_node *
node_get(const char *path, int flags)
{
	struct pc_node *n;
	struct stat st;
	int pin;

	if (path == NULL || (flags & SQLITE_OPEN_DELETEONCLOSE) ||
	    stat(path, &st) == -1)
		return node_new(path, -1, NULL);	/* nobody shares it */
	pthread_mutex_lock(&pc.mu);
	if ((n = node_find(&st)) != NULL)
		n->refs++;
	else {
		if ((pin = open(path, O_RDWR | O_CLOEXEC)) == -1)
			pin = open(path, O_RDONLY | O_CLOEXEC);
		if ((n = node_new(path, pin, &st)) != NULL) {
			n->next = pc.nodes;
			pc.nodes = n;
		} else if (pin != -1)
			close(pin);
	}
	pthread_mutex_unlock(&pc.mu);
	return n;
}

/* Unsynced writes outlive the last handle, as in the page cache. */
static void
node_release(struct pc_node *n)
{
	int keep;

	pthread_mutex_lock(&pc.mu);
	pthread_mutex_lock(&n->mu);
	keep = --n->refs > 0 || (n->listed && n->dirty);
	pthread_mutex_unlock(&n->mu);
	if (!keep) {
		if (n->listed)
			node_unlist(n);
		node_free(n);
	}
	pthread_mutex_unlock(&pc.mu);
}

/* The io methods: content goes through the overlay, the rest passes. */

static int
pc_close(sqlite3_file *file)
{
	struct pc_file *f = (struct pc_file *)file;
	int rc;

	rc = REAL(f)->xClose(f->real);
	node_release(f->node);
	f->node = NULL;
	return rc;
}

static int
pc_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	struct pc_file *f = (struct pc_file *)file;
	int rc;

	pthread_mutex_lock(&f->node->mu);
	if (f->node->dirty)
		rc = node_read(f, buf, amt, off);
	else
		rc = REAL(f)->xRead(f->real, buf, amt, off);
	pthread_mutex_unlock(&f->node->mu);
	return rc;
}

static int
pc_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
	struct pc_file *f = (struct pc_file *)file;
	int rc;

	pthread_mutex_lock(&f->node->mu);
	rc = node_write(f, buf, amt, off);
	pthread_mutex_unlock(&f->node->mu);
	return rc;
}

static int
pc_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct pc_file *f = (struct pc_file *)file;
	int rc;

	pthread_mutex_lock(&f->node->mu);
	rc = node_truncate(f, size);
	pthread_mutex_unlock(&f->node->mu);
	return rc;
}

/*
 * Applies every handle's writes, as fsync(2) flushes the inode, then syncs.
 * The mutex is not held over the fsync; writes made meanwhile wait for the
 * next sync.
 */
static int
pc_sync(sqlite3_file *file, int flags)
{
	struct pc_file *f = (struct pc_file *)file;
	sqlite3_int64 bytes = 0;
	int rc = SQLITE_OK;

	pthread_mutex_lock(&f->node->mu);
	if (f->node->dirty)
		rc = node_apply(f, &bytes);
	pthread_mutex_unlock(&f->node->mu);
	if (rc == SQLITE_OK)
		rc = REAL(f)->xSync(f->real, flags);
	if (rc == SQLITE_OK)
		pc_stat("sync", f->node, bytes);
	return rc;
}

static int
pc_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct pc_file *f = (struct pc_file *)file;
	int rc = SQLITE_OK;

	pthread_mutex_lock(&f->node->mu);
	if (f->node->dirty)
		*size = f->node->size;
	else
		rc = REAL(f)->xFileSize(f->real, size);
	pthread_mutex_unlock(&f->node->mu);
	return rc;
}

static int
pc_lock(sqlite3_file *file, int lock)
{
	struct pc_file *f = (struct pc_file *)file;

	return REAL(f)->xLock(f->real, lock);
}

static int
pc_unlock(sqlite3_file *file, int lock)
{
	struct pc_file *f = (struct pc_file *)file;

	return REAL(f)->xUnlock(f->real, lock);
}

static int
pc_check_reserved(sqlite3_file *file, int *out)
{
	struct pc_file *f = (struct pc_file *)file;

	return REAL(f)->xCheckReservedLock(f->real, out);
}

static int
pc_file_control(sqlite3_file *file, int op, void *arg)
{
	struct pc_file *f = (struct pc_file *)file;

	/* A hint that may grow the real file behind the overlay's back. */
	if (op == SQLITE_FCNTL_SIZE_HINT)
		return SQLITE_NOTFOUND;
	return REAL(f)->xFileControl(f->real, op, arg);
}

static int
pc_sector_size(sqlite3_file *file)
{
	struct pc_file *f = (struct pc_file *)file;

	return REAL(f)->xSectorSize(f->real);
}

static int
pc_device_chars(sqlite3_file *file)
{
	struct pc_file *f = (struct pc_file *)file;

	/* F2FS atomic batches write behind the overlay: never offer them. */
	return REAL(f)->xDeviceCharacteristics(f->real) &
	    ~SQLITE_IOCAP_BATCH_ATOMIC;
}

static int
pc_shm_map(sqlite3_file *file, int pg, int pgsz, int extend,
    void volatile **pp)
{
	struct pc_file *f = (struct pc_file *)file;

	return REAL(f)->xShmMap(f->real, pg, pgsz, extend, pp);
}

static int
pc_shm_lock(sqlite3_file *file, int ofst, int n, int flags)
{
	struct pc_file *f = (struct pc_file *)file;

	return REAL(f)->xShmLock(f->real, ofst, n, flags);
}

static void
pc_shm_barrier(sqlite3_file *file)
{
	struct pc_file *f = (struct pc_file *)file;

	REAL(f)->xShmBarrier(f->real);
}

static int
pc_shm_unmap(sqlite3_file *file, int delete)
{
	struct pc_file *f = (struct pc_file *)file;

	return REAL(f)->xShmUnmap(f->real, delete);
}

/* No memory map: a mapping would show the file without the overlay. */
static int
pc_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **pp)
{
	(void)file;
	(void)off;
	(void)amt;
	*pp = NULL;
	return SQLITE_OK;
}

static int
pc_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	(void)file;
	(void)off;
	(void)p;
	return SQLITE_OK;
}

#define PC_IO_COMMON							\
	.iVersion = 3,							\
	.xClose = pc_close,						\
	.xRead = pc_read,						\
	.xWrite = pc_write,						\
	.xTruncate = pc_truncate,					\
	.xSync = pc_sync,						\
	.xFileSize = pc_file_size,					\
	.xLock = pc_lock,						\
	.xUnlock = pc_unlock,						\
	.xCheckReservedLock = pc_check_reserved,			\
	.xFileControl = pc_file_control,				\
	.xSectorSize = pc_sector_size,					\
	.xDeviceCharacteristics = pc_device_chars,			\
	.xFetch = pc_fetch,						\
	.xUnfetch = pc_unfetch

static const sqlite3_io_methods pc_io_shm = {
	PC_IO_COMMON,
	.xShmMap = pc_shm_map,
	.xShmLock = pc_shm_lock,
	.xShmBarrier = pc_shm_barrier,
	.xShmUnmap = pc_shm_unmap,
};

/* For a real file without shared memory: SQLite then refuses WAL. */
static const sqlite3_io_methods pc_io = {
	PC_IO_COMMON,
};

/* The VFS: files get a node; the rest is the wrapped VFS's. */

static int
pc_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file,
    int flags, int *oflags)
{
	struct pc_file *f = (struct pc_file *)file;
	const sqlite3_io_methods *m;
	int rc;

	(void)vfs;
	file->pMethods = NULL;	/* set on every path, as SQLite requires */
	f->node = NULL;
	f->real = (sqlite3_file *)((char *)f + PC_ROUND8(sizeof(*f)));
	f->real->pMethods = NULL;
	rc = pc.orig->xOpen(pc.orig, name, f->real, flags, oflags);
	if (rc == SQLITE_OK && (f->node = node_get(name, flags)) == NULL)
		rc = SQLITE_NOMEM;
	if (rc != SQLITE_OK) {
		if (f->real->pMethods != NULL)
			f->real->pMethods->xClose(f->real);
		return rc;
	}
	m = f->real->pMethods;
	file->pMethods = m->iVersion >= 2 && m->xShmMap ? &pc_io_shm : &pc_io;
	return SQLITE_OK;
}

/* A deleted file's unsynced writes go with it, once no handle has it. */
static int
pc_delete(sqlite3_vfs *vfs, const char *path, int dirsync)
{
	struct pc_node *n = NULL;
	struct stat st;
	int rc;

	(void)vfs;
	pthread_mutex_lock(&pc.mu);
	if (stat(path, &st) == 0)
		n = node_find(&st);
	rc = pc.orig->xDelete(pc.orig, path, dirsync);
	if (n != NULL && rc == SQLITE_OK) {
		node_unlist(n);
		if (n->refs == 0)
			node_free(n);
	}
	pthread_mutex_unlock(&pc.mu);
	return rc;
}

static void
pc_vfs_fill(sqlite3_vfs *v, const sqlite3_vfs *o)
{
	/*
	 * Of the unix VFS's methods only xOpen uses its sqlite3_vfs argument:
	 * all but the two that see files are taken as they are.
	 */
	*v = *o;
	v->szOsFile = (int)(PC_ROUND8(sizeof(struct pc_file)) +
	    (size_t)o->szOsFile);
	v->pNext = NULL;
	v->zName = "powercut";
	v->pAppData = NULL;
	v->xOpen = pc_open;
	v->xDelete = pc_delete;
}

/*
 * Only with POWERCUT=1, so the library may be preloaded everywhere. This
 * initializes SQLite: a program's later sqlite3_config() calls then fail.
 */
__attribute__((constructor)) static void
pc_init(void)
{
	const char *env = getenv("POWERCUT"), *stats;

	if (env == NULL || strcmp(env, "1") != 0)
		return;
	pc.orig = sqlite3_vfs_find(NULL);
	if (pc.orig == NULL || strncmp(pc.orig->zName, "unix", 4) != 0) {
		fprintf(stderr, "powercut: the default SQLite VFS is %s, not "
		    "unix: not wrapped\n", pc.orig ? pc.orig->zName : "none");
		pc.orig = NULL;
		return;
	}
	if ((stats = getenv("POWERCUT_STATS")) != NULL && *stats != '\0' &&
	    (pc.stats = open(stats, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) == -1)
		fprintf(stderr, "powercut: %s: %s\n", stats, strerror(errno));
	pc.pid = getpid();
	pc_vfs_fill(&pc.vfs, pc.orig);
	if (sqlite3_vfs_register(&pc.vfs, 1) != SQLITE_OK) {
		fprintf(stderr, "powercut: cannot register the VFS\n");
		pc.orig = NULL;
	}
}

/*
 * A clean exit() is no power cut: what the page cache would hold reaches
 * the file. A SIGKILL, abort() or _exit() runs no destructor: all is lost.
 */
__attribute__((destructor)) static void
pc_fini(void)
{
	struct pc_node *n;

	if (pc.orig == NULL || getpid() != pc.pid)
		return;
	pthread_mutex_lock(&pc.mu);
	for (n = pc.nodes; n != NULL; n = n->next) {
		pthread_mutex_lock(&n->mu);
		node_flush_pin(n);
		pthread_mutex_unlock(&n->mu);
	}
	pthread_mutex_unlock(&pc.mu);
}

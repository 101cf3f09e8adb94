/*
 * The powercut VFS called directly, for what SQLite never shows: the
 * overlay's sizes, zeros and short reads, its sharing, and its pins.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#define FLAGS	(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | \
		    SQLITE_OPEN_MAIN_DB)

static int failed;

static void
check(int cond, const char *what)
{
	printf("%s - vfs: %s\n", cond ? "ok" : "not ok", what);
	failed |= !cond;
}

static sqlite3_file *
vopen(sqlite3_vfs *vfs, const char *path)
{
	sqlite3_file *f;
	int out;

	if ((f = calloc(1, (size_t)vfs->szOsFile)) == NULL)
		abort();
	if (vfs->xOpen(vfs, path, f, FLAGS, &out) != SQLITE_OK) {
		fprintf(stderr, "powercut_vfs: cannot open %s\n", path);
		exit(1);
	}
	return f;
}

static void
vclose(sqlite3_file *f)
{
	f->pMethods->xClose(f);
	free(f);
}

static sqlite3_int64
vsize(sqlite3_file *f)
{
	sqlite3_int64 sz = -1;

	f->pMethods->xFileSize(f, &sz);
	return sz;
}

static off_t
disk_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static int
nfds(void)
{
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static int
all_zero(const unsigned char *p, size_t n)
{
	while (n > 0 && p[n - 1] == 0)
		n--;
	return n == 0;
}

/* Reads [off, off+n) through f into buf, then checks it is all zeros. */
static int
zeros(sqlite3_file *f, unsigned char *buf, int n, sqlite3_int64 off)
{
	memset(buf, 0xee, (size_t)n);
	return f->pMethods->xRead(f, buf, n, off) == SQLITE_OK &&
	    all_zero(buf, (size_t)n);
}

static void
sizes_and_zeros(const char *path, sqlite3_file *a)
{
	unsigned char buf[8192], ff[100];
	int rc;

	memset(ff, 0xff, sizeof(ff));
	a->pMethods->xWrite(a, "0123456789", 10, 0);
	check(vsize(a) == 10 && disk_size(path) == 0,
	    "a write changes the logical size only");
	memset(buf, 0xee, 20);
	rc = a->pMethods->xRead(a, buf, 20, 0);
	check(rc == SQLITE_IOERR_SHORT_READ && memcmp(buf, "0123456789",
	    10) == 0 && all_zero(buf + 10, 10),
	    "a read past the end is short and zero-filled");
	a->pMethods->xWrite(a, ff, sizeof(ff), 5000);
	a->pMethods->xTruncate(a, 4500);
	a->pMethods->xWrite(a, "x", 1, 6000);
	check(vsize(a) == 6001 && zeros(a, buf, 1500, 4500),
	    "truncated bytes read as zeros when the file grows again");
}

static void
sharing(sqlite3_vfs *vfs, const char *path, sqlite3_file *a)
{
	unsigned char buf[8192], disk[8192];
	sqlite3_file *b = vopen(vfs, path);
	int fd;

	b->pMethods->xRead(b, buf, 1, 6000);
	check(vsize(b) == 6001 && buf[0] == 'x',
	    "a second handle sees the first one's writes");
	b->pMethods->xSync(b, SQLITE_SYNC_NORMAL);
	a->pMethods->xRead(a, buf, 6001, 0);
	fd = open(path, O_RDONLY);
	check(disk_size(path) == 6001 && fd != -1 &&
	    pread(fd, disk, 6001, 0) == 6001 && memcmp(buf, disk, 6001) == 0,
	    "a sync by either handle writes the file as read");
	close(fd);
	a->pMethods->xTruncate(a, 100);
	a->pMethods->xWrite(a, "y", 1, 8000);
	check(zeros(b, buf, 7900, 100),
	    "bytes cut by a truncate stay zero though the file still has them");
	vclose(b);
}

static void
fetch_and_close(sqlite3_vfs *vfs, const char *path, sqlite3_file *a)
{
	void *p = &p;
	unsigned char c = 0;
	sqlite3_file *b;

	check(a->pMethods->iVersion >= 3 && a->pMethods->xFetch(a, 0, 100,
	    &p) == SQLITE_OK && p == NULL, "xFetch maps nothing");
	vclose(a);
	b = vopen(vfs, path);
	b->pMethods->xRead(b, &c, 1, 8000);
	check(vsize(b) == 8001 && c == 'y' && disk_size(path) == 6001,
	    "unsynced writes outlive the last handle");
	vclose(b);
}

int
main(void)
{
	sqlite3_vfs *vfs = sqlite3_vfs_find("powercut");
	char path[] = "/tmp/powercut-vfs.XXXXXX";
	sqlite3_file *a;
	int fd, before;

	check(vfs != NULL && vfs == sqlite3_vfs_find(NULL),
	    "powercut is the default VFS");
	if (vfs == NULL || (fd = mkstemp(path)) == -1)
		return 1;
	close(fd);
	before = nfds();
	a = vopen(vfs, path);
	sizes_and_zeros(path, a);
	sharing(vfs, path, a);
	fetch_and_close(vfs, path, a);
	vfs->xDelete(vfs, path, 0);
	check(nfds() == before, "xDelete drops the overlay and its pin");
	a = vopen(vfs, path);
	check(vsize(a) == 0, "a file made again after xDelete is empty");
	vclose(a);
	vfs->xDelete(vfs, path, 0);
	return failed;
}

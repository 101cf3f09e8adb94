/*
 * ERP output as nightly batch files, for ERPs that import files instead of
 * taking calls. Each record becomes one CSV line appended and fsynced to
 * <dir>/<dest>-YYYYMMDD.csv.part for the UTC day it is sent; once the day
 * is over the file is renamed to .csv (the directory fsynced), and the
 * ERP's import takes only .csv files. The record in flight when the bridge
 * died is the part file's last line: it is found there, not written twice.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "bridge.h"
#include "log.h"
#include "util.h"

#define CSV_KEY_MAX	(EVENT_ID_MAX + 16)

struct csvout {
	char	dir[256];
	char	dest[16];
	char	day[9];			/* YYYYMMDD of the open part file */
	int	fd;
	char	last_key[CSV_KEY_MAX];	/* the part file's last record */
};

/* The columns, in order: a dotted name reaches into an object; the header
 * names the field (the part after the dot). */
static const char *const csvout_cols[] = { "idempotency_key", "type",
	"used_at", "item.di", "item_id", "description", "item.lot",
	"item.serial", "item.expiry", "qty", "erp_location", "cost_center",
	"location.site", "location.room", "case", "mrn", "encounter", "vendor",
	"unit_cost_cents", "charge_code", "undoes", "triggered_by" };

static void
csvout_today(char day[9])
{
	char iso[32];

	fmt_iso_time(now_wall_ms(), iso);	/* YYYY-MM-DDT... */
	snprintf(day, 9, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
}

static void
csvout_path(const struct csvout *c, const char *day, const char *ext,
    char *out, size_t len)
{
	snprintf(out, len, "%s/%s-%s.csv%s", c->dir, c->dest, day, ext);
}

/* A finished day: .part to .csv, durably. */
static void
csvout_finish(struct csvout *c, const char *day)
{
	char part[300], done[300];

	csvout_path(c, day, ".part", part, sizeof(part));
	csvout_path(c, day, "", done, sizeof(done));
	if (rename(part, done) != 0 && errno != ENOENT)
		log_warn("%s: cannot rename %s", c->dest, part);
	else if (fsync_dir(c->dir) == 0)
		log_info("%s: %s is complete", c->dest, done);
}

/* Finishes every part file of a day before today (after a stop). */
static void
csvout_finish_old(struct csvout *c, const char *today)
{
	char prefix[32], day[9];
	struct dirent *de;
	DIR *d;

	snprintf(prefix, sizeof(prefix), "%s-", c->dest);
	if ((d = opendir(c->dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name), p = strlen(prefix);

		if (strncmp(de->d_name, prefix, p) != 0 || n != p + 17 ||
		    strcmp(de->d_name + p + 8, ".csv.part") != 0)
			continue;
		snprintf(day, sizeof(day), "%.8s", de->d_name + p);
		if (strcmp(day, today) < 0)
			csvout_finish(c, day);
	}
	closedir(d);
}

/*
 * Remembers the first field of the file's last line, the record written
 * last; a line cut short by a crash is cut off (its record is pending and
 * comes again).
 */
static void
csvout_read_last_key(struct csvout *c)
{
	char tail[4096], *nl;
	off_t end = lseek(c->fd, 0, SEEK_END), from;
	ssize_t n;

	c->last_key[0] = '\0';
	from = end > (off_t)sizeof(tail) - 1 ?
	    end - (off_t)sizeof(tail) + 1 : 0;
	if (end <= 0 ||
	    (n = pread(c->fd, tail, (size_t)(end - from), from)) <= 0)
		return;
	tail[n] = '\0';
	if (tail[n - 1] != '\n') {
		nl = strrchr(tail, '\n');
		if (ftruncate(c->fd, nl ? from + (nl - tail) + 1 : from) != 0)
			log_warn("%s: cannot cut a partial line", c->dest);
		if (nl == NULL)
			return;
		nl[1] = '\0';
		n = nl - tail + 1;
	}
	tail[n - 1] = '\0';
	nl = strrchr(tail, '\n');
	snprintf(c->last_key, sizeof(c->last_key), "%.*s", (int)strcspn(nl ?
	    nl + 1 : tail, ","), nl ? nl + 1 : tail);
}

/* Closes the part file of a day that is over and finishes it. */
static void
csvout_end_day(struct csvout *c)
{
	char day[9];

	csvout_today(day);
	if (c->fd >= 0 && strcmp(day, c->day) != 0) {
		close(c->fd);
		c->fd = -1;
		csvout_finish(c, c->day);
	}
}

/* Opens today's part file, finishing yesterday's; -errno. */
static int
csvout_roll(struct csvout *c)
{
	char day[9], path[300], hdr[512] = "";
	size_t i;

	csvout_end_day(c);
	if (c->fd >= 0)
		return 0;
	csvout_today(day);
	csvout_path(c, day, ".part", path, sizeof(path));
	if ((c->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
	    0640)) < 0)
		return -errno;
	snprintf(c->day, sizeof(c->day), "%s", day);
	csvout_read_last_key(c);
	if (lseek(c->fd, 0, SEEK_END) > 0)
		return 0;
	for (i = 0; i < nitems(csvout_cols); i++)
		snprintf(hdr + strlen(hdr), sizeof(hdr) - strlen(hdr), "%s%s",
		    i ? "," : "", strchr(csvout_cols[i], '.') ?
		    strchr(csvout_cols[i], '.') + 1 : csvout_cols[i]);
	strcat(hdr, "\n");
	return write_all(c->fd, hdr, strlen(hdr)) == 0 && fsync(c->fd) ==
	    0 && fsync_dir(c->dir) == 0 ? 0 : -EIO;
}

/* Appends v to line, quoted when it holds a comma, quote or newline. */
static void
csvout_field(struct buf *line, json_t *v)
{
	char num[32];
	const char *s = json_is_string(v) ? json_string_value(v) : "";

	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(v));
		s = num;
	}
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_adds(line, s);
		return;
	}
	buf_addc(line, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(line, '"');
		buf_addc(line, *s);
	}
	buf_addc(line, '"');
}

/* The record's CSV line; -1 when the payload is not a JSON record. */
static int
csvout_line(const char *payload, struct buf *line)
{
	json_t *j = json_loads(payload, 0, NULL), *v;
	char key[64], *dot;
	size_t i;

	if (!json_is_object(j)) {
		json_decref(j);
		return -1;
	}
	for (i = 0; i < nitems(csvout_cols); i++) {
		snprintf(key, sizeof(key), "%s", csvout_cols[i]);
		if ((dot = strchr(key, '.')) != NULL) {
			*dot = '\0';
			v = json_object_get(json_object_get(j, key), dot + 1);
		} else
			v = json_object_get(j, key);
		if (i)
			buf_addc(line, ',');
		csvout_field(line, v);
	}
	buf_addc(line, '\n');
	json_decref(j);
	return line->oom ? -1 : 0;
}

static enum send_result
csvout_send(void *ctx, struct outmsg *m, char *err, size_t errlen)
{
	struct csvout *c = ctx;
	struct buf line = BUF_INIT;
	int rc;

	if ((rc = csvout_roll(c)) != 0) {
		snprintf(err, errlen, "%s: %s", c->dir, strerror(-rc));
		return SEND_RETRY;
	}
	snprintf(err, errlen, "%s-%s.csv", c->dest, c->day);	/* the answer */
	if (strcmp(m->control_id, c->last_key) == 0)
		return SEND_OK;		/* written before a stop */
	if (csvout_line(m->payload, &line) != 0) {
		buf_free(&line);
		snprintf(err, errlen, "not a JSON record");
		return SEND_FAIL;
	}
	rc = write_all(c->fd, buf_str(&line), line.len) == 0 &&
	    fdatasync(c->fd) == 0;
	buf_free(&line);
	if (!rc) {
		snprintf(err, errlen, "%s: %s", c->dir, strerror(errno));
		return SEND_RETRY;
	}
	snprintf(c->last_key, sizeof(c->last_key), "%s", m->control_id);
	return SEND_OK;
}

/* Between records: a day that is over is finished even if none follow. */
static void
csvout_idle(void *ctx)
{
	csvout_end_day(ctx);
}

static int
csvout_open(const struct bridge_conf *conf, const char *dest, void **ctx)
{
	struct csvout *c = calloc(1, sizeof(*c));
	char day[9];

	if (c == NULL)
		return -ENOMEM;
	c->fd = -1;
	snprintf(c->dir, sizeof(c->dir), "%s", dest_lookup(dest)->dir(conf));
	snprintf(c->dest, sizeof(c->dest), "%s", dest);
	if (mkdir(c->dir, 0750) != 0 && errno != EEXIST) {
		log_warn("%s: cannot create %s", dest, c->dir);
		free(c);
		return -EIO;
	}
	csvout_today(day);
	csvout_finish_old(c, day);
	*ctx = c;
	return 0;
}

static void
csvout_close(void *ctx)
{
	struct csvout *c = ctx;

	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

const struct transport transport_csv = {
	.name = "csv",
	.open = csvout_open,
	.send = csvout_send,
	.idle = csvout_idle,
	.close = csvout_close,
};

/*
 * Reference data on the device, so the checks at the point of use work
 * offline: the item catalog (DI -> description, implant, lot or serial
 * required, active) and the recall list (DI with a lot, a serial, or
 * neither for every unit). Read from CSV files into the store (its tables
 * are store_ref.c's), each with its SHA-256 as version; a file with any
 * error is refused whole and the version loaded before stays.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "hash.h"
#include "log.h"
#include "refdata.h"
#include "store.h"
#include "util.h"

/* yes[i]: field i is a yes/no. */
static const char *
rd_row(struct store *s, char **f, int n, const int *yes)
{
	int flag[8], i;

	for (i = 0; i < n; i++)
		if ((flag[i] = yes[i] ? csv_bool(f[i]) : -1) < 0 && yes[i])
			return "a yes/no field holds something else";
	return store_ref_row(s, f, flag);
}

static const char *
catalog_row(void *arg, char **f)
{
	static const int yes[] = { 0, 0, 1, 1, 1, 1 };

	if (f[0][0] == '\0' || strlen(f[0]) >= 32)
		return "di is empty or too long";
	if (strlen(f[1]) >= 96)
		return "description longer than 95 bytes";
	return rd_row(arg, f, 6, yes);
}

static const char *
recall_row(void *arg, char **f)
{
	static const int yes[] = { 0, 0, 0, 0, 0 };

	if (f[0][0] == '\0' || strlen(f[0]) >= 32)
		return "di is empty or too long";
	if (f[3][0] == '\0')
		return "recall_id is empty";
	return rd_row(arg, f, 5, yes);
}

int
refdata_local_time(const char *s, int64_t *ms)
{
	struct tm tm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M", &tm)) == NULL || *end)
		return -1;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

/* room, start, end, case_id, mrn, encounter: every room's rows checked,
 * as the file is one for all the carts. */
static const char *
schedule_row(void *arg, char **f)
{
	static const int yes[] = { 0, 0, 0, 0, 0, 0 };
	int64_t start, end;
	int i;

	if (f[0][0] == '\0' || strlen(f[0]) >= 64)
		return "room is empty or too long";
	if (refdata_local_time(f[1], &start) != 0 ||
	    refdata_local_time(f[2], &end) != 0 || end <= start)
		return "start and end are local times YYYY-MM-DDTHH:MM, "
		    "in order";
	for (i = 3; i < 6; i++)
		if (strlen(f[i]) >= EV_STR)
			return "an id longer than 63 bytes";
	if (f[3][0] == '\0')
		return "case_id is empty";
	return rd_row(arg, f, 6, yes);
}

static const struct rd_file {
	const char	*name;
	const char	*header;
	int		 kind, nfields;
	csv_row_fn	 row;
} rd_files[] = {
	{ "catalog", "di,description,implant,lot_required,serial_required,"
	    "active", STORE_REF_CATALOG, 6, catalog_row },
	{ "recalls", "di,lot,serial,recall_id,reason", STORE_REF_RECALLS, 5,
	    recall_row },
	{ "schedule", "room,start,end,case_id,mrn,encounter",
	    STORE_REF_SCHEDULE, 6, schedule_row },
};

const char *
refdata_header(int kind, int *nfields)
{
	size_t i;

	for (i = 0; i < nitems(rd_files); i++)
		if (rd_files[i].kind == kind) {
			*nfields = rd_files[i].nfields;
			return rd_files[i].header;
		}
	return NULL;
}

const char *
refdata_row(struct store *s, int kind, char **f, int n)
{
	size_t i;

	for (i = 0; i < nitems(rd_files); i++)
		if (rd_files[i].kind == kind)
			return n != rd_files[i].nfields ? "a row with the "
			    "wrong number of fields" : rd_files[i].row(s, f);
	return "no such reference kind";
}

/* Loads one file in one transaction; 0 when loaded or unchanged. */
static int
rd_load_file(struct store *s, const struct rd_file *rf, const char *path)
{
	char version[65];
	int rows = 0;

	if (path[0] == '\0')
		return 0;
	if (sha256_file(path, version) != 0) {
		log_warn("refdata: %s", path);
		return -1;
	}
	if (store_ref_file_seen(s, rf->kind, version))
		return 0;
	if (store_ref_begin(s, rf->kind) != 0)
		return -1;
	if (csv_load(path, rf->nfields, rf->header, rf->row, s) != 0 ||
	    store_ref_commit(s, version, 1, &rows) != 0) {
		store_ref_abort(s);
		log_warnx("refdata: %s not loaded; the %s loaded before stays",
		    path, rf->name);
		return -1;
	}
	log_info("refdata: %s: %d rows, version %.12s", rf->name, rows,
	    version);
	return 0;
}

int
refdata_load(struct store *s, const char *catalog, const char *recalls)
{
	int rc = 0;

	rc |= rd_load_file(s, &rd_files[0], catalog);
	rc |= rd_load_file(s, &rd_files[1], recalls);
	return rc;
}

int
refdata_load_schedule(struct store *s, const char *path)
{
	return rd_load_file(s, &rd_files[2], path);
}

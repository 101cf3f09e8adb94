/*
 * Reference data on the device, so the checks at the point of use work
 * offline: the item catalog (DI -> description, implant, lot or serial
 * required, active) and the recall list (DI with a lot, a serial, or
 * neither for every unit). Loaded from CSV files into the store, each with
 * its SHA-256 as version; a file with any error is refused whole and the
 * version loaded before stays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "agent.h"
#include "csv.h"
#include "log.h"
#include "refdata.h"
#include "store.h"
#include "util.h"

struct rd_load {
	sqlite3_stmt	*ins;
	int		 rows;
};

static const char *
rd_bind_row(struct rd_load *l, char **f, int n, const int *flag)
{
	int i, v;

	sqlite3_reset(l->ins);
	for (i = 0; i < n; i++) {
		if (flag[i]) {
			if ((v = csv_bool(f[i])) < 0)
				return "a yes/no field holds something else";
			sqlite3_bind_int(l->ins, i + 1, v);
		} else
			sqlite3_bind_text(l->ins, i + 1, f[i], -1,
			    SQLITE_TRANSIENT);
	}
	if (sqlite3_step(l->ins) != SQLITE_DONE)
		return "duplicate or unstorable row";
	l->rows++;
	return NULL;
}

static const char *
catalog_row(void *arg, char **f)
{
	static const int flag[] = { 0, 0, 1, 1, 1, 1 };

	if (f[0][0] == '\0' || strlen(f[0]) >= 32)
		return "di is empty or too long";
	if (strlen(f[1]) >= 96)
		return "description longer than 95 bytes";
	return rd_bind_row(arg, f, 6, flag);
}

static const char *
recall_row(void *arg, char **f)
{
	static const int flag[] = { 0, 0, 0, 0, 0 };

	if (f[0][0] == '\0' || strlen(f[0]) >= 32)
		return "di is empty or too long";
	if (f[3][0] == '\0')
		return "recall_id is empty";
	return rd_bind_row(arg, f, 5, flag);
}

static const struct rd_file {
	const char	*name;
	int		 nfields;
	const char	*clear, *insert;
	csv_row_fn	 row;
} rd_files[] = {
	{ "catalog", 6, "DELETE FROM catalog", "INSERT INTO catalog VALUES "
	    "(?, ?, ?, ?, ?, ?)", catalog_row },
	{ "recalls", 5, "DELETE FROM recalls", "INSERT INTO recalls VALUES "
	    "(?, ?, ?, ?, ?)", recall_row },
};

static int
rd_version_is(sqlite3 *db, const char *name, const char *version)
{
	sqlite3_stmt *st;
	int same = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM refdata WHERE name = ?1 AND "
	    "version = ?2", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
	same = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return same;
}

static int
rd_record(sqlite3 *db, const char *name, const char *version, int rows)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO refdata VALUES "
	    "('%s', '%s', %d, %lld)", name, version, rows,
	    (long long)now_wall_ms());
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Loads one file in one transaction; 0 when loaded or unchanged. */
static int
rd_load_file(sqlite3 *db, const struct rd_file *rf, const char *path)
{
	struct rd_load l = { NULL, 0 };
	char version[65];
	int errors;

	if (path[0] == '\0')
		return 0;
	if (csv_sha256(path, version) != 0) {
		log_warn("refdata: %s", path);
		return -1;
	}
	if (rd_version_is(db, rf->name, version))
		return 0;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_exec(db, rf->clear, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, rf->insert, -1, &l.ins, NULL) != SQLITE_OK)
		errors = -1;
	else
		errors = csv_load(path, rf->nfields, "di", rf->row, &l);
	sqlite3_finalize(l.ins);
	if (errors != 0 || rd_record(db, rf->name, version, l.rows) != 0 ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		log_warnx("refdata: %s not loaded; the %s loaded before stays",
		    path, rf->name);
		return -1;
	}
	log_info("refdata: %s: %d rows, version %.12s", rf->name, l.rows,
	    version);
	return 0;
}

int
refdata_load(struct store *s, const char *catalog, const char *recalls)
{
	sqlite3 *db = store_sqlite(s);
	int rc = 0;

	rc |= rd_load_file(db, &rd_files[0], catalog);
	rc |= rd_load_file(db, &rd_files[1], recalls);
	return rc;
}

int
refdata_item(struct store *s, const char *di, struct refdata_item *out)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(store_sqlite(s), "SELECT description, implant, "
	    "lot_required, serial_required, active FROM catalog WHERE di = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, di, -1, SQLITE_STATIC);
	memset(out, 0, sizeof(*out));
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out->desc, sizeof(out->desc), "%s",
		    (const char *)sqlite3_column_text(st, 0));
		out->implant = sqlite3_column_int(st, 1);
		out->lot_required = sqlite3_column_int(st, 2);
		out->serial_required = sqlite3_column_int(st, 3);
		out->active = sqlite3_column_int(st, 4);
		rc = 1;
	} else
		rc = refdata_catalog_loaded(s) ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int
refdata_catalog_loaded(struct store *s)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(store_sqlite(s), "SELECT 1 FROM catalog LIMIT 1",
	    -1, &st, NULL) != SQLITE_OK)
		return 0;
	n = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return n;
}

int
refdata_recalled(struct store *s, const struct item *it, char *id,
    size_t idlen)
{
	sqlite3_stmt *st;
	int hit = 0;

	if (sqlite3_prepare_v2(store_sqlite(s), "SELECT recall_id, reason FROM "
	    "recalls WHERE di = ?1 AND (lot = '' OR lot = ?2) AND (serial = '' "
	    "OR serial = ?3) LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, it->di, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, it->lot, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, it->serial, -1, SQLITE_STATIC);
	if ((hit = sqlite3_step(st) == SQLITE_ROW))
		snprintf(id, idlen, "%s", (const char *)sqlite3_column_text(st,
		    0));
	sqlite3_finalize(st);
	return hit;
}

/*
 * The reference data's tables in the store: the item catalog and the
 * recall list, replaced whole in one transaction per file (refdata.c reads
 * the CSV), each load noted with its version; and the lookups the checks
 * at the point of use make, as prepared statements.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"
#include "util.h"

static const struct {
	const char	*name, *clear, *insert;
	int		 nfields;
} ref_tables[STORE_REF_COUNT] = {
	[STORE_REF_CATALOG] = { "catalog", "DELETE FROM catalog",
	    "INSERT INTO catalog VALUES (?, ?, ?, ?, ?, ?)", 6 },
	[STORE_REF_RECALLS] = { "recalls", "DELETE FROM recalls",
	    "INSERT INTO recalls VALUES (?, ?, ?, ?, ?)", 5 },
	[STORE_REF_SCHEDULE] = { "schedule", "DELETE FROM schedule",
	    "INSERT INTO schedule VALUES (?, ?, ?, ?, ?, ?)", 6 },
};

static int
ref_version_is(struct store *s, int q, int kind, const char *version)
{
	sqlite3_stmt *st = s->st[q];
	int same;

	sqlite3_bind_text(st, 1, ref_tables[kind].name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
	same = store_step(s, st) == SQLITE_ROW;
	sqlite3_reset(st);
	return same;
}

int
store_ref_current(struct store *s, int kind, const char *version)
{
	return ref_version_is(s, ST_REF_VERSION, kind, version);
}

int
store_ref_file_seen(struct store *s, int kind, const char *version)
{
	return ref_version_is(s, ST_REF_FILE_SEEN, kind, version);
}

int
store_ref_begin(struct store *s, int kind)
{
	int rc;

	s->ref_kind = kind;
	s->ref_rows = 0;
	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	if ((rc = store_exec(s, ref_tables[kind].clear)) != 0 ||
	    sqlite3_prepare_v2(s->db, ref_tables[kind].insert, -1, &s->ref_ins,
	    NULL) != SQLITE_OK) {
		rc = rc ? rc : store_err(s, "reference data");
		store_ref_abort(s);
	}
	return rc;
}

const char *
store_ref_row(struct store *s, char *const *f, const int *flag)
{
	int i, n = ref_tables[s->ref_kind].nfields;

	sqlite3_reset(s->ref_ins);
	for (i = 0; i < n; i++)
		if (flag[i] >= 0)
			sqlite3_bind_int(s->ref_ins, i + 1, flag[i]);
		else
			sqlite3_bind_text(s->ref_ins, i + 1, f[i], -1,
			    SQLITE_TRANSIENT);
	if (store_step(s, s->ref_ins) != SQLITE_DONE)
		return "duplicate or unstorable row";
	s->ref_rows++;
	return NULL;
}

int
store_ref_commit(struct store *s, const char *version, int from_file,
    int *rows)
{
	sqlite3_stmt *st = s->st[ST_REF_RECORD];
	int rc;

	*rows = s->ref_rows;
	sqlite3_finalize(s->ref_ins);
	s->ref_ins = NULL;
	sqlite3_bind_text(st, 1, ref_tables[s->ref_kind].name, -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 2, version, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, s->ref_rows);
	sqlite3_bind_int64(st, 4, now_wall_ms());
	if (from_file)
		sqlite3_bind_text(st, 5, version, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	if ((rc = store_step_done(s, ST_REF_RECORD)) != 0 ||
	    (rc = store_step_done(s, ST_COMMIT)) != 0)
		store_ref_abort(s);
	return rc;
}

void
store_ref_abort(struct store *s)
{
	sqlite3_finalize(s->ref_ins);
	s->ref_ins = NULL;
	if (!sqlite3_get_autocommit(s->db))
		store_step_done(s, ST_ROLLBACK);
}

int
store_catalog_item(struct store *s, const char *di, struct store_item *out)
{
	sqlite3_stmt *st = s->st[ST_REF_ITEM];
	int rc;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_text(st, 1, di, -1, SQLITE_STATIC);
	if ((rc = store_step(s, st)) == SQLITE_ROW) {
		store_col_text(st, 0, out->desc, sizeof(out->desc));
		out->implant = sqlite3_column_int(st, 1);
		out->lot_required = sqlite3_column_int(st, 2);
		out->serial_required = sqlite3_column_int(st, 3);
		out->active = sqlite3_column_int(st, 4);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return store_err(s, "catalog");
	return store_catalog_loaded(s) ? 0 : -ENOENT;
}

int
store_catalog_loaded(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_REF_ANY];
	int n = store_step(s, st) == SQLITE_ROW;

	sqlite3_reset(st);
	return n;
}

int
store_recalled(struct store *s, const struct item *it, char *id, size_t len)
{
	sqlite3_stmt *st = s->st[ST_REF_RECALLED];
	int rc;

	sqlite3_bind_text(st, 1, it->di, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, it->lot, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, it->serial, -1, SQLITE_STATIC);
	if ((rc = store_step(s, st)) == SQLITE_ROW)
		store_col_text(st, 0, id, len);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_err(s, "recalls");
}

int
store_ref_version(struct store *s, int kind, char *out, size_t len)
{
	sqlite3_stmt *st = s->st[ST_REF_GET];
	int rc;

	out[0] = '\0';
	sqlite3_bind_text(st, 1, ref_tables[kind].name, -1, SQLITE_STATIC);
	if ((rc = store_step(s, st)) == SQLITE_ROW)
		store_col_text(st, 0, out, len);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_err(s,
	    "reference version");
}

int
store_schedule(struct store *s, store_row_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_SCHEDULE];
	char *f[6], buf[6][128];
	int rc, i, stop = 0;

	while (stop == 0 && (rc = store_step(s, st)) == SQLITE_ROW) {
		for (i = 0; i < 6; i++) {
			store_col_text(st, i, buf[i], sizeof(buf[i]));
			f[i] = buf[i];
		}
		stop = fn(arg, f);
	}
	sqlite3_reset(st);
	return stop || rc == SQLITE_DONE ? 0 : store_err(s, "schedule");
}

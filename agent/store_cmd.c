/*
 * Fleet commands in the store: each id taken once, its state moved in one
 * transaction with the result that reports it, so a kill -9 at any point
 * leaves a state and its report, never one without the other; the results
 * queued until the broker has them; a reference set's parts held until
 * the set is whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "util.h"

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return strdup(v ? (const char *)v : "");
}

static int
cmd_result(struct store *s, const char *id, const char *state,
    const char *error, const char *detail, const char *data)
{
	sqlite3_stmt *st = s->st[ST_CMD_RESULT];

	store_bind_text(st, 1, id);
	store_bind_text(st, 2, state);
	store_bind_text(st, 3, error);
	store_bind_text(st, 4, detail);
	store_bind_text(st, 5, data);
	sqlite3_bind_int64(st, 6, now_wall_ms());
	return store_step_done(s, ST_CMD_RESULT);
}

static int
cmd_insert(struct store *s, const struct store_cmd *c, const char *state,
    const char *error, const char *detail)
{
	sqlite3_stmt *st = s->st[ST_CMD_ADD];
	int rc;

	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	store_bind_text(st, 1, c->id);
	store_bind_text(st, 2, c->op);
	store_bind_text(st, 3, c->args ? c->args : "{}");
	sqlite3_bind_int64(st, 4, c->exp);
	store_bind_text(st, 5, state);
	sqlite3_bind_int64(st, 6, now_wall_ms());
	if ((rc = store_step_done(s, ST_CMD_ADD)) == 0 &&
	    sqlite3_changes(s->db) == 0)
		rc = -EEXIST;
	if (rc == 0)
		rc = cmd_result(s, c->id, state, error, detail, "");
	return store_txn_end(s, rc);
}

int
store_cmd_add(struct store *s, const struct store_cmd *c)
{
	return cmd_insert(s, c, "received", "", "");
}

int
store_cmd_refused(struct store *s, const struct store_cmd *c,
    const char *error, const char *detail)
{
	return cmd_insert(s, c, "failed", error, detail);
}

int
store_cmd_state(struct store *s, const char *id, const char *state,
    const char *error, const char *detail, const char *data)
{
	sqlite3_stmt *st = s->st[ST_CMD_STATE];
	int rc;

	store_bind_text(st, 1, id);
	store_bind_text(st, 2, state);
	sqlite3_bind_int64(st, 3, now_wall_ms());
	if ((rc = store_step_done(s, ST_CMD_STATE)) == 0 &&
	    sqlite3_changes(s->db) != 1)
		rc = -ENOENT;
	if (rc == 0)
		rc = cmd_result(s, id, state, error, detail, data ? data : "");
	return rc;
}

int
store_cmd_transition(struct store *s, const char *id, const char *state,
    const char *error, const char *detail, const char *data)
{
	int rc;

	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	rc = store_cmd_state(s, id, state, error, detail, data);
	return store_txn_end(s, rc);
}

static void
cmd_read(sqlite3_stmt *st, struct store_cmd *c)
{
	store_col_text(st, 0, c->id, sizeof(c->id));
	store_col_text(st, 1, c->op, sizeof(c->op));
	c->args = col_dup(st, 2);
	c->exp = sqlite3_column_int64(st, 3);
	store_col_text(st, 4, c->state, sizeof(c->state));
	c->at_ms = sqlite3_column_int64(st, 5);
}

int
store_cmd_next(struct store *s, struct store_cmd *c)
{
	sqlite3_stmt *st = s->st[ST_CMD_NEXT];
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = store_step(s, st)) == SQLITE_ROW)
		cmd_read(st, c);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return c->args ? 1 : -ENOMEM;
	return rc == SQLITE_DONE ? 0 : store_err(s, "next command");
}

int
store_cmd_list(struct store *s, int max, store_cmd_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_CMD_LIST];
	struct store_cmd c;
	int rc;

	sqlite3_bind_int(st, 1, max);
	while ((rc = store_step(s, st)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		cmd_read(st, &c);
		fn(arg, &c);
		store_cmd_release(&c);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_err(s, "commands");
}

void
store_cmd_release(struct store_cmd *c)
{
	free(c->args);
	c->args = NULL;
}

int
store_result_next(struct store *s, struct store_result *r)
{
	sqlite3_stmt *st = s->st[ST_RES_NEXT];
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = store_step(s, st)) == SQLITE_ROW) {
		r->n = sqlite3_column_int64(st, 0);
		store_col_text(st, 1, r->id, sizeof(r->id));
		store_col_text(st, 2, r->state, sizeof(r->state));
		store_col_text(st, 3, r->error, sizeof(r->error));
		store_col_text(st, 4, r->detail, sizeof(r->detail));
		r->data = col_dup(st, 5);
		r->at_ms = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return r->data ? 1 : -ENOMEM;
	return rc == SQLITE_DONE ? 0 : store_err(s, "next result");
}

int
store_result_done(struct store *s, int64_t n)
{
	sqlite3_bind_int64(s->st[ST_RES_DONE], 1, n);
	return store_keep(s, ST_RES_DONE, KEEP_LAZY | KEEP_ROOM);
}

void
store_result_release(struct store_result *r)
{
	free(r->data);
	r->data = NULL;
}

int
store_cmd_prune(struct store *s, int64_t before_s)
{
	sqlite3_bind_int64(s->st[ST_CMD_PRUNE], 1, before_s);
	return store_keep(s, ST_CMD_PRUNE, KEEP_LAZY | KEEP_ROOM);
}

int
store_part_put(struct store *s, const char *kind, const char *version,
    int part, int parts, const char *rows, int64_t now_ms)
{
	sqlite3_stmt *st = s->st[ST_PART_PUT];
	int rc;

	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, version);
	sqlite3_bind_int(st, 3, part);
	sqlite3_bind_int(st, 4, parts);
	store_bind_text(st, 5, rows);
	sqlite3_bind_int64(st, 6, now_ms);
	if ((rc = store_keep(s, ST_PART_PUT, 0)) != 0)
		return rc;
	st = s->st[ST_PART_COUNT];
	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, version);
	sqlite3_bind_int(st, 3, parts);
	if ((rc = store_step(s, st)) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0) == parts;
	else
		rc = store_err(s, "parts");
	sqlite3_reset(st);
	return rc;
}

int
store_parts(struct store *s, const char *kind, const char *version,
    store_part_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_PARTS];
	int rc, stop = 0;

	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, version);
	while (stop == 0 && (rc = store_step(s, st)) == SQLITE_ROW)
		stop = fn(arg, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (stop != 0)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_err(s, "parts");
}

int
store_parts_drop(struct store *s, const char *kind, const char *version,
    int64_t before_ms)
{
	sqlite3_stmt *st = s->st[ST_PART_DROP];

	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, version);
	sqlite3_bind_int64(st, 3, before_ms);
	return store_keep(s, ST_PART_DROP, KEEP_ROOM);
}

/*
 * Configuration keys set by fleet commands, kept in the store over the
 * file's: a change is tried in one transaction that keeps the values it
 * replaces, and is then kept, or undone in one transaction too, so a kill
 * at any point leaves the keys of before or of after, never half of each.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

static void
bind_str(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static int
conf_end(struct store *s, int rc)
{
	if (rc == 0 && (rc = store_step_done(s, ST_COMMIT)) == 0)
		return 0;
	if (!sqlite3_get_autocommit(s->db))
		store_step_done(s, ST_ROLLBACK);
	return rc;
}

int
store_config_list(struct store *s, store_config_fn fn, void *arg)
{
	sqlite3_stmt *st = s->st[ST_CONF_LIST];
	int rc;

	while ((rc = store_step(s, st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_err(s, "config");
}

int
store_config_try(struct store *s, const char *id, int n,
    const char *const *section, const char *const *key,
    const char *const *value, int64_t deadline_ms)
{
	int i, rc;

	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < n; i++) {
		bind_str(s->st[ST_CONF_TRY], 1, id);
		bind_str(s->st[ST_CONF_TRY], 2, section[i]);
		bind_str(s->st[ST_CONF_TRY], 3, key[i]);
		sqlite3_bind_int64(s->st[ST_CONF_TRY], 4, deadline_ms);
		if ((rc = store_step_done(s, ST_CONF_TRY)) != 0)
			break;
		bind_str(s->st[ST_CONF_SET], 1, id);
		bind_str(s->st[ST_CONF_SET], 2, section[i]);
		bind_str(s->st[ST_CONF_SET], 3, key[i]);
		bind_str(s->st[ST_CONF_SET], 4, value[i]);
		rc = store_step_done(s, ST_CONF_SET);
	}
	return conf_end(s, rc);
}

int
store_config_trial(struct store *s, const char *id, int64_t *deadline_ms)
{
	sqlite3_stmt *st = s->st[ST_CONF_TRIAL];
	int rc;

	bind_str(st, 1, id);
	if ((rc = store_step(s, st)) == SQLITE_ROW) {
		rc = sqlite3_column_type(st, 0) != SQLITE_NULL;
		*deadline_ms = sqlite3_column_int64(st, 0);
	} else
		rc = store_err(s, "config trial");
	sqlite3_reset(st);
	return rc;
}

int
store_config_keep(struct store *s, const char *id)
{
	bind_str(s->st[ST_CONF_KEEP], 1, id);
	return store_keep(s, ST_CONF_KEEP, 0);
}

int
store_config_undo(struct store *s, const char *id)
{
	int rc;

	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	bind_str(s->st[ST_CONF_UNDO_DEL], 1, id);
	bind_str(s->st[ST_CONF_UNDO_SET], 1, id);
	bind_str(s->st[ST_CONF_KEEP], 1, id);
	if ((rc = store_step_done(s, ST_CONF_UNDO_DEL)) == 0 &&
	    (rc = store_step_done(s, ST_CONF_UNDO_SET)) == 0)
		rc = store_step_done(s, ST_CONF_KEEP);
	return conf_end(s, rc);
}

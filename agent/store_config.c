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
		store_bind_text(s->st[ST_CONF_TRY], 1, id);
		store_bind_text(s->st[ST_CONF_TRY], 2, section[i]);
		store_bind_text(s->st[ST_CONF_TRY], 3, key[i]);
		sqlite3_bind_int64(s->st[ST_CONF_TRY], 4, deadline_ms);
		if ((rc = store_step_done(s, ST_CONF_TRY)) != 0)
			break;
		store_bind_text(s->st[ST_CONF_SET], 1, id);
		store_bind_text(s->st[ST_CONF_SET], 2, section[i]);
		store_bind_text(s->st[ST_CONF_SET], 3, key[i]);
		store_bind_text(s->st[ST_CONF_SET], 4, value[i]);
		rc = store_step_done(s, ST_CONF_SET);
	}
	return store_txn_end(s, rc);
}

int
store_config_trial(struct store *s, const char *id, int64_t *deadline_ms)
{
	sqlite3_stmt *st = s->st[ST_CONF_TRIAL];
	int rc;

	store_bind_text(st, 1, id);
	if ((rc = store_step(s, st)) == SQLITE_ROW) {
		rc = sqlite3_column_type(st, 0) != SQLITE_NULL;
		*deadline_ms = sqlite3_column_int64(st, 0);
	} else
		rc = store_err(s, "config trial");
	sqlite3_reset(st);
	return rc;
}

/* Kept: the values replaced forgotten, and the command successful, in one
 * transaction, so a kill between the two cannot try the change again. */
int
store_config_keep(struct store *s, const char *id, const char *detail)
{
	int rc;

	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	store_bind_text(s->st[ST_CONF_KEEP], 1, id);
	if ((rc = store_step_done(s, ST_CONF_KEEP)) == 0)
		rc = store_cmd_state(s, id, "successful", "", detail, "");
	return store_txn_end(s, rc);
}

/* Undone, and the command failed, in one transaction too. */
int
store_config_undo(struct store *s, const char *id, const char *error,
    const char *detail)
{
	int rc;

	if ((rc = store_step_done(s, ST_BEGIN)) != 0)
		return rc;
	store_bind_text(s->st[ST_CONF_UNDO_DEL], 1, id);
	store_bind_text(s->st[ST_CONF_UNDO_SET], 1, id);
	store_bind_text(s->st[ST_CONF_KEEP], 1, id);
	if ((rc = store_step_done(s, ST_CONF_UNDO_DEL)) == 0 &&
	    (rc = store_step_done(s, ST_CONF_UNDO_SET)) == 0 &&
	    (rc = store_step_done(s, ST_CONF_KEEP)) == 0)
		rc = store_cmd_state(s, id, "failed", error, detail, "");
	return store_txn_end(s, rc);
}

/*
 * The event's columns in SQLite, the same in the agent's and bridge's stores.
 */
#ifndef POU_EVSQL_H
#define POU_EVSQL_H

#include <sqlite3.h>

#include "event.h"

/* The columns of schema v1; later ones are added by each store's migrations
 * (undoes). Frozen: the first migration of both stores is built from it. */
#define EVSQL_SCHEMA							\
	"at_ms INTEGER NOT NULL, boot TEXT NOT NULL, mono_ms INTEGER NOT NULL,"\
	" kind TEXT NOT NULL, qty INTEGER NOT NULL,"			\
	" scheme TEXT NOT NULL, di TEXT NOT NULL, lot TEXT NOT NULL,"	\
	" serial TEXT NOT NULL, expiry TEXT NOT NULL, mfg TEXT NOT NULL,"\
	" raw BLOB NOT NULL, case_id TEXT NOT NULL, mrn TEXT NOT NULL,"	\
	" encounter TEXT NOT NULL, user_id TEXT NOT NULL, site TEXT NOT NULL,"\
	" room TEXT NOT NULL, unit TEXT NOT NULL, flags INTEGER NOT NULL,"\
	" source TEXT NOT NULL"
#define EVSQL_COLUMNS_V1						\
	"at_ms, boot, mono_ms, kind, qty, scheme, di, lot, serial, expiry, "\
	"mfg, raw, case_id, mrn, encounter, user_id, site, room, unit, "\
	"flags, source"
#define EVSQL_COLUMNS	EVSQL_COLUMNS_V1 ", undoes"
#define EVSQL_ADD_UNDOES "ADD COLUMN undoes INTEGER NOT NULL DEFAULT 0"
#define EVSQL_PARAMS	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " \
			"?, ?, ?, ?, ?, ?"
#define EVSQL_NCOLS	22

/* Binds the columns from parameter first on; ev must outlive the step. */
void	evsql_bind(sqlite3_stmt *, int first, const struct event *ev);
/* Reads them from column first on into ev (seq untouched). */
void	evsql_row(sqlite3_stmt *, int first, struct event *ev);

#endif

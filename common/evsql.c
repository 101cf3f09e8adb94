/*
 * The event's columns in SQLite, the same in the agent's and bridge's stores.
 */
#include <stdio.h>
#include <string.h>

#include "evsql.h"

static void
bt(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

void
evsql_bind(sqlite3_stmt *st, int i, const struct event *ev)
{
	const struct item *it = &ev->item;

	sqlite3_bind_int64(st, i++, ev->at_ms);
	bt(st, i++, ev->boot);
	sqlite3_bind_int64(st, i++, ev->mono_ms);
	bt(st, i++, ev->kind);
	sqlite3_bind_int(st, i++, ev->qty);
	bt(st, i++, it->scheme);
	bt(st, i++, it->di);
	bt(st, i++, it->lot);
	bt(st, i++, it->serial);
	bt(st, i++, it->expiry);
	bt(st, i++, it->mfg);
	sqlite3_bind_blob(st, i++, it->raw, (int)it->raw_len, SQLITE_STATIC);
	bt(st, i++, ev->case_id);
	bt(st, i++, ev->mrn);
	bt(st, i++, ev->encounter);
	bt(st, i++, ev->user);
	bt(st, i++, ev->site);
	bt(st, i++, ev->room);
	bt(st, i++, ev->unit);
	sqlite3_bind_int(st, i++, (int)ev->flags);
	bt(st, i++, ev->source);
	sqlite3_bind_int64(st, i, ev->undoes);
}

static void
ct(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	snprintf(dst, size, "%s", v ? (const char *)v : "");
}

#define CT(i, f) ct(st, i, f, sizeof(f))

void
evsql_row(sqlite3_stmt *st, int i, struct event *ev)
{
	struct item *it = &ev->item;
	int n;

	ev->at_ms = sqlite3_column_int64(st, i++);
	CT(i++, ev->boot);
	ev->mono_ms = sqlite3_column_int64(st, i++);
	CT(i++, ev->kind);
	ev->qty = sqlite3_column_int(st, i++);
	CT(i++, it->scheme);
	CT(i++, it->di);
	CT(i++, it->lot);
	CT(i++, it->serial);
	CT(i++, it->expiry);
	CT(i++, it->mfg);
	n = sqlite3_column_bytes(st, i);
	it->raw_len = n > ITEM_RAW_MAX ? ITEM_RAW_MAX : (size_t)n;
	if (n > 0)
		memcpy(it->raw, sqlite3_column_blob(st, i), it->raw_len);
	i++;
	CT(i++, ev->case_id);
	CT(i++, ev->mrn);
	CT(i++, ev->encounter);
	CT(i++, ev->user);
	CT(i++, ev->site);
	CT(i++, ev->room);
	CT(i++, ev->unit);
	ev->flags = (unsigned)sqlite3_column_int(st, i++);
	CT(i++, ev->source);
	ev->undoes = sqlite3_column_int64(st, i);
}

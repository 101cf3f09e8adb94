/* The outbox side of db.c, used by the delivery threads. */
#ifndef POU_BRIDGE_DB_H
#define POU_BRIDGE_DB_H

#include <stdint.h>

#include "buf.h"

struct db;

struct db_outrow {
	int64_t		id;
	char		name[160];
	char		control_id[EVENT_ID_MAX];	/* MSH-10, or the ERP key */
	char		ident[EVENT_ID_MAX + 16];	/* the ledger's key */
	struct buf	payload;	/* owned by the caller, reused */
	int		attempts;
	int64_t		next_ms;	/* wall ms */
	int64_t		seqno;		/* HL7 MSH-13 given; 0 none yet */
	int		unsure;		/* attempts that may have arrived */
};

/* The oldest pending row of dest: 1 and r filled, 0 when none, <0 error. */
int	db_outbox_next(struct db *, const char *dest, struct db_outrow *r);
/* Records an attempt: state pending (with next_ms), done or failed;
 * unsure 1: its outcome is not known (it may have arrived); -1: the
 * receiver says it has the message once (attempts before count none). */
int	db_outbox_set(struct db *, int64_t id, const char *state,
	    int64_t next_ms, const char *error, int unsure);
/* Gives the row its HL7 sequence number (when it has none). */
int	db_outbox_seqno(struct db *, int64_t id, int64_t seqno);
/* The highest HL7 sequence number dest's rows were given; 0 none. */
int64_t	db_outbox_seqno_max(struct db *, const char *dest);

/* A refused delivery: failed, and an exception (rule dest_refused, the
 * answer as reason) in one transaction. */
int	db_outbox_refused(struct db *, int64_t id, const char *error);

#endif

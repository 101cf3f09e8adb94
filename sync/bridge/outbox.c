/*
 * Delivery: one thread per destination, with its own database connection,
 * takes the oldest pending outbox row, hands it to the output and records
 * the answer: done, failed (with the reason), or retry after a full-jitter
 * backoff. Blocking transports (MLLP, HTTP) never stall MQTT intake or acks.
 * An acknowledgement goes to the destination's ledger before anything
 * else; a row whose key the ledger holds is done without being sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "db.h"
#include "log.h"
#include "util.h"

#define OUTBOX_IDLE_MS	1000	/* look again even when nobody kicked */

struct outbox {
	pthread_t		 th;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 stop, kicked;
	const struct transport	*ops;
	void			*ctx;
	struct db		*db;
	struct ledger		*ledger;
	/* HL7 sequence numbers (MSH-13) */
	int			 sequenced;
	char			 dest[16];
	int64_t			 retry_min_ms, retry_max_ms;
	int			 dead_after;	/* attempts; 0: never */
};

static const struct transport *const transports[] = { &transport_file,
	&transport_mllp, &transport_http, &transport_csv };

const struct transport *
transport_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(transports); i++)
		if (strcmp(transports[i]->name, name) == 0)
			return transports[i];
	return NULL;
}

/* Sleeps up to ms or until kicked; returns nonzero when asked to stop. */
static int
outbox_wait(struct outbox *o, int64_t ms)
{
	struct timespec ts;
	int stop;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&o->mu);
	while (!o->kicked && !o->stop &&
	    pthread_cond_timedwait(&o->cv, &o->mu, &ts) != ETIMEDOUT)
		;
	o->kicked = 0;
	stop = o->stop;
	pthread_mutex_unlock(&o->mu);
	return stop;
}

static void
outbox_record(struct outbox *o, const struct db_outrow *r,
    enum send_result res, const char *err, int unsure)
{
	int64_t next;

	switch (res) {
	case SEND_OK:	/* err: the receiver's answer (ACK, document id) */
		ledger_add(o->ledger, r->ident, err);
		db_outbox_set(o->db, r->id, OB_DONE, 0, err, unsure);
		log_debug("%s: %s delivered: %s", o->dest, r->name, err);
		break;
	case SEND_FAIL:
		db_outbox_refused(o->db, r->id, err);
		log_warnx("%s: %s refused, held as failed and in the exception "
		    "queue: %s", o->dest, r->name, err);
		break;
	case SEND_RETRY:
		if (o->dead_after > 0 && r->attempts + 1 >= o->dead_after) {
			db_outbox_set(o->db, r->id, OB_DEAD, 0, err, unsure);
			log_warnx("%s: %s dead after %d attempts, held for "
			    "pouctl replay: %s", o->dest, r->name,
			    r->attempts + 1, err);
			break;
		}
		next = backoff_ms((unsigned)r->attempts, o->retry_min_ms,
		    o->retry_max_ms);
		if (next < o->retry_min_ms)
			next = o->retry_min_ms;
		db_outbox_set(o->db, r->id, OB_PENDING, now_wall_ms() + next,
		    err, unsure);
		log_warnx("%s: %s not delivered (attempt %d), retry in %lld "
		    "ms: %s", o->dest, r->name, r->attempts + 1,
		    (long long)next, err);
		break;
	}
}

/*
 * HL7 sequence numbers: the receiver says what it expects (E). A row
 * given S before that may have arrived is done when E is S + 1; it is
 * sent when E is S (or the receiver has none); anything else is a
 * mismatch for a person, as HL7 wants. A row without one is given E (or,
 * with none at the receiver, the next after the highest ever given),
 * recorded before it goes out.
 */
enum numbered { NUM_SEND, NUM_HAD, NUM_RETRY, NUM_MISMATCH };

static enum numbered
outbox_number(struct outbox *o, struct db_outrow *r, char *err, size_t len)
{
	int64_t e = o->ops->expected(o->ctx, err, len), n;

	if (e == -2)
		return NUM_RETRY;
	if (r->seqno > 0 && e == r->seqno + 1 && r->unsure > 0) {
		snprintf(err, len, "sequence %lld accepted before (the "
		    "receiver expects %lld)", (long long)r->seqno,
		    (long long)e);
		return NUM_HAD;
	}
	if (r->seqno > 0 && e != r->seqno && e != -1) {
		snprintf(err, len, "sequence mismatch: the receiver expects "
		    "%lld, this message is %lld", (long long)e,
		    (long long)r->seqno);
		return NUM_MISMATCH;
	}
	if (r->seqno > 0)
		return NUM_SEND;
	n = e > 0 ? e : ledger_seqno(o->ledger) + 1;
	if (e < 0 && db_outbox_seqno_max(o->db, o->dest) >= n)
		n = db_outbox_seqno_max(o->db, o->dest) + 1;
	if (ledger_seqno_claim(o->ledger, n) != 0 ||
	    db_outbox_seqno(o->db, r->id, n) != 0) {
		snprintf(err, len, "cannot record sequence number %lld",
		    (long long)n);
		return NUM_RETRY;
	}
	r->seqno = n;
	return NUM_SEND;
}

/* One row to its receiver, unless the ledger says it has it. */
static void
outbox_deliver(struct outbox *o, struct db_outrow *r)
{
	struct outmsg m = { r->id, r->name, buf_str(&r->payload),
		r->payload.len, r->control_id, 0, 0 };
	static const enum send_result as[] = { [NUM_HAD] = SEND_OK,
		[NUM_RETRY] = SEND_RETRY, [NUM_MISMATCH] = SEND_FAIL };
	enum numbered num = NUM_SEND;
	enum send_result res;
	char err[256];

	err[0] = '\0';
	if (ledger_has(o->ledger, r->ident)) {
		log_info("%s: %s was acknowledged before (the ledger has it); "
		    "not sent again", o->dest, r->name);
		db_outbox_set(o->db, r->id, OB_DONE, 0, "acknowledged before "
		    "(ledger)", 0);
		return;
	}
	if (o->sequenced)
		num = outbox_number(o, r, err, sizeof(err));
	if (num != NUM_SEND) {	/* had it: none of the attempts doubled */
		outbox_record(o, r, as[num], err, num == NUM_HAD ? -1 : 0);
		return;
	}
	m.seqno = o->sequenced ? r->seqno : 0;
	res = o->ops->send(o->ctx, &m, err, sizeof(err));
	outbox_record(o, r, res, err, m.maybe_sent);
}

static void *
outbox_main(void *arg)
{
	struct outbox *o = arg;
	struct db_outrow r;
	int64_t wait;
	int rc;

	memset(&r, 0, sizeof(r));
	for (;;) {
		rc = db_outbox_next(o->db, o->dest, &r);
		wait = rc <= 0 ? OUTBOX_IDLE_MS : r.next_ms - now_wall_ms();
		if (wait > 0 && o->ops->idle)
			o->ops->idle(o->ctx);
		if (wait > 0) {
			ledger_sync(o->ledger, 1);
			if (outbox_wait(o, wait))
				break;
			continue;
		}
		outbox_deliver(o, &r);
		pthread_mutex_lock(&o->mu);
		rc = o->stop;
		pthread_mutex_unlock(&o->mu);
		if (rc)
			break;
	}
	buf_free(&r.payload);
	return NULL;
}

static void
outbox_free(struct outbox *o)
{
	if (o->ctx)
		o->ops->close(o->ctx);
	ledger_close(o->ledger);
	db_close(o->db);
	pthread_cond_destroy(&o->cv);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

struct outbox *
outbox_start(const struct bridge_conf *c, const char *dest,
    const struct transport *ops)
{
	pthread_condattr_t ca;
	struct outbox *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	pthread_mutex_init(&o->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&o->cv, &ca);
	pthread_condattr_destroy(&ca);
	o->ops = ops;
	snprintf(o->dest, sizeof(o->dest), "%s", dest);
	o->retry_min_ms = c->retry_min_ms;
	o->retry_max_ms = c->retry_max_ms;
	o->dead_after = (int)c->dead_after;
	o->sequenced = c->hl7_sequence && ops->expected != NULL;
	if (db_open(c->db_path, c->sync_full ? DB_SYNC_FULL : 0, &o->db) != 0 ||
	    (o->ledger = ledger_open(c->db_path, dest)) == NULL ||
	    ops->open(c, dest, &o->ctx) != 0 ||
	    pthread_create(&o->th, NULL, outbox_main, o) != 0) {
		outbox_free(o);
		return NULL;
	}
	log_info("%s: delivering over %s", dest, ops->name);
	return o;
}

void
outbox_kick(struct outbox *o)
{
	pthread_mutex_lock(&o->mu);
	o->kicked = 1;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

void
outbox_stop(struct outbox *o)
{
	if (o == NULL)
		return;
	pthread_mutex_lock(&o->mu);
	o->stop = 1;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->th, NULL);
	outbox_free(o);
}

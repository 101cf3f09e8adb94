/*
 * Intake: one events message in, every new event stored once with its
 * outbox rows in one transaction, then the ack for the contiguous prefix.
 * Malformed messages, and batches the topic does not vouch for
 * (vouch.c), are kept in rejects, logged and counted. An identity held
 * with other content is kept as a conflict, never taken for a resend.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "db.h"
#include "log.h"
#include "util.h"

/* One batch on its way in. */
struct batch {
	struct wire_topic	 t;
	const char		*topic;
	char			 epoch[WIRE_ID_MAX];
	struct wire_clock	 sent;
	struct wire_mark	 mark;
	struct event		*evs;
	int			 n;
	int64_t			 now;
	/* the epoch's first seq held otherwise */
	int64_t			 conflict;
	/* the device has conflicts kept */
	int			 unsettled;
	/* of its gone range, not held */
	int64_t			 lost;
};

struct ingest {
	struct db			*db;
	const struct reference		*ref;
	const struct bridge_conf	*conf;
	struct outbox			*out[DEST_COUNT];	/* NULL: none */
	struct ingest_stats		 st;
	int64_t				 back_warned_ms;
};

struct ingest *
ingest_new(struct db *db, const struct reference *ref,
    const struct bridge_conf *conf, struct outbox *const out[DEST_COUNT])
{
	struct ingest *in = calloc(1, sizeof(*in));

	if (in == NULL)
		return NULL;
	in->db = db;
	in->ref = ref;
	in->conf = conf;
	memcpy(in->out, out, sizeof(in->out));
	return in;
}

void
ingest_free(struct ingest *in)
{
	free(in);
}

void
ingest_reference(struct ingest *in, const struct reference *ref)
{
	in->ref = ref;
}

const struct ingest_stats *
ingest_stats(const struct ingest *in)
{
	return &in->st;
}

static void
ingest_reject(struct ingest *in, const char *topic, const char *reason,
    const void *payload, size_t len)
{
	in->st.rejects++;
	log_warnx("ingest: rejected message on %s (%zu bytes): %s", topic, len,
	    reason);
	db_reject(in->db, topic, reason, payload, len);
}

/*
 * Every destination the event may reach now: at intake (release 0) those
 * its holds do not keep back, on a release those it brings. A release
 * rebuilds the message as a new revision of the last one refused.
 */
static int
ingest_fan_out(struct ingest *in, const struct bevent *be, const char *id,
    int holds, int release)
{
	struct dest_ctx x = { in->db, in->ref, in->conf, &in->st.unbilled };
	int d, rc;

	for (d = 0; d < DEST_COUNT; d++) {
		if (in->out[d] == NULL || (release ? !(holds &
		    dests[d].released_by) : (holds & dests[d].hold)))
			continue;
		if ((rc = dest_enqueue(&x, d, be, id, release ?
		    db_outbox_rev(in->db, dests[d].name, be->id) : 0)) != 0)
			return rc;
	}
	return 0;
}

static void
ingest_kick(struct ingest *in)
{
	int d;

	for (d = 0; d < DEST_COUNT; d++)
		if (in->out[d])
			outbox_kick(in->out[d]);
}

/* Held already: the same content is a resend, other content a conflict,
 * kept beside the held event and alarmed. */
static int
ingest_again(struct ingest *in, struct batch *b, const struct bevent *be)
{
	char *json;
	int64_t held;
	int rc;

	if ((rc = db_event_same(in->db, be, &held)) == 1) {
		in->st.events_dup++;
		return 0;
	}
	if (rc < 0)
		return -1;	/* not acked: the device sends it again */
	if (b->conflict == 0 || be->ev.seq < b->conflict)
		b->conflict = be->ev.seq;
	in->st.conflicts++;
	if ((json = wire_batch_encode(be->epoch, &be->ev, 1, NULL, NULL)) ==
	    NULL)
		return -1;
	if ((rc = db_conflict_add(in->db, be, held, b->topic, json,
	    b->now)) == 1) {
		log_warnx("ingest: alarm: %s:%s:%lld arrived again with other "
		    "content: kept as a conflict in the exception queue, not "
		    "taken for a resend", be->device, be->epoch,
		    (long long)be->ev.seq);
		rc = db_alarm(in->db, "identity_conflict", be->device,
		    be->epoch, "{\"what\":\"an identity held arrived again "
		    "with other content\"}");
	}
	free(json);
	return rc < 0 ? rc : 0;
}

/* Past the first conflict: compared with what is held, never stored. */
static int
ingest_past_conflict(struct ingest *in, struct batch *b,
    const struct bevent *be)
{
	int64_t held;

	return db_event_same(in->db, be, &held) == 0 ? ingest_again(in, b,
	    be) : 0;
}

/* Stores one event; 0 when stored or already held, <0 on error. Past
 * the epoch's first conflict nothing is stored: the cart records those
 * again under a new epoch, and must not find them here twice (what is
 * held there is still compared: a forgery shows). */
static int
ingest_event(struct ingest *in, struct batch *b, const struct event *ev)
{
	struct bevent be;
	char id[EVENT_ID_MAX];
	int64_t now = b->now;
	int rc, holds;

	memset(&be, 0, sizeof(be));
	be.ev = *ev;
	snprintf(be.device, sizeof(be.device), "%s", b->t.device);
	snprintf(be.epoch, sizeof(be.epoch), "%s", b->epoch);
	event_hash(&be.ev, be.hash);
	if (b->conflict > 0 && ev->seq > b->conflict)
		return ingest_past_conflict(in, b, &be);
	reference_enrich(in->ref, &be);
	clock_judge(in->db, &be, now);
	if ((rc = db_insert_event(in->db, &be, now)) < 0)
		return rc;
	if (rc == 0)
		return ingest_again(in, b, &be);
	in->st.events_new++;
	if (b->unsettled && db_conflict_settle(in->db, &be, now) < 0)
		return -1;
	if ((holds = rules_apply(in->db, in->conf, &be, now)) < 0)
		return -1;
	event_identity(&be, id, sizeof(id));
	return ingest_fan_out(in, &be, id, holds, 0);
}

/* A released event: what was held goes out now. */
static int
ingest_release(void *arg, struct bevent *be, int holds)
{
	struct ingest *in = arg;
	char id[EVENT_ID_MAX];

	reference_enrich(in->ref, be);
	event_identity(be, id, sizeof(id));
	log_info("ingest: %s released from the exception queue", id);
	return ingest_fan_out(in, be, id, holds, 1);
}

int
ingest_releases(struct ingest *in)
{
	int n = db_releases(in->db, ingest_release, in);

	if (n > 0)
		ingest_kick(in);
	return n;
}

/*
 * Seqs the cart no longer holds (the bridge asked for them again, after it
 * lost them): recorded with how many no one holds now, and passed over.
 */
static int
ingest_gone(struct ingest *in, struct batch *b, int64_t *past)
{
	const struct wire_mark *m = &b->mark;
	int64_t contig = db_contig(in->db, b->t.device, b->epoch), first;
	char detail[160];
	int rc;

	*past = 0;
	if (m->gone_from == 0 || m->gone_from > contig + 1 ||
	    m->gone_to <= contig)
		return 0;
	first = contig + 1;
	if ((rc = db_gap_add(in->db, b->t.device, b->epoch, first, m->gone_to,
	    &b->lost)) != 0)
		return rc;
	*past = m->gone_to;
	log_warnx("ingest: alarm: %s:%s: seqs %lld..%lld are gone: this "
	    "database lost them and the cart no longer holds them; %lld of "
	    "them are held nowhere", b->t.device, b->epoch, (long long)first,
	    (long long)m->gone_to, (long long)b->lost);
	snprintf(detail, sizeof(detail), "{\"first\":%lld,\"last\":%lld,"
	    "\"lost\":%lld}", (long long)first, (long long)m->gone_to,
	    (long long)b->lost);
	return db_alarm(in->db, "events_lost", b->t.device, b->epoch, detail);
}

static int
ingest_store(struct ingest *in, struct batch *b, int64_t *upto)
{
	int64_t past;
	int i, rc;

	if ((rc = db_begin(in->db)) != 0)
		return rc;
	b->unsettled = db_conflicts_unsettled(in->db, b->t.device);
	b->conflict = db_conflict_floor(in->db, b->t.device, b->epoch);
	if ((rc = clock_learn(in->db, b->t.device, &b->sent, b->now)) != 0 ||
	    (rc = ingest_gone(in, b, &past)) != 0)
		goto fail;
	for (i = 0; i < b->n; i++)
		if ((rc = ingest_event(in, b, &b->evs[i])) != 0)
			goto fail;
	if ((rc = db_advance(in->db, b->t.site, b->t.device, b->epoch, past,
	    upto)) != 0 || (rc = db_commit(in->db)) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(in->db);
	return rc;
}

#define BACK_WARN_MS	10000

/* The cart was acked further than this database held: it went back. */
static void
ingest_went_back(struct ingest *in, const struct batch *b, int64_t upto)
{
	char detail[160];

	if (b->mark.acked <= upto)
		return;
	snprintf(detail, sizeof(detail), "{\"cart_acked\":%lld,\"held_upto\":"
	    "%lld}", (long long)b->mark.acked, (long long)upto);
	db_alarm(in->db, "db_rolled_back", b->t.device, b->epoch, detail);
	if (now_mono_ms() - in->back_warned_ms < BACK_WARN_MS)
		return;
	in->back_warned_ms = now_mono_ms();
	log_warnx("ingest: alarm: %s:%s was acked up to %lld but this database "
	    "holds up to %lld: it went back in time; the cart sends them "
	    "again, and the outboxes' ledger keeps what billing and the ERP "
	    "acknowledged from being sent twice", b->t.device, b->epoch,
	    (long long)b->mark.acked, (long long)upto);
}

/* The ack for (device, epoch) as the database holds it now. */
int
ingest_ack(struct ingest *in, const char *site, const char *device,
    struct wire_ack *a, char **ack, char *topic, size_t topiclen)
{
	a->upto = db_contig(in->db, device, a->epoch);
	a->held = db_max_seq(in->db, device, a->epoch);
	/* Seqs held past a hole: a batch was lost after the broker took it.
	 * Ask for it now rather than wait for the device's ack timeout. */
	a->replay = a->held > a->upto ? a->upto + 1 : 0;
	if (a->replay)
		log_info("ingest: %s: seq %lld missing; asking for a replay",
		    device, (long long)a->replay);
	*ack = wire_ack_encode(a);
	return *ack && wire_topic(topic, topiclen, site, device, "ack") == 0 ?
	    0 : -1;
}

static int
ingest_decode(struct ingest *in, struct batch *b, const void *payload,
    size_t len)
{
	char err[200];

	if (wire_topic_parse(b->topic, &b->t) != 0 ||
	    strcmp(b->t.leaf, "events") != 0) {
		ingest_reject(in, b->topic,
		    "not a pou/v1/<site>/<device>/events topic", payload, len);
		return -1;
	}
	if (wire_batch_decode(payload, len, b->epoch, sizeof(b->epoch),
	    &b->evs, &b->n, &b->sent, &b->mark, err, sizeof(err)) != 0) {
		ingest_reject(in, b->topic, err, payload, len);
		return -1;
	}
	if (vouch_batch(in->db, in->conf, &b->t, b->epoch, b->evs, b->n,
	    &b->mark, err, sizeof(err)) != 0) {
		ingest_reject(in, b->topic, err, payload, len);
		free(b->evs);
		b->evs = NULL;
		return -1;
	}
	return 0;
}

int
ingest_batch(struct ingest *in, const char *topic, const void *payload,
    size_t len, char **ack, char *ack_topic, size_t ack_topic_len)
{
	struct batch b;
	struct wire_ack a;
	int64_t had;
	int rc;

	*ack = NULL;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	b.topic = topic;
	b.now = now_wall_ms();
	if (ingest_decode(in, &b, payload, len) != 0)
		return -1;
	in->st.batches++;
	had = db_contig(in->db, b.t.device, b.epoch);
	if (ingest_store(in, &b, &a.upto) != 0) {
		log_warnx("ingest: %s: batch ..%lld not stored; the device "
		    "will resend", b.t.device,
		    (long long)(b.n ? b.evs[b.n - 1].seq : b.mark.gone_to));
		free(b.evs);
		return -1;
	}
	a.stored = b.n > 0 ? b.evs[b.n - 1].seq : b.mark.gone_to;
	a.conflict = b.conflict;
	free(b.evs);
	ingest_kick(in);
	ingest_went_back(in, &b, had);
	snprintf(a.epoch, sizeof(a.epoch), "%s", b.epoch);
	rc = ingest_ack(in, b.t.site, b.t.device, &a, ack, ack_topic,
	    ack_topic_len);
	return rc;
}

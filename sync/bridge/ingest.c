/*
 * Intake: one events message in, every new event stored once with its
 * outbox rows in one transaction, then the ack for the contiguous prefix.
 * Malformed messages are kept in rejects, logged and counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "log.h"
#include "util.h"

struct ingest {
	struct db			*db;
	const struct reference		*ref;
	const struct bridge_conf	*conf;
	struct outbox			*billing, *erp;	/* NULL when "none" */
	struct outbox			*replenish;
	struct ingest_stats		 st;
	struct buf			 msg;
};

struct ingest *
ingest_new(struct db *db, const struct reference *ref,
    const struct bridge_conf *conf, struct outbox *billing, struct outbox *erp,
    struct outbox *replenish)
{
	struct ingest *in = calloc(1, sizeof(*in));

	if (in == NULL)
		return NULL;
	in->db = db;
	in->ref = ref;
	in->conf = conf;
	in->billing = billing;
	in->erp = erp;
	in->replenish = replenish;
	return in;
}

void
ingest_free(struct ingest *in)
{
	if (in == NULL)
		return;
	buf_free(&in->msg);
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

/* File name for a drop: the identity with ':' and '/' made safe, then ext. */
static void
drop_name(const char *id, const char *ext, char *out, size_t len)
{
	size_t i;

	snprintf(out, len, "%s%s", id, ext);
	for (i = 0; out[i]; i++)
		if (out[i] == ':' || out[i] == '/')
			out[i] = out[i] == ':' ? '_' : '.';
}

static int
ingest_billing(struct ingest *in, const struct bevent *be, const char *id)
{
	const struct bridge_conf *c = in->conf;
	struct hl7_parties p = { c->sending_app, c->sending_facility,
		c->receiving_app, c->receiving_facility,
		strcmp(c->udi_segment, "none") == 0 ? "" : c->udi_segment };
	char ctrl[32], name[200];

	if (in->billing == NULL)
		return 0;
	if (be->charge == NULL || !be->charge->billable) {
		in->st.unbilled++;
		log_info("ingest: %s: DI %s has no billable chargemaster line; "
		    "not billed", id, be->ev.item.di);
		return 0;
	}
	snprintf(ctrl, sizeof(ctrl), "POU%lld", (long long)be->id);
	buf_reset(&in->msg);
	hl7_dft_p03(&in->msg, be, &p, ctrl, now_wall_ms());
	drop_name(id, ".hl7", name, sizeof(name));
	return in->msg.oom ? -1 : db_enqueue(in->db, "billing", be->id, name,
	    ctrl, buf_str(&in->msg));
}

static int
ingest_erp(struct ingest *in, const struct bevent *be, const char *id)
{
	char name[200], *json;
	int rc;

	if (in->erp == NULL)
		return 0;
	if ((json = erp_issue_json(be)) == NULL)
		return -1;
	drop_name(id, ".json", name, sizeof(name));
	rc = db_enqueue(in->db, "erp", be->id, name, id, json);
	free(json);
	return rc;
}

/* The shelf moved: a replenishment request when it ran down to reorder. */
static int
ingest_replenish(struct ingest *in, const struct bevent *be, const char *id)
{
	char name[200], key[EVENT_ID_MAX + 16], *json;
	int rc;

	if (in->replenish == NULL)
		return 0;
	snprintf(key, sizeof(key), "%s/replenish", id);
	if (replenish_apply(in->db, in->ref, be, key, &json) != 0)
		return -1;
	if (json == NULL)
		return 0;
	drop_name(key, ".json", name, sizeof(name));
	log_info("ingest: %s brought %s at %s to its reorder point; "
	    "replenishment requested", id, be->ev.item.di,
	    be->loc->erp_location);
	rc = db_enqueue(in->db, "replenish", be->id, name, key, json);
	free(json);
	return rc;
}

/* Stores one event; 0 when stored or already held, <0 on error. */
static int
ingest_event(struct ingest *in, const struct wire_topic *t, const char *epoch,
    const struct event *ev, int64_t now)
{
	struct bevent be;
	char id[EVENT_ID_MAX];
	int rc, holds;

	memset(&be, 0, sizeof(be));
	be.ev = *ev;
	snprintf(be.device, sizeof(be.device), "%s", t->device);
	snprintf(be.epoch, sizeof(be.epoch), "%s", epoch);
	reference_enrich(in->ref, &be);
	clock_judge(in->db, &be, now);
	if ((rc = db_insert_event(in->db, &be, now)) <= 0) {
		in->st.events_dup += rc == 0;
		return rc;
	}
	in->st.events_new++;
	if ((holds = rules_apply(in->db, in->conf, &be, now)) < 0)
		return -1;
	event_identity(&be, id, sizeof(id));
	if ((!(holds & HOLD_BILLING) && (rc = ingest_billing(in, &be,
	    id)) != 0) || (!(holds & HOLD_ERP) && (rc = ingest_erp(in, &be,
	    id)) != 0))
		return rc;
	/* The shelf estimate moves with the ERP issue: not while held. */
	return holds & HOLD_ERP ? 0 : ingest_replenish(in, &be, id);
}

/* A released event: what was held goes out now. */
static int
ingest_release(void *arg, struct bevent *be, int holds)
{
	struct ingest *in = arg;
	char id[EVENT_ID_MAX];
	int rc = 0;

	reference_enrich(in->ref, be);
	event_identity(be, id, sizeof(id));
	log_info("ingest: %s released from the exception queue", id);
	if ((holds & HOLD_BILLING) && (rc = ingest_billing(in, be, id)) != 0)
		return rc;
	if ((holds & HOLD_ERP) && (rc = ingest_erp(in, be, id)) != 0)
		return rc;
	return holds & HOLD_ERP_INTAKE ? ingest_replenish(in, be, id) : 0;
}

int
ingest_releases(struct ingest *in)
{
	int n = db_releases(in->db, ingest_release, in);

	if (n > 0 && in->billing)
		outbox_kick(in->billing);
	if (n > 0 && in->erp)
		outbox_kick(in->erp);
	return n;
}

static int
ingest_store(struct ingest *in, const struct wire_topic *t, const char *epoch,
    const struct wire_clock *sent, const struct event *evs, int n,
    int64_t *upto)
{
	int64_t now = now_wall_ms();
	int i, rc;

	if ((rc = db_begin(in->db)) != 0)
		return rc;
	if ((rc = clock_learn(in->db, t->device, sent, now)) != 0)
		goto fail;
	for (i = 0; i < n; i++)
		if ((rc = ingest_event(in, t, epoch, &evs[i], now)) != 0)
			goto fail;
	if ((rc = db_advance(in->db, t->site, t->device, epoch, upto)) != 0 ||
	    (rc = db_commit(in->db)) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(in->db);
	return rc;
}

int
ingest_batch(struct ingest *in, const char *topic, const void *payload,
    size_t len, char **ack, char *ack_topic, size_t ack_topic_len)
{
	char err[200];
	struct wire_clock sent;
	struct wire_ack a;
	struct wire_topic t;
	struct event *evs;
	int n;

	*ack = NULL;
	memset(&a, 0, sizeof(a));
	if (wire_topic_parse(topic, &t) != 0 || strcmp(t.leaf, "events") != 0) {
		ingest_reject(in, topic, "not a pou/v1/<site>/<device>/events "
		    "topic", payload, len);
		return -1;
	}
	if (wire_batch_decode(payload, len, a.epoch, sizeof(a.epoch), &evs, &n,
	    &sent, err, sizeof(err)) != 0) {
		ingest_reject(in, topic, err, payload, len);
		return -1;
	}
	in->st.batches++;
	if (ingest_store(in, &t, a.epoch, &sent, evs, n, &a.upto) != 0) {
		log_warnx("ingest: %s: batch %lld..%lld not stored; the device "
		    "will resend", t.device, (long long)evs[0].seq,
		    (long long)evs[n - 1].seq);
		free(evs);
		return -1;
	}
	a.stored = evs[n - 1].seq;
	free(evs);
	if (in->billing)
		outbox_kick(in->billing);
	if (in->erp)
		outbox_kick(in->erp);
	if (in->replenish)
		outbox_kick(in->replenish);
	/* Seqs held past a hole: a batch was lost after the broker took it.
	 * Ask for it now rather than wait for the device's ack timeout. */
	a.replay = db_max_seq(in->db, t.device, a.epoch) > a.upto ? a.upto + 1 :
	    0;
	if (a.replay)
		log_info("ingest: %s: seq %lld missing; asking for a replay",
		    t.device, (long long)a.replay);
	*ack = wire_ack_encode(&a);
	return *ack && wire_topic(ack_topic, ack_topic_len, t.site, t.device,
	    "ack") == 0 ? 0 : -1;
}

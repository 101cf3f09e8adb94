/*
 * The bridge's destinations, one row each: its outbox's name, the hold
 * that keeps an event back from it, the hold a release brings it with,
 * its encoder, and where the configuration names its transport and its
 * directory. Intake and release loop over the table (ingest.c), the
 * daemon starts and stops an outbox per row (main.c): a new destination is
 * one row and one encoder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bridge.h"
#include "db.h"
#include "log.h"
#include "util.h"

/* File name for a drop: the key with ':' and '/' made safe, then ext. */
static void
drop_name(struct dest_msg *m, const char *ext)
{
	size_t i;

	snprintf(m->name, sizeof(m->name), "%s%s", m->key, ext);
	for (i = 0; m->name[i]; i++)
		if (m->name[i] == ':' || m->name[i] == '/')
			m->name[i] = m->name[i] == ':' ? '_' : '.';
}

static int
billable(const struct dest_ctx *x, const struct bevent *be, const char *id)
{
	if (be->charge != NULL && be->charge->billable)
		return 1;
	if (x->unbilled)
		(*x->unbilled)++;
	log_info("ingest: %s: DI %s has no billable chargemaster line; not "
	    "billed", id, be->ev.item.di);
	return 0;
}

/* Billing: a DFT^P03; MSH-10 the same on every resend, a message rebuilt
 * after a refusal a new one (the receiver may keep the first's). */
static int
enc_billing(const struct dest_ctx *x, const struct bevent *be, const char *id,
    struct dest_msg *m)
{
	const struct bridge_conf *c = x->conf;
	struct hl7_parties p = { c->sending_app, c->sending_facility,
		c->receiving_app, c->receiving_facility,
		strcmp(c->udi_segment, "none") == 0 ? "" : c->udi_segment };
	struct buf b = BUF_INIT;
	char ctrl[21];

	if (!billable(x, be, id))
		return 0;
	hl7_control_id(id, m->rev, ctrl);
	snprintf(m->ctrl, sizeof(m->ctrl), "%s", ctrl);
	hl7_dft_p03(&b, be, &p, ctrl, now_wall_ms());
	drop_name(m, ".hl7");
	if (b.oom) {
		buf_free(&b);
		return -1;
	}
	m->payload = b.s;
	return 0;
}

static int
enc_erp(const struct dest_ctx *x, const struct bevent *be, const char *id,
    struct dest_msg *m)
{
	(void)x;
	(void)id;
	drop_name(m, ".json");
	return (m->payload = erp_issue_json(be)) == NULL ? -1 : 0;
}

/* The shelf moved: a replenishment request when it ran down to reorder. */
static int
enc_replenish(const struct dest_ctx *x, const struct bevent *be,
    const char *id, struct dest_msg *m)
{
	snprintf(m->key, sizeof(m->key), "%s/replenish", id);
	snprintf(m->ctrl, sizeof(m->ctrl), "%s", m->key);
	if (replenish_apply(x->db, x->ref, be, m->key, &m->payload) != 0)
		return -1;
	if (m->payload == NULL)
		return 0;
	drop_name(m, ".json");
	log_info("ingest: %s brought %s at %s to its reorder point; "
	    "replenishment requested", id, be->ev.item.di,
	    be->loc->erp_location);
	return 0;
}

/* The charge as one JSON record, for a second billing or analytics
 * system: what billing gets, held as billing is. */
static int
enc_export(const struct dest_ctx *x, const struct bevent *be, const char *id,
    struct dest_msg *m)
{
	const struct event *ev = &be->ev;
	int credit = strcmp(ev->kind, "return") == 0 ||
	    strcmp(ev->kind, "undo") == 0;
	char at[32];
	json_t *j;

	if (be->charge == NULL || !be->charge->billable)
		return 0;
	(void)x;
	fmt_iso_time(be->at_fixed_ms, at);
	j = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:i, "
	    "s:I, s:I, s:s, s:{s:s, s:s, s:s}}", "idempotency_key", id,
	    "type", credit ? "credit" : "charge", "used_at", at, "patient",
	    "mrn", ev->mrn, "encounter", ev->encounter, "case", ev->case_id,
	    "charge_code", be->charge->code, "hcpcs", be->charge->hcpcs,
	    "qty", ev->qty, "unit_price_cents", (json_int_t)
	    be->charge->price_cents, "amount_cents", (json_int_t)
	    (be->charge->price_cents * ev->qty * (credit ? -1 : 1)), "di",
	    ev->item.di, "location", "site", ev->site, "room", ev->room,
	    "unit", ev->unit);
	m->payload = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	drop_name(m, ".json");
	return m->payload ? 0 : -1;
}

static const char *
billing_output(const struct bridge_conf *c)
{
	return c->billing_output;
}

static const char *
erp_output(const struct bridge_conf *c)
{
	return c->erp_output;
}

/* Replenishment requests go the ERP's way, with PAR levels to go by. */
static const char *
replenish_output(const struct bridge_conf *c)
{
	return c->par[0] != '\0' ? c->erp_output : "none";
}

static const char *
export_output(const struct bridge_conf *c)
{
	return c->export_output;
}

static const char *
billing_dir(const struct bridge_conf *c)
{
	return c->billing_dir;
}

static const char *
erp_dir(const struct bridge_conf *c)
{
	return c->erp_dir;
}

static const char *
export_dir(const struct bridge_conf *c)
{
	return c->export_dir;
}

const struct dest dests[DEST_COUNT] = {
	[DEST_BILLING] = { "billing", HOLD_BILLING, HOLD_BILLING, enc_billing,
		billing_output, billing_dir },
	[DEST_ERP] = { "erp", HOLD_ERP, HOLD_ERP, enc_erp, erp_output,
		erp_dir },
	/* The shelf estimate moves with the ERP record: not while it is
	 * held, and on release only when a rule held the ERP at intake. */
	[DEST_REPLENISH] = { "replenish", HOLD_ERP, HOLD_ERP_INTAKE,
		enc_replenish, replenish_output, erp_dir },
	[DEST_EXPORT] = { "export", HOLD_BILLING, HOLD_BILLING, enc_export,
		export_output, export_dir },
};

const struct dest *
dest_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(dests); i++)
		if (strcmp(dests[i].name, name) == 0)
			return &dests[i];
	return NULL;
}

int
dest_enqueue(const struct dest_ctx *x, int d, const struct bevent *be,
    const char *id, int rev)
{
	struct dest_msg m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.rev = rev;
	snprintf(m.key, sizeof(m.key), "%s", id);
	snprintf(m.ctrl, sizeof(m.ctrl), "%s", id);
	if ((rc = dests[d].encode(x, be, id, &m)) != 0 || m.payload == NULL)
		return rc;
	rc = db_enqueue(x->db, &(struct db_delivery){ dests[d].name, be->id,
	    m.name, m.ctrl, m.payload, m.key, m.rev });
	free(m.payload);
	return rc;
}

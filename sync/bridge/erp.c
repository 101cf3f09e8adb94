/*
 * The ERP side: one record per event, as JSON: an inventory issue for a use
 * or a waste, a return, the reversal of an undone issue, or a purchase-order
 * request for a bill-only or consigned item with the vendor and its
 * contract price from the reference data; and replenishment requests when
 * a PAR location runs down (replenish.c).
 */
#include <string.h>

#include <jansson.h>

#include "bridge.h"
#include "util.h"

static const char *
erp_type(const char *kind)
{
	if (strcmp(kind, "return") == 0)
		return "inventory_return";
	if (strcmp(kind, "undo") == 0)
		return "issue_reversal";
	if (strcmp(kind, "billonly") == 0 || strcmp(kind, "consign") == 0)
		return "po_request";
	return "inventory_issue";
}

/* Adds the item master's and the contract's fields, dumps and frees j. */
static char *
erp_dump(json_t *j, const struct bevent *be)
{
	const struct itemref *ir = be->itemref;
	char *s = NULL;

	if (j == NULL)
		return NULL;
	if (ir) {
		json_object_set_new(j, "item_id", json_string(ir->item_id));
		json_object_set_new(j, "description", json_string(ir->desc));
		if (ir->vendor[0])
			json_object_set_new(j, "vendor",
			    json_string(ir->vendor));
	}
	if (be->contract)
		json_object_set_new(j, "unit_cost_cents",
		    json_integer(be->contract->cost_cents));
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

char *
erp_issue_json(const struct bevent *be)
{
	const struct event *ev = &be->ev;
	char id[EVENT_ID_MAX], undone[EVENT_ID_MAX], at[32];
	json_t *j;

	event_identity(be, id, sizeof(id));
	snprintf(undone, sizeof(undone), "%s:%s:%lld", be->device, be->epoch,
	    (long long)ev->undoes);
	fmt_iso_time(be->at_fixed_ms, at);
	j = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, "
	    "s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:s, s:s, "
	    "s:s?, s:s*, s:s*, s:s*}",
	    "type", erp_type(ev->kind), "idempotency_key", id,
	    "device", be->device, "kind", ev->kind, "qty", ev->qty,
	    "used_at", at, "time_quality", be->time_quality,
	    "item", "scheme", ev->item.scheme, "di", ev->item.di,
	    "lot", ev->item.lot, "serial", ev->item.serial,
	    "expiry", ev->item.expiry,
	    "location", "site", ev->site, "room", ev->room, "unit", ev->unit,
	    "case", ev->case_id, "mrn", ev->mrn, "encounter", ev->encounter,
	    "charge_code", be->charge ? be->charge->code : NULL,
	    "undoes", ev->undoes > 0 ? undone : NULL,
	    "cost_center", be->loc && be->loc->cost_center[0] ?
	    be->loc->cost_center : NULL,
	    "erp_location", be->loc && be->loc->erp_location[0] ?
	    be->loc->erp_location : NULL);
	return erp_dump(j, be);
}

char *
erp_replenish_json(const struct bevent *be, const struct parlevel *par,
    int64_t on_hand, const char *key)
{
	char id[EVENT_ID_MAX];
	json_t *j;

	event_identity(be, id, sizeof(id));
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s*}",
	    "type", "replenishment_request", "idempotency_key", key,
	    "triggered_by", id, "erp_location", par->erp_location,
	    "di", par->di, "on_hand_estimate", (json_int_t)on_hand,
	    "par_level", (json_int_t)par->par,
	    "reorder_point", (json_int_t)par->reorder,
	    "qty", (json_int_t)(par->par - on_hand),
	    "cost_center", be->loc->cost_center[0] ? be->loc->cost_center :
	    NULL);
	return erp_dump(j, be);
}

/*
 * The ERP side: one record per event, as JSON: an inventory issue for a use
 * or a waste, a return, the reversal of an undone issue, or a purchase-order
 * request for a bill-only or consigned item (the vendor's PO data is not
 * known at the cart; the ERP side completes it).
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

char *
erp_issue_json(const struct bevent *be)
{
	const struct event *ev = &be->ev;
	char id[EVENT_ID_MAX], undone[EVENT_ID_MAX], at[32];
	json_t *j;
	char *s;

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
	s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return s;
}

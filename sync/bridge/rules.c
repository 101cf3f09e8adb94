/*
 * Governance rules, applied to every new event at intake. Each rule has a
 * code, a reason a person can act on, and a disposition from [rules] in
 * bridge.conf: hold (billing and ERP), hold_billing, hold_erp, warn (pass,
 * noted), off. A held destination gets nothing until the exception is
 * released (pouctl exceptions); a warning is kept for the report.
 */
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "db.h"

static const struct rule_def {
	const char	*code;
	const char	*dflt;
} rule_defs[RULE_COUNT] = {
	[RULE_UNKNOWN_ITEM] = { "unknown_item", "hold" },
	[RULE_LOT_MISSING] = { "lot_missing", "hold" },
	[RULE_EXPIRED] = { "expired", "hold_billing" },
	[RULE_RECALLED] = { "recalled", "hold" },
	[RULE_NO_ENCOUNTER] = { "no_encounter", "hold_billing" },
	[RULE_DUP_SERIAL] = { "duplicate_serial", "hold" },
	[RULE_BILLONLY_NO_PO] = { "billonly_no_po", "hold_erp" },
	[RULE_CLOCK] = { "clock", "warn" },
};

const char *
rule_code(enum rule r)
{
	return rule_defs[r].code;
}

const char *
rule_default(enum rule r)
{
	return rule_defs[r].dflt;
}

int
rule_disposition(const char *v)
{
	if (strcmp(v, "hold") == 0)
		return HOLD_BILLING | HOLD_ERP;
	if (strcmp(v, "hold_billing") == 0)
		return HOLD_BILLING;
	if (strcmp(v, "hold_erp") == 0)
		return HOLD_ERP;
	if (strcmp(v, "warn") == 0)
		return HOLD_WARN;
	if (strcmp(v, "off") == 0)
		return 0;
	return -1;
}

static int
is_kind(const struct event *ev, const char *k)
{
	return strcmp(ev->kind, k) == 0;
}

/* Chargeable: a billable chargemaster line, and not a reversal. */
static int
chargeable(const struct bevent *be)
{
	return be->charge && be->charge->billable && !is_kind(&be->ev, "undo");
}

/*
 * Not in the item master (or, without one, in the chargemaster), or
 * inactive there or in the device's catalog.
 */
static int
rule_unknown(const struct bevent *be, char *why, size_t len)
{
	const struct event *ev = &be->ev;

	if (is_kind(ev, "undo"))
		return 0;
	if (ev->flags & (EVF_UNKNOWN_ITEM | EVF_INACTIVE_ITEM))
		return snprintf(why, len, "the device's catalog has DI %s %s",
		    ev->item.di, ev->flags & EVF_INACTIVE_ITEM ? "as inactive" :
		    "not at all"), 1;
	if (be->itemref && !be->itemref->active)
		return snprintf(why, len, "item %s (DI %s) is inactive in the "
		    "item master", be->itemref->item_id, ev->item.di), 1;
	if (be->itemref)
		return 0;
	if (be->have_items)
		return snprintf(why, len, "DI %s is not in the item master",
		    ev->item.di), 1;
	return be->charge == NULL && snprintf(why, len, "DI %s has no "
	    "chargemaster line", ev->item.di) > 0;
}

/* A lot or serial the device or the item master says is required. */
static int
rule_lot(const struct bevent *be, char *why, size_t len)
{
	const struct event *ev = &be->ev;
	const struct itemref *ir = be->itemref;

	if (is_kind(ev, "undo"))
		return 0;
	if ((ev->flags & EVF_LOT_MISSING) || (ir && (ir->implant ||
	    ir->lot_required) && ev->item.lot[0] == '\0'))
		return snprintf(why, len, "an implant or lot-tracked item "
		    "without a lot: supply the lot"), 1;
	return ir && ir->serial_required && ev->item.serial[0] == '\0' &&
	    snprintf(why, len, "item %s needs a serial: supply the serial",
	    ir->item_id) > 0;
}

/* A bill-only or consigned unit needs a vendor and its contract price. */
static int
rule_po(const struct bevent *be, char *why, size_t len)
{
	const struct event *ev = &be->ev;

	if (!is_kind(ev, "billonly") && !is_kind(ev, "consign"))
		return 0;
	if (be->itemref == NULL || be->itemref->vendor[0] == '\0')
		return snprintf(why, len, "%s DI %s: no vendor in the item "
		    "master for the PO", ev->kind, ev->item.di), 1;
	return be->contract == NULL && snprintf(why, len, "%s DI %s: no "
	    "contract price with %s for the PO", ev->kind, ev->item.di,
	    be->itemref->vendor) > 0;
}

/* The device's clock against the bridge's, beyond the configured limit. */
static int
rule_clock(const struct bridge_conf *c, const struct bevent *be, char *why,
    size_t len)
{
	int64_t off = be->ev.at_ms - be->at_fixed_ms;

	if (strcmp(be->time_quality, "wrong") == 0)
		return snprintf(why, len, "the device clock was wrong and "
		    "could not be corrected"), 1;
	if (off < 0)
		off = -off;
	return strcmp(be->time_quality, "corrected") == 0 &&
	    off > c->clock_far_s * 1000 && snprintf(why, len, "the device "
	    "clock was %lld s off the bridge's; the time was corrected",
	    (long long)(off / 1000)) > 0;
}

/* Whether rule r fires for be, with the reason in why. */
static int
rule_fires(struct db *db, const struct bridge_conf *c, enum rule r,
    const struct bevent *be, char *why, size_t len)
{
	const struct event *ev = &be->ev;

	switch (r) {
	case RULE_UNKNOWN_ITEM:
		return rule_unknown(be, why, len);
	case RULE_LOT_MISSING:
		return rule_lot(be, why, len);
	case RULE_EXPIRED:
		return (ev->flags & EVF_EXPIRED) && snprintf(why, len,
		    "used after its expiry %s (override by %s)",
		    ev->item.expiry, ev->user[0] ? ev->user : "nobody") > 0;
	case RULE_RECALLED:
		return (ev->flags & EVF_RECALLED) && snprintf(why, len,
		    "a recalled unit used (override by %s)",
		    ev->user[0] ? ev->user : "nobody") > 0;
	case RULE_NO_ENCOUNTER:
		return chargeable(be) && ev->encounter[0] == '\0' &&
		    snprintf(why, len, "chargeable without an encounter "
		    "(visit) number: supply it") > 0;
	case RULE_DUP_SERIAL:
		return ev->item.serial[0] && !is_kind(ev, "undo") &&
		    !is_kind(ev, "return") && db_serial_seen(db, be) &&
		    snprintf(why, len, "serial %s of DI %s was used before",
		    ev->item.serial, ev->item.di) > 0;
	case RULE_BILLONLY_NO_PO:
		return rule_po(be, why, len);
	case RULE_CLOCK:
		return rule_clock(c, be, why, len);
	default:
		return 0;
	}
}

int
rules_apply(struct db *db, const struct bridge_conf *c, const struct bevent *be,
    int64_t now)
{
	char why[200];
	int holds = 0, i, d;

	for (i = 0; i < RULE_COUNT; i++) {
		if ((d = c->rules[i]) == 0 || !rule_fires(db, c, i, be, why,
		    sizeof(why)))
			continue;
		if (db_exception_add(db, be->id, rule_code(i), why, d,
		    now) != 0)
			return -1;
		holds |= d & (HOLD_BILLING | HOLD_ERP);
	}
	return holds;
}

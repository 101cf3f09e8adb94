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

/* Whether rule r fires for be, with the reason in why. */
static int
rule_fires(struct db *db, enum rule r, const struct bevent *be, char *why,
    size_t len)
{
	const struct event *ev = &be->ev;

	switch (r) {
	case RULE_UNKNOWN_ITEM:
		if (ev->flags & (EVF_UNKNOWN_ITEM | EVF_INACTIVE_ITEM))
			return snprintf(why, len, "the device's catalog has "
			    "DI %s %s", ev->item.di, ev->flags & EVF_INACTIVE_ITEM ?
			    "as inactive" : "not at all"), 1;
		if (be->charge == NULL && strcmp(ev->kind, "undo") != 0)
			return snprintf(why, len, "DI %s has no chargemaster "
			    "line", ev->item.di), 1;
		return 0;
	case RULE_LOT_MISSING:
		return (ev->flags & EVF_LOT_MISSING) && snprintf(why, len,
		    "an implant or lot-tracked item without a lot: supply "
		    "the lot") > 0;
	case RULE_EXPIRED:
		return (ev->flags & EVF_EXPIRED) && snprintf(why, len,
		    "used after its expiry %s (override by %s)",
		    ev->item.expiry, ev->user[0] ? ev->user : "nobody") > 0;
	case RULE_RECALLED:
		return (ev->flags & EVF_RECALLED) && snprintf(why, len,
		    "a recalled unit used (override by %s)",
		    ev->user[0] ? ev->user : "nobody") > 0;
	case RULE_NO_ENCOUNTER:
		return be->charge && ev->encounter[0] == '\0' &&
		    strcmp(ev->kind, "undo") != 0 && snprintf(why, len,
		    "chargeable without an encounter (visit) number: supply "
		    "it") > 0;
	case RULE_DUP_SERIAL:
		return ev->item.serial[0] && strcmp(ev->kind, "undo") != 0 &&
		    strcmp(ev->kind, "return") != 0 &&
		    db_serial_seen(db, be) && snprintf(why, len, "serial %s of "
		    "DI %s was used before", ev->item.serial, ev->item.di) > 0;
	case RULE_BILLONLY_NO_PO:
		return strcmp(ev->kind, "billonly") == 0 && snprintf(why, len,
		    "bill-only without vendor or PO data") > 0;
	case RULE_CLOCK:
		return (strcmp(be->time_quality, "wrong") == 0 ||
		    strcmp(be->time_quality, "corrected") == 0) &&
		    snprintf(why, len, "the device clock was %s",
		    be->time_quality) > 0;
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
		if ((d = c->rules[i]) == 0 || !rule_fires(db, i, be, why,
		    sizeof(why)))
			continue;
		if (db_exception_add(db, be->id, rule_code(i), why, d, now) != 0)
			return -1;
		holds |= d & (HOLD_BILLING | HOLD_ERP);
	}
	return holds;
}

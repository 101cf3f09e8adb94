/*
 * PAR replenishment. Each use or waste of owned stock at a location with a
 * PAR line lowers the location's estimated on-hand for the DI; a return, or
 * the undo of a use, raises it. When the estimate falls from above the
 * reorder point to it or below, one replenishment request for the units
 * back to PAR goes to the ERP. Bill-only and consigned units are the
 * vendor's stock: they never move the estimate (an issue and a PAR expense
 * for the same unit would count it twice). The estimate moves when the
 * event's ERP record is queued: a use a rule held moves it on release, one
 * discarded (scanned twice) never. An estimate starts at the PAR level (a
 * cart is filled to PAR) and a count resets it (pouctl onhand).
 */
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "db.h"

/* How the event moves the shelf: -qty, +qty or 0. */
static int
replenish_delta(struct db *db, const struct bevent *be)
{
	const struct event *ev = &be->ev;
	char undone[16];

	if (strcmp(ev->kind, "use") == 0 || strcmp(ev->kind, "waste") == 0)
		return -ev->qty;
	if (strcmp(ev->kind, "return") == 0)
		return ev->qty;
	if (strcmp(ev->kind, "undo") == 0 && db_event_kind(db, be->device,
	    be->epoch, ev->undoes, undone, sizeof(undone)) == 0 &&
	    (strcmp(undone, "use") == 0 || strcmp(undone, "waste") == 0))
		return ev->qty;
	return 0;
}

int
replenish_apply(struct db *db, const struct reference *ref,
    const struct bevent *be, const char *key, char **request)
{
	const struct parlevel *par;
	int64_t before, after;
	int delta;

	*request = NULL;
	if (be->loc == NULL || be->loc->erp_location[0] == '\0' ||
	    (par = reference_par(ref, be->loc->erp_location,
	    be->ev.item.di)) == NULL || (delta = replenish_delta(db, be)) == 0)
		return 0;
	before = db_onhand(db, par->erp_location, par->di, par->par);
	after = before + delta;
	if (db_onhand_set(db, par->erp_location, par->di, after) != 0)
		return -1;
	if (!(before > par->reorder && after <= par->reorder))
		return 0;
	if ((*request = erp_replenish_json(be, par, after, key)) == NULL)
		return -1;
	return 0;
}

/*
 * The checks at the point of use, offline, from the label and the device's
 * reference data: expired (the label's date, day 00 already made the last
 * day of the month) and recalled stop the item; unknown or inactive items,
 * an implant or lot-tracked item without a lot, and no case are warnings
 * recorded as flags.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "log.h"
#include "store.h"

static void
today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static unsigned
checks_catalog(struct agent *a, const struct item *it)
{
	struct store_item ri;
	int found = store_catalog_item(a->store, it->di, &ri);
	unsigned no_lot = it->lot[0] == '\0' ? EVF_LOT_MISSING : 0;

	if (found == -ENOENT)	/* no catalog: every lot-less item is flagged */
		return no_lot;
	if (found < 0) {	/* unchecked is unknown: held for a person */
		log_warnx("checks: item %s not checked against the catalog: "
		    "recorded as unknown", it->di);
		return EVF_UNKNOWN_ITEM | no_lot;
	}
	if (found == 0)
		return EVF_UNKNOWN_ITEM | no_lot;
	return (ri.active ? 0 : EVF_INACTIVE_ITEM) |
	    (ri.implant || ri.lot_required ? no_lot : 0);
}

unsigned
checks_run(struct agent *a, struct event *ev, char *why, size_t len)
{
	const struct item *it = &ev->item;
	char day[11], recall[64];
	unsigned f = checks_catalog(a, it);
	int rc;

	why[0] = '\0';
	if (!ev->case_id[0] && !ev->mrn[0] && !ev->encounter[0])
		f |= EVF_NO_CASE;
	today(day);
	if (it->expiry[0] != '\0' && strcmp(it->expiry, day) < 0) {
		f |= EVF_EXPIRED;
		snprintf(why, len, "EXPIRED %s", it->expiry);
	}
	if ((rc = store_recalled(a->store, it, recall, sizeof(recall))) > 0) {
		f |= EVF_RECALLED;
		snprintf(why + strlen(why), len - strlen(why), "%sRECALLED "
		    "(%s)", why[0] ? ", " : "", recall);
	} else if (rc < 0) {
		/* Unchecked is unknown: the bridge holds it for a person. */
		log_warnx("checks: item %s not checked against the recalls: "
		    "recorded as unknown", it->di);
		f |= EVF_UNKNOWN_ITEM;
	}
	ev->flags |= f;
	return f & CHECKS_STOP;
}

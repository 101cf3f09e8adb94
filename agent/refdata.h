/* The item catalog and recall list on the device, in its store. */
#ifndef POU_REFDATA_H
#define POU_REFDATA_H

#include <stddef.h>

#include "event.h"

struct store;

struct refdata_item {
	char	desc[96];
	int	implant, lot_required, serial_required, active;
};

/* Loads each file that is set and changed; 0, or -1 when one was refused. */
int	refdata_load(struct store *, const char *catalog, const char *recalls);
/* 1 with *out filled, 0 when not in the catalog, -1 when none is loaded. */
int	refdata_item(struct store *, const char *di, struct refdata_item *out);
int	refdata_catalog_loaded(struct store *);
/* 1 with the recall's id when (DI, lot, serial) is recalled, else 0. */
int	refdata_recalled(struct store *, const struct item *, char *id,
	    size_t idlen);

#endif

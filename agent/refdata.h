/* The item catalog and recall list on the device: their CSV files, read
 * into the store (the lookups are the store's: store_catalog_item()). */
#ifndef POU_REFDATA_H
#define POU_REFDATA_H

struct store;

/* Loads each file that is set and changed; 0, or -1 when one was refused. */
int	refdata_load(struct store *, const char *catalog, const char *recalls);

#endif

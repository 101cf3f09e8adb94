/* The item catalog and recall list on the device: their CSV files, read
 * into the store (the lookups are the store's: store_catalog_item()). */
#ifndef POU_REFDATA_H
#define POU_REFDATA_H

#include <stdint.h>

struct store;

/* Loads each file that is set and changed; 0, or -1 when one was refused. */
int	refdata_load(struct store *, const char *catalog, const char *recalls);
/* The OR schedule's file (room,start,end,case_id,mrn,encounter) into the
 * store when it changed; 0, or -1 when it was refused (the set before
 * stays). */
int	refdata_load_schedule(struct store *, const char *path);
/* A local time YYYY-MM-DDTHH:MM as wall ms; 0, or -1. */
int	refdata_local_time(const char *s, int64_t *ms);
/* kind's CSV header line and its number of fields; NULL for no kind. */
const char *refdata_header(int kind, int *nfields);
/* Inside store_ref_begin(kind): checks and stores one row of n fields
 * (yes/no fields as the files write them); NULL, or why not. */
const char *refdata_row(struct store *, int kind, char **f, int n);

#endif

/*
 * Locations: where a cart is (site, room, and unit or "" for the whole
 * room) mapped to the hospital's department (FT1-13), cost center and ERP
 * inventory location, from a CSV with the header
 * site,room,unit,department,cost_center,erp_location. Optional: without it
 * billing and the ERP get no department or cost center.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "csv.h"
#include "log.h"

#define LOC_MAX	4096

struct locations {
	struct location	*l;
	size_t		 n;
};

static const char *
loc_row(void *arg, char **f)
{
	struct locations *ls = arg;
	struct location *l;
	int i;

	if (ls->n == LOC_MAX)
		return "more than 4096 locations";
	for (i = 0; i < 6; i++)
		if (strlen(f[i]) >= sizeof(ls->l->site))
			return "a field longer than 63 bytes";
	if (f[0][0] == '\0' || f[1][0] == '\0')
		return "site and room are required";
	l = &ls->l[ls->n++];
	snprintf(l->site, sizeof(l->site), "%s", f[0]);
	snprintf(l->room, sizeof(l->room), "%s", f[1]);
	snprintf(l->unit, sizeof(l->unit), "%s", f[2]);
	snprintf(l->department, sizeof(l->department), "%s", f[3]);
	snprintf(l->cost_center, sizeof(l->cost_center), "%s", f[4]);
	snprintf(l->erp_location, sizeof(l->erp_location), "%s", f[5]);
	return NULL;
}

struct locations *
locations_load(const char *path)
{
	struct locations *ls = calloc(1, sizeof(*ls));

	if (ls == NULL || (ls->l = calloc(LOC_MAX, sizeof(*ls->l))) == NULL) {
		free(ls);
		return NULL;
	}
	if (path[0] != '\0' && csv_load(path, 6, "site", loc_row, ls) != 0) {
		locations_free(ls);
		return NULL;
	}
	return ls;
}

void
locations_free(struct locations *ls)
{
	if (ls == NULL)
		return;
	free(ls->l);
	free(ls);
}

const struct location *
locations_find(const struct locations *ls, const char *site,
    const char *room, const char *unit)
{
	const struct location *room_wide = NULL;
	size_t i;

	for (i = 0; i < ls->n; i++) {
		const struct location *l = &ls->l[i];

		if (strcmp(l->site, site) != 0 || strcmp(l->room, room) != 0)
			continue;
		if (strcmp(l->unit, unit) == 0)
			return l;
		if (l->unit[0] == '\0')
			room_wide = l;
	}
	return room_wide;
}

size_t
locations_count(const struct locations *ls)
{
	return ls->n;
}

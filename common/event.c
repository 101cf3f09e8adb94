/* The canonical usage event of DESIGN section 5, as both daemons hold it. */
#include <string.h>

#include "event.h"
#include "util.h"

/* Index i names flag bit 1 << i. */
const char *const event_flag_names[7] = {
	"expired", "recalled", "unknown_item", "inactive_item", "no_case",
	"lot_missing", "override",
};

const char *const event_kinds[6] = {
	"use", "waste", "return", "billonly", "consign", "undo",
};

int
event_kind_valid(const char *kind)
{
	size_t i;

	for (i = 0; i < nitems(event_kinds); i++)
		if (strcmp(kind, event_kinds[i]) == 0)
			return 1;
	return 0;
}

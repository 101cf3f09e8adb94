/* The canonical usage event of DESIGN section 5, as both daemons hold it. */
#ifndef POU_EVENT_H
#define POU_EVENT_H

#include <stddef.h>
#include <stdint.h>

#define ITEM_RAW_MAX	512	/* bytes of one scan kept verbatim */
/* ids: case, MRN, encounter, user, location parts */
#define EV_STR		64

/* Flags: what the point of use already knew. Wire names in event_flag_names. */
#define EVF_EXPIRED		0x01
#define EVF_RECALLED		0x02
#define EVF_UNKNOWN_ITEM	0x04
#define EVF_INACTIVE_ITEM	0x08
#define EVF_NO_CASE		0x10
#define EVF_LOT_MISSING		0x20
#define EVF_OVERRIDE		0x40

struct item {
	char		scheme[8];	/* gs1, hibc, isbt128, local */
	char		di[32];		/* GTIN-14 for gs1 */
	char		lot[24];
	char		serial[24];
	char		expiry[11];	/* YYYY-MM-DD or "" */
	char		mfg[11];	/* YYYY-MM-DD or "" */
	/* exact scanned bytes, AIM id included */
	unsigned char	raw[ITEM_RAW_MAX];
	size_t		raw_len;
};

struct event {
	int64_t		seq;
	int64_t		at_ms;		/* device wall clock, UTC ms */
	char		boot[40];	/* boot id */
	int64_t		mono_ms;	/* CLOCK_BOOTTIME ms in that boot */
	/* use, waste, return, billonly, consign, undo */
	char		kind[10];
	int		qty;
	struct item	item;
	char		case_id[EV_STR];
	char		mrn[EV_STR];
	char		encounter[EV_STR];
	char		user[EV_STR];
	char		site[EV_STR];
	char		room[EV_STR];
	char		unit[EV_STR];
	unsigned	flags;
	char		source[32];	/* driver instance */
	/* kind undo: the seq it reverses; else 0 */
	int64_t		undoes;
};

extern const char *const event_flag_names[7];
extern const char *const event_kinds[6];

/* True when kind is one of event_kinds. */
int	event_kind_valid(const char *kind);

#endif

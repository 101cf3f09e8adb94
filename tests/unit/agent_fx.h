/*
 * A pou-agent small enough for the unit tests of its session and command
 * scans: a real store in a temp dir, the board and the uplink replaced by
 * recorders. agent_fx.c is the one test file that knows struct agent.
 */
#ifndef POU_AGENT_FX_H
#define POU_AGENT_FX_H

#include <stdint.h>

#include "agent.h"
#include "store.h"

#define FX_SIGNALS	32
#define FX_DI		"00884521123451"	/* a GTIN, good check digit */

/* One feedback() call: what the person saw, and what was stored then. */
struct fx_signal {
	enum board_signal	 sig;
	char			 why[160];
	int64_t			 stored;	/* the store's last seq */
};

struct agent_fx {
	char			 dir[64];
	struct agent		*a;
	struct session		*sess;		/* the agent's; borrowed */
	struct agent_conf	*conf;		/* the agent's; borrowed */
	struct store		*store;		/* the agent's; borrowed */
	int64_t			 mono_ms;	/* the scans' clock */
	struct fx_signal	 sig[FX_SIGNALS];	/* the first ones */
	int			 nsig;
	int			 kicks;		/* uplink_kick() calls */
};

/* cmocka setup and teardown: *state is a struct agent_fx. Prefixes CASE:,
 * PAT:, ENC:, USER:; windows: override 30 s, undo 60 s, context 600 s,
 * no two-symbol assembly. */
int	agent_fx_setup(void **state);
int	agent_fx_teardown(void **state);

/* One scan of text (len bytes, or strlen when len is 0) at the fx clock
 * through the driver sink, session_scan(). */
void	fx_scan(struct agent_fx *, const char *text, size_t len);
/* The same scan as a struct scan; source borrowed from a static. */
void	fx_make_scan(struct agent_fx *, const char *text, size_t len,
	    struct scan *);
/* The clock on by ms, then session_tick(). */
void	fx_tick(struct agent_fx *, int64_t ms);
/* The last signal; fails the test when there was none. */
const struct fx_signal *fx_last(const struct agent_fx *);
/* The store's events, ascending; how many. */
int	fx_events(struct agent_fx *, struct event *evs, int max);
int64_t	fx_stored(struct agent_fx *);
/* A GS1 DataMatrix label: FX_DI, expiry YYMMDD ("" none), lot ("" none). */
void	fx_gs1(char *out, size_t len, const char *yymmdd, const char *lot);

#endif

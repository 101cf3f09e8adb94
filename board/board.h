/*
 * Feedback to the person at the cart. Every signal is logged ("board: STOP
 * why"); the hardware backend also drives the outputs a board file in
 * configs/boards/ describes: sysfs LEDs and GPIO lines (libgpiod), each
 * signal a pattern of pulses on some of them.
 */
#ifndef POU_BOARD_H
#define POU_BOARD_H

#include <stdint.h>

enum board_signal {
	BOARD_OK, BOARD_WARN, BOARD_STOP, BOARD_CONTEXT,	/* events */
	BOARD_BUSY, BOARD_OFFLINE,				/* states */
	BOARD_NSIGNALS
};

struct board;

/*
 * backend: "console" (log lines), "null", or "hardware" with the board file
 * desc. Errors are logged as file:line; NULL then.
 */
struct board *board_open(const char *backend, const char *desc);
void	board_close(struct board *);	/* NULL-safe; outputs off */
/* True when backend names one (for config checks). */
int	board_backend_valid(const char *backend);

/* An event (ok, warn, stop, context): its pattern starts now. */
void	board_signal(struct board *, enum board_signal, const char *why);
/* A state (busy, offline) held until set otherwise. */
void	board_state(struct board *, enum board_signal, int on);
/* ms until board_tick() is needed, -1 for none. */
int	board_timeout(const struct board *, int64_t now_ms);
void	board_tick(struct board *, int64_t now_ms);
/* "ok", "warn", "stop", "context", "busy", "offline". */
const char *board_signal_name(enum board_signal);
/* The last signal, and when (monotonic ms), for pouctl and tests. */
const char *board_last(const struct board *, int64_t *at_ms);

#endif

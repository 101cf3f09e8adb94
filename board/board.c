/*
 * Feedback to the person at the cart: one ops table, backends by name.
 * The spine has the console (development) and null backends; LEDs, GPIO
 * buzzer and lock come with their own issue.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "log.h"

static const char *const signal_names[] = {
	[BOARD_OK] = "OK", [BOARD_WARN] = "WARN", [BOARD_STOP] = "STOP",
	[BOARD_CONTEXT] = "CONTEXT",
};

static void
console_signal(enum board_signal s, const char *why)
{
	log_info("board: %s %s", signal_names[s], why);
}

static void
null_signal(enum board_signal s, const char *why)
{
	(void)s;
	(void)why;
}

static const struct board_ops board_console = {
	.name = "console", .signal = console_signal,
};
static const struct board_ops board_null = {
	.name = "null", .signal = null_signal,
};
static const struct board_ops *const boards[] = { &board_console, &board_null };

const struct board_ops *
board_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(boards) / sizeof(boards[0]); i++)
		if (strcmp(boards[i]->name, name) == 0)
			return boards[i];
	return NULL;
}

void
board_signal(const struct board_ops *b, enum board_signal s, const char *why)
{
	b->signal(s, why);
}

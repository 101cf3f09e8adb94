/* Feedback to the person at the cart: one ops table, backends by name. */
#ifndef POU_BOARD_H
#define POU_BOARD_H

enum board_signal { BOARD_OK, BOARD_WARN, BOARD_STOP, BOARD_CONTEXT };

struct board_ops {
	const char	*name;
	void		(*signal)(enum board_signal, const char *why);
};

/* The backend named name ("console", "null"), or NULL. */
const struct board_ops *board_lookup(const char *name);
/* Signals through b; why is what a person reads (and the log keeps). */
void	board_signal(const struct board_ops *b, enum board_signal,
	    const char *why);

#endif

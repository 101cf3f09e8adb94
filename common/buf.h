/* A growable byte buffer that stays NUL-terminated, for building messages. */
#ifndef POU_BUF_H
#define POU_BUF_H

#include <stddef.h>

struct buf {
	char	*s;	/* owned; NULL until the first append */
	size_t	 len;
	size_t	 cap;
	/* set once an append failed; later appends do nothing */
	int	 oom;
};

#define BUF_INIT { NULL, 0, 0, 0 }

void	buf_add(struct buf *, const void *, size_t);
void	buf_adds(struct buf *, const char *);
void	buf_addc(struct buf *, char);
void	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_reset(struct buf *);
void	buf_free(struct buf *);
/* The contents ("" when empty); borrowed until the next append. */
const char *buf_str(const struct buf *);

#endif

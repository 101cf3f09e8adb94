/* For unit tests: what the code under test logged. */
#ifndef POU_TESTUTIL_H
#define POU_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

struct grab {
	int	saved;		/* the real stderr */
	FILE	*f;		/* where it goes meanwhile */
	char	text[8192];
};

static struct grab *grab_on;	/* the grab in progress, if any */

/* From now on stderr goes to g, until grab_end(). */
static inline void
grab_start(struct grab *g)
{
	fflush(stderr);
	g->text[0] = '\0';
	if ((g->f = tmpfile()) == NULL || (g->saved = dup(2)) < 0 ||
	    dup2(fileno(g->f), 2) < 0)
		abort();
	grab_on = g;
}

/* stderr back; what was written meanwhile is in g->text. */
static inline const char *
grab_end(struct grab *g)
{
	size_t n;

	if (g->f == NULL)
		return g->text;
	fflush(stderr);
	if (dup2(g->saved, 2) < 0)
		abort();
	close(g->saved);
	rewind(g->f);
	n = fread(g->text, 1, sizeof(g->text) - 1, g->f);
	g->text[n] = '\0';
	fclose(g->f);
	g->f = NULL;
	grab_on = NULL;
	return g->text;
}

/* For a teardown: a test that failed while grabbing gets stderr back, and
 * what was grabbed (cmocka's message too) is written to it after all. */
static inline void
grab_cancel(void)
{
	if (grab_on != NULL)
		fputs(grab_end(grab_on), stderr);
}

#endif

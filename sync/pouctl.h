/* pouctl's private header: one verb per file. */
#ifndef POU_POUCTL_H
#define POU_POUCTL_H

/* pouctl_decode.c: argv[0] is "decode". Returns the exit status. */
int	ctl_decode(int argc, char *argv[]);

#endif

/*
 * Input devices behind one ops table; the core calls driver_*(), never ops,
 * so the front end counts every instance's scans and times its handlers.
 */
#ifndef POU_DRIVER_H
#define POU_DRIVER_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "event.h"

#define DRIVER_NAME_MAX	32
/* libusb: its event and timer fds, one per device */
#define DRIVER_FDS_MAX	8

/* One scan as every driver emits it. */
struct scan {
	unsigned char	data[ITEM_RAW_MAX];
	size_t		len;
	const char	*source;	/* the instance name; borrowed */
	int64_t		mono_ms;
	int64_t		wall_ms;
};

/* Where a driver sends its scans (borrowed for the call) and its state. */
struct driver_sink {
	void	(*scan)(void *arg, const struct scan *scan);
	void	(*state)(void *arg, const char *instance, const char *state);
	void	*arg;
};

struct driver_ops {
	const char		*name;
	const struct conf_item	*conf;		/* keys of [driver.<name>N] */
	size_t			 conf_size;
	int	(*open)(const void *conf, const char *instance,
		    const struct driver_sink *, void **ctx);
	int	(*pollfds)(void *ctx, struct pollfd *, int max);
	int	(*timeout)(void *ctx, int64_t now_ms);	/* NULL: none */
	void	(*handle)(void *ctx, const struct pollfd *, int n,
		    int64_t now_ms);
	void	(*close)(void *ctx);
};

#define DRIVER_SLOW_MS	100	/* a handler this long holds up the beep */

/* What the front end counts for an instance since the agent started. */
struct driver_counts {
	int64_t	scans;		/* scans handed to the sink */
	int64_t	last_ms;	/* wall ms of the last, 0 for none */
	int64_t	handle_max_ms;	/* the longest handler call */
	int64_t	slow;		/* handler calls of DRIVER_SLOW_MS or more */
};

struct driver {
	const struct driver_ops	*ops;
	char			 name[DRIVER_NAME_MAX];
	void			*conf;	/* owned; ops->conf_size bytes */
	void			*ctx;	/* NULL while closed */
	/* fds this instance holds in the poll set */
	int			 nfds;
	struct driver_sink	 up;	/* the core's sink */
	struct driver_sink	 sink;	/* the driver's: counts, then up */
	struct driver_counts	 counts;
	int			 counts_changed;
};

/* sim.c, hidpos.c, serial.c, wedge.c, nfc.c */
extern const struct driver_ops driver_sim;
extern const struct driver_ops driver_nfc;
extern const struct driver_ops driver_wedge;
extern const struct driver_ops driver_hidpos;
extern const struct driver_ops driver_serial;

/* driver.c */
/* The ops for instance name "sim0" (the name less its trailing digits). */
const struct driver_ops *driver_lookup(const char *instance);
/* A closed instance with its defaults; NULL and errno on error. */
struct driver *driver_new(const char *instance);
int	driver_set(struct driver *, const char *key, const char *value,
	    char *err, size_t errlen);
int	driver_open(struct driver *, const struct driver_sink *);
int	driver_pollfds(struct driver *, struct pollfd *, int max);
int	driver_timeout(struct driver *, int64_t now_ms);
void	driver_handle(struct driver *, const struct pollfd *, int n,
	    int64_t now_ms);
void	driver_close(struct driver *);	/* NULL-safe; may be reopened */
/* 1 with the counts when they changed since the last call, else 0. */
int	driver_counts(struct driver *, struct driver_counts *);
/*
 * For drivers: hands one scan to the sink as every driver must, with the
 * instance name and both clocks; a scan over ITEM_RAW_MAX is dropped.
 */
void	driver_emit(const struct driver_sink *, const char *instance,
	    const void *data, size_t len, int64_t mono_ms);
/* For drivers: fills pfd to poll fd for input; 1, or 0 when fd < 0. */
int	driver_pollfd(int fd, struct pollfd *pfd, int max);
/* For drivers: reports a state change ("open 0c2e:0b87", "unplugged"). */
void	driver_state(const struct driver_sink *, const char *instance,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void	driver_free(struct driver *);	/* NULL-safe */

#endif

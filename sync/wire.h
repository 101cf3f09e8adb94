/* The wire protocol, version 1: topics and JSON payloads (DESIGN section 6). */
#ifndef POU_WIRE_H
#define POU_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define WIRE_VERSION	1
#define WIRE_VERSION_S	"1"	/* the same, for building JSON text */
#define WIRE_BATCH_MAX	1000	/* events in one batch, both ways */
#define WIRE_ID_MAX	64	/* site and device ids, epoch */

struct wire_topic {
	char	site[WIRE_ID_MAX];
	char	device[WIRE_ID_MAX];
	char	leaf[16];	/* events, ack, status, ... */
};

/* Writes "pou/v1/<site>/<device>/<leaf>" into out. 0 or -ENAMETOOLONG. */
int	wire_topic(char *out, size_t len, const char *site, const char *device,
	    const char *leaf);
/*
 * Splits a topic; 0, or -EINVAL when it is not pou/v1/<site>/<device>/<leaf>.
 */
int	wire_topic_parse(const char *topic, struct wire_topic *out);
/* True when s is usable as a site or device id (and so in a topic). */
int	wire_id_valid(const char *s);
/* A device id: a valid id that is not "all", its site's command topic. */
int	wire_device_valid(const char *s);

/* The device's clocks when it sent a batch: how the bridge checks `at`. */
struct wire_clock {
	int64_t	at_ms;		/* wall clock */
	char	boot[40];	/* boot id; "" when the batch carries none */
	int64_t	mono_ms;	/* CLOCK_BOOTTIME */
};

/* What a device says of its epoch beside the events (all optional). */
struct wire_mark {
	/* the highest upto it was ever acked; 0: none */
	int64_t	acked;
	int64_t	gone_from;	/* seqs asked for again that it no longer */
	int64_t	gone_to;	/* holds (pruned); 0 when none */
};

/*
 * A batch as JSON, with sent (NULL: none) as "sent" and mark (NULL: none)
 * as "acked" and "gone"; the caller frees it. NULL on out of memory. n may
 * be 0 only with a gone range.
 */
char	*wire_batch_encode(const char *epoch, const struct event *evs, int n,
	    const struct wire_clock *sent, const struct wire_mark *mark);
/*
 * Decodes an untrusted batch. On success *evs (caller frees; NULL when
 * none) holds *n events in ascending seq, epoch the batch's epoch, *sent
 * its clocks and *mark its marks (each when not NULL). On failure returns
 * -EINVAL with the reason in err; nothing is allocated.
 */
int	wire_batch_decode(const char *payload, size_t len, char *epoch,
	    size_t epochlen, struct event **evs, int *n,
	    struct wire_clock *sent, struct wire_mark *mark, char *err,
	    size_t errlen);

/* The bridge's answer to a batch it stored. */
struct wire_ack {
	char	epoch[WIRE_ID_MAX];
	int64_t	upto;	/* the end of the contiguous prefix it holds */
	int64_t	replay;	/* the first seq it lacks past a hole; 0: none */
	int64_t	stored;	/* the last seq of the batch just stored; 0: none */
	int64_t	held;	/* the highest seq it holds, when past upto; 0: none */
	int64_t	conflict;	/* the first seq of the batch it holds with
				 * other content; 0: none */
};

char	*wire_ack_encode(const struct wire_ack *);
int	wire_ack_decode(const char *payload, size_t len, struct wire_ack *,
	    char *err, size_t errlen);

#define TELEMETRY_DRIVERS	8

/* What the device says of itself on the telemetry topic. */
struct telemetry {
	int64_t	at_ms;
	int64_t	uptime_s;
	int64_t	backlog;		/* events not yet acked */
	int64_t	oldest_unacked_age_ms;	/* 0 when none */
	int64_t	last_acked_seq;
	int64_t	store_bytes;
	int64_t	store_used_bytes;	/* pages holding data */
	int64_t	store_quota_bytes;	/* 0 when none */
	int64_t	disk_free_bytes;	/* -1 when unknown */
	/* the kernel says NTP keeps it in sync */
	int	clock_synced;
	char	catalog[65];		/* the versions in use; "" none */
	char	recalls[65];
	char	boot[40];		/* this boot's id */
	int	ndrivers;
	struct {
		char	name[32];
		char	state[96];
		int64_t	since_ms;
		int64_t	scans;
	} drivers[TELEMETRY_DRIVERS];
};

char	*wire_telemetry_encode(const struct telemetry *);

/* Birth and last will, retained on the status topic. */
char	*wire_status_encode(const char *state, const char *epoch,
	    const char *version);
struct wire_status {
	char	state[16];
	char	epoch[WIRE_ID_MAX];	/* "" when none */
	char	version[32];		/* the agent's; "" when none */
};
/* Decodes an untrusted status. */
int	wire_status_decode(const char *payload, size_t len,
	    struct wire_status *, char *err, size_t errlen);

/* A fleet command's state on its device: each transition one result. */
struct wire_result {
	/* "" for a command whose id is unknown */
	const char	*id;
	/* received, executing, successful, failed */
	const char	*state;
	/* fleet_err_name() or the op's, or "" */
	const char	*error;
	const char	*detail;	/* for a person, or "" */
	const char	*data;		/* JSON object text, or "" */
	int64_t		 at_ms;
};

/* {"v":1,"id","state","ok","error","detail","at","data"}; ok is false for
 * failed only. NULL on error (data that is no JSON object is one). */
char	*wire_result_encode(const struct wire_result *);

/* A result as the bridge reads it (untrusted): its fields copied. */
struct wire_result_in {
	char	 id[65];	/* "" for null */
	char	 state[16];
	char	 error[32];
	char	 detail[256];
	char	*data;		/* JSON object text; the caller frees it */
	int64_t	 at_ms;
};
int	wire_result_decode(const char *payload, size_t len,
	    struct wire_result_in *, char *err, size_t errlen);
/* An untrusted payload as compact JSON text if it is a JSON object, else
 * NULL; the caller frees it. */
char	*wire_object_text(const char *payload, size_t len);

#endif

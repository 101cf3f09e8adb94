/*
 * The agent's uplink: unacked events from the store, in seq order, in
 * batches over MQTT; released only by the bridge's end-to-end ack.
 */
#ifndef POU_UPLINK_H
#define POU_UPLINK_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct uplink;

struct uplink_conf {
	char		host[256];
	long long	port;
	long long	keepalive_s;
	long long	batch_max;	/* events in one MQTT message */
	long long	window;		/* events published and not yet acked */
	/* no ack progress for this long: resend */
	long long	ack_timeout_ms;
	long long	backoff_min_ms;
	long long	backoff_max_ms;
	long long	telemetry_s;	/* and on every state change */
	long long	quota_bytes;	/* the store's cap, 0 for none */
	char		cafile[256];	/* TLS when set */
	char		certfile[256];
	char		keyfile[256];
	char		site[64];
	char		device[64];
};

/* store is borrowed and must outlive the uplink. NULL on error. */
struct uplink *uplink_new(const struct uplink_conf *, struct store *);
void	uplink_free(struct uplink *);	/* NULL-safe; publishes nothing */
/* The fd and events to poll; fd -1 when there is no connection. */
void	uplink_pollfd(struct uplink *, struct pollfd *);
/* ms until the uplink next needs uplink_handle() without I/O. */
int	uplink_timeout(struct uplink *, int64_t now_ms);
/* On readiness (revents from the pollfd) or timeout. */
void	uplink_handle(struct uplink *, short revents, int64_t now_ms);
/* The seq events are acked up to as the uplink sends now: below the
 * store's mark while a bridge that lost events gets them again. */
int64_t	uplink_acked_upto(const struct uplink *);
/* True while connected to the broker. */
int	uplink_online(const struct uplink *);
/* New events were committed: send them if the window allows. */
void	uplink_kick(struct uplink *);
/* Something changed (a driver's state): send telemetry soon. */
void	uplink_telemetry_soon(struct uplink *);

/* A fleet command as it came off the cmd topics (untrusted). */
typedef void (*uplink_command_fn)(void *arg, const char *payload, size_t len);
/* Takes the device's and its site's cmd topics to fn (NULL: none). */
void	uplink_on_command(struct uplink *, uplink_command_fn fn, void *arg);
/*
 * Publishes a result (QoS 1). n names it in the caller's queue: one such
 * result is in flight at a time (-EBUSY meanwhile), and uplink_result_done()
 * gives n back once the broker has it; n 0 is fire and forget. -ENOTCONN
 * offline.
 */
int	uplink_result_send(struct uplink *, int64_t n, const char *payload);
/* The n whose PUBACK came since the last call, or 0. */
int64_t	uplink_result_done(struct uplink *);

#endif

/*
 * One MQTT connection driven from the caller's poll loop: connect, capped
 * exponential backoff with full jitter, keepalive. Used by both daemons.
 */
#ifndef POU_MQTTC_H
#define POU_MQTTC_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mosquitto_message;
struct mqttc;

struct mqttc_conf {
	const char	*host;
	int		 port;
	int		 keepalive_s;
	int64_t		 backoff_min_ms;
	int64_t		 backoff_max_ms;
	const char	*client_id;
	const char	*cafile;	/* TLS when set: the broker's CA */
	const char	*certfile;	/* this client's certificate ... */
	/* ... and key; the broker's ACL keys on it */
	const char	*keyfile;
	const char	*will_topic;	/* NULL for no last will */
	const char	*will_payload;	/* retained, QoS 1 */
};

struct mqttc_cbs {
	void	(*online)(void *arg);	/* CONNACK accepted: subscribe here */
	void	(*state)(void *arg, const char *state);	/* NULL: none */
	void	(*message)(void *arg, const struct mosquitto_message *);
	/* A PUBACK for mid; NULL: none. */
	void	(*published)(void *arg, int mid);
	void	*arg;
};

/* Strings in conf are copied. NULL on error. */
struct mqttc *mqttc_new(const struct mqttc_conf *, const struct mqttc_cbs *);
void	mqttc_free(struct mqttc *);	/* NULL-safe */
void	mqttc_pollfd(struct mqttc *, struct pollfd *);
int	mqttc_timeout(struct mqttc *, int64_t now_ms);
void	mqttc_handle(struct mqttc *, short revents, int64_t now_ms);
/* 0, or -ENOTCONN / -EIO; QoS 1 messages are the caller's to resend. The
 * message id in *mid when mid is not NULL (see published). */
int	mqttc_publish(struct mqttc *, const char *topic, const void *p,
	    size_t len, int qos, bool retain, int *mid);
int	mqttc_subscribe(struct mqttc *, const char *topic, int qos);
bool	mqttc_online(const struct mqttc *);

#endif

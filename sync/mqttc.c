/*
 * One MQTT connection driven from the caller's poll loop: connect, capped
 * exponential backoff with full jitter, keepalive. Used by both daemons;
 * libmosquitto never runs a thread of its own here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

#include "log.h"
#include "mqttc.h"
#include "util.h"

#define MQTTC_MISC_MS		1000	/* keepalive bookkeeping */
#define MQTTC_CONNECT_MS	10000	/* socket up but no CONNACK: retry */

enum mq_state { MQ_OFFLINE, MQ_CONNECTING, MQ_ONLINE };
static const char *const mq_names[] = { "offline", "connecting", "online" };

struct mqttc {
	struct mosquitto	*m;
	struct mqttc_cbs	 cb;
	char			*host;
	int			 port, keepalive_s;
	int64_t			 backoff_min_ms, backoff_max_ms;
	enum mq_state		 state;
	int			 started;	/* connect called once */
	unsigned		 attempts;	/* failed connects in a row */
	int64_t			 next_connect_ms;
	int64_t			 connect_deadline_ms;
	int64_t			 next_misc_ms;
	/* bytes last came from the broker */
	int64_t			 last_rx_ms;
};

static void
mqttc_set_state(struct mqttc *c, enum mq_state st)
{
	if (c->state == st)
		return;
	log_info("mqtt %s:%d: %s -> %s", c->host, c->port, mq_names[c->state],
	    mq_names[st]);
	c->state = st;
	if (c->cb.state)
		c->cb.state(c->cb.arg, mq_names[st]);
}

static void
mqttc_schedule(struct mqttc *c, int64_t now)
{
	int64_t d = backoff_ms(c->attempts, c->backoff_min_ms,
	    c->backoff_max_ms);

	if (d < c->backoff_min_ms / 2)	/* full jitter, but no tight loop */
		d = c->backoff_min_ms / 2;
	c->attempts++;
	c->next_connect_ms = now + d;
	mqttc_set_state(c, MQ_OFFLINE);
	log_debug("mqtt: next connect in %lld ms", (long long)d);
}

static void
mqttc_on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct mqttc *c = arg;

	(void)m;
	if (rc != 0) {
		log_warnx("mqtt %s:%d: broker refused the connection: %s",
		    c->host, c->port, mosquitto_connack_string(rc));
		return;	/* the broker closes; on_disconnect schedules a retry */
	}
	c->attempts = 0;
	c->last_rx_ms = now_mono_ms();
	mqttc_set_state(c, MQ_ONLINE);
	c->cb.online(c->cb.arg);
}

static void
mqttc_on_disconnect(struct mosquitto *m, void *arg, int rc)
{
	struct mqttc *c = arg;

	(void)m;
	if (c->state == MQ_ONLINE)
		log_warnx("mqtt %s:%d: connection lost: %s", c->host, c->port,
		    mosquitto_strerror(rc));
	mqttc_schedule(c, now_mono_ms());
}

static void
mqttc_on_message(struct mosquitto *m, void *arg,
    const struct mosquitto_message *msg)
{
	struct mqttc *c = arg;

	(void)m;
	c->cb.message(c->cb.arg, msg);
}

static void
mqttc_on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct mqttc *c = arg;

	(void)m;
	if (c->cb.published)
		c->cb.published(c->cb.arg, mid);
}

struct mqttc *
mqttc_new(const struct mqttc_conf *conf, const struct mqttc_cbs *cb)
{
	struct mqttc *c;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->host = strdup(conf->host)) == NULL ||
	    (c->m = mosquitto_new(conf->client_id, true, c)) == NULL)
		goto fail;
	c->cb = *cb;
	c->port = conf->port;
	c->keepalive_s = conf->keepalive_s;
	c->backoff_min_ms = conf->backoff_min_ms;
	c->backoff_max_ms = conf->backoff_max_ms;
	mosquitto_connect_callback_set(c->m, mqttc_on_connect);
	mosquitto_disconnect_callback_set(c->m, mqttc_on_disconnect);
	mosquitto_message_callback_set(c->m, mqttc_on_message);
	mosquitto_publish_callback_set(c->m, mqttc_on_publish);
	if (conf->cafile != NULL && conf->cafile[0] != '\0' &&
	    (rc = mosquitto_tls_set(c->m, conf->cafile, NULL,
	    conf->certfile[0] ? conf->certfile : NULL,
	    conf->keyfile[0] ? conf->keyfile : NULL,
	    NULL)) != MOSQ_ERR_SUCCESS) {
		log_warnx("mqtt: TLS set-up: %s", mosquitto_strerror(rc));
		goto fail;
	}
	if (conf->will_topic != NULL && mosquitto_will_set(c->m,
	    conf->will_topic, (int)strlen(conf->will_payload),
	    conf->will_payload, 1, true) != MOSQ_ERR_SUCCESS)
		goto fail;
	return c;
fail:
	mqttc_free(c);
	return NULL;
}

void
mqttc_free(struct mqttc *c)
{
	if (c == NULL)
		return;
	if (c->m != NULL)
		mosquitto_destroy(c->m);
	free(c->host);
	free(c);
}

void
mqttc_pollfd(struct mqttc *c, struct pollfd *pfd)
{
	/* While offline the old socket, if any, is left to the next connect. */
	pfd->fd = c->state == MQ_OFFLINE ? -1 : mosquitto_socket(c->m);
	pfd->events = POLLIN;
	if (pfd->fd >= 0 && mosquitto_want_write(c->m))
		pfd->events |= POLLOUT;
	pfd->revents = 0;
}

/*
 * A live link brings something at least every keepalive (a PINGRESP at the
 * latest); silence for 1.5 x keepalive is a dead link, without FIN or RST.
 */
static int64_t
mqttc_silence_deadline(const struct mqttc *c)
{
	return c->last_rx_ms + (int64_t)c->keepalive_s * 1500;
}

int
mqttc_timeout(struct mqttc *c, int64_t now)
{
	int64_t t = c->next_misc_ms;

	if (c->state == MQ_ONLINE && mqttc_silence_deadline(c) < t)
		t = mqttc_silence_deadline(c);
	if (c->state == MQ_OFFLINE && c->next_connect_ms < t)
		t = c->next_connect_ms;
	if (c->state == MQ_CONNECTING && c->connect_deadline_ms < t)
		t = c->connect_deadline_ms;
	return t <= now ? 0 : (int)(t - now);
}

static void
mqttc_connect(struct mqttc *c, int64_t now)
{
	int rc;

	rc = c->started ? mosquitto_reconnect_async(c->m) :
	    mosquitto_connect_async(c->m, c->host, c->port, c->keepalive_s);
	c->started = 1;
	if (rc != MOSQ_ERR_SUCCESS) {
		/*
		 * Once per streak: a broker that is down is no news each time.
		 */
		if (c->attempts == 0)
			log_warnx("mqtt %s:%d: cannot connect: %s; retrying "
			    "with backoff", c->host, c->port,
			    rc == MOSQ_ERR_ERRNO ? strerror(errno) :
			    mosquitto_strerror(rc));
		mqttc_schedule(c, now);
		return;
	}
	mqttc_set_state(c, MQ_CONNECTING);
	c->connect_deadline_ms = now + MQTTC_CONNECT_MS;
}

void
mqttc_handle(struct mqttc *c, short revents, int64_t now)
{
	if (revents & (POLLIN | POLLERR | POLLHUP)) {
		c->last_rx_ms = now;
		mosquitto_loop_read(c->m, 1);
	}
	if ((revents & POLLOUT) && mosquitto_socket(c->m) >= 0)
		mosquitto_loop_write(c->m, 1);
	if (c->state != MQ_OFFLINE && mosquitto_socket(c->m) < 0)
		mqttc_schedule(c, now);	/* closed without a callback */
	if (now >= c->next_misc_ms) {
		c->next_misc_ms = now + MQTTC_MISC_MS;
		if (c->state != MQ_OFFLINE)
			mosquitto_loop_misc(c->m);
	}
	if (c->state == MQ_ONLINE && now >= mqttc_silence_deadline(c)) {
		log_warnx("mqtt %s:%d: nothing from the broker for %d s "
		    "(keepalive %d s): the link is dead; reconnecting", c->host,
		    c->port, c->keepalive_s * 3 / 2, c->keepalive_s);
		mqttc_schedule(c, now);	/* the next connect drops the socket */
	}
	if (c->state == MQ_OFFLINE && now >= c->next_connect_ms)
		mqttc_connect(c, now);
	else if (c->state == MQ_CONNECTING && now >= c->connect_deadline_ms) {
		log_warnx("mqtt %s:%d: no CONNACK in %d ms", c->host, c->port,
		    MQTTC_CONNECT_MS);
		mqttc_schedule(c, now);
	}
}

int
mqttc_publish(struct mqttc *c, const char *topic, const void *p, size_t len,
    int qos, bool retain, int *mid)
{
	int rc;

	if (c->state != MQ_ONLINE)
		return -ENOTCONN;
	rc = mosquitto_publish(c->m, mid, topic, (int)len, p, qos, retain);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_warnx("mqtt: publish %s: %s", topic,
		    mosquitto_strerror(rc));
		return -EIO;
	}
	return 0;
}

int
mqttc_subscribe(struct mqttc *c, const char *topic, int qos)
{
	int rc = mosquitto_subscribe(c->m, NULL, topic, qos);

	if (rc != MOSQ_ERR_SUCCESS) {
		log_warnx("mqtt: subscribe %s: %s", topic,
		    mosquitto_strerror(rc));
		return -EIO;
	}
	return 0;
}

bool
mqttc_online(const struct mqttc *c)
{
	return c->state == MQ_ONLINE;
}


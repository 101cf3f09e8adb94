/*
 * MLLP output: HL7 over TCP, framed 0x0B message 0x1C 0x0D, one message in
 * flight on a long-lived connection; done only on an AA ACK that echoes
 * the message's control id.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bridge.h"
#include "buf.h"
#include "log.h"
#include "util.h"

#define MLLP_SB		0x0b
#define MLLP_EB		0x1c
#define MLLP_ACK_MAX	65536	/* an ACK larger than this is not one */

struct mllp {
	char	host[256];
	char	port[8];
	int	timeout_ms;
	int	fd;
	char	buf[MLLP_ACK_MAX];
	struct buf frame;	/* the message being sent, framed */
};

static int
mllp_wait(int fd, short ev, int64_t deadline)
{
	struct pollfd p = { fd, ev, 0 };
	int64_t left;
	int rc;

	for (;;) {
		if ((left = deadline - now_mono_ms()) <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

static int
mllp_connect_one(struct mllp *m, const struct addrinfo *ai, int64_t deadline)
{
	socklen_t sl = sizeof(int);
	int fd, soerr = 0, rc, one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	/* One frame, then wait for its ACK: Nagle would hold the frame's
	 * tail for the peer's delayed ACK, 40 ms a message. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
	    errno != EINPROGRESS) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if ((rc = mllp_wait(fd, POLLOUT, deadline)) != 0 ||
	    (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
	    soerr != 0 && (rc = -soerr) != 0)) {
		close(fd);
		return rc;
	}
	m->fd = fd;
	return 0;
}

static int
mllp_connect(struct mllp *m, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int64_t deadline = now_mono_ms() + m->timeout_ms;
	int rc;

	if ((rc = getaddrinfo(m->host, m->port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", m->host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	rc = -ECONNREFUSED;
	for (ai = res; ai != NULL && m->fd < 0; ai = ai->ai_next)
		rc = mllp_connect_one(m, ai, deadline);
	freeaddrinfo(res);
	if (m->fd < 0)
		snprintf(err, errlen, "connect %s:%s: %s", m->host, m->port,
		    strerror(-rc));
	return m->fd < 0 ? rc : 0;
}

static void
mllp_drop(struct mllp *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

static int
mllp_write(struct mllp *m, const char *p, size_t len, int64_t deadline)
{
	ssize_t n;
	int rc;

	while (len > 0) {
		n = send(m->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		else if ((rc = mllp_wait(m->fd, POLLOUT, deadline)) != 0)
			return rc;
	}
	return 0;
}

/* Reads one framed reply into m->buf; its length, or a negative error. */
static int
mllp_read(struct mllp *m, int64_t deadline)
{
	size_t len = 0;
	ssize_t n;
	char *eb;
	int rc;

	for (;;) {
		if ((rc = mllp_wait(m->fd, POLLIN, deadline)) != 0)
			return rc;
		n = recv(m->fd, m->buf + len, sizeof(m->buf) - 1 - len, 0);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (n < 0)
			continue;
		len += (size_t)n;
		if ((eb = memchr(m->buf, MLLP_EB, len)) != NULL) {
			*eb = '\0';	/* a CR after it is optional: tolerated */
			return (int)(eb - m->buf);
		}
		if (len == sizeof(m->buf) - 1)
			return -EMSGSIZE;
	}
}

static enum send_result
mllp_answer(struct mllp *m, int n, const struct outmsg *msg, char *err,
    size_t errlen)
{
	char code[3], ctrl[64], text[160];
	const char *sb = memchr(m->buf, MLLP_SB, (size_t)n);

	/* Bytes before the start block are not the reply: the CR that ends
	 * the previous frame may arrive late, in a segment of its own. */
	if (sb == NULL || hl7_ack_parse(sb + 1, (size_t)(n - (sb + 1 - m->buf)),
	    code, ctrl, sizeof(ctrl), text, sizeof(text)) != 0) {
		mllp_drop(m);
		snprintf(err, errlen, "reply is not an HL7 ACK");
		return SEND_FAIL;
	}
	if (strcmp(ctrl, msg->control_id) != 0) {
		mllp_drop(m);	/* out of step with the receiver: start again */
		snprintf(err, errlen, "ACK for %s, expected %s", ctrl,
		    msg->control_id);
		return SEND_RETRY;
	}
	if (strcmp(code, "AA") == 0 || strcmp(code, "CA") == 0) {
		snprintf(err, errlen, "%s %s", code, ctrl);	/* for lineage */
		return SEND_OK;
	}
	snprintf(err, errlen, "%s: %s", code, text[0] ? text : "(no text)");
	return SEND_FAIL;
}

static enum send_result
mllp_send(void *ctx, const struct outmsg *msg, char *err, size_t errlen)
{
	struct mllp *m = ctx;
	int64_t deadline;
	int rc;

	if (m->fd < 0 && mllp_connect(m, err, errlen) != 0)
		return SEND_RETRY;
	deadline = now_mono_ms() + m->timeout_ms;
	/* The frame in one write: SB, the message, EB CR. */
	buf_reset(&m->frame);
	buf_addc(&m->frame, MLLP_SB);
	buf_add(&m->frame, msg->payload, msg->len);
	buf_adds(&m->frame, "\x1c\r");
	if (m->frame.oom) {
		snprintf(err, errlen, "out of memory");
		return SEND_RETRY;
	}
	if ((rc = mllp_write(m, m->frame.s, m->frame.len, deadline)) != 0 ||
	    (rc = mllp_read(m, deadline)) < 0) {
		snprintf(err, errlen, "%s:%s: %s", m->host, m->port,
		    rc == -ETIMEDOUT ? "no ACK in time" : strerror(-rc));
		mllp_drop(m);
		return SEND_RETRY;
	}
	return mllp_answer(m, rc, msg, err, errlen);
}

static int
mllp_open(const struct bridge_conf *c, const char *dest, void **ctx)
{
	struct mllp *m;

	(void)dest;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -ENOMEM;
	snprintf(m->host, sizeof(m->host), "%s", c->billing_host);
	snprintf(m->port, sizeof(m->port), "%lld", c->billing_port);
	m->timeout_ms = (int)c->billing_timeout_ms;
	m->fd = -1;
	*ctx = m;
	return 0;
}

static void
mllp_close(void *ctx)
{
	struct mllp *m = ctx;

	mllp_drop(m);
	buf_free(&m->frame);
	free(m);
}

const struct output_ops output_mllp = {
	.name = "mllp",
	.open = mllp_open,
	.send = mllp_send,
	.close = mllp_close,
};

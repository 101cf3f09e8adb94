/*
 * MLLP output: HL7 over TCP, framed 0x0B message 0x1C 0x0D, one message in
 * flight on a long-lived connection; done only on an AA ACK that echoes
 * the message's control id. With [billing] sequence, HL7's sequence number
 * protocol: each connection starts with a message of sequence number 0,
 * whose ACK says which number the receiver expects (MSA-4); the outbox
 * asks for it (mllp_expected) to number the next message and to find one
 * the receiver already accepted (a reply lost, a bridge killed before its
 * commit).
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
	const struct bridge_conf *conf;	/* MSH-3..6 for the link's start */
	/* MSA-4 of this connection: -1 none, -2 unknown */
	int64_t	expected;
	int	wrote;		/* the last frame went out whole */
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
	m->expected = -2;
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
			/* a CR after it is optional: tolerated */
			*eb = '\0';
			return (int)(eb - m->buf);
		}
		if (len == sizeof(m->buf) - 1)
			return -EMSGSIZE;
	}
}

/* The reply read (n bytes in m->buf) as an ACK; -1 when it is none. */
static int
mllp_ack(struct mllp *m, int n, struct hl7_ack *a)
{
	const char *sb = memchr(m->buf, MLLP_SB, (size_t)n);

	/* Bytes before the start block are not the reply: the CR that ends
	 * the previous frame may arrive late, in a segment of its own. */
	return sb == NULL || hl7_ack_parse(sb + 1, (size_t)(n - (sb + 1 -
	    m->buf)), a) != 0 ? -1 : 0;
}

static enum send_result
mllp_answer(struct mllp *m, int n, struct outmsg *msg, char *err,
    size_t errlen)
{
	struct hl7_ack a;

	if (mllp_ack(m, n, &a) != 0) {
		mllp_drop(m);
		snprintf(err, errlen, "reply is not an HL7 ACK");
		return SEND_FAIL;
	}
	if (strcmp(a.ctrl, msg->control_id) != 0) {
		mllp_drop(m);	/* out of step with the receiver: start again */
		msg->maybe_sent = 1;
		snprintf(err, errlen, "ACK for %s, expected %s", a.ctrl,
		    msg->control_id);
		return SEND_RETRY;
	}
	/* With sequence numbers, what the receiver expects now; without
	 * MSA-4, a link the outbox will start again. */
	m->expected = msg->seqno > 0 && a.expected >= -1 ? a.expected : -2;
	if (strcmp(a.code, "AA") == 0 || strcmp(a.code, "CA") == 0) {
		/* for lineage */
		snprintf(err, errlen, "%s %s", a.code, a.ctrl);
		msg->maybe_sent = msg->seqno > 0 ? -1 : 0;
		return SEND_OK;
	}
	/* Only an AA delivers: a refusal is one, whatever MSA-4 says. */
	snprintf(err, errlen, "%s: %s", a.code, a.text[0] ? a.text :
	    "(no text)");
	return SEND_FAIL;
}

/* One frame out, its reply in: the reply's length, or a negative error. */
static int
mllp_exchange(struct mllp *m, const char *p, size_t len, int64_t seqno)
{
	int64_t deadline = now_mono_ms() + m->timeout_ms;
	const char *cr = memchr(p, '\r', len);
	int rc;

	/* The frame in one write: SB, the message, EB CR; MSH-13 after
	 * MSH-12 when the sequence protocol is on. */
	buf_reset(&m->frame);
	buf_addc(&m->frame, MLLP_SB);
	if (seqno >= 0 && cr != NULL) {
		buf_add(&m->frame, p, (size_t)(cr - p));
		buf_printf(&m->frame, "|%lld", (long long)seqno);
		buf_add(&m->frame, cr, len - (size_t)(cr - p));
	} else
		buf_add(&m->frame, p, len);
	buf_adds(&m->frame, "\x1c\r");
	m->wrote = 0;
	if (m->frame.oom)
		return -ENOMEM;
	if ((rc = mllp_write(m, m->frame.s, m->frame.len, deadline)) != 0)
		return rc;
	m->wrote = 1;
	return mllp_read(m, deadline);
}

/* A new link: sequence number 0, and the receiver says what it expects. */
static int
mllp_link_start(struct mllp *m, char *err, size_t errlen)
{
	struct buf b = BUF_INIT;
	struct hl7_ack a;
	char now[32], ctrl[32];
	int n;

	hl7_time(now_wall_ms(), now);
	snprintf(ctrl, sizeof(ctrl), "POUSYNC%lld", (long long)now_mono_ms());
	buf_printf(&b, "MSH|^~\\&|%s|%s|%s|%s|%s||^|%s|P|2.5.1\r",
	    m->conf->sending_app, m->conf->sending_facility,
	    m->conf->receiving_app, m->conf->receiving_facility, now, ctrl);
	n = b.oom ? -ENOMEM : mllp_exchange(m, b.s, b.len, 0);
	buf_free(&b);
	if (n < 0 || mllp_ack(m, n, &a) != 0 || strcmp(a.ctrl, ctrl) != 0 ||
	    a.expected < -1) {
		snprintf(err, errlen, "%s:%s: the link's start (sequence 0) "
		    "got %s", m->host, m->port, n < 0 ? strerror(-n) :
		    "no expected sequence number (MSA-4)");
		mllp_drop(m);
		return -1;
	}
	m->expected = a.expected;
	return 0;
}

static enum send_result
mllp_send(void *ctx, struct outmsg *msg, char *err, size_t errlen)
{
	struct mllp *m = ctx;
	int rc;

	if (m->fd < 0 && mllp_connect(m, err, errlen) != 0)
		return SEND_RETRY;
	if ((rc = mllp_exchange(m, msg->payload, msg->len, msg->seqno > 0 ?
	    msg->seqno : -1)) < 0) {
		snprintf(err, errlen, "%s:%s: %s", m->host, m->port,
		    rc == -ETIMEDOUT ? "no ACK in time" : strerror(-rc));
		msg->maybe_sent = m->wrote;
		mllp_drop(m);
		return SEND_RETRY;
	}
	return mllp_answer(m, rc, msg, err, errlen);
}

/* The number the receiver expects next (-1: it has none), the link
 * started first when it is new; -2 when it cannot be had (err). */
static int64_t
mllp_expected(void *ctx, char *err, size_t errlen)
{
	struct mllp *m = ctx;

	if (m->fd < 0 && mllp_connect(m, err, errlen) != 0)
		return -2;
	if (m->expected == -2 && mllp_link_start(m, err, errlen) != 0)
		return -2;
	return m->expected;
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
	m->conf = c;
	m->fd = -1;
	m->expected = -2;
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

const struct transport transport_mllp = {
	.name = "mllp",
	.open = mllp_open,
	.send = mllp_send,
	.expected = mllp_expected,
	.close = mllp_close,
};

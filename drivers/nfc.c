/*
 * The nfc driver: staff badges (ISO 14443A UIDs) through libnfc. libnfc
 * blocks, so it runs in a thread of its own and hands each badge to the
 * agent's poll loop through a pipe, as the badge prefix + UID in hex
 * ("USER:04A1B2C3"), which the session takes as the current user. A card
 * held on the reader is reported once per presentation; a reader that
 * vanishes is reopened with backoff. An NFC Forum Type 2 tag whose NDEF
 * text or URI record carries a GS1 element string or a Digital Link is an
 * item scan instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nfc/nfc.h>

#include "driver.h"
#include "ndef.h"
#include "log.h"
#include "util.h"

#define REOPEN_MIN_MS	500
#define REOPEN_MAX_MS	30000
#define LINE_MAX_	256
#define T2_READS	9	/* 9 x 16 bytes: an NTAG213's data area */
#define SAK_TYPE2	0x00	/* NTAG, MIFARE Ultralight */

struct nfc_conf {
	char		device[256];	/* libnfc connstring */
	char		badge_prefix[16];
	long long	poll_ms;
	/* unseen this long: the card was removed */
	long long	gone_ms;
};

static const struct conf_item nfc_conf_items[] = {
	CONF_S("driver", "device", struct nfc_conf, device,
	    "pn532_uart:/dev/ttyUSB0"),
	CONF_S("driver", "badge_prefix", struct nfc_conf, badge_prefix,
	    "USER:"),
	CONF_I("driver", "poll_ms", struct nfc_conf, poll_ms, "200", 20, 5000),
	CONF_I("driver", "gone_ms", struct nfc_conf, gone_ms, "1000", 100,
	    60000),
	CONF_END
};

struct nfcd {
	const char		*name;
	struct driver_sink	 sink;
	struct nfc_conf		 c;
	pthread_t		 th;
	int			 started;
	/* set by the loop, read by the thread */
	atomic_int		 stop;
	int			 pipe[2];
	char			 line[LINE_MAX_];
	size_t			 len;
	/* The thread's own state. */
	nfc_context		*ctx;
	nfc_device		*dev;
	unsigned		 attempts;
	char			 last_uid[32];
	int64_t			 last_seen_ms;
};

static void
sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000),
	    (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* From the thread: a state line for the loop (ESC first: never a badge). */
static void
nfc_tell(struct nfcd *d, const char *state)
{
	char line[LINE_MAX_];
	int n = snprintf(line, sizeof(line), "\033%s\n", state);

	if (write(d->pipe[1], line, (size_t)n) != n)
		log_warn("%s: state lost", d->name);
}

static int
nfc_reader_open(struct nfcd *d)
{
	nfc_connstring cs;

	snprintf(cs, sizeof(cs), "%s", d->c.device);
	if ((d->dev = nfc_open(d->ctx, cs)) == NULL)
		return -1;
	if (nfc_initiator_init(d->dev) < 0 ||
	    nfc_device_set_property_bool(d->dev, NP_INFINITE_SELECT,
	    false) < 0) {
		log_warnx("%s: reader init: %s", d->name, nfc_strerror(d->dev));
		nfc_close(d->dev);
		d->dev = NULL;
		return -1;
	}
	log_info("%s: reader %s open", d->name, nfc_device_get_name(d->dev));
	nfc_tell(d, "open");
	d->attempts = 0;
	return 0;
}

/* A Type 2 tag's NDEF text or URI into text; 0, or -1 when none. */
static int
nfc_ndef(struct nfcd *d, const nfc_iso14443a_info *a, char *text, size_t len)
{
	unsigned char mem[T2_READS * 16], cmd[2] = { 0x30, 4 };
	size_t got = 0;
	int i, n;

	if (a->btSak != SAK_TYPE2)
		return -1;
	for (i = 0; i < T2_READS; i++, cmd[1] += 4, got += 16)
		if (nfc_initiator_transceive_bytes(d->dev, cmd, sizeof(cmd),
		    mem + got, 16, 200) != 16)
			break;
	n = ndef_first_text(mem, got, text, len);
	if (n <= 0 || strpbrk(text, "\n\033") != NULL)
		return -1;	/* not one scan's worth of text */
	return 0;
}

/* Reports a tag once per presentation (new, or back after gone_ms): its
 * NDEF text when it carries one, else its UID as a badge. */
static void
nfc_badge(struct nfcd *d, const nfc_target *t)
{
	const nfc_iso14443a_info *a = &t->nti.nai;
	char uid[32], line[LINE_MAX_], text[LINE_MAX_ - 2];
	size_t i;
	int64_t now = now_mono_ms();
	int n;

	for (i = 0; i < a->szUidLen && i < 10; i++)
		snprintf(uid + 2 * i, 3, "%02X", a->abtUid[i]);
	uid[2 * i] = '\0';
	if (strcmp(uid, d->last_uid) != 0 || now - d->last_seen_ms >
	    d->c.gone_ms) {
		if (nfc_ndef(d, a, text, sizeof(text)) == 0)
			n = snprintf(line, sizeof(line), "%s\n", text);
		else
			n = snprintf(line, sizeof(line), "%s%s\n",
			    d->c.badge_prefix, uid);
		if (write(d->pipe[1], line, (size_t)n) != n)
			log_warn("%s: badge lost", d->name);
	}
	snprintf(d->last_uid, sizeof(d->last_uid), "%s", uid);
	d->last_seen_ms = now;
}

static void
nfc_poll_once(struct nfcd *d)
{
	const nfc_modulation mod = { NMT_ISO14443A, NBR_106 };
	nfc_target t;
	int rc;

	rc = nfc_initiator_select_passive_target(d->dev, mod, NULL, 0, &t);
	if (rc < 0) {
		log_warnx("%s: reader lost: %s; reopening", d->name,
		    nfc_strerror(d->dev));
		nfc_tell(d, "lost");
		nfc_close(d->dev);
		d->dev = NULL;
		return;
	}
	if (rc > 0) {
		nfc_badge(d, &t);
		nfc_initiator_deselect_target(d->dev);
	}
}

static void *
nfc_main(void *arg)
{
	struct nfcd *d = arg;
	int said = 0;
	int64_t wait;

	while (!atomic_load(&d->stop)) {
		if (d->dev == NULL && nfc_reader_open(d) != 0) {
			if (!said++) {
				log_warnx("%s: no reader at %s; trying again "
				    "with backoff", d->name, d->c.device);
				nfc_tell(d, "missing");
			}
			wait = backoff_ms(d->attempts++, REOPEN_MIN_MS,
			    REOPEN_MAX_MS);
			sleep_ms(wait < REOPEN_MIN_MS ? REOPEN_MIN_MS : wait);
			continue;
		}
		said = 0;
		nfc_poll_once(d);
		sleep_ms(d->c.poll_ms);
	}
	if (d->dev)
		nfc_close(d->dev);
	return NULL;
}

static int
nfc_drv_open(const void *conf, const char *name,
    const struct driver_sink *sink, void **ctx)
{
	struct nfcd *d;

	*ctx = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -ENOMEM;
	d->name = name;
	d->sink = *sink;
	d->c = *(const struct nfc_conf *)conf;
	d->pipe[0] = d->pipe[1] = -1;
	nfc_init(&d->ctx);
	if (d->ctx == NULL || pipe2(d->pipe, O_CLOEXEC) != 0 ||
	    fcntl(d->pipe[0], F_SETFL, O_NONBLOCK) != 0 ||
	    pthread_create(&d->th, NULL, nfc_main, d) != 0) {
		if (d->pipe[0] >= 0)
			close(d->pipe[0]), close(d->pipe[1]);
		if (d->ctx)
			nfc_exit(d->ctx);
		free(d);
		return -EIO;
	}
	d->started = 1;
	*ctx = d;
	return 0;
}

static int
nfc_pollfds(void *ctx, struct pollfd *pfd, int max)
{
	struct nfcd *d = ctx;

	return driver_pollfd(d->pipe[0], pfd, max);
}

static void
nfc_line(struct nfcd *d, int64_t now)
{
	if (d->len > 0 && d->line[0] == '\033') {
		d->line[d->len < sizeof(d->line) ? d->len : d->len - 1] = '\0';
		driver_state(&d->sink, d->name, "%s", d->line + 1);
		return;
	}
	driver_emit(&d->sink, d->name, d->line, d->len, now);
}

static void
nfc_handle(void *ctx, const struct pollfd *pfd, int n, int64_t now)
{
	struct nfcd *d = ctx;
	char b[256];
	ssize_t r, i;

	if (n < 1 || !(pfd->revents & POLLIN))
		return;
	while ((r = read(d->pipe[0], b, sizeof(b))) > 0)
		for (i = 0; i < r; i++) {
			if (b[i] == '\n') {
				nfc_line(d, now);
				d->len = 0;
			} else if (d->len < sizeof(d->line))
				d->line[d->len++] = b[i];
		}
}

static void
nfc_drv_close(void *ctx)
{
	struct nfcd *d = ctx;

	atomic_store(&d->stop, 1);
	if (d->started)
		pthread_join(d->th, NULL);
	close(d->pipe[0]);
	close(d->pipe[1]);
	nfc_exit(d->ctx);
	free(d);
}

const struct driver_ops driver_nfc = {
	.name = "nfc",
	.conf = nfc_conf_items,
	.conf_size = sizeof(struct nfc_conf),
	.open = nfc_drv_open,
	.pollfds = nfc_pollfds,
	.handle = nfc_handle,
	.close = nfc_drv_close,
};

/*
 * The cart's own TLS certificate ([mqtt] certfile), watched for its end:
 * read at start, on reload and hourly. From CERT_WARN_DAYS before its
 * notAfter the alarm cert_expiring says when (retained, so pouctl status
 * and the bridge's fleet registry show it), and once past it cert_expired:
 * the broker then refuses the cart, which keeps recording offline.
 */
#include <limits.h>
#include <stdio.h>

#include <mbedtls/x509_crt.h>

#include "agent.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define CERT_WARN_DAYS	30
#define CERT_CHECK_MS	3600000LL	/* hourly */
#define DAY_S		86400LL

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, H. Hinnant's
 * days_from_civil): in 64 bits, as timegm() is not on a 32-bit time_t
 * past 2038, and certificates run to 9999. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The certificate's notAfter in seconds since the epoch; 0, or -1 when the
 * file holds no certificate mbedTLS reads. */
static int
cert_not_after(const char *path, int64_t *at)
{
	mbedtls_x509_crt crt;
	const mbedtls_x509_time *t = &crt.valid_to;
	int rc;

	mbedtls_x509_crt_init(&crt);
	if ((rc = mbedtls_x509_crt_parse_file(&crt, path)) == 0)
		*at = days_from_civil(t->year, t->mon, t->day) * DAY_S +
		    t->hour * 3600 + t->min * 60 + t->sec;
	mbedtls_x509_crt_free(&crt);
	return rc == 0 ? 0 : -1;
}

static void
cert_alarm(struct agent *a, const char *kind, int64_t not_after, int days)
{
	char detail[96], when[32];

	fmt_iso_time(not_after * 1000, when);
	snprintf(detail, sizeof(detail), "{\"not_after\":\"%s\",\"days_left\":"
	    "%d}", when, days);
	if (store_alarm_set(a->store, kind, detail, now_wall_ms()) == 0)
		uplink_telemetry_soon(a->uplink);
}

void
cert_check(struct agent *a)
{
	const char *path = a->conf.mqtt.certfile;
	int64_t not_after, left;
	int days = INT_MAX;

	a->cert.next_ms = now_mono_ms() + CERT_CHECK_MS;
	/* Unreadable (being replaced, or its mode): what was said stands. */
	if (path[0] != '\0' && cert_not_after(path, &not_after) != 0) {
		log_warnx("cert: %s: not a certificate this agent can read; "
		    "its end is not watched", path);
		return;
	}
	if (path[0] != '\0') {
		left = not_after - now_wall_ms() / 1000;
		days = left < 0 ? -1 : (int)(left / DAY_S);
	}
	if (days == a->cert.days)
		return;
	a->cert.days = days;
	store_alarm_clear(a->store, days < 0 ? "cert_expiring" :
	    "cert_expired");
	uplink_telemetry_soon(a->uplink);
	if (days < 0) {
		log_warnx("cert: alarm: %s expired; the broker refuses this "
		    "cart until it has a new one (docs/installing.md)", path);
		cert_alarm(a, "cert_expired", not_after, 0);
	} else if (days <= CERT_WARN_DAYS) {
		log_warnx("cert: alarm: %s expires in %d days; renew it "
		    "(docs/installing.md)", path, days);
		cert_alarm(a, "cert_expiring", not_after, days);
	} else
		store_alarm_clear(a->store, "cert_expiring");
}

void
cert_tick(struct agent *a, int64_t now)
{
	if (now >= a->cert.next_ms)
		cert_check(a);
}

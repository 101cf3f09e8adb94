/*
 * ERP output over HTTP with libcurl: each outbox row is one POST of its JSON
 * with an Idempotency-Key (the event's identity), so a retry after a lost
 * answer cannot post twice. 2xx: done (the answer's document_id kept for
 * lineage); 409: done, the ERP has it already; 408, 429, 5xx, timeouts and
 * refused connections: retry with backoff; any other 4xx, or an answer that
 * is not HTTP: failed, held with the reason for a person.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "bridge.h"
#include "buf.h"
#include "log.h"

#define HTTP_BODY_MAX	65536	/* an answer longer than this is cut */

struct http {
	CURL		*c;
	char		 url[512];
	long		 timeout_ms;
	struct buf	 body;
};

static size_t
http_body(char *p, size_t size, size_t n, void *arg)
{
	struct http *h = arg;
	size_t len = size * n;

	if (h->body.len + len <= HTTP_BODY_MAX)
		buf_add(&h->body, p, len);
	return len;
}

static int
http_open(const struct bridge_conf *c, const char *dest, void **ctx)
{
	struct http *h = calloc(1, sizeof(*h));

	(void)dest;
	if (h == NULL || (h->c = curl_easy_init()) == NULL) {
		free(h);
		return -ENOMEM;
	}
	snprintf(h->url, sizeof(h->url), "%s", c->erp_url);
	h->timeout_ms = (long)c->erp_timeout_ms;
	*ctx = h;
	return 0;
}

/* The ERP's document id from a JSON answer, or the status line. */
static void
http_answer(struct http *h, long code, char *out, size_t len)
{
	json_t *j = json_loadb(buf_str(&h->body), h->body.len, 0, NULL);
	const char *doc = json_string_value(json_object_get(j, "document_id"));

	if (doc)
		snprintf(out, len, "%s", doc);
	else
		snprintf(out, len, "HTTP %ld", code);
	json_decref(j);
}

static enum send_result
http_status(struct http *h, long code, char *err, size_t errlen)
{
	if (code >= 200 && code < 300) {
		http_answer(h, code, err, errlen);
		return SEND_OK;
	}
	if (code == 409) {
		snprintf(err, errlen, "HTTP 409: already posted");
		return SEND_OK;
	}
	snprintf(err, errlen, "HTTP %ld: %.200s", code, buf_str(&h->body));
	if (code == 408 || code == 429 || code >= 500)
		return SEND_RETRY;
	return SEND_FAIL;
}

static enum send_result
http_send(void *ctx, struct outmsg *m, char *err, size_t errlen)
{
	struct http *h = ctx;
	struct curl_slist *hdr = NULL;
	char key[160];
	long code = 0;
	CURLcode rc;

	buf_reset(&h->body);
	snprintf(key, sizeof(key), "Idempotency-Key: %s", m->control_id);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, key);
	curl_easy_reset(h->c);
	curl_easy_setopt(h->c, CURLOPT_URL, h->url);
	curl_easy_setopt(h->c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h->c, CURLOPT_POSTFIELDS, m->payload);
	curl_easy_setopt(h->c, CURLOPT_POSTFIELDSIZE, (long)m->len);
	curl_easy_setopt(h->c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(h->c, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(h->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->c, CURLOPT_WRITEFUNCTION, http_body);
	curl_easy_setopt(h->c, CURLOPT_WRITEDATA, h);
	rc = curl_easy_perform(h->c);
	curl_slist_free_all(hdr);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &code);
		return http_status(h, code, err, errlen);
	}
	snprintf(err, errlen, "%s: %s", h->url, curl_easy_strerror(rc));
	/* Not HTTP at all: retrying will not make it so. */
	return rc == CURLE_WEIRD_SERVER_REPLY ||
	    rc == CURLE_UNSUPPORTED_PROTOCOL ? SEND_FAIL : SEND_RETRY;
}

static void
http_close(void *ctx)
{
	struct http *h = ctx;

	curl_easy_cleanup(h->c);
	buf_free(&h->body);
	free(h);
}

const struct transport transport_http = {
	.name = "http",
	.open = http_open,
	.send = http_send,
	.close = http_close,
};

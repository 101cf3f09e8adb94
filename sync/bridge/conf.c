/* pou-bridge's configuration: one table over libinih. */
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "conf.h"
#include "log.h"
#include "util.h"

#define BC struct bridge_conf

static const struct conf_item bridge_items[] = {
	CONF_S("mqtt", "host", BC, mqtt_host, "localhost"),
	CONF_I("mqtt", "port", BC, mqtt_port, "1883", 1, 65535),
	CONF_I("mqtt", "keepalive", BC, keepalive_s, "30", 5, 3600),
	CONF_I("mqtt", "backoff_min_ms", BC, backoff_min_ms, "500", 10, 600000),
	CONF_I("mqtt", "backoff_max_ms", BC, backoff_max_ms, "30000", 10,
	    3600000),
	CONF_S("mqtt", "cafile", BC, cafile, ""),
	CONF_S("mqtt", "certfile", BC, certfile, ""),
	CONF_S("mqtt", "keyfile", BC, keyfile, ""),
	CONF_S("store", "path", BC, db_path, "/var/lib/pou/bridge.db"),
	CONF_B("store", "synchronous_full", BC, sync_full, "yes"),
	CONF_S("reference", "items", BC, items, ""),
	CONF_S("reference", "chargemaster", BC, chargemaster,
	    "/etc/pou/chargemaster.csv"),
	CONF_S("reference", "contracts", BC, contracts, ""),
	CONF_S("reference", "locations", BC, locations, ""),
	CONF_S("reference", "par", BC, par, ""),
	CONF_S("hl7", "sending_application", BC, sending_app, "POU"),
	CONF_S("hl7", "sending_facility", BC, sending_facility, "HOSP"),
	CONF_S("hl7", "receiving_application", BC, receiving_app, "BILLING"),
	CONF_S("hl7", "receiving_facility", BC, receiving_facility, "HOSP"),
	CONF_S("hl7", "udi_segment", BC, udi_segment, "ZUD"),
	CONF_S("billing", "output", BC, billing_output, "file"),
	CONF_S("billing", "host", BC, billing_host, "localhost"),
	CONF_I("billing", "port", BC, billing_port, "2575", 1, 65535),
	CONF_I("billing", "timeout_ms", BC, billing_timeout_ms, "10000", 100,
	    600000),
	CONF_S("billing", "dir", BC, billing_dir, "/var/spool/pou/billing"),
	CONF_S("erp", "output", BC, erp_output, "file"),
	CONF_S("erp", "dir", BC, erp_dir, "/var/spool/pou/erp"),
	CONF_S("erp", "url", BC, erp_url, ""),
	CONF_I("erp", "timeout_ms", BC, erp_timeout_ms, "10000", 100, 600000),
	CONF_S("export", "output", BC, export_output, "none"),
	CONF_S("export", "dir", BC, export_dir, "/var/spool/pou/export"),
	CONF_I("outbox", "retry_min_ms", BC, retry_min_ms, "1000", 10, 3600000),
	CONF_I("outbox", "retry_max_ms", BC, retry_max_ms, "300000", 10,
	    86400000),
	CONF_I("outbox", "dead_after", BC, dead_after, "50", 0, 1000000),
	CONF_B("billing", "sequence", BC, hl7_sequence, "no"),
	CONF_B("devices", "enrol_first_seen", BC, enrol_auto, "yes"),
	CONF_I("devices", "max_seq_jump", BC, max_seq_jump, "100000", 100,
	    1000000000),
	CONF_END
};

/* extra: the destination's own transport (billing mllp, erp http). */
static int
bridge_conf_output(const char *path, const char *sec, const char *v,
    const char *extra)
{
	if (strcmp(v, "file") == 0 || strcmp(v, "none") == 0 ||
	    strcmp(v, extra) == 0)
		return 0;
	log_warnx("%s: [%s] output \"%s\" is not %s%sfile or none", path, sec,
	    v, strcmp(sec, "erp") == 0 ? "http, csv" : strcmp(extra, "file") ==
	    0 ? "" : extra, strcmp(extra, "file") == 0 ? "" : ", ");
	return 1;
}

/* [rules]: rule = hold | hold_billing | hold_erp | warn | off */
static int
bridge_rule(void *arg, const char *sec, const char *key, const char *val,
    char *err, size_t errlen)
{
	struct bridge_conf *c = arg;
	int i, d;

	if (strcmp(sec, "rules") != 0) {
		snprintf(err, errlen, "unknown section [%s]", sec);
		return -1;
	}
	if (strcmp(key, "clock_far_s") == 0) {
		if (parse_int(val, 1, 86400LL * 365, &c->clock_far_s) == 0)
			return 0;
		snprintf(err, errlen, "[rules] clock_far_s = %s: seconds, 1 "
		    "or more", val);
		return -1;
	}
	for (i = 0; i < RULE_COUNT; i++)
		if (strcmp(key, rule_code(i)) == 0)
			break;
	if (i == RULE_COUNT || (d = rule_disposition(val)) < 0) {
		snprintf(err, errlen, "[rules] %s = %s: a rule of this bridge "
		    "= hold, hold_billing, hold_erp, warn or off", key, val);
		return -1;
	}
	c->rules[i] = d;
	return 0;
}

int
bridge_conf_load(const char *path, struct bridge_conf *c)
{
	int errors, i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < RULE_COUNT; i++)
		c->rules[i] = rule_disposition(rule_default(i));
	c->clock_far_s = 60;
	errors = conf_load(path, bridge_items, c, bridge_rule, c);
	errors += bridge_conf_output(path, "billing", c->billing_output,
	    "mllp");
	errors += bridge_conf_output(path, "export", c->export_output, "file");
	if (strcmp(c->erp_output, "csv") != 0)
		errors += bridge_conf_output(path, "erp", c->erp_output,
		    "http");
	if (strcmp(c->erp_output, "http") == 0 && strncmp(c->erp_url,
	    "http://", 7) != 0 && strncmp(c->erp_url, "https://", 8) != 0) {
		log_warnx("%s: [erp] output http needs url = http(s)://...",
		    path);
		errors++;
	}
	if (strcmp(c->udi_segment, "none") != 0 &&
	    (strlen(c->udi_segment) != 3 || c->udi_segment[0] != 'Z')) {
		log_warnx("%s: [hl7] udi_segment \"%s\" is not a Z-segment "
		    "name (ZUD) or none", path, c->udi_segment);
		errors++;
	}
	if (c->retry_max_ms < c->retry_min_ms) {
		log_warnx("%s: [outbox] retry_max_ms is below retry_min_ms",
		    path);
		errors++;
	}
	return errors;
}

/*
 * pou-bridge's private header: context, configuration and its files'
 * prototypes.
 */
#ifndef POU_BRIDGE_H
#define POU_BRIDGE_H

#include <pthread.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "hash.h"
#include "reftab.h"
#include "wire.h"

#define EVENT_ID_MAX	160	/* "device:epoch:seq" */

/* Governance rules (rules.c) and what each does to an event. */
enum rule { RULE_UNKNOWN_ITEM, RULE_LOT_MISSING, RULE_EXPIRED, RULE_RECALLED,
	RULE_NO_ENCOUNTER, RULE_DUP_SERIAL, RULE_BILLONLY_NO_PO, RULE_CLOCK,
	RULE_COUNT };
#define HOLD_BILLING	0x1
#define HOLD_ERP	0x2
#define HOLD_WARN	0x4	/* passes, noted */
#define HOLD_ERP_INTAKE	0x8	/* released: a rule held the ERP at intake */

struct bridge_conf {
	char		mqtt_host[256];
	long long	mqtt_port;
	long long	keepalive_s;
	long long	backoff_min_ms;
	long long	backoff_max_ms;
	char		cafile[256];
	char		certfile[256];
	char		keyfile[256];
	char		db_path[256];
	int		sync_full;
	/* reference files; "" for none */
	char		items[256];
	char		chargemaster[256];
	char		contracts[256];
	char		locations[256];
	char		par[256];
	char		sending_app[32];
	char		sending_facility[32];
	char		receiving_app[32];
	char		receiving_facility[32];
	/* Z-segment for the UDI, or none */
	char		udi_segment[8];
	char		billing_output[8];	/* mllp, file or none */
	char		billing_host[256];
	long long	billing_port;
	long long	billing_timeout_ms;
	char		billing_dir[256];
	char		erp_output[8];		/* http, file or none */
	char		erp_dir[256];
	char		erp_url[512];
	long long	erp_timeout_ms;
	char		export_output[8];	/* file or none */
	char		export_dir[256];
	long long	retry_min_ms;
	long long	retry_max_ms;
	/* attempts before a row is dead; 0 never */
	long long	dead_after;
	int		rules[RULE_COUNT];	/* HOLD_* bits; 0: off */
	/* the clock rule: how far off is too far */
	long long	clock_far_s;
	int		enrol_auto;	/* a device seen first is enrolled */
	/* seqs past the prefix a batch may reach */
	long long	max_seq_jump;
	int		hl7_sequence;	/* MSH-13 sequence number protocol */
};

/* Reference data (reference.c): one CSV file per kind. */
enum ref_kind { REF_ITEMS, REF_CHARGEMASTER, REF_CONTRACTS, REF_LOCATIONS,
	REF_PAR, REF_COUNT };

/* Each row starts with its lookup key. */
struct itemref {		/* the item master: DI -> the hospital's item */
	char		key[REF_KEY_MAX];	/* di */
	char		item_id[32], desc[96], vendor[64];
	int		implant, lot_required, serial_required, active;
};

struct charge {			/* one chargemaster line */
	char		key[REF_KEY_MAX];	/* di */
	char		code[32], desc[96], revenue[8], hcpcs[16];
	long long	price_cents;
	int		billable;
};

struct contract {		/* a vendor's contract price for a DI */
	char		key[REF_KEY_MAX];	/* vendor|di */
	char		vendor[64];
	long long	cost_cents;
};

struct location {		/* where a cart is, in the hospital's terms */
	char		key[REF_KEY_MAX];	/* site|room|unit */
	char		site[64], room[64], unit[64];
	char		department[64], cost_center[64], erp_location[64];
};

struct parlevel {		/* a PAR location's level for a DI */
	char		key[REF_KEY_MAX];	/* erp_location|di */
	char		erp_location[64], di[32];
	long long	par, reorder;
};

/* An event as the bridge received and enriched it. */
struct bevent {
	struct event	 ev;
	int64_t		 id;		/* the bridge's row id */
	char		 device[WIRE_ID_MAX];
	char		 epoch[WIRE_ID_MAX];
	/* From the reference data; NULL where it has no line. */
	const struct itemref *itemref;
	const struct charge *charge;
	const struct contract *contract;	/* the item's vendor's price */
	const struct location *loc;
	int		 have_items;	/* an item master is loaded */
	int64_t		 at_fixed_ms;	/* the time the bridge vouches for */
	const char	*time_quality;	/* ok, corrected, unverified, wrong */
	char		 hash[HASH_HEX];	/* event_hash() of ev */
};

/* What a sender answers (STYLE example 4). */
enum send_result { SEND_OK, SEND_RETRY, SEND_FAIL };

/* One outbox message handed to an output; borrowed for the call. */
struct outmsg {
	int64_t		 id;
	const char	*name;		/* file name for file drops */
	const char	*payload;
	size_t		 len;
	/* HL7 MSH-10; the ERP Idempotency-Key */
	const char	*control_id;
	/* HL7 MSH-13 (sequence protocol); 0 none */
	int64_t		 seqno;
	/*
	 * set by the output: 1 it may have arrived although no answer says
	 * so; -1 the receiver says it has it once
	 */
	int		 maybe_sent;
};

/* A destination's transport, chosen by name in the config. */
struct transport {
	const char	*name;
	int		(*open)(const struct bridge_conf *, const char *dest,
			    void **ctx);
	enum send_result (*send)(void *ctx, struct outmsg *, char *err,
			    size_t errlen);
	/* nothing to send; may be NULL */
	void		(*idle)(void *ctx);
	/* HL7 sequence numbers: the one the receiver expects next, -1 it
	 * has none, -2 on error (err); NULL when the transport has none. */
	int64_t		(*expected)(void *ctx, char *err, size_t errlen);
	void		(*close)(void *ctx);
};

struct db;
struct reference;
struct outbox;

/* conf.c */
int	bridge_conf_load(const char *path, struct bridge_conf *);

/* replenish.c */
/* Moves the PAR estimate for be; sets request (caller frees) to the ERP's
 * replenishment request, keyed key, when it crosses the reorder point.
 * 0 or -1. */
int	replenish_apply(struct db *, const struct reference *,
	    const struct bevent *be, const char *key, char **request);

/* rules.c */
const char *rule_code(enum rule);
const char *rule_default(enum rule);
/* "hold", "hold_billing", "hold_erp", "warn", "off" as HOLD_* bits; -1. */
int	rule_disposition(const char *);
/* Runs every rule on a new event, recording exceptions; the HOLD_ bits
 * of the destinations it must not reach yet, or -1 on a db error. */
int	rules_apply(struct db *, const struct bridge_conf *,
	    const struct bevent *, int64_t now_ms);

/* clock.c */
/* Learns a boot's offset from a batch's sent clocks (no-op without). */
int	clock_learn(struct db *, const char *device,
	    const struct wire_clock *sent, int64_t received_ms);
/* Sets be->at_fixed_ms and be->time_quality from what is known. */
void	clock_judge(struct db *, struct bevent *be, int64_t received_ms);

/* reference.c */
struct reference *reference_new(void);
void	reference_free(struct reference *);	/* NULL-safe */
/* Every file named in c, all or nothing; errors as file:line; NULL then. */
struct reference *reference_load(const struct bridge_conf *c);
/* Loads one kind from path into r; the number of errors (logged). */
int	reference_load_kind(struct reference *r, int kind, const char *path);
/* What the files named in c are now: a change shows as a new stamp. */
struct ref_stamp {
	uint64_t	ino[REF_COUNT];
	int64_t		size[REF_COUNT], mtime_ns[REF_COUNT];
};
void	reference_stamp(const struct bridge_conf *c, struct ref_stamp *);
int	reference_stamp_differs(const struct ref_stamp *,
	    const struct ref_stamp *);
const char *reference_kind_name(int kind);
const char *reference_kind_header(int kind);
int	reference_kind(const char *name);	/* -1 when unknown */
const char *reference_conf_path(const struct bridge_conf *, int kind);
int	reference_loaded(const struct reference *, int kind);
size_t	reference_rows(const struct reference *, int kind);
const char *reference_version(const struct reference *, int kind);
const char *reference_path(const struct reference *, int kind);
/* Lookups; each borrowed, NULL when there is no line. */
const struct itemref *reference_item(const struct reference *, const char *di);
const struct charge *reference_charge(const struct reference *,
	    const char *di);
const struct contract *reference_contract(const struct reference *,
	    const char *vendor, const char *di);
/* The unit's own line, else the room's (unit ""), else NULL. */
const struct location *reference_location(const struct reference *,
	    const char *site, const char *room, const char *unit);
const struct parlevel *reference_par(const struct reference *,
	    const char *erp_location, const char *di);
/* Sets be's item, charge, contract and location from r. */
void	reference_enrich(const struct reference *r, struct bevent *be);

/* hl7.c */
struct hl7_parties {
	const char	*send_app, *send_fac, *recv_app, *recv_fac;
	const char	*udi_segment;	/* "ZUD", or "" for none */
};
/* Appends one DFT^P03 for be to out, segments ended by \r. */
void	hl7_dft_p03(struct buf *out, const struct bevent *be,
	    const struct hl7_parties *, const char *control_id, int64_t now_ms);
/* UTC ms as an HL7 DTM, YYYYMMDDHHMMSS+0000; out holds 32. */
void	hl7_time(int64_t wall_ms, char out[32]);
/* Appends s to out with HL7's escapes for | ^ ~ \ & and control bytes. */
void	hl7_escape(struct buf *out, const char *s);
struct hl7_ack {
	char	code[3];	/* MSA-1 */
	char	ctrl[64];	/* MSA-2, the control id acknowledged */
	char	text[160];	/* MSA-3 */
	int64_t	expected;	/* MSA-4, the sequence number the receiver
				 * expects next; -1 it has none; -2 absent */
};
/* Parses an ACK. 0, or -EINVAL when it is no HL7 ACK. */
int	hl7_ack_parse(const char *msg, size_t len, struct hl7_ack *);
/* MSH-10 for an event's delivery: "P" and 19 base-32 digits of the hash
 * of its identity and revision (a message rebuilt after a refusal);
 * the same on every resend, ST(20) as v2.5.1 wants. */
void	hl7_control_id(const char *ident, int rev, char out[21]);

/* ident.c: "device:epoch:seq", the event's identity everywhere
 * downstream, and back (0, or -1 when s is none). */
void	event_identity(const struct bevent *, char *out, size_t len);
struct ident {
	char	device[WIRE_ID_MAX];
	char	epoch[WIRE_ID_MAX];
	int64_t	seq;
};
int	event_identity_parse(const char *s, struct ident *);

/* erp.c */
/* The inventory-issue record for be as JSON; the caller frees it. */
char	*erp_issue_json(const struct bevent *be);
/* The replenishment request be set off at par, on_hand after it, with
 * its idempotency key. */
char	*erp_replenish_json(const struct bevent *be, const struct parlevel *par,
	    int64_t on_hand, const char *key);

/* ledger.c */
struct ledger;
/* <db_path>-ledger-<dest>, loaded; NULL on error (logged). */
struct ledger *ledger_open(const char *db_path, const char *dest);
void	ledger_close(struct ledger *);	/* NULL-safe; syncs */
/* True when the receiver acknowledged ident before. */
int	ledger_has(const struct ledger *, const char *ident);
/* Notes ident's acknowledgement (written at once, synced within 1 s). */
int	ledger_add(struct ledger *, const char *ident, const char *answer);
/* fdatasync when dirty: now, or when a second has passed. */
void	ledger_sync(struct ledger *, int now);
/* The highest HL7 sequence number claimed; claims one before it is sent. */
int64_t	ledger_seqno(const struct ledger *);
int	ledger_seqno_claim(struct ledger *, int64_t seqno);

/* dest.c: the destinations, a row each. */
enum { DEST_BILLING, DEST_ERP, DEST_REPLENISH, DEST_EXPORT, DEST_COUNT };

/* What an encoder has to hand; borrowed. */
struct dest_ctx {
	struct db			*db;
	const struct reference		*ref;
	const struct bridge_conf	*conf;
	/* counted; may be NULL */
	unsigned long			*unbilled;
};

/* An encoder's message: key (the ledger's, "" for the identity), control
 * id (MSH-10 or the idempotency key), file name, payload (malloc'd; NULL:
 * this event gets none). */
struct dest_msg {
	char	 key[EVENT_ID_MAX + 16];
	char	 ctrl[EVENT_ID_MAX + 16];
	char	 name[EVENT_ID_MAX + 32];
	char	*payload;
	int	 rev;
};

struct dest {
	const char	*name;		/* its outbox */
	int		 hold;		/* HOLD_* that keeps an event back */
	int		 released_by;	/* HOLD_* a release brings it with */
	int		(*encode)(const struct dest_ctx *,
			    const struct bevent *, const char *id,
			    struct dest_msg *);
	const char	*(*output)(const struct bridge_conf *);	/* or "none" */
	const char	*(*dir)(const struct bridge_conf *);	/* file drops */
};

extern const struct dest dests[DEST_COUNT];
const struct dest *dest_lookup(const char *name);	/* NULL: none */
/* Encodes be for destination d and queues it (nothing when it gets none,
 * as a supply without a billable line); rev 0 at intake. 0 or < 0. */
int	dest_enqueue(const struct dest_ctx *, int d, const struct bevent *be,
	    const char *id, int rev);

/* outbox.c */
/* Starts one delivery thread for dest over ops; NULL on error. */
struct outbox *outbox_start(const struct bridge_conf *, const char *dest,
	    const struct transport *);
/* New rows were committed: wake the thread. */
void	outbox_kick(struct outbox *);
void	outbox_stop(struct outbox *);	/* NULL-safe; joins the thread */
/* The transport named name, or NULL. */
const struct transport *transport_lookup(const char *name);

/* out_file.c, out_mllp.c, out_http.c, out_csv.c */
extern const struct transport transport_file;
extern const struct transport transport_mllp;
extern const struct transport transport_http;
extern const struct transport transport_csv;

/* vouch.c */
/* 0 when the topic vouches for the batch, else -1 with why. */
int	vouch_batch(struct db *, const struct bridge_conf *,
	    const struct wire_topic *, const char *epoch,
	    const struct event *evs, int n, const struct wire_mark *,
	    char *why, size_t len);

/* ingest.c */
struct ingest;
struct ingest_stats {
	unsigned long	batches, events_new, events_dup, rejects, unbilled;
	unsigned long	conflicts;
};
/* out: each destination's outbox, NULL when it has none; borrowed. */
struct ingest *ingest_new(struct db *, const struct reference *,
	    const struct bridge_conf *, struct outbox *const out[DEST_COUNT]);
void	ingest_free(struct ingest *);
/* Enriches from ref from now on (borrowed; a reload). */
void	ingest_reference(struct ingest *, const struct reference *ref);
/*
 * The ack for a->epoch of device as held now (upto, held, replay; the
 * caller sets stored and conflict), into ack (caller frees) for topic.
 */
int	ingest_ack(struct ingest *, const char *site, const char *device,
	    struct wire_ack *a, char **ack, char *topic, size_t topiclen);
/*
 * Handles one events message. On success sets ack (caller frees) to the
 * payload to publish on ack_topic; returns 0, or -1 when nothing is acked.
 */
int	ingest_batch(struct ingest *, const char *topic, const void *payload,
	    size_t len, char **ack, char *ack_topic, size_t ack_topic_len);
const struct ingest_stats *ingest_stats(const struct ingest *);
/* Queues the events released from the exception queue; how many. */
int	ingest_releases(struct ingest *);

/* fleet.c: the registry, results, and commands to the carts. */
struct db;
struct mqttc;
struct mosquitto_message;
struct wire_status;
struct wire_topic;
/* Publishes the commands pouctl fleet send put in the database. */
void	fleet_publish_new(struct db *, struct mqttc *);
/* site/device came online: its live, unfinished commands again. */
void	fleet_cart_online(struct db *, struct mqttc *, const char *site,
	    const char *device);
void	fleet_status(struct db *, const struct wire_topic *,
	    const struct wire_status *);
void	fleet_telemetry(struct db *, const struct wire_topic *,
	    const struct mosquitto_message *);
void	fleet_result(struct db *, const struct wire_topic *,
	    const struct mosquitto_message *);
void	fleet_alarms(struct db *, const struct wire_topic *,
	    const struct mosquitto_message *);

#endif

/*
 * The bridge's reference data, one CSV file per kind, named in [reference]
 * of bridge.conf: the item master, the chargemaster, contract prices per
 * vendor, locations and PAR levels. A set is loaded whole or not at all;
 * each file's SHA-256 is its version. The files stay the truth (pouctl
 * refdata import validates and replaces one); the bridge notices a changed
 * file within a second and loads the set again.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bridge.h"
#include "csv.h"
#include "hash.h"
#include "log.h"
#include "reftab.h"
#include "util.h"

struct reference {
	struct reftab	 t[REF_COUNT];
	char		 path[REF_COUNT][256];
	char		 version[REF_COUNT][65];
};

static const char *
ref_items_row(void *row, char **f)
{
	struct itemref *r = row;
	int v[4], i;

	if (f[0][0] == '\0' || reftab_copy(r->key, sizeof(r->key), f[0]) ||
	    strlen(f[0]) > 20)
		return "di is empty or longer than 20 bytes";
	if (reftab_copy(r->item_id, sizeof(r->item_id), f[1]) ||
	    f[1][0] == '\0')
		return "item_id is empty or longer than 31 bytes";
	if (reftab_copy(r->desc, sizeof(r->desc), f[2]))
		return "description longer than 95 bytes";
	for (i = 0; i < 4; i++)
		if ((v[i] = csv_bool(f[3 + i])) < 0)
			return "implant, lot_required, serial_required and "
			    "active are yes or no";
	r->implant = v[0];
	r->lot_required = v[1];
	r->serial_required = v[2];
	r->active = v[3];
	if (reftab_copy(r->vendor, sizeof(r->vendor), f[7]))
		return "vendor longer than 63 bytes";
	return NULL;
}

static const char *
ref_charge_row(void *row, char **f)
{
	struct charge *r = row;

	if (f[0][0] == '\0' || reftab_copy(r->key, sizeof(r->key), f[0]) ||
	    strlen(f[0]) > 20)
		return "di is empty or longer than 20 bytes";
	if (reftab_copy(r->code, sizeof(r->code), f[1]) || f[1][0] == '\0')
		return "charge_code is empty or too long";
	if (reftab_copy(r->desc, sizeof(r->desc), f[2]))
		return "description longer than 95 bytes";
	if (reftab_amount(f[3], &r->price_cents) != 0)
		return "price is not an amount like 123.45";
	if (reftab_copy(r->revenue, sizeof(r->revenue), f[4]))
		return "revenue_code longer than 7 bytes";
	if (reftab_copy(r->hcpcs, sizeof(r->hcpcs), f[5]))
		return "hcpcs longer than 15 bytes";
	if ((r->billable = csv_bool(f[6])) < 0)
		return "billable is yes or no";
	return NULL;
}

static const char *
ref_contract_row(void *row, char **f)
{
	struct contract *r = row;

	if (f[0][0] == '\0' || f[1][0] == '\0' ||
	    reftab_copy(r->vendor, sizeof(r->vendor), f[0]) ||
	    reftab_key(r->key, f[0], f[1], NULL))
		return "vendor and di are required (vendor up to 63 bytes)";
	if (reftab_amount(f[2], &r->cost_cents) != 0)
		return "unit_cost is not an amount like 123.45";
	return NULL;
}

static const char *
ref_location_row(void *row, char **f)
{
	struct location *r = row;

	if (f[0][0] == '\0' || f[1][0] == '\0')
		return "site and room are required";
	if (reftab_copy(r->site, sizeof(r->site), f[0]) ||
	    reftab_copy(r->room, sizeof(r->room), f[1]) ||
	    reftab_copy(r->unit, sizeof(r->unit), f[2]) ||
	    reftab_copy(r->department, sizeof(r->department), f[3]) ||
	    reftab_copy(r->cost_center, sizeof(r->cost_center), f[4]) ||
	    reftab_copy(r->erp_location, sizeof(r->erp_location), f[5]))
		return "a field longer than 63 bytes";
	reftab_key(r->key, f[0], f[1], f[2]);
	return NULL;
}

static const char *
ref_par_row(void *row, char **f)
{
	struct parlevel *r = row;
	long long par, reorder;

	if (f[0][0] == '\0' || f[1][0] == '\0' ||
	    reftab_copy(r->erp_location, sizeof(r->erp_location), f[0]) ||
	    reftab_copy(r->di, sizeof(r->di), f[1]) ||
	    reftab_key(r->key, f[0], f[1], NULL))
		return "erp_location and di are required (up to 63 and 31 "
		    "bytes)";
	if (parse_int(f[2], 1, 100000, &par) != 0 ||
	    parse_int(f[3], 0, 100000, &reorder) != 0 || reorder >= par)
		return "par_level is 1 to 100000 and reorder_point 0 to below "
		    "the par level";
	r->par = par;
	r->reorder = reorder;
	return NULL;
}

static const struct ref_spec {
	const char	*name;
	size_t		 conf_off;
	const char	*header;	/* the line the file starts with */
	int		 nfields;
	size_t		 size;
	const char	*(*row)(void *row, char **f);
} ref_kinds[REF_COUNT] = {
	[REF_ITEMS] = { "items", offsetof(struct bridge_conf, items),
	    "di,item_id,description,implant,lot_required,serial_required,"
	    "active,vendor", 8, sizeof(struct itemref), ref_items_row },
	[REF_CHARGEMASTER] = { "chargemaster",
	    offsetof(struct bridge_conf, chargemaster),
	    "di,charge_code,description,price,revenue_code,hcpcs,billable", 7,
	    sizeof(struct charge), ref_charge_row },
	[REF_CONTRACTS] = { "contracts", offsetof(struct bridge_conf,
	    contracts), "vendor,di,unit_cost", 3, sizeof(struct contract),
	    ref_contract_row },
	[REF_LOCATIONS] = { "locations", offsetof(struct bridge_conf,
	    locations), "site,room,unit,department,cost_center,erp_location",
	    6, sizeof(struct location), ref_location_row },
	[REF_PAR] = { "par", offsetof(struct bridge_conf, par),
	    "erp_location,di,par_level,reorder_point", 4,
	    sizeof(struct parlevel), ref_par_row },
};

const char *
reference_kind_name(int k)
{
	return ref_kinds[k].name;
}

const char *
reference_kind_header(int k)
{
	return ref_kinds[k].header;
}

int
reference_kind(const char *name)
{
	int k;

	for (k = 0; k < REF_COUNT; k++)
		if (strcmp(name, ref_kinds[k].name) == 0)
			return k;
	return -1;
}

const char *
reference_conf_path(const struct bridge_conf *c, int k)
{
	return (const char *)c + ref_kinds[k].conf_off;
}

struct ref_fill {
	struct reftab	*t;
	const char	*(*row)(void *row, char **f);
};

static const char *
ref_take(void *arg, char **f)
{
	struct ref_fill *rf = arg;
	const char *err;
	void *row;

	if ((row = reftab_slot(rf->t)) == NULL)
		return "out of memory";
	if ((err = rf->row(row, f)) == NULL)
		reftab_keep(rf->t);
	return err;
}

struct reference *
reference_new(void)
{
	struct reference *r = calloc(1, sizeof(*r));
	int k;

	for (k = 0; r && k < REF_COUNT; k++)
		reftab_init(&r->t[k], ref_kinds[k].size);
	return r;
}

void
reference_free(struct reference *r)
{
	int k;

	if (r == NULL)
		return;
	for (k = 0; k < REF_COUNT; k++)
		reftab_free(&r->t[k]);
	free(r);
}

int
reference_load_kind(struct reference *r, int k, const char *path)
{
	const struct ref_spec *rk = &ref_kinds[k];
	struct ref_fill rf = { &r->t[k], rk->row };
	int errors;

	reftab_free(&r->t[k]);
	if (reftab_copy(r->path[k], sizeof(r->path[k]), path) != 0 ||
	    sha256_file(path, r->version[k]) != 0) {
		log_warn("%s", path);
		return 1;
	}
	errors = csv_load(path, rk->nfields, rk->header, ref_take, &rf);
	if (errors < 0)
		return 1;
	return errors + reftab_seal(&r->t[k], path);
}

struct reference *
reference_load(const struct bridge_conf *c)
{
	struct reference *r = reference_new();
	int k, errors = 0;

	for (k = 0; r && k < REF_COUNT; k++)
		if (reference_conf_path(c, k)[0] != '\0' &&
		    reference_load_kind(r, k, reference_conf_path(c, k)) != 0) {
			log_warnx("%s: the %s file has errors",
			    reference_conf_path(c, k), ref_kinds[k].name);
			errors++;
		}
	if (errors == 0)
		return r;
	reference_free(r);
	return NULL;
}

void
reference_stamp(const struct bridge_conf *c, struct ref_stamp *s)
{
	struct stat st;
	int k;

	memset(s, 0, sizeof(*s));
	for (k = 0; k < REF_COUNT; k++)
		if (reference_conf_path(c, k)[0] != '\0' &&
		    stat(reference_conf_path(c, k), &st) == 0) {
			s->ino[k] = st.st_ino;
			s->size[k] = st.st_size;
			s->mtime_ns[k] =
			    (int64_t)st.st_mtim.tv_sec * 1000000000 +
			    st.st_mtim.tv_nsec;
		}
}

int
reference_stamp_differs(const struct ref_stamp *a, const struct ref_stamp *b)
{
	return memcmp(a, b, sizeof(*a)) != 0;
}

int
reference_loaded(const struct reference *r, int k)
{
	return r->path[k][0] != '\0';
}

size_t
reference_rows(const struct reference *r, int k)
{
	return r->t[k].n;
}

const char *
reference_version(const struct reference *r, int k)
{
	return r->version[k];
}

const char *
reference_path(const struct reference *r, int k)
{
	return r->path[k];
}

const struct itemref *
reference_item(const struct reference *r, const char *di)
{
	return reftab_find(&r->t[REF_ITEMS], di);
}

const struct charge *
reference_charge(const struct reference *r, const char *di)
{
	return reftab_find(&r->t[REF_CHARGEMASTER], di);
}

const struct contract *
reference_contract(const struct reference *r, const char *vendor,
    const char *di)
{
	char key[REF_KEY_MAX];

	return reftab_key(key, vendor, di, NULL) ? NULL :
	    reftab_find(&r->t[REF_CONTRACTS], key);
}

const struct location *
reference_location(const struct reference *r, const char *site,
    const char *room, const char *unit)
{
	const struct location *l = NULL;
	char key[REF_KEY_MAX];

	if (unit[0] && reftab_key(key, site, room, unit) == 0)
		l = reftab_find(&r->t[REF_LOCATIONS], key);
	if (l == NULL && reftab_key(key, site, room, "") == 0)
		l = reftab_find(&r->t[REF_LOCATIONS], key);
	return l;
}

const struct parlevel *
reference_par(const struct reference *r, const char *erp_location,
    const char *di)
{
	char key[REF_KEY_MAX];

	return reftab_key(key, erp_location, di, NULL) ? NULL :
	    reftab_find(&r->t[REF_PAR], key);
}

void
reference_enrich(const struct reference *r, struct bevent *be)
{
	const struct event *ev = &be->ev;

	be->charge = reference_charge(r, ev->item.di);
	be->itemref = reference_item(r, ev->item.di);
	be->loc = reference_location(r, ev->site, ev->room, ev->unit);
	be->have_items = reference_loaded(r, REF_ITEMS);
	be->contract = be->itemref && be->itemref->vendor[0] ?
	    reference_contract(r, be->itemref->vendor, ev->item.di) : NULL;
}

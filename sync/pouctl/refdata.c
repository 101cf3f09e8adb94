/*
 * pouctl refdata: the bridge's reference files (item master, chargemaster,
 * contract prices, locations, PAR levels). validate reads a file as the
 * bridge would, every error as file:line; import validates it, replaces the
 * file bridge.conf names for that kind (tmp, fsync, rename) and notes the
 * version and who in the bridge's database, and the bridge loads the set
 * within a second; versions shows per kind the file on disk, what the
 * bridge has loaded and the last import.
 *
 * pouctl onhand: the bridge's PAR estimates; count records a shelf count.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "csv.h"
#include "db.h"
#include "pouctl.h"
#include "util.h"

static int
ref_usage(void)
{
	fprintf(stderr, "usage: pouctl [-B bridge.conf] refdata "
	    "validate|import KIND FILE [--by NAME]\n"
	    "       pouctl [-B bridge.conf] refdata versions\nkinds:");
	for (int k = 0; k < REF_COUNT; k++)
		fprintf(stderr, "\n  %-13s %s", reference_kind_name(k),
		    reference_kind_header(k));
	fprintf(stderr, "\n");
	return 2;
}

/* 0 when path is a good file of kind k; its version and rows then. */
static int
ref_check(int k, const char *path, char version[65], size_t *rows)
{
	struct reference *r = reference_new();
	int errors;

	if (r == NULL)
		return 1;
	errors = reference_load_kind(r, k, path);
	snprintf(version, 65, "%s", reference_version(r, k));
	*rows = reference_rows(r, k);
	reference_free(r);
	if (errors)
		fprintf(stderr, "pouctl: %s: %d error(s); not a good %s file\n",
		    path, errors, reference_kind_name(k));
	return errors != 0;
}

static char *
ref_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *p = NULL;
	long n;

	if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) != NULL &&
	    fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	} else if (p != NULL)
		*len = (size_t)n;
	if (f)
		fclose(f);
	return p;
}

static int
ref_log(const char *db_path, int k, const char *version, size_t rows,
    const char *path, const char *by)
{
	struct db *d;
	int rc;

	if ((d = ctl_bridge_open(db_path, 0)) == NULL)
		return 1;
	rc = db_refdata_imported(d, reference_kind_name(k), version, rows, path,
	    by) != 0;
	db_close(d);
	return rc;
}

/* Validates src, then puts it where the bridge reads kind k. */
static int
ref_import(const struct bridge_conf *c, int k, const char *src,
    const char *by)
{
	const char *dst = reference_conf_path(c, k);
	char version[65], d1[256], d2[256];
	size_t rows, len = 0;
	char *body;
	int rc;

	if (dst[0] == '\0') {
		fprintf(stderr, "pouctl: bridge.conf names no %s file "
		    "([reference] %s = ...)\n", reference_kind_name(k),
		    reference_kind_name(k));
		return 1;
	}
	if (ref_check(k, src, version, &rows) != 0)
		return 1;
	if ((body = ref_slurp(src, &len)) == NULL) {
		fprintf(stderr, "pouctl: cannot read %s\n", src);
		return 1;
	}
	snprintf(d1, sizeof(d1), "%s", dst);
	snprintf(d2, sizeof(d2), "%s", dst);
	rc = file_write_durable(dirname(d1), basename(d2), body, len);
	free(body);
	if (rc != 0) {
		fprintf(stderr, "pouctl: cannot write %s\n", dst);
		return 1;
	}
	if (ref_log(c->db_path, k, version, rows, dst, by) != 0)
		return 1;
	printf("%s: %zu rows, version %.12s, imported as %s by %s; the bridge "
	    "loads it within a second\n", reference_kind_name(k), rows,
	    version, dst, by);
	return 0;
}

struct ref_last {
	int	 imported;
	char	*out;
	size_t	 len;
};

static void
ref_last_row(void *arg, const char *const *c, int n)
{
	struct ref_last *l = arg;
	char at[32];

	(void)n;
	snprintf(l->out, l->len, "%.12s %s%s%s", c[0], ctl_time(c[1], at),
	    l->imported ? " by " : "", l->imported ? c[2] : "");
}

/* The last load (or import) of kind k, as the versions table shows it. */
static void
ref_last(struct db *d, int k, int imported, char *out, size_t len)
{
	struct ref_last l = { imported, out, len };

	snprintf(out, len, "-");
	db_refdata_last(d, reference_kind_name(k), imported, ref_last_row, &l);
}

static int
ref_versions(const struct bridge_conf *c)
{
	char disk[65], loaded[120], imported[160];
	struct db *d;
	size_t rows;
	int k, stale = 0;

	if ((d = ctl_bridge_open(c->db_path, 0)) == NULL)
		return 1;
	printf("%-13s %6s %-13s %-34s %s\n", "kind", "rows", "on disk",
	    "loaded by the bridge", "last import");
	for (k = 0; k < REF_COUNT; k++) {
		if (reference_conf_path(c, k)[0] == '\0') {
			printf("%-13s %6s %s\n", reference_kind_name(k), "-",
			    "(not configured)");
			continue;
		}
		if (ref_check(k, reference_conf_path(c, k), disk, &rows) != 0)
			snprintf(disk, sizeof(disk), "BAD");
		ref_last(d, k, 0, loaded, sizeof(loaded));
		ref_last(d, k, 1, imported, sizeof(imported));
		stale |= strncmp(disk, loaded, 12) != 0;
		printf("%-13s %6zu %-13.12s %-34s %s\n", reference_kind_name(k),
		    rows, disk, loaded, imported);
	}
	db_close(d);
	if (stale)
		printf("a file on disk is not the version the bridge loaded: "
		    "it has errors, or the bridge has not seen it yet\n");
	return 0;
}

int
ctl_refdata(const char *conf_path, int argc, char **argv)
{
	const char *by = ctl_by(&argc, argv);
	struct bridge_conf c;
	char version[65];
	size_t rows;
	int k;

	if (argc == 2 && strcmp(argv[1], "versions") == 0)
		return bridge_conf_load(conf_path, &c) ? 1 : ref_versions(&c);
	if (argc != 4 || (k = reference_kind(argv[2])) < 0)
		return ref_usage();
	if (strcmp(argv[1], "validate") == 0) {
		if (ref_check(k, argv[3], version, &rows) != 0)
			return 1;
		printf("%s: a good %s file: %zu rows, version %.12s\n", argv[3],
		    argv[2], rows, version);
		return 0;
	}
	if (strcmp(argv[1], "import") == 0)
		return bridge_conf_load(conf_path, &c) ? 1 :
		    ref_import(&c, k, argv[3], by);
	return ref_usage();
}

static void
print_onhand(void *arg, const char *const *c, int n)
{
	char at[32];

	(void)arg;
	(void)n;
	printf("%-20s %-16s %8s  %-24s %s\n", c[0], c[1], c[2],
	    ctl_time(c[3], at), c[4]);
}

int
ctl_onhand(const char *bridge_db, int argc, char **argv)
{
	const char *by = ctl_by(&argc, argv);
	long long qty;
	struct db *d;
	int rc;

	if (!(argc == 1 || (argc == 2 && strcmp(argv[1], "list") == 0) ||
	    (argc == 5 && strcmp(argv[1], "count") == 0 &&
	    parse_int(argv[4], 0, 100000, &qty) == 0))) {
		fprintf(stderr, "usage: pouctl onhand [list|count ERP_LOCATION "
		    "DI QTY [--by NAME]]\n");
		return 2;
	}
	if ((d = ctl_bridge_open(bridge_db, 0)) == NULL)
		return 1;
	if (argc == 5) {
		if ((rc = db_onhand_count(d, argv[2], argv[3], qty, by) != 0) ==
		    0)
			printf("%s %s: on hand %lld, counted by %s\n", argv[2],
			    argv[3], qty, by);
	} else {
		printf("%-20s %-16s %8s  %-24s %s\n", "erp_location", "di",
		    "on hand", "changed", "last count by");
		rc = db_onhand_list(d, print_onhand, NULL) < 0;
	}
	db_close(d);
	return rc;
}

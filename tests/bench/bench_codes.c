/*
 * make bench: decodes per second of codes_decode over a mixed corpus
 * (GS1 DataMatrix, GS1-128, EAN, Digital Link, HIBC, ISBT 128, refusals),
 * beside a baseline measured in the same run: a pass that only copies
 * each scan and splits it at GS, the floor any decoder pays.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "codes/codes.h"
#include "util.h"

static const char *const corpus[] = {
	"]d2010088452112345117270630" "10LOT4711\\x1d21SN000123",
	"]d201008845211234511728020010A1B2",
	"]C1011088452112345811250115" "3012\\x1d240REF-55-1234",
	"]C10100884521123451",
	"]C11727063010LOT4711",
	"]E04012345678901",
	"]Q1https://id.example.org/01/00884521123451/10/LOT1?17=270630",
	"+A123BJC5D6E71G",
	"+A99912345/$$812710X3/16D20111212/14D20200906/S77DEFG453",
	"+$$52001510X3GD",
	"=/08717648200274=,000025=A99971312345600=>014032=}013032"
	    "&,1000000000000XYZ123",
	"]d20100884521123452",
	"]d2010088452112345117250230",
	"garbage!!",
};
#define N (sizeof(corpus) / sizeof(corpus[0]))

struct scanbuf {
	unsigned char	b[ITEM_RAW_MAX];
	size_t		n;
};

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The floor: copy the scan and count its GS-separated fields. */
static size_t
baseline(const struct scanbuf *s)
{
	unsigned char copy[ITEM_RAW_MAX + 1];
	size_t fields = 1, i;

	memcpy(copy, s->b, s->n);
	copy[s->n] = 0;
	for (i = 0; i < s->n; i++)
		fields += copy[i] == 0x1d;
	return fields;
}

int
main(void)
{
	static struct scanbuf scans[N];
	struct codes_opts o = { 2026, 0 };
	struct code_result r;
	volatile size_t sink = 0;
	unsigned long n_dec = 0, n_base = 0, ok = 0;
	double t0, t_dec, t_base;
	size_t i;

	for (i = 0; i < N; i++)
		scans[i].n = (size_t)unescape(corpus[i], strlen(corpus[i]),
		    scans[i].b, sizeof(scans[i].b));
	for (t0 = seconds(); seconds() - t0 < 2.0;)
		for (i = 0; i < N; i++, n_dec++)
			ok += codes_decode(scans[i].b, scans[i].n, &o, &r) ==
			    CODE_OK;
	t_dec = seconds() - t0;
	for (t0 = seconds(); seconds() - t0 < 2.0;)
		for (i = 0; i < N; i++, n_base++)
			sink += baseline(&scans[i]);
	t_base = seconds() - t0;
	printf("codes_decode: %.0f decodes/s over a mixed corpus of %zu scans "
	    "(%lu of %lu accepted)\n", (double)n_dec / t_dec, N, ok, n_dec);
	printf("  baseline, copy and split at GS only: %.0f scans/s "
	    "(decoding costs %.1fx the floor)\n", (double)n_base / t_base,
	    ((double)n_base / t_base) / ((double)n_dec / t_dec));
	return sink == 0;
}

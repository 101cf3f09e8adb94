/* libFuzzer: the bridge's reference files (item master, chargemaster,
 * contracts, locations, PAR levels) as pouctl refdata validate and the
 * bridge read them. The first byte picks the kind; the rest is the file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bridge.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reference *r;
	char path[64];
	int fd, k;

	if (size < 1 || (fd = memfd_create("ref", 0)) < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1) ||
	    (r = reference_new()) == NULL) {
		close(fd);
		return 0;
	}
	k = data[0] % REF_COUNT;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (reference_load_kind(r, k, path) == 0 && reference_rows(r, k) > 0 &&
	    reference_item(r, "00884521123451") == (const void *)1)
		abort();	/* keeps the lookups in */
	reference_free(r);
	close(fd);
	return 0;
}

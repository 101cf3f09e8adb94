/* libFuzzer: the CSV line splitter behind the catalog, recall list and
 * chargemaster files. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line, *f[8];
	int n, i;

	if (size >= CSV_LINE_MAX || (line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	n = csv_split(line, f, 8);
	for (i = 0; i < n; i++)		/* each field is a string in line */
		if (f[i] < line || f[i] > line + size || strlen(f[i]) > size)
			abort();
	free(line);
	return 0;
}

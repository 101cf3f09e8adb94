/* Reference files in CSV: one reader, every error as file:line. */
#ifndef POU_CSV_H
#define POU_CSV_H

#define CSV_LINE_MAX	1024

/* Splits a line in place; quoted fields may hold commas and "". The field
 * count, or -1 when the line is malformed or has more than max fields. */
int	csv_split(char *s, char **f, int max);

/* A row's fields; NULL when taken, else what is wrong with it. */
typedef const char *(*csv_row_fn)(void *arg, char **f);

/*
 * Reads path: blank and '#' lines are skipped, as is a first line that is
 * header ("di,lot,..."); one that starts with header's first name and is
 * not all of it is an error. Every other line must have nfields fields and
 * is handed to fn. Each error is logged as path:line. Returns the number of
 * errors, or -1 when the file cannot be read.
 */
int	csv_load(const char *path, int nfields, const char *header,
	    csv_row_fn fn, void *arg);

/* "yes"/"1" 1, "no"/"0"/"" 0, anything else -1. */
int	csv_bool(const char *s);

#endif

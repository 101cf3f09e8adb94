/* Opening the agent's store, salvaging what can be read when it is damaged. */
#ifndef POU_SALVAGE_H
#define POU_SALVAGE_H

struct store;

/*
 * store_open(), except that a damaged store is moved aside (never deleted),
 * its readable unacked rows are kept for sending under their old identity,
 * a new epoch starts, and a "store_salvaged" alarm holds the counts.
 */
int	salvage_open(const char *path, int sync_full, struct store **out);

#endif

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The library's chunks (userlib/src/chunk.c, compiled here in its place,
 * unchanged) and one function for the fuzzer: fuzz_chunk_flush() gives
 * back every free chunk and every shared region, so that each input
 * starts with none and makes the same system calls wherever it runs (a
 * refused system call is the input's Nth): a crashing input reproduces
 * alone.  It may only be called with no heap live or cached, when every
 * chunk of a shared region is free.
 */
#include "chunk.c"

unsigned int fuzz_chunk_flush(void);

/* How many regions it gave back. */
unsigned int fuzz_chunk_flush(void)
{
	struct wsheap_region *region, *next;
	struct wsheap_chunk *chunk;
	unsigned int b, k, n = 0;

	pthread_mutex_lock(&chunk_lock);
	for (b = 0; b < WSHEAP_BACKENDS; b++) {
		for (k = 0; k < WSHEAP_CLASSES; k++)
			while ((chunk = chunk_pop(&free_chunks[b][k])))
				free(chunk);
		for (region = regions[b]; region; region = next) {
			next = region->next;
			region->backend->region_destroy(region, NULL);
			free(region);
			n++;
		}
		regions[b] = NULL;
	}
	pthread_mutex_unlock(&chunk_lock);
	return n;
}

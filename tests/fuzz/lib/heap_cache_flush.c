// SPDX-License-Identifier: GPL-2.0-only
/*
 * The library's heap cache (userlib/src/heap_cache.c, compiled here in
 * its place, unchanged) and two functions for the fuzzer: one that checks
 * the cache's books and empties it, so that each input starts from the
 * same state and a crashing input reproduces alone, and one that counts
 * the live heaps.
 */
#include "heap_cache.c"

unsigned int fuzz_heap_cache_flush(const char **why);
unsigned int fuzz_heap_live_count(void);

/*
 * Destroy every cached heap; return how many there were, or set *@why if
 * the list disagrees with the counts kept beside it.
 */
unsigned int fuzz_heap_cache_flush(const char **why)
{
	unsigned int heaps = 0;
	size_t bytes = 0;
	WS_HEAP *heap;

	*why = NULL;
	pthread_mutex_lock(&heap_lock);
	for (heap = cached; heap; heap = heap->next) {
		if (heap->next && heap->next->prev != heap)
			*why = "the cached list's links disagree";
		heaps++;
		bytes += heap->backing;
	}
	if (heaps != cached_heaps)
		*why = "cached_heaps is not the length of the cached list";
	else if (bytes != cached_bytes)
		*why = "cached_bytes is not the sum of the cached heaps' backing";
	else if (heaps > WSHEAP_CACHE_HEAPS || bytes > WSHEAP_CACHE_BYTES)
		*why = "the cache holds more than its limits";
	while (!*why && (heap = cached)) {
		unlink_heap(&cached, heap);
		cached_heaps--;
		cached_bytes -= heap->backing;
		heap->backend->destroy(heap);
		free(heap);
	}
	pthread_mutex_unlock(&heap_lock);
	return heaps;
}

unsigned int fuzz_heap_live_count(void)
{
	unsigned int n = 0;
	WS_HEAP *heap;

	pthread_mutex_lock(&heap_lock);
	for (heap = live; heap; heap = heap->next)
		n++;
	pthread_mutex_unlock(&heap_lock);
	return n;
}

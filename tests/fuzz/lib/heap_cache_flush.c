// SPDX-License-Identifier: GPL-2.0-only
/*
 * The library's heap cache (userlib/src/heap_cache.c, compiled here in
 * its place, unchanged) and what the fuzzer needs of the library's books:
 *
 *  - fuzz_heap_cache_flush() checks the cache's books and empties it, so
 *    that each input starts from the same state and a crashing input
 *    reproduces alone;
 *  - fuzz_heap_cache_list() checks them and copies the cached heaps, the
 *    most recent first, with the memory each holds, for the fuzzer to
 *    compare with its model of the cache;
 *  - fuzz_heap_books() checks one heap's chunks against its counts and
 *    returns the memory it holds (heap->actual, which ACTUAL_SIZE reads 0
 *    for a heap fresh from the cache); fuzz_heap_actual() only returns it;
 *  - fuzz_heap_live_count() checks the list of live heaps and counts it.
 *
 * Each sets *@why to what disagrees, or NULL.
 */
#include "heap_cache.c"

unsigned int fuzz_heap_cache_flush(const char **why);
unsigned int fuzz_heap_cache_list(WS_HEAP **heaps, size_t *actual, unsigned int max,
				  const char **why);
size_t fuzz_heap_books(const WS_HEAP *heap, const char **why);
size_t fuzz_heap_actual(const WS_HEAP *heap);
unsigned int fuzz_heap_live_count(const char **why);

/* Checks, not a guide for libFuzzer: no coverage (see fuzz_heap.c). */
#define MODEL	__attribute__((noinline, no_sanitize("coverage")))

/* chunk.c's WSHEAP_CLASS_OWN: a chunk that is a region of its own. */
#define FUZZ_CLASS_OWN	0xff
/* More chunks than any heap of the fuzzer can have: the list has a cycle. */
#define FUZZ_CHUNKS_MAX	(1u << 16)

/*
 * The chunks of @heap against its counts and, if @live, its bump pointer
 * (a cached heap's is set again when WsCreateHeap() takes it).
 */
MODEL static const char *heap_books(const WS_HEAP *heap, bool live)
{
	const struct wsheap_chunk *chunk, *cur_chunk = NULL;
	size_t page = wsheap_page_size(), sum = 0;
	const struct wsheap_region *region;
	unsigned int n = 0;

	if (!heap->chunks)
		return "a heap has no first chunk";
	if (heap->backend != &wsheap_backend_process)
		return "a heap of the process backend has another backend";
	for (chunk = heap->chunks; chunk; chunk = chunk->next) {
		region = chunk->region;
		if (++n > FUZZ_CHUNKS_MAX)
			return "a heap's list of chunks does not end";
		if (!region || region->backend != heap->backend)
			return "a chunk's region is not of the heap's backend";
		if (chunk->capacity % page || chunk->backed % page)
			return "a chunk's capacity or backing is not whole pages";
		if (chunk->backed > chunk->capacity)
			return "a chunk is backed past its capacity";
		if (chunk->size_class == FUZZ_CLASS_OWN ?
		    region->size != chunk->capacity || chunk->base != region->base :
		    chunk->size_class >= sizeof(size_t) * 8 ||
		    chunk->capacity != page << chunk->size_class)
			return "a chunk's capacity is not its size class's (a power of two of pages)";
		if (chunk->base < region->base || chunk->capacity > region->size ||
		    (size_t)(chunk->base - region->base) > region->size - chunk->capacity)
			return "a chunk is not inside its region";
		if (chunk->size_class != FUZZ_CLASS_OWN &&
		    (size_t)(chunk->base - region->base) + chunk->capacity > region->used)
			return "a chunk is past what its region has carved";
		sum += chunk->backed;
		if (chunk == heap->chunk)
			cur_chunk = chunk;
	}
	if (sum != heap->actual)
		return "a heap's actual is not the sum of its chunks' backing";
	if (!live)
		return NULL;
	if (!cur_chunk)
		return "a heap's current chunk is not on its list";
	if (heap->cur < cur_chunk->base || heap->cur > cur_chunk->base + cur_chunk->backed)
		return "a heap's cur is outside the backing of its current chunk";
	if (heap->end < heap->cur || heap->end > cur_chunk->base + cur_chunk->backed)
		return "a heap's end is outside the backing of its current chunk";
	if ((size_t)(heap->end - heap->cur) > heap->max_size - heap->requested)
		return "a heap's fast path reaches past its quota";
	if ((heap->fresh || heap->orphaned) && heap->end != heap->cur)
		return "a fresh heap's fast path is open";
	if (heap->requested > heap->max_size)
		return "a heap's requested size is past its max size";
	return NULL;
}

MODEL static bool on_list(const WS_HEAP *list, const WS_HEAP *heap)
{
	for (; list; list = list->next)
		if (list == heap)
			return true;
	return false;
}

/* The cached list against cached_tail, cached_heaps and cached_bytes; heap_lock held. */
MODEL static const char *cache_books(WS_HEAP **heaps, size_t *actual, unsigned int max,
			       unsigned int *count)
{
	const WS_HEAP *heap, *prev = NULL;
	unsigned int n = 0;
	size_t bytes = 0;
	const char *why;

	for (heap = cached; heap; prev = heap, heap = heap->next) {
		if (heap->prev != prev)
			return "the cached list's links disagree";
		if (++n > WSHEAP_CACHE_HEAPS + 1)
			return "the cache holds more heaps than its limit";
		why = heap_books(heap, false);
		if (why)
			return why;
		if (heap->orphaned)
			return "the cache holds an orphaned heap";
		if (heap->actual > WSHEAP_CACHE_BYTES)
			return "the cache holds a heap of more memory than its limit";
		if (on_list(live, heap))
			return "a heap is both cached and live";
		bytes += heap->actual;
		if (n <= max) {
			heaps[n - 1] = (WS_HEAP *)heap;
			actual[n - 1] = heap->actual;
		}
	}
	if (cached_tail != prev)
		return "cached_tail is not the last heap of the cached list";
	if (n != cached_heaps)
		return "cached_heaps is not the length of the cached list";
	if (bytes != cached_bytes)
		return "cached_bytes is not the sum of the cached heaps' actual";
	if (n > WSHEAP_CACHE_HEAPS || bytes > WSHEAP_CACHE_BYTES)
		return "the cache holds more than its limits";
	*count = n;
	return NULL;
}

/*
 * Destroy every cached heap; return how many there were (0 if the books
 * disagree, and nothing destroyed).
 */
unsigned int fuzz_heap_cache_flush(const char **why)
{
	unsigned int heaps = 0;
	WS_HEAP *heap;

	pthread_mutex_lock(&heap_lock);
	*why = cache_books(NULL, NULL, 0, &heaps);
	while (!*why && (heap = cached)) {
		cache_unlink(heap);
		/* As WsFreeHeap() destroys the heaps the cache lets go of. */
		wsheap_heap_destroy(heap);
	}
	if (!*why && (cached_tail || cached_heaps || cached_bytes))
		*why = "the cache's counts are not zero once it is empty";
	pthread_mutex_unlock(&heap_lock);
	return heaps;
}

unsigned int fuzz_heap_cache_list(WS_HEAP **heaps, size_t *actual, unsigned int max,
				  const char **why)
{
	unsigned int n = 0;

	pthread_mutex_lock(&heap_lock);
	*why = cache_books(heaps, actual, max, &n);
	pthread_mutex_unlock(&heap_lock);
	return n;
}

size_t fuzz_heap_books(const WS_HEAP *heap, const char **why)
{
	*why = heap_books(heap, true);
	return heap->actual;
}

/* The same without the checks, for the fuzzer's long fills. */
size_t fuzz_heap_actual(const WS_HEAP *heap)
{
	return heap->actual;
}

unsigned int fuzz_heap_live_count(const char **why)
{
	const WS_HEAP *heap, *prev = NULL;
	unsigned int n = 0;

	*why = NULL;
	pthread_mutex_lock(&heap_lock);
	for (heap = live; heap && !*why; prev = heap, heap = heap->next) {
		if (heap->prev != prev)
			*why = "the live list's links disagree";
		else if (on_list(cached, heap))
			*why = "a heap is both live and cached";
		n++;
	}
	pthread_mutex_unlock(&heap_lock);
	return n;
}

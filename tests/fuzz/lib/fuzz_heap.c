// SPDX-License-Identifier: GPL-2.0-only
/*
 * A libFuzzer target for libwsheap on the process backend: the input is a
 * sequence of WS_HEAP and WS_ERROR calls over a few heaps and error
 * objects, each call checked against a model of what must hold:
 *
 *  - allocations are non-NULL, 8-byte aligned, distinct and do not
 *    overlap; what was written to them stays until a reset or a free;
 *  - the quota is exact: an allocation that would take the sum of the
 *    sizes since the last reset past the max size is WS_E_QUOTA_EXCEEDED,
 *    anything up to it succeeds, unless it does not fit the address window
 *    the design promises (8 times the max size plus 64 KiB, at most
 *    64 GiB), where E_OUTOFMEMORY is allowed;
 *  - REQUESTED_SIZE is that sum; ACTUAL_SIZE is 0 until the heap's first
 *    allocation (also for a heap the library took from its cache of freed
 *    heaps), covers what was handed out, and after a reset is at most the
 *    trim size rounded up to a page (all of it if the trim size passes the
 *    max size);
 *  - every failing call that was given an error object adds exactly one
 *    string to it (ASCII, non-empty); a call that succeeds adds none;
 *  - out-parameters and buffers are untouched on failure, and a property
 *    read writes exactly the property's size;
 *  - error objects keep copies of their strings, newest first, the
 *    original error code's text last; WsGetErrorString's characters stay
 *    valid until a reset or a free;
 *  - the system calls: a heap call enters the kernel at most once, and
 *    (once the heap has allocated) exactly when its memory changes; when
 *    the system refuses (the input can make the library's next mmap or
 *    mprotect fail: it is linked with --wrap), WsCreateHeap and WsAlloc
 *    return E_OUTOFMEMORY and change nothing, and WsResetHeap still
 *    succeeds, the memory kept.
 *
 * The input is read as operations: a byte picks one (its index in ops[]),
 * the bytes after it are its operands (make-corpus writes a few by hand).
 * Sizes come from boundary-heavy choices (pick_size()).  Each input starts
 * with no heap live or cached (heap_cache_flush.c empties the library's
 * cache), so a crashing input reproduces alone, and ends with every
 * object freed (LeakSanitizer runs).  A disagreement aborts with a message
 * on stderr.  In the environment, FUZZ_HEAP_TRACE=1 prints each call, to
 * make sense of a crashing input, and FUZZ_HEAP_STATS=1 prints counts at
 * exit.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <wsheap.h>

#define NHEAPS		4
#define NERRORS		3
/* Allocations per heap whose contents are written and checked. */
#define TRACK_MAX	256
/* What is written of each allocation: all of it up to HEAD, and its end. */
#define WRITE_HEAD	4096
#define WRITE_TAIL	64
/* The longest string the input may add to an error object, in WCHARs. */
#define STRING_MAX	600
/* What the library says in an error string, at most (wsheap_error_addf). */
#define LIB_STRING_MAX	511
/* Property buffers: every size the input may claim fits, and a margin. */
#define PROP_BUF	40
#define PROP_SIZE_MAX	32
/*
 * op_fill: at most this many allocations, and one such large fill an input
 * (at some 130 ns an allocation, under the sanitizers, it costs 10 ms).
 */
#define FILL_MAX	((size_t)1 << 17)

/* heap_cache_flush.c */
unsigned int fuzz_heap_cache_flush(const char **why);
unsigned int fuzz_heap_live_count(void);

#define UNTOUCHED_PTR	((void *)(uintptr_t)0xdeadbeefcafe0008ull)
#define SENTINEL	0xa5

#define WINDOW_MAX	((size_t)64 << 30)
#define WINDOW_SLACK	((size_t)64 << 10)
#define DEFAULT_LANGID	0x0409

/* ------------------------------------------------------------- input */

struct reader {
	const uint8_t *pos, *end;
};

static uint8_t rd_u8(struct reader *r)
{
	return r->pos < r->end ? *r->pos++ : 0;
}

static uint16_t rd_u16(struct reader *r)
{
	uint16_t v = rd_u8(r);

	return (uint16_t)(v | rd_u8(r) << 8);
}

static uint32_t rd_u32(struct reader *r)
{
	uint32_t v = rd_u16(r);

	return v | (uint32_t)rd_u16(r) << 16;
}

static uint64_t rd_u64(struct reader *r)
{
	uint64_t v = rd_u32(r);

	return v | (uint64_t)rd_u32(r) << 32;
}

/* ------------------------------------------------------------- model */

struct alloc {
	unsigned char *p;
	SIZE_T size;
	uint32_t seed;
};

struct heap_model {
	WS_HEAP *h;
	SIZE_T max, trim;
	SIZE_T requested;		/* sum of the sizes since the last reset */
	size_t used;			/* the same, each rounded up to 8 (0 as 8) */
	bool allocated;			/* an allocation succeeded since creation */
	struct alloc a[TRACK_MAX];
	unsigned int n;
};

struct str_model {
	WCHAR *chars;			/* our copy */
	ULONG len;
	const WCHAR *seen;		/* what WsGetErrorString returned, or NULL */
};

struct error_model {
	WS_ERROR *e;
	LANGID langid;
	ULONG code;
	struct str_model *s;		/* oldest first */
	ULONG n, cap;
};

static struct heap_model heaps[NHEAPS];
static struct error_model errors[NERRORS];

static bool tracing;
static unsigned long op_index;
static const char *op_name = "-";
static uint32_t seed_counter;
static bool filled;			/* a large op_fill in this input */
static size_t page;

static struct {
	unsigned long inputs, ops, allocs, alloc_ok, quota, alloc_oom, creates, create_ok,
		create_oom, resets, error_strings;
} stats;

/*
 * Fault injection: the library's mmap() and mprotect() (the process
 * backend's system calls, linked with --wrap) count down, and the call
 * that reaches 0 fails with ENOMEM without doing anything.
 */
static unsigned int inject_countdown;	/* 0: nothing armed */
static unsigned long injected;		/* failures injected so far */

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_mprotect(void *addr, size_t len, int prot);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_mprotect(void *addr, size_t len, int prot);

static bool inject(void)
{
	if (!inject_countdown || --inject_countdown)
		return false;
	injected++;
	errno = ENOMEM;
	return true;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return inject() ? MAP_FAILED : __real_mmap(addr, len, prot, flags, fd, off);
}

int __wrap_mprotect(void *addr, size_t len, int prot)
{
	return inject() ? -1 : __real_mprotect(addr, len, prot);
}

__attribute__((noreturn, format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_heap: model mismatch at op %lu (%s): ", op_index, op_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

__attribute__((format(printf, 1, 2)))
static void trace(const char *fmt, ...)
{
	va_list ap;

	if (!tracing)
		return;
	fprintf(stderr, "[%lu] ", op_index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *hr_name(HRESULT hr)
{
	switch (hr) {
	case S_OK: return "S_OK";
	case E_INVALIDARG: return "E_INVALIDARG";
	case E_OUTOFMEMORY: return "E_OUTOFMEMORY";
	case WS_E_QUOTA_EXCEEDED: return "WS_E_QUOTA_EXCEEDED";
	case WS_E_INVALID_OPERATION: return "WS_E_INVALID_OPERATION";
	case WSHEAP_E_NO_DEVICE: return "WSHEAP_E_NO_DEVICE";
	default: return "(other)";
	}
}

#define CHECK_HR(hr, want) \
	CHECK((hr) == (want), "returned 0x%08x %s, the model says 0x%08x %s", \
	      (unsigned int)(hr), hr_name(hr), (unsigned int)(want), hr_name(want))

static bool untouched(const void *buf, size_t from, size_t to)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = from; i < to; i++)
		if (b[i] != SENTINEL)
			return false;
	return true;
}

/* --------------------------------------------------- error objects */

static void error_push(struct error_model *m, const WCHAR *chars, ULONG len, const WCHAR *seen)
{
	struct str_model *s;

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->s = realloc(m->s, m->cap * sizeof(*m->s));
		if (!m->s)
			abort();
	}
	s = &m->s[m->n++];
	s->chars = malloc(len ? len * sizeof(WCHAR) : 1);
	if (!s->chars)
		abort();
	if (len)
		memcpy(s->chars, chars, len * sizeof(WCHAR));
	s->len = len;
	s->seen = seen;
}

static void error_forget(struct error_model *m)
{
	ULONG i;

	for (i = 0; i < m->n; i++)
		free(m->s[i].chars);
	free(m->s);
	m->s = NULL;
	m->n = m->cap = 0;
	m->code = 0;
}

static ULONG error_count(const struct error_model *m)
{
	return m->n + (m->code ? 1 : 0);
}

/* The model of the error object @e, or NULL. */
static struct error_model *error_of(WS_ERROR *e)
{
	unsigned int i;

	if (!e)
		return NULL;
	for (i = 0; i < NERRORS; i++)
		if (errors[i].e == e)
			return &errors[i];
	fail("an error object the model does not know");
}

static ULONG read_count(WS_ERROR *e)
{
	ULONG v = 0;
	HRESULT hr = WsGetErrorProperty(e, WS_ERROR_PROPERTY_STRING_COUNT, &v, sizeof(v));

	CHECK_HR(hr, S_OK);
	return v;
}

/*
 * After a heap call given @e: a failure adds one string saying what went
 * wrong, in ASCII; a success adds none.
 */
static void error_after_call(WS_ERROR *e, HRESULT hr)
{
	struct error_model *m = error_of(e);
	ULONG count, i;
	WS_STRING s;

	if (!m)
		return;
	count = read_count(e);
	if (SUCCEEDED(hr)) {
		CHECK(count == error_count(m), "a call that succeeded changed the string count "
		      "of its error object from %u to %u", (unsigned int)error_count(m),
		      (unsigned int)count);
		return;
	}
	CHECK(count == error_count(m) + 1, "a call that failed (0x%08x) left %u strings in its "
	      "error object, the model says %u", (unsigned int)hr, (unsigned int)count,
	      (unsigned int)error_count(m) + 1);
	CHECK_HR(WsGetErrorString(e, 0, &s), S_OK);
	CHECK(s.length >= 1 && s.length <= LIB_STRING_MAX && s.chars,
	      "the library's error string has length %u", (unsigned int)s.length);
	for (i = 0; i < s.length; i++)
		CHECK(s.chars[i] >= 0x20 && s.chars[i] < 0x7f,
		      "the library's error string has 0x%04x at %u", s.chars[i], (unsigned int)i);
	error_push(m, s.chars, s.length, s.chars);
	stats.error_strings++;
}

static void check_error(struct error_model *m)
{
	ULONG v = 0;
	LANGID l = 0;
	ULONG i;

	if (!m->e)
		return;
	CHECK(read_count(m->e) == error_count(m), "STRING_COUNT %u, the model says %u",
	      (unsigned int)read_count(m->e), (unsigned int)error_count(m));
	CHECK_HR(WsGetErrorProperty(m->e, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE, &v, sizeof(v)),
		 S_OK);
	CHECK(v == m->code, "ORIGINAL_ERROR_CODE 0x%08x, the model says 0x%08x",
	      (unsigned int)v, (unsigned int)m->code);
	CHECK_HR(WsGetErrorProperty(m->e, WS_ERROR_PROPERTY_LANGID, &l, sizeof(l)), S_OK);
	CHECK(l == m->langid, "LANGID 0x%04x, the model says 0x%04x", l, m->langid);
	/* Characters handed out stay valid, and unchanged, until a reset. */
	for (i = 0; i < m->n; i++)
		if (m->s[i].seen && m->s[i].len)
			CHECK(!memcmp(m->s[i].seen, m->s[i].chars, m->s[i].len * sizeof(WCHAR)),
			      "string %u (oldest first) changed after it was read",
			      (unsigned int)i);
}

/* An error object for a heap call: the flags' two bits pick none or a slot. */
static WS_ERROR *pick_error(unsigned int bits)
{
	bits &= 3;
	return bits ? errors[bits - 1].e : NULL;
}

/* ------------------------------------------------------------ heaps */

static size_t page_align_sat(size_t n)
{
	return n > SIZE_MAX - page ? SIZE_MAX : (n + page - 1) & ~(page - 1);
}

/* The window the design promises a heap: 8 * max + 64 KiB, at most 64 GiB. */
static size_t promised_window(SIZE_T max)
{
	if (max > (WINDOW_MAX - WINDOW_SLACK) / 8)
		return WINDOW_MAX;
	return max * 8 + WINDOW_SLACK;
}

static uint8_t pattern(uint32_t seed, size_t i)
{
	uint32_t x = seed * 0x9e3779b1u ^ (uint32_t)i * 0x85ebca77u ^ (uint32_t)(i >> 32);

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return (uint8_t)x;
}

/* The byte ranges of an allocation that are written: [0, head), [tail, size). */
static void written(const struct alloc *a, size_t *head, size_t *tail)
{
	*head = a->size < WRITE_HEAD ? a->size : WRITE_HEAD;
	*tail = a->size - *head > WRITE_TAIL ? a->size - WRITE_TAIL : *head;
}

static void fill(const struct alloc *a)
{
	size_t head, tail, i;

	written(a, &head, &tail);
	for (i = 0; i < head; i++)
		a->p[i] = pattern(a->seed, i);
	for (i = tail; i < a->size; i++)
		a->p[i] = pattern(a->seed, i);
}

static void verify_range(const struct heap_model *m, unsigned int k, size_t from, size_t to)
{
	const struct alloc *a = &m->a[k];
	size_t i;

	for (i = from; i < to; i++)
		CHECK(a->p[i] == pattern(a->seed, i), "heap %d: allocation %u (%p, %zu bytes) "
		      "changed at byte %zu", (int)(m - heaps), k, (void *)a->p, (size_t)a->size, i);
}

/* All that was written to allocation @k, or (not @full) its first and last bytes. */
static void verify_alloc(const struct heap_model *m, unsigned int k, bool full)
{
	const struct alloc *a = &m->a[k];
	size_t head, tail;

	if (!full) {
		verify_range(m, k, 0, a->size < 8 ? a->size : 8);
		if (a->size > 8)
			verify_range(m, k, a->size - 1, a->size);
		return;
	}
	written(a, &head, &tail);
	verify_range(m, k, 0, head);
	verify_range(m, k, tail, a->size);
}

static void verify_heap(const struct heap_model *m, bool full)
{
	unsigned int k;

	for (k = 0; k < m->n; k++)
		verify_alloc(m, k, full);
}

static SIZE_T heap_prop(WS_HEAP *h, WS_HEAP_PROPERTY_ID id)
{
	SIZE_T v = 0;

	CHECK_HR(WsGetHeapProperty(h, id, &v, sizeof(v), NULL), S_OK);
	return v;
}

static void check_heap(const struct heap_model *m)
{
	SIZE_T v;

	if (!m->h)
		return;
	v = heap_prop(m->h, WS_HEAP_PROPERTY_MAX_SIZE);
	CHECK(v == m->max, "MAX_SIZE %zu, the model says %zu", (size_t)v, (size_t)m->max);
	v = heap_prop(m->h, WS_HEAP_PROPERTY_TRIM_SIZE);
	CHECK(v == m->trim, "TRIM_SIZE %zu, the model says %zu", (size_t)v, (size_t)m->trim);
	v = heap_prop(m->h, WS_HEAP_PROPERTY_REQUESTED_SIZE);
	CHECK(v == m->requested, "REQUESTED_SIZE %zu, the model says %zu", (size_t)v,
	      (size_t)m->requested);
	v = heap_prop(m->h, WS_HEAP_PROPERTY_ACTUAL_SIZE);
	if (!m->allocated)
		CHECK(v == 0, "ACTUAL_SIZE %zu before the heap's first allocation", (size_t)v);
	else
		CHECK(v >= m->used, "ACTUAL_SIZE %zu, less than the %zu bytes handed out",
		      (size_t)v, m->used);
}

/*
 * The design's promise on system calls (process backend: one per grow or
 * trim): a call enters the kernel at most once, and once the heap has
 * allocated, exactly when it changes the heap's memory.  (Before, a heap
 * from the cache reads ACTUAL_SIZE 0 whatever memory it kept: its first
 * allocation shows that memory without an entry, a reset may trim it.)
 */
static void check_entries(const struct heap_model *m, uint64_t entries, SIZE_T actual,
			  bool allocated, bool refused)
{
	uint64_t now = wsheap_kernel_entries(m->h);
	SIZE_T v = heap_prop(m->h, WS_HEAP_PROPERTY_ACTUAL_SIZE);

	CHECK(now - entries <= 1, "one call entered the kernel %llu times",
	      (unsigned long long)(now - entries));
	if (!allocated)
		return;
	if (refused)
		CHECK(v == actual, "the system refused, and ACTUAL_SIZE went from %zu to %zu",
		      (size_t)actual, (size_t)v);
	else if (now != entries)
		CHECK(v != actual, "a call entered the kernel, and ACTUAL_SIZE stayed %zu",
		      (size_t)v);
	else
		CHECK(v == actual, "ACTUAL_SIZE went from %zu to %zu without entering the kernel",
		      (size_t)actual, (size_t)v);
}

static void heap_forget(struct heap_model *m)
{
	m->h = NULL;
	m->requested = 0;
	m->used = 0;
	m->n = 0;
	m->allocated = false;
}

static void heap_free(struct heap_model *m)
{
	if (!m->h)
		return;
	verify_heap(m, true);
	WsFreeHeap(m->h);
	heap_forget(m);
}

/*
 * A size from boundary-heavy choices; for an allocation (@m not NULL),
 * also the quota left and its neighbours.
 */
static SIZE_T pick_size(struct reader *r, const struct heap_model *m)
{
	uint8_t sel = rd_u8(r);
	SIZE_T left = m && m->h ? m->max - m->requested : 0;

	if (sel < 128)
		return sel;		/* small sizes: the common, fast case */
	switch (sel % 24) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 7;
	case 3: return 8;
	case 4: return 9;
	case 5: return 4095;
	case 6: return 4096;
	case 7: return 4097;
	case 8: return 65536;
	case 9: return (SIZE_T)1 << 20;
	case 10: return SIZE_MAX;
	case 11: return SIZE_MAX - 7;
	case 12: return SIZE_MAX - 8;
	case 13: return (SIZE_T)rd_u64(r);
	case 14: return rd_u16(r);
	case 15: return (SIZE_T)256 << 10;
	case 16: return (WINDOW_MAX - WINDOW_SLACK) / 8;
	case 17: return (WINDOW_MAX - WINDOW_SLACK) / 8 + 1;
	case 18: return (SIZE_T)rd_u32(r);
	case 19: return left;
	case 20: return left + 1;
	case 21: return left ? left - 1 : 0;
	case 22: return rd_u8(r) * (SIZE_T)page;
	default: return (SIZE_T)1 << (rd_u8(r) % 64);
	}
}

static void op_create_heap(struct reader *r)
{
	unsigned int slot = rd_u8(r) % NHEAPS;
	SIZE_T max = pick_size(r, NULL), trim = pick_size(r, NULL);
	uint8_t flags = rd_u8(r);
	bool null_out = flags & 1;
	SIZE_T pmax = max;
	WS_HEAP_PROPERTY prop = { WS_HEAP_PROPERTY_MAX_SIZE, &pmax, sizeof(pmax) };
	const WS_HEAP_PROPERTY *props = NULL;
	ULONG count = 0;
	WS_ERROR *e = pick_error(flags >> 4);
	struct heap_model *m = &heaps[slot];
	WS_HEAP *out = UNTOUCHED_PTR;
	unsigned long inj;
	HRESULT hr;
	unsigned int i;

	if (flags & 2)
		count = 1;			/* NULL properties */
	if (flags & 4) {
		count = 1;			/* reserved: even a well-formed one */
		props = &prop;
	}
	op_name = "WsCreateHeap";
	trace("WsCreateHeap(max %zu, trim %zu, props %s, count %u, %s, error %p) slot %u",
	      (size_t)max, (size_t)trim, props ? "one" : "NULL", (unsigned int)count,
	      null_out ? "NULL" : "&heap", (void *)e, slot);
	if (!null_out)
		heap_free(m);
	stats.creates++;
	inj = injected;
	hr = WsCreateHeap(max, trim, props, count, null_out ? NULL : &out, e);
	trace("  -> 0x%08x %s %p%s", (unsigned int)hr, hr_name(hr), (void *)out,
	      injected != inj ? " (mmap refused)" : "");
	if (null_out || count) {
		CHECK_HR(hr, E_INVALIDARG);
		CHECK(out == UNTOUCHED_PTR, "a failed WsCreateHeap wrote its out-parameter");
	} else if (injected != inj) {
		CHECK_HR(hr, E_OUTOFMEMORY);
		CHECK(out == UNTOUCHED_PTR, "a failed WsCreateHeap wrote its out-parameter");
	} else if (hr == E_OUTOFMEMORY) {
		/* The window (up to 64 GiB) may be refused, under ASan above all. */
		CHECK(out == UNTOUCHED_PTR, "a failed WsCreateHeap wrote its out-parameter");
		stats.create_oom++;
	} else {
		CHECK_HR(hr, S_OK);
		CHECK(out && out != UNTOUCHED_PTR, "WsCreateHeap gave %p", (void *)out);
		for (i = 0; i < NHEAPS; i++)
			CHECK(heaps[i].h != out, "WsCreateHeap gave heap %p, still live in slot %u",
			      (void *)out, i);
		CHECK(wsheap_kernel_entries(out) <= 1, "WsCreateHeap entered the kernel %llu times",
		      (unsigned long long)wsheap_kernel_entries(out));
		heap_forget(m);
		m->h = out;
		m->max = max;
		m->trim = trim;
		stats.create_ok++;
	}
	error_after_call(e, hr);
	check_heap(m);
}

static void alloc_one(struct heap_model *m, SIZE_T size, bool null_heap, bool null_ptr,
		      WS_ERROR *e)
{
	WS_HEAP *h = null_heap ? NULL : m->h;
	/* Before the call: what check_entries() compares with. */
	uint64_t entries = h ? wsheap_kernel_entries(h) : 0;
	SIZE_T actual = h ? heap_prop(h, WS_HEAP_PROPERTY_ACTUAL_SIZE) : 0;
	bool allocated = m->allocated, refused, may_fail;
	unsigned long inj = injected;
	void *ptr = UNTOUCHED_PTR;
	SIZE_T left, need;
	size_t window;
	unsigned char *p;
	struct alloc *a;
	unsigned int k;
	HRESULT hr;

	stats.allocs++;
	hr = WsAlloc(h, size, null_ptr ? NULL : &ptr, e);
	refused = injected != inj;
	trace("WsAlloc(heap %p, %zu, %s, error %p) -> 0x%08x %s %p%s", (void *)h, (size_t)size,
	      null_ptr ? "NULL" : "&ptr", (void *)e, (unsigned int)hr, hr_name(hr), ptr,
	      refused ? " (mprotect refused)" : "");
	if (!h || null_ptr) {
		CHECK_HR(hr, E_INVALIDARG);
		CHECK(ptr == UNTOUCHED_PTR, "a failed WsAlloc wrote *ptr");
		CHECK(!refused, "WsAlloc entered the kernel for a bad argument");
		error_after_call(e, hr);
		if (h)
			check_entries(m, entries, actual, allocated, false);
		return;
	}
	left = m->max - m->requested;
	if (size > left) {
		CHECK_HR(hr, WS_E_QUOTA_EXCEEDED);
		CHECK(ptr == UNTOUCHED_PTR, "a refused WsAlloc wrote *ptr");
		CHECK(!refused, "WsAlloc entered the kernel for a refused request");
		stats.quota++;
		error_after_call(e, hr);
		check_heap(m);
		check_entries(m, entries, actual, allocated, false);
		return;
	}
	/* Within the quota: it must succeed, if it fits the window promised. */
	need = size ? (size + 7) & ~(SIZE_T)7 : 8;
	window = promised_window(m->max);
	may_fail = !need || need > window || m->used > window - need;
	if (refused)
		CHECK_HR(hr, E_OUTOFMEMORY);
	if (hr == E_OUTOFMEMORY && (may_fail || refused)) {
		CHECK(ptr == UNTOUCHED_PTR, "a failed WsAlloc wrote *ptr");
		stats.alloc_oom++;
		error_after_call(e, hr);
		check_heap(m);
		check_entries(m, entries, actual, allocated, refused);
		return;
	}
	CHECK(hr == S_OK, "WsAlloc of %zu bytes, within the quota (%zu of %zu left) and the "
	      "%zu-byte window (%zu used), returned 0x%08x %s", (size_t)size, (size_t)left,
	      (size_t)m->max, window, m->used, (unsigned int)hr, hr_name(hr));
	p = ptr;
	CHECK(p && p != UNTOUCHED_PTR, "WsAlloc succeeded but gave %p", (void *)p);
	CHECK((uintptr_t)p % 8 == 0, "WsAlloc gave %p, not 8-byte aligned", (void *)p);
	for (k = 0; k < m->n; k++) {
		const struct alloc *o = &m->a[k];
		size_t olen = o->size ? o->size : 1, len = size ? size : 1;

		CHECK(p + len <= o->p || o->p + olen <= p, "WsAlloc gave [%p, +%zu), overlapping "
		      "allocation %u [%p, +%zu)", (void *)p, (size_t)size, k, (void *)o->p,
		      (size_t)o->size);
	}
	m->requested += size;
	m->used += need;
	m->allocated = true;
	stats.alloc_ok++;
	if (m->n < TRACK_MAX) {
		a = &m->a[m->n++];
		a->p = p;
		a->size = size;
		a->seed = ++seed_counter;
		fill(a);
	}
	error_after_call(e, hr);
	check_entries(m, entries, actual, allocated, false);
}

static void op_alloc(struct reader *r)
{
	struct heap_model *m = &heaps[rd_u8(r) % NHEAPS];
	SIZE_T size = pick_size(r, m);
	uint8_t flags = rd_u8(r);

	op_name = "WsAlloc";
	alloc_one(m, size, flags & 1, flags & 2, pick_error(flags >> 4));
	verify_heap(m, false);
	check_heap(m);
}

/* Many small allocations in a row: the fast path. */
static void op_alloc_burst(struct reader *r)
{
	struct heap_model *m = &heaps[rd_u8(r) % NHEAPS];
	unsigned int count = 1 + rd_u8(r) % 64, i;
	uint8_t step = rd_u8(r) % 32;

	op_name = "WsAlloc burst";
	for (i = 0; i < count; i++)
		alloc_one(m, (SIZE_T)step * i % 97, false, false, NULL);
	verify_heap(m, false);
	check_heap(m);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(unsigned char *const *)a;
	uintptr_t y = (uintptr_t)*(unsigned char *const *)b;

	return x < y ? -1 : x > y;
}

/*
 * Many allocations of one tiny size (0 to 8 bytes): up to 239, or (once an
 * input) up to the quota or the end of the window, what shows that 8 times
 * the max size, plus room for zero-byte allocations, is address space
 * enough.  The model checks each one, but not against the others one by
 * one: they are sorted at the end.
 */
static void op_fill(struct reader *r)
{
	struct heap_model *m = &heaps[rd_u8(r) % NHEAPS];
	SIZE_T size = rd_u8(r) % 9, need = size ? (size + 7) & ~(SIZE_T)7 : 8;
	uint8_t sel = rd_u8(r);
	size_t limit = sel < 0xf0 ? sel : FILL_MAX, n = 0, i, lo, hi, len = size ? size : 1;
	size_t window = promised_window(m->max);
	unsigned char **ps;
	unsigned long inj;
	unsigned int k;
	void *p;
	HRESULT hr;

	op_name = "WsAlloc fill";
	trace("fill heap %p with up to %zu allocations of %zu bytes", (void *)m->h, limit,
	      (size_t)size);
	if (!m->h || (limit == FILL_MAX && filled))
		return;
	filled |= limit == FILL_MAX;
	ps = malloc((limit ? limit : 1) * sizeof(*ps));
	if (!ps)
		abort();
	while (n < limit) {
		p = UNTOUCHED_PTR;
		inj = injected;
		hr = WsAlloc(m->h, size, &p, NULL);
		stats.allocs++;
		if (size > m->max - m->requested) {
			CHECK_HR(hr, WS_E_QUOTA_EXCEEDED);
			CHECK(p == UNTOUCHED_PTR, "a refused WsAlloc wrote *ptr");
			stats.quota++;
			break;
		}
		if (hr == E_OUTOFMEMORY && (injected != inj || m->used > window - need)) {
			CHECK(p == UNTOUCHED_PTR, "a failed WsAlloc wrote *ptr");
			stats.alloc_oom++;
			break;
		}
		CHECK(hr == S_OK, "WsAlloc of %zu bytes, within the quota (%zu of %zu left) and the "
		      "%zu-byte window (%zu used), returned 0x%08x %s", (size_t)size,
		      (size_t)(m->max - m->requested), (size_t)m->max, window, m->used,
		      (unsigned int)hr, hr_name(hr));
		CHECK(p && p != UNTOUCHED_PTR && (uintptr_t)p % 8 == 0,
		      "WsAlloc succeeded but gave %p", p);
		stats.alloc_ok++;
		m->requested += size;
		m->used += need;
		m->allocated = true;
		ps[n++] = p;
		if (size)
			*(unsigned char *)p = (unsigned char)n;
	}
	trace("  %zu allocations", n);
	for (i = 0; i < n && size; i++)
		CHECK(ps[i][0] == (unsigned char)(i + 1), "allocation %zu of the fill changed", i);
	for (i = 1; i < n && ps[i - 1] < ps[i]; i++)
		;
	if (i < n)
		qsort(ps, n, sizeof(*ps), cmp_ptr);
	for (i = 1; i < n; i++)
		CHECK(ps[i - 1] + len <= ps[i], "WsAlloc gave %p and %p, %zu-byte allocations",
		      (void *)ps[i - 1], (void *)ps[i], (size_t)size);
	/* Nor do they overlap what was allocated before. */
	for (k = 0; k < m->n && n; k++) {
		const struct alloc *a = &m->a[k];
		size_t alen = a->size ? a->size : 1;

		for (lo = 0, hi = n; lo < hi;) {	/* the first at or after a */
			i = lo + (hi - lo) / 2;
			if (ps[i] < a->p)
				lo = i + 1;
			else
				hi = i;
		}
		CHECK(lo == n || a->p + alen <= ps[lo], "the fill overlaps allocation %u", k);
		CHECK(lo == 0 || ps[lo - 1] + len <= a->p, "the fill overlaps allocation %u", k);
	}
	free(ps);
	verify_heap(m, false);
	check_heap(m);
}

static void op_reset_heap(struct reader *r)
{
	struct heap_model *m = &heaps[rd_u8(r) % NHEAPS];
	uint8_t flags = rd_u8(r);
	WS_HEAP *h = flags & 1 ? NULL : m->h;
	WS_ERROR *e = pick_error(flags >> 4);
	SIZE_T before = 0, after;
	uint64_t entries = 0;
	unsigned long inj = injected;
	bool refused;
	HRESULT hr;

	op_name = "WsResetHeap";
	if (h) {
		verify_heap(m, true);
		before = heap_prop(h, WS_HEAP_PROPERTY_ACTUAL_SIZE);
		entries = wsheap_kernel_entries(h);
	}
	hr = WsResetHeap(h, e);
	refused = injected != inj;
	trace("WsResetHeap(%p, error %p) -> 0x%08x %s%s", (void *)h, (void *)e, (unsigned int)hr,
	      hr_name(hr), refused ? " (mmap refused)" : "");
	if (!h) {
		CHECK_HR(hr, E_INVALIDARG);
		error_after_call(e, hr);
		return;
	}
	CHECK_HR(hr, S_OK);
	stats.resets++;
	m->requested = 0;
	m->used = 0;
	m->n = 0;
	error_after_call(e, hr);
	check_heap(m);
	check_entries(m, entries, before, m->allocated, refused);
	after = heap_prop(h, WS_HEAP_PROPERTY_ACTUAL_SIZE);
	if (refused)
		return;		/* the memory stays: checked above */
	if (m->trim > m->max)
		CHECK(after == before, "a reset with the trim size (%zu) past the max size (%zu) "
		      "changed ACTUAL_SIZE from %zu to %zu", (size_t)m->trim, (size_t)m->max,
		      (size_t)before, (size_t)after);
	else
		CHECK(after <= before && after <= page_align_sat(m->trim), "a reset with trim size "
		      "%zu took ACTUAL_SIZE from %zu to %zu", (size_t)m->trim, (size_t)before,
		      (size_t)after);
}

static void op_free_heap(struct reader *r)
{
	struct heap_model *m = &heaps[rd_u8(r) % NHEAPS];
	uint8_t flags = rd_u8(r);

	op_name = "WsFreeHeap";
	trace("WsFreeHeap(%p)", flags & 1 ? NULL : (void *)m->h);
	if (flags & 1)
		WsFreeHeap(NULL);
	else
		heap_free(m);
}

/* A property id: the valid ones, their neighbours, anything. */
static uint32_t pick_id(struct reader *r, unsigned int valid)
{
	uint8_t sel = rd_u8(r);

	if (sel < 200)
		return sel % (valid + 1);
	if (sel < 250)
		return sel % 2 ? UINT32_MAX : 0x80000000u;
	return rd_u32(r);
}

static ULONG pick_prop_size(struct reader *r, ULONG right)
{
	uint8_t sel = rd_u8(r);

	if (sel < 160)
		return right;
	return sel % (PROP_SIZE_MAX + 1);
}

static void op_get_heap_property(struct reader *r)
{
	struct heap_model *m = &heaps[rd_u8(r) % NHEAPS];
	uint32_t id = pick_id(r, 4);
	ULONG size = pick_prop_size(r, sizeof(SIZE_T));
	uint8_t flags = rd_u8(r);
	WS_HEAP *h = flags & 1 ? NULL : m->h;
	WS_ERROR *e = pick_error(flags >> 4);
	unsigned char buf[PROP_BUF];
	SIZE_T v, want;
	HRESULT hr;

	op_name = "WsGetHeapProperty";
	memset(buf, SENTINEL, sizeof(buf));
	hr = WsGetHeapProperty(h, (WS_HEAP_PROPERTY_ID)id, flags & 2 ? NULL : buf, size, e);
	trace("WsGetHeapProperty(%p, %u, %s, %u, error %p) -> 0x%08x %s", (void *)h,
	      (unsigned int)id, flags & 2 ? "NULL" : "buf", (unsigned int)size, (void *)e,
	      (unsigned int)hr, hr_name(hr));
	if (!h || flags & 2 || size != sizeof(SIZE_T) || id > WS_HEAP_PROPERTY_ACTUAL_SIZE) {
		CHECK_HR(hr, E_INVALIDARG);
		CHECK(untouched(buf, 0, sizeof(buf)), "a failed WsGetHeapProperty wrote its buffer");
		error_after_call(e, hr);
		return;
	}
	CHECK_HR(hr, S_OK);
	CHECK(untouched(buf, sizeof(SIZE_T), sizeof(buf)),
	      "WsGetHeapProperty wrote past sizeof(SIZE_T)");
	memcpy(&v, buf, sizeof(v));
	error_after_call(e, hr);
	switch (id) {
	case WS_HEAP_PROPERTY_MAX_SIZE:
		want = m->max;
		break;
	case WS_HEAP_PROPERTY_TRIM_SIZE:
		want = m->trim;
		break;
	case WS_HEAP_PROPERTY_REQUESTED_SIZE:
		want = m->requested;
		break;
	default:
		CHECK(v == heap_prop(h, WS_HEAP_PROPERTY_ACTUAL_SIZE),
		      "ACTUAL_SIZE read %zu, then something else", (size_t)v);
		check_heap(m);
		return;
	}
	CHECK(v == want, "property %u is %zu, the model says %zu", (unsigned int)id, (size_t)v,
	      (size_t)want);
}

/* ------------------------------------------------ error object calls */

static void op_create_error(struct reader *r)
{
	unsigned int slot = rd_u8(r) % NERRORS;
	unsigned int count = rd_u8(r) % 5, i;
	uint8_t flags = rd_u8(r);
	WS_ERROR_PROPERTY props[4];
	unsigned char values[4][PROP_SIZE_MAX];
	struct error_model *m = &errors[slot];
	LANGID langid = DEFAULT_LANGID, l;
	WS_ERROR *out = UNTOUCHED_PTR;
	bool ok = !(flags & 1) && !(count && flags & 2);
	HRESULT hr;

	op_name = "WsCreateError";
	for (i = 0; i < count; i++) {
		uint8_t vf = rd_u8(r);

		props[i].id = (WS_ERROR_PROPERTY_ID)pick_id(r, 3);
		props[i].valueSize = pick_prop_size(r, sizeof(LANGID));
		memset(values[i], SENTINEL, sizeof(values[i]));
		l = vf & 1 ? 0 : vf & 2 ? rd_u16(r) : vf & 4 ? 0x0413 : DEFAULT_LANGID;
		memcpy(values[i], &l, sizeof(l));
		props[i].value = vf & 8 ? NULL : values[i];
		if (props[i].id != WS_ERROR_PROPERTY_LANGID || !props[i].value ||
		    props[i].valueSize != sizeof(LANGID) || !l)
			ok = false;
		else
			langid = l;
	}
	if (!(flags & 1)) {
		check_error(m);
		WsFreeError(m->e);
		error_forget(m);
		m->e = NULL;
	}
	hr = WsCreateError(flags & 2 ? NULL : props, count, flags & 1 ? NULL : &out);
	trace("WsCreateError(%s, %u, %s) -> 0x%08x %s %p", flags & 2 ? "NULL" : "props", count,
	      flags & 1 ? "NULL" : "&error", (unsigned int)hr, hr_name(hr), (void *)out);
	if (!ok) {
		CHECK_HR(hr, E_INVALIDARG);
		CHECK(out == UNTOUCHED_PTR, "a failed WsCreateError wrote its out-parameter");
		return;
	}
	CHECK_HR(hr, S_OK);
	CHECK(out && out != UNTOUCHED_PTR, "WsCreateError gave %p", (void *)out);
	m->e = out;
	m->langid = langid;
	check_error(m);
}

static void op_free_error(struct reader *r)
{
	struct error_model *m = &errors[rd_u8(r) % NERRORS];
	uint8_t flags = rd_u8(r);

	op_name = "WsFreeError";
	trace("WsFreeError(%p)", flags & 1 ? NULL : (void *)m->e);
	if (flags & 1) {
		WsFreeError(NULL);
		return;
	}
	check_error(m);
	WsFreeError(m->e);
	error_forget(m);
	m->e = NULL;
}

static void op_reset_error(struct reader *r)
{
	struct error_model *m = &errors[rd_u8(r) % NERRORS];
	uint8_t flags = rd_u8(r);
	WS_ERROR *e = flags & 1 ? NULL : m->e;
	HRESULT hr;

	op_name = "WsResetError";
	check_error(m);
	hr = WsResetError(e);
	trace("WsResetError(%p) -> 0x%08x %s", (void *)e, (unsigned int)hr, hr_name(hr));
	if (!e) {
		CHECK_HR(hr, E_INVALIDARG);
		return;
	}
	CHECK_HR(hr, S_OK);
	error_forget(m);
	check_error(m);
}

static ULONG pick_length(struct reader *r)
{
	static const ULONG lengths[] = { 0, 1, 2, 7, 8, 47, 48, 49, 255, 511, 512, 513 };
	uint8_t sel = rd_u8(r);

	if (sel < 64)
		return sel;
	if (sel < 64 + sizeof(lengths) / sizeof(lengths[0]))
		return lengths[sel - 64];
	return rd_u16(r) % (STRING_MAX + 1);
}

static void op_add_error_string(struct reader *r)
{
	struct error_model *m = &errors[rd_u8(r) % NERRORS];
	ULONG len = pick_length(r), i;
	uint8_t flags = rd_u8(r);
	WS_ERROR *e = flags & 1 ? NULL : m->e;
	WCHAR *chars = malloc((len + 1) * sizeof(WCHAR));
	WS_STRING s = { len, flags & 4 ? NULL : chars };
	HRESULT hr;

	op_name = "WsAddErrorString";
	if (!chars)
		abort();
	/* Characters from the input, then from a pattern when it runs out. */
	for (i = 0; i < len; i++)
		chars[i] = s.chars && r->pos + 1 < r->end ? rd_u16(r) : (WCHAR)(i * 7919u);
	hr = WsAddErrorString(e, flags & 2 ? NULL : &s);
	trace("WsAddErrorString(%p, %s length %u%s) -> 0x%08x %s", (void *)e,
	      flags & 2 ? "NULL" : "string", (unsigned int)len, s.chars ? "" : " chars NULL",
	      (unsigned int)hr, hr_name(hr));
	if (!e || flags & 2 || (len && !s.chars)) {
		CHECK_HR(hr, E_INVALIDARG);
	} else {
		CHECK_HR(hr, S_OK);
		error_push(m, chars, len, NULL);
	}
	/* The object has its own copy. */
	for (i = 0; i < len; i++)
		chars[i] = (WCHAR)~chars[i];
	free(chars);
	check_error(m);
}

static void op_get_error_string(struct reader *r)
{
	struct error_model *m = &errors[rd_u8(r) % NERRORS];
	uint8_t sel = rd_u8(r), flags = rd_u8(r);
	WS_ERROR *e = flags & 1 ? NULL : m->e;
	ULONG count = error_count(m), index, i;
	WS_STRING s = { 0xdeadbeef, UNTOUCHED_PTR };
	struct str_model *want;
	char hex[9];
	HRESULT hr;

	op_name = "WsGetErrorString";
	switch (sel % 8) {
	case 0: index = 0; break;
	case 1: index = count - 1; break;
	case 2: index = count; break;
	case 3: index = count + 1; break;
	case 4: index = m->n; break;
	case 5: index = UINT32_MAX; break;
	case 6: index = rd_u32(r); break;
	default: index = rd_u8(r) % (count + 2); break;
	}
	hr = WsGetErrorString(e, index, flags & 2 ? NULL : &s);
	trace("WsGetErrorString(%p, %u, %s) -> 0x%08x %s", (void *)e, (unsigned int)index,
	      flags & 2 ? "NULL" : "&string", (unsigned int)hr, hr_name(hr));
	if (!e || flags & 2 || index >= count) {
		CHECK_HR(hr, E_INVALIDARG);
		CHECK(s.length == 0xdeadbeef && s.chars == UNTOUCHED_PTR,
		      "a failed WsGetErrorString wrote its out-parameter");
		return;
	}
	CHECK_HR(hr, S_OK);
	if (index < m->n) {
		want = &m->s[m->n - 1 - index];
		CHECK(s.length == want->len, "string %u has length %u, the model says %u",
		      (unsigned int)index, (unsigned int)s.length, (unsigned int)want->len);
		CHECK(!s.length || (s.chars && !memcmp(s.chars, want->chars,
						       s.length * sizeof(WCHAR))),
		      "string %u (newest first) is not what was added", (unsigned int)index);
		want->seen = s.chars;
		return;
	}
	/* The last one: a string naming the original error code. */
	CHECK(s.length >= 8 && s.length <= 48 && s.chars,
	      "the original error code's string has length %u", (unsigned int)s.length);
	snprintf(hex, sizeof(hex), "%08X", (unsigned int)m->code);
	for (i = 0; i + 8 <= s.length; i++) {
		ULONG j;

		for (j = 0; j < 8; j++)
			if (s.chars[i + j] != (WCHAR)hex[j] &&
			    s.chars[i + j] != (WCHAR)(hex[j] | 0x20))
				break;
		if (j == 8)
			break;
	}
	CHECK(i + 8 <= s.length, "the original error code's string does not name 0x%s", hex);
}

static void op_get_error_property(struct reader *r)
{
	struct error_model *m = &errors[rd_u8(r) % NERRORS];
	uint32_t id = pick_id(r, 3);
	ULONG right = id == WS_ERROR_PROPERTY_LANGID ? sizeof(LANGID) : sizeof(ULONG);
	ULONG size = pick_prop_size(r, right);
	uint8_t flags = rd_u8(r);
	WS_ERROR *e = flags & 1 ? NULL : m->e;
	unsigned char buf[PROP_BUF];
	ULONG v = 0;
	LANGID l = 0;
	HRESULT hr;

	op_name = "WsGetErrorProperty";
	memset(buf, SENTINEL, sizeof(buf));
	hr = WsGetErrorProperty(e, (WS_ERROR_PROPERTY_ID)id, flags & 2 ? NULL : buf, size);
	trace("WsGetErrorProperty(%p, %u, %s, %u) -> 0x%08x %s", (void *)e, (unsigned int)id,
	      flags & 2 ? "NULL" : "buf", (unsigned int)size, (unsigned int)hr, hr_name(hr));
	if (!e || flags & 2 || id > WS_ERROR_PROPERTY_LANGID || size != right) {
		CHECK_HR(hr, E_INVALIDARG);
		CHECK(untouched(buf, 0, sizeof(buf)), "a failed WsGetErrorProperty wrote its buffer");
		return;
	}
	CHECK_HR(hr, S_OK);
	CHECK(untouched(buf, right, sizeof(buf)), "WsGetErrorProperty wrote past %u bytes",
	      (unsigned int)right);
	if (id == WS_ERROR_PROPERTY_LANGID) {
		memcpy(&l, buf, sizeof(l));
		CHECK(l == m->langid, "LANGID 0x%04x, the model says 0x%04x", l, m->langid);
		return;
	}
	memcpy(&v, buf, sizeof(v));
	if (id == WS_ERROR_PROPERTY_STRING_COUNT)
		CHECK(v == error_count(m), "STRING_COUNT %u, the model says %u", (unsigned int)v,
		      (unsigned int)error_count(m));
	else
		CHECK(v == m->code, "ORIGINAL_ERROR_CODE 0x%08x, the model says 0x%08x",
		      (unsigned int)v, (unsigned int)m->code);
}

static void op_set_error_property(struct reader *r)
{
	struct error_model *m = &errors[rd_u8(r) % NERRORS];
	uint32_t id = pick_id(r, 3);
	ULONG size = pick_prop_size(r, sizeof(ULONG));
	uint8_t sel = rd_u8(r), flags = rd_u8(r);
	WS_ERROR *e = flags & 1 ? NULL : m->e;
	unsigned char buf[PROP_BUF];
	ULONG code;
	HRESULT hr;

	op_name = "WsSetErrorProperty";
	switch (sel % 6) {
	case 0: code = 0; break;
	case 1: code = 1; break;
	case 2: code = (ULONG)E_INVALIDARG; break;
	case 3: code = 0xdeadbeef; break;
	case 4: code = UINT32_MAX; break;
	default: code = rd_u32(r); break;
	}
	memset(buf, SENTINEL, sizeof(buf));
	memcpy(buf, &code, sizeof(code));
	hr = WsSetErrorProperty(e, (WS_ERROR_PROPERTY_ID)id, flags & 2 ? NULL : buf, size);
	trace("WsSetErrorProperty(%p, %u, %s 0x%08x, %u) -> 0x%08x %s", (void *)e,
	      (unsigned int)id, flags & 2 ? "NULL" : "&code", (unsigned int)code,
	      (unsigned int)size, (unsigned int)hr, hr_name(hr));
	CHECK(!memcmp(buf, &code, sizeof(code)) && untouched(buf, sizeof(code), sizeof(buf)),
	      "WsSetErrorProperty wrote to its value");
	if (!e) {
		CHECK_HR(hr, E_INVALIDARG);
	} else if (id == WS_ERROR_PROPERTY_LANGID) {
		CHECK_HR(hr, WS_E_INVALID_OPERATION);
	} else if (id == WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE && !(flags & 2) &&
		   size == sizeof(ULONG)) {
		CHECK_HR(hr, S_OK);
		m->code = code;
	} else {
		CHECK_HR(hr, E_INVALIDARG);
	}
	check_error(m);
}

static void verify_all(void)
{
	unsigned int i;

	for (i = 0; i < NHEAPS; i++) {
		verify_heap(&heaps[i], true);
		check_heap(&heaps[i]);
	}
	for (i = 0; i < NERRORS; i++)
		check_error(&errors[i]);
}

/* Make the library's next system call, or one of the three after, fail. */
static void op_inject(struct reader *r)
{
	op_name = "inject";
	inject_countdown = 1 + rd_u8(r) % 4;
	trace("system call %u from now will fail", inject_countdown);
}

static void op_verify(struct reader *r)
{
	(void)r;
	op_name = "verify";
	verify_all();
}

static void (*const ops[])(struct reader *r) = {
	op_create_heap,
	op_alloc,
	op_alloc,
	op_alloc_burst,
	op_reset_heap,
	op_free_heap,
	op_get_heap_property,
	op_create_error,
	op_free_error,
	op_reset_error,
	op_add_error_string,
	op_get_error_string,
	op_get_error_property,
	op_set_error_property,
	op_verify,
	op_inject,
	op_fill,
};

/* ------------------------------------------------------------ entry */

static void print_stats(void)
{
	fprintf(stderr, "fuzz_heap: %lu inputs, %lu ops; WsCreateHeap %lu (%lu S_OK, %lu "
		"E_OUTOFMEMORY); WsAlloc %lu (%lu S_OK, %lu quota, %lu E_OUTOFMEMORY); "
		"%lu resets; %lu library error strings; %lu system calls refused\n",
		stats.inputs, stats.ops, stats.creates, stats.create_ok, stats.create_oom,
		stats.allocs, stats.alloc_ok, stats.quota, stats.alloc_oom, stats.resets,
		stats.error_strings, injected);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (setenv("WSHEAP_BACKEND", "process", 1))
		abort();
	tracing = getenv("FUZZ_HEAP_TRACE") && *getenv("FUZZ_HEAP_TRACE") == '1';
	if (getenv("FUZZ_HEAP_STATS"))
		atexit(print_stats);
	page = (size_t)sysconf(_SC_PAGESIZE);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, data + size };
	const char *why;
	unsigned int i;

	stats.inputs++;
	filled = false;
	op_index = 0;
	op_name = "start of input";
	/* Every input starts with no heap, live or cached: it reproduces alone. */
	CHECK(fuzz_heap_live_count() == 0, "%u heaps live after all were freed",
	      fuzz_heap_live_count());
	fuzz_heap_cache_flush(&why);
	CHECK(!why, "the heap cache: %s", why);
	while (r.pos < r.end) {
		ops[rd_u8(&r) % (sizeof(ops) / sizeof(ops[0]))](&r);
		op_index++;
		stats.ops++;
	}
	op_name = "end of input";
	inject_countdown = 0;
	verify_all();
	for (i = 0; i < NHEAPS; i++)
		heap_free(&heaps[i]);
	for (i = 0; i < NERRORS; i++) {
		WsFreeError(errors[i].e);
		error_forget(&errors[i]);
		errors[i].e = NULL;
	}
	CHECK(fuzz_heap_live_count() == 0, "%u heaps live after all were freed",
	      fuzz_heap_live_count());
	return 0;
}

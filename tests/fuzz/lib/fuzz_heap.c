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
 *    and anything up to it succeeds, whatever the max size (SIZE_MAX
 *    included), unless the system refuses: E_OUTOFMEMORY only when the
 *    call's last system call failed (injected, or a real refusal of
 *    address space, which ASan's layout may give), or for a request of
 *    more than half the address space, which no process has;
 *  - REQUESTED_SIZE is that sum.  ACTUAL_SIZE is the memory the heap's
 *    chunks hold (the library's books are checked to add up to it), and
 *    reads 0 for a heap fresh from the cache of freed heaps; a heap's
 *    first backing is what its first allocation needs, in pages; a
 *    growth backs at most grow_bytes()'s step; ACTUAL_SIZE covers what
 *    was handed out and stays within actual_bound()'s bound;
 *  - a reset keeps min(ACTUAL_SIZE, the trim size in pages and at least a
 *    page), all of it if the trim size passes the max size, and enters
 *    the kernel exactly when the heap holds more than that; a reset whose
 *    giving back is refused still succeeds, the memory kept;
 *  - the cache of freed heaps is modelled: WsFreeHeap keeps the heap with
 *    what a reset would keep, up to 64 heaps and 8 MiB, letting the oldest
 *    go; WsCreateHeap serves the most recent, whatever its max size, and
 *    a new heap only when the cache is empty;
 *  - every failing call that was given an error object adds exactly one
 *    string to it (ASCII, non-empty); a call that succeeds adds none;
 *  - out-parameters and buffers are untouched on failure, and a property
 *    read writes exactly the property's size;
 *  - error objects keep copies of their strings, newest first, the
 *    original error code's text last; WsGetErrorString's characters stay
 *    valid until a reset or a free;
 *  - the system calls: the library's mmap, mprotect and munmap are linked
 *    with --wrap, so the fuzzer sees each one (and the input can make the
 *    next mmap or mprotect fail).  wsheap_kernel_entries() counts every
 *    one, for the heap it was made for.  An allocation reserves at most
 *    one region (retried at half the size when refused) and backs at most
 *    once, and grows ACTUAL_SIZE when it backs (it may grow without: the
 *    process backend makes a chunk accessible whole), and gives nothing
 *    back (it may unmap the region of a chunk it never backed); a create
 *    only reserves, and not at all when the cache serves it; a reset and
 *    a free only give back, a reset exactly when the heap holds more than
 *    it keeps.
 *
 * The input is read as operations: a byte picks one (its index in ops[]),
 * the bytes after it are its operands (make-corpus writes a few by hand).
 * Sizes come from boundary-heavy choices (pick_size()).  Each input starts
 * with no heap live or cached and no chunk (heap_cache_flush.c and
 * chunk_flush.c empty the library's cache and its chunk lists), so a
 * crashing input reproduces alone, and ends with every object freed
 * (LeakSanitizer runs).  A disagreement aborts with a message on stderr.
 * In the environment, FUZZ_HEAP_TRACE=1 prints each call, to
 * make sense of a crashing input, FUZZ_HEAP_STATS=1 prints counts at
 * exit, FUZZ_HEAP_STRICT=1 also checks the bound that actual_bound() says
 * the library does not keep (a stricter one than the library promises),
 * and FUZZ_HEAP_OWN_REVOKE=1 refuses what the fuzzer leaves alone in
 * WsFreeHeap (in_free).
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
/* op_churn: more heaps than the cache keeps. */
#define CHURN_MAX	80

/* What the library promises (userlib/src/heap.c, heap_cache.c, chunk.c). */
#define CACHE_HEAPS	64			/* freed heaps the cache keeps */
#define CACHE_BYTES	((size_t)8 << 20)	/* and the memory they may hold */
#define GROW_MIN	((size_t)64 << 10)	/* the smallest growth step */
#define BOUND_FROM	((size_t)1 << 20)	/* where the 25% bound applies */
#define REGION_SIZE	((size_t)1 << 30)	/* chunks past this are regions of their own */

/* chunk_flush.c, heap_cache_flush.c */
unsigned int fuzz_chunk_flush(void);
unsigned int fuzz_heap_cache_flush(const char **why);
unsigned int fuzz_heap_cache_list(WS_HEAP **heaps, size_t *actual, unsigned int max,
				  const char **why);
size_t fuzz_heap_books(const WS_HEAP *heap, const char **why);
size_t fuzz_heap_actual(const WS_HEAP *heap);
unsigned int fuzz_heap_live_count(const char **why);

/*
 * The model's own checks, kept out of libFuzzer's coverage (and out of
 * line, so that they are not instrumented where they are inlined): they
 * cost more than the library's code, and what they compare is no guide.
 */
#define MODEL	__attribute__((noinline, no_sanitize("coverage")))

#define UNTOUCHED_PTR	((void *)(uintptr_t)0xdeadbeefcafe0008ull)
#define SENTINEL	0xa5

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

/* One heap; the sizes since its last reset (or creation, or take from the cache). */
struct heap_model {
	WS_HEAP *h;
	SIZE_T max, trim;
	SIZE_T requested;		/* sum of the sizes */
	size_t used;			/* H: the same, each rounded up to 8 (0 as 8) */
	size_t kept;			/* K: what the heap held at the start */
	size_t jumped;			/* J: see actual_bound() */
	size_t actual;			/* what it holds (ACTUAL_SIZE unless fresh) */
	bool fresh;			/* from the cache, not allocated from since */
	uintptr_t next;			/* where the last allocation ended, or 0 */
	struct alloc a[TRACK_MAX];
	unsigned int n;
};

/* The cache of freed heaps as the model has it, the most recent first. */
struct cached_heap {
	WS_HEAP *h;
	size_t actual;
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
static struct heap_model churn[CHURN_MAX];
static struct error_model errors[NERRORS];
static struct cached_heap cache[CACHE_HEAPS + 1];
static unsigned int ncache;

static bool tracing, strict;
static unsigned long op_index;
static const char *op_name = "-";
static uint32_t seed_counter;
static bool filled;			/* a large op_fill in this input */
static bool in_fill;			/* no trace line per allocation */
static size_t page;

static struct {
	unsigned long inputs, ops, allocs, alloc_ok, quota, alloc_oom, growths, jumps,
		creates, create_ok, create_cached, create_oom, resets, reset_refused, frees,
		free_refused, churns, error_strings, sys_calls, refused_real;
	double worst_ratio;		/* ACTUAL_SIZE / (H + K), past BOUND_FROM */
	size_t worst_actual, worst_hk;
} stats;

/*
 * The library's system calls (the process backend's, linked with --wrap):
 * each is counted, by kind, since sys_begin() (called before each heap
 * call), and the fuzzer compares the counts with wsheap_kernel_entries().
 * Fault injection: mmap() and mprotect() count down, and the call that
 * reaches 0 fails with ENOMEM without doing anything.
 */
enum sys_kind { SYS_RESERVE, SYS_BACK, SYS_REVOKE, SYS_UNMAP, SYS_KINDS };

static struct {
	unsigned long calls;
	unsigned long n[SYS_KINDS], failed[SYS_KINDS];
	bool last_failed;		/* the last call failed */
	size_t refused_reserve;		/* the length of a refused reserve just before */
} sys;
static unsigned long sys_total;		/* every call since the start */
static uint64_t entries_offset;		/* wsheap_kernel_entries(NULL) - sys_total */

static unsigned int inject_countdown;	/* 0: nothing armed */
static unsigned long injected;		/* failures injected so far */
/*
 * wsheap_heap_destroy() (heap.c) once leaked a chunk's own region (more
 * than 1 GiB) when its revoke failed.  It now lets the region go with
 * its memory, one munmap() more than the model counts in that case, so
 * within WsFreeHeap a revoke in such a region is not refused by default:
 * the countdown passes over it.  FUZZ_HEAP_OWN_REVOKE=1 refuses it too
 * (the seed own_chunk_revoke_leak then checks the fix under
 * LeakSanitizer, with the extra munmap uncounted by the model).
 */
static bool in_free, refuse_own_revoke;
static struct own_region {
	uintptr_t start, end;
} *own_regions;
static size_t own_count, own_cap;

MODEL static struct own_region *own_region_of(uintptr_t addr)
{
	size_t i;

	for (i = 0; i < own_count; i++)
		if (addr >= own_regions[i].start && addr < own_regions[i].end)
			return &own_regions[i];
	return NULL;
}

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_mprotect(void *addr, size_t len, int prot);
int __real_munmap(void *addr, size_t len);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_mprotect(void *addr, size_t len, int prot);
int __wrap_munmap(void *addr, size_t len);

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

/* Only sys_note() writes to sys: a call that made none leaves it clean. */
static void sys_begin(void)
{
	if (sys.calls)
		memset(&sys, 0, sizeof(sys));
}

MODEL static bool inject(void)
{
	if (!inject_countdown || --inject_countdown)
		return false;
	injected++;
	errno = ENOMEM;
	return true;
}

MODEL static void sys_note(enum sys_kind kind, bool failed, bool was_injected)
{
	sys_total++;
	stats.sys_calls++;
	sys.calls++;
	sys.n[kind]++;
	if (failed) {
		sys.failed[kind]++;
		if (!was_injected)
			stats.refused_real++;
	}
	sys.last_failed = failed;
}

MODEL void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	bool reserve = !(flags & MAP_FIXED), inj;
	void *p;

	/* A refused reservation is tried again at half the size (chunk.c's region_new()). */
	if (reserve && sys.refused_reserve)
		CHECK(len == sys.refused_reserve / 2, "a reservation of %zu bytes was refused, "
		      "and the next asks for %zu", sys.refused_reserve, len);
	inj = (reserve || !in_free || refuse_own_revoke || !own_region_of((uintptr_t)addr)) &&
	      inject();
	p = inj ? MAP_FAILED : __real_mmap(addr, len, prot, flags, fd, off);
	sys_note(reserve ? SYS_RESERVE : SYS_REVOKE, p == MAP_FAILED, inj);
	if (reserve)
		sys.refused_reserve = p == MAP_FAILED ? len : 0;
	if (reserve && p != MAP_FAILED && len > REGION_SIZE) {
		if (own_count == own_cap) {
			own_cap = own_cap ? own_cap * 2 : 16;
			own_regions = realloc(own_regions, own_cap * sizeof(*own_regions));
			if (!own_regions)
				abort();
		}
		own_regions[own_count].start = (uintptr_t)p;
		own_regions[own_count++].end = (uintptr_t)p + len;
	}
	return p;
}

MODEL int __wrap_mprotect(void *addr, size_t len, int prot)
{
	bool inj = inject();
	int ret = inj ? -1 : __real_mprotect(addr, len, prot);

	sys_note(SYS_BACK, ret != 0, inj);
	return ret;
}

/* Not refused: the library ignores munmap()'s result, and the fuzzer would lose the range. */
MODEL int __wrap_munmap(void *addr, size_t len)
{
	int ret = __real_munmap(addr, len);
	struct own_region *own = own_region_of((uintptr_t)addr);

	sys_note(SYS_UNMAP, ret != 0, false);
	if (!ret && own)
		*own = own_regions[--own_count];
	return ret;
}

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

/* What the library counted against what the fuzzer saw, for @h (if not NULL) and in all. */
MODEL static void check_calls(const WS_HEAP *h, uint64_t entries, const char *call)
{
	uint64_t total = wsheap_kernel_entries(NULL);

	CHECK(total == sys_total + entries_offset, "wsheap_kernel_entries(NULL) is %llu, the "
	      "library made %llu system calls", (unsigned long long)total,
	      (unsigned long long)(sys_total + entries_offset));
	if (h)
		CHECK(wsheap_kernel_entries(h) - entries == sys.calls, "%s made %lu system calls, "
		      "and wsheap_kernel_entries() counted %llu for the heap", call, sys.calls,
		      (unsigned long long)(wsheap_kernel_entries(h) - entries));
}

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

static size_t sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Rounded up to a page, as the library does (wsheap_page_align()). */
static size_t page_align(size_t n)
{
	return n > SIZE_MAX - page ? SIZE_MAX & ~(page - 1) : (n + page - 1) & ~(page - 1);
}

/* What an allocation takes of the heap: rounded up to 8, 0 as 8; 0 if that wraps. */
static size_t need_of(SIZE_T size)
{
	return size ? (size + 7) & ~(SIZE_T)7 : 8;
}

/* What a reset (or a free into the cache) keeps: the trim size, at least a page. */
static size_t keep_of(const struct heap_model *m)
{
	size_t keep;

	if (m->trim > m->max)
		return SIZE_MAX;
	keep = page_align(m->trim);
	return keep ? keep : page;
}

/*
 * The most a growth for @need bytes backs, before rounding up to pages,
 * in a heap that holds @actual: the first backing is what the allocation
 * needs; after that a step of a quarter of what the heap holds, at least
 * GROW_MIN, not past the page-aligned max size, or the allocation if more.
 */
static size_t grow_step(size_t actual, SIZE_T max, size_t need)
{
	size_t cap = page_align(max), step;

	if (!actual)
		return need;
	step = actual / 4 > GROW_MIN ? actual / 4 : GROW_MIN;
	if (cap <= actual)
		step = 0;
	else if (step > cap - actual)
		step = cap - actual;
	return step > need ? step : need;
}

/*
 * What ACTUAL_SIZE may be, from grow_bytes() (userlib/src/heap.c).  Since
 * the heap's last reset (or its creation, or its take from the cache):
 *
 *   H  the bytes handed out (each allocation rounded up to 8, 0 as 8);
 *   K  what the heap held at the start: what the reset kept, 0 for a new
 *      heap, for one from the cache what it kept when freed;
 *   J  the bytes of the allocations that did not start where the one
 *      before ended (they left a chunk for the next), and of the refused
 *      ones that made a system call (they may have left one first).
 *
 * A heap holds what it handed out; the tails of the chunks it left, each
 * less than the allocation that left it (one that did not fit: counted
 * in J), or a chunk the reset kept (in K); and what is free ahead: the
 * rest of the current chunk's backing and the kept chunks after it (in
 * K).  A growth for n bytes happens when the rest of the backing is less
 * than n, so just before it the heap holds A < H + K + J + n = B, with n
 * counted.  It backs at most page_align(max(step, n)), with step =
 * max(A / 4, 64 KiB) capped at the max size, so that after it
 *
 *   A' <= B - n + max(A / 4, 64 KiB, n) + page - 1
 *      <= B + max(B / 4, 64 KiB) + page - 1,
 *
 * and B only grows until the next growth.  Past 1 MiB the 64 KiB no
 * longer counts (a growth from under 256 KiB stays under 1 MiB unless it
 * is the allocation's own n), so there
 *
 *   A <= 1.25 * (H + K + J) + page - 1.
 *
 * What the library does not keep is 1.25 * (H + K) without J: the tail of
 * a chunk left behind is memory neither handed out nor kept, and the
 * rounding of a step to pages adds up to a page more.  (SIZE_MAX, 0),
 * allocating 8, 1 MiB, 8, 2 MiB and 8 bytes: ACTUAL_SIZE 4272128, 1.36
 * times the 3145752 bytes handed out.  FUZZ_HEAP_STRICT=1 checks that
 * bound too, past 1 MiB.
 */
MODEL static void actual_bound(const struct heap_model *m)
{
	size_t a = m->actual, hk = sat_add(m->used, m->kept), b = sat_add(hk, m->jumped);
	size_t slack = b / 4 > GROW_MIN ? b / 4 : GROW_MIN;
	double ratio;

	CHECK(a >= m->used, "the heap holds %zu bytes, less than the %zu it handed out", a,
	      m->used);
	CHECK(a <= sat_add(b, slack + page - 1), "the heap holds %zu bytes: more than B + "
	      "max(B / 4, 64 KiB) + page - 1 for B = %zu (%zu handed out, %zu kept, %zu "
	      "in allocations that left a chunk)", a, b, m->used, m->kept, m->jumped);
	if (a <= BOUND_FROM)
		return;
	CHECK(a <= sat_add(b, b / 4 + page - 1), "the heap holds %zu bytes, past 1 MiB: more "
	      "than 1.25 * B + page - 1 for B = %zu (%zu handed out, %zu kept, %zu in "
	      "allocations that left a chunk)", a, b, m->used, m->kept, m->jumped);
	if (strict)
		CHECK(a <= sat_add(hk, hk / 4), "FUZZ_HEAP_STRICT: the heap holds %zu bytes, more "
		      "than 1.25 times the %zu handed out (%zu) and kept (%zu)", a, hk, m->used,
		      m->kept);
	ratio = hk ? (double)a / (double)hk : 0;
	if (ratio > stats.worst_ratio) {
		stats.worst_ratio = ratio;
		stats.worst_actual = a;
		stats.worst_hk = hk;
	}
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

static int heap_slot(const struct heap_model *m)
{
	return m >= heaps && m < heaps + NHEAPS ? (int)(m - heaps) : -1 - (int)(m - churn);
}

MODEL static void verify_range(const struct heap_model *m, unsigned int k, size_t from, size_t to)
{
	const struct alloc *a = &m->a[k];
	size_t i;

	for (i = from; i < to; i++)
		CHECK(a->p[i] == pattern(a->seed, i), "heap %d: allocation %u (%p, %zu bytes) "
		      "changed at byte %zu", heap_slot(m), k, (void *)a->p, (size_t)a->size, i);
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

/* The heap's memory by the library's books (checked), against the model's. */
static size_t heap_books(const struct heap_model *m, const char *after)
{
	const char *why;
	size_t actual = fuzz_heap_books(m->h, &why);

	CHECK(!why, "after %s, the heap's books: %s", after, why);
	return actual;
}

MODEL static void check_heap(const struct heap_model *m)
{
	SIZE_T v, want;
	size_t actual;

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
	want = m->fresh ? 0 : m->actual;
	CHECK(v == want, "ACTUAL_SIZE %zu, the model says %zu%s", (size_t)v, (size_t)want,
	      m->fresh ? " (a heap from the cache, not allocated from since)" : "");
	actual = heap_books(m, op_name);
	CHECK(actual == m->actual, "the heap holds %zu bytes, the model says %zu", actual,
	      m->actual);
	actual_bound(m);
}

/* The model's heaps that are live, in slots and in op_churn. */
MODEL static unsigned int model_live(const WS_HEAP *h)
{
	unsigned int i, n = 0;

	for (i = 0; i < NHEAPS; i++)
		n += heaps[i].h && (!h || heaps[i].h == h);
	for (i = 0; i < CHURN_MAX; i++)
		n += churn[i].h && (!h || churn[i].h == h);
	return n;
}

static void check_live(void)
{
	const char *why;
	unsigned int n = fuzz_heap_live_count(&why);

	CHECK(!why, "the live heaps: %s", why);
	CHECK(n == model_live(NULL), "%u heaps are live, the model says %u", n, model_live(NULL));
}

MODEL static bool cache_is(WS_HEAP *const *h, const size_t *actual, unsigned int n,
		     const struct cached_heap *want, unsigned int nwant)
{
	unsigned int i;

	if (n != nwant)
		return false;
	for (i = 0; i < n; i++)
		if (h[i] != want[i].h || actual[i] != want[i].actual)
			return false;
	return true;
}

/* The library's cache, its books checked, into @h and @actual; how many. */
static unsigned int cache_read(WS_HEAP **h, size_t *actual)
{
	const char *why;
	unsigned int n = fuzz_heap_cache_list(h, actual, CACHE_HEAPS + 1, &why);

	CHECK(!why, "the heap cache: %s", why);
	return n;
}

MODEL static void check_cache(void)
{
	WS_HEAP *h[CACHE_HEAPS + 1];
	size_t actual[CACHE_HEAPS + 1];
	unsigned int n = cache_read(h, actual), i;

	for (i = 0; i < n && i < ncache; i++)
		CHECK(h[i] == cache[i].h && actual[i] == cache[i].actual, "the cache's heap %u "
		      "is %p with %zu bytes, the model says %p with %zu", i, (void *)h[i],
		      actual[i], (void *)cache[i].h, cache[i].actual);
	CHECK(n == ncache, "the cache holds %u heaps, the model says %u", n, ncache);
}

static void heap_forget(struct heap_model *m)
{
	m->h = NULL;
	m->requested = 0;
	m->used = 0;
	m->kept = 0;
	m->jumped = 0;
	m->actual = 0;
	m->fresh = false;
	m->next = 0;
	m->n = 0;
}

/* The start of a heap's next run of allocations: after a reset, a creation, a take. */
static void heap_restart(struct heap_model *m, size_t actual)
{
	m->requested = 0;
	m->used = 0;
	m->jumped = 0;
	m->kept = actual;
	m->actual = actual;
	m->next = 0;
	m->n = 0;
}

/* WsCreateHeap(@max, @trim) into @m, with valid arguments. */
MODEL static HRESULT create_checked(struct heap_model *m, SIZE_T max, SIZE_T trim, WS_ERROR *e)
{
	WS_HEAP *out = UNTOUCHED_PTR;
	HRESULT hr;

	stats.creates++;
	sys_begin();
	hr = WsCreateHeap(max, trim, NULL, 0, &out, e);
	trace("WsCreateHeap(max %zu, trim %zu, error %p) -> 0x%08x %s %p, %lu system calls%s",
	      (size_t)max, (size_t)trim, (void *)e, (unsigned int)hr, hr_name(hr), (void *)out,
	      sys.calls, sys.failed[SYS_RESERVE] ? " (mmap refused)" : "");
	check_calls(NULL, 0, "WsCreateHeap");
	CHECK(!sys.n[SYS_BACK] && !sys.n[SYS_REVOKE] && !sys.n[SYS_UNMAP],
	      "WsCreateHeap backed or gave back memory");
	if (hr == E_OUTOFMEMORY) {
		CHECK(!ncache, "WsCreateHeap returned E_OUTOFMEMORY with %u heaps in the cache",
		      ncache);
		CHECK(sys.failed[SYS_RESERVE] && sys.last_failed, "WsCreateHeap returned "
		      "E_OUTOFMEMORY, and the system refused nothing");
		CHECK(out == UNTOUCHED_PTR, "a failed WsCreateHeap wrote its out-parameter");
		stats.create_oom++;
		return hr;
	}
	CHECK_HR(hr, S_OK);
	CHECK(!sys.last_failed, "WsCreateHeap succeeded, its last system call failed");
	CHECK(out && out != UNTOUCHED_PTR, "WsCreateHeap gave %p", (void *)out);
	CHECK(!model_live(out), "WsCreateHeap gave heap %p, still live", (void *)out);
	heap_forget(m);
	m->h = out;
	m->max = max;
	m->trim = trim;
	if (ncache) {
		CHECK(out == cache[0].h, "WsCreateHeap gave %p, not %p, the heap freed last",
		      (void *)out, (void *)cache[0].h);
		CHECK(!sys.calls, "WsCreateHeap entered the kernel %lu times, with a heap in "
		      "the cache", sys.calls);
		heap_restart(m, cache[0].actual);
		m->fresh = true;
		memmove(cache, cache + 1, --ncache * sizeof(cache[0]));
		stats.create_cached++;
	} else {
		/* A new heap: its first chunk's address space, no memory. */
		CHECK(sys.n[SYS_RESERVE] <= 1 + sys.failed[SYS_RESERVE], "WsCreateHeap reserved "
		      "address space %lu times, %lu of them refused", sys.n[SYS_RESERVE],
		      sys.failed[SYS_RESERVE]);
		heap_restart(m, 0);
	}
	CHECK(wsheap_kernel_entries(out) == sys.calls, "the new heap counts %llu kernel "
	      "entries, its WsCreateHeap made %lu system calls",
	      (unsigned long long)wsheap_kernel_entries(out), sys.calls);
	stats.create_ok++;
	check_cache();
	return hr;
}

/* WsFreeHeap(m->h), the cache's model kept up to date. */
MODEL static void free_checked(struct heap_model *m)
{
	WS_HEAP *h = m->h, *got[CACHE_HEAPS + 1];
	size_t before = m->actual, keep = keep_of(m), kept = before < keep ? before : keep;
	size_t got_actual[CACHE_HEAPS + 1], bytes = 0, gone = 0;
	struct cached_heap want[CACHE_HEAPS + 1];
	unsigned int nwant = 0, ngot, i;

	if (!h)
		return;
	verify_heap(m, true);
	stats.frees++;
	/* The heap goes in first, trimmed; the oldest go out to make room. */
	if (kept <= CACHE_BYTES) {
		want[nwant].h = h;
		want[nwant++].actual = kept;
		bytes = kept;
		for (i = 0; i < ncache; i++) {
			want[nwant++] = cache[i];
			bytes += cache[i].actual;
		}
		while (nwant > CACHE_HEAPS || bytes > CACHE_BYTES) {
			nwant--;
			bytes -= want[nwant].actual;
			gone += want[nwant].actual;
		}
	} else {
		memcpy(want, cache, ncache * sizeof(cache[0]));
		nwant = ncache;
		gone = kept;
	}
	sys_begin();
	in_free = true;
	WsFreeHeap(h);
	in_free = false;
	check_calls(NULL, 0, "WsFreeHeap");
	CHECK(!sys.n[SYS_RESERVE] && !sys.n[SYS_BACK], "WsFreeHeap reserved or backed memory");
	ngot = cache_read(got, got_actual);
	trace("WsFreeHeap(%p) of %zu bytes, keeping %zu: %lu system calls%s; %u heaps cached",
	      (void *)h, before, kept, sys.calls, sys.failed[SYS_REVOKE] ? " (mmap refused)" : "",
	      ngot);
	if (sys.failed[SYS_REVOKE] && !cache_is(got, got_actual, ngot, want, nwant)) {
		/* The trim was refused: the heap is destroyed, the cache as it was. */
		CHECK(cache_is(got, got_actual, ngot, cache, ncache), "after a WsFreeHeap whose "
		      "giving back was refused, the cache (%u heaps) is neither what it was "
		      "(%u) nor with the heap (%u)", ngot, ncache, nwant);
		stats.free_refused++;
	} else {
		for (i = 0; i < ngot && i < nwant; i++)
			CHECK(got[i] == want[i].h && got_actual[i] == want[i].actual, "after "
			      "WsFreeHeap, the cache's heap %u is %p with %zu bytes, the model "
			      "says %p with %zu", i, (void *)got[i], got_actual[i],
			      (void *)want[i].h, want[i].actual);
		CHECK(ngot == nwant, "after WsFreeHeap, the cache holds %u heaps, the model "
		      "says %u", ngot, nwant);
		/* Memory goes back exactly when the trim or a destroyed heap has some. */
		if (!sys.failed[SYS_REVOKE])
			CHECK(!sys.n[SYS_REVOKE] == (before <= keep && !gone), "WsFreeHeap of a "
			      "heap of %zu bytes, keeping %zu, destroying %zu, gave memory back "
			      "%lu times", before, keep, gone, sys.n[SYS_REVOKE]);
		memcpy(cache, want, nwant * sizeof(want[0]));
		ncache = nwant;
	}
	heap_forget(m);
}

static void heap_free(struct heap_model *m)
{
	free_checked(m);
}

/*
 * WsAlloc(m->h, @size) with every check that does not need the heap's
 * other allocations; the pointer is in *@ptr on success.
 */
MODEL static HRESULT alloc_checked(struct heap_model *m, SIZE_T size, void **ptr, WS_ERROR *e)
{
	WS_HEAP *h = m->h;
	uint64_t entries = wsheap_kernel_entries(h);
	size_t need = need_of(size), before = m->actual, after, step;
	SIZE_T left = m->max - m->requested;
	uintptr_t p;
	HRESULT hr;

	stats.allocs++;
	*ptr = UNTOUCHED_PTR;
	sys_begin();
	hr = WsAlloc(h, size, ptr, e);
	/*
	 * Most allocations: no system call, where the one before ended, no
	 * growth.  What they change of the checks below: the bytes handed out.
	 */
	if (hr == S_OK && !sys.calls && m->next && (uintptr_t)*ptr == m->next && size <= left &&
	    fuzz_heap_actual(h) == before) {
		/* (A kernel entry counted for none: check_calls() after the op.) */
		m->next += need;
		m->requested += size;
		m->used += need;
		m->fresh = false;
		stats.alloc_ok++;
		CHECK(before >= m->used, "the heap holds %zu bytes, less than the %zu it handed "
		      "out", before, m->used);
		if (!in_fill)
			trace("WsAlloc(heap %p, %zu, &ptr, error %p) -> S_OK %p", (void *)h,
			      (size_t)size, (void *)e, *ptr);
		return hr;
	}
	if (!in_fill)
		trace("WsAlloc(heap %p, %zu, &ptr, error %p) -> 0x%08x %s %p, %lu system calls%s",
		      (void *)h, (size_t)size, (void *)e, (unsigned int)hr, hr_name(hr), *ptr,
		      sys.calls, sys.failed[SYS_RESERVE] || sys.failed[SYS_BACK] ?
		      " (refused)" : "");
	check_calls(h, entries, "WsAlloc");
	if (size > left) {
		CHECK_HR(hr, WS_E_QUOTA_EXCEEDED);
		CHECK(*ptr == UNTOUCHED_PTR, "a refused WsAlloc wrote *ptr");
		CHECK(!sys.calls, "WsAlloc entered the kernel for a request past the quota");
		stats.quota++;
		return hr;
	}
	/* (It may unmap the region of a first chunk it replaces, never backed.) */
	CHECK(!sys.n[SYS_REVOKE], "WsAlloc gave memory back");
	CHECK(sys.n[SYS_BACK] <= 1, "WsAlloc backed memory %lu times", sys.n[SYS_BACK]);
	CHECK(sys.n[SYS_RESERVE] <= 1 + sys.failed[SYS_RESERVE], "WsAlloc reserved address "
	      "space %lu times, %lu of them refused", sys.n[SYS_RESERVE],
	      sys.failed[SYS_RESERVE]);
	/*
	 * A fill's allocations that made no system call: the heap's books are
	 * checked at the end of the fill (they cost more than the allocation).
	 */
	after = in_fill && !sys.calls ? fuzz_heap_actual(h) : heap_books(m, "WsAlloc");
	if (hr == E_OUTOFMEMORY) {
		/* Only the system's refusal, or a request no address space holds. */
		CHECK(sys.last_failed || (!sys.calls && (!need || need > SIZE_MAX / 2)),
		      "WsAlloc of %zu bytes, within the quota (%zu of %zu left), returned "
		      "E_OUTOFMEMORY, and the system refused nothing", (size_t)size,
		      (size_t)left, (size_t)m->max);
		CHECK(*ptr == UNTOUCHED_PTR, "a failed WsAlloc wrote *ptr");
		CHECK(after == before, "a refused WsAlloc took the heap from %zu to %zu bytes",
		      before, after);
		/* It may have left its chunk for a new one, whose backing was refused. */
		if (sys.calls)
			m->jumped = sat_add(m->jumped, need);
		stats.alloc_oom++;
		return hr;
	}
	CHECK(hr == S_OK, "WsAlloc of %zu bytes, within the quota (%zu of %zu left), returned "
	      "0x%08x %s", (size_t)size, (size_t)left, (size_t)m->max, (unsigned int)hr,
	      hr_name(hr));
	CHECK(!sys.last_failed, "WsAlloc succeeded, its last system call failed");
	p = (uintptr_t)*ptr;
	CHECK(p && *ptr != UNTOUCHED_PTR && p % 8 == 0, "WsAlloc succeeded but gave %p", *ptr);
	if (m->next && p != m->next) {
		m->jumped = sat_add(m->jumped, need);
		stats.jumps++;
	}
	m->next = p + need;
	m->requested += size;
	m->used += need;
	m->fresh = false;
	stats.alloc_ok++;
	/*
	 * A back is a growth; a growth needs no system call where the backend
	 * made the whole chunk accessible at its first backing (the process
	 * backend: anonymous memory costs nothing until touched).
	 */
	CHECK(!sys.n[SYS_BACK] || after > before, "WsAlloc backed memory, and the heap went "
	      "from %zu to %zu bytes", before, after);
	if (after != before) {
		stats.growths++;
		CHECK(after > before, "WsAlloc took the heap from %zu to %zu bytes", before, after);
		step = page_align(grow_step(before, m->max, need));
		if (!before)
			CHECK(after == step, "a heap's first backing is %zu bytes, for an allocation "
			      "of %zu: it should be that in pages, %zu", after, need, step);
		else
			CHECK(after - before <= step, "a heap of %zu bytes (max size %zu) grew by %zu "
			      "for %zu bytes: more than its step, %zu", before, (size_t)m->max,
			      after - before, need, step);
	}
	m->actual = after;
	if (!in_fill || sys.calls)
		CHECK(heap_prop(h, WS_HEAP_PROPERTY_ACTUAL_SIZE) == after, "ACTUAL_SIZE is %zu, "
		      "the heap holds %zu", (size_t)heap_prop(h, WS_HEAP_PROPERTY_ACTUAL_SIZE),
		      after);
	actual_bound(m);
	return hr;
}

/* WsResetHeap(m->h). */
MODEL static HRESULT reset_checked(struct heap_model *m, WS_ERROR *e)
{
	WS_HEAP *h = m->h;
	uint64_t entries = wsheap_kernel_entries(h);
	size_t before = m->actual, keep = keep_of(m), want = before < keep ? before : keep;
	size_t after;
	HRESULT hr;

	verify_heap(m, true);
	sys_begin();
	hr = WsResetHeap(h, e);
	trace("WsResetHeap(%p, error %p) of %zu bytes, keeping %zu -> 0x%08x %s, %lu system "
	      "calls%s", (void *)h, (void *)e, before, keep, (unsigned int)hr, hr_name(hr),
	      sys.calls, sys.failed[SYS_REVOKE] ? " (mmap refused)" : "");
	check_calls(h, entries, "WsResetHeap");
	/* A refused giving back leaves the memory in the heap: the reset still happened. */
	CHECK_HR(hr, S_OK);
	stats.resets++;
	CHECK(!sys.n[SYS_RESERVE] && !sys.n[SYS_BACK], "WsResetHeap reserved or backed memory");
	if (before <= keep)
		CHECK(!sys.calls, "a reset of a heap of %zu bytes, within the %zu it keeps, "
		      "entered the kernel %lu times", before, keep, sys.calls);
	else
		CHECK(sys.n[SYS_REVOKE], "a reset of a heap of %zu bytes, past the %zu it keeps, "
		      "gave nothing back", before, keep);
	after = heap_books(m, "WsResetHeap");
	if (!sys.failed[SYS_REVOKE]) {
		CHECK(after == want, "a reset with trim size %zu and max size %zu took the heap "
		      "from %zu to %zu bytes; it keeps %s%zu", (size_t)m->trim, (size_t)m->max,
		      before, after, m->trim > m->max ? "all, " : "the trim size in pages, at "
		      "least one, ", want);
	} else {
		CHECK(after >= want && after <= before, "a reset whose giving back was refused "
		      "took the heap from %zu to %zu bytes (it keeps %zu)", before, after, want);
		stats.reset_refused++;
	}
	heap_restart(m, after);
	return hr;
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
	case 16: return REGION_SIZE + 1;	/* a chunk of its own */
	case 17: return CACHE_BYTES + 1;	/* more than the cache keeps */
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
	HRESULT hr;

	if (flags & 2)
		count = 1;			/* NULL properties */
	if (flags & 4) {
		count = 1;			/* reserved: even a well-formed one */
		props = &prop;
	}
	op_name = "WsFreeHeap";
	if (!null_out)
		heap_free(m);
	op_name = "WsCreateHeap";
	if (null_out || count) {
		sys_begin();
		hr = WsCreateHeap(max, trim, props, count, null_out ? NULL : &out, e);
		trace("WsCreateHeap(max %zu, trim %zu, props %s, count %u, %s, error %p) -> "
		      "0x%08x %s", (size_t)max, (size_t)trim, props ? "one" : "NULL",
		      (unsigned int)count, null_out ? "NULL" : "&heap", (void *)e,
		      (unsigned int)hr, hr_name(hr));
		check_calls(NULL, 0, "WsCreateHeap");
		CHECK_HR(hr, E_INVALIDARG);
		CHECK(out == UNTOUCHED_PTR, "a failed WsCreateHeap wrote its out-parameter");
		CHECK(!sys.calls, "WsCreateHeap entered the kernel for a bad argument");
		check_cache();
	} else {
		trace("slot %u:", slot);
		hr = create_checked(m, max, trim, e);
	}
	error_after_call(e, hr);
	check_heap(m);
}

static void alloc_one(struct heap_model *m, SIZE_T size, bool null_heap, bool null_ptr,
		      WS_ERROR *e)
{
	WS_HEAP *h = null_heap ? NULL : m->h;
	uint64_t entries = h ? wsheap_kernel_entries(h) : 0;
	void *ptr = UNTOUCHED_PTR;
	unsigned char *p;
	struct alloc *a;
	unsigned int k;
	HRESULT hr;

	if (!h || null_ptr) {
		stats.allocs++;
		sys_begin();
		hr = WsAlloc(h, size, null_ptr ? NULL : &ptr, e);
		trace("WsAlloc(heap %p, %zu, %s, error %p) -> 0x%08x %s", (void *)h, (size_t)size,
		      null_ptr ? "NULL" : "&ptr", (void *)e, (unsigned int)hr, hr_name(hr));
		check_calls(h, entries, "WsAlloc");
		CHECK_HR(hr, E_INVALIDARG);
		CHECK(ptr == UNTOUCHED_PTR, "a failed WsAlloc wrote *ptr");
		CHECK(!sys.calls, "WsAlloc entered the kernel for a bad argument");
		error_after_call(e, hr);
		return;
	}
	hr = alloc_checked(m, size, &ptr, e);
	if (hr == S_OK) {
		p = ptr;
		for (k = 0; k < m->n; k++) {
			const struct alloc *o = &m->a[k];
			size_t olen = o->size ? o->size : 1, len = size ? size : 1;

			CHECK(p + len <= o->p || o->p + olen <= p, "WsAlloc gave [%p, +%zu), "
			      "overlapping allocation %u [%p, +%zu)", (void *)p, (size_t)size, k,
			      (void *)o->p, (size_t)o->size);
		}
		if (m->n < TRACK_MAX) {
			a = &m->a[m->n++];
			a->p = p;
			a->size = size;
			a->seed = ++seed_counter;
			fill(a);
		}
	}
	error_after_call(e, hr);
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

/* A run of a fill's allocations, each where the one before ended: [start, end). */
struct run {
	uintptr_t start, end;
};

static int cmp_run(const void *a, const void *b)
{
	uintptr_t x = ((const struct run *)a)->start, y = ((const struct run *)b)->start;

	return x < y ? -1 : x > y;
}

/*
 * Many allocations of one tiny size (0 to 8 bytes): up to 239, or (once an
 * input) up to the quota or FILL_MAX (an eighth of it for zero-byte ones,
 * whose every allocation takes WsAlloc's slow path), through many growths
 * and chunks:
 * a heap of max size 0 takes any number of zero-byte allocations, and 1-
 * byte ones take 8 bytes each, past the max size.  The model checks each
 * one, but not against the others one by one: an allocation that starts
 * where the one before ended cannot overlap it, so the fill is a few runs
 * (one a chunk), sorted at the end and checked against each other and the
 * allocations from before.
 */
static void op_fill(struct reader *r)
{
	struct heap_model *m = &heaps[rd_u8(r) % NHEAPS];
	SIZE_T size = rd_u8(r) % 9;
	uint8_t sel = rd_u8(r);
	size_t n = 0, runs = 0, i, lo, hi, len = size ? size : 1, need = need_of(size);
	/* Zero-byte allocations all take WsAlloc's slow path: fewer of them. */
	size_t limit = sel < 0xf0 ? sel : size ? FILL_MAX : FILL_MAX / 8;
	uintptr_t next = 0;
	unsigned char **ps;
	struct run *run;
	unsigned int k;
	void *p;

	op_name = "WsAlloc fill";
	trace("fill heap %p with up to %zu allocations of %zu bytes", (void *)m->h, limit,
	      (size_t)size);
	if (!m->h || (sel >= 0xf0 && filled))
		return;
	filled |= sel >= 0xf0;
	ps = malloc((limit ? limit : 1) * sizeof(*ps));
	run = malloc((limit ? limit : 1) * sizeof(*run));
	if (!ps || !run)
		abort();
	in_fill = true;
	while (n < limit && alloc_checked(m, size, &p, NULL) == S_OK) {
		ps[n++] = p;
		if (size)
			*(unsigned char *)p = (unsigned char)n;
		if (runs && (uintptr_t)p == next) {
			run[runs - 1].end = (uintptr_t)p + len;
		} else {
			run[runs].start = (uintptr_t)p;
			run[runs++].end = (uintptr_t)p + len;
		}
		next = (uintptr_t)p + need;
	}
	in_fill = false;
	trace("  %zu allocations in %zu runs; the heap holds %zu bytes", n, runs, m->actual);
	for (i = 0; i < n && size; i++)
		CHECK(ps[i][0] == (unsigned char)(i + 1), "allocation %zu of the fill changed", i);
	qsort(run, runs, sizeof(*run), cmp_run);
	for (i = 1; i < runs; i++)
		CHECK(run[i - 1].end <= run[i].start, "the fill gave [%p, %p) and [%p, %p), "
		      "overlapping", (void *)run[i - 1].start, (void *)run[i - 1].end,
		      (void *)run[i].start, (void *)run[i].end);
	/* Nor do they overlap what was allocated before. */
	for (k = 0; k < m->n && runs; k++) {
		const struct alloc *a = &m->a[k];
		uintptr_t ap = (uintptr_t)a->p, alen = a->size ? a->size : 1;

		for (lo = 0, hi = runs; lo < hi;) {	/* the first run at or after a */
			i = lo + (hi - lo) / 2;
			if (run[i].start < ap)
				lo = i + 1;
			else
				hi = i;
		}
		CHECK(lo == runs || ap + alen <= run[lo].start, "the fill overlaps allocation %u", k);
		CHECK(lo == 0 || run[lo - 1].end <= ap, "the fill overlaps allocation %u", k);
	}
	free(run);
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
	HRESULT hr;

	op_name = "WsResetHeap";
	if (h) {
		hr = reset_checked(m, e);
		error_after_call(e, hr);
		check_heap(m);
		return;
	}
	sys_begin();
	hr = WsResetHeap(NULL, e);
	trace("WsResetHeap(NULL, error %p) -> 0x%08x %s", (void *)e, (unsigned int)hr,
	      hr_name(hr));
	check_calls(NULL, 0, "WsResetHeap");
	CHECK_HR(hr, E_INVALIDARG);
	CHECK(!sys.calls, "WsResetHeap(NULL) entered the kernel");
	error_after_call(e, hr);
}

static void op_free_heap(struct reader *r)
{
	struct heap_model *m = &heaps[rd_u8(r) % NHEAPS];
	uint8_t flags = rd_u8(r);

	op_name = "WsFreeHeap";
	if (flags & 1) {
		trace("WsFreeHeap(NULL)");
		sys_begin();
		WsFreeHeap(NULL);
		check_calls(NULL, 0, "WsFreeHeap");
		CHECK(!sys.calls, "WsFreeHeap(NULL) entered the kernel");
		check_cache();
	} else {
		heap_free(m);
	}
}

/*
 * More heaps than the cache keeps: create up to CHURN_MAX heaps of one max
 * and trim size, allocate from each (or not), then free them all, in the
 * order they were made or the reverse: the cache lets its oldest go, by
 * count and by bytes, and hands heaps out the most recent first.
 */
static void op_churn(struct reader *r)
{
	unsigned int count = 1 + rd_u8(r) % CHURN_MAX, made, i;
	SIZE_T max = pick_size(r, NULL), trim = pick_size(r, NULL);
	uint8_t flags = rd_u8(r);
	SIZE_T size = pick_size(r, NULL);
	void *p;

	op_name = "churn";
	trace("churn: %u heaps (max %zu, trim %zu)%s, freed %s", count, (size_t)max,
	      (size_t)trim, flags & 1 ? ", allocating from each" : "",
	      flags & 2 ? "newest first" : "oldest first");
	stats.churns++;
	for (made = 0; made < count; made++) {
		if (create_checked(&churn[made], max, trim, NULL) != S_OK)
			break;
		if (flags & 1)
			alloc_checked(&churn[made], size, &p, NULL);
		check_heap(&churn[made]);
	}
	check_live();
	for (i = 0; i < made; i++)
		free_checked(&churn[flags & 2 ? made - 1 - i : i]);
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
		want = m->fresh ? 0 : m->actual;
		break;
	}
	CHECK(v == want, "property %u is %zu, the model says %zu", (unsigned int)id, (size_t)v,
	      (size_t)want);
	check_heap(m);
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
	check_live();
	check_cache();
}

/* Make the library's next mmap or mprotect, or one of the three after, fail. */
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
	op_churn,
};

/* ------------------------------------------------------------ entry */

static void print_stats(void)
{
	fprintf(stderr, "fuzz_heap: %lu inputs, %lu ops; WsCreateHeap %lu (%lu S_OK, %lu from "
		"the cache, %lu E_OUTOFMEMORY); WsAlloc %lu (%lu S_OK, %lu quota, %lu "
		"E_OUTOFMEMORY; %lu growths, %lu left a chunk); %lu resets (%lu refused); %lu "
		"frees (%lu refused); %lu churns; %lu library error strings; %lu system calls, "
		"%lu refused by the fuzzer, %lu by the system; ACTUAL_SIZE past 1 MiB at most "
		"%.4f times what was handed out and kept (%zu for %zu)\n",
		stats.inputs, stats.ops, stats.creates, stats.create_ok, stats.create_cached,
		stats.create_oom, stats.allocs, stats.alloc_ok, stats.quota, stats.alloc_oom,
		stats.growths, stats.jumps, stats.resets, stats.reset_refused, stats.frees,
		stats.free_refused, stats.churns, stats.error_strings, stats.sys_calls, injected,
		stats.refused_real, stats.worst_ratio, stats.worst_actual, stats.worst_hk);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (setenv("WSHEAP_BACKEND", "process", 1))
		abort();
	tracing = getenv("FUZZ_HEAP_TRACE") && *getenv("FUZZ_HEAP_TRACE") == '1';
	strict = getenv("FUZZ_HEAP_STRICT") && *getenv("FUZZ_HEAP_STRICT") == '1';
	refuse_own_revoke = getenv("FUZZ_HEAP_OWN_REVOKE") &&
			    *getenv("FUZZ_HEAP_OWN_REVOKE") == '1';
	if (getenv("FUZZ_HEAP_STATS"))
		atexit(print_stats);
	page = (size_t)sysconf(_SC_PAGESIZE);
	entries_offset = wsheap_kernel_entries(NULL) - sys_total;
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
	/*
	 * Every input starts with no heap, live or cached, and no chunk: it
	 * makes the same system calls wherever it runs, and reproduces alone.
	 */
	check_live();
	sys_begin();
	fuzz_heap_cache_flush(&why);
	CHECK(!why, "the heap cache: %s", why);
	fuzz_chunk_flush();
	check_calls(NULL, 0, "emptying the cache and the chunks");
	ncache = 0;
	while (r.pos < r.end) {
		ops[rd_u8(&r) % (sizeof(ops) / sizeof(ops[0]))](&r);
		check_calls(NULL, 0, op_name);
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
	check_live();
	/*
	 * And with none cached: what the input allocated is freed by its end,
	 * or libFuzzer runs it again to look for a leak.
	 */
	sys_begin();
	fuzz_heap_cache_flush(&why);
	CHECK(!why, "the heap cache: %s", why);
	check_calls(NULL, 0, "emptying the cache");
	ncache = 0;
	return 0;
}

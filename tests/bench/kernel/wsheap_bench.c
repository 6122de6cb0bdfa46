// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsheap_bench: the in-kernel heaps against the kernel's own allocators, on
 * the workloads of the user-space benchmark, for `make bench`.
 *
 * Reading /sys/kernel/debug/wsheap_bench/results runs the benchmark (one
 * reader at a time; the open takes as long as the run) and gives Markdown:
 * one table per workload, in ns per allocation.
 *
 *   msg   @msgs messages, each 64 allocations of 16..512 bytes (a fixed-seed
 *         sequence, precomputed, the same for every allocator) filled with
 *         memset(), then the message is freed as a whole
 *   msg8  the same, with one 8-byte store per allocation
 *   bulk  @bulk allocations of 32 bytes, one 8-byte store each, then one
 *         free-all; warm: what an allocator keeps from the previous
 *         repetition it may reuse
 *
 * Allocators: bump (a bump pointer over a preallocated buffer, the floor),
 * wsheap (one heap reset after each message, its trim size keeping the
 * memory; in bulk also a heap created and destroyed per run),
 * page_frag_alloc()/page_frag_free(), kmalloc()/kfree() and
 * gen_pool_alloc()/gen_pool_free() over a preallocated region (not in
 * kernels without CONFIG_GENERIC_ALLOCATOR).  Allocators without a
 * free-all free each pointer, kept in an array while the message is built.
 * Each allocator runs each workload once to warm up, then @reps times; the
 * repetitions of the allocators are interleaved, so that a disturbance of
 * the machine hits them alike.  A run is timed as a whole, its free-all
 * included, with ktime_get_ns(), in the reading task; it may be preempted
 * between runs and every 1024 messages or 65536 bulk allocations.  A row
 * gives the median, min and max of the runs and the median divided by
 * those of bump and of kmalloc in the same table.  The targets for
 * the message pattern follow each message table, met or missed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/genalloc.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_buf.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/wsheap.h>
#ifdef CONFIG_X86
#include <asm/processor.h>
#endif
#ifdef WSHEAP_BENCH_HAVE_PAGE_FRAG_CACHE_H
#include <linux/page_frag_cache.h>
#endif

MODULE_IMPORT_NS(WSHEAP_NS);

static unsigned int msgs = 20000;
module_param(msgs, uint, 0444);
MODULE_PARM_DESC(msgs, "messages of 64 allocations in msg and msg8 (default 20000)");

static unsigned int bulk = 1000000;
module_param(bulk, uint, 0444);
MODULE_PARM_DESC(bulk, "allocations of 32 bytes in bulk (default 1000000)");

static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "timed runs of each allocator on each workload (default 5, at most 15)");

#define BENCH_MAX_REPS		15
#define BENCH_MAX_BULK		(16U << 20)
#define MSG_ALLOCS		64
#define MSG_MIN			16
#define MSG_MAX			512
#define MSG_BYTES_MAX		(MSG_ALLOCS * MSG_MAX)
#define BULK_SIZE		32
#define BENCH_TEXT_MAX		SZ_16K

enum bench_workload { BENCH_MSG, BENCH_MSG8, BENCH_BULK, BENCH_NR_WORKLOADS };

struct bench_next_fit {
	unsigned long next;
};

struct bench {
	u16 *sizes;			/* msgs * MSG_ALLOCS request sizes */
	void **ptrs;			/* what the allocators that free each keep */
	char *bump_base;		/* the bump allocator's buffer */
	size_t bump_size;
	size_t bump_used;
	struct wsheap *heap;
	struct page_frag_cache frag;
	struct gen_pool *pool;
	void *pool_mem;
	size_t pool_size;
	struct bench_next_fit next_fit;
};

static DEFINE_MUTEX(bench_mutex);
static struct dentry *bench_dir;

/*
 * The loops every allocator runs, inlined into each allocator's run
 * function with its own alloc/free, so that no allocation pays an indirect
 * call: @free_one (free each pointer, kept in b->ptrs) and @free_all
 * (free everything at once) may each be NULL.
 */
typedef void *(*bench_alloc_t)(struct bench *b, unsigned int size);
typedef void (*bench_free_one_t)(struct bench *b, void *p, unsigned int size);
typedef void (*bench_free_all_t)(struct bench *b);

static __always_inline void bench_free(struct bench *b, const u16 *sizes, unsigned int size,
				       unsigned int n, bench_free_one_t free_one,
				       bench_free_all_t free_all)
{
	unsigned int i;

	if (free_one)
		for (i = 0; i < n; i++)
			free_one(b, b->ptrs[i], sizes ? sizes[i] : size);
	if (free_all)
		free_all(b);
}

static __always_inline int bench_msgs(struct bench *b, bool fill, bench_alloc_t alloc,
				      bench_free_one_t free_one, bench_free_all_t free_all)
{
	const u16 *sizes = b->sizes;
	unsigned int m, i;
	void *p;

	for (m = 0; m < msgs; m++, sizes += MSG_ALLOCS) {
		for (i = 0; i < MSG_ALLOCS; i++) {
			p = alloc(b, sizes[i]);
			if (unlikely(!p)) {
				bench_free(b, sizes, 0, i, free_one, free_all);
				return -ENOMEM;
			}
			if (fill)
				memset(p, 0x5a, sizes[i]);
			else
				*(u64 *)p = m;
			barrier_data(p);
			if (free_one)
				b->ptrs[i] = p;
		}
		bench_free(b, sizes, 0, MSG_ALLOCS, free_one, free_all);
		/* A slow kernel (KASAN) must not look locked up. */
		if (!(m % 1024))
			cond_resched();
	}
	return 0;
}

static __always_inline int bench_bulk(struct bench *b, bench_alloc_t alloc,
				      bench_free_one_t free_one, bench_free_all_t free_all)
{
	unsigned int i;
	void *p;

	for (i = 0; i < bulk; i++) {
		p = alloc(b, BULK_SIZE);
		if (unlikely(!p)) {
			bench_free(b, NULL, BULK_SIZE, i, free_one, free_all);
			return -ENOMEM;
		}
		*(u64 *)p = i;
		barrier_data(p);
		if (free_one)
			b->ptrs[i] = p;
		if (!(i % 65536))
			cond_resched();
	}
	bench_free(b, NULL, BULK_SIZE, bulk, free_one, free_all);
	return 0;
}

static __always_inline int bench_loops(struct bench *b, enum bench_workload w,
				       bench_alloc_t alloc, bench_free_one_t free_one,
				       bench_free_all_t free_all)
{
	switch (w) {
	case BENCH_MSG:
		return bench_msgs(b, true, alloc, free_one, free_all);
	case BENCH_MSG8:
		return bench_msgs(b, false, alloc, free_one, free_all);
	default:
		return bench_bulk(b, alloc, free_one, free_all);
	}
}

/* bump: the floor, one comparison and an add over a preallocated buffer. */
static __always_inline void *bump_alloc(struct bench *b, unsigned int size)
{
	size_t need = ALIGN(size, 8);
	void *p;

	if (unlikely(need > b->bump_size - b->bump_used))
		return NULL;
	p = b->bump_base + b->bump_used;
	b->bump_used += need;
	return p;
}

static __always_inline void bump_reset(struct bench *b)
{
	b->bump_used = 0;
}

static noinline int bump_run(struct bench *b, enum bench_workload w)
{
	return bench_loops(b, w, bump_alloc, NULL, bump_reset);
}

/* wsheap: one heap, reset after each message. */
static __always_inline void *heap_alloc(struct bench *b, unsigned int size)
{
	void *p;

	return wsheap_alloc(b->heap, size, &p) ? NULL : p;
}

static __always_inline void heap_reset(struct bench *b)
{
	wsheap_reset(b->heap);
}

static int heap_setup(struct bench *b, enum bench_workload w)
{
	/* The trim size keeps all the heap grows to: it is warm. */
	if (w == BENCH_BULK)
		b->heap = wsheap_create((size_t)bulk * BULK_SIZE, SIZE_MAX, GFP_KERNEL);
	else
		b->heap = wsheap_create(2 * MSG_BYTES_MAX, 2 * MSG_BYTES_MAX, GFP_KERNEL);
	if (IS_ERR(b->heap)) {
		int err = PTR_ERR(b->heap);

		b->heap = NULL;
		return err;
	}
	return 0;
}

static void heap_teardown(struct bench *b)
{
	wsheap_destroy(b->heap);
	b->heap = NULL;
}

static noinline int heap_run(struct bench *b, enum bench_workload w)
{
	return bench_loops(b, w, heap_alloc, NULL, heap_reset);
}

/*
 * wsheap, bulk: a heap created for the run and destroyed after it (cold),
 * in place of the warm one for the duration.
 */
static noinline int heap_fresh_run(struct bench *b, enum bench_workload w)
{
	struct wsheap *warm = b->heap;
	int err;

	b->heap = wsheap_create((size_t)bulk * BULK_SIZE, 0, GFP_KERNEL);
	if (IS_ERR(b->heap)) {
		err = PTR_ERR(b->heap);
	} else {
		err = bench_loops(b, w, heap_alloc, NULL, NULL);
		wsheap_destroy(b->heap);
	}
	b->heap = warm;
	return err;
}

/*
 * page_frag: a private struct page_frag_cache, used by this thread only, so
 * with no lock (as a driver uses one per CPU with softirqs off).  Requests
 * are rounded up to 8 bytes so that every fragment is aligned as wsheap's
 * allocations are.
 */
static __always_inline void *frag_alloc(struct bench *b, unsigned int size)
{
	return page_frag_alloc(&b->frag, ALIGN(size, 8), GFP_KERNEL);
}

static __always_inline void frag_free(struct bench *b, void *p, unsigned int size)
{
	page_frag_free(p);
}

static int frag_setup(struct bench *b, enum bench_workload w)
{
	memset(&b->frag, 0, sizeof(b->frag));
	return 0;
}

static void frag_teardown(struct bench *b)
{
#ifdef WSHEAP_BENCH_HAVE_PAGE_FRAG_CACHE_DRAIN
	page_frag_cache_drain(&b->frag);
#else
	/* Before page_frag_cache_drain(): the cache's bias is its page references. */
	if (b->frag.va)
		__page_frag_cache_drain(virt_to_head_page(b->frag.va), b->frag.pagecnt_bias);
#endif
	memset(&b->frag, 0, sizeof(b->frag));
}

static noinline int frag_run(struct bench *b, enum bench_workload w)
{
	return bench_loops(b, w, frag_alloc, frag_free, NULL);
}

/* kmalloc: kfree() of each pointer. */
static __always_inline void *slab_alloc(struct bench *b, unsigned int size)
{
	return kmalloc(size, GFP_KERNEL);
}

static __always_inline void slab_free(struct bench *b, void *p, unsigned int size)
{
	kfree(p);
}

static noinline int slab_run(struct bench *b, enum bench_workload w)
{
	return bench_loops(b, w, slab_alloc, slab_free, NULL);
}

#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
/*
 * gen_pool: one region preallocated with vmalloc(), 8-byte granules.  The
 * default first-fit search starts at the region's start every time, which
 * makes bulk quadratic (a million allocations would scan hours of bitmap):
 * bulk searches from where the last allocation ended instead.
 */
static unsigned long bench_next_fit(unsigned long *map, unsigned long size,
				    unsigned long start, unsigned int nr, void *data,
				    struct gen_pool *pool, unsigned long start_addr)
{
	struct bench_next_fit *nf = data;
	unsigned long bit;

	bit = bitmap_find_next_zero_area(map, size, max(start, nf->next), nr, 0);
	if (bit >= size)
		bit = bitmap_find_next_zero_area(map, size, start, nr, 0);
	if (bit < size)
		nf->next = bit + nr;
	return bit;
}

static int pool_setup(struct bench *b, enum bench_workload w)
{
	int err = -ENOMEM;

	b->pool_size = w == BENCH_BULK ? (size_t)bulk * BULK_SIZE : 2 * MSG_BYTES_MAX;
	b->pool_mem = vmalloc(b->pool_size);
	b->pool = gen_pool_create(3, NUMA_NO_NODE);	/* 8-byte granules */
	if (!b->pool_mem || !b->pool)
		goto fail;
	err = gen_pool_add(b->pool, (unsigned long)b->pool_mem, b->pool_size, NUMA_NO_NODE);
	if (err)
		goto fail;
	if (w == BENCH_BULK) {
		b->next_fit.next = 0;
		gen_pool_set_algo(b->pool, bench_next_fit, &b->next_fit);
	}
	return 0;

fail:
	if (b->pool)
		gen_pool_destroy(b->pool);
	vfree(b->pool_mem);
	b->pool = NULL;
	b->pool_mem = NULL;
	return err;
}

static void pool_teardown(struct bench *b)
{
	gen_pool_destroy(b->pool);
	vfree(b->pool_mem);
	b->pool = NULL;
	b->pool_mem = NULL;
}

static __always_inline void *pool_alloc(struct bench *b, unsigned int size)
{
	return (void *)gen_pool_alloc(b->pool, size);
}

static __always_inline void pool_free(struct bench *b, void *p, unsigned int size)
{
	gen_pool_free(b->pool, (unsigned long)p, size);
}

static noinline int pool_run(struct bench *b, enum bench_workload w)
{
	return bench_loops(b, w, pool_alloc, pool_free, NULL);
}
#endif

struct bench_allocator {
	const char *name[BENCH_NR_WORKLOADS];	/* the row's name; NULL: no row */
	int (*setup)(struct bench *b, enum bench_workload w);
	void (*teardown)(struct bench *b);
	int (*run)(struct bench *b, enum bench_workload w);
};

/* The rows, in this order.  Ratios divide by bump and kmalloc. */
enum {
	BENCH_BUMP,
	BENCH_WSHEAP,
	BENCH_WSHEAP_FRESH,
	BENCH_FRAG,
	BENCH_KMALLOC,
	BENCH_GEN_POOL,
	BENCH_NR_ALLOCATORS
};

static const struct bench_allocator bench_allocators[BENCH_NR_ALLOCATORS] = {
	[BENCH_BUMP] = {
		.name = { "bump", "bump", "bump" },
		.run = bump_run,
	},
	[BENCH_WSHEAP] = {
		.name = { "wsheap (reset)", "wsheap (reset)", "wsheap (reset)" },
		.setup = heap_setup,
		.teardown = heap_teardown,
		.run = heap_run,
	},
	[BENCH_WSHEAP_FRESH] = {
		.name = { NULL, NULL, "wsheap (create, destroy)" },
		.run = heap_fresh_run,
	},
	[BENCH_FRAG] = {
		.name = { "page_frag_alloc/free", "page_frag_alloc/free", "page_frag_alloc/free" },
		.setup = frag_setup,
		.teardown = frag_teardown,
		.run = frag_run,
	},
	[BENCH_KMALLOC] = {
		.name = { "kmalloc/kfree", "kmalloc/kfree", "kmalloc/kfree" },
		.run = slab_run,
	},
#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
	/* Not in kernels without it (the debug kernel): no row. */
	[BENCH_GEN_POOL] = {
		.name = { "gen_pool", "gen_pool", "gen_pool (next fit)" },
		.setup = pool_setup,
		.teardown = pool_teardown,
		.run = pool_run,
	},
#endif
};

struct bench_row {
	u64 runs[BENCH_MAX_REPS];	/* hundredths of ns per allocation */
	u64 median, min, max;
	unsigned int n;
};

static u64 bench_nallocs(enum bench_workload w)
{
	return w == BENCH_BULK ? bulk : (u64)msgs * MSG_ALLOCS;
}

static int bench_time(struct bench *b, const struct bench_allocator *a,
		      enum bench_workload w, u64 *ns100)
{
	u64 start = ktime_get_ns();
	int err = a->run(b, w);

	*ns100 = div64_u64((ktime_get_ns() - start) * 100, bench_nallocs(w));
	return err;
}

static void bench_stats(struct bench_row *row)
{
	u64 sorted[BENCH_MAX_REPS], v;
	unsigned int i, j;

	for (i = 0; i < row->n; i++) {
		v = row->runs[i];
		for (j = i; j > 0 && sorted[j - 1] > v; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = v;
	}
	row->min = sorted[0];
	row->max = sorted[row->n - 1];
	row->median = row->n % 2 ? sorted[row->n / 2] :
		      (sorted[row->n / 2 - 1] + sorted[row->n / 2]) / 2;
}

/* Tear down the first @n allocators, in reverse. */
static void bench_teardown(struct bench *b, enum bench_workload w, unsigned int n)
{
	while (n--)
		if (bench_allocators[n].name[w] && bench_allocators[n].teardown)
			bench_allocators[n].teardown(b);
}

/* Run every allocator on @w: a warm-up run, then @reps timed runs each. */
static int bench_workload(struct bench *b, enum bench_workload w, struct bench_row *rows)
{
	const struct bench_allocator *a;
	unsigned int i, r;
	u64 ignored;
	int err = 0;

	for (i = 0; i < BENCH_NR_ALLOCATORS; i++) {
		a = &bench_allocators[i];
		if (!a->name[w] || !a->setup)
			continue;
		err = a->setup(b, w);
		if (err) {
			pr_err("setting up %s failed: %d\n", a->name[w], err);
			bench_teardown(b, w, i);
			return err;
		}
	}
	for (r = 0; r <= reps && !err; r++) {
		for (i = 0; i < BENCH_NR_ALLOCATORS && !err; i++) {
			a = &bench_allocators[i];
			if (!a->name[w])
				continue;
			err = bench_time(b, a, w, r ? &rows[i].runs[r - 1] : &ignored);
			if (err)
				pr_err("%s failed: %d\n", a->name[w], err);
			else if (fatal_signal_pending(current))
				err = -EINTR;
			cond_resched();
		}
	}
	bench_teardown(b, w, BENCH_NR_ALLOCATORS);
	if (err)
		return err;
	for (i = 0; i < BENCH_NR_ALLOCATORS; i++) {
		rows[i].n = bench_allocators[i].name[w] ? reps : 0;
		if (rows[i].n)
			bench_stats(&rows[i]);
	}
	return 0;
}

/* @a / @b to two decimals, as hundredths. */
static u64 bench_ratio(u64 a, u64 b)
{
	return div64_u64(a * 100 + b / 2, b);
}

/* A number of hundredths printed with @places (1 or 2) decimals, rounded. */
struct bench_num {
	char s[24];
};

static const char *bench_num(struct bench_num *n, u64 hundredths, unsigned int places)
{
	if (places == 1) {
		hundredths += 5;
		snprintf(n->s, sizeof(n->s), "%llu.%u", div_u64(hundredths, 100),
			 (u32)(hundredths % 100) / 10);
	} else {
		snprintf(n->s, sizeof(n->s), "%llu.%02u", div_u64(hundredths, 100),
			 (u32)(hundredths % 100));
	}
	return n->s;
}

/* @a / @b with two decimals, "-" if @b is 0 (a clock too coarse for the run). */
static const char *bench_ratio_num(struct bench_num *n, u64 a, u64 b)
{
	if (!b) {
		strscpy(n->s, "-", sizeof(n->s));
		return n->s;
	}
	return bench_num(n, bench_ratio(a, b), 2);
}

/* seq_buf_puts() is not exported to modules before 6.4. */
static void bench_puts(struct seq_buf *s, const char *str)
{
	seq_buf_printf(s, "%s", str);
}

/* One table, rows from the fastest; wsheap's rows in bold. */
static void bench_print_table(struct seq_buf *s, enum bench_workload w,
			      const struct bench_row *rows)
{
	static const char * const titles[] = {
		[BENCH_MSG] = "message pattern, full memset",
		[BENCH_MSG8] = "message pattern, 8-byte write",
		[BENCH_BULK] = "bulk, 32 B, warm",
	};
	u64 bump = rows[BENCH_BUMP].median, slab = rows[BENCH_KMALLOC].median;
	struct bench_num med, min, max, xbump, xslab;
	unsigned int order[BENCH_NR_ALLOCATORS], n = 0, i, j;
	const struct bench_row *row;
	bool bold;

	for (i = 0; i < BENCH_NR_ALLOCATORS; i++) {
		if (!rows[i].n)
			continue;
		for (j = n++; j > 0 && rows[order[j - 1]].median > rows[i].median; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	seq_buf_printf(s, "### %s (ns/alloc)\n\n", titles[w]);
	bench_puts(s, "| allocator | runs | median ns/alloc | min..max | x bump | x kmalloc |\n");
	bench_puts(s, "|---|---:|---:|---:|---:|---:|\n");
	for (j = 0; j < n; j++) {
		i = order[j];
		row = &rows[i];
		bold = i == BENCH_WSHEAP || i == BENCH_WSHEAP_FRESH;
		seq_buf_printf(s, "| %s%s%s | %u | %s | %s..%s | %s | %s |\n",
			       bold ? "**" : "", bench_allocators[i].name[w], bold ? "**" : "",
			       row->n, bench_num(&med, row->median, 2),
			       bench_num(&min, row->min, 1), bench_num(&max, row->max, 1),
			       bench_ratio_num(&xbump, row->median, bump),
			       bench_ratio_num(&xslab, row->median, slab));
	}
	bench_puts(s, "\n");
}

/* The targets for the message pattern, met or not. */
static void bench_print_targets(struct seq_buf *s, const struct bench_row *rows)
{
	u64 heap = rows[BENCH_WSHEAP].median;
	u64 slab = rows[BENCH_KMALLOC].median;
	u64 frag = rows[BENCH_FRAG].median;
	struct bench_num n;

	seq_buf_printf(s, "Targets: wsheap at least 3x faster than kmalloc/kfree: %sx, %s; ",
		       bench_ratio_num(&n, slab, heap), heap * 3 <= slab ? "met" : "**missed**");
	seq_buf_printf(s, "within 1.3x of page_frag_alloc: %sx, %s.\n\n",
		       bench_ratio_num(&n, heap, frag),
		       heap * 10 <= frag * 13 ? "met" : "**missed**");
}

/* What the tables measured, and on what. */
static void bench_print_header(struct seq_buf *s)
{
	seq_buf_printf(s, "## In the kernel: Linux %s\n\n", utsname()->release);
	bench_puts(s, "Ran on: ");
#ifdef CONFIG_X86
	seq_buf_printf(s, "%s, ", boot_cpu_data.x86_model_id);
#endif
	seq_buf_printf(s, "CPUs: %u, kernel %s (%s); ", num_online_cpus(), utsname()->release,
		       utsname()->machine);
	seq_buf_printf(s, "wsheap_bench.ko, one thread; median of %u runs after a warm-up, ", reps);
	bench_puts(s, "the allocators' runs interleaved.\n");
	seq_buf_printf(s, "Messages: %u of %u allocations (%u..%u B, fixed-seed sizes), ",
		       msgs, MSG_ALLOCS, MSG_MIN, MSG_MAX);
	bench_puts(s, "freed after each message: wsheap by a reset, the others each pointer.  ");
	seq_buf_printf(s, "Bulk: %u allocations of %u B, then free-all, timed with them.  ",
		       bulk, BULK_SIZE);
	seq_buf_printf(s, "init_on_alloc is %s", want_init_on_alloc(GFP_KERNEL) ? "on" : "off");
	if (want_init_on_alloc(GFP_KERNEL))
		bench_puts(s, ": kmalloc zeroes what it hands out, the others do not");
	bench_puts(s, ".  ");
	bench_puts(s, "gen_pool searches first fit in messages and next fit in bulk, ");
	bench_puts(s, "where first fit is quadratic.\n\n");
}

/* A fixed-seed xorshift64, so that every run and allocator sees the same sizes. */
static u64 bench_random(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static int bench_all(struct seq_buf *s)
{
	static const enum bench_workload order[] = { BENCH_MSG, BENCH_MSG8, BENCH_BULK };
	struct bench_row (*rows)[BENCH_NR_ALLOCATORS];
	u64 seed = 0x9e3779b97f4a7c15ULL;
	struct bench *b;
	unsigned int i;
	int err = -ENOMEM;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	rows = kcalloc(BENCH_NR_WORKLOADS, sizeof(*rows), GFP_KERNEL);
	if (!b || !rows)
		goto out;
	b->sizes = kvmalloc_array((size_t)msgs * MSG_ALLOCS, sizeof(*b->sizes), GFP_KERNEL);
	b->ptrs = kvmalloc_array(max_t(size_t, bulk, MSG_ALLOCS), sizeof(*b->ptrs), GFP_KERNEL);
	b->bump_size = max_t(size_t, (size_t)bulk * BULK_SIZE, MSG_BYTES_MAX);
	b->bump_base = vmalloc(b->bump_size);
	if (!b->sizes || !b->ptrs || !b->bump_base)
		goto out;
	memset(b->bump_base, 0, b->bump_size);
	for (i = 0; i < msgs * MSG_ALLOCS; i++)
		b->sizes[i] = MSG_MIN + (u32)(bench_random(&seed) >> 32) % (MSG_MAX - MSG_MIN + 1);

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		err = bench_workload(b, order[i], rows[order[i]]);
		if (err)
			goto out;
	}

	bench_print_header(s);
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		bench_print_table(s, order[i], rows[order[i]]);
		if (order[i] != BENCH_BULK)
			bench_print_targets(s, rows[order[i]]);
	}
	err = seq_buf_has_overflowed(s) ? -EOVERFLOW : 0;
out:
	if (b) {
		vfree(b->bump_base);
		kvfree(b->ptrs);
		kvfree(b->sizes);
	}
	kfree(b);
	kfree(rows);
	return err;
}

struct bench_text {
	size_t len;
	char buf[BENCH_TEXT_MAX];
};

static int bench_results_open(struct inode *inode, struct file *file)
{
	struct bench_text *text;
	struct seq_buf s;
	int err;

	text = kvmalloc(sizeof(*text), GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	seq_buf_init(&s, text->buf, sizeof(text->buf));
	err = mutex_lock_interruptible(&bench_mutex);
	if (!err) {
		err = bench_all(&s);
		mutex_unlock(&bench_mutex);
	}
	if (err) {
		kvfree(text);
		return err;
	}
	text->len = seq_buf_used(&s);
	file->private_data = text;
	return 0;
}

static ssize_t bench_results_read(struct file *file, char __user *buf, size_t count,
				  loff_t *ppos)
{
	struct bench_text *text = file->private_data;

	return simple_read_from_buffer(buf, count, ppos, text->buf, text->len);
}

static int bench_results_release(struct inode *inode, struct file *file)
{
	kvfree(file->private_data);
	return 0;
}

static const struct file_operations bench_results_fops = {
	.owner = THIS_MODULE,
	.open = bench_results_open,
	.read = bench_results_read,
	.release = bench_results_release,
	.llseek = default_llseek,
};

static int __init wsheap_bench_init(void)
{
	if (!reps || reps > BENCH_MAX_REPS || !msgs || msgs > UINT_MAX / MSG_ALLOCS ||
	    !bulk || bulk > BENCH_MAX_BULK) {
		pr_err("reps must be 1..%u, msgs and bulk at least 1, bulk at most %u\n",
		       BENCH_MAX_REPS, BENCH_MAX_BULK);
		return -EINVAL;
	}
	bench_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("results", 0400, bench_dir, NULL, &bench_results_fops);
	return 0;
}

static void __exit wsheap_bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
}

module_init(wsheap_bench_init);
module_exit(wsheap_bench_exit);

MODULE_DESCRIPTION("wsheap in-kernel benchmark: wsheap against kmalloc, page_frag and gen_pool");
MODULE_LICENSE("GPL");

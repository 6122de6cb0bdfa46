// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor: a bump pointer over a preallocated, pre-faulted buffer, with
 * 8-byte alignment and one comparison against the end; reset moves the
 * pointer back.  And the "don't do this" variants, which model a design
 * that enters the kernel where wsheap does not:
 *
 *   bump_plus_ioctl     a no-op ioctl (ENOTTY on /dev/null) per allocation
 *   bump_madvise_reset  madvise(MADV_DONTNEED) of the used pages per reset
 *   bump_mmap_per_msg   mmap and munmap of a 64 KiB arena per message
 *   bump_fresh_mmap     bulk into a fresh mapping: a first-touch fault per
 *                       4 KiB page, the floor of "cold".  MADV_NOHUGEPAGE
 *                       keeps it that on a kernel whose transparent huge
 *                       pages are "always" (Debian's), so that it means
 *                       the same natively and in the guest.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "workload.h"

struct bump {
	char *cur;
	char *end;
	char *base;
	size_t size;
	int null_fd;		/* bump_plus_ioctl */
};

static char *map(size_t size, int populate)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0);

	if (p == MAP_FAILED)
		bench_die("mmap failed");
	return p;
}

static void bump_init(struct bump *b, char *base, size_t size)
{
	b->base = b->cur = base;
	b->end = base + size;
	b->size = size;
}

/* A preallocated buffer, every page touched before anything is timed. */
static void bump_init_faulted(struct bump *b, size_t size)
{
	char *base = map(size, 0);

	memset(base, 0, size);
	bump_init(b, base, size);
}

static inline void *bump_alloc(void *arena, size_t n)
{
	struct bump *b = arena;
	size_t need = (n + 7) & ~(size_t)7;
	char *p = b->cur;

	if (__builtin_expect(need > (size_t)(b->end - p), 0))
		bench_die("the bump arena is full");
	b->cur = p + need;
	return p;
}

static inline void bump_reset(void *arena, void **ptrs)
{
	struct bump *b = arena;

	(void)ptrs;
	b->cur = b->base;
}

static inline void *bump_alloc_ioctl(void *arena, size_t n)
{
	struct bump *b = arena;

	ioctl(b->null_fd, _IO(0xff, 0x7f));	/* ENOTTY, after a full round trip */
	return bump_alloc(arena, n);
}

static inline void bump_reset_madvise(void *arena, void **ptrs)
{
	struct bump *b = arena;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t used = ((size_t)(b->cur - b->base) + page - 1) & ~(page - 1);

	(void)ptrs;
	if (used && madvise(b->base, used, MADV_DONTNEED))
		bench_die("madvise failed");
	b->cur = b->base;
}

/* create: the floor's "new arena" is its pointer moved back. */
static inline void *bump_create(void *ctx)
{
	struct bump *b = ctx;

	b->cur = b->base;
	return b;
}

static inline void bump_destroy(void *ctx, void *arena, void **ptrs)
{
	(void)ctx;
	(void)arena;
	(void)ptrs;
}

static inline void *bump_create_mmap(void *ctx)
{
	struct bump *b = ctx;

	bump_init(b, map(MSG_ARENA, 0), MSG_ARENA);
	return b;
}

static inline void bump_destroy_munmap(void *ctx, void *arena, void **ptrs)
{
	struct bump *b = arena;

	(void)ctx;
	(void)ptrs;
	munmap(b->base, b->size);
}

/* bulk: free-all is the pointer moved back, done at the start of a run. */
static inline void *bump_bulk_begin(void *ctx)
{
	return bump_create(ctx);
}

static inline void bump_bulk_end(void *ctx, void *arena)
{
	(void)ctx;
	(void)arena;
}

static inline void *bump_bulk_begin_fresh(void *ctx)
{
	struct bump *b = ctx;

	bump_init(b, map(b->size, 0), b->size);
	/* Fails harmlessly (EINVAL) on a kernel without huge pages. */
	madvise(b->base, b->size, MADV_NOHUGEPAGE);
	return b;
}

static inline void bump_bulk_end_fresh(void *ctx, void *arena)
{
	struct bump *b = arena;

	(void)ctx;
	munmap(b->base, b->size);
}

static int run_bump(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct bump b = { 0 };

	switch (cfg->workload) {
	case W_MSG:
	case W_MSG8:
		bump_init_faulted(&b, MSG_ARENA);
		run_msgs(cfg, res, &b, bump_alloc, bump_reset, NULL);
		break;
	case W_CREATE:
		bump_init_faulted(&b, MSG_ARENA);
		run_create(cfg, res, &b, bump_create, bump_alloc, bump_destroy, NULL);
		break;
	default:
		bump_init_faulted(&b, cfg->bulk * BULK_SIZE);
		run_bulk(cfg, res, &b, bump_bulk_begin, bump_alloc, bump_bulk_end, NULL);
		break;
	}
	return 0;
}

static int run_plus_ioctl(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct bump b = { 0 };

	bump_init_faulted(&b, MSG_ARENA);
	b.null_fd = open("/dev/null", O_RDONLY);
	if (b.null_fd < 0)
		bench_die("cannot open /dev/null");
	run_msgs(cfg, res, &b, bump_alloc_ioctl, bump_reset, NULL);
	return 0;
}

static int run_madvise_reset(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct bump b = { 0 };

	bump_init_faulted(&b, MSG_ARENA);
	run_msgs(cfg, res, &b, bump_alloc, bump_reset_madvise, NULL);
	return 0;
}

static int run_mmap_per_msg(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct bump b = { 0 };

	run_create(cfg, res, &b, bump_create_mmap, bump_alloc, bump_destroy_munmap, NULL);
	return 0;
}

static int run_fresh_mmap(const struct bench_cfg *cfg, struct bench_result *res)
{
	struct bump b = { .size = cfg->bulk * BULK_SIZE };

	run_bulk(cfg, res, &b, bump_bulk_begin_fresh, bump_alloc, bump_bulk_end_fresh, NULL);
	return 0;
}

static const struct bench_variant variants[] = {
	{ "bump", W_MSGS | WB(W_CREATE) | WB(W_BULK), 1, NULL, run_bump },
	{ "bump_plus_ioctl", W_MSGS, 16, NULL, run_plus_ioctl },
	{ "bump_madvise_reset", W_MSGS, 16, NULL, run_madvise_reset },
	{ "bump_mmap_per_msg", WB(W_CREATE), 16, NULL, run_mmap_per_msg },
	{ "bump_fresh_mmap", WB(W_BULK), 1, NULL, run_fresh_mmap },
	{ NULL }
};

const struct bench_family bench_family = { .name = "bump", .variants = variants };

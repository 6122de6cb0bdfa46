// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fuzzer for /dev/wsheap: reproducible random sequences of every ioctl
 * with random and boundary arguments, mmap/munmap/mremap/mprotect/madvise
 * of random ranges, resets and destroys while a second thread touches the
 * memory, fork, close, in several processes at once.
 *
 *   fuzz_dev [-s SEED] [-n OPS] [-p PROCS] [-v]
 *
 * Each worker process runs its own sequence, drawn from SEED and its
 * index, so a failure is reproduced by the same SEED, OPS and PROCS (the
 * interleaving of the threads and processes is not).  What is checked:
 * every call returns success or an errno the interface allows; a heap's
 * figures stay within their bounds; a byte read from a heap is 0 (fresh
 * pages are zeroed) or the tag its own heap writes, never another heap's;
 * and, once every worker has exited, the module's page and heap counts
 * (debugfs wsheap/stats) are back where they were.  The kernel log
 * (KASAN, lockdep, kmemleak) is judged by tests/vm/run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/wsheap.h>

#define MAX_FDS		3
#define MAX_HEAPS	16
#define MAX_MAPS	24
#define PAGE		4096UL
#define STATS_PATH	"/sys/kernel/debug/wsheap/stats"

static uint64_t seed = 1;
static long total_ops = 20000;
static int procs = 2;
static int verbose;
static int worker;
static long op_index;

/* ------------------------------------------------------------- random */

static __thread uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64: small, and every seed is a good one. */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

/* Sizes where bugs live: zero, around a page, around limits, wrapping. */
static uint64_t boundary_bytes(void)
{
	static const uint64_t picks[] = {
		0, 1, 7, 8, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE, 16 * PAGE, 64 << 10,
		1 << 20, (1 << 20) + 1, 8 << 20, 64 << 20, 1ULL << 30, (1ULL << 30) + 1,
		1ULL << 40, UINT32_MAX, (uint64_t)UINT32_MAX + 1, INT64_MAX, UINT64_MAX - PAGE,
		UINT64_MAX,
	};

	if (chance(30))
		return below(1 << 20);
	return picks[below(sizeof(picks) / sizeof(picks[0]))];
}

/* --------------------------------------------------------------- fail */

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_dev: FAIL (reproduce: fuzz_dev -s %llu -n %ld -p %d; worker %d, op %ld): ",
		(unsigned long long)seed, total_ops, procs, worker, op_index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(2);
}

/* errno must be one of the listed values (0 ends the list). */
static void expect_errno(const char *what, int err, ...)
{
	va_list ap;
	int e;

	va_start(ap, err);
	while ((e = va_arg(ap, int)))
		if (e == err) {
			va_end(ap);
			return;
		}
	va_end(ap);
	fail("%s: unexpected errno %d (%s)", what, err, strerror(err));
}

/* ------------------------------------------------------------- state */

struct heap {
	bool live;
	/*
	 * Its figures are checked.  Not after a forked child ran: the child
	 * shares the file, may destroy the heap and get its id for another.
	 */
	bool verified;
	int fd;			/* index into fds[] */
	uint32_t id;
	uint64_t max;		/* max_bytes rounded to pages */
	uint64_t offset;	/* mmap offset of its window */
	unsigned char tag;	/* the byte this heap's memory may hold */
	bool sparse;		/* WSHEAP_CREATE_SPARSE: BACK and REVOKE only */
};

struct map {
	bool live;
	bool writable;		/* from a read-write descriptor */
	bool holes;		/* parts unmapped (placeholders there) */
	char *addr;
	size_t len;
	unsigned char tag;
};

static int fds[MAX_FDS] = { -1, -1, -1 };
static bool fd_writable[MAX_FDS];
static struct heap heaps[MAX_HEAPS];
static struct map maps[MAX_MAPS];
static unsigned int heap_serial;
/*
 * Held for reading while a thread touches a mapping, for writing while the
 * address space changes (munmap, mremap): a touch never lands on memory
 * that is not a heap's.  Ioctls take no lock: racing them is the point.
 */
static pthread_rwlock_t map_lock;
static volatile bool stop_toucher;

/* ------------------------------------------------------------ touches */

static __thread sigjmp_buf touch_jmp;
static __thread volatile int touch_armed;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (touch_armed)
		siglongjmp(touch_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Write the tag at a random offset of a mapping, read another: a byte is 0
 * or the tag, whatever resets, trims and destroys happen meanwhile (a
 * revoked page faults instead, which is allowed).
 */
static void touch_one(void)
{
	volatile unsigned char *p;
	unsigned char seen;
	struct map m;
	int i, tries;

	pthread_rwlock_rdlock(&map_lock);
	for (tries = 0; tries < 4; tries++) {
		i = (int)below(MAX_MAPS);
		if (maps[i].live)
			break;
	}
	if (tries == 4) {
		pthread_rwlock_unlock(&map_lock);
		return;
	}
	m = maps[i];
	touch_armed = 1;
	if (!sigsetjmp(touch_jmp, 1)) {
		p = (volatile unsigned char *)m.addr + below(m.len);
		seen = *p;
		if (seen && seen != m.tag) {
			touch_armed = 0;
			pthread_rwlock_unlock(&map_lock);
			fail("read 0x%02x at %p, in a heap whose tag is 0x%02x", seen,
			     (void *)p, m.tag);
		}
		if (chance(50)) {
			p = (volatile unsigned char *)m.addr + below(m.len);
			*p = m.tag;
		}
	}
	touch_armed = 0;
	pthread_rwlock_unlock(&map_lock);
}

static void *toucher(void *arg)
{
	rng_state = (uint64_t)(uintptr_t)arg;
	while (!stop_toucher) {
		touch_one();
		if (chance(10))
			sched_yield();
	}
	return NULL;
}

/* --------------------------------------------------------- operations */

/* A heap id that is probably not one of ours, but may well be. */
static uint32_t random_id(void)
{
	return chance(50) ? (uint32_t)below(40) : (uint32_t)rnd();
}

/* A destroy by a random id may have hit a tracked heap. */
static void forget_heap(int fd_index, uint32_t id)
{
	int h;

	for (h = 0; h < MAX_HEAPS; h++)
		if (heaps[h].live && heaps[h].fd == fd_index && heaps[h].id == id)
			heaps[h].live = false;
}

static int some_fd_index(void)
{
	int i, start = (int)below(MAX_FDS);

	for (i = 0; i < MAX_FDS; i++)
		if (fds[(start + i) % MAX_FDS] >= 0)
			return (start + i) % MAX_FDS;
	return -1;
}

static struct heap *some_heap(void)
{
	int i, start = (int)below(MAX_HEAPS);

	for (i = 0; i < MAX_HEAPS; i++)
		if (heaps[(start + i) % MAX_HEAPS].live)
			return &heaps[(start + i) % MAX_HEAPS];
	return NULL;
}

static struct map *free_map(void)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (!maps[i].live)
			return &maps[i];
	return NULL;
}

static void op_open(void)
{
	int i = (int)below(MAX_FDS), fd;

	if (fds[i] >= 0)
		return;
	fd_writable[i] = chance(90);
	fd = open("/dev/wsheap", (fd_writable[i] ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		fail("open /dev/wsheap: %s", strerror(errno));
	fds[i] = fd;
}

/* Close a descriptor: its heaps live on in their mappings, unreachable by id. */
static void op_close(void)
{
	int i = some_fd_index(), h;

	if (i < 0)
		return;
	if (close(fds[i]))
		fail("close: %s", strerror(errno));
	fds[i] = -1;
	for (h = 0; h < MAX_HEAPS; h++)
		if (heaps[h].live && heaps[h].fd == i)
			heaps[h].live = false;
}

static void op_create(void)
{
	struct wsheap_create c;
	struct heap *slot = NULL;
	int i = some_fd_index(), h, ret;
	bool valid;

	if (i < 0)
		return;
	for (h = 0; h < MAX_HEAPS; h++)
		if (!heaps[h].live) {
			slot = &heaps[h];
			break;
		}
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	/* Mostly small heaps: growing a big one costs the guest seconds. */
	c.max_bytes = chance(98) ? 1 + below(chance(90) ? 64 << 10 : 1 << 20) : boundary_bytes();
	c.trim_bytes = chance(50) ? below(c.max_bytes + 1) : boundary_bytes();
	if (chance(30)) {
		c.flags = WSHEAP_CREATE_SPARSE;
		if (chance(90))
			c.trim_bytes = 0;
	}
	if (chance(5))
		c.flags = 1U << below(32);
	if (chance(5))
		c.__reserved = (uint32_t)rnd() | 1;
	if (chance(5))
		c.size = (uint32_t)boundary_bytes();
	valid = c.size == sizeof(c) && !c.__reserved && c.max_bytes &&
		(!c.flags || (c.flags == WSHEAP_CREATE_SPARSE && !c.trim_bytes &&
			      c.max_bytes <= WSHEAP_SPARSE_MAX_BYTES));
	ret = ioctl(fds[i], WSHEAP_IOC_CREATE, &c);
	if (ret) {
		expect_errno("CREATE", errno, EINVAL, E2BIG, ENOSPC, EOVERFLOW, ENOMEM, EFAULT, 0);
		if (valid && (errno == EINVAL || errno == E2BIG))
			fail("CREATE of max %llu trim %llu refused with %s",
			     (unsigned long long)c.max_bytes, (unsigned long long)c.trim_bytes,
			     strerror(errno));
		return;
	}
	if (!valid && c.size <= sizeof(c))
		fail("CREATE accepted flags %#x reserved %#x size %u max %llu", c.flags,
		     c.__reserved, c.size, (unsigned long long)c.max_bytes);
	if (c.mmap_size < c.max_bytes || c.mmap_size % PAGE || c.mmap_offset % PAGE)
		fail("CREATE: window %llu at %llu for max %llu",
		     (unsigned long long)c.mmap_size, (unsigned long long)c.mmap_offset,
		     (unsigned long long)c.max_bytes);
	if (!slot) {
		/* No room to track it: destroy it at once. */
		struct wsheap_heap_op op = { .size = sizeof(op), .heap_id = c.heap_id };

		if (ioctl(fds[i], WSHEAP_IOC_DESTROY, &op))
			fail("DESTROY of a new heap: %s", strerror(errno));
		return;
	}
	slot->live = true;
	slot->verified = true;
	slot->fd = i;
	slot->id = c.heap_id;
	slot->max = c.mmap_size;
	slot->offset = c.mmap_offset;
	slot->sparse = c.flags & WSHEAP_CREATE_SPARSE;
	slot->tag = (unsigned char)(1 + (worker * 64 + heap_serial++) % 255);
}

static void op_heap_op(void)
{
	static const unsigned long cmds[] = {
		WSHEAP_IOC_GROW, WSHEAP_IOC_GROW, WSHEAP_IOC_TRIM, WSHEAP_IOC_RESET,
		WSHEAP_IOC_DESTROY, WSHEAP_IOC_HEAP_INFO,
	};
	unsigned long cmd = cmds[below(sizeof(cmds) / sizeof(cmds[0]))];
	struct heap *heap = some_heap();
	union {
		struct wsheap_heap_op op;
		struct wsheap_heap_info info;
	} u;
	int fd_index, ret;
	bool known = heap && chance(90);

	memset(&u, 0, sizeof(u));
	fd_index = known ? heap->fd : (int)below(MAX_FDS);
	if (fds[fd_index] < 0)
		return;
	if (cmd == WSHEAP_IOC_HEAP_INFO) {
		u.info.size = sizeof(u.info);
		u.info.heap_id = known ? heap->id : random_id();
	} else {
		u.op.size = sizeof(u.op);
		u.op.heap_id = known ? heap->id : random_id();
		if (cmd == WSHEAP_IOC_GROW || cmd == WSHEAP_IOC_TRIM)
			u.op.bytes = known && chance(95) ? below(heap->max + 1) : boundary_bytes();
		if (chance(1))
			u.op.bytes = boundary_bytes();
		if (chance(3))
			u.op.flags = 1U << below(32);
	}
	ret = ioctl(fds[fd_index], cmd, &u);
	if (ret) {
		expect_errno("heap op", errno, EINVAL, ENOENT, EDQUOT, ENOSPC, ENOMEM, EOVERFLOW,
			     EINTR, 0);
		return;
	}
	if (known && heap->verified && heap->sparse &&
	    (cmd == WSHEAP_IOC_GROW || cmd == WSHEAP_IOC_TRIM || cmd == WSHEAP_IOC_RESET))
		fail("a prefix operation %#lx succeeded on sparse heap %u", cmd, heap->id);
	if (cmd == WSHEAP_IOC_DESTROY)
		forget_heap(fd_index, u.op.heap_id);
	if (!known || !heap->verified)
		return;
	switch (cmd) {
	case WSHEAP_IOC_GROW:
		if (u.op.actual_bytes < u.op.bytes || u.op.actual_bytes > heap->max)
			fail("GROW to %llu: backing %llu, max %llu",
			     (unsigned long long)u.op.bytes, (unsigned long long)u.op.actual_bytes,
			     (unsigned long long)heap->max);
		break;
	case WSHEAP_IOC_TRIM:
		if (u.op.bytes < UINT64_MAX - PAGE &&
		    u.op.actual_bytes > ((u.op.bytes + PAGE - 1) & ~(PAGE - 1)))
			fail("TRIM to %llu kept %llu", (unsigned long long)u.op.bytes,
			     (unsigned long long)u.op.actual_bytes);
		break;
	case WSHEAP_IOC_HEAP_INFO:
		if (u.info.max_bytes != heap->max || u.info.mmap_offset != heap->offset ||
		    u.info.actual_bytes > u.info.max_bytes)
			fail("HEAP_INFO: max %llu offset %llu actual %llu, created max %llu offset %llu",
			     (unsigned long long)u.info.max_bytes,
			     (unsigned long long)u.info.mmap_offset,
			     (unsigned long long)u.info.actual_bytes,
			     (unsigned long long)heap->max, (unsigned long long)heap->offset);
		break;
	}
}

/* Commands the module does not have, and bad argument pointers. */
/* BACK or REVOKE a page range, mostly inside a known heap's window. */
static void op_range(void)
{
	struct heap *heap = some_heap();
	struct wsheap_range r;
	bool known = heap && chance(90);
	unsigned long cmd = chance(60) ? WSHEAP_IOC_BACK : WSHEAP_IOC_REVOKE;
	uint64_t pages;
	int fd_index;

	memset(&r, 0, sizeof(r));
	fd_index = known ? heap->fd : (int)below(MAX_FDS);
	if (fds[fd_index] < 0)
		return;
	r.size = sizeof(r);
	r.heap_id = known ? heap->id : random_id();
	pages = known ? heap->max / PAGE : 16;
	r.offset = below(pages) * PAGE;
	r.length = (1 + below(pages - r.offset / PAGE)) * PAGE;
	if (chance(3))
		r.offset = boundary_bytes();
	if (chance(3))
		r.length = boundary_bytes();
	if (chance(2))
		r.flags = 1U << below(32);
	if (ioctl(fds[fd_index], cmd, &r)) {
		expect_errno("BACK/REVOKE", errno, EINVAL, ENOENT, ENOSPC, ENOMEM, EINTR, 0);
		if (known && heap->verified && heap->sparse && errno == EINVAL && !r.flags &&
		    r.offset % PAGE == 0 && r.length % PAGE == 0 && r.length &&
		    r.offset + r.length <= heap->max && r.offset + r.length > r.offset)
			fail("%s of [%llu, +%llu) in sparse heap %u of %llu refused",
			     cmd == WSHEAP_IOC_BACK ? "BACK" : "REVOKE",
			     (unsigned long long)r.offset, (unsigned long long)r.length, heap->id,
			     (unsigned long long)heap->max);
		return;
	}
	if (known && heap->verified && !heap->sparse)
		fail("BACK/REVOKE succeeded on prefix heap %u", heap->id);
	if (known && heap->verified && r.actual_bytes > heap->max)
		fail("BACK/REVOKE: backing %llu past the window %llu",
		     (unsigned long long)r.actual_bytes, (unsigned long long)heap->max);
}

static void op_bad_ioctl(void)
{
	int fd = fds[below(MAX_FDS)];
	unsigned long cmd;
	int ret;

	if (fd < 0)
		return;
	switch (below(3)) {
	case 0:
		cmd = _IO(WSHEAP_IOC_TYPE, 0x09 + below(0xf7));
		ret = ioctl(fd, cmd, NULL);
		if (!ret || errno != ENOTTY)
			fail("ioctl %#lx: %d, errno %d, not ENOTTY", cmd, ret, errno);
		break;
	case 1:
		cmd = _IOC(below(4), below(256), below(256), below(1 << 14));
		if (_IOC_TYPE(cmd) == WSHEAP_IOC_TYPE)
			return;
		ret = ioctl(fd, cmd, NULL);
		if (!ret || errno != ENOTTY)
			fail("ioctl %#lx: %d, errno %d, not ENOTTY", cmd, ret, errno);
		break;
	default:
		cmd = _IO(WSHEAP_IOC_TYPE, below(7));
		ret = ioctl(fd, cmd, chance(50) ? (void *)16 : (void *)(uintptr_t)-4096);
		if (!ret || errno != EFAULT)
			fail("ioctl %#lx on a bad pointer: %d, errno %d, not EFAULT", cmd, ret, errno);
		break;
	}
}

static void op_mmap(void)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ, PROT_WRITE,
		PROT_NONE, PROT_READ | PROT_WRITE | PROT_EXEC,
	};
	struct heap *heap = some_heap();
	struct map *m = free_map();
	uint64_t offset, len, pages;
	int prot, flags;
	void *p;

	if (!heap || !m)
		return;
	pages = heap->max / PAGE;
	offset = heap->offset + below(pages) * PAGE;
	len = (1 + below(pages + 1)) * PAGE;
	if (chance(5))
		offset = rnd() & ~(PAGE - 1);
	if (chance(5))
		len = boundary_bytes();
	prot = prots[below(sizeof(prots) / sizeof(prots[0]))];
	flags = chance(90) ? MAP_SHARED : MAP_PRIVATE;
	if (chance(10))
		flags |= MAP_POPULATE;
	p = mmap(NULL, len, prot, flags, fds[heap->fd], (off_t)offset);
	if (p == MAP_FAILED) {
		expect_errno("mmap", errno, EINVAL, EPERM, EACCES, ENOMEM, EOVERFLOW, 0);
		return;
	}
	if ((flags & MAP_PRIVATE) || (prot & PROT_EXEC))
		fail("mmap with flags %#x prot %#x succeeded", flags, prot);
	if (offset < heap->offset || offset + len > heap->offset + heap->max) {
		/* Some other heap's window on this file: look, then let go. */
		munmap(p, len);
		return;
	}
	pthread_rwlock_wrlock(&map_lock);
	m->live = true;
	m->writable = fd_writable[heap->fd];
	m->holes = false;
	m->addr = p;
	m->len = len;
	m->tag = heap->tag;
	pthread_rwlock_unlock(&map_lock);
}

/*
 * Unmap part or all of a mapping.  A hole left in a tracked range gets an
 * inaccessible placeholder, so that no other mapping lands where the
 * toucher may still write.
 */
static void op_munmap(void)
{
	struct map *m = &maps[below(MAX_MAPS)];
	size_t pages, first, count;

	if (!m->live)
		return;
	pages = m->len / PAGE;
	first = below(pages);
	count = 1 + below(pages - first);
	pthread_rwlock_wrlock(&map_lock);
	if (munmap(m->addr + first * PAGE, count * PAGE))
		fail("munmap: %s", strerror(errno));
	if (count == pages) {
		m->live = false;
	} else if (mmap(m->addr + first * PAGE, count * PAGE, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		fail("placeholder mmap: %s", strerror(errno));
	} else {
		m->holes = true;
	}
	pthread_rwlock_unlock(&map_lock);
}

static void op_mremap(void)
{
	struct map *m = &maps[below(MAX_MAPS)];
	size_t new_len;
	void *p;

	if (!m->live)
		return;
	pthread_rwlock_wrlock(&map_lock);
	switch (below(3)) {
	case 0:		/* grow: the module forbids it (VM_DONTEXPAND) */
		p = mremap(m->addr, m->len, m->len + PAGE, MREMAP_MAYMOVE);
		if (p == MAP_FAILED) {
			expect_errno("mremap grow", errno, EFAULT, EINVAL, ENOMEM, 0);
		} else if (m->holes) {
			/* Only placeholders were left, merged into one: drop them. */
			munmap(p, m->len + PAGE);
			m->live = false;
		} else {
			fail("mremap grew a heap mapping");
		}
		break;
	case 1:		/* shrink in place: the tail is unmapped */
		if (m->len <= PAGE)
			break;
		new_len = (1 + below(m->len / PAGE - 1)) * PAGE;
		p = mremap(m->addr, m->len, new_len, 0);
		if (p == MAP_FAILED) {
			expect_errno("mremap shrink", errno, EFAULT, EINVAL, ENOMEM, 0);
			break;
		}
		m->len = new_len;
		break;
	default:	/* move */
		p = mremap(m->addr, m->len, m->len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
		if (p == MAP_FAILED) {
			expect_errno("mremap move", errno, EFAULT, EINVAL, ENOMEM, 0);
			p = mremap(m->addr, m->len, m->len, MREMAP_MAYMOVE);
			if (p == MAP_FAILED) {
				expect_errno("mremap move", errno, EFAULT, EINVAL, ENOMEM, 0);
				break;
			}
		} else {
			/* DONTUNMAP left the old range mapped (anonymous, empty). */
			munmap(m->addr, m->len);
		}
		m->addr = p;
		break;
	}
	pthread_rwlock_unlock(&map_lock);
}

static void op_mprotect_madvise(void)
{
	static const int advice[] = {
		MADV_DONTNEED, MADV_WILLNEED, MADV_DONTFORK, MADV_DOFORK, MADV_RANDOM,
		MADV_REMOVE, MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_COLD,
		MADV_PAGEOUT, MADV_FREE, MADV_WIPEONFORK, MADV_DODUMP,
	};
	struct map *m = &maps[below(MAX_MAPS)];
	size_t pages, first, count;
	int prot;

	if (!m->live)
		return;
	pages = m->len / PAGE;
	first = below(pages);
	count = 1 + below(pages - first);
	pthread_rwlock_wrlock(&map_lock);
	if (chance(50)) {
		prot = (int)below(8);
		if (mprotect(m->addr + first * PAGE, count * PAGE, prot)) {
			expect_errno("mprotect", errno, EACCES, EINVAL, ENOMEM, 0);
			if (!(prot & PROT_EXEC) && m->writable && !m->holes)
				fail("mprotect %d refused: %s", prot, strerror(errno));
		} else if ((prot & PROT_EXEC) && !m->holes) {
			fail("mprotect made a heap mapping executable");
		}
	} else if (madvise(m->addr + first * PAGE, count * PAGE,
			   advice[below(sizeof(advice) / sizeof(advice[0]))])) {
		expect_errno("madvise", errno, EINVAL, EFAULT, EPERM, ENOMEM, EAGAIN, EBUSY,
			     EOPNOTSUPP, EIO, ENODEV, EBADF, EACCES, 0);
	}
	pthread_rwlock_unlock(&map_lock);
}

static void run_ops(long count);
static bool in_child;

/*
 * A child shares the open files (and so the heaps, by id) but gets none of
 * the heap mappings: it runs a few operations of its own and exits.
 */
static void op_fork(void)
{
	int status, i;
	pid_t pid;

	pthread_rwlock_wrlock(&map_lock);
	pid = fork();
	if (pid < 0 && (errno == ENOMEM || errno == EAGAIN)) {
		/* The guest's memory, not the module: the big windows count. */
		pthread_rwlock_unlock(&map_lock);
		return;
	}
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		pthread_rwlockattr_t attr;

		for (i = 0; i < MAX_MAPS; i++)
			maps[i].live = false;
		/*
		 * The parent's toucher may have been queued on the lock: its
		 * state is not the child's to unlock.  A fresh one.
		 */
		pthread_rwlockattr_init(&attr);
		pthread_rwlock_init(&map_lock, &attr);
		rng_state ^= 0x5555;
		in_child = true;
		run_ops(50);
		_exit(0);
	}
	pthread_rwlock_unlock(&map_lock);
	if (waitpid(pid, &status, 0) != pid)
		fail("waitpid: %s", strerror(errno));
	for (i = 0; i < MAX_HEAPS; i++)
		heaps[i].verified = false;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("forked child ended with status %#x", status);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A forked child does not fork again. */
static void op_fork_once(void)
{
	if (!in_child)
		op_fork();
}

/* What a worker does, how often (out of the weights' sum), and, with -v, its cost. */
static struct op {
	const char *name;
	unsigned int weight;
	void (*run)(void);
	long count;
	double seconds;
} ops[] = {
	{ .name = "open", .weight = 16, .run = op_open },
	{ .name = "close", .weight = 8, .run = op_close },
	{ .name = "create", .weight = 56, .run = op_create },
	{ .name = "heap op", .weight = 128, .run = op_heap_op },
	{ .name = "bad ioctl", .weight = 24, .run = op_bad_ioctl },
	{ .name = "back/revoke", .weight = 60, .run = op_range },
	{ .name = "mmap", .weight = 40, .run = op_mmap },
	{ .name = "munmap", .weight = 24, .run = op_munmap },
	{ .name = "mremap", .weight = 12, .run = op_mremap },
	{ .name = "mprotect/madvise", .weight = 24, .run = op_mprotect_madvise },
	{ .name = "fork", .weight = 1, .run = op_fork_once },
	{ .name = "touch", .weight = 67, .run = touch_one },
};
#define NR_OPS (sizeof(ops) / sizeof(ops[0]))

static struct op *pick_op(void)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < NR_OPS; i++)
		total += ops[i].weight;
	r = (unsigned int)below(total);
	for (i = 0; r >= ops[i].weight; i++)
		r -= ops[i].weight;
	return &ops[i];
}

static void run_ops(long count)
{
	struct op *op;
	double start;
	long n;

	for (n = 0; n < count; n++) {
		op_index++;
		if (verbose && !in_child && op_index % 50000 == 0)
			fprintf(stderr, "fuzz_dev: worker %d: %ld operations\n", worker, op_index);
		op = pick_op();
		start = verbose ? now() : 0;
		op->run();
		if (verbose) {
			op->seconds += now() - start;
			op->count++;
		}
	}
}

static void run_worker(int index, long count)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_NODEFER };
	pthread_rwlockattr_t attr;
	pthread_t thread;

	/* The toucher takes the lock in a loop: writers must not starve. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&map_lock, &attr);

	worker = index;
	rng_state = seed * 1000003 + (uint64_t)index;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (pthread_create(&thread, NULL, toucher, (void *)(uintptr_t)(rng_state ^ 0xabcdef)))
		fail("pthread_create");
	op_open();
	run_ops(count);
	stop_toucher = true;
	pthread_join(thread, NULL);
	if (verbose) {
		int i;

		for (i = 0; i < (int)NR_OPS; i++)
			fprintf(stderr, "fuzz_dev: worker %d: %-16s %7ld ops %8.3f s\n", index,
				ops[i].name, ops[i].count, ops[i].seconds);
	}
}

/* ---------------------------------------------------------- the parent */

/* The module-wide counts, or -1 if debugfs does not have them. */
static int read_stats(long counts[4])
{
	FILE *f = fopen(STATS_PATH, "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "heaps %ld pages %ld user_heaps %ld user_pages %ld", &counts[0],
		   &counts[1], &counts[2], &counts[3]);
	fclose(f);
	return n == 4 ? 0 : -1;
}

int main(int argc, char **argv)
{
	long before[4], after[4];
	struct timespec t0, t1;
	int opt, i, status, failed = 0, tries;
	bool have_stats;
	pid_t pid;

	while ((opt = getopt(argc, argv, "s:n:p:v")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			total_ops = strtol(optarg, NULL, 0);
			break;
		case 'p':
			procs = atoi(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n OPS] [-p PROCS] [-v]\n", argv[0]);
			return 64;
		}
	}
	if (procs < 1 || total_ops < 1) {
		fprintf(stderr, "fuzz_dev: -p and -n must be positive\n");
		return 64;
	}
	have_stats = !read_stats(before);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < procs; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			run_worker(i, total_ops / procs);
			_exit(0);
		}
	}
	for (i = 0; i < procs; i++) {
		pid = wait(&status);
		if (pid < 0)
			break;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "fuzz_dev: a worker ended with status %#x (seed %llu)\n",
				status, (unsigned long long)seed);
			failed = 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("fuzz_dev: seed %llu, %ld operations in %d processes, %.1f s\n",
	       (unsigned long long)seed, total_ops, procs,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

	/* Everything the workers had is gone once their files are released. */
	if (have_stats) {
		for (tries = 0; tries < 100; tries++) {
			if (!read_stats(after) && !memcmp(before, after, sizeof(after)))
				break;
			usleep(100000);
		}
		if (tries == 100) {
			fprintf(stderr, "fuzz_dev: FAIL (seed %llu): module counts heaps %ld pages %ld user_heaps %ld user_pages %ld, were %ld %ld %ld %ld\n",
				(unsigned long long)seed, after[0], after[1], after[2], after[3],
				before[0], before[1], before[2], before[3]);
			failed = 1;
		}
	} else {
		fprintf(stderr, "fuzz_dev: FAIL: no %s to check the module's counts\n", STATS_PATH);
		failed = 1;
	}
	if (verbose)
		printf("fuzz_dev: module counts %ld %ld %ld %ld\n", after[0], after[1], after[2],
		       after[3]);
	return failed;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory model of the redesigned /dev/wsheap: what user space can see
 * of it without looking inside the module.
 *
 * - Limits per user (the real uid of whoever opened /dev/wsheap), over all
 *   that user's open files: max_user_bytes for backing, max_user_heaps for
 *   heaps.  One user's heaps never use up what another user may have.
 * - A fault never waits for a GROW or TRIM of the same heap in another
 *   process: growing populates pages without the lock faults take.
 * - A GROW can be killed, and leaves the heap as it was.
 * - An ioctl whose answer cannot be written back (EFAULT) changes nothing.
 * - Heap pages are shmem pages (RssShmem), and heap VMAs are VM_IO: no one
 *   can pin them (vmsplice, io_uring fixed buffers) or make fork() copy
 *   them (MADV_DOFORK), while /proc/PID/mem still reads them through
 *   vm_ops->access.
 *
 * Each test sets the module parameters it needs through sysfs and puts
 * back what was there in the teardown.  64-bit only: its heaps are
 * hundreds of MiB, and the compat paths are uapi_heap_test32's to test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/io_uring.h>
#include <linux/wsheap.h>

#include "kselftest_harness.h"
#include "device.h"

#define SZ_1M		(1UL << 20)
#define PARAM_DIR	"/sys/module/wsheap/parameters/"
#define STATS		"/sys/kernel/debug/wsheap/stats"
/* Two users with no other business on the guest. */
#define UID_A		1000
#define UID_B		1001

static long page_size;

static int wsheap_open(void)
{
	return open(WSHEAP_DEVICE, O_RDWR | O_CLOEXEC);
}

static int create_heap_trim(int fd, uint64_t max_bytes, uint64_t trim_bytes,
			    struct wsheap_create *out)
{
	struct wsheap_create c = { .size = sizeof(c), .max_bytes = max_bytes,
				   .trim_bytes = trim_bytes };

	if (ioctl(fd, WSHEAP_IOC_CREATE, &c))
		return -errno;
	if (out)
		*out = c;
	return 0;
}

static int create_heap(int fd, uint64_t max_bytes, struct wsheap_create *out)
{
	return create_heap_trim(fd, max_bytes, 0, out);
}

static int heap_op(int fd, unsigned long cmd, uint32_t id, uint64_t bytes, uint64_t *actual)
{
	struct wsheap_heap_op op = { .size = sizeof(op), .heap_id = id, .bytes = bytes };

	if (ioctl(fd, cmd, &op))
		return -errno;
	if (actual)
		*actual = op.actual_bytes;
	return 0;
}

/* The heap's backing in bytes, or -errno if HEAP_INFO refuses. */
static int64_t heap_actual(int fd, uint32_t id)
{
	struct wsheap_heap_info i = { .size = sizeof(i), .heap_id = id };

	if (ioctl(fd, WSHEAP_IOC_HEAP_INFO, &i))
		return -errno;
	return (int64_t)i.actual_bytes;
}

static void *map_heap(int fd, const struct wsheap_create *c)
{
	return mmap(NULL, c->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)c->mmap_offset);
}

/* User heaps module-wide, from debugfs; -1 if it cannot be read. */
static long user_heaps(void)
{
	long heaps, pages, uheaps = -1, upages;
	FILE *f = fopen(STATS, "r");

	if (!f)
		return -1;
	if (fscanf(f, "heaps %ld\npages %ld\nuser_heaps %ld\nuser_pages %ld",
		   &heaps, &pages, &uheaps, &upages) != 4)
		uheaps = -1;
	fclose(f);
	return uheaps;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * How touching @addr ends in this process: 0 if it got through, else the
 * signal.  A signal handler, not a child: a child would not have the
 * mapping.
 */
static sigjmp_buf touch_jmp;
static volatile int touch_sig;

static void touch_handler(int sig)
{
	touch_sig = sig;
	siglongjmp(touch_jmp, 1);
}

static int touch_here(volatile char *addr)
{
	struct sigaction sa = { .sa_handler = touch_handler }, old_bus, old_segv;

	touch_sig = 0;
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (!sigsetjmp(touch_jmp, 1))
		(void)*addr;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return touch_sig;
}

/* The same in a fork() child: 0 if the read got through, else the signal. */
static int touch_in_child(volatile char *addr)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		(void)*addr;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* ---------------------------------------------------- module parameters */

/* -ENOENT: the loaded module has no parameter @name. */
static int read_param(const char *name, unsigned long *value)
{
	char path[128], buf[64];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		ret = -EIO;
	fclose(f);
	if (!ret)
		*value = strtoul(buf, NULL, 0);
	return ret;
}

static int write_param(const char *name, unsigned long value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%lu\n", value);
	return fclose(f) ? -errno : 0;
}

#define MAX_SAVED 8

FIXTURE(model) {
	struct {
		const char *name;
		unsigned long old;
	} saved[MAX_SAVED];
	unsigned int nsaved;
};

FIXTURE_SETUP(model)
{
	self->nsaved = 0;
	SKIP_IF_NO_DEVICE();
	page_size = sysconf(_SC_PAGESIZE);
}

/* Newest first: each parameter gets the value it had before the test. */
FIXTURE_TEARDOWN(model)
{
	while (self->nsaved) {
		self->nsaved--;
		EXPECT_EQ(0, write_param(self->saved[self->nsaved].name,
					 self->saved[self->nsaved].old))
			TH_LOG("%s not restored to %lu", self->saved[self->nsaved].name,
			       self->saved[self->nsaved].old);
	}
}

/*
 * Set a module parameter for the rest of the test; the teardown restores
 * it.  -ENOENT if the loaded module does not have it.
 */
static int set_param(FIXTURE_DATA(model) *self, const char *name, unsigned long value)
{
	unsigned long old = 0;
	int ret;

	ret = read_param(name, &old);
	if (ret)
		return ret;
	if (self->nsaved == MAX_SAVED)
		return -E2BIG;
	ret = write_param(name, value);
	if (ret)
		return ret;
	self->saved[self->nsaved].name = name;
	self->saved[self->nsaved].old = old;
	self->nsaved++;
	return 0;
}

/*
 * A parameter only the redesigned module has: today's lacks it, and its
 * test must then fail on the behaviour, not skip.
 */
#define SET_NEW_PARAM(name, value) do {					\
	int __ret = set_param(self, name, value);			\
									\
	if (__ret == -ENOENT)						\
		TH_LOG("%s: not a parameter of this module; "		\
		       "what it limits is tested anyway", name);	\
	else								\
		ASSERT_EQ(0, __ret) TH_LOG("%s: %s", name, strerror(-__ret)); \
} while (0)

#define SET_PARAM(name, value) do {					\
	int __ret = set_param(self, name, value);			\
									\
	ASSERT_EQ(0, __ret) TH_LOG("%s: %s", name, strerror(-__ret));	\
} while (0)

/* ------------------------------------------------- children as other users */

/*
 * The children below report through pipes and exit codes, never through
 * the harness's asserts: an ASSERT in a forked child would unwind into the
 * harness's copy of the test and run the teardown from there.
 */
static int become(uid_t uid)
{
	return setresgid(uid, uid, uid) || setresuid(uid, uid, uid) ? -errno : 0;
}

static int read_full(int fd, void *buf, size_t len)
{
	return read(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

static int write_full(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

/* The exit status of @pid as a number a TH_LOG can print: signals negative. */
static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1000;
	return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

/* What the uid UID_B child did: 0, or where it failed as -errno. */
struct other_user {
	int open, create, op;
};

/*
 * In a child running as UID_B: open /dev/wsheap, create a heap and, if
 * @grow, grow it by a page.  Called while another user holds all it may.
 */
static struct other_user other_user_tries(bool grow)
{
	struct other_user r = { -EBADF, -EBADF, -EBADF };
	struct wsheap_create c;
	int p[2], fd;
	pid_t pid;

	if (pipe(p))
		return r;
	pid = fork();
	if (pid == 0) {
		r.open = become(UID_B);
		fd = r.open ? -1 : wsheap_open();
		if (!r.open && fd < 0)
			r.open = -errno;
		if (fd >= 0) {
			r.create = create_heap(fd, 64 * SZ_1M, &c);
			if (!r.create && grow)
				r.op = heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 4096, NULL);
		}
		_exit(write_full(p[1], &r, sizeof(r)) ? 1 : 0);
	}
	if (pid > 0) {
		if (read_full(p[0], &r, sizeof(r)))
			r.open = -EPIPE;
		reap(pid);
	}
	close(p[0]);
	close(p[1]);
	return r;
}

/* ------------------------------------------------------------ per user */

#define USER_FDS 4

struct user_bytes {
	int setup;			/* become(), open(), CREATE: 0 or -errno */
	int grow[USER_FDS];		/* each GROW to 64 MiB */
};

/*
 * One user's backing is bounded over all the files it opens: four files
 * of 64 MiB each, at most 64 MiB in all.  Another user's heap grows
 * meanwhile: the first user took only its own share of the total.
 */
TEST_F_TIMEOUT(model, per_user_bytes, 180)
{
	const unsigned long limit = 64 * SZ_1M;
	struct other_user other;
	struct user_bytes r;
	int res[2], hold[2], k, status;
	unsigned long granted = 0;
	pid_t pid;

	SET_PARAM("max_file_bytes", limit);
	SET_NEW_PARAM("max_user_bytes", limit);
	SET_PARAM("max_total_bytes", 4 * limit);
	ASSERT_EQ(0, pipe(res));
	ASSERT_EQ(0, pipe(hold));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct wsheap_create c;
		int fd;
		char byte;

		memset(&r, 0, sizeof(r));
		r.setup = become(UID_A);
		for (k = 0; k < USER_FDS && !r.setup; k++) {
			fd = wsheap_open();
			if (fd < 0) {
				r.setup = -errno;
				break;
			}
			r.setup = create_heap(fd, limit, &c);
			if (!r.setup)
				r.grow[k] = heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, limit, NULL);
		}
		if (write_full(res[1], &r, sizeof(r)))
			_exit(1);
		/* Hold it all until the other user has tried. */
		_exit(read(hold[0], &byte, 1) < 0 ? 2 : 0);
	}
	ASSERT_EQ(0, read_full(res[0], &r, sizeof(r)));
	other = other_user_tries(true);
	ASSERT_EQ(1, write(hold[1], "x", 1));
	status = reap(pid);

	ASSERT_EQ(0, r.setup) TH_LOG("uid %d: %s", UID_A, strerror(-r.setup));
	for (k = 0; k < USER_FDS; k++) {
		if (!r.grow[k])
			granted += limit;
		else
			EXPECT_EQ(-ENOSPC, r.grow[k])
				TH_LOG("file %d: %s", k, strerror(-r.grow[k]));
	}
	EXPECT_EQ(limit, granted)
		TH_LOG("uid %d got %lu MiB over %d files; max_user_bytes is %lu MiB",
		       UID_A, granted / SZ_1M, USER_FDS, limit / SZ_1M);
	EXPECT_EQ(0, other.open);
	EXPECT_EQ(0, other.create);
	EXPECT_EQ(0, other.op)
		TH_LOG("uid %d could not grow a heap by a page: %s", UID_B, strerror(-other.op));
	EXPECT_EQ(0, status);
	close(res[0]);
	close(res[1]);
	close(hold[0]);
	close(hold[1]);
}

struct user_heaps {
	int setup;
	int made;			/* heaps created before the first refusal */
	int refusal;			/* that refusal, or 0 if none came */
	int destroy, again, over;	/* one destroyed, one more, and the next */
};

/* Far past the limit: where today's module, which has none, is stopped. */
#define HEAPS_TRIED 3000

/*
 * max_user_heaps counts one user's heaps over all its files, exactly; a
 * destroyed heap makes room for one more; another user is not affected.
 */
TEST_F_TIMEOUT(model, per_user_heaps, 180)
{
	const int limit = 1000;
	struct other_user other;
	struct user_heaps r;
	int res[2], hold[2], status;
	pid_t pid;

	SET_NEW_PARAM("max_user_heaps", limit);
	ASSERT_EQ(0, pipe(res));
	ASSERT_EQ(0, pipe(hold));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd[2] = { -1, -1 };
		char byte;
		int ret = 0;

		memset(&r, 0, sizeof(r));
		r.setup = become(UID_A);
		if (!r.setup) {
			fd[0] = wsheap_open();
			fd[1] = wsheap_open();
			if (fd[0] < 0 || fd[1] < 0)
				r.setup = -errno;
		}
		/* Alternately on two files: the count is the user's, not a file's. */
		while (!r.setup && r.made < HEAPS_TRIED) {
			ret = create_heap(fd[r.made % 2], 4096, NULL);
			if (ret)
				break;
			r.made++;
		}
		r.refusal = ret;
		if (!r.setup && r.made) {
			/* Heap 1 of the first file is the first one made. */
			r.destroy = heap_op(fd[0], WSHEAP_IOC_DESTROY, 1, 0, NULL);
			r.again = create_heap(fd[1], 4096, NULL);
			r.over = create_heap(fd[1], 4096, NULL);
		}
		if (write_full(res[1], &r, sizeof(r)))
			_exit(1);
		_exit(read(hold[0], &byte, 1) < 0 ? 2 : 0);
	}
	ASSERT_EQ(0, read_full(res[0], &r, sizeof(r)));
	other = other_user_tries(false);
	ASSERT_EQ(1, write(hold[1], "x", 1));
	status = reap(pid);

	ASSERT_EQ(0, r.setup) TH_LOG("uid %d: %s", UID_A, strerror(-r.setup));
	EXPECT_EQ(limit, r.made) TH_LOG("uid %d created %d heaps on 2 files (tried %d)",
					UID_A, r.made, HEAPS_TRIED);
	EXPECT_EQ(-ENOSPC, r.refusal) TH_LOG("refusal: %s", strerror(-r.refusal));
	EXPECT_EQ(0, r.destroy);
	EXPECT_EQ(0, r.again);
	EXPECT_EQ(-ENOSPC, r.over);
	EXPECT_EQ(0, other.open);
	EXPECT_EQ(0, other.create)
		TH_LOG("uid %d could not create a heap: %s", UID_B, strerror(-other.create));
	EXPECT_EQ(0, status);
	close(res[0]);
	close(res[1]);
	close(hold[0]);
	close(hold[1]);
}

/* ---------------------------------------------- faults do not wait */

/*
 * A fault maps up to 16 pages after the faulting one (today's batch, and
 * shmem's fault-around of 64 KiB): B touches page 0 first, to know its
 * mapping works, and then RACE_PAGE, far enough that it needs a fault of
 * its own.  B checks that it did take one.
 */
#define RACE_KEEP	64	/* pages backed before a grow, kept by a trim */
#define RACE_PAGE	48

/* Shared between A (the test) and B; times are CLOCK_MONOTONIC ns. */
struct race {
	int64_t a_start, a_end;		/* A's ioctl */
	int64_t b_start, b_end;		/* B's touch of RACE_PAGE */
	long b_faults;			/* faults that touch took */
	int a_done;			/* set by A as soon as the ioctl returned */
	int done_before, done_after;	/* a_done, as B saw it around its touch */
	int a_ret;
};

/*
 * B, a fork()ed child, maps heap @c through the fd it inherited (fork()
 * copies no heap mapping), touches page 0 and, if @pretouch_from, every
 * 16th page from there to @pages, and tells A it is ready.  A then runs
 * @cmd to @bytes; B, told just before the ioctl and after @delay_us,
 * touches RACE_PAGE.  B's own status is its exit code.
 */
static int run_race(int fd, const struct wsheap_create *c, unsigned long cmd, uint64_t bytes,
		    unsigned long pretouch_from, unsigned long pages, unsigned int delay_us,
		    struct race *r)
{
	int ready[2], go[2], status;
	char byte;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe(ready) || pipe(go))
		return -100;
	pid = fork();
	if (pid < 0)
		return -101;
	if (pid == 0) {
		volatile char *p = map_heap(fd, c);
		unsigned long i;
		long before;

		if (p == MAP_FAILED)
			_exit(10);
		p[0] = 1;
		for (i = pretouch_from; pretouch_from && i < pages; i += 16)
			p[i * page_size] = 1;
		if (write_full(ready[1], "r", 1) || read_full(go[0], &byte, 1))
			_exit(11);
		usleep(delay_us);
		/*
		 * Once for nothing first: in a new child the vDSO's text and
		 * a fresh stack page fault, and the count below must be the
		 * touch's alone.
		 */
		minor_faults();
		now_ns();
		r->done_before = __atomic_load_n(&r->a_done, __ATOMIC_SEQ_CST);
		before = minor_faults();
		r->b_start = now_ns();
		p[RACE_PAGE * page_size] = 2;
		r->b_end = now_ns();
		r->b_faults = minor_faults() - before;
		r->done_after = __atomic_load_n(&r->a_done, __ATOMIC_SEQ_CST);
		_exit(0);
	}
	if (read_full(ready[0], &byte, 1) || write_full(go[1], "g", 1)) {
		kill(pid, SIGKILL);
		reap(pid);
		return -102;
	}
	r->a_start = now_ns();
	r->a_ret = heap_op(fd, cmd, c->heap_id, bytes, NULL);
	__atomic_store_n(&r->a_done, 1, __ATOMIC_SEQ_CST);
	r->a_end = now_ns();
	status = reap(pid);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	return status;
}

static int64_t ms(int64_t ns)
{
	return ns / 1000000;
}

/*
 * Decide one race.  Conclusive only if B started its touch in the first
 * half of A's ioctl: a fault that waited for the ioctl then took at least
 * the other half, and one that did not wait took a fault's time, which is
 * far less than a quarter of an ioctl over hundreds of MiB.
 */
#define RACE_INCONCLUSIVE	1

static int judge_race(struct __test_metadata *_metadata, const char *what,
		      const struct race *r)
{
	int64_t op = r->a_end - r->a_start, into = r->b_start - r->a_start;
	int64_t touch = r->b_end - r->b_start;

	TH_LOG("%s took %lld ms; B touched at %lld ms, its fault took %lld ms (%ld faults)",
	       what, (long long)ms(op), (long long)ms(into), (long long)ms(touch), r->b_faults);
	EXPECT_EQ(0, r->a_ret) TH_LOG("%s: %s", what, strerror(-r->a_ret));
	/* A page already mapped proves nothing: the setup is wrong. */
	EXPECT_LE(1, r->b_faults) TH_LOG("page %d was already mapped in B", RACE_PAGE);
	if (r->done_before || into > op / 2)
		return RACE_INCONCLUSIVE;
	EXPECT_EQ(0, r->done_after)
		TH_LOG("B's fault completed only after the %s had returned", what);
	EXPECT_LT(touch, op / 4)
		TH_LOG("B's fault waited for the %s: %lld of its %lld ms", what,
		       (long long)ms(touch), (long long)ms(op));
	return 0;
}

/* Enough room for a heap of @bytes whatever else the defaults say. */
static void allow_bytes(struct __test_metadata *_metadata, FIXTURE_DATA(model) *self,
			unsigned long bytes)
{
	SET_PARAM("max_file_bytes", bytes);
	SET_NEW_PARAM("max_user_bytes", bytes);
	SET_PARAM("max_total_bytes", bytes);
}

/*
 * Tried in turn until B's touch lands in the first half of the ioctl:
 * larger, and B sooner after A's signal (B must not touch before A is in
 * the ioctl; 20 ms is plenty, 1 ms usually enough).
 */
static const struct {
	unsigned long bytes;
	unsigned int delay_us;
} race_tries[] = {
	{ 256 * SZ_1M, 20000 },
	{ 512 * SZ_1M, 5000 },
	{ 512 * SZ_1M, 1000 },
};
#define RACE_TRIES (sizeof(race_tries) / sizeof(race_tries[0]))

/*
 * While A grows a heap by hundreds of MiB, B faults on a page the heap
 * had before: the fault must not wait for the grow.
 */
TEST_F_TIMEOUT(model, fault_does_not_wait_for_grow, 300)
{
	struct wsheap_create c;
	struct race *r;
	unsigned int k;
	int fd, ret = RACE_INCONCLUSIVE;

	allow_bytes(_metadata, self, 1024 * SZ_1M);
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	for (k = 0; k < RACE_TRIES; k++) {
		fd = wsheap_open();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, create_heap(fd, race_tries[k].bytes, &c));
		ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, RACE_KEEP * page_size, NULL));
		ASSERT_EQ(0, run_race(fd, &c, WSHEAP_IOC_GROW, race_tries[k].bytes, 0, 0,
				      race_tries[k].delay_us, r));
		ret = judge_race(_metadata, "grow", r);
		close(fd);
		if (ret != RACE_INCONCLUSIVE)
			break;
		TH_LOG("B came too late for a grow to %lu MiB", race_tries[k].bytes / SZ_1M);
	}
	ASSERT_NE(RACE_INCONCLUSIVE, ret)
		TH_LOG("inconclusive: every grow was over before B's fault began");
	munmap(r, sizeof(*r));
}

/*
 * The same for a trim from hundreds of MiB down to RACE_KEEP pages, with
 * B's mapping holding PTEs all over the part given back: B's fault on a
 * kept page must not wait for the trim.
 */
TEST_F_TIMEOUT(model, fault_does_not_wait_for_trim, 300)
{
	struct wsheap_create c;
	struct race *r;
	unsigned int k;
	int fd, ret = RACE_INCONCLUSIVE;
	unsigned long pages;

	allow_bytes(_metadata, self, 1024 * SZ_1M);
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	for (k = 0; k < RACE_TRIES; k++) {
		pages = race_tries[k].bytes / page_size;
		fd = wsheap_open();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, create_heap(fd, race_tries[k].bytes, &c));
		ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, race_tries[k].bytes, NULL));
		ASSERT_EQ(0, run_race(fd, &c, WSHEAP_IOC_TRIM, RACE_KEEP * page_size,
				      RACE_KEEP, pages, race_tries[k].delay_us, r));
		ret = judge_race(_metadata, "trim", r);
		close(fd);
		if (ret != RACE_INCONCLUSIVE)
			break;
		TH_LOG("B came too late for a trim from %lu MiB", race_tries[k].bytes / SZ_1M);
	}
	ASSERT_NE(RACE_INCONCLUSIVE, ret)
		TH_LOG("inconclusive: every trim was over before B's fault began");
	munmap(r, sizeof(*r));
}

/* -------------------------------------------------------- killable grow */

/*
 * A child sharing the parent's file grows a heap by 256 MiB and is killed
 * a tenth of the way into it: it dies at once, and the heap keeps the
 * backing it had, neither more nor less.
 */
TEST_F_TIMEOUT(model, grow_is_killable, 300)
{
	const unsigned long big = 256 * SZ_1M;
	struct wsheap_create c, scratch;
	int64_t t0, took, wait_us, started, killed_at, dead_after = -1;
	int fd, p[2], status = 0, i;
	char *map, byte;
	pid_t pid, got = 0;

	allow_bytes(_metadata, self, 1024 * SZ_1M);
	fd = wsheap_open();
	ASSERT_LE(0, fd);
	/* How long the grow takes here, to kill it well inside it. */
	ASSERT_EQ(0, create_heap(fd, big, &scratch));
	t0 = now_ns();
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, scratch.heap_id, big, NULL));
	took = now_ns() - t0;
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_DESTROY, scratch.heap_id, 0, NULL));

	ASSERT_EQ(0, create_heap(fd, big, &c));
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 16 * page_size, NULL));
	map = map_heap(fd, &c);
	ASSERT_NE(MAP_FAILED, map);
	memset(map, 0x6b, 16 * page_size);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (write_full(p[1], "g", 1))
			_exit(1);
		heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, big, NULL);
		/* Only if the kill came too late. */
		_exit(write_full(p[1], "d", 1) ? 1 : 0);
	}
	ASSERT_EQ(0, read_full(p[0], &byte, 1));
	started = now_ns();
	wait_us = took / 10 / 1000;
	usleep(wait_us > 1000 ? wait_us : 1000);
	killed_at = now_ns();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	for (i = 0; i < 500 && !got; i++) {
		got = waitpid(pid, &status, WNOHANG);
		if (!got)
			usleep(10000);
	}
	if (got == pid)
		dead_after = now_ns() - killed_at;
	TH_LOG("a grow takes %lld ms; killed %lld ms into it, dead %lld ms later",
	       (long long)ms(took), (long long)ms(killed_at - started),
	       (long long)ms(dead_after));
	if (!got) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ASSERT_EQ(pid, got) TH_LOG("the child still ran 5 s after SIGKILL");
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("the grow had returned before the kill: %lld ms was too long",
		       (long long)ms(took / 10));
	EXPECT_EQ(16 * page_size, heap_actual(fd, c.heap_id));
	EXPECT_EQ(0x6b, map[16 * page_size - 1]);
	EXPECT_EQ(SIGBUS, touch_here(map + 16 * page_size));
	munmap(map, c.mmap_size);
	close(p[0]);
	close(p[1]);
	close(fd);
}

/* ------------------------------------------------------- EFAULT is clean */

/*
 * An argument the kernel can read but not write back: the struct alone in
 * a page, then the page made read-only.  The caller never learns what the
 * ioctl did, so it must have done nothing.
 */
static int ro_heap_op(int fd, unsigned long cmd, uint32_t id, uint64_t bytes)
{
	struct wsheap_heap_op *op;
	int ret;

	op = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (op == MAP_FAILED)
		return -ENOMEM;
	memset(op, 0, sizeof(*op));
	op->size = sizeof(*op);
	op->heap_id = id;
	op->bytes = bytes;
	ret = mprotect(op, page_size, PROT_READ) ? -ENOMEM :
	      ioctl(fd, cmd, op) ? -errno : 0;
	munmap(op, page_size);
	return ret;
}

static int ro_create(int fd, uint64_t max_bytes)
{
	struct wsheap_create *c;
	int ret;

	c = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->max_bytes = max_bytes;
	ret = mprotect(c, page_size, PROT_READ) ? -ENOMEM :
	      ioctl(fd, WSHEAP_IOC_CREATE, c) ? -errno : 0;
	munmap(c, page_size);
	return ret;
}

/* A heap of 16 pages with 8 backed, mapped, every backed byte 0x4d. */
static char *efault_heap(struct __test_metadata *_metadata, int fd, struct wsheap_create *c)
{
	char *map;

	if (create_heap_trim(fd, 16 * page_size, 2 * page_size, c) ||
	    heap_op(fd, WSHEAP_IOC_GROW, c->heap_id, 8 * page_size, NULL))
		return NULL;
	map = map_heap(fd, c);
	if (map == MAP_FAILED)
		return NULL;
	memset(map, 0x4d, 8 * page_size);
	return map;
}

/* As efault_heap() left it: 8 pages, data in place, SIGBUS past them. */
#define EXPECT_HEAP_AS_BEFORE(what) do {					\
	EXPECT_EQ(8 * page_size, heap_actual(fd, c.heap_id))			\
		TH_LOG("%s with EFAULT changed the backing", what);		\
	EXPECT_EQ(0, touch_here(map + 8 * page_size - 1))			\
		TH_LOG("%s with EFAULT revoked backed pages", what);		\
	if (!touch_sig)								\
		EXPECT_EQ(0x4d, map[8 * page_size - 1]);			\
	EXPECT_EQ(SIGBUS, touch_here(map + 8 * page_size))			\
		TH_LOG("%s with EFAULT backed more pages", what);		\
} while (0)

TEST_F(model, efault_changes_nothing)
{
	struct wsheap_create c;
	long heaps_before;
	char *map, *again;
	int fd;

	fd = wsheap_open();
	ASSERT_LE(0, fd);

	map = efault_heap(_metadata, fd, &c);
	ASSERT_NE(NULL, map);
	EXPECT_EQ(-EFAULT, ro_heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 16 * page_size));
	EXPECT_HEAP_AS_BEFORE("GROW");
	munmap(map, c.mmap_size);

	map = efault_heap(_metadata, fd, &c);
	ASSERT_NE(NULL, map);
	EXPECT_EQ(-EFAULT, ro_heap_op(fd, WSHEAP_IOC_TRIM, c.heap_id, page_size));
	EXPECT_HEAP_AS_BEFORE("TRIM");
	munmap(map, c.mmap_size);

	/* Its trim size is 2 pages: a reset that happened would keep 2 of 8. */
	map = efault_heap(_metadata, fd, &c);
	ASSERT_NE(NULL, map);
	EXPECT_EQ(-EFAULT, ro_heap_op(fd, WSHEAP_IOC_RESET, c.heap_id, 0));
	EXPECT_HEAP_AS_BEFORE("RESET");
	munmap(map, c.mmap_size);

	/* Not destroyed: it is there, its mapping works, it maps again. */
	map = efault_heap(_metadata, fd, &c);
	ASSERT_NE(NULL, map);
	EXPECT_EQ(-EFAULT, ro_heap_op(fd, WSHEAP_IOC_DESTROY, c.heap_id, 0));
	EXPECT_HEAP_AS_BEFORE("DESTROY");
	again = map_heap(fd, &c);
	EXPECT_NE(MAP_FAILED, again) TH_LOG("the heap's window no longer maps: %s",
					    strerror(errno));
	if (again != MAP_FAILED) {
		EXPECT_EQ(0x4d, again[0]);
		munmap(again, c.mmap_size);
	}
	munmap(map, c.mmap_size);

	/* No heap left behind, on this file or anywhere. */
	heaps_before = user_heaps();
	ASSERT_LE(0, heaps_before) TH_LOG("%s unreadable", STATS);
	EXPECT_EQ(-EFAULT, ro_create(fd, 4096));
	EXPECT_EQ(heaps_before, user_heaps()) TH_LOG("CREATE with EFAULT left a heap");
	close(fd);
}

/* -------------------------------------------------- VM_IO: no pins */

/* io_uring_setup() and io_uring_register() have no glibc wrappers. */
static int uring_setup(unsigned int entries, struct io_uring_params *p)
{
	return syscall(__NR_io_uring_setup, entries, p);
}

static int uring_register(int ring, unsigned int op, void *arg, unsigned int nr)
{
	return syscall(__NR_io_uring_register, ring, op, arg, nr);
}

/*
 * A pin keeps a page past its trim.  The heap must not get that page back
 * (the pinner's I/O would land in a later message), and the page must stay
 * counted against the limits until its pin goes, or pinning and trimming
 * in turn would take memory the limits do not see.
 */
TEST_F(model, pinned_pages_stay_counted)
{
	struct io_uring_params params;
	struct wsheap_create c;
	char buf[64];
	struct iovec iov;
	int fd, pipefd[2], ring;
	char *map;

	fd = wsheap_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, create_heap(fd, 16 * page_size, &c));
	ASSERT_EQ(0, set_param(self, "max_file_bytes", 16 * page_size));
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 16 * page_size, NULL));
	map = map_heap(fd, &c);
	ASSERT_NE(MAP_FAILED, map);
	memset(map, 0x21, 16 * page_size);

	/*
	 * vmsplice() takes references, not pins, into the pipe (which pipe
	 * limits count): after a trim the pipe holds the old page, and the
	 * heap gets a new one.
	 */
	ASSERT_EQ(0, pipe(pipefd));
	iov.iov_base = map;
	iov.iov_len = sizeof(buf);
	ASSERT_EQ((ssize_t)sizeof(buf), vmsplice(pipefd[1], &iov, 1, 0));
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_TRIM, c.heap_id, 0, NULL));
	EXPECT_EQ(SIGBUS, touch_here(map));
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 16 * page_size, NULL));
	EXPECT_EQ(0, map[0]);
	ASSERT_EQ((ssize_t)sizeof(buf), read(pipefd[0], buf, sizeof(buf)));
	EXPECT_EQ(0x21, buf[0]);
	close(pipefd[0]);
	close(pipefd[1]);
	memset(map, 0x22, 16 * page_size);

	/* Fixed buffers are long-term pins (FOLL_PIN | FOLL_LONGTERM). */
	memset(&params, 0, sizeof(params));
	ring = uring_setup(4, &params);
	if (ring < 0) {
		TH_LOG("io_uring unavailable (%s): pins not tried", strerror(errno));
		goto out;
	}
	iov.iov_base = map;
	iov.iov_len = 16 * page_size;
	if (uring_register(ring, IORING_REGISTER_BUFFERS, &iov, 1)) {
		/* 6.1's io_uring takes no fixed buffer from a file mapping. */
		TH_LOG("io_uring refused the heap as a fixed buffer (%s)", strerror(errno));
		close(ring);
		goto out;
	}
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_TRIM, c.heap_id, 0, NULL));
	EXPECT_EQ(SIGBUS, touch_here(map));
	/* The 16 pinned pages still count: the file's limit is reached. */
	EXPECT_EQ(-ENOSPC, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, page_size, NULL));
	/* Unpinned, they go, and the heap grows again with new pages. */
	ASSERT_EQ(0, uring_register(ring, IORING_UNREGISTER_BUFFERS, NULL, 0));
	close(ring);
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 16 * page_size, NULL));
	EXPECT_EQ(0, map[0]);
	EXPECT_EQ(0, map[16 * page_size - 1]);
out:
	munmap(map, c.mmap_size);
	close(fd);
}

/*
 * VM_DONTCOPY is for good: a fork() child copying the mapping would hold
 * the heap's pages in a second address space behind the parent's back.
 */
TEST_F(model, dofork_refused)
{
	struct wsheap_create c;
	char *map;
	int fd;

	fd = wsheap_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, create_heap(fd, 4 * page_size, &c));
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 4 * page_size, NULL));
	map = map_heap(fd, &c);
	ASSERT_NE(MAP_FAILED, map);
	map[0] = 42;
	errno = 0;
	EXPECT_EQ(-1, madvise(map, c.mmap_size, MADV_DOFORK));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(SIGSEGV, touch_in_child(map)) TH_LOG("a fork() child reads the heap");
	EXPECT_EQ(42, map[0]);
	munmap(map, c.mmap_size);
	close(fd);
}

/* -------------------------------------------------- shmem, /proc/PID/mem */

/* Field @name ("RssShmem") of /proc/self/status, in kB; -1 if missing. */
static long status_kb(const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':' &&
		    sscanf(line + len + 1, "%ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * 6.1 keeps a task's RSS counts in a cache it flushes every 64 faults:
 * fault on 128 fresh anonymous pages, which count elsewhere (RssAnon).
 */
static void flush_rss_counts(void)
{
	char *p = mmap(NULL, 128 * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED)
		return;
	for (i = 0; i < 128; i++)
		p[i * page_size] = 1;
	munmap(p, 128 * page_size);
}

/*
 * Heap pages are shmem pages: mapped, they count as this process's shmem.
 * The guest's root is a tmpfs, so the text of this program and of libc
 * counts as shmem too: everything between the two readings runs once
 * before, and the delta is the heap's alone.
 */
TEST_F(model, rss_shmem)
{
	const int pages = 64;
	long before, after, file_before;
	struct wsheap_create c;
	char *map;
	int fd, i;

	fd = wsheap_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, create_heap(fd, pages * page_size, &c));
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, pages * page_size, NULL));
	map = map_heap(fd, &c);
	ASSERT_NE(MAP_FAILED, map);
	flush_rss_counts();
	status_kb("RssFile");
	ASSERT_LE(0, status_kb("RssShmem")) TH_LOG("no RssShmem in /proc/self/status");

	flush_rss_counts();
	file_before = status_kb("RssFile");
	before = status_kb("RssShmem");
	for (i = 0; i < pages; i++)
		map[i * page_size] = (char)i;
	flush_rss_counts();
	after = status_kb("RssShmem");
	EXPECT_LE(pages * page_size / 1024, after - before)
		TH_LOG("%d heap pages touched: RssShmem %+ld kB, RssFile %+ld kB", pages,
		       after - before, status_kb("RssFile") - file_before);
	munmap(map, c.mmap_size);
	close(fd);
}

/*
 * No get_user_pages(), but ptrace and /proc/PID/mem still read a heap:
 * through vm_ops->access, the bytes its backed pages hold.
 */
TEST_F(model, proc_mem_reads_heap)
{
	struct wsheap_create c;
	char *map, *buf;
	int fd, mem, i;

	fd = wsheap_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, create_heap(fd, 4 * page_size, &c));
	ASSERT_EQ(0, heap_op(fd, WSHEAP_IOC_GROW, c.heap_id, 4 * page_size, NULL));
	map = map_heap(fd, &c);
	ASSERT_NE(MAP_FAILED, map);
	for (i = 0; i < page_size; i++)
		map[page_size + i] = (char)(i * 7 + 3);
	buf = malloc(page_size);
	ASSERT_NE(NULL, buf);
	mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, mem);
	EXPECT_EQ(page_size, pread(mem, buf, page_size, (off_t)(uintptr_t)(map + page_size)))
		TH_LOG("pread of /proc/self/mem: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(buf, map + page_size, page_size));
	close(mem);
	free(buf);
	munmap(map, c.mmap_size);
	close(fd);
}

TEST_HARNESS_MAIN

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the user-space tests: /dev/wsheap is there only while the module is
 * loaded.  A test that needs it skips when it is missing, saying why, so
 * that a machine without the module (a build host, say) reports what it
 * did not test instead of a wall of failures.  Only a missing node skips:
 * one that is there but refuses the test (EACCES, ENODEV, ...) is a
 * failure, which the test's own open() and asserts report.
 */
#ifndef WSHEAP_SELFTEST_DEVICE_H
#define WSHEAP_SELFTEST_DEVICE_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define WSHEAP_DEVICE "/dev/wsheap"

/*
 * wsheap_device_missing() - is there no /dev/wsheap at all?
 *
 * access(F_OK) rather than open(): it answers for the node alone, opens
 * no file the test would then have to close, and never reaches the
 * module's open().
 */
static inline bool wsheap_device_missing(void)
{
	return access(WSHEAP_DEVICE, F_OK) && errno == ENOENT;
}

/*
 * SKIP_IF_NO_DEVICE() - skip the calling test if /dev/wsheap is missing
 *
 * At the start of a TEST() or TEST_F(), before the test changes anything
 * (enters a memory cgroup, writes a module parameter), or in a
 * FIXTURE_SETUP(), where it skips every test of the fixture.  6.12's
 * harness runs no FIXTURE_TEARDOWN() after a setup that skipped, but the
 * tests do not count on it: a setup marks what it holds as not held (fds
 * -1) before it skips, and its teardown leaves alone what is not held.
 */
#define SKIP_IF_NO_DEVICE() do {					\
	if (wsheap_device_missing())					\
		SKIP(return, "%s missing: load wsheap.ko (%s)",	\
		     WSHEAP_DEVICE, strerror(ENOENT));			\
} while (0)

#endif /* WSHEAP_SELFTEST_DEVICE_H */

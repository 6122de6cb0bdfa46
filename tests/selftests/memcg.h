/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the selftests: move the calling process into a memory cgroup of its
 * own with a memory.max, under the cgroup2 root the guest mounts.
 */
#ifndef WSHEAP_SELFTEST_MEMCG_H
#define WSHEAP_SELFTEST_MEMCG_H

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static inline int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Enter /sys/fs/cgroup/@name, limited to @max ("8M"); 0 or -1. */
static inline int enter_memcg(const char *name, const char *max)
{
	char path[256], pid[32];

	if (write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		return -1;
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", name);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/memory.max", name);
	if (write_file(path, max))
		return -1;
	snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/cgroup.procs", name);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_file(path, pid);
}

#endif /* WSHEAP_SELFTEST_MEMCG_H */

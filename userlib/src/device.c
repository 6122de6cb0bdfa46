// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Opening /dev/wsheap and agreeing on the ABI.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

/* ioctl() that returns -errno and leaves errno as the caller had it. */
int wsheap_ioctl(int fd, unsigned long cmd, void *arg)
{
	int saved = errno;
	int ret;

	do
		ret = ioctl(fd, cmd, arg);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

/*
 * wsheap_open_device(), also saying, in *@open_error, when it was open()
 * that failed rather than the ABI check after it.
 */
int wsheap_device_open(struct wsheap_info *info, int *open_error)
{
	struct wsheap_info got;
	int saved = errno;
	int fd, ret;

	fd = open(WSHEAP_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		errno = saved;
		if (open_error)
			*open_error = ret;
		return ret;
	}

	memset(&got, 0, sizeof(got));
	got.size = sizeof(got);
	ret = wsheap_ioctl(fd, WSHEAP_IOC_GET_INFO, &got);
	if (!ret && got.abi_version != WSHEAP_ABI_VERSION)
		ret = -EPROTO;
	if (ret) {
		close(fd);
		errno = saved;
		return ret;
	}
	if (info)
		*info = got;
	return fd;
}

WSHEAP_API int wsheap_open_device(struct wsheap_info *info)
{
	return wsheap_device_open(info, NULL);
}

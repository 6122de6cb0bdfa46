// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shows the wsheap module answering through libwsheap: what `make demo`
 * runs in a guest.  It grows with the module.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <wsheap.h>

int main(void)
{
	struct wsheap_info info;
	int fd;

	fd = wsheap_open_device(&info);
	if (fd < 0) {
		fprintf(stderr, "wsheap_open_device: %s\n", strerror(-fd));
		return 1;
	}
	printf("opened %s through libwsheap\n", WSHEAP_DEVICE_PATH);
	printf("  module ABI version  %u (library speaks %u)\n",
	       info.abi_version, WSHEAP_ABI_VERSION);
	printf("  feature bits        %#llx\n", (unsigned long long)info.features);

	if (ioctl(fd, _IO(WSHEAP_IOC_TYPE, 0x7f)) < 0)
		printf("  unknown ioctl       refused: %s\n", strerror(errno));
	close(fd);
	return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * Declarations shared by the files of libwsheap; nothing here is API.
 */
#ifndef WSHEAP_INTERNAL_H
#define WSHEAP_INTERNAL_H

#include <wsheap.h>

/* Marks the functions the shared library exports; all else stays hidden. */
#define WSHEAP_API __attribute__((visibility("default")))

int wsheap_ioctl(int fd, unsigned long cmd, void *arg);

#endif /* WSHEAP_INTERNAL_H */

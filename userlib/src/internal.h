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

/* Add a string, formatted printf-style in ASCII, to @error if not NULL. */
void wsheap_error_addf(WS_ERROR *error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* WSHEAP_INTERNAL_H */

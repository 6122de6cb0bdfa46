/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libwsheap: arena heaps in the style of the Windows Web Services (WWSAPI)
 * WS_HEAP, backed by the wsheap kernel module through /dev/wsheap.
 *
 * Besides the WWSAPI names, the library exports a few functions of its own,
 * all prefixed wsheap_, for what WWSAPI has no name for.
 */
#ifndef WSHEAP_H
#define WSHEAP_H

#include <stddef.h>
#include <stdint.h>

#include <linux/wsheap.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Windows base types, with Windows' widths (LLP64): ULONG is 32 bits and
 * WCHAR a UTF-16 code unit, whatever long and wchar_t are on Linux.
 */
typedef int32_t HRESULT;
typedef uint32_t ULONG;
typedef size_t SIZE_T;
typedef uint16_t WCHAR;
typedef uint16_t LANGID;
typedef int BOOL;

#define SUCCEEDED(hr)	(((HRESULT)(hr)) >= 0)
#define FAILED(hr)	(((HRESULT)(hr)) < 0)

/* HRESULT values, as in the Windows SDK's winerror.h. */
#define S_OK				((HRESULT)0x00000000)
#define NO_ERROR			0
#define S_FALSE				((HRESULT)0x00000001)
#define E_NOTIMPL			((HRESULT)0x80004001)
#define E_OUTOFMEMORY			((HRESULT)0x8007000E)
#define E_ACCESSDENIED			((HRESULT)0x80070005)
#define E_INVALIDARG			((HRESULT)0x80070057)
#define WS_S_ASYNC			((HRESULT)0x003D0000)
#define WS_S_END			((HRESULT)0x003D0001)
#define WS_E_INVALID_FORMAT		((HRESULT)0x803D0000)
#define WS_E_OBJECT_FAULTED		((HRESULT)0x803D0001)
#define WS_E_NUMERIC_OVERFLOW		((HRESULT)0x803D0002)
#define WS_E_INVALID_OPERATION		((HRESULT)0x803D0003)
#define WS_E_OPERATION_ABORTED		((HRESULT)0x803D0004)
#define WS_E_ENDPOINT_ACCESS_DENIED	((HRESULT)0x803D0005)
#define WS_E_OPERATION_TIMED_OUT	((HRESULT)0x803D0006)
#define WS_E_OPERATION_ABANDONED	((HRESULT)0x803D0007)
#define WS_E_QUOTA_EXCEEDED		((HRESULT)0x803D0008)
#define WS_E_NO_TRANSLATION_AVAILABLE	((HRESULT)0x803D0009)
#define WS_E_SECURITY_VERIFICATION_FAILURE ((HRESULT)0x803D000A)
#define WS_E_ADDRESS_IN_USE		((HRESULT)0x803D000B)
#define WS_E_ADDRESS_NOT_AVAILABLE	((HRESULT)0x803D000C)
#define WS_E_ENDPOINT_NOT_FOUND		((HRESULT)0x803D000D)
#define WS_E_ENDPOINT_NOT_AVAILABLE	((HRESULT)0x803D000E)
#define WS_E_ENDPOINT_FAILURE		((HRESULT)0x803D000F)
#define WS_E_ENDPOINT_UNREACHABLE	((HRESULT)0x803D0010)
#define WS_E_ENDPOINT_ACTION_NOT_SUPPORTED ((HRESULT)0x803D0011)
#define WS_E_ENDPOINT_TOO_BUSY		((HRESULT)0x803D0012)
#define WS_E_ENDPOINT_FAULT_RECEIVED	((HRESULT)0x803D0013)
#define WS_E_ENDPOINT_DISCONNECTED	((HRESULT)0x803D0014)
#define WS_E_PROXY_FAILURE		((HRESULT)0x803D0015)
#define WS_E_PROXY_ACCESS_DENIED	((HRESULT)0x803D0016)
#define WS_E_NOT_SUPPORTED		((HRESULT)0x803D0017)
#define WS_E_PROXY_REQUIRES_BASIC_AUTH	((HRESULT)0x803D0018)
#define WS_E_PROXY_REQUIRES_DIGEST_AUTH	((HRESULT)0x803D0019)
#define WS_E_PROXY_REQUIRES_NTLM_AUTH	((HRESULT)0x803D001A)
#define WS_E_PROXY_REQUIRES_NEGOTIATE_AUTH ((HRESULT)0x803D001B)
#define WS_E_SERVER_REQUIRES_BASIC_AUTH	((HRESULT)0x803D001C)
#define WS_E_SERVER_REQUIRES_DIGEST_AUTH ((HRESULT)0x803D001D)
#define WS_E_SERVER_REQUIRES_NTLM_AUTH	((HRESULT)0x803D001E)
#define WS_E_SERVER_REQUIRES_NEGOTIATE_AUTH ((HRESULT)0x803D001F)
#define WS_E_INVALID_ENDPOINT_URL	((HRESULT)0x803D0020)
#define WS_E_OTHER			((HRESULT)0x803D0021)
#define WS_E_SECURITY_TOKEN_EXPIRED	((HRESULT)0x803D0022)
#define WS_E_SECURITY_SYSTEM_FAILURE	((HRESULT)0x803D0023)

/* A counted UTF-16 string, not NUL-terminated; length counts WCHARs. */
typedef struct _WS_STRING {
	ULONG length;
	WCHAR *chars;
} WS_STRING;

/*
 * Not a WS_E_* value: returned by WsCreateHeap when /dev/wsheap is missing
 * or no driver is behind it (the module is not loaded).
 */
#define WSHEAP_E_NO_DEVICE		((HRESULT)0x80070002) /* HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) */

/* ------------------------------------------------------------ errors */

/*
 * An error object: strings that say what went wrong, newest first, and
 * properties.  Single-threaded: one call at a time on one object.
 */
typedef struct _WS_ERROR WS_ERROR;

typedef enum {
	WS_ERROR_PROPERTY_STRING_COUNT = 0,		/* ULONG, read-only */
	WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE = 1,	/* ULONG, default 0 */
	WS_ERROR_PROPERTY_LANGID = 2,			/* LANGID, set at creation */
} WS_ERROR_PROPERTY_ID;

typedef struct _WS_ERROR_PROPERTY {
	WS_ERROR_PROPERTY_ID id;
	void *value;
	ULONG valueSize;
} WS_ERROR_PROPERTY;

/*
 * WsCreateError() - Create an error object.  Only LANGID may be given as a
 * property (a non-zero LANGID, sizeof(LANGID) bytes); the default is
 * en-US, 0x0409.  E_INVALIDARG for a NULL @error, a property that is not
 * LANGID or has the wrong size; E_OUTOFMEMORY.
 */
HRESULT WsCreateError(const WS_ERROR_PROPERTY *properties, ULONG propertyCount,
		      WS_ERROR **error);

/* WsFreeError() - Free an error object and its strings; NULL does nothing. */
void WsFreeError(WS_ERROR *error);

/*
 * WsResetError() - Forget the strings and the original error code, as just
 * created (the LANGID stays).  E_INVALIDARG for NULL.
 */
HRESULT WsResetError(WS_ERROR *error);

/*
 * WsGetErrorProperty() - Read a property into @buffer, which must be
 * exactly its size (sizeof(ULONG), or sizeof(LANGID) for LANGID).
 * E_INVALIDARG for a NULL argument, an unknown id or a wrong size, and
 * @buffer is left alone.
 */
HRESULT WsGetErrorProperty(WS_ERROR *error, WS_ERROR_PROPERTY_ID id, void *buffer,
			   ULONG bufferSize);

/*
 * WsSetErrorProperty() - Set ORIGINAL_ERROR_CODE (a ULONG).  The LANGID can
 * only be set at creation: WS_E_INVALID_OPERATION.  STRING_COUNT, unknown
 * ids, NULL arguments and wrong sizes: E_INVALIDARG.
 */
HRESULT WsSetErrorProperty(WS_ERROR *error, WS_ERROR_PROPERTY_ID id, const void *value,
			   ULONG valueSize);

/*
 * WsGetErrorString() - The string at @index, 0 being the newest.  When an
 * original error code is set, the last index holds a string naming it, and
 * STRING_COUNT counts it.  The characters stay valid until WsResetError()
 * or WsFreeError().  E_INVALIDARG for NULL arguments or @index >= count.
 */
HRESULT WsGetErrorString(WS_ERROR *error, ULONG index, WS_STRING *string);

/*
 * WsAddErrorString() - Add a copy of @string as the newest string.
 * E_INVALIDARG for NULL arguments or characters missing; E_OUTOFMEMORY.
 */
HRESULT WsAddErrorString(WS_ERROR *error, const WS_STRING *string);

/* -------------------------------------------------------------- heaps */

/*
 * A heap: allocations freed as a unit by WsResetHeap() or WsFreeHeap().
 * Single-threaded: one call at a time on one heap.  A child of fork() gets
 * no memory of its parent's device heaps: WsAlloc() and WsResetHeap() on
 * them return WS_E_INVALID_OPERATION (process heaps are copied).
 */
typedef struct _WS_HEAP WS_HEAP;

typedef enum {
	WS_HEAP_PROPERTY_MAX_SIZE = 0,		/* SIZE_T */
	WS_HEAP_PROPERTY_TRIM_SIZE = 1,		/* SIZE_T */
	WS_HEAP_PROPERTY_REQUESTED_SIZE = 2,	/* SIZE_T, read-only */
	WS_HEAP_PROPERTY_ACTUAL_SIZE = 3,	/* SIZE_T, read-only */
} WS_HEAP_PROPERTY_ID;

typedef struct _WS_HEAP_PROPERTY {
	WS_HEAP_PROPERTY_ID id;
	void *value;
	ULONG valueSize;
} WS_HEAP_PROPERTY;

typedef struct _WS_HEAP_PROPERTIES {
	WS_HEAP_PROPERTY *properties;
	ULONG propertyCount;
} WS_HEAP_PROPERTIES;

/*
 * WsCreateHeap() - Create a heap.  @maxSize caps the sum of the sizes
 * passed to WsAlloc() between resets (0 is valid); @trimSize is about how
 * much memory WsResetHeap() keeps (more than @maxSize: all of it).
 * Properties are reserved: @propertyCount must be 0.  Nothing is taken
 * from the system until the first allocation.  E_INVALIDARG,
 * E_OUTOFMEMORY, WSHEAP_E_NO_DEVICE, and E_ACCESSDENIED when the caller
 * may not open /dev/wsheap (see wsheap(7) for WSHEAP_BACKEND).
 */
HRESULT WsCreateHeap(SIZE_T maxSize, SIZE_T trimSize, const WS_HEAP_PROPERTY *properties,
		     ULONG propertyCount, WS_HEAP **heap, WS_ERROR *error);

/*
 * WsAlloc() - @size bytes, 8-byte aligned, not zeroed, valid until the next
 * reset; 0 bytes gives a distinct non-NULL pointer.  WS_E_QUOTA_EXCEEDED if
 * the sizes asked for since the last reset would pass the max size (a
 * refused request is not counted); E_OUTOFMEMORY if memory could not be
 * had; E_INVALIDARG.  *@ptr is untouched on failure.
 */
HRESULT WsAlloc(WS_HEAP *heap, SIZE_T size, void **ptr, WS_ERROR *error);

/* WsResetHeap() - Free every allocation; keep about the trim size of memory. */
HRESULT WsResetHeap(WS_HEAP *heap, WS_ERROR *error);

/*
 * WsFreeHeap() - Free the heap and every allocation; NULL does nothing.
 * The library may keep the heap for a later WsCreateHeap(), with the memory
 * a reset would keep: a heap per message then costs no system call.
 */
void WsFreeHeap(WS_HEAP *heap);

/*
 * WsGetHeapProperty() - Read a property (all are SIZE_T): @valueSize must be
 * sizeof(SIZE_T).  E_INVALIDARG otherwise, for an unknown id or a NULL
 * argument, leaving @value untouched.
 */
HRESULT WsGetHeapProperty(WS_HEAP *heap, WS_HEAP_PROPERTY_ID id, void *value,
			  ULONG valueSize, WS_ERROR *error);

/*
 * wsheap_kernel_entries() - How many times the library entered the kernel
 * for @heap since it was created, or for the whole process if @heap is
 * NULL: what shows that allocation, resets within the trim size and
 * create+free pairs cost no system call.
 */
uint64_t wsheap_kernel_entries(const WS_HEAP *heap);

/* The character device the kernel module registers. */
#define WSHEAP_DEVICE_PATH "/dev/wsheap"

/**
 * wsheap_open_device() - Open /dev/wsheap and check that the module loaded
 * speaks the ABI this library was built for.
 * @info: if not NULL, receives the module's ABI version and feature bits.
 *
 * Return: a file descriptor, opened read-write and close-on-exec, or a
 * negative errno: -ENOENT if the device does not exist (the module is not
 * loaded), -EPROTO if the module's ABI version is not WSHEAP_ABI_VERSION,
 * or the errno of the failed open() or ioctl().  errno is left unchanged.
 */
int wsheap_open_device(struct wsheap_info *info);

#ifdef __cplusplus
}
#endif

#endif /* WSHEAP_H */

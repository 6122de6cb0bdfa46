// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * WS_ERROR: error objects (WsCreateError ... WsAddErrorString), and the
 * helper the rest of the library uses to say in words what went wrong.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US): Linux has no user UI LANGID. */
#define WSHEAP_DEFAULT_LANGID	0x0409

struct _WS_ERROR {
	WS_STRING *strings;	/* oldest first */
	ULONG count;
	ULONG capacity;
	ULONG original_code;
	WCHAR original_text[48];	/* names original_code, when set */
	ULONG original_len;
	LANGID langid;
};

static void forget_strings(WS_ERROR *error)
{
	ULONG i;

	for (i = 0; i < error->count; i++)
		free(error->strings[i].chars);
	free(error->strings);
	error->strings = NULL;
	error->count = 0;
	error->capacity = 0;
}

WSHEAP_API HRESULT WsCreateError(const WS_ERROR_PROPERTY *properties, ULONG propertyCount,
				 WS_ERROR **error)
{
	LANGID langid = WSHEAP_DEFAULT_LANGID;
	WS_ERROR *obj;
	ULONG i;

	if (!error || (propertyCount && !properties))
		return E_INVALIDARG;
	for (i = 0; i < propertyCount; i++) {
		const WS_ERROR_PROPERTY *p = &properties[i];

		/* STRING_COUNT is read-only, ORIGINAL_ERROR_CODE not for creation. */
		if (p->id != WS_ERROR_PROPERTY_LANGID || !p->value ||
		    p->valueSize != sizeof(LANGID) || !*(const LANGID *)p->value)
			return E_INVALIDARG;
		langid = *(const LANGID *)p->value;
	}
	obj = calloc(1, sizeof(*obj));
	if (!obj)
		return E_OUTOFMEMORY;
	obj->langid = langid;
	*error = obj;
	return S_OK;
}

WSHEAP_API void WsFreeError(WS_ERROR *error)
{
	if (!error)
		return;
	forget_strings(error);
	free(error);
}

WSHEAP_API HRESULT WsResetError(WS_ERROR *error)
{
	if (!error)
		return E_INVALIDARG;
	forget_strings(error);
	error->original_code = 0;
	error->original_len = 0;
	return S_OK;
}

static ULONG string_count(const WS_ERROR *error)
{
	return error->count + (error->original_code ? 1 : 0);
}

WSHEAP_API HRESULT WsGetErrorProperty(WS_ERROR *error, WS_ERROR_PROPERTY_ID id, void *buffer,
				      ULONG bufferSize)
{
	ULONG value;

	if (!error || !buffer)
		return E_INVALIDARG;
	switch (id) {
	case WS_ERROR_PROPERTY_STRING_COUNT:
	case WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE:
		if (bufferSize != sizeof(ULONG))
			return E_INVALIDARG;
		value = id == WS_ERROR_PROPERTY_STRING_COUNT ? string_count(error) :
							       error->original_code;
		memcpy(buffer, &value, sizeof(value));
		return S_OK;
	case WS_ERROR_PROPERTY_LANGID:
		if (bufferSize != sizeof(LANGID))
			return E_INVALIDARG;
		memcpy(buffer, &error->langid, sizeof(LANGID));
		return S_OK;
	default:
		return E_INVALIDARG;
	}
}

WSHEAP_API HRESULT WsSetErrorProperty(WS_ERROR *error, WS_ERROR_PROPERTY_ID id,
				      const void *value, ULONG valueSize)
{
	char text[sizeof(error->original_text) / sizeof(WCHAR)];
	ULONG code, i;
	int len;

	if (!error)
		return E_INVALIDARG;
	switch (id) {
	case WS_ERROR_PROPERTY_LANGID:
		/* Windows refuses this even on a fresh object. */
		return WS_E_INVALID_OPERATION;
	case WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE:
		if (!value || valueSize != sizeof(ULONG))
			return E_INVALIDARG;
		memcpy(&code, value, sizeof(code));
		len = snprintf(text, sizeof(text), "The original error code is 0x%08X.",
			       (unsigned int)code);
		for (i = 0; i < (ULONG)len; i++)
			error->original_text[i] = (WCHAR)text[i];
		error->original_len = (ULONG)len;
		error->original_code = code;
		return S_OK;
	default:
		return E_INVALIDARG;
	}
}

WSHEAP_API HRESULT WsGetErrorString(WS_ERROR *error, ULONG index, WS_STRING *string)
{
	if (!error || !string || index >= string_count(error))
		return E_INVALIDARG;
	if (index == error->count) {
		/* Past the added strings: the original error code's text. */
		string->length = error->original_len;
		string->chars = error->original_text;
		return S_OK;
	}
	*string = error->strings[error->count - 1 - index];
	return S_OK;
}

static HRESULT add_string(WS_ERROR *error, const WCHAR *chars, ULONG length)
{
	WS_STRING *grown;
	ULONG capacity;
	size_t bytes;
	WCHAR *copy;

	if (error->count == error->capacity) {
		capacity = error->capacity ? error->capacity * 2 : 4;
		if (capacity < error->capacity)
			return E_OUTOFMEMORY;
		grown = reallocarray(error->strings, capacity, sizeof(*grown));
		if (!grown)
			return E_OUTOFMEMORY;
		error->strings = grown;
		error->capacity = capacity;
	}
	if (__builtin_mul_overflow((size_t)length, sizeof(WCHAR), &bytes))
		return E_OUTOFMEMORY;
	/* Never a zero-byte malloc: an empty string still gets a pointer. */
	copy = malloc(bytes ? bytes : 1);
	if (!copy)
		return E_OUTOFMEMORY;
	if (bytes)
		memcpy(copy, chars, bytes);
	error->strings[error->count].chars = copy;
	error->strings[error->count].length = length;
	error->count++;
	return S_OK;
}

WSHEAP_API HRESULT WsAddErrorString(WS_ERROR *error, const WS_STRING *string)
{
	if (!error || !string || (string->length && !string->chars))
		return E_INVALIDARG;
	return add_string(error, string->chars, string->length);
}

void wsheap_error_addf(WS_ERROR *error, const char *fmt, ...)
{
	char text[512];
	WCHAR wide[sizeof(text)];
	va_list ap;
	int len, i;

	if (!error)
		return;
	va_start(ap, fmt);
	len = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if (len >= (int)sizeof(text))
		len = sizeof(text) - 1;
	/* The library's own messages are ASCII: widening is the conversion. */
	for (i = 0; i < len; i++)
		wide[i] = (WCHAR)(unsigned char)text[i];
	add_string(error, wide, (ULONG)len);
}

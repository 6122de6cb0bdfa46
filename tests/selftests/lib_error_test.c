// SPDX-License-Identifier: GPL-2.0-only
/*
 * libwsheap's WS_ERROR functions against the WWSAPI reference: the
 * Windows-verified cases of test_WsCreateError first, then the documented
 * string behaviour.  Needs no kernel: it runs in the guest with the other
 * selftests and natively under ASan and UBSan (make -C tests/selftests native).
 */
#define _GNU_SOURCE
#include <string.h>

#include <wsheap.h>

#include "kselftest_harness.h"

#define LANG_DUTCH_DEFAULT	0x0413	/* MAKELANGID(LANG_DUTCH, SUBLANG_DEFAULT) */

static WS_STRING wide(const char *ascii, WCHAR *buf)
{
	WS_STRING s = { (ULONG)strlen(ascii), buf };
	ULONG i;

	for (i = 0; i < s.length; i++)
		buf[i] = (WCHAR)ascii[i];
	return s;
}

static int equals(const WS_STRING *s, const char *ascii)
{
	ULONG i;

	if (s->length != strlen(ascii))
		return 0;
	for (i = 0; i < s->length; i++)
		if (s->chars[i] != (WCHAR)ascii[i])
			return 0;
	return 1;
}

TEST(type_widths_are_windows_ones)
{
	EXPECT_EQ(4, sizeof(HRESULT));
	EXPECT_EQ(4, sizeof(ULONG));
	EXPECT_EQ(2, sizeof(WCHAR));
	EXPECT_EQ(sizeof(void *), sizeof(SIZE_T));
	EXPECT_EQ(0x8007000E, (uint32_t)E_OUTOFMEMORY);
	EXPECT_EQ(0x80070057, (uint32_t)E_INVALIDARG);
	EXPECT_EQ(0x803D0008, (uint32_t)WS_E_QUOTA_EXCEEDED);
	EXPECT_EQ(0x803D0003, (uint32_t)WS_E_INVALID_OPERATION);
	EXPECT_TRUE(FAILED(E_INVALIDARG));
	EXPECT_TRUE(SUCCEEDED(S_FALSE));
}

/* test_WsCreateError, items 1 to 3. */
TEST(create_and_properties_as_windows)
{
	WS_ERROR *error = (WS_ERROR *)0xdeadbeef;
	ULONG count = 0xdeadbeef, code;
	LANGID langid = 0;

	EXPECT_EQ(E_INVALIDARG, WsCreateError(NULL, 0, NULL));
	ASSERT_EQ(S_OK, WsCreateError(NULL, 0, &error));
	ASSERT_NE(NULL, error);

	EXPECT_EQ(S_OK, WsGetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT, &count,
					   sizeof(count)));
	EXPECT_EQ(0, count);
	count = 1;
	EXPECT_EQ(E_INVALIDARG, WsSetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT,
						   &count, sizeof(count)));

	code = 0xdeadbeef;
	EXPECT_EQ(S_OK, WsGetErrorProperty(error, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE, &code,
					   sizeof(code)));
	EXPECT_EQ(0, code);
	code = 0xdeadbeef;
	EXPECT_EQ(S_OK, WsSetErrorProperty(error, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE, &code,
					   sizeof(code)));
	code = 0;
	EXPECT_EQ(S_OK, WsGetErrorProperty(error, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE, &code,
					   sizeof(code)));
	EXPECT_EQ(0xdeadbeef, code);

	EXPECT_EQ(S_OK, WsGetErrorProperty(error, WS_ERROR_PROPERTY_LANGID, &langid,
					   sizeof(langid)));
	EXPECT_NE(0, langid);
	langid = LANG_DUTCH_DEFAULT;
	EXPECT_EQ(WS_E_INVALID_OPERATION, WsSetErrorProperty(error, WS_ERROR_PROPERTY_LANGID,
							     &langid, sizeof(langid)));

	count = 0xdeadbeef;
	EXPECT_EQ(E_INVALIDARG, WsGetErrorProperty(error, WS_ERROR_PROPERTY_LANGID + 1, &count,
						   sizeof(count)));
	EXPECT_EQ(0xdeadbeef, count);
	WsFreeError(error);
}

/* test_WsCreateError, item 4: only LANGID may be given at creation. */
TEST(create_with_properties_as_windows)
{
	ULONG count = 1, code = 0xdeadbeef;
	LANGID langid = LANG_DUTCH_DEFAULT, got = 0;
	WS_ERROR_PROPERTY prop;
	WS_ERROR *error = NULL;

	prop = (WS_ERROR_PROPERTY){ WS_ERROR_PROPERTY_STRING_COUNT, &count, sizeof(count) };
	EXPECT_EQ(E_INVALIDARG, WsCreateError(&prop, 1, &error));
	prop = (WS_ERROR_PROPERTY){ WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE, &code, sizeof(code) };
	EXPECT_EQ(E_INVALIDARG, WsCreateError(&prop, 1, &error));
	prop = (WS_ERROR_PROPERTY){ WS_ERROR_PROPERTY_LANGID + 1, &code, sizeof(code) };
	EXPECT_EQ(E_INVALIDARG, WsCreateError(&prop, 1, &error));
	EXPECT_EQ(NULL, error);

	prop = (WS_ERROR_PROPERTY){ WS_ERROR_PROPERTY_LANGID, &langid, sizeof(langid) };
	ASSERT_EQ(S_OK, WsCreateError(&prop, 1, &error));
	EXPECT_EQ(S_OK, WsGetErrorProperty(error, WS_ERROR_PROPERTY_LANGID, &got, sizeof(got)));
	EXPECT_EQ(LANG_DUTCH_DEFAULT, got);
	WsFreeError(error);
}

TEST(argument_checks)
{
	ULONG count = 7;
	LANGID zero = 0;
	WS_ERROR_PROPERTY prop = { WS_ERROR_PROPERTY_LANGID, &zero, sizeof(zero) };
	WS_ERROR *error = NULL;
	WS_STRING s = { 3, NULL };

	EXPECT_EQ(E_INVALIDARG, WsCreateError(NULL, 1, &error));
	EXPECT_EQ(E_INVALIDARG, WsCreateError(&prop, 1, &error));	/* LANGID 0 */
	prop.valueSize = 4;
	EXPECT_EQ(E_INVALIDARG, WsCreateError(&prop, 1, &error));
	ASSERT_EQ(S_OK, WsCreateError(NULL, 0, &error));

	EXPECT_EQ(E_INVALIDARG, WsGetErrorProperty(NULL, WS_ERROR_PROPERTY_STRING_COUNT, &count,
						   sizeof(count)));
	EXPECT_EQ(E_INVALIDARG, WsGetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT, NULL,
						   sizeof(count)));
	/* Property reads need the exact size. */
	EXPECT_EQ(E_INVALIDARG, WsGetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT, &count,
						   sizeof(count) + 1));
	EXPECT_EQ(E_INVALIDARG, WsGetErrorProperty(error, WS_ERROR_PROPERTY_LANGID, &count,
						   sizeof(count)));
	EXPECT_EQ(7, count);
	EXPECT_EQ(E_INVALIDARG, WsSetErrorProperty(error, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE,
						   NULL, sizeof(ULONG)));
	EXPECT_EQ(E_INVALIDARG, WsSetErrorProperty(error, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE,
						   &count, 2));
	EXPECT_EQ(E_INVALIDARG, WsSetErrorProperty(NULL, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE,
						   &count, sizeof(count)));
	EXPECT_EQ(E_INVALIDARG, WsAddErrorString(error, NULL));
	EXPECT_EQ(E_INVALIDARG, WsAddErrorString(error, &s));	/* chars missing */
	EXPECT_EQ(E_INVALIDARG, WsAddErrorString(NULL, &s));
	EXPECT_EQ(E_INVALIDARG, WsGetErrorString(error, 0, &s));	/* no string yet */
	EXPECT_EQ(E_INVALIDARG, WsGetErrorString(NULL, 0, &s));
	EXPECT_EQ(E_INVALIDARG, WsResetError(NULL));
	WsFreeError(NULL);
	WsFreeError(error);
}

TEST(strings_newest_first_and_copied)
{
	WCHAR buf[64];
	WS_STRING s, got;
	WS_ERROR *error;
	ULONG count = 0;

	ASSERT_EQ(S_OK, WsCreateError(NULL, 0, &error));
	s = wide("first", buf);
	ASSERT_EQ(S_OK, WsAddErrorString(error, &s));
	s = wide("second", buf);
	ASSERT_EQ(S_OK, WsAddErrorString(error, &s));
	/* The object copied them: the caller's buffer may change. */
	wide("XXXXXXXX", buf);

	EXPECT_EQ(S_OK, WsGetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT, &count,
					   sizeof(count)));
	EXPECT_EQ(2, count);
	ASSERT_EQ(S_OK, WsGetErrorString(error, 0, &got));
	EXPECT_TRUE(equals(&got, "second"));
	ASSERT_EQ(S_OK, WsGetErrorString(error, 1, &got));
	EXPECT_TRUE(equals(&got, "first"));
	EXPECT_EQ(E_INVALIDARG, WsGetErrorString(error, 2, &got));
	EXPECT_TRUE(equals(&got, "first"));	/* untouched on failure */

	s = (WS_STRING){ 0, NULL };
	EXPECT_EQ(S_OK, WsAddErrorString(error, &s));
	ASSERT_EQ(S_OK, WsGetErrorString(error, 0, &got));
	EXPECT_EQ(0, got.length);
	WsFreeError(error);
}

TEST(original_error_code_has_the_last_string)
{
	WCHAR buf[16];
	WS_STRING s, got;
	WS_ERROR *error;
	ULONG count = 0, code = 0x8007000E;

	ASSERT_EQ(S_OK, WsCreateError(NULL, 0, &error));
	s = wide("added", buf);
	ASSERT_EQ(S_OK, WsAddErrorString(error, &s));
	ASSERT_EQ(S_OK, WsSetErrorProperty(error, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE, &code,
					   sizeof(code)));
	EXPECT_EQ(S_OK, WsGetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT, &count,
					   sizeof(count)));
	EXPECT_EQ(2, count);
	ASSERT_EQ(S_OK, WsGetErrorString(error, 0, &got));
	EXPECT_TRUE(equals(&got, "added"));
	ASSERT_EQ(S_OK, WsGetErrorString(error, 1, &got));
	EXPECT_TRUE(equals(&got, "The original error code is 0x8007000E."));
	WsFreeError(error);
}

TEST(reset_forgets_strings_and_code_keeps_langid)
{
	LANGID langid = LANG_DUTCH_DEFAULT, got = 0;
	WS_ERROR_PROPERTY prop = { WS_ERROR_PROPERTY_LANGID, &langid, sizeof(langid) };
	WCHAR buf[16];
	WS_STRING s;
	WS_ERROR *error;
	ULONG count = 9, code = 5;
	int i;

	ASSERT_EQ(S_OK, WsCreateError(&prop, 1, &error));
	for (i = 0; i < 100; i++) {
		s = wide("again", buf);
		ASSERT_EQ(S_OK, WsAddErrorString(error, &s));
	}
	ASSERT_EQ(S_OK, WsSetErrorProperty(error, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE, &code,
					   sizeof(code)));
	ASSERT_EQ(S_OK, WsResetError(error));
	EXPECT_EQ(S_OK, WsGetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT, &count,
					   sizeof(count)));
	EXPECT_EQ(0, count);
	EXPECT_EQ(S_OK, WsGetErrorProperty(error, WS_ERROR_PROPERTY_ORIGINAL_ERROR_CODE, &code,
					   sizeof(code)));
	EXPECT_EQ(0, code);
	EXPECT_EQ(S_OK, WsGetErrorProperty(error, WS_ERROR_PROPERTY_LANGID, &got, sizeof(got)));
	EXPECT_EQ(LANG_DUTCH_DEFAULT, got);
	/* Reusable after a reset; resetting twice is fine. */
	s = wide("after", buf);
	EXPECT_EQ(S_OK, WsAddErrorString(error, &s));
	EXPECT_EQ(S_OK, WsResetError(error));
	EXPECT_EQ(S_OK, WsResetError(error));
	WsFreeError(error);
}

TEST_HARNESS_MAIN

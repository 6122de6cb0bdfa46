// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * message_stream: a stream of 1000 messages processed the WWSAPI way, with
 * libwsheap.  One WS_HEAP serves the whole stream: each message is parsed
 * into structures allocated from it with WsAlloc(), used, and dropped all
 * at once by WsResetHeap(), which keeps up to the trim size of memory for
 * the next message.  Nothing is freed piece by piece, and a message that
 * fails half-way through needs no cleanup: the reset takes care of it.
 *
 * The demo is also a test (make check runs it): the EXPECT() lines check
 * what it shows, and one that fails makes the exit status 1.
 *
 * Build: cc message_stream.c $(pkg-config --cflags --libs wsheap)
 */
#define _POSIX_C_SOURCE 200809L	/* sysconf() */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <wsheap.h>

#define MAX_SIZE	(1 << 20)	/* the most one message may take once parsed */
#define TRIM_SIZE	(256 << 10)	/* the memory kept from one message to the next */
#define STATS_FILE	"/sys/kernel/debug/wsheap/stats"

#define MESSAGES	1000
#define BIG		500	/* a 600 KiB blob: past the trim size */
#define TOO_BIG		800	/* a 1.5 MiB blob: past the max size, refused */
#define BAD		900	/* a field that is not key=value, refused */

/* The demo is also a test: count the checks, report those that fail. */
static unsigned int checks, failures;
#define EXPECT(cond) (checks++, (cond) ? (void)0 : (void)(failures++ < 10 && \
	fprintf(stderr, "message_stream.c:%d: expected %s\n", __LINE__, #cond)))

/* A parsed message.  Every byte of it lives in the heap. */
struct message {
	ULONG count;
	struct { const char *key, *value; } *fields;
};

/* The four heap properties, indexed by WS_HEAP_PROPERTY_ID, at some point. */
struct snapshot {
	char when[32];
	SIZE_T value[4];
};

/* Print the error object's strings, newest first, as the WWSAPI samples do. */
static void print_error(FILE *out, WS_ERROR *error)
{
	ULONG count = 0, i, k;
	WS_STRING s;

	WsGetErrorProperty(error, WS_ERROR_PROPERTY_STRING_COUNT, &count, sizeof(count));
	for (i = 0; i < count && SUCCEEDED(WsGetErrorString(error, i, &s)); i++) {
		fputs("    ", out);
		for (k = 0; k < s.length; k++)	/* UTF-16, not NUL-terminated */
			fputc(s.chars[k] < 0x80 ? s.chars[k] : '?', out);
		fputc('\n', out);
	}
}

/* Parse "key=value;key=value..." into a message allocated from @heap. */
static HRESULT parse_message(WS_HEAP *heap, const char *text, struct message **out,
			     WS_ERROR *error)
{
	const char *p, *end, *eq;
	struct message *msg;
	HRESULT hr;
	ULONG i;
	char *s;

	hr = WsAlloc(heap, sizeof(*msg), (void **)&msg, error);
	if (FAILED(hr))
		return hr;
	msg->count = 1;
	for (p = text; *p; p++)
		msg->count += *p == ';';
	hr = WsAlloc(heap, msg->count * sizeof(*msg->fields), (void **)&msg->fields, error);
	for (i = 0, p = text; SUCCEEDED(hr) && i < msg->count; i++, p = end + 1) {
		end = p + strcspn(p, ";");
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			return WS_E_INVALID_FORMAT;
		/* One string per field, "key\0value": key and value point into it. */
		hr = WsAlloc(heap, (size_t)(end - p) + 1, (void **)&s, error);
		if (SUCCEEDED(hr)) {
			memcpy(s, p, (size_t)(end - p));
			s[eq - p] = s[end - p] = '\0';
			msg->fields[i].key = s;
			msg->fields[i].value = s + (eq - p) + 1;
		}
	}
	if (SUCCEEDED(hr))	/* on failure, what was allocated goes at the next reset */
		*out = msg;
	return hr;
}

/* Message @n of the built-in stream, written into @buf. */
static const char *message_text(ULONG n, char *buf)
{
	static const char *const customer[] = { "contoso", "fabrikam", "northwind", "tailspin" };
	size_t len, blob = n == BIG ? 600 << 10 : n == TOO_BIG ? 1536 << 10 : 0;

	len = (size_t)sprintf(buf, "id=%u;customer=%s;item=widget-%u;qty=%u%s", n,
			      customer[n % 4], n * 37 % 100, n % 9 + 1,
			      n == BAD ? ";rush" : blob ? ";blob=" : "");
	memset(buf + len, 'x', blob);
	buf[len + blob] = '\0';
	return buf;
}

static HRESULT take_snapshot(WS_HEAP *heap, struct snapshot *snap, WS_ERROR *error)
{
	HRESULT hr = S_OK;
	int id;

	for (id = WS_HEAP_PROPERTY_MAX_SIZE; id <= WS_HEAP_PROPERTY_ACTUAL_SIZE && SUCCEEDED(hr); id++)
		hr = WsGetHeapProperty(heap, id, &snap->value[id], sizeof(SIZE_T), error);
	return hr;
}

int main(void)
{
	static char text[(1536 << 10) + 100];	/* the biggest message */
	const SIZE_T page = (SIZE_T)sysconf(_SC_PAGESIZE);
	struct snapshot snap[5], *end = snap, before, after;
	unsigned long long created = 0, first = 0, later = 0, others = 0, entered;
	ULONG n, i, parsed = 0;
	WS_ERROR *error = NULL;
	WS_HEAP *heap = NULL;
	SIZE_T held, kept;
	char buf[128];
	FILE *stats;
	HRESULT hr;

	/* An error object: a failed call leaves in it what went wrong, in words. */
	hr = WsCreateError(NULL, 0, &error);
	if (FAILED(hr))
		goto Exit;
	/* One heap for the whole stream. */
	hr = WsCreateHeap(MAX_SIZE, TRIM_SIZE, NULL, 0, &heap, error);
	if (FAILED(hr))
		goto Exit;
	created = wsheap_kernel_entries(heap);
	printf("one WS_HEAP for all messages: max size %d, trim size %d\n", MAX_SIZE, TRIM_SIZE);

	for (n = 1; n <= MESSAGES; n++) {
		struct message *msg = NULL;

		entered = wsheap_kernel_entries(heap);
		hr = parse_message(heap, message_text(n, text), &msg, error);
		if (hr == WS_E_QUOTA_EXCEEDED || hr == WS_E_INVALID_FORMAT) {
			/* A bad message is dropped; the stream goes on. */
			printf("message %4u: refused, %s\n", n, hr == WS_E_QUOTA_EXCEEDED ?
			       "WS_E_QUOTA_EXCEEDED" : "WS_E_INVALID_FORMAT (not key=value)");
			print_error(stdout, error);
			EXPECT(n == (hr == WS_E_QUOTA_EXCEEDED ? TOO_BIG : BAD));
			hr = WsResetError(error);
		}
		if (SUCCEEDED(hr))
			hr = take_snapshot(heap, &before, error);
		if (FAILED(hr))
			goto Exit;
		held = before.value[WS_HEAP_PROPERTY_ACTUAL_SIZE];
		if (msg && (n <= 3 || n % 250 == 0 || n == BIG)) {
			/* What a program does with a message; here, print it. */
			printf("message %4u:", n);
			for (i = 0; i < msg->count; i++)
				printf(" %s=%.20s%s", msg->fields[i].key, msg->fields[i].value,
				       strlen(msg->fields[i].value) > 20 ? "..." : "");
			printf("  (%zu bytes from the heap)\n",
			       before.value[WS_HEAP_PROPERTY_REQUESTED_SIZE]);
		}
		parsed += msg != NULL;

		/* Done with the message: everything allocated for it goes at once. */
		hr = WsResetHeap(heap, error);
		if (SUCCEEDED(hr))
			hr = take_snapshot(heap, &after, error);
		if (FAILED(hr))
			goto Exit;
		/* Nothing stays allocated; the memory stays, up to the trim size in pages. */
		kept = after.value[WS_HEAP_PROPERTY_ACTUAL_SIZE];
		EXPECT(after.value[WS_HEAP_PROPERTY_REQUESTED_SIZE] == 0);
		EXPECT(kept <= (TRIM_SIZE + page - 1) / page * page);
		EXPECT(kept >= (held < TRIM_SIZE ? held : TRIM_SIZE));
		EXPECT((held > TRIM_SIZE) == (n == BIG));	/* only the big one passes it */

		/* Keep the properties around message 1 and the big message. */
		if (n == 1 || n == BIG) {
			snprintf(before.when, sizeof(before.when), "message %u, before reset", n);
			snprintf(after.when, sizeof(after.when), "message %u, after reset", n);
			*end++ = before;
			*end++ = after;
		}
		entered = wsheap_kernel_entries(heap) - entered;
		if (n == 1)
			first = entered;
		else if (n == BIG)
			later += entered;
		else
			others += entered;
	}
	strcpy(after.when, "end of the stream");
	*end++ = after;
	printf("\n%u messages: %u parsed, %u refused; one heap, reset after each\n", MESSAGES,
	       parsed, MESSAGES - parsed);
	EXPECT(parsed == MESSAGES - 2);

	printf("\n%-27s %10s %10s %15s %12s\n", "heap properties, bytes", "MAX_SIZE",
	       "TRIM_SIZE", "REQUESTED_SIZE", "ACTUAL_SIZE");
	for (struct snapshot *s = snap; s < end; s++)
		printf("%-27s %10zu %10zu %15zu %12zu\n", s->when, s->value[0], s->value[1],
		       s->value[2], s->value[3]);

	/* Allocations and resets within the trim size cost no system call. */
	printf("\nkernel entries for this heap (wsheap_kernel_entries):\n"
	       "    creating it                         %3llu\n"
	       "    message 1, its first memory         %3llu\n"
	       "    message %d, past the trim size     %3llu\n"
	       "    the other %d messages              %3llu\n",
	       created, first, BIG, later, MESSAGES - 2, others);
	EXPECT(first > 0 && later > 0 && others == 0);

	/* The module's own count of heaps and pages, module-wide: debugfs, for root. */
	stats = fopen(STATS_FILE, "r");
	printf("\nthe module's statistics (%s), this heap alive:\n%s", STATS_FILE,
	       stats ? "" : "    not readable: they need root, debugfs and the device backend\n");
	while (stats && fgets(buf, sizeof(buf), stats))
		printf("    %s", buf);
	if (stats)
		fclose(stats);
	printf("\nthe demo is also a test: %u checks, %u failed\n", checks, failures);

Exit:
	if (FAILED(hr)) {
		fflush(stdout);
		fprintf(stderr, "message_stream: failed, HRESULT 0x%08x\n", (unsigned int)hr);
		if (error)
			print_error(stderr, error);
	}
	if (heap)
		WsFreeHeap(heap);
	if (error)
		WsFreeError(error);
	return FAILED(hr) || failures;
}

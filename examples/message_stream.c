// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * message_stream: a stream of messages processed the WWSAPI way, with
 * libwsheap.  One WS_HEAP serves the whole stream: each message is parsed
 * into structures allocated from it with WsAlloc(), used, and dropped all
 * at once by WsResetHeap(), which keeps up to the trim size of memory for
 * the next message.  Nothing is freed piece by piece, and a message that
 * fails half-way through needs no cleanup: the reset takes care of it.
 *
 *   message_stream          a built-in stream of 1000 messages
 *   message_stream FILE     one message per line of FILE ("-": stdin),
 *                           each line "key=value;key=value;..."
 *
 * Build: cc message_stream.c $(pkg-config --cflags --libs wsheap)
 */
#define _POSIX_C_SOURCE 200809L	/* getline() */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wsheap.h>

#define MAX_SIZE	(1 << 20)	/* the most one message may take once parsed */
#define TRIM_SIZE	(256 << 10)	/* the memory kept from one message to the next */
#define STATS_FILE	"/sys/kernel/debug/wsheap/stats"

/* The built-in stream, and its three special messages. */
#define BUILTIN_MESSAGES 1000
#define BUILTIN_BIG	500	/* a 600 KiB blob: past the trim size */
#define BUILTIN_TOO_BIG	800	/* a 1.5 MiB blob: past the max size, refused */
#define BUILTIN_BAD	900	/* a field that is not key=value, refused */

/* A parsed message.  Every byte of it lives in the heap. */
struct field {
	const char *key;
	const char *value;
};

struct message {
	ULONG count;
	struct field *fields;
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

/* Copy the text from @from to @to into the heap as a string. */
static HRESULT copy_string(WS_HEAP *heap, const char *from, const char *to, const char **out,
			   WS_ERROR *error)
{
	size_t len = (size_t)(to - from);
	char *s;
	HRESULT hr = WsAlloc(heap, len + 1, (void **)&s, error);

	if (FAILED(hr))
		return hr;
	memcpy(s, from, len);
	s[len] = '\0';
	*out = s;
	return S_OK;
}

/* Parse "key=value;key=value..." into a message allocated from @heap. */
static HRESULT parse_message(WS_HEAP *heap, const char *text, struct message **out,
			     WS_ERROR *error)
{
	const char *p, *end, *eq;
	struct message *msg;
	HRESULT hr;
	ULONG i;

	hr = WsAlloc(heap, sizeof(*msg), (void **)&msg, error);
	if (FAILED(hr))
		return hr;
	msg->count = 1;
	for (p = text; *p; p++)
		msg->count += *p == ';';
	hr = WsAlloc(heap, msg->count * sizeof(*msg->fields), (void **)&msg->fields, error);
	if (FAILED(hr))
		return hr;
	for (i = 0, p = text; i < msg->count; i++, p = end + 1) {
		end = p + strcspn(p, ";");
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			return WS_E_INVALID_FORMAT;
		hr = copy_string(heap, p, eq, &msg->fields[i].key, error);
		if (SUCCEEDED(hr))
			hr = copy_string(heap, eq + 1, end, &msg->fields[i].value, error);
		if (FAILED(hr))
			return hr;	/* what was allocated goes at the next reset */
	}
	*out = msg;
	return S_OK;
}

/* The next message: a line of @in, or of the built-in stream if @in is NULL. */
static char *next_message(FILE *in, ULONG n, char *buf, char **line, size_t *cap)
{
	static const char *const customer[] = { "contoso", "fabrikam", "northwind", "tailspin" };
	size_t len, blob = n == BUILTIN_BIG ? 600 << 10 : n == BUILTIN_TOO_BIG ? 1536 << 10 : 0;

	if (in) {
		if (getline(line, cap, in) < 0)
			return NULL;
		(*line)[strcspn(*line, "\r\n")] = '\0';
		return *line;
	}
	if (n > BUILTIN_MESSAGES)
		return NULL;
	len = (size_t)sprintf(buf, "id=%u;customer=%s;item=widget-%u;qty=%u%s", n,
			      customer[n % 4], n * 37 % 100, n % 9 + 1,
			      n == BUILTIN_BAD ? ";rush" : blob ? ";blob=" : "");
	memset(buf + len, 'x', blob);
	buf[len + blob] = '\0';
	return buf;
}

/* What a program does with a message; here, print it. */
static void print_message(ULONG n, const struct message *msg, SIZE_T requested)
{
	ULONG i;

	printf("message %4u:", n);
	for (i = 0; i < msg->count; i++) {
		if (strlen(msg->fields[i].value) <= 20)
			printf(" %s=%s", msg->fields[i].key, msg->fields[i].value);
		else
			printf(" %s=<%zu bytes>", msg->fields[i].key, strlen(msg->fields[i].value));
	}
	printf("  (%zu bytes from the heap)\n", (size_t)requested);
}

static HRESULT take_snapshot(WS_HEAP *heap, struct snapshot *snap, WS_ERROR *error)
{
	HRESULT hr = S_OK;
	int id;

	for (id = WS_HEAP_PROPERTY_MAX_SIZE; id <= WS_HEAP_PROPERTY_ACTUAL_SIZE && SUCCEEDED(hr); id++)
		hr = WsGetHeapProperty(heap, id, &snap->value[id], sizeof(SIZE_T), error);
	return hr;
}

int main(int argc, char **argv)
{
	static char builtin[(1536 << 10) + 100];	/* the biggest built-in message */
	struct snapshot snap[5], *end = snap, before, after;
	unsigned long long created = 0, first = 0, entries;
	ULONG n, parsed = 0, bigs = 0, entering = 0;
	WS_ERROR *error = NULL;
	WS_HEAP *heap = NULL;
	FILE *in = NULL, *stats;
	char *line = NULL, *text, buf[128];
	size_t cap = 0;
	int status;
	HRESULT hr;

	if (argc > 1 && !(in = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin)) {
		perror(argv[1]);
		return 1;
	}
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

	for (n = 1; (text = next_message(in, n, builtin, &line, &cap)); n++) {
		struct message *msg = NULL;
		int big;

		entries = wsheap_kernel_entries(heap);
		hr = parse_message(heap, text, &msg, error);
		if (hr == WS_E_QUOTA_EXCEEDED || hr == WS_E_INVALID_FORMAT) {
			/* A bad message is dropped; the stream goes on. */
			printf("message %4u: refused, %s\n", n, hr == WS_E_QUOTA_EXCEEDED ?
			       "WS_E_QUOTA_EXCEEDED" : "WS_E_INVALID_FORMAT (not key=value)");
			print_error(stdout, error);
			hr = WsResetError(error);
		}
		if (SUCCEEDED(hr))
			hr = take_snapshot(heap, &before, error);
		if (FAILED(hr))
			goto Exit;
		big = before.value[WS_HEAP_PROPERTY_ACTUAL_SIZE] > TRIM_SIZE;
		if (msg && (n <= 3 || n % 250 == 0 || big))
			print_message(n, msg, before.value[WS_HEAP_PROPERTY_REQUESTED_SIZE]);
		parsed += msg != NULL;

		/* Done with the message: everything allocated for it goes at once. */
		hr = WsResetHeap(heap, error);
		if (SUCCEEDED(hr))
			hr = take_snapshot(heap, &after, error);
		if (FAILED(hr))
			goto Exit;

		/* Keep the properties around message 1 and the first big message. */
		if (n == 1 || (big && !bigs++)) {
			snprintf(before.when, sizeof(before.when), "message %u, before reset", n);
			snprintf(after.when, sizeof(after.when), "message %u, after reset", n);
			*end++ = before;
			*end++ = after;
		}
		if (n == 1)
			first = wsheap_kernel_entries(heap) - entries;
		else if (wsheap_kernel_entries(heap) != entries)
			entering++;
	}
	if (in && ferror(in)) {
		perror("message_stream: reading the messages");
		goto Exit;
	}
	if (n == 1) {
		printf("no messages\n");
		goto Exit;
	}
	strcpy(after.when, "end of the stream");
	*end++ = after;
	printf("\n%u messages: %u parsed, %u refused; one heap, reset after each\n", n - 1,
	       parsed, n - 1 - parsed);

	printf("\n%-27s %10s %10s %15s %12s\n", "heap properties, bytes", "MAX_SIZE",
	       "TRIM_SIZE", "REQUESTED_SIZE", "ACTUAL_SIZE");
	for (struct snapshot *s = snap; s < end; s++)
		printf("%-27s %10zu %10zu %15zu %12zu\n", s->when, s->value[0], s->value[1],
		       s->value[2], s->value[3]);

	/* Allocations and resets within the trim size cost no system call. */
	printf("\nkernel entries for this heap (wsheap_kernel_entries):\n");
	printf("    %-44s %3llu\n", "creating it", created);
	printf("    %-44s %3llu\n", "message 1, its first memory", first);
	snprintf(buf, sizeof(buf), "%u later message%s past the trim size", entering,
		 entering == 1 ? "" : "s");
	printf("    %-44s %3llu\n", buf, wsheap_kernel_entries(heap) - created - first);
	snprintf(buf, sizeof(buf), "the other %u messages", n - 2 - entering);
	printf("    %-44s %3d\n", buf, 0);

	/* The module's own count of heaps and pages, module-wide: debugfs, for root. */
	stats = fopen(STATS_FILE, "r");
	if (!stats) {
		printf("\n(%s is not readable: the module's statistics need root\n"
		       "and debugfs; skipped)\n", STATS_FILE);
	} else {
		printf("\nthe module's statistics (%s), this heap alive:\n", STATS_FILE);
		while (fgets(buf, sizeof(buf), stats))
			printf("    %s", buf);
		fclose(stats);
	}

Exit:
	if (FAILED(hr)) {
		fflush(stdout);
		fprintf(stderr, "message_stream: failed, HRESULT 0x%08x\n", (unsigned int)hr);
		print_error(stderr, error);
	}
	WsFreeHeap(heap);
	WsFreeError(error);
	free(line);
	status = FAILED(hr) || (in && ferror(in));
	if (in && in != stdin)
		fclose(in);
	return status;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * wsheap-bench's "live heaps" table: for each N of --live and each live
 * variant a family lists, bench-FAMILY --live VARIANT --heaps N, --live-runs
 * times in rounds (every row once, then again), and one table of the
 * medians: memory per heap, mappings added, and the create/alloc/free
 * cycle with N heaps live against the same cycle with LIVE_FEW live.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

struct live_row {
	const char *family;
	char variant[64];
	unsigned long heaps;	/* 0 on a row that only says why it did not run */
	char *why;		/* never run, and why */
	int runs;		/* runs that gave a result */
	int failed;		/* runs that did not */
	unsigned long made;	/* failed runs: the fewest heaps they had live */
	int made_known;
	double create_ns[MAX_RUNS], base_ns[MAX_RUNS], ns[MAX_RUNS], ratio[MAX_RUNS];
	double rss_pte[MAX_RUNS], mem_available[MAX_RUNS], maps[MAX_RUNS];
};

static struct live_row *live_rows;
static int nlive;

static struct live_row *new_live_row(const char *family, const char *variant,
				     unsigned long heaps)
{
	struct live_row *r;

	live_rows = realloc(live_rows, (nlive + 1) * sizeof(*live_rows));
	if (!live_rows) {
		fprintf(stderr, "wsheap-bench: out of memory\n");
		exit(1);
	}
	r = &live_rows[nlive++];
	memset(r, 0, sizeof(*r));
	r->family = family;
	snprintf(r->variant, sizeof(r->variant), "%s", variant);
	r->heaps = heaps;
	return r;
}

void live_add(const char *family, const char *variant, const char *status,
	      const struct bench_opts *o)
{
	struct live_row *r;
	int i;

	if (!o->live || (o->live_only && !strstr(variant, o->live_only)))
		return;
	if (strcmp(status, "ok")) {
		/* One row for the variant, whatever N: it cannot run here. */
		r = new_live_row(family, variant, 0);
		if (!strncmp(status, "missing: ", 9))
			i = asprintf(&r->why, "missing (%s)", status + 9);
		else if (!strncmp(status, "unavailable: ", 13))
			i = asprintf(&r->why, "not run: %s", status + 13);
		else
			i = asprintf(&r->why, "not run: %s", status);
		if (i < 0)
			exit(1);
		return;
	}
	for (i = 0; i < o->live_nheaps; i++)
		new_live_row(family, variant, o->live_heaps[i]);
}

static int parse_live(struct live_row *r, const char *out)
{
	const char *line = strstr(out, "live heaps="), *f;
	int run = r->runs;
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{ " create_ns=", offsetof(struct live_row, create_ns) },
		{ " base_ns=", offsetof(struct live_row, base_ns) },
		{ " ns=", offsetof(struct live_row, ns) },
		{ " rss_pte=", offsetof(struct live_row, rss_pte) },
		{ " mem_available=", offsetof(struct live_row, mem_available) },
		{ " maps=", offsetof(struct live_row, maps) },
	};
	size_t i;

	if (!line)
		return -1;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		f = strstr(line, fields[i].key);
		if (!f)
			return -1;
		((double *)((char *)r + fields[i].off))[run] =
			strtod(f + strlen(fields[i].key), NULL);
	}
	r->ratio[run] = r->base_ns[run] > 0 ? r->ns[run] / r->base_ns[run] : 0;
	return 0;
}

/* The rows of a million heaps or more run once: one can take 30 s (mimalloc's). */
#define LIVE_BIG	1000000ul

static int runs_of(const struct live_row *r, const struct bench_opts *o)
{
	return r->heaps >= LIVE_BIG ? 1 : o->live_runs;
}

static void measure_live(struct live_row *r, const struct bench_opts *o, int round)
{
	char path[PATH_MAX], heaps[32], cycles[32], *out, *failed;
	char *argv[] = { path, "--live", r->variant, "--heaps", heaps, "--cycles", cycles, NULL };
	unsigned long made;
	int rc;

	program(path, sizeof(path), r->family);
	snprintf(heaps, sizeof(heaps), "%lu", r->heaps);
	snprintf(cycles, sizeof(cycles), "%lu", o->live_cycles);
	rc = spawn(argv, o->cpu, &out);
	if (rc || parse_live(r, out)) {
		failed = strstr(out, "live-failed made=");
		if (failed) {
			made = strtoul(failed + 17, NULL, 10);
			if (!r->made_known || made < r->made)
				r->made = made;
			r->made_known = 1;
		}
		fprintf(stderr, "wsheap-bench: run %d/%d live %-22s %8lu heaps failed (status %d)\n",
			round + 1, runs_of(r, o), r->variant, r->heaps, rc);
		r->failed++;
	} else {
		fprintf(stderr, "wsheap-bench: run %d/%d live %-22s %8lu heaps %8.1f B/heap "
			"%6.1f ns/cycle (x%.2f)\n", round + 1, runs_of(r, o), r->variant, r->heaps,
			r->rss_pte[r->runs] / (double)r->heaps, r->ns[r->runs], r->ratio[r->runs]);
		r->runs++;
	}
	free(out);
}

int live_measure(const struct bench_opts *o)
{
	int round, i, failed = 0;

	for (round = 0; round < o->live_runs; round++)
		for (i = 0; i < nlive; i++)
			if (!live_rows[i].why && round < runs_of(&live_rows[i], o))
				measure_live(&live_rows[i], o, round);
	for (i = 0; i < nlive; i++)
		failed |= live_rows[i].failed > 0;
	return failed;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_of(const double *v, int n)
{
	double s[MAX_RUNS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* 1000000 as "1,000,000". */
static void thousands(char *buf, size_t size, unsigned long n)
{
	char digits[32];
	size_t len, i, o = 0;

	len = (size_t)snprintf(digits, sizeof(digits), "%lu", n);
	for (i = 0; i < len && o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

void live_print(FILE *out, const struct bench_opts *o)
{
	char name[128], n[32], made[32], few[32], rss[48], avail[48];
	int i, device;

	if (!nlive)
		return;
	thousands(few, sizeof(few), LIVE_FEW);
	fprintf(out, "\n### live heaps: N heaps of max size %d KiB, one %d-byte allocation each\n\n",
		LIVE_MAX_SIZE >> 10, LIVE_ALLOC);
	fprintf(out, "Each run a process: it makes N heaps (max and trim size %d KiB), each "
		"holding one %d-byte allocation written whole, and times %lu create/alloc(%d)/"
		"memset/free cycles with them live (in %d batches, the median batch; a batch "
		"lasts at most 50 ms, so a cycle that enters the kernel is timed fewer times), against "
		"the same cycles timed in the same process with %s live, before the rest were "
		"made.  Memory per heap: the growth of VmRSS + VmPTE (/proc/self/status), and "
		"the drop of the machine's MemAvailable (/proc/meminfo, the one that sees the "
		"kernel's side of the device backend; noisy below 100,000 heaps, where the free "
		"pages CPUs keep in lists of their own move it as much), over N; in bold the one "
		"that counts for the row.  Mappings: lines added to "
		"/proc/self/maps.  The median of %d run%s (one for a million heaps, "
		"whose runs take up to half a minute each); x %s live is the median "
		"of each run's own ratio.\n", LIVE_MAX_SIZE >> 10, LIVE_ALLOC,
		o->live_cycles, LIVE_ALLOC, LIVE_BATCHES, few, o->live_runs,
		o->live_runs == 1 ? "" : "s", few);
	fprintf(out, "glibc has no arena API: its heap is one malloc()ed %d-byte message, its "
		"cycle malloc/memset/free.  mimalloc: mi_heap_new, mi_heap_malloc, "
		"mi_heap_destroy.  APR: apr_pool_create (a subpool of one root pool), "
		"apr_palloc, apr_pool_destroy.%s%s\n\n", LIVE_ALLOC, o->live_note ? "  " : "",
		o->live_note ? o->live_note : "");
	fprintf(out, "| contender: variant | live heaps | runs | RSS+PTE B/heap "
		"| MemAvailable drop B/heap | mappings added | create ns/heap "
		"| cycle ns, N live | cycle ns, %s live | x %s live |\n", few, few);
	fprintf(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < nlive; i++) {
		const struct live_row *r = &live_rows[i];
		double heaps = (double)r->heaps;
		int wsheap = !strcmp(r->family, "wsheap");

		snprintf(name, sizeof(name), "%s%s: %s%s", wsheap ? "**" : "", r->family,
			 r->variant, wsheap ? "**" : "");
		thousands(n, sizeof(n), r->heaps);
		if (r->why) {
			fprintf(out, "| %s | | 0 | %s | | | | | | |\n", name, r->why);
			continue;
		}
		if (!r->runs) {
			if (r->made_known) {
				thousands(made, sizeof(made), r->made);
				fprintf(out, "| %s | %s | 0 | failed: the allocator refused with %s "
					"heaps live | | | | | | |\n", name, n, made);
			} else {
				fprintf(out, "| %s | %s | 0 | failed: every run failed | | | | | | |\n",
					name, n);
			}
			continue;
		}
		device = strstr(r->variant, "device") != NULL;
		snprintf(rss, sizeof(rss), "%s%.0f%s", device ? "" : "**",
			 median_of(r->rss_pte, r->runs) / heaps, device ? "" : "**");
		snprintf(avail, sizeof(avail), "%s%.0f%s", device ? "**" : "",
			 median_of(r->mem_available, r->runs) / heaps, device ? "**" : "");
		fprintf(out, "| %s | %s | %d | %s | %s | %.0f | %.1f | %.1f | %.1f | %.2f |\n",
			name, n, r->runs, rss, avail, median_of(r->maps, r->runs),
			median_of(r->create_ns, r->runs), median_of(r->ns, r->runs),
			median_of(r->base_ns, r->runs), median_of(r->ratio, r->runs));
	}
}

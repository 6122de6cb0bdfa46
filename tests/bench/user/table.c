// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tables: one per view (msg, msg8, create, bulk cold, bulk warm), rows
 * sorted by median ns per allocation, ratios to the same table's bump row
 * (the floor) and glibc_malloc row, rows that could not run at the end
 * with the reason.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "driver.h"

static const char *const view_titles[V_COUNT] = {
	[V_MSG] = "message pattern, full memset",
	[V_MSG8] = "message pattern, 8-byte write",
	[V_CREATE] = "heap create + free per message, full memset",
	[V_BULK_COLD] = "bulk, cold (first run in the process)",
	[V_BULK_WARM] = "bulk, warm (best of runs 2 and 3)",
};

enum workload view_workload(enum view v)
{
	static const enum workload w[V_COUNT] = {
		[V_MSG] = W_MSG, [V_MSG8] = W_MSG8, [V_CREATE] = W_CREATE,
		[V_BULK_COLD] = W_BULK, [V_BULK_WARM] = W_BULK,
	};

	return w[v];
}

int is_wsheap(const struct row *r)
{
	return !strcmp(r->family, "wsheap");
}

/* The "don't do this" rows: kernel entries where wsheap makes none. */
int is_marker(const struct row *r)
{
	return !strcmp(r->family, "bump") && strcmp(r->variant, "bump");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* 0 and @st filled if the row has runs in view @v. */
int row_stat(const struct row *r, enum view v, struct stat *st)
{
	double ns[MAX_RUNS], flt[MAX_RUNS], ke[MAX_RUNS];
	int i, slot;

	if (r->why || !r->runs || r->workload != view_workload(v))
		return -1;
	for (i = 0; i < r->runs; i++) {
		slot = 0;
		if (v == V_BULK_WARM)
			slot = r->ns[i][1] <= r->ns[i][2] ? 1 : 2;
		ns[i] = r->ns[i][slot];
		flt[i] = r->minflt[i][slot];
		ke[i] = r->kentries[i][slot];
	}
	st->runs = r->runs;
	st->median = median(ns, r->runs);
	st->min = ns[0];
	st->max = ns[r->runs - 1];
	st->minflt = median(flt, r->runs);
	st->kentries = median(ke, r->runs);
	return 0;
}

const struct row *find_row(enum view v, const char *variant)
{
	int i;

	for (i = 0; i < nrows; i++)
		if (rows[i].workload == view_workload(v) && !strcmp(rows[i].variant, variant))
			return &rows[i];
	return NULL;
}

static int floor_of(enum view v, const char *variant, double *ns)
{
	const struct row *r = find_row(v, variant);
	struct stat st;

	if (!r || row_stat(r, v, &st))
		return -1;
	*ns = st.median;
	return 0;
}

/* A count per message or per run, readable from 0.0001 to millions. */
static void fmt_count(char *buf, size_t size, double v)
{
	if (v == 0)
		snprintf(buf, size, "0");
	else if (v >= 100)
		snprintf(buf, size, "%.0f", v);
	else if (v >= 1)
		snprintf(buf, size, "%.2f", v);
	else
		snprintf(buf, size, "%.2g", v);
}

struct sorted {
	const struct row *row;
	struct stat st;
	int ok;
};

static int cmp_sorted(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;

	if (x->ok != y->ok)
		return y->ok - x->ok;
	if (!x->ok)
		return 0;
	return cmp_double(&x->st.median, &y->st.median);
}

static void print_view(FILE *out, enum view v)
{
	const char *per = view_workload(v) == W_BULK ? "run" : "msg";
	struct sorted *s = calloc(nrows, sizeof(*s));
	double bump = 0, glibc = 0;
	int have_bump, have_glibc, i, n = 0;
	char ke[32], flt[32], name[128];

	if (!s)
		return;
	for (i = 0; i < nrows; i++) {
		if (rows[i].workload != view_workload(v))
			continue;
		s[n].row = &rows[i];
		s[n].ok = !row_stat(&rows[i], v, &s[n].st);
		n++;
	}
	if (!n) {
		free(s);
		return;
	}
	qsort(s, n, sizeof(*s), cmp_sorted);
	have_bump = !floor_of(v, "bump", &bump);
	have_glibc = !floor_of(v, "glibc_malloc", &glibc);

	fprintf(out, "\n### %s (ns/alloc)\n\n", view_titles[v]);
	fprintf(out, "| contender: variant | runs | median | min..max | x bump | x glibc "
		"| kernel entries/%s | minor faults/%s |\n", per, per);
	fprintf(out, "|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++) {
		const struct row *r = s[i].row;
		const struct stat *st = &s[i].st;

		snprintf(name, sizeof(name), "%s%s: %s%s%s", is_wsheap(r) ? "**" : "", r->family,
			 r->variant, is_wsheap(r) ? "**" : "", is_marker(r) ? " (don't)" : "");
		if (!s[i].ok) {
			fprintf(out, "| %s | 0 | %s | | | | | |\n", name,
				r->why ? r->why : "failed: every run failed");
			continue;
		}
		fprintf(out, "| %s | %d | %.2f | %.1f..%.1f | ", name, st->runs, st->median,
			st->min, st->max);
		if (have_bump)
			fprintf(out, "%.2f | ", st->median / bump);
		else
			fprintf(out, "- | ");
		if (have_glibc)
			fprintf(out, "%.2f | ", st->median / glibc);
		else
			fprintf(out, "- | ");
		if (r->has_kentries)
			fmt_count(ke, sizeof(ke), st->kentries);
		else
			snprintf(ke, sizeof(ke), "-");
		fmt_count(flt, sizeof(flt), st->minflt);
		fprintf(out, "%s | %s |\n", ke, flt);
	}
	free(s);
}

static void cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256], *colon;

	snprintf(buf, size, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) || !(colon = strchr(line, ':')))
			continue;
		colon += strspn(colon + 1, " \t") + 1;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, size, "%s", colon);
		break;
	}
	fclose(f);
}

/* The bracketed choice of /sys/kernel/mm/transparent_hugepage/enabled. */
static void thp_mode(char *buf, size_t size)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128], *open, *close;

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && (open = strchr(line, '[')) &&
	    (close = strchr(open, ']'))) {
		*close = '\0';
		snprintf(buf, size, "%s", open + 1);
	}
	fclose(f);
}

void print_tables(FILE *out, const struct bench_opts *o)
{
	unsigned long fewer = o->msgs / 16 ? o->msgs / 16 : 1;
	struct utsname u;
	char cpu[160], pin[32], thp[32];
	int v;

	uname(&u);
	cpu_model(cpu, sizeof(cpu));
	thp_mode(thp, sizeof(thp));
	if (o->cpu >= 0)
		snprintf(pin, sizeof(pin), " pinned to CPU %d", o->cpu);
	else
		snprintf(pin, sizeof(pin), ", not pinned");
	fprintf(out, "## %s\n\n", o->title);
	fprintf(out, "Ran on: %s, %ld CPUs, kernel %s (%s), transparent huge pages %s; "
		"each measurement a separate process%s; median of %d runs.\n", cpu,
		sysconf(_SC_NPROCESSORS_ONLN), u.release, u.machine, thp, pin, o->runs);
	fprintf(out, "Messages: %lu of %d allocations (16..512 B, fixed-seed sizes), after a "
		"warm-up of %d; rows marked (don't) ran %lu.  Bulk: %lu allocations of %d B, "
		"free-all included.  Kernel entries: libwsheap's own count "
		"(wsheap_kernel_entries); minor faults: getrusage().\n",
		o->msgs, MSG_ALLOCS, RING_MSGS, fewer, o->bulk, BULK_SIZE);
	for (v = 0; v < V_COUNT; v++)
		print_view(out, v);
}

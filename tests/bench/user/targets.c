// SPDX-License-Identifier: GPL-2.0-only
/*
 * The targets of the user-space benchmark, judged from the numbers just
 * measured, for each wsheap backend that ran.  Ratios are medians over
 * medians, of rows of the same table and the same run; nothing here fails
 * a build, it only says met or missed.
 */
#include <string.h>

#include "driver.h"

#define KiB	1024.0

static const char *const backends[] = { "process", "device" };

static const char *verdict(int met)
{
	return met ? "met" : "**missed**";
}

static int stat_of(enum view v, const char *variant, struct stat *st)
{
	const struct row *r = find_row(v, variant);

	return r ? row_stat(r, v, st) : -1;
}

/* Target: @variant's median at most @limit times @floor's, in view @v. */
static void ratio_target(FILE *out, const char *what, const char *backend, enum view v,
			 const char *variant, const char *floor, double limit)
{
	struct stat w, f;

	if (stat_of(v, variant, &w) || stat_of(v, floor, &f)) {
		fprintf(out, "| %s | %s | no numbers | n/a |\n", what, backend);
		return;
	}
	fprintf(out, "| %s | %s | %.2fx (%.2f vs %.2f ns) | %s |\n", what, backend,
		w.median / f.median, w.median, f.median, verdict(w.median <= limit * f.median));
}

/* msg8: ahead of every peer (neither the floor family nor wsheap). */
static void peers_target(FILE *out, const char *backend, const char *variant)
{
	const struct row *best = NULL;
	struct stat w, st, b = { 0 };
	char missing[256] = "";
	size_t len = 0;
	int i;

	if (stat_of(V_MSG8, variant, &w)) {
		fprintf(out, "| msg8: ahead of every peer | %s | no numbers | n/a |\n", backend);
		return;
	}
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (!strcmp(r->family, "bump") || is_wsheap(r) || r->workload != W_MSG8)
			continue;
		if (row_stat(r, V_MSG8, &st)) {
			if (len < sizeof(missing))
				len += snprintf(missing + len, sizeof(missing) - len, "%s%s",
						len ? ", " : "; not measured: ", r->variant);
			continue;
		}
		if (!best || st.median < b.median) {
			best = r;
			b = st;
		}
	}
	if (!best) {
		fprintf(out, "| msg8: ahead of every peer | %s | no peer ran | n/a |\n", backend);
		return;
	}
	fprintf(out, "| msg8: ahead of every peer | %s | %.2f ns vs %.2f (best peer, %s)%s | %s |\n",
		backend, w.median, b.median, best->variant, missing,
		verdict(w.median < b.median));
}

/* No kernel entry in any run of msg or msg8: allocations and resets within trim. */
static void trim_target(FILE *out, const char *backend, const char *variant)
{
	double worst = 0;
	int v, i, runs = 0;

	for (v = V_MSG; v <= V_MSG8; v++) {
		const struct row *r = find_row(v, variant);

		if (!r || r->why || !r->has_kentries)
			continue;
		for (i = 0; i < r->runs; i++, runs++)
			if (r->kentries[i][0] > worst)
				worst = r->kentries[i][0];
	}
	if (!runs) {
		fprintf(out, "| 0 kernel entries per allocation and per reset within trim | %s "
			"| no numbers | n/a |\n", backend);
		return;
	}
	fprintf(out, "| 0 kernel entries per allocation and per reset within trim (msg, msg8) "
		"| %s | %g per message at most, %d runs | %s |\n", backend, worst, runs,
		verdict(worst == 0));
}

/* Growth in the cold bulk run: at most one kernel entry per 256 KiB. */
static void growth_target(FILE *out, const char *backend, const char *variant)
{
	const struct row *r = find_row(V_BULK_COLD, variant);
	struct stat st;

	if (!r || row_stat(r, V_BULK_COLD, &st) || !r->grown || !r->has_kentries) {
		fprintf(out, "| at most 1 kernel entry per 256 KiB of growth | %s | no numbers "
			"| n/a |\n", backend);
		return;
	}
	fprintf(out, "| at most 1 kernel entry per 256 KiB of growth (bulk, cold) | %s "
		"| %.0f entries for %.0f MiB: one per %.0f KiB | %s |\n", backend, st.kentries,
		r->grown / KiB / KiB, st.kentries ? r->grown / KiB / st.kentries : r->grown / KiB,
		verdict(st.kentries * 256 * KiB <= r->grown));
}

void print_targets(FILE *out)
{
	char variant[64];
	size_t b;

	fprintf(out, "\n### Targets\n\n"
		"Judged from the tables above (medians of this run).\n\n"
		"| target | backend | measured | verdict |\n|---|---|---|---|\n");
	for (b = 0; b < sizeof(backends) / sizeof(backends[0]); b++) {
		const char *be = backends[b];
		const struct row *r;

		snprintf(variant, sizeof(variant), "wsheap_%s", be);
		r = find_row(V_MSG8, variant);
		if (!r)
			r = find_row(V_BULK_COLD, variant);
		if (!r || r->why) {
			fprintf(out, "| every target | %s | %s | n/a |\n", be,
				r ? r->why : "not measured");
			continue;
		}
		ratio_target(out, "msg8: within 1.3x of the bump floor", be, V_MSG8, variant,
			     "bump", 1.3);
		peers_target(out, be, variant);
		trim_target(out, be, variant);
		growth_target(out, be, variant);
		ratio_target(out, "bulk warm: within 1.5x of the floor", be, V_BULK_WARM,
			     variant, "bump", 1.5);
		ratio_target(out, "bulk cold: no worse than touching fresh pages "
			     "(bump_fresh_mmap)", be, V_BULK_COLD, variant, "bump_fresh_mmap", 1.0);
		ratio_target(out, "create+free per message: within 1.6x of the floor", be,
			     V_CREATE, variant, "bump", 1.6);
	}
}

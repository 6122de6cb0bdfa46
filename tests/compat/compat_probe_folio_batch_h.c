// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compile test: this builds only where <linux/folio_batch.h> exists (a
 * missing header is a fatal error).  Never loaded.
 */
#include <linux/folio_batch.h>
#include <linux/module.h>

unsigned int wsheap_probe_folio_batch_h(struct folio_batch *batch);

unsigned int wsheap_probe_folio_batch_h(struct folio_batch *batch)
{
	return folio_batch_count(batch);
}
EXPORT_SYMBOL_GPL(wsheap_probe_folio_batch_h);

MODULE_DESCRIPTION("wsheap: <linux/folio_batch.h> probe, for tests/compat");
MODULE_LICENSE("GPL");

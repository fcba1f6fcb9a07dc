// SPDX-License-Identifier: MIT
/*
 * test=vtd: VT-d really confines the AHCI controller (docs/iommu.md). With
 * translation on, a page is taken out of the Keel domain and the HBA is
 * told to DMA into it (a disk read) and out of it (a disk write): both must
 * be blocked, reported once with 00:1f.2, the page's address and the
 * reason, and the page must keep its contents. The same read with the page
 * mapped again must land. The context entries must give Keel's functions
 * the Keel domain and every other function none. Serial contract:
 * "TEST vtd.<name> PASS|FAIL [detail]", then "TESTS: N passed, M failed".
 */
#include "core/lib.h"
#include "core/mm.h"
#include "core/console.h"
#include "core/selftest.h"
#include "arch/x86/arch.h"
#include "drivers/pci.h"
#include "drivers/ahci/ahci.h"
#include "iommu/iommu.h"
#include "iommu/vtd_regs.h"

#define VT_POISON 0xa5
#define VT_SECTORS 8 /* one page of 512-byte sectors */
#define VT_TIMEOUT_US 60000000ULL /* one command; TCG is slow */
#define VT_MAX_FAULTS 8

static unsigned int passed, failed;

static void report(bool ok, const char *name, const char *detail)
{
	printf("TEST vtd.%s %s%s%s\n", name, ok ? "PASS" : "FAIL",
	       detail[0] ? " " : "", detail);
	if (ok)
		passed++;
	else
		failed++;
}

struct vt_cmd {
	struct ahci_cmd cmd;
	struct ahci_seg seg;
	bool done;
	int status;
};

static void vt_done(struct ahci_cmd *cmd, int status)
{
	struct vt_cmd *c = cmd->priv;

	c->status = status;
	c->done = true;
}

/* One page-sized command on @d at @lba to or from @page; its status. */
static int run_cmd(struct ahci_disk *d, enum ahci_op op, u64 lba,
		   phys_addr_t page)
{
	struct vt_cmd c = { 0 };
	u64 start = time_us();
	int ret;

	c.seg = (struct ahci_seg){ page, PAGE_SIZE };
	c.cmd = (struct ahci_cmd){ .op = op,
				   .lba = lba,
				   .nsectors = VT_SECTORS,
				   .segs = &c.seg,
				   .nseg = 1,
				   .done = vt_done,
				   .priv = &c };
	ret = ahci_submit(d, &c.cmd);
	if (ret)
		return ret;
	while (!c.done) {
		if (time_us() - start > VT_TIMEOUT_US)
			return -ETIMEDOUT; /* never seen; c must not leak */
		ahci_poll();
	}
	return c.status;
}

static bool all_bytes(const u8 *p, u8 v)
{
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Did a fault from @bdf at @page of the expected direction and reason
 * arrive? Details go to @detail. */
static bool expect_fault(u16 bdf, phys_addr_t page, bool read, u8 reason,
			 char *detail, size_t len)
{
	struct iommu_fault f[VT_MAX_FAULTS];
	unsigned int n = iommu_poll_faults(f, VT_MAX_FAULTS), i, hits = 0;

	for (i = 0; i < n && i < VT_MAX_FAULTS; i++)
		if (f[i].bdf == bdf && f[i].addr == page && f[i].read == read &&
		    f[i].reason == reason)
			hits++;
	ksnprintf(detail, len, "%u faults, %u from %02x:%02x.%u at 0x%llx", n,
		  hits, bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7,
		  (unsigned long long)page);
	return hits == 1 && n == 1;
}

static const struct pci_dev *ahci_fn(void)
{
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);

		if (d->keel_owned && d->class_code == 0x01 &&
		    d->subclass == 0x06)
			return d;
	}
	return NULL;
}

/* Keel's functions on the Keel domain, every other function on none. */
static void check_contexts(void)
{
	unsigned int keel = 0, blocked = 0, wrong = 0;
	char detail[96];

	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);
		bool on_keel = false;
		bool has = iommu_context(d->bus, d->dev, d->fn, NULL, &on_keel);

		if (d->keel_owned && has && on_keel)
			keel++;
		else if (!d->keel_owned && !has)
			blocked++;
		else
			wrong++;
	}
	ksnprintf(detail, sizeof(detail),
		  "%u on the Keel domain, %u without context, %u wrong", keel,
		  blocked, wrong);
	report(keel >= 1 && blocked >= 1 && !wrong, "contexts", detail);
}

/* A page-sized read into @page must land, with no fault. */
static void landed_read(struct ahci_disk *d, u64 lba, phys_addr_t page,
			const char *name)
{
	u8 *p = phys_to_virt(page);
	char detail[64];
	unsigned int n;
	int st;

	/* The disk's sectors replace the poison: a fresh image reads as
	 * zeros, a blocked write wrote what QEMU chose; never all poison. */
	memset(p, VT_POISON, PAGE_SIZE);
	st = run_cmd(d, AHCI_OP_READ, lba, page);
	n = iommu_poll_faults(NULL, 0);
	ksnprintf(detail, sizeof(detail), "status %d, %u faults", st, n);
	report(st == 0 && !n && !all_bytes(p, VT_POISON), name, detail);
}

static void blocked_dma(struct ahci_disk *d, u16 bdf, phys_addr_t page)
{
	u8 *p = phys_to_virt(page);
	u64 lba = ahci_disk_info(d)->sectors - VT_SECTORS;
	char detail[128];
	bool ok;
	int st;

	iommu_poll_faults(NULL, 0); /* start from a clean slate */
	/* First through the mapping, so the unit caches the translation:
	 * the unmap below must invalidate it (QEMU models a stale IOTLB). */
	landed_read(d, lba, page, "mapped.read");
	memset(p, VT_POISON, PAGE_SIZE);
	if (iommu_keel_unmap(page, PAGE_SIZE)) {
		report(false, "unmap", "cannot unmap the page");
		return;
	}
	/* The disk writes into memory: a DMA write, reason 5. */
	st = run_cmd(d, AHCI_OP_READ, lba, page);
	ok = expect_fault(bdf, page, false, VTD_FR_WRITE, detail,
			  sizeof(detail));
	report(ok && st != -ETIMEDOUT, "block.write", detail);
	report(all_bytes(p, VT_POISON), "block.untouched",
	       all_bytes(p, VT_POISON) ? "page unchanged" :
					 "the blocked DMA changed the page");
	/* The disk reads from memory: a DMA read, reason 6. */
	st = run_cmd(d, AHCI_OP_WRITE, lba, page);
	ok = expect_fault(bdf, page, true, VTD_FR_READ, detail, sizeof(detail));
	report(ok && st != -ETIMEDOUT, "block.read", detail);

	if (iommu_keel_map(page, PAGE_SIZE)) {
		report(false, "remap", "cannot map the page back");
		return;
	}
	landed_read(d, lba, page, "remapped.read");
}

static int vtd_selftest(void)
{
	const struct pci_dev *fn = ahci_fn();
	struct ahci_disk *d = ahci_disk_count() ? ahci_disk(0) : NULL;
	phys_addr_t page;

	passed = failed = 0;
	if (iommu_state() != IOMMU_ON) {
		report(false, "on", "VT-d translation is not on");
	} else if (!fn || !d) {
		report(false, "on", "no AHCI controller with a disk");
	} else {
		report(true, "on", "");
		check_contexts();
		page = alloc_pages(1, PAGE_SIZE);
		if (page == PHYS_INVALID) {
			report(false, "alloc", "out of memory");
		} else {
			blocked_dma(d, PCI_BDF(fn->bus, fn->dev, fn->fn), page);
			free_pages(page, 1);
		}
	}
	printf("TESTS: %u passed, %u failed\n", passed, failed);
	return (int)failed;
}

SELFTEST(vtd, "vtd", SELFTEST_TEST, vtd_selftest);

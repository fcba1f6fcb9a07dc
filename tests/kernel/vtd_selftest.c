// SPDX-License-Identifier: MIT
/*
 * test=vtd: VT-d really confines the AHCI controller (docs/iommu.md). With
 * translation on, a page is taken out of the Keel domain and the HBA is
 * told to DMA into it (a disk read) and out of it (a disk write): both must
 * be blocked, reported once with 00:1f.2, the page's address and the
 * reason, and the page must keep its contents. The same read with the page
 * mapped again must land. The context entries must give Keel's functions
 * the Keel domain and every other function none. Then the controller is
 * moved to a guest-shaped domain (a few MiB of "guest RAM" at GPAs backed
 * by Keel pages elsewhere) through the same calls the guest's devices go
 * through: a read into a GPA must land in the right host page, a DMA at a
 * Keel page outside the domain must be blocked and reported, and after the
 * controller is back on the Keel domain its I/O must work. Serial contract:
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
#include "core/poll.h"
#include "iommu/vtd.h"

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

/* ---- The controller on a guest-shaped domain ---- */

/*
 * The window's GPA: above the RAM test=vtd runs with (512 MiB), so the
 * HBA's own pages, which the domain must also carry identity-mapped (a
 * real guest's driver keeps them in guest RAM), never share an IOVA with it.
 */
#define VT_GUEST_GPA 0x80000000ULL
#define VT_CHUNK (2ULL << 20) /* as vm/mem.c backs guest RAM */
#define VT_NCHUNKS 2
#define VT_MAX_CTL 4
#define VT_LANDING 0x3000 /* offset of the landing page in chunk 1 */
#define VT_SEED 0x3c

static void fill(u8 *p, u8 seed)
{
	for (size_t i = 0; i < PAGE_SIZE; i++)
		p[i] = (u8)(seed + i * 7 + (i >> 8));
}

static bool filled(const u8 *p, u8 seed)
{
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i] != (u8)(seed + i * 7 + (i >> 8)))
			return false;
	return true;
}

struct vt_guest {
	struct ahci_disk *d;
	const struct pci_dev *fn;
	u16 bdf;
	u64 lba_ok, lba_bad;
	phys_addr_t chunk[VT_NCHUNKS], src, victim;
};

/* Guest RAM at VT_GUEST_GPA, plus the HBA's pages at their own address. */
static bool build_domain(struct vt_guest *g)
{
	struct iommu_ram ram[VT_NCHUNKS + VT_MAX_CTL];
	phys_addr_t base[VT_MAX_CTL], hpa = 0;
	u64 size[VT_MAX_CTL];
	unsigned int n = VT_NCHUNKS, nctl;
	char detail[128];
	bool ok;
	int rc;

	for (unsigned int i = 0; i < VT_NCHUNKS; i++)
		ram[i] = (struct iommu_ram){ VT_GUEST_GPA + i * VT_CHUNK,
					     g->chunk[i], VT_CHUNK };
	nctl = ahci_disk_dma_ranges(g->d, base, size, VT_MAX_CTL);
	for (unsigned int i = 0; i < nctl && i < VT_MAX_CTL; i++)
		ram[n++] = (struct iommu_ram){ base[i], base[i], size[i] };
	rc = iommu_guest_domain_create(ram, n);
	ok = !rc &&
	     !iommu_guest_lookup(VT_GUEST_GPA + VT_CHUNK + VT_LANDING, &hpa) &&
	     hpa == g->chunk[1] + VT_LANDING &&
	     iommu_guest_lookup(g->victim, &hpa) == -ENOENT &&
	     iommu_guest_lookup(VT_GUEST_GPA + VT_NCHUNKS * VT_CHUNK, &hpa) ==
		     -ENOENT;
	ksnprintf(
		detail, sizeof(detail),
		"status %d, %u MiB at GPA 0x%llx from HPA 0x%llx, 0x%llx, %u HBA ranges",
		rc, (unsigned int)(VT_NCHUNKS * VT_CHUNK >> 20), VT_GUEST_GPA,
		(unsigned long long)g->chunk[0],
		(unsigned long long)g->chunk[1], nctl);
	report(ok, "guest.domain", detail);
	return !rc;
}

static bool attach(struct vt_guest *g)
{
	enum iommu_guest_dma how =
		iommu_guest_assign(g->fn->bus, g->fn->dev, g->fn->fn);
	u16 did = 0;
	bool has = iommu_context(g->fn->bus, g->fn->dev, g->fn->fn, &did, NULL);
	char detail[64];

	ksnprintf(detail, sizeof(detail), "policy %d, context %d, domain %u",
		  how, has, did);
	report(how == IOMMU_GUEST_DMA_CONFINED && has &&
		       did == iommu_guest_did(),
	       "guest.attach", detail);
	return how == IOMMU_GUEST_DMA_CONFINED;
}

/* A read into a GPA lands in the host page behind it, with the data. */
static void dma_lands(struct vt_guest *g)
{
	u8 *landing = (u8 *)phys_to_virt(g->chunk[1]) + VT_LANDING;
	u64 gpa = VT_GUEST_GPA + VT_CHUNK + VT_LANDING;
	char detail[128];
	unsigned int n;
	int st;

	memset(landing, VT_POISON, PAGE_SIZE);
	st = run_cmd(g->d, AHCI_OP_READ, g->lba_ok, gpa);
	n = iommu_poll_faults(NULL, 0);
	ksnprintf(detail, sizeof(detail),
		  "status %d, %u faults, GPA 0x%llx -> HPA 0x%llx", st, n,
		  (unsigned long long)gpa,
		  (unsigned long long)(g->chunk[1] + VT_LANDING));
	report(!st && !n && filled(landing, VT_SEED), "guest.dma.lands",
	       detail);
}

/* DMA at a Keel page (an address the Keel domain maps) is blocked. */
static void dma_blocked(struct vt_guest *g)
{
	u8 *v = phys_to_virt(g->victim);
	char detail[128];
	int st;

	memset(v, VT_POISON, PAGE_SIZE);
	iommu_poll_faults(NULL, 0);
	st = run_cmd(g->d, AHCI_OP_READ, g->lba_ok, g->victim);
	report(expect_fault(g->bdf, g->victim, false, VTD_FR_WRITE, detail,
			    sizeof(detail)) &&
		       st != -ETIMEDOUT,
	       "guest.block.write", detail);
	report(all_bytes(v, VT_POISON), "guest.block.untouched",
	       all_bytes(v, VT_POISON) ? "Keel's page unchanged" :
					 "the blocked DMA changed Keel's page");
	st = run_cmd(g->d, AHCI_OP_WRITE, g->lba_bad, g->victim);
	report(expect_fault(g->bdf, g->victim, true, VTD_FR_READ, detail,
			    sizeof(detail)) &&
		       st != -ETIMEDOUT,
	       "guest.block.read", detail);
}

/* Back on the Keel domain, the controller's I/O works again. */
static void restore(struct vt_guest *g)
{
	u8 *p = phys_to_virt(g->src);
	bool keel = false, has;
	char detail[64];
	unsigned int n;
	int rc, st;

	iommu_guest_domain_destroy();
	rc = iommu_attach_keel(g->fn->bus, g->fn->dev, g->fn->fn);
	has = iommu_context(g->fn->bus, g->fn->dev, g->fn->fn, NULL, &keel);
	ksnprintf(detail, sizeof(detail), "status %d, guest domain %u", rc,
		  iommu_guest_did());
	report(!rc && has && keel && !iommu_guest_did(), "guest.restore",
	       detail);
	memset(p, VT_POISON, PAGE_SIZE);
	st = run_cmd(g->d, AHCI_OP_READ, g->lba_ok, g->src);
	n = iommu_poll_faults(NULL, 0);
	ksnprintf(detail, sizeof(detail), "status %d, %u faults", st, n);
	report(!st && !n && filled(p, VT_SEED), "guest.after.read", detail);
}

static void guest_domain(struct ahci_disk *d, const struct pci_dev *fn)
{
	struct vt_guest g = { .d = d, .fn = fn };
	u64 sectors = ahci_disk_info(d)->sectors;
	unsigned int i;
	int st;

	g.bdf = PCI_BDF(fn->bus, fn->dev, fn->fn);
	g.lba_bad = sectors - VT_SECTORS; /* blocked.* uses it too */
	g.lba_ok = sectors - 2 * VT_SECTORS;
	for (i = 0; i < VT_NCHUNKS; i++)
		g.chunk[i] = alloc_pages(VT_CHUNK / PAGE_SIZE, VT_CHUNK);
	g.src = alloc_pages(1, PAGE_SIZE);
	g.victim = alloc_pages(1, PAGE_SIZE);
	if (g.chunk[0] == PHYS_INVALID || g.chunk[1] == PHYS_INVALID ||
	    g.src == PHYS_INVALID || g.victim == PHYS_INVALID) {
		report(false, "guest.alloc", "out of memory");
		goto out;
	}
	/* The data the guest-side read must bring, written the Keel way. */
	fill(phys_to_virt(g.src), VT_SEED);
	st = run_cmd(d, AHCI_OP_WRITE, g.lba_ok, g.src);
	if (st) {
		report(false, "guest.setup", "cannot write the pattern");
		goto out;
	}
	if (build_domain(&g) && attach(&g)) {
		dma_lands(&g);
		dma_blocked(&g);
	}
	restore(&g);
out:
	for (i = 0; i < VT_NCHUNKS; i++)
		if (g.chunk[i] != PHYS_INVALID)
			free_pages(g.chunk[i], VT_CHUNK / PAGE_SIZE);
	if (g.src != PHYS_INVALID)
		free_pages(g.src, 1);
	if (g.victim != PHYS_INVALID)
		free_pages(g.victim, 1);
}

/* ---- A fault storm, read by the poller ---- */

#define VT_STORM 24 /* more than one burst of console lines */

/*
 * Blocked DMAs one after another, each left to the registered poller
 * (keel_poll(), as the exit path runs it): every fault is counted, at
 * most a burst of them printed, and the page stays untouched.
 */
static void fault_storm(struct ahci_disk *d, phys_addr_t page)
{
	u64 lba = ahci_disk_info(d)->sectors - VT_SECTORS;
	struct iommu_fault_stats a, b;
	char detail[96];
	unsigned int i;
	bool ok;

	iommu_poll_faults(NULL, 0);
	iommu_fault_stats(&a);
	memset(phys_to_virt(page), VT_POISON, PAGE_SIZE);
	if (iommu_keel_unmap(page, PAGE_SIZE)) {
		report(false, "storm", "cannot unmap the page");
		return;
	}
	for (i = 0; i < VT_STORM; i++) {
		run_cmd(d, AHCI_OP_READ, lba, page);
		keel_poll();
	}
	ok = !iommu_keel_map(page, PAGE_SIZE);
	iommu_fault_stats(&b);
	ksnprintf(
		detail, sizeof(detail),
		"%llu faults counted by the poller, %llu shown, %llu overflows",
		(unsigned long long)(b.seen - a.seen),
		(unsigned long long)(b.shown - a.shown),
		(unsigned long long)(b.overflows - a.overflows));
	report(ok && b.seen - a.seen == VT_STORM &&
		       b.shown - a.shown <= VTD_FAULT_LOG_BURST &&
		       all_bytes(phys_to_virt(page), VT_POISON),
	       "storm", detail);
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
		guest_domain(d, fn);
		page = alloc_pages(1, PAGE_SIZE);
		if (page != PHYS_INVALID) {
			fault_storm(d, page);
			free_pages(page, 1);
		}
	}
	printf("TESTS: %u passed, %u failed\n", passed, failed);
	return (int)failed;
}

SELFTEST(vtd, "vtd", SELFTEST_TEST, vtd_selftest);

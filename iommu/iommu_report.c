// SPDX-License-Identifier: MIT
/*
 * What VT-d reports: its faults, read from the fault recording registers
 * in the background and kept for the shell, and the shell's view of the
 * units, domains and context entries (docs/iommu.md).
 */
#include "iommu/iommu.h"
#include "iommu/vtd.h"
#include "iommu/iommu_priv.h"
#include "core/console.h"
#include "core/lib.h"
#include "core/poll.h"
#include "drivers/pci.h"

/* The last faults read, for iommu_show(); the oldest is overwritten. */
#define RECENT_FAULTS 8
static struct iommu_fault recent[RECENT_FAULTS];
static unsigned int recent_next, recent_count;

static void remember_fault(const struct vtd_fault *f)
{
	recent[recent_next] = (struct iommu_fault){ .bdf = f->sid,
						    .addr = f->addr,
						    .read = f->read,
						    .reason = f->reason };
	recent_next = (recent_next + 1) % RECENT_FAULTS;
	if (recent_count < RECENT_FAULTS)
		recent_count++;
}

unsigned int iommu_poll_faults(struct iommu_fault *out, unsigned int max)
{
	struct vtd_fault f[8];
	unsigned int i, j, got = 0;

	if (io_mmu.state != IOMMU_ON && io_mmu.state != IOMMU_FOUND)
		return 0;
	for (i = 0; i < io_mmu.n; i++) {
		unsigned int n =
			vtd_fault_poll(&io_mmu.units[i].hw, f, ARRAY_SIZE(f));

		/* Past ARRAY_SIZE(f), faults are reported and counted only. */
		for (j = 0; j < n && j < ARRAY_SIZE(f); j++) {
			remember_fault(&f[j]);
			if (out && got + j < max)
				out[got + j] = (struct iommu_fault){
					.bdf = f[j].sid,
					.addr = f[j].addr,
					.read = f[j].read,
					.reason = f[j].reason
				};
		}
		got += n;
	}
	return got;
}

void iommu_fault_stats(struct iommu_fault_stats *st)
{
	*st = (struct iommu_fault_stats){ 0 };
	for (unsigned int i = 0; i < io_mmu.n; i++) {
		st->seen += io_mmu.units[i].hw.faults;
		st->shown += io_mmu.units[i].hw.faults_shown;
		st->overflows += io_mmu.units[i].hw.overflows;
	}
}

/*
 * Background work (core/poll.h): while a guest runs, faults are read from
 * the exit path and on the preemption timer. Always idle: a storm must not
 * speed the tick up, and one lap of the records per poll bounds the work
 * (faults beyond them overflow and are counted).
 */
static unsigned int iommu_poller(void)
{
	iommu_poll_faults(NULL, 0);
	return POLL_IDLE;
}
KEEL_POLLER(vtd_faults, iommu_poller);

/* ---- The shell's view ---- */

static const char *const state_names[] = {
	[IOMMU_ABSENT] = "absent (no DMAR: DMA is not confined)",
	[IOMMU_BROKEN] = "broken (failed closed: translation off)",
	[IOMMU_FOUND] = "found (translation off)",
	[IOMMU_ON] = "on",
};

static void show_contexts(void)
{
	u16 did;
	bool keel;

	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);

		if (!iommu_unit_for(d))
			continue;
		if (iommu_context(d->bus, d->dev, d->fn, &did, &keel))
			printf("  %02x:%02x.%u context: domain %u%s\n", d->bus,
			       d->dev, d->fn, did, keel ? " (Keel)" : "");
		else
			printf("  %02x:%02x.%u context: none (DMA blocked)\n",
			       d->bus, d->dev, d->fn);
	}
}

void iommu_show(void)
{
	iommu_poll_faults(NULL, 0);
	printf("iommu: %s, %u unit(s)\n", state_names[io_mmu.state], io_mmu.n);
	for (unsigned int i = 0; i < io_mmu.n; i++) {
		const struct unit *u = &io_mmu.units[i];
		const struct vtd_caps *c = &u->hw.caps;

		printf("  unit %u at %#llx: %s, CAP %016llx ECAP %016llx, %u domains, %u-bit, %s, faults %llu\n",
		       i, u->base, u->on ? "translating" : "off", c->cap,
		       c->ecap, c->n_domains, c->mgaw,
		       u->hw.qi_on ? "queued invalidation" :
				     "register invalidation",
		       u->hw.faults);
	}
	if (io_mmu.state != IOMMU_ON)
		return;
	printf("  Keel domain %u: %u-level, %llu table pages\n",
	       io_mmu.keel.did, io_mmu.keel.levels, io_mmu.keel.tables);
	if (io_mmu.have_rmrr_domain)
		printf("  RMRR domain %u: %llu table pages\n", io_mmu.rmrr.did,
		       io_mmu.rmrr.tables);
	show_contexts();
	printf("  recent faults: %u\n", recent_count);
	for (unsigned int k = 0; k < recent_count; k++) {
		const struct iommu_fault *f =
			&recent[(recent_next + RECENT_FAULTS - recent_count + k) %
				RECENT_FAULTS];

		printf("    %02x:%02x.%u %s %#llx reason %u\n",
		       (unsigned int)(f->bdf >> 8),
		       (unsigned int)(f->bdf >> 3) & 0x1f,
		       (unsigned int)f->bdf & 7, f->read ? "read" : "write",
		       f->addr, f->reason);
	}
}

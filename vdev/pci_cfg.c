// SPDX-License-Identifier: MIT
/*
 * The guest's PCI configuration mechanism #1 (PCI 3.0 3.2.2.3.2), ports
 * 0xCF8-0xCFF, over the virtual configuration space of vdev/pci_vcfg.c.
 * The guest is given every enumerated function except those Keel owns
 * (its AHCI controllers), the display whose framebuffer Keel draws on
 * (console=fb) and those named by pci_hide=; anything else reads
 * as absent (all ones) and ignores writes. What a given function's bytes
 * do is the policy table in docs/vmx.md. This file supplies the real
 * configuration access, the EPT and the places no BAR may be moved over:
 * fixed ones listed at start, and the emulated MMIO ranges wherever they
 * are at each move (vm->mmio, asked through the emulated hook). It stays
 * last in vdev/build.mk: the functions and ranges the others register are
 * in place when it maps the BARs.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/acpi.h"
#include "drivers/pci.h"
#include "drivers/uart/uart.h"
#include "iommu/iommu.h"
#include "vdev/pci_vcfg.h"
#include "vdev/pci_cfg.h"
#include "vm/vm.h"

/* One 4 KiB register page each: SDM Vol.3A 11.4.1, IOAPIC datasheet 3.0. */
#define LAPIC_MMIO_SIZE 0x1000
#define IOAPIC_MMIO_SIZE 0x1000

extern const u8 __image_start[], __image_end[];

static struct pci_vcfg vcfg;
static struct pci_vfn vfns[PCI_MAX_DEVICES + PCI_CFG_MAX_EMUL];

/* Emulated functions registered for the guest being built. */
static struct {
	u16 bdf;
	const struct pci_vfn_emul *emul;
} emuls[PCI_CFG_MAX_EMUL];
static unsigned int n_emuls;

int pci_cfg_add_emulated(u16 bdf, const struct pci_vfn_emul *emul)
{
	if (n_emuls == PCI_CFG_MAX_EMUL)
		return -ENOSPC;
	emuls[n_emuls].bdf = bdf;
	emuls[n_emuls++].emul = emul;
	return 0;
}

/* They are used once, by the guest whose devices registered them. */
static int add_emulated(void)
{
	int rc = 0;

	for (unsigned int i = 0; !rc && i < n_emuls; i++)
		rc = pci_vcfg_add_emul(&vcfg, emuls[i].bdf, emuls[i].emul);
	n_emuls = 0;
	return rc;
}

static struct pci_dev *dev_of(u16 bdf)
{
	return pci_find_bdf(bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
}

static u32 real_read(void *ctx, u16 bdf, u8 off, int width)
{
	struct pci_dev *d = dev_of(bdf);

	return d ? pci_cfg_read(d, off, width) : 0xffffffffU;
}

static void real_write(void *ctx, u16 bdf, u8 off, int width, u32 v)
{
	struct pci_dev *d = dev_of(bdf);

	if (d)
		pci_cfg_write(d, off, width, v);
}

static int ept_map_cb(void *ctx, u64 gpa, u64 hpa, u64 size)
{
	return vm_map_mmio_at(ctx, gpa, hpa, size);
}

static int ept_unmap_cb(void *ctx, u64 gpa, u64 size)
{
	return vm_unmap(ctx, gpa, size);
}

static void log_cb(void *ctx, const char *line)
{
	pr_warn("%s\n", line);
}

/*
 * The guest's LAPIC page where the guest moved it (vmx/apic_base.c); its
 * home is forbidden from the start.
 */
static bool over_moved_lapic(const struct vm *vm, u64 gpa, u64 size)
{
	return vm->lapic_gpa != vm->lapic_home &&
	       gpa < vm->lapic_gpa + LAPIC_MMIO_SIZE &&
	       vm->lapic_gpa < gpa + size;
}

/* The emulated ranges where they are now: virtio-blk's BAR moves. */
static const char *emulated_cb(void *ctx, u64 gpa, u64 size)
{
	const struct vm *vm = ctx;

	if (over_moved_lapic(vm, gpa, size))
		return "overlaps the guest's LAPIC page";
	for (unsigned int i = 0; i < vm->n_mmio; i++)
		if (gpa < vm->mmio[i].base + vm->mmio[i].size &&
		    vm->mmio[i].base < gpa + size)
			return "overlaps an emulated device";
	return NULL;
}

static struct pci_vcfg_ops vcfg_ops = {
	.read = real_read,
	.write = real_write,
	.map = ept_map_cb,
	.unmap = ept_unmap_cb,
	.log = log_cb,
	.emulated = emulated_cb,
};

const char *pci_cfg_place_taken(const struct vm *vm, u64 gpa, u64 size)
{
	if (over_moved_lapic(vm, gpa, size))
		return "overlaps the guest's LAPIC page";
	return vcfg_ops.ctx == vm ? pci_vcfg_place_taken(&vcfg, gpa, size) :
				    NULL;
}

static bool hidden(const struct vm *vm, const struct pci_dev *d)
{
	u16 bdf = PCI_BDF(d->bus, d->dev, d->fn);

	if (d->keel_owned || d->keel_hidden)
		return true;
	for (unsigned int i = 0; i < vm->cfg->n_hidden; i++)
		if (vm->cfg->hidden[i] == bdf)
			return true;
	return false;
}

static void bar_pages(const struct pci_bar *b, u64 *lo, u64 *hi)
{
	*lo = ALIGN_DOWN(b->base, PAGE_SIZE);
	*hi = ALIGN_UP(b->base + b->size, PAGE_SIZE);
}

/* Does [lo, hi) share a page with a memory BAR of a hidden function? */
static bool touches_hidden_bar(const struct vm *vm, u64 lo, u64 hi)
{
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);

		if (!hidden(vm, d))
			continue;
		for (int b = 0; b < PCI_MAX_BARS; b++) {
			const struct pci_bar *bar = &d->bars[b];
			u64 blo, bhi;

			bar_pages(bar, &blo, &bhi);
			if (bar->size && !bar->io && blo < hi && lo < bhi)
				return true;
		}
	}
	return false;
}

/* Ports below this are the PC's fixed devices, never a BAR's to give. */
#define PIO_LEGACY_END 0x1000
#define CONSOLE_PORTS 8

/*
 * An assigned function's I/O BAR: its ports pass through (vmx/io.c),
 * unless the firmware left it unplaced (base 0), it lies among the PC's
 * fixed ports, or it holds Keel's console UART.
 */
static int pass_io_bar(struct vm *vm, const struct pci_dev *d, int b)
{
	const struct pci_bar *bar = &d->bars[b];
	u64 con = uart_port();

	if (bar->base < PIO_LEGACY_END || bar->base + bar->size > 0x10000 ||
	    bar->size > 0xffff ||
	    (bar->base < con + CONSOLE_PORTS && con < bar->base + bar->size)) {
		pr_warn("keel: guest: PCI %02x:%02x.%u BAR%d I/O %#llx+%#llx unplaced, legacy, Keel's console or outside the port space; not passed through\n",
			d->bus, d->dev, d->fn, b, bar->base, bar->size);
		return 0;
	}
	/* A port Keel emulates stays Keel's (e.g. pc-testdev's IRQ lines at
	 * 0x2000): the function would lose it without a word. */
	if (vm_pio_claimed(vm, (u16)bar->base, (unsigned int)bar->size)) {
		pr_warn("keel: guest: PCI %02x:%02x.%u BAR%d I/O %#llx+%#llx overlaps ports Keel emulates; not passed through\n",
			d->bus, d->dev, d->fn, b, bar->base, bar->size);
		return 0;
	}
	pr_info("keel: guest: PCI %02x:%02x.%u BAR%d I/O %#llx+%#llx passed through\n",
		d->bus, d->dev, d->fn, b, bar->base, bar->size);
	return vm_pass_pio(vm, (u16)bar->base, (u16)bar->size, "PCI I/O BAR");
}

/* Every guest-physical range a BAR must not cover (docs/vmx.md). */
static int forbid_ranges(struct vm *vm)
{
	u64 img = ALIGN_DOWN((u64)__image_start, PAGE_SIZE);
	/* Keel's image first: when it lies in guest RAM too, say so. */
	int rc = pci_vcfg_forbid(&vcfg, img,
				 ALIGN_UP((u64)__image_end, PAGE_SIZE) - img,
				 "overlaps Keel's image");

	if (!rc)
		rc = pci_vcfg_forbid(&vcfg, 0, vm->mem_size,
				     "overlaps guest RAM");
	if (!rc && acpi_info.have_madt)
		rc = pci_vcfg_forbid(&vcfg, acpi_info.lapic_base,
				     LAPIC_MMIO_SIZE, "overlaps the LAPIC");
	for (unsigned int i = 0; !rc && i < acpi_info.n_ioapics; i++)
		rc = pci_vcfg_forbid(&vcfg, acpi_info.ioapics[i].addr,
				     IOAPIC_MMIO_SIZE, "overlaps an IOAPIC");
	for (unsigned int i = 0; !rc && i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);

		for (int b = 0; !rc && hidden(vm, d) && b < PCI_MAX_BARS; b++) {
			u64 lo, hi;

			bar_pages(&d->bars[b], &lo, &hi);
			if (d->bars[b].size && !d->bars[b].io)
				rc = pci_vcfg_forbid(
					&vcfg, lo, hi - lo,
					"overlaps a hidden device's BAR");
		}
	}
	return rc;
}

/*
 * The EPT points a BAR's guest address at its real one, so the real one
 * must be device memory: a BAR the firmware left unplaced (0) or placed
 * over RAM, Keel's image or the interrupt controllers would hand the
 * guest that memory. Such a BAR is never mapped.
 */
static bool host_place_ok(const struct pci_dev *d, int b, u64 lo, u64 hi)
{
	u64 img = ALIGN_DOWN((u64)__image_start, PAGE_SIZE);
	u64 img_end = ALIGN_UP((u64)__image_end, PAGE_SIZE);
	bool bad = !d->bars[b].base || mm_overlaps_memory(lo, hi - lo) ||
		   (lo < img_end && img < hi);

	if (acpi_info.have_madt &&
	    lo < acpi_info.lapic_base + LAPIC_MMIO_SIZE &&
	    acpi_info.lapic_base < hi)
		bad = true;
	for (unsigned int i = 0; i < acpi_info.n_ioapics; i++)
		if (lo < acpi_info.ioapics[i].addr + IOAPIC_MMIO_SIZE &&
		    acpi_info.ioapics[i].addr < hi)
			bad = true;
	if (bad)
		pr_warn("keel: guest: PCI %02x:%02x.%u BAR%d at %#llx is unplaced or over memory; never mapped\n",
			d->bus, d->dev, d->fn, b, d->bars[b].base);
	return !bad;
}

static int add_visible(struct vm *vm)
{
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);
		u32 nomap = 0;
		int rc;

		if (hidden(vm, d))
			continue;
		for (int b = 0; b < PCI_MAX_BARS; b++) {
			u64 lo, hi;

			bar_pages(&d->bars[b], &lo, &hi);
			if (d->bars[b].size && d->bars[b].io) {
				rc = pass_io_bar(vm, d, b);
				if (rc)
					return rc;
			}
			if (d->bars[b].size && !d->bars[b].io &&
			    (touches_hidden_bar(vm, lo, hi) ||
			     !host_place_ok(d, b, lo, hi)))
				nomap |= BIT(b);
		}
		rc = pci_vcfg_add(&vcfg, d, nomap);
		if (rc)
			return rc;
	}
	return 0;
}

static void report(const struct vm *vm)
{
	for (unsigned int i = 0; i < vm->cfg->n_hidden; i++)
		pr_info("keel: guest: PCI %02x:%02x.%u hidden (pci_hide=)\n",
			vm->cfg->hidden[i] >> 8,
			(vm->cfg->hidden[i] >> 3) & 0x1f,
			vm->cfg->hidden[i] & 7);
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		struct pci_dev *d = pci_device(i);

		if (d->keel_owned)
			pr_info("keel: guest: PCI %02x:%02x.%u hidden (owned by Keel)\n",
				d->bus, d->dev, d->fn);
		else if (d->keel_hidden)
			pr_info("keel: guest: PCI %02x:%02x.%u hidden (Keel's screen)\n",
				d->bus, d->dev, d->fn);
	}
}

static void report_mapped(void)
{
	for (unsigned int n = 0; n < vcfg.nfns; n++) {
		const struct pci_vfn *f = &vfns[n];

		for (unsigned int b = 0; b < f->nbars; b++)
			if (f->bar[b].mapped)
				pr_info("keel: guest: PCI %02x:%02x.%u BAR%u %#llx+%#llx passed through\n",
					f->bdf >> 8, (f->bdf >> 3) & 0x1f,
					f->bdf & 7, b, f->bar[b].hpa,
					f->bar[b].size);
	}
}

/* Interrupt Pin: 1-4 for INTA#-INTD#, 0 none, above 4 reserved (PCI 3.0
 * 6.2.4). */
#define PCI_INTX_PINS 4

/*
 * What the guest's _PRT is built from (vm/load.c): each bus-0 function's
 * Interrupt Pin and Line as the guest would read them now, the firmware's
 * line for a real function, Keel's for an emulated one.
 */
static void record_intx(struct vm *vm)
{
	vm->n_intx = 0;
	for (unsigned int n = 0; n < vcfg.nfns; n++) {
		struct pci_vfn *f = &vfns[n];
		u8 pin;

		if (f->bdf >> 8)
			continue;
		pin = (u8)pci_vcfg_read(&vcfg, f, PCI_INTERRUPT_PIN, 1);
		if (!pin || pin > PCI_INTX_PINS)
			continue;
		if (vm->n_intx == VM_MAX_INTX) {
			pr_warn("keel: guest: more than %u PCI functions with INTx; the rest get no _PRT entry\n",
				VM_MAX_INTX);
			return;
		}
		vm->intx[vm->n_intx++] = (struct vm_intx){
			f->bdf, pin,
			(u8)pci_vcfg_read(&vcfg, f, PCI_INTERRUPT_LINE, 1)
		};
	}
}

/* Guest RAM as the guest domain mirrors it: chunk i backs GPA i * 2M. */
static struct iommu_ram guest_ram[VM_MAX_CHUNKS];

/*
 * Who may DMA where (docs/iommu.md): with VT-d on, each of the guest's
 * functions goes on the guest domain (its RAM, nothing else); without
 * working VT-d, bus mastering is denied unless unconfined_dma accepts it.
 * Bridges (host bridges included) are left alone: their bus-master bit
 * forwards for Keel's devices too.
 */
static void dma_policy(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nchunks; i++)
		guest_ram[i] = (struct iommu_ram){ (u64)i * VM_CHUNK_SIZE,
						   vm->chunk[i],
						   VM_CHUNK_SIZE };
	if (iommu_state() == IOMMU_ON)
		iommu_guest_domain_create(guest_ram, vm->nchunks);
	for (unsigned int n = 0; n < vcfg.nfns; n++) {
		struct pci_vfn *f = &vfns[n];
		u8 bus = f->bdf >> 8, dev = (f->bdf >> 3) & 0x1f,
		   fn = f->bdf & 7;
		const struct pci_dev *d = dev_of(f->bdf);

		if (!d || pci_forwards_dma(d))
			continue;
		switch (iommu_guest_assign(bus, dev, fn)) {
		case IOMMU_GUEST_DMA_CONFINED:
			break;
		case IOMMU_GUEST_DMA_RMRR:
			pr_warn("keel: guest: PCI %02x:%02x.%u reaches its RMRRs only (the firmware's), not the guest's RAM\n",
				bus, dev, fn);
			break;
		case IOMMU_GUEST_DMA_UNCONFINED:
			pr_warn("keel: guest: PCI %02x:%02x.%u may bus-master anywhere (unconfined_dma)\n",
				bus, dev, fn);
			break;
		default:
			pci_vcfg_deny_master(&vcfg, f);
			pr_info("keel: guest: PCI %02x:%02x.%u bus mastering denied (its DMA would not be confined)\n",
				bus, dev, fn);
		}
	}
}

static int cfg_io(struct vm *vm, u16 port, unsigned int size, bool in, u32 *val,
		  void *ctx)
{
	/* A reset request ends the guest, never reaches the chipset. */
	char how[32];

	if (pci_vcfg_pio(&vcfg, port, size, in, val) == PCI_VCFG_RESET) {
		ksnprintf(how, sizeof(how), "port 0xcf9 = %#x", vcfg.rst_cnt);
		vm_request_reset(vm, how);
	}
	return 0;
}

static int pci_cfg_init(struct vm *vm)
{
	int rc;

	vcfg_ops.ctx = vm;
	pci_vcfg_init(&vcfg, &vcfg_ops, vfns, ARRAY_SIZE(vfns));
	report(vm);
	rc = forbid_ranges(vm);
	if (!rc)
		rc = add_visible(vm);
	if (!rc)
		rc = add_emulated();
	n_emuls = 0;
	if (rc)
		return rc;
	dma_policy(vm);
	record_intx(vm);
	pci_vcfg_start(&vcfg);
	report_mapped();
	return vm_register_pio(vm, PCI_CONF1_ADDR, PCI_CONF1_PORTS, cfg_io,
			       NULL, "PCI config");
}

/*
 * The guest's devices stop with it: without VT-d a function left bus
 * mastering could still DMA into RAM Keel hands out again (or to the next
 * guest after a restart).
 */
static void pci_cfg_stop(struct vm *vm)
{
	for (unsigned int i = 0; i < vcfg.nfns; i++) {
		struct pci_dev *d = dev_of(vfns[i].bdf);
		u32 cmd;

		if (!d)
			continue;
		cmd = pci_cfg_read(d, PCI_COMMAND, 2);
		if (cmd & PCI_COMMAND_MASTER)
			pci_cfg_write(d, PCI_COMMAND, 2,
				      cmd & ~(u32)PCI_COMMAND_MASTER);
	}
	/* Then off the guest domain: whatever was still in flight faults
	 * instead of reaching RAM that goes back to Keel. */
	iommu_guest_domain_destroy();
}

VM_DEVICE(pci_cfg, .name = "PCI config space", .init = pci_cfg_init,
	  .stop = pci_cfg_stop);

// SPDX-License-Identifier: MIT
/*
 * Keel's virtio-blk device in the guest's machine (docs/virtio.md): a PCI
 * function 1af4:1042 at the first free device number of bus 0, whose
 * configuration space is emulated here whole, and one 32-bit memory BAR
 * that is never mapped in the EPT, so every access to it is an EPT
 * violation that vmx/mmio.c hands to this file. The transport and back
 * end are the pure code of vdev/virtio_pci.c and vdev/virtio_blk.c; this
 * file gives them the guest's memory, its interrupts and Keel's console,
 * and polls the block device.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "core/poll.h"
#include "arch/x86/acpi.h"
#include "drivers/pci.h"
#include "vdev/pci_cfg.h"
#include "vdev/pci_vbar.h"
#include "vdev/virtio_blk.h"
#include "vm/vm.h"

/* PCI 3.0 6.2.1 and virtio 1.2 4.1.2.1. */
#define VBLK_CLASS 0x010000 /* mass storage, SCSI: as QEMU's virtio-blk */
#define VBLK_SUBSYS_ID 0x1100 /* QEMU's; any value will do (4.1.2.1) */
#define VBLK_INT_PIN 1 /* INTA# */
/*
 * The ISA line INTx is raised on unless the guest writes another to
 * INTERRUPT_LINE: its IOAPIC pin decides the vector (vm/irq.c).
 */
#define VBLK_INTX_LINE 11
#define ISA_IRQS 16

/* The capability list (virtio 1.2 4.1.4), at fixed offsets. */
#define CAP_COMMON 0x40
#define CAP_NOTIFY 0x50
#define CAP_ISR 0x64
#define CAP_DEVICE 0x74
#define CAP_PCICFG 0x84
#define CAP_MSIX 0x98
#define CFG_SIZE 0x100

/* Where the BAR may start: below the IOAPIC/LAPIC page block. */
#define BAR_WINDOW_TOP 0xfe000000ULL
#define BAR_WINDOW_BOTTOM 0xc0000000ULL
#define BAR_WINDOW_STEP MiB(1)

struct vdev {
	struct vm *vm;
	struct vblk blk;
	struct virtq_mem mem;
	u16 bdf;
	/* BAR0: the register, and where the MMIO handler sits (.base) */
	struct pci_ebar bar;
	u16 cmd; /* COMMAND: MEMORY, MASTER, INTX_DISABLE */
	u8 int_line;
	/* VIRTIO_PCI_CAP_PCI_CFG's window (4.1.4.9) */
	u8 win_bar;
	u32 win_off, win_len;
	bool bad_msi_said, bad_move_said;
};

static struct vdev vd;

/* ---- guest memory for the pure code ---- */

static int mem_read(void *ctx, u64 gpa, void *buf, u64 len)
{
	return vm_read(ctx, gpa, buf, len);
}

static int mem_write(void *ctx, u64 gpa, const void *buf, u64 len)
{
	return vm_write(ctx, gpa, buf, len);
}

/* Guest RAM is 2 MiB chunks; each is contiguous in host memory. */
static u64 mem_map(void *ctx, u64 gpa, u64 len, phys_addr_t *hpa)
{
	u64 n = MIN(len, VM_CHUNK_SIZE - gpa % VM_CHUNK_SIZE);
	void *p = vm_gpa_ptr(ctx, gpa, n);

	if (!p)
		return 0;
	*hpa = virt_to_phys(p);
	return n;
}

/* ---- interrupts and console ---- */

static void say(const char *line)
{
	pr_warn("%s\n", line);
}

/* An MSI is a write to the LAPIC's window (SDM Vol.3A 11.11). */
static void on_msi(void *ctx, u64 addr, u32 data)
{
	u32 mode = (u32)FIELD_GET(MSI_DATA_DELMODE, data);
	u8 vector = data & MSI_DATA_VECTOR;

	if ((addr & MSI_ADDR_BASE_MASK) == MSI_ADDR_BASE &&
	    (mode == MSI_DELMODE_FIXED || mode == MSI_DELMODE_LOWEST) &&
	    vector >= MSI_MIN_VECTOR) {
		vm_raise_irq(vd.vm, vector);
		return;
	}
	if (!vd.bad_msi_said) {
		vd.bad_msi_said = true;
		pr_warn("keel: virtio-blk: MSI-X message %#llx/%#x is not a fixed interrupt to the LAPIC; dropped\n",
			addr, data);
	}
}

static void on_intx(void *ctx)
{
	if (vd.int_line < ISA_IRQS)
		vm_raise_isa_irq(vd.vm, vd.int_line);
}

static void on_log(void *ctx, const char *line)
{
	say(line);
}

/* I/O was submitted from an exit handler: poll at the end of this exit. */
static void on_kick(void *ctx)
{
	keel_poll_kick();
}

static const struct vblk_ops ops = {
	.msi = on_msi,
	.intx = on_intx,
	.log = on_log,
	.kick = on_kick,
};

/* ---- the BAR ---- */

static bool place_free(const struct vm *vm, u64 base)
{
	struct ept_mapping m;

	if (base < vm->mem_size || base + VBLK_BAR_SIZE > GiB(4))
		return false;
	for (u64 p = base; p < base + VBLK_BAR_SIZE; p += PAGE_SIZE)
		if (!ept_lookup(&vm->ept, p, &m))
			return false; /* RAM, a passed-through BAR, LAPIC, ... */
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);

		for (int b = 0; b < PCI_MAX_BARS; b++) {
			const struct pci_bar *bar = &d->bars[b];
			u64 lo = ALIGN_DOWN(bar->base, PAGE_SIZE),
			    hi = ALIGN_UP(bar->base + bar->size, PAGE_SIZE);

			if (bar->size && !bar->io && base < hi &&
			    lo < base + VBLK_BAR_SIZE)
				return false;
		}
	}
	if (acpi_info.have_madt && base <= acpi_info.lapic_base &&
	    acpi_info.lapic_base < base + VBLK_BAR_SIZE)
		return false;
	for (unsigned int i = 0; i < acpi_info.n_ioapics; i++)
		if (base <= acpi_info.ioapics[i].addr &&
		    acpi_info.ioapics[i].addr < base + VBLK_BAR_SIZE)
			return false;
	return true;
}

static int bar_access(struct vm *vm, u64 gpa, unsigned int size, bool write,
		      u64 *val, void *ctx)
{
	/* Memory decoding off: the function does not answer (all ones). */
	if (!(vd.cmd & PCI_COMMAND_MEMORY)) {
		if (!write)
			*val = ~0ULL;
		return 0;
	}
	if (!write) {
		vblk_bar_read(&vd.blk, (u32)(gpa - vd.bar.base), size, val);
		return 0;
	}
	vblk_bar_write(&vd.blk, (u32)(gpa - vd.bar.base), size, *val);
	return 0;
}

/* Move the trapped range to @to (pci_ebar_move_fn), or say why not. */
static const char *move_bar(void *ctx, u64 to)
{
	/*
	 * The BARs as they are mapped now: whichever moves second loses.
	 * place_free() sees them in the EPT too, but says less.
	 */
	const char *why = pci_cfg_place_taken(vd.vm, to, VBLK_BAR_SIZE);

	if (!why && !place_free(vd.vm, to))
		why = "not free";
	if (!why && vm_move_mmio(vd.vm, vd.bar.base, to))
		why = "another emulated device is there";
	return why;
}

/* A refused move of BAR0 to @to: said once per guest. */
static void bar_refused(u64 to, const char *why)
{
	if (!why || vd.bad_move_said)
		return;
	vd.bad_move_said = true;
	pr_warn("keel: virtio-blk: the guest moved BAR0 to %#llx (%s); it stays at %#llx\n",
		to, why, vd.bar.base);
}

/* ---- configuration space ---- */

static void put(u8 *img, unsigned int off, u32 v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		img[off + i] = (u8)(v >> (8 * i));
}

static void vcap(u8 *img, unsigned int at, unsigned int next, u8 len, u8 type,
		 u32 off, u32 length)
{
	put(img, at, PCI_CAP_ID_VNDR, 1);
	put(img, at + 1, next, 1);
	put(img, at + 2, len, 1);
	put(img, at + VIRTIO_PCI_CAP_CFG_TYPE, type, 1);
	put(img, at + VIRTIO_PCI_CAP_BAR, 0, 1);
	put(img, at + VIRTIO_PCI_CAP_OFFSET, off, 4);
	put(img, at + VIRTIO_PCI_CAP_LENGTH, length, 4);
}

static void cfg_image(u8 *img)
{
	memset(img, 0, CFG_SIZE);
	put(img, PCI_VENDOR_ID, VIRTIO_PCI_VENDOR, 2);
	put(img, PCI_DEVICE_ID, VIRTIO_PCI_DEVICE_BASE + VIRTIO_ID_BLOCK, 2);
	put(img, PCI_COMMAND, vd.cmd, 2);
	put(img, PCI_STATUS, PCI_STATUS_CAP_LIST, 2);
	put(img, PCI_REVISION_ID, VIRTIO_PCI_REVISION, 1);
	put(img, PCI_CLASS_PROG, VBLK_CLASS, 3);
	put(img, PCI_BAR0, vd.bar.reg, 4);
	put(img, PCI_SUBSYSTEM_VENDOR_ID, VIRTIO_PCI_VENDOR, 2);
	put(img, PCI_SUBSYSTEM_ID, VBLK_SUBSYS_ID, 2);
	put(img, PCI_CAPABILITY_LIST, CAP_COMMON, 1);
	put(img, PCI_INTERRUPT_LINE, vd.int_line, 1);
	put(img, PCI_INTERRUPT_PIN, VBLK_INT_PIN, 1);
	vcap(img, CAP_COMMON, CAP_NOTIFY, VIRTIO_PCI_CAP_LEN,
	     VIRTIO_PCI_CAP_COMMON_CFG, VBLK_COMMON_OFF, VIRTIO_COMMON_SIZE);
	vcap(img, CAP_NOTIFY, CAP_ISR, VIRTIO_PCI_NOTIFY_CAP_LEN,
	     VIRTIO_PCI_CAP_NOTIFY_CFG, VBLK_NOTIFY_OFF, VBLK_NOTIFY_LEN);
	put(img, CAP_NOTIFY + VIRTIO_PCI_CAP_LEN, VBLK_NOTIFY_MULT, 4);
	vcap(img, CAP_ISR, CAP_DEVICE, VIRTIO_PCI_CAP_LEN,
	     VIRTIO_PCI_CAP_ISR_CFG, VBLK_ISR_OFF, 1);
	vcap(img, CAP_DEVICE, CAP_PCICFG, VIRTIO_PCI_CAP_LEN,
	     VIRTIO_PCI_CAP_DEVICE_CFG, VBLK_DEVCFG_OFF, VIRTIO_BLK_CFG_SIZE);
	vcap(img, CAP_PCICFG, CAP_MSIX, VIRTIO_PCI_CFG_CAP_LEN,
	     VIRTIO_PCI_CAP_PCI_CFG, vd.win_off, vd.win_len);
	put(img, CAP_PCICFG + VIRTIO_PCI_CAP_BAR, vd.win_bar, 1);
	put(img, CAP_MSIX, PCI_CAP_ID_MSIX, 1);
	put(img, CAP_MSIX + PCI_MSIX_FLAGS,
	    vd.blk.msix_ctrl | (VBLK_MSIX_VECTORS - 1), 2);
	put(img, CAP_MSIX + MSIX_CAP_TABLE, VBLK_MSIX_TABLE_OFF, 4);
	put(img, CAP_MSIX + MSIX_CAP_PBA, VBLK_MSIX_PBA_OFF, 4);
}

/* 4.1.4.9: the window reaches the BAR with an aligned 1-, 2- or 4-byte
 * access inside it; anything else reads 0 and writes nothing. */
static bool win_ok(void)
{
	return vd.win_bar == 0 &&
	       (vd.win_len == 1 || vd.win_len == 2 || vd.win_len == 4) &&
	       !(vd.win_off % vd.win_len) &&
	       (u64)vd.win_off + vd.win_len <= VBLK_BAR_SIZE; /* no u32 wrap */
}

static u32 cfg_read(void *ctx, u8 off, unsigned int n)
{
	u8 img[CFG_SIZE];
	u32 v = 0;

	cfg_image(img);
	if (off >= CAP_PCICFG + VIRTIO_PCI_CFG_DATA &&
	    off < CAP_PCICFG + VIRTIO_PCI_CFG_CAP_LEN && win_ok()) {
		u64 data = 0;

		bar_access(vd.vm, vd.bar.base + vd.win_off, vd.win_len, false,
			   &data, NULL);
		put(img, CAP_PCICFG + VIRTIO_PCI_CFG_DATA, (u32)data, 4);
	}
	for (unsigned int i = 0; i < n && off + i < CFG_SIZE; i++)
		v |= (u32)img[off + i] << (8 * i);
	return v;
}

/* A write to the dword at @reg, already merged with what was there. */
static void cfg_store(u8 reg, u32 v, u32 old)
{
	u64 to;

	switch (reg) {
	case PCI_COMMAND:
		vd.cmd = v & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			      PCI_COMMAND_INTX_DISABLE);
		vd.blk.intx_disabled = vd.cmd & PCI_COMMAND_INTX_DISABLE;
		vblk_bus_master(&vd.blk, vd.cmd & PCI_COMMAND_MASTER);
		to = vd.bar.reg;
		bar_refused(to,
			    pci_ebar_sync(&vd.bar, vd.cmd & PCI_COMMAND_MEMORY,
					  move_bar, NULL));
		break;
	case PCI_BAR0:
		to = v & ~(u32)(VBLK_BAR_SIZE - 1);
		if (v != old)
			bar_refused(to,
				    pci_ebar_write(&vd.bar, v,
						   vd.cmd & PCI_COMMAND_MEMORY,
						   move_bar, NULL));
		break;
	case PCI_INTERRUPT_LINE:
		vd.int_line = (u8)v;
		break;
	case CAP_PCICFG + VIRTIO_PCI_CAP_BAR:
		vd.win_bar = (u8)v;
		break;
	case CAP_PCICFG + VIRTIO_PCI_CAP_OFFSET:
		vd.win_off = v;
		break;
	case CAP_PCICFG + VIRTIO_PCI_CAP_LENGTH:
		vd.win_len = v;
		break;
	case CAP_PCICFG + VIRTIO_PCI_CFG_DATA:
		if (win_ok())
			bar_access(vd.vm, vd.bar.base + vd.win_off, vd.win_len,
				   true, &(u64){ v }, NULL);
		break;
	case CAP_MSIX:
		vblk_msix_ctrl_write(&vd.blk, (u16)(v >> 16));
		break;
	default:
		break; /* read-only */
	}
}

static void cfg_write(void *ctx, u8 off, unsigned int n, u32 val)
{
	u8 reg = off & ~3;
	u32 old = 0, v;

	/*
	 * The data window must not be read to merge a write: a read is an
	 * access to the BAR (4.1.4.9.1), and the ISR clears when read.
	 */
	if (reg != CAP_PCICFG + VIRTIO_PCI_CFG_DATA)
		old = cfg_read(NULL, reg, 4);
	v = old;
	for (unsigned int i = 0; i < n && (off & 3) + i < 4; i++) {
		unsigned int sh = 8 * ((off & 3) + i);

		v = (v & ~(0xffU << sh)) | ((val >> (8 * i)) & 0xff) << sh;
	}
	cfg_store(reg, v, old);
}

static const struct pci_vfn_emul cfg_ops = {
	.read = cfg_read,
	.write = cfg_write,
};

/* ---- set-up ---- */

static bool bdf_free(u8 dev)
{
	for (u8 fn = 0; fn < 8; fn++)
		if (pci_find_bdf(0, dev, fn))
			return false;
	return true;
}

static int pick_places(struct vm *vm)
{
	u8 dev = 1;

	while (dev < 32 && !bdf_free(dev))
		dev++;
	if (dev == 32)
		return -ENOSPC;
	vd.bdf = PCI_BDF(0, dev, 0);
	for (u64 b = BAR_WINDOW_TOP - BAR_WINDOW_STEP; b >= BAR_WINDOW_BOTTOM;
	     b -= BAR_WINDOW_STEP)
		if (place_free(vm, b) && !vm_find_mmio(vm, b)) {
			vd.bar.base = b;
			return 0;
		}
	return -ENOSPC;
}

static int virtio_dev_init(struct vm *vm)
{
	const struct vm_disk *d = &vm->cfg->disk;
	struct vblk_disk disk = {
		.first = d->first, .count = d->count, .ro = d->ro, .id = d->name
	};
	int rc;

	if (!d->dev)
		return 0;
	memset(&vd, 0, sizeof(vd));
	vd.vm = vm;
	vd.mem = (struct virtq_mem){ vm->mem_size, mem_read, mem_write, mem_map,
				     vm };
	rc = pick_places(vm);
	if (rc) {
		pr_err("keel: virtio-blk: no free PCI slot or BAR place\n");
		return rc;
	}
	pci_ebar_init(&vd.bar, vd.bar.base, VBLK_BAR_SIZE);
	vd.cmd = PCI_COMMAND_MEMORY;
	vd.int_line = VBLK_INTX_LINE;
	vblk_init(&vd.blk, &ops, &vd.mem, d->dev, &disk);
	rc = vm_register_mmio(vm, vd.bar.base, VBLK_BAR_SIZE, bar_access, NULL,
			      "virtio-blk");
	if (!rc)
		rc = pci_cfg_add_emulated(vd.bdf, &cfg_ops);
	if (rc)
		return rc;
	pr_info("keel: guest: virtio-blk %04x:%04x at %02x:%02x.%u, BAR0 %#llx+%#x (trapped), %s sectors %llu+%llu%s, INTx line %u\n",
		VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE_BASE + VIRTIO_ID_BLOCK,
		vd.bdf >> 8, (vd.bdf >> 3) & 0x1f, vd.bdf & 7, vd.bar.base,
		VBLK_BAR_SIZE, d->name, d->first, d->count,
		d->ro ? " read-only" : "", vd.int_line);
	return 0;
}

/* I/O in flight targets guest RAM, which is freed after this. */
static void virtio_dev_stop(struct vm *vm)
{
	if (vd.vm != vm)
		return;
	vblk_drain(&vd.blk);
	pr_info("keel: virtio-blk: %llu requests, %llu completed, %llu errors, %llu violations\n",
		vd.blk.requests, vd.blk.completed, vd.blk.errors,
		vd.blk.violations);
	vd.vm = NULL;
}

/*
 * Completions (core/poll.h): reaps the disk, finishes requests into the
 * guest's rings and interrupts it; busy while requests are in flight, with
 * progress when one finished (the tick's back-off, vmx/background.c).
 */
static unsigned int virtio_poll(void)
{
	u64 done = vd.blk.completed;
	unsigned int r;

	if (!vd.vm)
		return POLL_IDLE;
	r = vblk_poll(&vd.blk) ? POLL_BUSY : POLL_IDLE;
	return vd.blk.completed != done ? r | POLL_PROGRESS : r;
}

KEEL_POLLER(virtio_blk, virtio_poll);

VM_DEVICE(virtio_blk, .name = "virtio-blk", .init = virtio_dev_init,
	  .stop = virtio_dev_stop);

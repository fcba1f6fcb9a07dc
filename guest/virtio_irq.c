// SPDX-License-Identifier: MIT
/*
 * Interrupts from the virtio-blk device: MSI-X straight to the LAPIC
 * (PCI 3.0 6.8.2; message format SDM Vol.3A 11.11), or INTx through an
 * IOAPIC redirection entry (82093AA datasheet 3.2.4). The handler counts
 * interrupts; in INTx mode it reads the ISR first, which deasserts the
 * line (virtio 1.2 4.1.4.5), then EOIs so that the IOAPIC's Remote IRR
 * clears for the next one.
 */
#include "virtio.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_MASK 0xfffff000u
#define LAPIC_ID 0x20
#define LAPIC_ID_SHIFT 24
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_SVR_ENABLE BIT(8)
#define VEC_SPURIOUS 0xff

/* MSI address and data, SDM Vol.3A 11.11.1 and 11.11.2. */
#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_DATA_FIXED_EDGE 0 /* delivery mode fixed, edge, assert */

/* IOAPIC indirect registers and redirection entries, 82093AA 3.1-3.2. */
#define IOAPIC_DEFAULT_BASE 0xfec00000u
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REG_VER 0x01
#define IOAPIC_VER_MAXREDIR_SHIFT 16
#define IOAPIC_REG_RTE_LO(pin) (0x10 + 2 * (pin))
#define IOAPIC_REG_RTE_HI(pin) (0x11 + 2 * (pin))
#define IOAPIC_RTE_LEVEL BIT(15)
#define IOAPIC_RTE_MASKED BIT(16)
#define IOAPIC_RTE_DEST_SHIFT 24

/* The vectors the device's interrupts arrive on. */
#define VIRTIO_VEC_MSIX 0x50
#define VIRTIO_VEC_INTX 0x51

static struct vblk *irq_dev;
static u32 lapic;

void virtio_irq_stub(void);
void virtio_spurious_stub(void);
void virtio_irq_handler(void);

__asm__(".text\n"
	".globl virtio_irq_stub\n"
	"virtio_irq_stub:\n\t"
	"pushal\n\t"
	"cld\n\t"
	"call virtio_irq_handler\n\t"
	"popal\n\t"
	"iret\n"
	/* SDM Vol.3A 11.9: no EOI for the spurious vector. */
	".globl virtio_spurious_stub\n"
	"virtio_spurious_stub:\n\t"
	"iret\n");

void virtio_irq_handler(void)
{
	struct vblk *d = irq_dev;

	if (d && d->irq_mode == VIRTIO_IRQ_INTX) {
		u8 isr = mmio_rd8(d->isr);

		d->isr_seen |= isr;
		if (isr)
			d->irqs++;
	} else if (d) {
		d->irqs++;
	}
	mmio_wr32(lapic + LAPIC_EOI, 0);
}

static u32 lapic_setup(void)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_APIC_BASE));
	lapic = lo & APIC_BASE_MASK;
	idt_set_gate(VEC_SPURIOUS, virtio_spurious_stub);
	mmio_wr32(lapic + LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	mmio_wr32(lapic + LAPIC_TPR, 0);
	return mmio_rd32(lapic + LAPIC_ID) >> LAPIC_ID_SHIFT;
}

static void msix_enable(struct vblk *d, bool on)
{
	u16 ctl;

	if (!d->msix_cap)
		return;
	ctl = pci_cfg_read16(d->bdf, d->msix_cap + MSIX_CTRL);
	ctl &= (u16) ~(MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK);
	if (on)
		ctl |= MSIX_CTRL_ENABLE;
	pci_cfg_write16(d->bdf, d->msix_cap + MSIX_CTRL, ctl);
}

static u32 ioapic_rd(u32 base, u32 reg)
{
	mmio_wr32(base + IOAPIC_REGSEL, reg);
	return mmio_rd32(base + IOAPIC_WIN);
}

static void ioapic_wr(u32 base, u32 reg, u32 v)
{
	mmio_wr32(base + IOAPIC_REGSEL, reg);
	mmio_wr32(base + IOAPIC_WIN, v);
}

static bool setup_msix(struct vblk *d, u32 apic_id, char *why, size_t whysz)
{
	u32 e = d->msix_table; /* entry 0 */

	if (!d->msix_cap || !e) {
		vsay(why, whysz, "no MSI-X capability");
		return false;
	}
	mmio_wr32(e + MSIX_ENTRY_CTRL, MSIX_ENTRY_MASKED);
	mmio_wr32(e + MSIX_ENTRY_ADDR_LO,
		  MSI_ADDR_BASE | apic_id << MSI_ADDR_DEST_SHIFT);
	mmio_wr32(e + MSIX_ENTRY_ADDR_HI, 0);
	mmio_wr32(e + MSIX_ENTRY_DATA, MSI_DATA_FIXED_EDGE | VIRTIO_VEC_MSIX);
	mmio_wr32(e + MSIX_ENTRY_CTRL, 0);
	msix_enable(d, true);
	d->vector = VIRTIO_VEC_MSIX;
	return true;
}

/* Level-triggered, active high: how QEMU and Keel drive a PCI INTx pin. */
static bool setup_intx(struct vblk *d, u32 apic_id, u32 gsi, u32 ioapic,
		       char *why, size_t whysz)
{
	u32 pins = (ioapic_rd(ioapic, IOAPIC_REG_VER) >>
			    IOAPIC_VER_MAXREDIR_SHIFT &
		    0xff) +
		   1;
	u16 cmd = pci_cfg_read16(d->bdf, PCI_REG_COMMAND);

	if (!pci_cfg_read8(d->bdf, PCI_REG_INT_PIN) || gsi >= pins) {
		vsay(why, whysz, "no INTx pin, or GSI %u beyond %u pins", gsi,
		     pins);
		return false;
	}
	msix_enable(d, false);
	pci_cfg_write16(d->bdf, PCI_REG_COMMAND, cmd & ~PCI_CMD_INTX_DISABLE);
	ioapic_wr(ioapic, IOAPIC_REG_RTE_HI(gsi),
		  apic_id << IOAPIC_RTE_DEST_SHIFT);
	ioapic_wr(ioapic, IOAPIC_REG_RTE_LO(gsi),
		  IOAPIC_RTE_LEVEL | VIRTIO_VEC_INTX);
	d->vector = VIRTIO_VEC_INTX;
	return true;
}

/*
 * Route the device's queue interrupt to this CPU by @mode. @gsi is the
 * IOAPIC input for INTx; @ioapic its base (0: the PC default).
 */
bool virtio_irq_setup(struct vblk *d, enum virtio_irq_mode mode, u32 gsi,
		      u32 ioapic, char *why, size_t whysz)
{
	u32 apic_id = lapic_setup();
	bool ok;

	irq_dev = d;
	d->irq_mode = mode;
	d->irqs = 0;
	d->isr_seen = 0;
	idt_set_gate(VIRTIO_VEC_MSIX, virtio_irq_stub);
	idt_set_gate(VIRTIO_VEC_INTX, virtio_irq_stub);
	if (mode == VIRTIO_IRQ_MSIX)
		ok = setup_msix(d, apic_id, why, whysz);
	else
		ok = setup_intx(d, apic_id, gsi,
				ioapic ? ioapic : IOAPIC_DEFAULT_BASE, why,
				whysz);
	if (!ok)
		d->irq_mode = VIRTIO_IRQ_NONE;
	return ok;
}

/* Take interrupts until the count moves past @before, bounded. */
bool virtio_irq_wait(struct vblk *d, u32 before)
{
	u32 n = 0;

	__asm__ volatile("sti" ::: "memory");
	while (d->irqs == before && n++ < d->poll_max)
		__asm__ volatile("pause" ::: "memory");
	__asm__ volatile("cli" ::: "memory");
	return d->irqs != before;
}

/* Stop the device interrupting: mask the MSI-X function or the pin. */
void virtio_irq_off(struct vblk *d, u32 gsi, u32 ioapic)
{
	if (d->irq_mode == VIRTIO_IRQ_MSIX)
		msix_enable(d, false);
	else if (d->irq_mode == VIRTIO_IRQ_INTX)
		ioapic_wr(ioapic ? ioapic : IOAPIC_DEFAULT_BASE,
			  IOAPIC_REG_RTE_LO(gsi), IOAPIC_RTE_MASKED);
	d->irq_mode = VIRTIO_IRQ_NONE;
}

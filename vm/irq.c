// SPDX-License-Identifier: MIT
/*
 * Interrupts from Keel's emulated devices to the guest. A device raises a
 * vector; it waits in the VM's pending set, and vmx/ sends it to the
 * guest's LAPIC as a self-IPI before the guest runs again
 * (vmx_exit_attention).
 * An ISA line's vector is the one the guest programmed for it: the guest
 * owns the IOAPIC, which passes through, so Keel reads the redirection
 * entry of the line's pin from the hardware. docs/vmx.md, "Device
 * interrupts".
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/acpi.h"
#include "arch/x86/arch.h"
#include "arch/x86/ioapic.h"
#include "vm/vm.h"

/* Vectors 0-31 are exceptions (SDM Vol.3A 6.3.1). */
#define FIRST_IRQ_VECTOR 32

void vm_raise_irq(struct vm *vm, u8 vector)
{
	/* The APIC refuses 0-15 and 16-31 are exceptions: a device model
	 * that raises one has a bug, said once. */
	if (vector < FIRST_IRQ_VECTOR) {
		if (!vm->bad_vectors++)
			pr_info("keel: guest: interrupt vector %u refused: vectors below %u are exceptions\n",
				vector, FIRST_IRQ_VECTOR);
		return;
	}
	__atomic_fetch_or(&vm->irq_pending[vector / 64], BIT(vector % 64),
			  __ATOMIC_RELAXED);
	__atomic_fetch_or(&vm->attention, VM_ATTN_IRQ, __ATOMIC_RELAXED);
}

u32 vm_isa_gsi(unsigned int irq)
{
	for (unsigned int i = 0; i < acpi_info.n_overrides; i++)
		if (acpi_info.overrides[i].bus == 0 &&
		    acpi_info.overrides[i].source == irq)
			return acpi_info.overrides[i].gsi;
	return irq;
}

/*
 * Read an IOAPIC register. The guest may be between writing IOREGSEL and
 * using the window when it exits to Keel, so its selection is put back.
 */
static u32 ioapic_read(u32 base, u32 reg)
{
	volatile u8 *io = (volatile u8 *)(uintptr_t)base;
	u32 sel = mmio_read32(io + IOAPIC_REGSEL);
	u32 val;

	mmio_write32(io + IOAPIC_REGSEL, reg);
	val = mmio_read32(io + IOAPIC_WIN);
	mmio_write32(io + IOAPIC_REGSEL, sel);
	return val;
}

/*
 * The redirection entry (low dword) of @gsi's pin, or false when no
 * IOAPIC has that pin.
 */
static bool gsi_rte(u32 gsi, u32 *rte)
{
	for (unsigned int i = 0; i < acpi_info.n_ioapics; i++) {
		const struct acpi_ioapic *io = &acpi_info.ioapics[i];
		u32 pins;

		if (gsi < io->gsi_base)
			continue;
		pins = (u32)FIELD_GET(IOAPIC_VER_MAX_REDIR,
				      ioapic_read(io->addr, IOAPIC_REG_VER)) +
		       1;
		if (gsi - io->gsi_base >= pins)
			continue;
		*rte = ioapic_read(io->addr,
				   IOAPIC_REG_REDTBL(gsi - io->gsi_base));
		return true;
	}
	return false;
}

static const char *gsi_vector(u32 gsi, u8 *vector)
{
	u32 rte, mode;

	if (!gsi_rte(gsi, &rte))
		return "no IOAPIC has its pin";
	if (rte & IOAPIC_RTE_MASKED)
		return "the guest masked its IOAPIC pin (8259 PIC routing is not emulated)";
	mode = (u32)FIELD_GET(IOAPIC_RTE_DELMODE, rte);
	if (mode != IOAPIC_DELMODE_FIXED && mode != IOAPIC_DELMODE_LOWEST)
		return "its IOAPIC pin is not in fixed or lowest-priority mode";
	*vector = (u8)FIELD_GET(IOAPIC_RTE_VECTOR, rte);
	if (*vector < FIRST_IRQ_VECTOR)
		return "its IOAPIC pin has an exception vector";
	return NULL;
}

static bool raise_gsi(struct vm *vm, u32 gsi, const char *what,
		      unsigned int num)
{
	u8 vector = 0;
	const char *why = gsi_vector(gsi, &vector);

	if (!why) {
		vm_raise_irq(vm, vector);
		return true;
	}
	/* Said once: a guest that polls never unmasks the pin. */
	if (!vm->irqs_lost++)
		pr_info("keel: guest: %s %u not delivered: %s\n", what, num,
			why);
	return false;
}

bool vm_raise_isa_irq(struct vm *vm, unsigned int irq)
{
	return raise_gsi(vm, vm_isa_gsi(irq), "ISA IRQ", irq);
}

bool vm_raise_gsi(struct vm *vm, u32 gsi)
{
	return raise_gsi(vm, gsi, "GSI", gsi);
}

// SPDX-License-Identifier: MIT
/*
 * The guest's platform beyond RAM: what of the real machine it reaches
 * directly. The interrupt controllers pass through (the guest owns
 * interrupts; docs/vmx.md), so the LAPIC and every IOAPIC the MADT lists
 * are mapped 1:1 and uncached.
 */
#include "arch/x86/acpi.h"
#include "vm/vm_priv.h"

/* One 4 KiB register page each: SDM Vol.3A 11.4.1, IOAPIC datasheet 3.0. */
#define LAPIC_MMIO_SIZE 0x1000
#define IOAPIC_MMIO_SIZE 0x1000

int vm_platform_init(struct vm *vm)
{
	int rc = 0;

	if (acpi_info.have_madt)
		rc = vm_map_mmio(vm, acpi_info.lapic_base, LAPIC_MMIO_SIZE);
	for (unsigned int i = 0; !rc && i < acpi_info.n_ioapics; i++)
		rc = vm_map_mmio(vm, acpi_info.ioapics[i].addr,
				 IOAPIC_MMIO_SIZE);
	return rc;
}

// SPDX-License-Identifier: MIT
/*
 * The guest's platform beyond RAM: what of the real machine it reaches
 * directly. The interrupt controllers and timers pass through (the guest
 * owns interrupts; docs/vmx.md), so the LAPIC and every IOAPIC the MADT
 * lists are mapped 1:1 and uncached (the guest may relocate its LAPIC
 * page later: vmx/apic_base.c), and the legacy PC ports of the PICs
 * and the PIT are passed. Every other port is trapped: emulated by a
 * device of vdev/, passed because an assigned PCI function owns it
 * (vdev/pci_cfg.c), or absent.
 */
#include "core/lib.h"
#include "arch/x86/acpi.h"
#include "vm/vm_priv.h"

struct legacy_range {
	u16 base, count;
	const char *owner;
};

/*
 * The legacy ports a PC guest owns outright (docs/vmx.md, "What the guest
 * may reach"). Not here on purpose: the ISA DMA controller (0x00-0x0F,
 * 0x80-0x8F, 0xC0-0xDF; it can DMA anywhere), the keyboard controller,
 * port 0x92 and the ACPI ports (reset and power paths, vdev/reset.c and
 * vdev/acpi_pm.c), the SMI command port, and every UART.
 */
static const struct legacy_range legacy_ports[] = {
	{ 0x20, 2, "8259 PIC (master)" }, /* 8259A datasheet */
	{ 0xa0, 2, "8259 PIC (slave)" },
	{ 0x4d0, 2, "8259 ELCR" }, /* PIIX4/ICH: edge/level control */
	{ 0x40, 4, "8254 PIT" }, /* 8254 datasheet */
	{ 0x61, 1, "NMI status and control (PIT gate 2)" },
	{ 0x70, 2, "RTC/CMOS" }, /* MC146818 */
};

/* One 4 KiB register page each: SDM Vol.3A 11.4.1, IOAPIC datasheet 3.0. */
#define LAPIC_MMIO_SIZE 0x1000
#define IOAPIC_MMIO_SIZE 0x1000

/*
 * The LAPIC's home page once the guest has moved the APIC elsewhere
 * (vmx/apic_base.c unmaps it): nothing decodes it, so it reads all ones
 * and ignores writes, as an unclaimed address on a PC's bus. While the
 * APIC is home the EPT maps the page and this never runs.
 */
static int vacated_lapic(struct vm *vm, u64 gpa, unsigned int size, bool write,
			 u64 *val, void *ctx)
{
	if (!write)
		*val = ~0ULL >> (64 - 8 * size);
	return 0;
}

int vm_platform_init(struct vm *vm)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < ARRAY_SIZE(legacy_ports); i++)
		rc = vm_pass_pio(vm, legacy_ports[i].base,
				 legacy_ports[i].count, legacy_ports[i].owner);

	if (!rc && acpi_info.have_madt) {
		rc = vm_map_mmio(vm, acpi_info.lapic_base, LAPIC_MMIO_SIZE);
		if (!rc)
			rc = vm_register_mmio(vm, acpi_info.lapic_base,
					      LAPIC_MMIO_SIZE, vacated_lapic,
					      NULL, "LAPIC page (vacated)");
		vm->lapic_home = acpi_info.lapic_base;
		vm->lapic_gpa = acpi_info.lapic_base;
	}
	for (unsigned int i = 0; !rc && i < acpi_info.n_ioapics; i++)
		rc = vm_map_mmio(vm, acpi_info.ioapics[i].addr,
				 IOAPIC_MMIO_SIZE);
	return rc;
}

// SPDX-License-Identifier: MIT
/*
 * Platform discovery at boot: ACPI first (it names the ECAM window, the PM
 * timer and the power registers), then PCI, time and power.
 */
#include "core/console.h"
#include "boot/options.h"
#include "arch/x86/acpi.h"
#include "arch/x86/arch.h"
#include "drivers/pci.h"

void platform_init(const struct boot_info *bi)
{
	const struct acpi_mcfg *mcfg = NULL;
	struct power_config pc = { 0 };

	if (acpi_boot_init(bi) == 0) {
		mcfg = acpi_mcfg_seg0(&acpi_info);
		acpi_power_config(&acpi_info, &pc);
	}
	power_configure(&pc);
	time_init(acpi_info.fadt.pm_tmr, acpi_info.fadt.pm_tmr_32bit);
	if (mcfg)
		pci_init(mcfg->base, mcfg->bus_start, mcfg->bus_end, true);
	else
		pci_init(0, 0, 255, true);
}

// SPDX-License-Identifier: MIT
/* Platform discovery at boot: ACPI, then PCI, then time and power. */
#include "core/console.h"
#include "boot/options.h"
#include "arch/x86/arch.h"
#include "drivers/pci.h"

void platform_init(const struct boot_info *bi)
{
	time_init(0, false);
	pci_init(0, 0, 255, true);
}

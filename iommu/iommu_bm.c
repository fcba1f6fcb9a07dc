// SPDX-License-Identifier: MIT
/*
 * Bus mastering at boot (docs/iommu.md, "Bus mastering"). Firmware leaves
 * the Bus Master Enable bit on for the devices it used (OVMF for nearly
 * every one), and some keep DMAing: a USB controller's schedule, a NIC's
 * receive ring, into memory the map calls free. Before Keel hands out
 * memory, and before VT-d's translation goes on, BME is cleared on every
 * function except a short list:
 *   - bridges (PCI-PCI, CardBus) and host bridges: their BME forwards the
 *     DMA of the devices behind them, Keel's own among them;
 *   - functions an RMRR names: firmware (SMM) still drives them and their
 *     RMRR pages stay reachable (VT-d 3.4 8.4).
 * Keel's drivers turn BME on again for the functions they claim; the
 * guest's drivers for theirs, when the policy lets them (iommu.h).
 */
#include "core/console.h"
#include "core/lib.h"
#include "iommu/iommu_priv.h"

/* Functions listed on the one summary line; the rest are counted. */
#define BM_LIST_MAX 8

static bool rmrr_named(const struct acpi_info *ai, const struct pci_dev *d)
{
	/* An RMRR is trusted only from a DMAR that parsed. */
	if (!ai->have_dmar || ai->dmar_bad)
		return false;
	for (unsigned int i = 0; i < ai->dmar.n_rmrrs; i++)
		if (vtd_rmrr_names(&ai->dmar.rmrrs[i], &iommu_buses, d->seg,
				   d->bus, d->dev, d->fn))
			return true;
	return false;
}

void iommu_quiesce_dma(const struct acpi_info *ai)
{
	char list[BM_LIST_MAX * 8 + 1];
	unsigned int n = 0;
	size_t len = 0;

	list[0] = '\0';
	for (unsigned int i = 0; i < pci_device_count(); i++) {
		const struct pci_dev *d = pci_device(i);
		u16 cmd = pci_read16(d, PCI_COMMAND);

		if (!(cmd & PCI_COMMAND_MASTER))
			continue;
		if (pci_forwards_dma(d))
			continue;
		if (rmrr_named(ai, d)) {
			pr_info("keel: pci: %02x:%02x.%u keeps bus mastering (named by an RMRR)\n",
				d->bus, d->dev, d->fn);
			continue;
		}
		pci_write16(d, PCI_COMMAND, cmd & ~(u16)PCI_COMMAND_MASTER);
		if (n++ < BM_LIST_MAX)
			len += (size_t)ksnprintf(list + len, sizeof(list) - len,
						 " %02x:%02x.%u", d->bus,
						 d->dev, d->fn);
	}
	if (n > BM_LIST_MAX)
		pr_info("keel: pci: bus mastering off on %u functions the firmware left it on:%s and %u more\n",
			n, list, n - BM_LIST_MAX);
	else if (n)
		pr_info("keel: pci: bus mastering off on %u functions the firmware left it on:%s\n",
			n, list);
}

// SPDX-License-Identifier: MIT
/*
 * ACPI on the real machine: the map hook over Keel's identity map, the
 * global acpi_info, and the hand-over of power settings to arch/x86/power.c.
 */
#include "arch/x86/acpi.h"
#include "arch/x86/arch.h"
#include "core/mm.h"

#define LOW_4G GiB(4)
#define PM1_SLP_TYP_MASK 0x7 /* SLP_TYPx is 3 bits, ACPI 6.4 4.8.3.2.1 */

struct acpi_info acpi_info;

/*
 * paging.c maps all RAM and everything below 4 GiB, which is where firmware
 * puts ACPI tables; anything above 4 GiB outside RAM needs ioremap().
 */
extern const u8 __image_start[], __image_end[];

static const void *keel_map(u64 phys, u64 len, void *ctx)
{
	u64 img = virt_to_phys(__image_start),
	    img_end = virt_to_phys(__image_end);

	/* Keel's own image (its unmapped stack guard pages among it) is
	 * never a table. */
	if (phys + len < phys || (phys < img_end && img < phys + len))
		return NULL;
	/* The low 4 GiB and RAM up to its top are mapped (paging_init()). */
	if (phys + len <= MAX(LOW_4G, paging_direct_top()))
		return phys_to_virt(phys);
	return ioremap(phys, len);
}

static const struct acpi_platform keel_platform = {
	.map = keel_map,
};

int acpi_boot_init(const struct boot_info *bi)
{
	int ret = acpi_init(&keel_platform, bi, &acpi_info);

	acpi_print_summary(&acpi_info);
	return ret;
}

const struct acpi_mcfg *acpi_mcfg_seg0(const struct acpi_info *ai)
{
	for (unsigned int i = 0; i < ai->n_mcfg; i++)
		if (ai->mcfg[i].seg == 0)
			return &ai->mcfg[i];
	return NULL;
}

void acpi_power_config(const struct acpi_info *ai, struct power_config *pc)
{
	const struct acpi_fadt *f = &ai->fadt;

	*pc = (struct power_config){ 0 };
	if (!f->present)
		return;
	pc->pm1a_cnt = f->pm1a_cnt;
	pc->pm1b_cnt = f->pm1b_cnt;
	pc->have_s5 = ai->have_s5;
	pc->slp_typa = ai->s5_slp_typa & PM1_SLP_TYP_MASK;
	pc->slp_typb = ai->s5_slp_typb & PM1_SLP_TYP_MASK;
	pc->have_reset = f->have_reset;
	pc->reset_space = f->reset_reg.space;
	pc->reset_addr = f->reset_reg.addr;
	pc->reset_value = f->reset_value;
}

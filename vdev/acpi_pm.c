// SPDX-License-Identifier: MIT
/*
 * The machine's ACPI power-management ports, as the guest sees them. A
 * sleep request on PM1a/PM1b control (SLP_EN, ACPI 6.4 4.8.3.2.1) for
 * \_S5 powers off only the guest, any other sleep type stops it; the
 * register otherwise reads back what the guest
 * wrote, with SCI_EN set (the machine is in ACPI mode, so a guest does not
 * try the SMI command port, which stays absent). The PM timer (ACPI 6.4
 * 4.8.3.3) is read from the hardware: it only counts, and guests calibrate
 * against it. Writes to it are dropped. The PM1a event block (PM1_STS,
 * PM1_EN, ACPI 6.4 4.8.3.1), which the guest's FADT names, is emulated
 * too: Keel raises no fixed event, so status reads 0 and the enables read
 * back what the guest wrote without reaching the hardware (its SCI line
 * is the host's).
 */
#include "core/lib.h"
#include "arch/x86/acpi.h"
#include "arch/x86/arch.h"
#include "vm/vm.h"

struct pm1_cnt {
	u16 val;
	const char *name;
};

static struct pm1_cnt pm1a = { .name = "ACPI PM1a_CNT" };
static struct pm1_cnt pm1b = { .name = "ACPI PM1b_CNT" };
/* PM1_STS then PM1_EN, 2 bytes each (ACPI 6.4 4.8.3.1) */
#define PM1_EVT_LEN 4
#define PM1_EN_OFF 2
static u16 pm1a_en;

/* The byte of a little-endian register that @port addresses. */
static unsigned int byte_shift(u16 port, u32 base)
{
	return 8 * (port - base);
}

/*
 * SLP_TYP names the sleep state by the value of its \_Sx object (ACPI 6.4
 * 7.4.2, 16.1). The guest's DSDT has only \_S5, with the machine's values
 * (vm/acpi_guest.c), so that value is a power-off; any other is a state
 * Keel does not give (S1-S4 need the vCPU and devices kept and restored),
 * and a guest that asked for one is stopped, saying so, rather than told
 * it slept: a resume test must not read a power-off as a wake-up.
 */
static void sleep_request(struct vm *vm, struct pm1_cnt *c, unsigned int typ)
{
	unsigned int s5 = 0;

	/* SLP_TYP is 3 bits: the \_S5 value as written there. */
	if (acpi_info.have_s5)
		s5 = (c == &pm1a ? acpi_info.s5_slp_typa :
				   acpi_info.s5_slp_typb) &
		     (ACPI_PM1_SLP_TYP >> ACPI_PM1_SLP_TYP_SHIFT);
	if (typ == s5) {
		vm_request_poweroff(vm, c->name);
		return;
	}
	vm_stop(vm,
		"the guest asked for sleep type %u on %s; only %u (\\_S5, power-off) is defined: sleep states are not supported",
		typ, c->name, s5);
}

static int pm1_cnt_io(struct vm *vm, u16 port, unsigned int size, bool in,
		      u32 *val, void *ctx)
{
	struct pm1_cnt *c = ctx;
	u32 base = c == &pm1a ? acpi_info.fadt.pm1a_cnt :
				acpi_info.fadt.pm1b_cnt;
	unsigned int sh = byte_shift(port, base);
	u32 mask = (size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1) << sh;
	u16 v;

	if (in) {
		*val = (u32)(c->val | ACPI_PM1_SCI_EN) >> sh;
		return 0;
	}
	v = (u16)((c->val & ~mask) | ((*val << sh) & mask));
	c->val = v & ~ACPI_PM1_SLP_EN;
	if (v & ACPI_PM1_SLP_EN)
		sleep_request(vm, c,
			      (v & ACPI_PM1_SLP_TYP) >> ACPI_PM1_SLP_TYP_SHIFT);
	return 0;
}

static int pm_tmr_io(struct vm *vm, u16 port, unsigned int size, bool in,
		     u32 *val, void *ctx)
{
	if (!in)
		return 0;
	*val = size == 4 ? inl(port) : size == 2 ? inw(port) : inb(port);
	return 0;
}

static int pm1_evt_io(struct vm *vm, u16 port, unsigned int size, bool in,
		      u32 *val, void *ctx)
{
	u32 base = acpi_info.fadt.pm1a_evt;
	u32 regs = (u32)pm1a_en << (8 * PM1_EN_OFF); /* PM1_STS reads 0 */
	unsigned int sh = byte_shift(port, base);
	u32 mask = (size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1) << sh;

	if (in) {
		*val = (regs & mask) >> sh;
		return 0;
	}
	regs = (regs & ~mask) | ((*val << sh) & mask);
	pm1a_en = (u16)(regs >> (8 * PM1_EN_OFF));
	return 0;
}

static int acpi_pm_init(struct vm *vm)
{
	const struct acpi_fadt *f = &acpi_info.fadt;
	int rc = 0;

	pm1a.val = 0;
	pm1b.val = 0;
	pm1a_en = 0;
	if (!f->present)
		return 0;
	if (f->pm1a_evt && f->pm1a_evt <= 0x10000 - PM1_EVT_LEN)
		rc = vm_register_pio(vm, (u16)f->pm1a_evt, PM1_EVT_LEN,
				     pm1_evt_io, NULL, "ACPI PM1a_EVT");
	if (!rc && f->pm1a_cnt && f->pm1a_cnt < 0xffff)
		rc = vm_register_pio(vm, (u16)f->pm1a_cnt, ACPI_PM1_CNT_LEN,
				     pm1_cnt_io, &pm1a, pm1a.name);
	if (!rc && f->pm1b_cnt && f->pm1b_cnt < 0xffff)
		rc = vm_register_pio(vm, (u16)f->pm1b_cnt, ACPI_PM1_CNT_LEN,
				     pm1_cnt_io, &pm1b, pm1b.name);
	if (!rc && f->pm_tmr && f->pm_tmr < 0xfffc)
		rc = vm_register_pio(vm, (u16)f->pm_tmr, ACPI_PM_TMR_LEN,
				     pm_tmr_io, NULL, "ACPI PM timer");
	return rc;
}

VM_DEVICE(acpi_pm, .name = "ACPI PM", .init = acpi_pm_init);

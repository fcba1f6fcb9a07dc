// SPDX-License-Identifier: MIT
/*
 * Power off and reset. Under an emulator with a test-exit device the status
 * is passed out first: QEMU's isa-debug-exit (port 0xf4, QEMU exits with
 * (v << 1) | 1) and Bochs's shutdown port 0x8900. Then ACPI S5 through
 * PM1x_CNT (ACPI 6.4 4.8.3.2.1, 7.4.2), then a halt. Reset tries the FADT
 * reset register (ACPI 6.4 4.8.3.6), port 0xCF9, then the keyboard
 * controller, then a triple fault.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/acpi.h"
#include "arch/x86/arch.h"
#include "arch/x86/pc_ports.h"

/* QEMU fw_cfg, docs/specs/fw_cfg.rst in QEMU: selector 0 reads "QEMU". */
#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
/* Bochs: writing "Shutdown" to 0x8900 ends the emulation (iodev/unmapped). */
#define BOCHS_SHUTDOWN_PORT 0x8900
/* Bochs and QEMU answer on port 0xE9 with 0xE9 when the E9 hack is on. */
#define BOCHS_E9_PORT 0xe9

static struct power_config cfg;

void power_configure(const struct power_config *pc)
{
	cfg = *pc;
}

static bool is_qemu(void)
{
	char sig[4];

	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)inb(FW_CFG_PORT_DATA);
	return !memcmp(sig, "QEMU", 4);
}

static bool is_bochs(void)
{
	/*
	 * Bochs answers 0xE9 on port 0xE9 when port_e9_hack is on, as Keel's
	 * bochsrc sets it; QEMU was ruled out first through fw_cfg, and real
	 * machines float the bus (0xFF).
	 */
	return inb(BOCHS_E9_PORT) == BOCHS_E9_PORT;
}

const char *power_exit_device(void)
{
	if (is_qemu())
		return "qemu";
	if (is_bochs())
		return "bochs";
	return "";
}

static void acpi_s5(void)
{
	u16 v;

	if (!cfg.have_s5 || !cfg.pm1a_cnt)
		return;
	v = inw(cfg.pm1a_cnt) & ~(0x7 << ACPI_PM1_SLP_TYP_SHIFT);
	outw(cfg.pm1a_cnt,
	     v | (cfg.slp_typa << ACPI_PM1_SLP_TYP_SHIFT) | ACPI_PM1_SLP_EN);
	if (cfg.pm1b_cnt) {
		v = inw(cfg.pm1b_cnt) & ~(0x7 << ACPI_PM1_SLP_TYP_SHIFT);
		outw(cfg.pm1b_cnt,
		     v | (cfg.slp_typb << ACPI_PM1_SLP_TYP_SHIFT) |
			     ACPI_PM1_SLP_EN);
	}
	mdelay(100);
}

void arch_poweroff(int status)
{
	const char *dev = power_exit_device();

	printf("keel: power off (status %d)\n", status);
	if (!strcmp(dev, "qemu")) {
		outb(QEMU_DEBUG_EXIT_PORT, (u8)status);
	} else if (!strcmp(dev, "bochs")) {
		for (const char *p = "Shutdown"; *p; p++)
			outb(BOCHS_SHUTDOWN_PORT, (u8)*p);
	}
	acpi_s5();
	printf("keel: power off failed; halting\n");
	arch_halt_forever();
}

static void fadt_reset(void)
{
	if (!cfg.have_reset)
		return;
	switch (cfg.reset_space) {
	case ACPI_GAS_IO:
		outb((u16)cfg.reset_addr, cfg.reset_value);
		break;
	case ACPI_GAS_MEMORY: {
		volatile u8 *reg = ioremap(cfg.reset_addr, 1);

		if (reg) /* else refused, and said: 0xCF9 follows */
			*reg = cfg.reset_value;
		break;
	}
	case ACPI_GAS_PCI:
		/* GAS PCI address: device at bits 47:32, function 31:16,
		 * offset 15:0, on bus 0 (ACPI 6.4 5.2.3.2). */
		outl(PCI_CONF1_ADDR,
		     pci_conf1_addr(0, (u8)(cfg.reset_addr >> 32),
				    (u8)(cfg.reset_addr >> 16),
				    (u16)cfg.reset_addr));
		outb(PCI_CONF1_DATA + (cfg.reset_addr & 3), cfg.reset_value);
		break;
	}
	mdelay(50);
}

void arch_reboot(void)
{
	printf("keel: reboot\n");
	smp_release();
	fadt_reset();
	outb(RST_CNT_PORT, RST_CNT_SYS_RST);
	outb(RST_CNT_PORT, RST_CNT_SYS_RST | RST_CNT_RST_CPU);
	mdelay(50);
	outb(KBC_CMD_PORT, KBC_CMD_PULSE_RESET);
	mdelay(50);
	/* Last resort: an empty IDT turns the next exception into a triple
	 * fault, which resets the machine. */
	{
		struct {
			u16 limit;
			u64 base;
		} __packed null_idt = { 0, 0 };
		__asm__ volatile("lidt %0; int3" : : "m"(null_idt));
	}
	arch_halt_forever();
}

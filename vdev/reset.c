// SPDX-License-Identifier: MIT
/*
 * The PC's legacy reset paths, emulated so that each ends only the guest:
 * the keyboard controller's pulse-reset command (8042: command 0xFE on
 * port 0x64), port 0x92's fast reset (system control port A, bit 0), and
 * the FADT reset register when it is an I/O port (ACPI 6.4 4.8.3.6).
 * Port 0xCF9 is the PCI config device's (vdev/pci_cfg.c). The keyboard
 * controller is otherwise absent for the guest: its status reads 0xFF, as
 * when no 8042 is fitted, so a guest does not wait for it.
 */
#include "core/lib.h"
#include "arch/x86/acpi.h"
#include "arch/x86/pc_ports.h"
#include "vm/vm.h"

static u8 sysctl_a = SYSCTL_A_A20;

static int kbc_io(struct vm *vm, u16 port, unsigned int size, bool in, u32 *val,
		  void *ctx)
{
	if (in)
		*val = 0xffffffffU;
	else if (port == KBC_CMD_PORT && (u8)*val == KBC_CMD_PULSE_RESET)
		vm_request_reset(vm, "keyboard controller command 0xfe");
	return 0;
}

static int sysctl_a_io(struct vm *vm, u16 port, unsigned int size, bool in,
		       u32 *val, void *ctx)
{
	if (in) {
		*val = sysctl_a | 0xffffff00U;
		return 0;
	}
	/* A20 stays on: the guest's RAM is not wrapped at 1 MiB. */
	sysctl_a = ((u8)*val & ~SYSCTL_A_FAST_RESET) | SYSCTL_A_A20;
	if ((u8)*val & SYSCTL_A_FAST_RESET)
		vm_request_reset(vm, "port 0x92 fast reset");
	return 0;
}

static int fadt_reset_io(struct vm *vm, u16 port, unsigned int size, bool in,
			 u32 *val, void *ctx)
{
	if (in)
		*val = 0xffffffffU;
	else if ((u8)*val == acpi_info.fadt.reset_value)
		vm_request_reset(vm, "FADT reset register");
	return 0;
}

static int fadt_reset_init(struct vm *vm)
{
	const struct acpi_fadt *f = &acpi_info.fadt;
	u64 port = f->reset_reg.addr;

	if (!f->present || !f->have_reset || f->reset_reg.space != ACPI_GAS_IO)
		return 0;
	/* 0xCF9, 0x64 or 0x92 already end the guest through their device. */
	if (port > 0xffff ||
	    (port >= PCI_CONF1_ADDR &&
	     port < PCI_CONF1_ADDR + PCI_CONF1_PORTS) ||
	    vm_pio_claimed(vm, (u16)port, 1))
		return 0;
	return vm_register_pio(vm, (u16)port, 1, fadt_reset_io, NULL,
			       "FADT reset register");
}

static int reset_init(struct vm *vm)
{
	int rc;

	sysctl_a = SYSCTL_A_A20;
	rc = vm_register_pio(vm, KBC_DATA_PORT, 1, kbc_io, NULL,
			     "keyboard controller data");
	if (!rc)
		rc = vm_register_pio(vm, KBC_CMD_PORT, 1, kbc_io, NULL,
				     "keyboard controller");
	if (!rc)
		rc = vm_register_pio(vm, SYSCTL_A_PORT, 1, sysctl_a_io, NULL,
				     "system control port A");
	if (!rc)
		rc = fadt_reset_init(vm);
	return rc;
}

VM_DEVICE(reset, .name = "reset paths", .init = reset_init);

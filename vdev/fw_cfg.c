// SPDX-License-Identifier: MIT
/*
 * QEMU's fw_cfg at ports 0x510-0x511, the traditional interface (QEMU
 * docs/specs/fw_cfg.rst), so that a guest written for QEMU learns the CPU
 * count and RAM size it has under Keel (kvm-unit-tests waits for as many
 * CPUs as FW_CFG_NB_CPUS says; an absent port reads 0xFFFF). The items are
 * vdev/fw_cfg_items.c's. fw_cfg=off leaves the ports absent.
 */
#include "core/lib.h"
#include "vdev/fw_cfg_items.h"
#include "vm/guest_abi.h"
#include "vm/vm.h"

/* Keel runs its guest on one vCPU (docs/vmx.md). */
#define FW_CFG_GUEST_CPUS 1

static struct fw_cfg fwcfg;

/*
 * The selector is a 16-bit write-only register and the data register an
 * 8-bit one on x86 (fw_cfg.rst, "Selector Register", "Data Register"):
 * other forms read all ones, as an absent port, and writes to the data
 * register are dropped, as QEMU has done since v2.4.
 */
static int fw_cfg_io(struct vm *vm, u16 port, unsigned int size, bool in,
		     u32 *val, void *ctx)
{
	struct fw_cfg *f = ctx;

	if (!in) {
		if (port == FW_CFG_PORT_SEL && size == 2)
			fw_cfg_select(f, (u16)*val);
		return 0;
	}
	if (port == FW_CFG_PORT_DATA && size == 1)
		*val = fw_cfg_read(f);
	else
		*val = size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
	return 0;
}

static int fw_cfg_init(struct vm *vm)
{
	if (!vm->cfg || !vm->cfg->fw_cfg)
		return 0;
	fw_cfg_reset(&fwcfg, vm->mem_size, FW_CFG_GUEST_CPUS);
	return vm_register_pio(vm, FW_CFG_PORT_SEL, FW_CFG_NR_PORTS, fw_cfg_io,
			       &fwcfg, "fw_cfg");
}

VM_DEVICE(fw_cfg, .name = "fw_cfg", .init = fw_cfg_init);

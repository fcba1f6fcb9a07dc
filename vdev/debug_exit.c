// SPDX-License-Identifier: MIT
/*
 * The ISA debug-exit port, as QEMU's isa-debug-exit with iosize=4 (the
 * set-up kvm-unit-tests and Keel's own tests use): a 1-, 2- or 4-byte
 * write anywhere in 0xF4-0xF7 ends the guest with the value written as
 * its status. QEMU exits with (value << 1) | 1; Keel passes the value.
 */
#include "core/lib.h"
#include "vm/guest_abi.h"
#include "vm/vm.h"

static int debug_exit_io(struct vm *vm, u16 port, unsigned int size, bool in,
			 u32 *val, void *ctx)
{
	u32 mask = size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;

	if (in)
		*val = mask;
	else
		vm_exit(vm, (int)(*val & mask));
	return 0;
}

static int debug_exit_init(struct vm *vm)
{
	return vm_register_pio(vm, KEEL_DEBUG_EXIT_PORT, KEEL_DEBUG_EXIT_LEN,
			       debug_exit_io, NULL, "isa-debug-exit");
}

VM_DEVICE(debug_exit, .name = "isa-debug-exit", .init = debug_exit_init);

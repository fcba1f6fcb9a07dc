/* SPDX-License-Identifier: MIT */
/* Private to vm/: RAM set-up and the device table the linker builds. */
#ifndef KEEL_VM_VM_PRIV_H
#define KEEL_VM_VM_PRIV_H

#include "vm/vm.h"

int vm_mem_init(struct vm *vm, u64 size, bool allow_2m, bool allow_1g);
void vm_mem_destroy(struct vm *vm);
/* Pass-through ranges of the real platform (LAPIC, IOAPICs). */
int vm_platform_init(struct vm *vm);

/* linker.ld gathers every VM_DEVICE() between these two symbols. */
extern const struct vm_device __vm_devices_start[], __vm_devices_end[];

#endif

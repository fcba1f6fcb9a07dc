// SPDX-License-Identifier: MIT
/*
 * The virtual machine's life cycle: RAM, the platform's pass-through
 * ranges and every registered device are set up in that order, and torn
 * down in reverse when any step fails. How the guest ended is recorded
 * here, once: the first vm_exit() or vm_stop() wins.
 */
#include <stdarg.h>
#include "core/console.h"
#include "core/lib.h"
#include "vm/vm_priv.h"

void vm_exit(struct vm *vm, int status)
{
	if (vm->state != VM_RUNNING)
		return;
	vm->state = VM_EXITED;
	vm->status = status;
	__atomic_fetch_or(&vm->attention, VM_ATTN_ENDED, __ATOMIC_RELAXED);
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->state != VM_RUNNING)
		return;
	va_start(ap, fmt);
	kvsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	vm->status = -1;
	__atomic_fetch_or(&vm->attention, VM_ATTN_ENDED, __ATOMIC_RELAXED);
}

/*
 * The linker lays VM_DEVICE() entries out back to back between the two
 * symbols, so their distance is the count (C sees two unrelated objects).
 */
static size_t device_count(void)
{
	// cppcheck-suppress comparePointers
	return (size_t)(__vm_devices_end - __vm_devices_start);
}

void vm_request_reset(struct vm *vm, const char *how)
{
	if (vm->state == VM_RUNNING)
		vm->reset_requested = true;
	vm_stop(vm, "the guest asked for a reset (%s)", how);
}

void vm_request_poweroff(struct vm *vm, const char *how)
{
	if (vm->state == VM_RUNNING)
		pr_info("keel: guest: powered itself off (%s)\n", how);
	vm_exit(vm, 0);
}

static int devices_init(struct vm *vm)
{
	for (size_t i = 0; i < device_count(); i++) {
		const struct vm_device *d = &__vm_devices_start[i];
		int rc = d->init ? d->init(vm) : 0;

		if (rc) {
			pr_err("keel: guest: device %s: set-up failed (%d)\n",
			       d->name, rc);
			return rc;
		}
	}
	return 0;
}

void vm_devices_stop(struct vm *vm)
{
	for (size_t i = 0; i < device_count(); i++)
		if (__vm_devices_start[i].stop)
			__vm_devices_start[i].stop(vm);
	vm_console_flush(vm);
}

int vm_create(struct vm *vm, const struct vm_config *cfg, bool allow_2m,
	      bool allow_1g)
{
	int rc;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	rc = vm_mem_init(vm, cfg->mem_size, allow_2m, allow_1g);
	if (rc) {
		pr_err("keel: guest: cannot set up %llu MiB of guest RAM (%d)\n",
		       cfg->mem_size >> 20, rc);
		return rc;
	}
	rc = vm_platform_init(vm);
	if (rc)
		goto err_mem;
	rc = devices_init(vm);
	if (rc)
		goto err_mem;
	return 0;

err_mem:
	/* The EPT goes with the RAM: device mappings live in it too. */
	vm_mem_destroy(vm);
	return rc;
}

void vm_destroy(struct vm *vm)
{
	vm_mem_destroy(vm);
	vm->n_pio = 0;
	vm->n_mmio = 0;
	vm->n_pass = 0;
}

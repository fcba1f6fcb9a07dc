// SPDX-License-Identifier: MIT
/*
 * The registry of emulated port and MMIO ranges, and of the ports passed
 * through. Devices register at vm_create() time; vmx/ looks a range up on
 * each I/O or EPT-violation exit. Emulated ranges may not overlap: an
 * access has exactly one owner. A port that is neither emulated nor
 * passed through is absent for the guest (vmx/io.c).
 */
#include "core/lib.h"
#include "vm/vm.h"
#include "vm/pio_split.h"

#define PIO_SPACE 0x10000U

static bool pio_overlaps(const struct vm *vm, u32 base, u32 end)
{
	for (unsigned int i = 0; i < vm->n_pio; i++) {
		const struct vm_pio_handler *h = &vm->pio[i];

		if (base < (u32)h->base + h->count && h->base < end)
			return true;
	}
	return false;
}

int vm_register_pio(struct vm *vm, u16 base, u16 count, vm_pio_fn fn, void *ctx,
		    const char *name)
{
	u32 end = (u32)base + count;

	if (!count || end > PIO_SPACE || !fn)
		return -EINVAL;
	if (pio_overlaps(vm, base, end))
		return -EBUSY;
	if (vm->n_pio == VM_MAX_PIO_HANDLERS)
		return -ENOSPC;
	vm->pio[vm->n_pio++] =
		(struct vm_pio_handler){ base, count, fn, ctx, name };
	return 0;
}

int vm_pass_pio(struct vm *vm, u16 base, u16 count, const char *owner)
{
	if (!count || (u32)base + count > PIO_SPACE)
		return -EINVAL;
	if (vm->n_pass == VM_MAX_PIO_PASS)
		return -ENOSPC;
	vm->pass[vm->n_pass++] = (struct vm_pio_pass){ base, count, owner };
	return 0;
}

struct vm_pio_handler *vm_find_pio(struct vm *vm, u16 port, unsigned int size)
{
	for (unsigned int i = 0; i < vm->n_pio; i++) {
		struct vm_pio_handler *h = &vm->pio[i];

		if (port >= h->base &&
		    (u32)port + size <= (u32)h->base + h->count)
			return h;
	}
	return NULL;
}

bool vm_pio_claimed(const struct vm *vm, u16 port, unsigned int size)
{
	return pio_overlaps(vm, port, (u32)port + size);
}

_Static_assert(VM_MAX_PIO_HANDLERS < PIO_OWNER_PASS,
	       "a device index must not look like PASS or NOBODY");

u8 vm_pio_owner(const struct vm *vm, u16 port)
{
	for (unsigned int i = 0; i < vm->n_pio; i++)
		if ((u16)(port - vm->pio[i].base) < vm->pio[i].count)
			return (u8)i;
	for (unsigned int i = 0; i < vm->n_pass; i++)
		if ((u16)(port - vm->pass[i].base) < vm->pass[i].count)
			return PIO_OWNER_PASS;
	return PIO_OWNER_NOBODY;
}

static bool mmio_overlaps(const struct vm *vm, u64 base, u64 size)
{
	for (unsigned int i = 0; i < vm->n_mmio; i++) {
		const struct vm_mmio_handler *h = &vm->mmio[i];

		if (base < h->base + h->size && h->base < base + size)
			return true;
	}
	return false;
}

int vm_register_mmio(struct vm *vm, u64 base, u64 size, vm_mmio_fn fn,
		     void *ctx, const char *name)
{
	if (!size || base + size < base || !fn)
		return -EINVAL;
	if (mmio_overlaps(vm, base, size))
		return -EBUSY;
	if (vm->n_mmio == VM_MAX_MMIO_HANDLERS)
		return -ENOSPC;
	vm->mmio[vm->n_mmio++] =
		(struct vm_mmio_handler){ base, size, fn, ctx, name };
	return 0;
}

int vm_move_mmio(struct vm *vm, u64 old_base, u64 new_base)
{
	struct vm_mmio_handler *h = NULL;

	for (unsigned int i = 0; i < vm->n_mmio; i++)
		if (vm->mmio[i].base == old_base)
			h = &vm->mmio[i];
	if (!h || new_base + h->size < new_base)
		return -EINVAL;
	for (unsigned int i = 0; i < vm->n_mmio; i++) {
		const struct vm_mmio_handler *o = &vm->mmio[i];

		if (o != h && new_base < o->base + o->size &&
		    o->base < new_base + h->size)
			return -EBUSY;
	}
	h->base = new_base;
	return 0;
}

struct vm_mmio_handler *vm_find_mmio(struct vm *vm, u64 gpa)
{
	for (unsigned int i = 0; i < vm->n_mmio; i++) {
		struct vm_mmio_handler *h = &vm->mmio[i];

		if (gpa >= h->base && gpa - h->base < h->size)
			return h;
	}
	return NULL;
}

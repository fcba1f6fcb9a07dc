// SPDX-License-Identifier: MIT
/*
 * RAM pages taken out of the EPT for a while: QEMU's pc-testdev lets a
 * guest "flush" a page (under KVM the host unmaps it), so that its next
 * access, often one made while the CPU delivers an event through an IDT
 * or onto a stack in that page, takes an EPT violation the hypervisor
 * must resolve invisibly (kvm-unit-tests x86/eventinj.c). Here the page's
 * EPT entry goes, and vmx/mmio.c puts it back on the violation; vmx/exit.c
 * re-injects the event whose delivery the exit interrupted (SDM Vol.3C
 * 28.2.4, rev 080). Only guest RAM is ever taken out, never a device or
 * anything else mapped over it.
 */
#include "core/console.h"
#include "core/lib.h"
#include "vm/vm.h"

static int find_flushed(const struct vm *vm, u64 page)
{
	for (unsigned int i = 0; i < vm->n_flushed; i++)
		if (vm->flushed[i] == page)
			return (int)i;
	return -1;
}

static void forget(struct vm *vm, unsigned int i)
{
	vm->n_flushed--;
	memmove(&vm->flushed[i], &vm->flushed[i + 1],
		(vm->n_flushed - i) * sizeof(vm->flushed[0]));
}

/* The page's RAM mapping, as vm_mem_init() made it (vm/mem.c). */
static int map_back(struct vm *vm, u64 page)
{
	phys_addr_t hpa =
		vm->chunk[page / VM_CHUNK_SIZE] + page % VM_CHUNK_SIZE;

	vm->ept_dirty = true;
	return ept_map(&vm->ept, page, hpa, PAGE_SIZE, EPT_MAP_RAM);
}

int vm_flush_page(struct vm *vm, u64 gpa)
{
	u64 page = ALIGN_DOWN(gpa, PAGE_SIZE);
	int rc;

	if (page >= vm->mem_size || vm_find_mmio(vm, page))
		return -ERANGE;
	if (find_flushed(vm, page) >= 0)
		return 0;
	/* Full: the oldest goes back now, which the guest cannot tell. */
	if (vm->n_flushed == VM_MAX_FLUSHED) {
		rc = map_back(vm, vm->flushed[0]);
		if (rc)
			return rc;
		forget(vm, 0);
	}
	vm->ept_dirty = true;
	rc = ept_unmap(&vm->ept, page, PAGE_SIZE);
	if (rc) {
		/* A failed split may leave the page half gone: put it back. */
		map_back(vm, page);
		return rc;
	}
	vm->flushed[vm->n_flushed++] = page;
	vm->pages_flushed++;
	return 0;
}

bool vm_restore_page(struct vm *vm, u64 gpa)
{
	u64 page = ALIGN_DOWN(gpa, PAGE_SIZE);
	int i = find_flushed(vm, page);
	struct ept_mapping m;

	if (i < 0)
		return false;
	forget(vm, (unsigned int)i);
	/* Mapped again by someone else since: not ours to change. */
	if (!ept_lookup(&vm->ept, page, &m))
		return false;
	if (map_back(vm, page)) {
		pr_err("keel: guest: cannot map back flushed page %#llx\n",
		       page);
		return false;
	}
	vm->pages_restored++;
	return true;
}

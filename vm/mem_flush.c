// SPDX-License-Identifier: MIT
/*
 * RAM pages taken out of the EPT for a while: QEMU's pc-testdev lets a
 * guest "flush" a page (under KVM the host unmaps it), so that its next
 * access, often one made while the CPU delivers an event through an IDT
 * or onto a stack in that page, takes an EPT violation the hypervisor
 * must resolve invisibly (kvm-unit-tests x86/eventinj.c). Here the page's
 * EPT entry goes, and vmx/mmio.c puts it back on the violation; vmx/exit.c
 * re-injects the event whose delivery the exit interrupted (SDM Vol.3C
 * 28.2.4, rev 080). Only plain guest RAM is ever taken out, never a
 * device, a hole or a protected page, and a page a device was mapped over
 * or an emulator registered on since is not put back.
 *
 * Taking a page out splits its chunk's 2 MiB leaf into a table of 4 KiB
 * ones. When the last flushed page of a chunk goes back, the chunk is one
 * 2 MiB leaf again and the table page is freed: else a guest flushing a
 * page in each chunk would keep one of Keel's pages per 2 MiB of its RAM
 * (6 MiB at 3 GiB) and lose its large mappings for good.
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

static bool chunk_has_flushed(const struct vm *vm, u64 base)
{
	for (unsigned int i = 0; i < vm->n_flushed; i++)
		if (ALIGN_DOWN(vm->flushed[i], VM_CHUNK_SIZE) == base)
			return true;
	return false;
}

/*
 * @page maps its own RAM as vm_mem_init() mapped it (vm/mem.c): its
 * chunk's host page, read/write/execute, write-back with PAT ignored;
 * *@size is the leaf's size. Anything else (a device, a hole, an APIC
 * page, a protection) is not for mem_flush.c to take out or put back.
 */
static bool plain_ram_at(const struct vm *vm, u64 page, u64 *size)
{
	phys_addr_t hpa =
		vm->chunk[page / VM_CHUNK_SIZE] + page % VM_CHUNK_SIZE;
	struct ept_mapping m;

	/*
	 * Every bit but the address and the leaf-size bit, as ept/ept.c
	 * makes a RAM leaf: a bit it may set one day (accessed/dirty,
	 * suppress-#VE, user-execute) fails the check, safely.
	 */
	const u64 attrs = (EPT_MAP_RAM & EPT_PERM_MASK) |
			  FIELD_PREP(EPT_MEMTYPE, EPT_MAP_MT_OF(EPT_MAP_RAM)) |
			  EPT_IGNORE_PAT;

	if (ept_lookup(&vm->ept, page, &m) || m.hpa != hpa ||
	    (m.entry & ~(EPT_ADDR_MASK | EPT_LARGE)) != attrs)
		return false;
	*size = m.page_size;
	return true;
}

/*
 * Every 4 KiB page of the chunk at @base maps its own RAM: nothing else
 * was mapped, unmapped or protected in it since, which a 2 MiB leaf would
 * undo.
 */
static bool chunk_is_plain_ram(const struct vm *vm, u64 base)
{
	u64 size;

	for (u64 off = 0; off < VM_CHUNK_SIZE; off += PAGE_SIZE)
		if (!plain_ram_at(vm, base + off, &size) || size != PAGE_SIZE)
			return false;
	return true;
}

/*
 * The chunk holding @page, all RAM again, goes back to one 2 MiB leaf, as
 * vm_mem_init() mapped it. ept_map() puts the leaf in place of the table
 * and frees the table (ept/ept.c range_op); the tables above it exist, so
 * it allocates nothing and cannot fail half way. The freed page is no
 * risk before the INVEPT that ept_dirty asks for: the one vCPU does not
 * run the guest until vcpu_sync_ept(), and no other CPU uses this EPT.
 */
static void merge_chunk(struct vm *vm, u64 page)
{
	u64 base = ALIGN_DOWN(page, VM_CHUNK_SIZE);
	phys_addr_t hpa = vm->chunk[base / VM_CHUNK_SIZE];

	if (!vm->ept.allow_2m || !IS_ALIGNED(hpa, VM_CHUNK_SIZE) ||
	    chunk_has_flushed(vm, base) || !chunk_is_plain_ram(vm, base))
		return;
	vm->ept_dirty = true;
	if (ept_map(&vm->ept, base, hpa, VM_CHUNK_SIZE, EPT_MAP_RAM))
		pr_err("keel: guest: cannot map chunk %#llx back whole\n",
		       base);
}

/*
 * Flushed page @i goes back to the guest's RAM, unless something was
 * mapped there since (a device, an APIC page) or a handler now emulates
 * it: that is not ours to change. *@restored says which. 0, or
 * map_back()'s error with the page still counted as flushed. The caller
 * merges the chunk (merge_chunk()) once it has done its own EPT changes.
 */
static int put_back(struct vm *vm, unsigned int i, bool *restored)
{
	u64 page = vm->flushed[i];
	struct ept_mapping m;
	int rc = 0;

	*restored = false;
	if (ept_lookup(&vm->ept, page, &m) && !vm_find_mmio(vm, page)) {
		rc = map_back(vm, page);
		if (rc)
			return rc;
		*restored = true;
	}
	forget(vm, i);
	return 0;
}

int vm_flush_page(struct vm *vm, u64 gpa)
{
	u64 page = ALIGN_DOWN(gpa, PAGE_SIZE), old = 0, size;
	bool restored = false;
	int rc;

	if (page >= vm->mem_size || vm_find_mmio(vm, page))
		return -ERANGE;
	if (find_flushed(vm, page) >= 0)
		return 0;
	/* Only plain RAM: putting it back then restores exactly that. */
	if (!plain_ram_at(vm, page, &size))
		return -ERANGE;
	/* Full: the oldest goes back now, which the guest cannot tell. */
	if (vm->n_flushed == VM_MAX_FLUSHED) {
		old = vm->flushed[0];
		rc = put_back(vm, 0, &restored);
		if (rc)
			return rc;
	}
	vm->ept_dirty = true;
	/*
	 * This fails only for want of a table page to split the page's
	 * 2 MiB leaf, and split_leaf() (ept/ept.c) fails before it changes
	 * anything: the page is still mapped, as it was. The oldest page's
	 * chunk merges only after it, so that a flush in that same chunk
	 * does not free the table to need one again.
	 */
	rc = ept_unmap(&vm->ept, page, PAGE_SIZE);
	if (!rc) {
		vm->flushed[vm->n_flushed++] = page;
		vm->pages_flushed++;
	}
	if (restored)
		merge_chunk(vm, old);
	return rc;
}

bool vm_restore_page(struct vm *vm, u64 gpa)
{
	u64 page = ALIGN_DOWN(gpa, PAGE_SIZE);
	int i = find_flushed(vm, page);
	bool restored;

	if (i < 0)
		return false;
	if (put_back(vm, (unsigned int)i, &restored)) {
		pr_err("keel: guest: cannot map back flushed page %#llx\n",
		       page);
		forget(vm, (unsigned int)i);
		return false;
	}
	if (!restored)
		return false;
	merge_chunk(vm, page);
	vm->pages_restored++;
	return true;
}

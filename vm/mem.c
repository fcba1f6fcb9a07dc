// SPDX-License-Identifier: MIT
/*
 * Guest RAM: GPA 0..mem_size, backed by 2 MiB host chunks from Keel's
 * allocator and mapped write-back through EPT. The legacy area
 * 0xA0000-0xFFFFF (VGA and BIOS) is backed by RAM too, though the guest's
 * memory map calls it reserved: kernels written for PCs print to VGA text
 * memory and scan the BIOS area for tables, and should not be stopped for
 * it. Keel's own pages never appear in the EPT, so the guest cannot reach
 * them.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "vm/vm_priv.h"

static void *ept_table_alloc(void *ctx, phys_addr_t *pa)
{
	phys_addr_t p = alloc_pages(1, PAGE_SIZE);

	if (p == PHYS_INVALID)
		return NULL;
	*pa = p;
	return phys_to_virt(p);
}

static void ept_table_free(void *ctx, void *va, phys_addr_t pa)
{
	free_pages(pa, 1);
}

static void *ept_p2v(void *ctx, phys_addr_t pa)
{
	return phys_to_virt(pa);
}

static const struct ept_alloc keel_ept_alloc = {
	.alloc_table = ept_table_alloc,
	.free_table = ept_table_free,
	.phys_to_virt = ept_p2v,
};

static int map_chunk(struct vm *vm, unsigned int i)
{
	return ept_map(&vm->ept, (u64)i * VM_CHUNK_SIZE, vm->chunk[i],
		       VM_CHUNK_SIZE, EPT_MAP_RAM);
}

void vm_mem_destroy(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nchunks; i++)
		free_pages(vm->chunk[i], VM_CHUNK_SIZE / PAGE_SIZE);
	vm->nchunks = 0;
	vm->mem_size = 0;
	vm->n_ram_win = 0;
	vm->n_flushed = 0;
	ept_destroy(&vm->ept);
}

int vm_mem_init(struct vm *vm, u64 size, bool allow_2m, bool allow_1g)
{
	int rc;

	if (size % VM_CHUNK_SIZE || size < VM_MIN_MEM || size > VM_MAX_MEM)
		return -ERANGE;
	rc = ept_init(&vm->ept, &keel_ept_alloc, allow_2m, allow_1g);
	if (rc)
		return rc;
	vm->nchunks = 0;
	while (vm->nchunks < size / VM_CHUNK_SIZE) {
		unsigned int i = vm->nchunks;

		vm->chunk[i] =
			alloc_pages(VM_CHUNK_SIZE / PAGE_SIZE, VM_CHUNK_SIZE);
		if (vm->chunk[i] == PHYS_INVALID) {
			pr_err("keel: guest: out of memory after %u MiB of %llu MiB\n",
			       i * 2, size >> 20);
			rc = -ENOMEM;
			goto err_free;
		}
		vm->nchunks++;
		rc = map_chunk(vm, i);
		if (rc)
			goto err_free;
	}
	vm->mem_size = size;
	return 0;

err_free:
	vm_mem_destroy(vm);
	return rc;
}

static bool in_ram(const struct vm *vm, u64 gpa, u64 len)
{
	return gpa < vm->mem_size && len <= vm->mem_size - gpa;
}

void *vm_gpa_ptr(struct vm *vm, u64 gpa, u64 len)
{
	u64 off = gpa % VM_CHUNK_SIZE;

	if (!len || !in_ram(vm, gpa, len) || off + len > VM_CHUNK_SIZE)
		return NULL;
	return (u8 *)phys_to_virt(vm->chunk[gpa / VM_CHUNK_SIZE]) + off;
}

/* Host pointer for [gpa, gpa+len) inside one vm_map_ram_at() window. */
static u8 *window_ptr(struct vm *vm, u64 gpa, u64 len)
{
	for (unsigned int i = 0; i < vm->n_ram_win; i++) {
		const struct vm_ram_window *w = &vm->ram_win[i];

		if (gpa >= w->gpa && gpa - w->gpa < w->size &&
		    len <= w->size - (gpa - w->gpa))
			return (u8 *)phys_to_virt(w->hpa) + (gpa - w->gpa);
	}
	return NULL;
}

static int vm_copy(struct vm *vm, u64 gpa, void *buf, size_t len, bool to_guest)
{
	u8 *b = buf;

	if (!in_ram(vm, gpa, len)) {
		u8 *p = len ? window_ptr(vm, gpa, len) : NULL;

		if (!p)
			return -EFAULT;
		if (to_guest)
			memcpy(p, b, len);
		else
			memcpy(b, p, len);
		return 0;
	}
	while (len) {
		u64 n = MIN(len, VM_CHUNK_SIZE - gpa % VM_CHUNK_SIZE);
		u8 *p = vm_gpa_ptr(vm, gpa, n);

		if (!p)
			return -EFAULT;
		if (to_guest)
			memcpy(p, b, n);
		else
			memcpy(b, p, n);
		gpa += n;
		b += n;
		len -= n;
	}
	return 0;
}

int vm_read(struct vm *vm, u64 gpa, void *buf, size_t len)
{
	return vm_copy(vm, gpa, buf, len, false);
}

int vm_write(struct vm *vm, u64 gpa, const void *buf, size_t len)
{
	return vm_copy(vm, gpa, (void *)buf, len, true);
}

int vm_map_mmio_at(struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	int rc = ept_map(&vm->ept, gpa, hpa, size, EPT_MAP_MMIO);

	/* A failed map may have left part of the range mapped: flush too. */
	vm->ept_dirty = true;
	return rc;
}

int vm_map_mmio(struct vm *vm, u64 gpa, u64 size)
{
	return vm_map_mmio_at(vm, gpa, gpa, size);
}

int vm_map_mmio_readonly(struct vm *vm, u64 gpa, u64 size)
{
	int rc = ept_map(&vm->ept, gpa, gpa, size,
			 EPT_READ | EPT_MAP_MT(EPT_MT_UC));

	vm->ept_dirty = true;
	return rc;
}

int vm_unmap(struct vm *vm, u64 gpa, u64 size)
{
	int rc = ept_unmap(&vm->ept, gpa, size);

	vm->ept_dirty = true;
	return rc;
}

int vm_map_ram_at(struct vm *vm, u64 gpa, phys_addr_t hpa, u64 size)
{
	int rc;

	if (vm->n_ram_win == VM_MAX_RAM_WINDOWS)
		return -ENOSPC;
	rc = ept_map(&vm->ept, gpa, hpa, size, EPT_MAP_RAM);
	vm->ept_dirty = true;
	if (!rc)
		vm->ram_win[vm->n_ram_win++] =
			(struct vm_ram_window){ gpa, size, hpa };
	return rc;
}

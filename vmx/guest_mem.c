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
#include "arch/x86/arch.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/* INVEPT for this guest's EPTP, else for all (SDM Vol.3C 29.4.3.1). */
void guest_flush_ept(struct guest *g)
{
	if (vmx_cfg.ept.invept_single)
		invept(INVEPT_SINGLE_CONTEXT, g->eptp);
	else
		invept(INVEPT_ALL_CONTEXT, 0);
}

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

static int map_chunk(struct guest *g, unsigned int i)
{
	return ept_map(&g->ept, (u64)i * GUEST_CHUNK_SIZE, g->chunk[i],
		       GUEST_CHUNK_SIZE, EPT_MAP_RAM);
}

int guest_mem_init(struct guest *g, u64 size)
{
	const struct vmx_ept_caps *ec = &vmx_cfg.ept;
	int rc;

	size = ALIGN_UP(size, GUEST_CHUNK_SIZE);
	if (size < GUEST_MIN_MEM || size > GUEST_MAX_MEM)
		return -ERANGE;
	rc = ept_init(&g->ept, &keel_ept_alloc, ec->page_2m, ec->page_1g);
	if (rc)
		return rc;
	g->nchunks = size / GUEST_CHUNK_SIZE;
	for (unsigned int i = 0; i < g->nchunks; i++) {
		g->chunk[i] = alloc_pages(GUEST_CHUNK_SIZE / PAGE_SIZE,
					  GUEST_CHUNK_SIZE);
		if (g->chunk[i] == PHYS_INVALID) {
			pr_err("keel: guest: out of memory after %u MiB of %llu MiB\n",
			       i * 2, size >> 20);
			return -ENOMEM;
		}
		rc = map_chunk(g, i);
		if (rc)
			return rc;
	}
	g->mem_size = size;
	g->eptp = ept_eptp(&g->ept, false);
	guest_flush_ept(g);
	return 0;
}

static bool in_ram(const struct guest *g, u64 gpa, u64 len)
{
	return gpa < g->mem_size && len <= g->mem_size - gpa;
}

void *guest_ptr(struct guest *g, u64 gpa, u64 len)
{
	u64 off = gpa % GUEST_CHUNK_SIZE;

	if (!len || !in_ram(g, gpa, len) || off + len > GUEST_CHUNK_SIZE)
		return NULL;
	return (u8 *)phys_to_virt(g->chunk[gpa / GUEST_CHUNK_SIZE]) + off;
}

static int guest_copy(struct guest *g, u64 gpa, void *buf, size_t len,
		      bool to_guest)
{
	u8 *b = buf;

	if (!in_ram(g, gpa, len))
		return -EFAULT;
	while (len) {
		u64 n = MIN(len, GUEST_CHUNK_SIZE - gpa % GUEST_CHUNK_SIZE);
		u8 *p = guest_ptr(g, gpa, n);

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

int guest_read(struct guest *g, u64 gpa, void *buf, size_t len)
{
	return guest_copy(g, gpa, buf, len, false);
}

int guest_write(struct guest *g, u64 gpa, const void *buf, size_t len)
{
	return guest_copy(g, gpa, (void *)buf, len, true);
}

static int gpt_read_cb(void *ctx, u64 gpa, void *buf, size_t len)
{
	return guest_read(ctx, gpa, buf, len);
}

static void walker_for(struct vcpu *v, struct gpt_walker *w)
{
	u64 cr4 = vmread(VMCS_GUEST_CR4);

	w->mode = gpt_mode_from_regs(vmread(VMCS_GUEST_CR0), cr4,
				     vmread(VMCS_GUEST_IA32_EFER));
	w->cr3 = vmread(VMCS_GUEST_CR3);
	w->pse = cr4 & X86_CR4_PSE;
	w->read = gpt_read_cb;
	w->ctx = v->g;
}

int guest_read_linear(struct vcpu *v, u64 gla, void *buf, size_t len)
{
	struct gpt_walker w;

	walker_for(v, &w);
	return gpt_read_linear(&w, gla, buf, len);
}

int guest_write_linear(struct vcpu *v, u64 gla, const void *buf, size_t len)
{
	struct gpt_walker w;
	const u8 *b = buf;

	walker_for(v, &w);
	while (len) {
		u64 n = MIN(len, PAGE_SIZE - gla % PAGE_SIZE), gpa;
		int rc = gpt_translate(&w, gla, &gpa);

		if (rc)
			return rc;
		rc = guest_write(v->g, gpa, b, n);
		if (rc)
			return rc;
		gla += n;
		b += n;
		len -= n;
	}
	return 0;
}

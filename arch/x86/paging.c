// SPDX-License-Identifier: MIT
/*
 * Keel's own page tables: an identity map of all RAM and of the low 4 GiB,
 * with 2 MiB pages. RAM is write-back; everything else below 4 GiB is
 * uncached, since it may be MMIO. ioremap() maps further MMIO (64-bit BARs
 * above 4 GiB) and splits a large page when a sub-range must be uncached.
 * Default PAT: PWT|PCD selects entry 3, UC (SDM Vol.3A 11.12.4 table 11-12).
 *
 * Keel protects itself from its own bugs, and from a device or guest
 * write that lands in it, the way a kernel does: its text is read-only
 * and the only executable memory, everything else is no-execute
 * (EFER.NXE, SDM Vol.3A 4.6), a guard page under each stack is unmapped
 * so an overflow faults, and once boot no longer needs the BIOS data area
 * page 0 is unmapped so a NULL pointer faults.
 */
#include "core/bootinfo.h"
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/arch.h"

/* PTE_* are in arch/x86/x86_defs.h. PWT|PCD selects PAT entry 3, UC. */
#define PTE_UC (PTE_PWT | PTE_PCD)
#define LARGE_PAGE_SIZE MiB(2)
#define MAX_GUARDS 4

static u64 *pml4;
static u64 pte_nx; /* PTE_NX when the CPU has NX, else 0 */
static u64 direct_top; /* paging_init() maps everything below it */

extern const u8 __image_start[], __text_end[], __rodata_end[], __image_end[];
extern u8 boot_stack_guard[];

static bool overlaps_ram(const struct boot_info *bi, u64 base, u64 len)
{
	for (unsigned int i = 0; i < bi->n_mmap; i++) {
		const struct mem_range *r = &bi->mmap[i];

		if (r->type != MEM_AVAILABLE &&
		    r->type != MEM_ACPI_RECLAIMABLE && r->type != MEM_NVS)
			continue;
		if (r->base < base + len && base < r->base + r->len)
			return true;
	}
	return false;
}

static bool within_ram(const struct boot_info *bi, u64 base, u64 len)
{
	for (unsigned int i = 0; i < bi->n_mmap; i++) {
		const struct mem_range *r = &bi->mmap[i];

		if ((r->type == MEM_AVAILABLE ||
		     r->type == MEM_ACPI_RECLAIMABLE || r->type == MEM_NVS) &&
		    r->base <= base && base + len <= r->base + r->len)
			return true;
	}
	return false;
}

/* SDM Vol.3A 4.6: NX is a reserved bit unless EFER.NXE is set. */
static void nx_enable(void)
{
	if (cpuid(CPUID_EXT_MAX, 0).eax < CPUID_EXT_FEATURES ||
	    !(cpuid(CPUID_EXT_FEATURES, 0).edx & CPUID_80000001_EDX_NX)) {
		pr_warn("keel: paging: no NX on this CPU; data stays executable\n");
		return;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	pte_nx = PTE_NX;
}

static u64 *table_alloc(void)
{
	phys_addr_t p = alloc_pages(1, PAGE_SIZE);

	return p == PHYS_INVALID ? NULL : phys_to_virt(p);
}

/* The entry for @va at @level (3 = PML4 .. 1 = PD), allocating tables. */
static u64 *walk(u64 va, int stop_level)
{
	u64 *table = pml4;

	for (int level = 3; level > stop_level; level--) {
		unsigned int idx = (va >> (12 + 9 * level)) & (PT_ENTRIES - 1);
		u64 *e = &table[idx];

		if (!(*e & PTE_P)) {
			u64 *next = table_alloc();

			if (!next)
				return NULL;
			*e = virt_to_phys(next) | PTE_P | PTE_RW;
		}
		table = phys_to_virt(*e & PTE_ADDR_MASK);
	}
	return &table[(va >> (12 + 9 * stop_level)) & (PT_ENTRIES - 1)];
}

static bool split_large(u64 *pde);

/* The 4 KiB entry for @va, splitting its 2 MiB page if need be. */
static u64 *pte_of(u64 va)
{
	u64 *pde = walk(va, 1);

	if (!pde || !(*pde & PTE_P))
		return NULL;
	if ((*pde & PTE_PS) && !split_large(pde))
		return NULL;
	return walk(va, 0);
}

static void set_range(u64 start, u64 end, u64 set, u64 clear)
{
	for (u64 va = ALIGN_DOWN(start, PAGE_SIZE); va < end; va += PAGE_SIZE) {
		u64 *pte = pte_of(va);

		if (!pte)
			panic("paging: cannot protect %#llx", va);
		*pte = (*pte & ~clear) | set;
	}
}

/*
 * Text: read-only, executable. Read-only data: read-only, no-execute.
 * Data and bss: no-execute (already). The stack guard pages: not present.
 */
static void protect_image(void)
{
	u64 guards[MAX_GUARDS];
	unsigned int n = arch_ist_guards(guards, MAX_GUARDS - 1);

	guards[n++] = (u64)boot_stack_guard;
	set_range((u64)__image_start, (u64)__text_end, 0, PTE_RW | PTE_NX);
	set_range((u64)__text_end, (u64)__rodata_end, 0, PTE_RW);
	for (unsigned int i = 0; i < n; i++)
		set_range(guards[i], guards[i] + PAGE_SIZE, 0, PTE_P);
}

void paging_unmap_page0(void)
{
	u64 *pte = pte_of(0);

	if (!pte)
		panic("paging: cannot unmap page 0");
	*pte = 0;
	write_cr3(read_cr3());
}

/*
 * A 2 MiB region that is only partly RAM (the first 2 MiB with its BIOS
 * area, the ends of RAM ranges) gets 4 KiB pages: RAM write-back, the rest
 * uncached, so that no large page spans two memory types (SDM Vol.3A
 * 11.11.9).
 */
static void map_mixed(const struct boot_info *bi, u64 *pde, u64 base)
{
	u64 *pt;

	if (!split_large(pde))
		panic("paging: no memory to split the page at %#llx", base);
	pt = phys_to_virt(*pde & PTE_ADDR_MASK);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		if (!overlaps_ram(bi, base + i * PAGE_SIZE, PAGE_SIZE))
			pt[i] |= PTE_UC;
}

void paging_init(const struct boot_info *bi)
{
	u64 top = MAX(GiB(4), ALIGN_UP(mm_ram_top(), LARGE_PAGE_SIZE));

	direct_top = top;
	nx_enable();
	pml4 = table_alloc();
	if (!pml4)
		panic("paging: no memory for the top-level page table");
	for (u64 a = 0; a < top; a += LARGE_PAGE_SIZE) {
		u64 *pde = walk(a, 1);

		if (!pde)
			panic("paging: no memory for page tables at %#llx", a);
		*pde = a | PTE_P | PTE_RW | PTE_PS | pte_nx;
		if (!overlaps_ram(bi, a, LARGE_PAGE_SIZE))
			*pde |= PTE_UC;
		else if (!within_ram(bi, a, LARGE_PAGE_SIZE))
			map_mixed(bi, pde, a);
	}
	protect_image();
	write_cr3(virt_to_phys(pml4));
	pr_info("keel: paging: text read-only, %s, stack guard pages unmapped\n",
		pte_nx ? "data no-execute" : "no NX");
}

/* Replace a 2 MiB PDE by a page table with the same attributes. */
static bool split_large(u64 *pde)
{
	u64 *pt = table_alloc();
	u64 base = *pde & PTE_LARGE_ADDR_MASK;
	u64 attrs = *pde & (PTE_P | PTE_RW | PTE_PWT | PTE_PCD | PTE_NX);

	if (!pt)
		return false;
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		pt[i] = (base + i * PAGE_SIZE) | attrs;
	*pde = virt_to_phys(pt) | PTE_P | PTE_RW;
	return true;
}

static bool map_uc_page(u64 pa)
{
	u64 *pde = walk(pa, 1);
	u64 *pte;

	if (!pde)
		return false;
	if ((*pde & PTE_P) && (*pde & PTE_PS)) {
		if ((*pde & PTE_UC) == PTE_UC)
			return true;
		if (!split_large(pde))
			return false;
	}
	pte = walk(pa, 0);
	if (!pte)
		return false;
	*pte = pa | PTE_P | PTE_RW | PTE_UC | pte_nx;
	return true;
}

/*
 * Identity mapping: a virtual address is the physical one, so it must be
 * below the lower canonical half (SDM Vol.3A 4.5) and within the CPU's
 * physical address width (CPUID 80000008h:EAX[7:0]).
 */
#define VA_LOWER_HALF_END (1ULL << 47)

static u64 phys_limit(void)
{
	unsigned int bits = cpu_phys_addr_bits();

	return bits >= 47 ? VA_LOWER_HALF_END : 1ULL << bits;
}

/*
 * Why @phys..+@size cannot be mapped uncached, or NULL. Firmware gives
 * these addresses (MCFG, DMAR, the framebuffer tag, the FADT reset
 * register): one in RAM would turn Keel's own pages uncached and
 * no-execute under it, one past the address width would alias a low one.
 */
static const char *ioremap_refuses(u64 phys, u64 size)
{
	if (!size || phys + size < phys)
		return "empty or wraps";
	if (phys + size > phys_limit())
		return "beyond the physical address width";
	if (phys < direct_top &&
	    mm_overlaps_memory(phys, MIN(phys + size, direct_top) - phys))
		return "overlaps RAM";
	return NULL;
}

u64 paging_direct_top(void)
{
	return direct_top;
}

void *ioremap(phys_addr_t phys, u64 size)
{
	u64 a = ALIGN_DOWN(phys, PAGE_SIZE);
	u64 end = ALIGN_UP(phys + size, PAGE_SIZE);
	const char *why = ioremap_refuses(phys, size);

	if (why) {
		pr_warn("keel: paging: not mapping %#llx+%#llx as a device: %s\n",
			phys, size, why);
		return NULL;
	}
	if (!pml4 || end < a)
		return NULL;
	while (a < end) {
		u64 *pde = NULL;

		/* A whole unmapped 2 MiB span gets a large UC page. */
		if (IS_ALIGNED(a, LARGE_PAGE_SIZE) &&
		    end - a >= LARGE_PAGE_SIZE)
			pde = walk(a, 1);
		if (pde && !(*pde & PTE_P)) {
			*pde = a | PTE_P | PTE_RW | PTE_PS | PTE_UC | pte_nx;
			a += LARGE_PAGE_SIZE;
			continue;
		}
		if (!map_uc_page(a))
			return NULL;
		a += PAGE_SIZE;
	}
	write_cr3(read_cr3());
	return phys_to_virt(phys);
}

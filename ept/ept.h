/* SPDX-License-Identifier: MIT */
/*
 * Extended page tables (SDM Vol.3C 29.3, rev 080 / 325462-080US): a
 * four-level table builder with 4K, 2M and 1G leaves, a map / unmap /
 * protect / lookup API, and EPTP construction. Pure: table pages come from
 * an injected allocator, so host tests run it on malloc'd pages with fake
 * physical addresses.
 *
 * Also a guest page-table walker (32-bit, PAE, 4-level) that translates a
 * guest linear address through a read-guest-physical callback; the MMIO
 * emulator uses it to fetch the faulting instruction.
 */
#ifndef KEEL_EPT_EPT_H
#define KEEL_EPT_EPT_H

#include "core/types.h"

/* ---- EPT paging-structure entries, SDM Vol.3C 29.3.2 ---- */
#define EPT_READ BIT(0)
#define EPT_WRITE BIT(1)
#define EPT_EXEC BIT(2)
#define EPT_PERM_MASK (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE GENMASK(5, 3) /* leaf entries only */
#define EPT_IGNORE_PAT BIT(6)
#define EPT_LARGE BIT(7) /* PDPTE: 1G leaf, PDE: 2M leaf */
#define EPT_ACCESSED BIT(8)
#define EPT_DIRTY BIT(9)
#define EPT_USER_EXEC BIT(10)
#define EPT_ADDR_MASK GENMASK(51, 12)
#define EPT_SUPPRESS_VE BIT(63)

/* EPT memory types, SDM Vol.3C 29.3.7 (same numbers as the MTRR types). */
#define EPT_MT_UC 0
#define EPT_MT_WC 1
#define EPT_MT_WT 4
#define EPT_MT_WP 5
#define EPT_MT_WB 6

/* ---- EPTP, SDM Vol.3C 25.6.11 ---- */
#define EPTP_MEMTYPE GENMASK(2, 0)
#define EPTP_WALK_LENGTH GENMASK(5, 3) /* page-walk length minus 1 */
#define EPTP_AD_ENABLE BIT(6)
#define EPTP_SSS_ENABLE BIT(7)
#define EPTP_PML4_MASK GENMASK(51, 12)

/* Mapping flags: permissions (EPT_READ/WRITE/EXEC) plus a memory type. */
#define EPT_MAP_MT(mt) ((u32)(mt) << 8)
#define EPT_MAP_MT_OF(flags) (((flags) >> 8) & 7)
/* Guest RAM: RWX, write-back, PAT ignored so the guest cannot weaken it. */
#define EPT_MAP_RAM (EPT_READ | EPT_WRITE | EPT_EXEC | EPT_MAP_MT(EPT_MT_WB))
/* Passed-through MMIO: RW, uncacheable. */
#define EPT_MAP_MMIO (EPT_READ | EPT_WRITE | EPT_MAP_MT(EPT_MT_UC))

#define EPT_SIZE_4K (1ULL << 12)
#define EPT_SIZE_2M (1ULL << 21)
#define EPT_SIZE_1G (1ULL << 30)
/* Guest-physical addresses Keel accepts: 48 bits (4-level walk). */
#define EPT_GPA_LIMIT (1ULL << 48)

/*
 * Table-page allocator. alloc_table returns a zeroed, 4K-aligned page and
 * its physical address; free_table returns it; phys_to_virt maps a table's
 * physical address back to a pointer.
 */
struct ept_alloc {
	void *ctx;
	void *(*alloc_table)(void *ctx, phys_addr_t *pa);
	void (*free_table)(void *ctx, void *va, phys_addr_t pa);
	void *(*phys_to_virt)(void *ctx, phys_addr_t pa);
};

struct ept {
	const struct ept_alloc *alloc;
	u64 *pml4;
	phys_addr_t pml4_pa;
	bool allow_2m, allow_1g;
	u64 tables; /* table pages in use, PML4 included */
};

/* One translation, as ept_lookup reports it. */
struct ept_mapping {
	phys_addr_t hpa; /* host address of the looked-up GPA itself */
	u64 page_size; /* EPT_SIZE_4K, _2M or _1G */
	u32 perms; /* EPT_READ | EPT_WRITE | EPT_EXEC */
	u32 memtype;
	u64 entry; /* the raw leaf entry */
};

/*
 * Set up an empty EPT. @allow_2m/@allow_1g come from the EPT/VPID
 * capability (struct vmx_ept_caps). Returns 0 or -ENOMEM.
 */
int ept_init(struct ept *e, const struct ept_alloc *a, bool allow_2m,
	     bool allow_1g);
/* Free every table page. */
void ept_destroy(struct ept *e);

/*
 * Map [gpa, gpa+size) to [hpa, hpa+size) with @flags (permissions and
 * EPT_MAP_MT). Uses the largest leaf that alignment of both addresses,
 * the remaining size and the capability allow; replaces existing mappings,
 * splitting large pages that are only partly covered. All of gpa, hpa and
 * size must be 4K-aligned. Returns 0, -EINVAL or -ENOMEM (then the range
 * may be partly mapped).
 */
int ept_map(struct ept *e, u64 gpa, phys_addr_t hpa, u64 size, u32 flags);
/* Remove any mapping in [gpa, gpa+size); holes are fine. */
int ept_unmap(struct ept *e, u64 gpa, u64 size);
/*
 * Set the permissions of every mapped page in [gpa, gpa+size) to @perms
 * (memory types are kept), splitting large pages at the range edges.
 */
int ept_protect(struct ept *e, u64 gpa, u64 size, u32 perms);
/* Translate @gpa. Returns 0 or -ENOENT when not mapped. */
int ept_lookup(const struct ept *e, u64 gpa, struct ept_mapping *m);

/* Each level's entry on the way to one GPA, PML4E first (the shell's ept). */
struct ept_walk {
	unsigned int n; /* entries filled: 1 (PML4E) .. 4 (PTE) */
	bool leaf; /* the last entry maps the page; else it is not present */
	unsigned int index[4]; /* slot used in each table */
	u64 entry[4];
};

/* Walk the tables for @gpa. 0, or -EINVAL when @gpa is beyond 48 bits. */
int ept_walk(const struct ept *e, u64 gpa, struct ept_walk *w);

/*
 * The EPT pointer for the VMCS: WB paging structures, 4-level walk,
 * accessed/dirty flags when @ad (only if the capability has them).
 */
u64 ept_eptp(const struct ept *e, bool ad);

/* ---- Guest page-table walk, SDM Vol.3A 4.3-4.5 ---- */
enum gpt_mode {
	GPT_MODE_FLAT, /* CR0.PG = 0: linear = physical */
	GPT_MODE_32BIT, /* CR0.PG = 1, CR4.PAE = 0 */
	GPT_MODE_PAE, /* CR4.PAE = 1, EFER.LMA = 0 */
	GPT_MODE_4LEVEL, /* EFER.LMA = 1, CR4.LA57 = 0 */
};

/* Read or write guest-physical memory; return 0 or a negative errno. */
typedef int (*gpt_read_fn)(void *ctx, u64 gpa, void *buf, size_t len);
typedef int (*gpt_write_fn)(void *ctx, u64 gpa, const void *buf, size_t len);

struct gpt_walker {
	enum gpt_mode mode;
	u64 cr3;
	bool pse; /* CR4.PSE: 4M pages in 32-bit mode */
	gpt_read_fn read;
	gpt_write_fn write; /* only gpt_write_linear() needs it */
	void *ctx;
	/* Only gpt_translate_access() looks at these: */
	bool wp; /* CR0.WP: supervisor writes honour R/W */
	bool nxe; /* EFER.NXE: XD bits forbid fetches */
	bool smap; /* CR4.SMAP: supervisor data access to user pages... */
	bool ac; /* ...faults unless RFLAGS.AC (explicit accesses) */
	bool pke; /* CR4.PKE: protection keys on user pages (4-level) */
	u32 pkru; /* PKRU: AD (bit 2k) and WD (bit 2k + 1) of key k */
};

/* #PF error code bits, SDM Vol.3A 4.7 (rev 080); an access is described
 * with the same bits (W: write, U: CPL 3, I: instruction fetch). */
#define GPT_PF_P BIT(0) /* 0: not present; 1: protection */
#define GPT_PF_W BIT(1)
#define GPT_PF_U BIT(2)
#define GPT_PF_I BIT(4)
#define GPT_PF_PK BIT(5) /* protection-key violation */
/* gpt_translate_access() result: the access takes #PF. */
#define GPT_PAGE_FAULT 1

enum gpt_mode gpt_mode_from_regs(u64 cr0, u64 cr4, u64 efer);

/*
 * Translate @gla to a guest-physical address. Returns 0, -ENOENT when a
 * level is not present (the guest would take #PF), -EINVAL for a
 * non-canonical address or reserved bits, or the read callback's error.
 * Accessed/dirty bits are not set: this is an inspection, not an access.
 */
int gpt_translate(const struct gpt_walker *w, u64 gla, u64 *gpa);
/*
 * Translate @gla for an @access (GPT_PF_W/U/I) as the CPU would perform
 * it, checking U/S, R/W (with CR0.WP) and XD over every level, SMAP for a
 * supervisor data access and protection keys for a data access to a user
 * page (SDM Vol.3A 4.6.1, 4.6.2). GPT_PF_U is the access at CPL 3; every
 * access is taken as explicit (implicit supervisor accesses ignore AC: no
 * caller makes one). Returns 0, GPT_PAGE_FAULT with the #PF error code in *@pf_error,
 * or a negative errno (reserved bits, tables outside memory).
 */
int gpt_translate_access(const struct gpt_walker *w, u64 gla, u32 access,
			 u64 *gpa, u32 *pf_error);
/* Read @len bytes at @gla, crossing page boundaries as needed. */
int gpt_read_linear(const struct gpt_walker *w, u64 gla, void *buf, size_t len);
/* Write @len bytes at @gla, crossing page boundaries as needed. */
int gpt_write_linear(const struct gpt_walker *w, u64 gla, const void *buf,
		     size_t len);

#endif

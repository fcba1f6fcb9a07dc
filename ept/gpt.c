// SPDX-License-Identifier: MIT
/*
 * Guest page-table walker: translates a guest linear address the way the
 * guest's MMU would (SDM Vol.3A 4.3 32-bit paging, 4.4 PAE paging, 4.5
 * 4-level paging, rev 080), reading the tables through a callback. Used to
 * fetch the instruction that caused an MMIO EPT violation.
 *
 * PAE note: the CPU caches the four PDPTEs when CR3 is loaded (and VMX keeps
 * them in the VMCS); this walker rereads them from memory at CR3, which is
 * what they hold unless the guest changed them without reloading CR3.
 */
#include "ept/ept.h"
#include "arch/x86/arch.h"

#define PTE32_ADDR GENMASK(31, 12)
#define PDE32_4M_ADDR GENMASK(31, 22)
#define PDE32_4M_HIGH GENMASK(20, 13) /* PSE-36: address bits 39:32 */
#define PAE_CR3_ADDR GENMASK(31, 5)

enum gpt_mode gpt_mode_from_regs(u64 cr0, u64 cr4, u64 efer)
{
	if (!(cr0 & X86_CR0_PG))
		return GPT_MODE_FLAT;
	if (efer & EFER_LMA)
		return GPT_MODE_4LEVEL;
	if (cr4 & X86_CR4_PAE)
		return GPT_MODE_PAE;
	return GPT_MODE_32BIT;
}

static int read32(const struct gpt_walker *w, u64 gpa, u32 *v)
{
	return w->read(w->ctx, gpa, v, sizeof(*v));
}

static int read64(const struct gpt_walker *w, u64 gpa, u64 *v)
{
	return w->read(w->ctx, gpa, v, sizeof(*v));
}

/* The rights of a translation: R/W and U/S of every level ANDed, XD
 * ORed (SDM Vol.3A 4.6.1); the last entry seen, the one that maps the
 * page, holds its protection key. */
struct gpt_perm {
	bool rw, us, xd;
	u64 leaf;
};

/* Protection key of a 4-level paging entry mapping a page (SDM Vol.3A
 * 4.6.2, bits 62:59 of the PTE or of a PDE/PDPTE with PS). */
#define PTE_PKEY GENMASK(62, 59)
#define PKRU_AD(k) BIT(2 * (k)) /* access disable */
#define PKRU_WD(k) BIT(2 * (k) + 1) /* write disable */

static void perm_add(const struct gpt_walker *w, struct gpt_perm *p, u64 e)
{
	p->rw = p->rw && (e & PTE_RW);
	p->us = p->us && (e & PTE_US);
	p->xd = p->xd || (w->nxe && (e & PTE_NX));
	p->leaf = e;
}

static int walk_32bit(const struct gpt_walker *w, u32 gla, u64 *gpa,
		      struct gpt_perm *p)
{
	u32 pde, pte;
	int ret;

	ret = read32(w, (w->cr3 & PTE32_ADDR) + ((gla >> 22) << 2), &pde);
	if (ret)
		return ret;
	if (!(pde & PTE_P))
		return -ENOENT;
	perm_add(w, p, pde);
	if ((pde & PTE_PS) && w->pse) {
		*gpa = (pde & PDE32_4M_ADDR) |
		       (FIELD_GET(PDE32_4M_HIGH, pde) << 32) |
		       (gla & (BIT(22) - 1));
		return 0;
	}
	ret = read32(w, (pde & PTE32_ADDR) + (((gla >> 12) & 0x3ff) << 2),
		     &pte);
	if (ret)
		return ret;
	if (!(pte & PTE_P))
		return -ENOENT;
	perm_add(w, p, pte);
	*gpa = (pte & PTE32_ADDR) | (gla & (PAGE_SIZE - 1));
	return 0;
}

/*
 * The lower levels shared by PAE and 4-level paging: from the table at
 * @table (a page directory pointer table when @level is 2, a page directory
 * when 1) down to the 4K page.
 */
static int walk_levels(const struct gpt_walker *w, u64 table, int level,
		       u64 gla, u64 *gpa, struct gpt_perm *p)
{
	for (; level >= 0; level--) {
		unsigned int shift = 12 + 9 * level;
		u64 e;
		int ret;

		ret = read64(w, table + ((gla >> shift) & 0x1ff) * 8, &e);
		if (ret)
			return ret;
		if (!(e & PTE_P))
			return -ENOENT;
		perm_add(w, p, e);
		if (level > 0 && (e & PTE_PS)) {
			u64 mask = BIT(shift) - 1;

			*gpa = (e & PTE_ADDR_MASK & ~mask) | (gla & mask);
			return 0;
		}
		table = e & PTE_ADDR_MASK;
		if (level == 0) {
			*gpa = table | (gla & (PAGE_SIZE - 1));
			return 0;
		}
	}
	return -EINVAL;
}

static int walk(const struct gpt_walker *w, u64 gla, u64 *gpa,
		struct gpt_perm *p)
{
	u64 e;
	int ret;

	switch (w->mode) {
	case GPT_MODE_FLAT:
		*gpa = gla & 0xffffffffULL;
		return 0;
	case GPT_MODE_32BIT:
		return walk_32bit(w, (u32)gla, gpa, p);
	case GPT_MODE_PAE:
		gla &= 0xffffffffULL;
		ret = read64(w, (w->cr3 & PAE_CR3_ADDR) + (gla >> 30) * 8, &e);
		if (ret)
			return ret;
		if (!(e & PTE_P))
			return -ENOENT;
		/* PAE PDPTEs carry no R/W, U/S or XD. */
		return walk_levels(w, e & PTE_ADDR_MASK, 1, gla, gpa, p);
	case GPT_MODE_4LEVEL: {
		/* Canonical: bits 63:47 all equal (SDM Vol.1 3.3.7.1). */
		s64 top = (s64)gla >> 47;

		if (top != 0 && top != -1)
			return -EINVAL;
		ret = read64(
			w, (w->cr3 & PTE_ADDR_MASK) + ((gla >> 39) & 0x1ff) * 8,
			&e);
		if (ret)
			return ret;
		if (!(e & PTE_P))
			return -ENOENT;
		if (e & PTE_PS) /* reserved in a PML4E */
			return -EINVAL;
		perm_add(w, p, e);
		return walk_levels(w, e & PTE_ADDR_MASK, 2, gla, gpa, p);
	}
	}
	return -EINVAL;
}

int gpt_translate(const struct gpt_walker *w, u64 gla, u64 *gpa)
{
	struct gpt_perm p = { true, true, false, 0 };

	return walk(w, gla, gpa, &p);
}

/*
 * SDM Vol.3A 4.6.1: a user access needs U/S everywhere; a user write, or
 * a supervisor write with CR0.WP, needs R/W everywhere; a fetch needs XD
 * clear everywhere. With CR4.SMAP a supervisor data access to a user page
 * (U/S everywhere) needs RFLAGS.AC. (SMEP, which is about fetches, is
 * not modelled: no caller fetches.)
 */
static bool allowed(const struct gpt_walker *w, const struct gpt_perm *p,
		    u32 access)
{
	bool user = access & GPT_PF_U, fetch = access & GPT_PF_I;

	if (user && !p->us)
		return false;
	if ((access & GPT_PF_W) && !p->rw && (user || w->wp))
		return false;
	if (!user && !fetch && p->us && w->smap && !w->ac)
		return false;
	return !(fetch && p->xd);
}

/*
 * SDM Vol.3A 4.6.2: with 4-level paging and CR4.PKE, a data access to a
 * user page is refused when PKRU's AD bit of the page's key is set; a
 * write also when WD is, if it is a user write or CR0.WP is on.
 */
static bool key_allows(const struct gpt_walker *w, const struct gpt_perm *p,
		       u32 access)
{
	unsigned int key = (unsigned int)FIELD_GET(PTE_PKEY, p->leaf);
	bool user = access & GPT_PF_U;

	if (!w->pke || w->mode != GPT_MODE_4LEVEL || !p->us ||
	    (access & GPT_PF_I))
		return true;
	if (w->pkru & PKRU_AD(key))
		return false;
	return !((access & GPT_PF_W) && (w->pkru & PKRU_WD(key)) &&
		 (user || w->wp));
}

int gpt_translate_access(const struct gpt_walker *w, u64 gla, u32 access,
			 u64 *gpa, u32 *pf_error)
{
	struct gpt_perm p = { true, true, false, 0 };
	int ret = walk(w, gla, gpa, &p);
	bool key_ok;

	access &= GPT_PF_W | GPT_PF_U | GPT_PF_I;
	if (ret == -ENOENT) {
		*pf_error = access;
		return GPT_PAGE_FAULT;
	}
	if (ret)
		return ret;
	/* PK says whether the key refused it, with the other checks or
	 * alone (the error code's bit 5, SDM Vol.3A 4.7). */
	key_ok = key_allows(w, &p, access);
	if (!allowed(w, &p, access) || !key_ok) {
		*pf_error = access | GPT_PF_P | (key_ok ? 0 : GPT_PF_PK);
		return GPT_PAGE_FAULT;
	}
	return 0;
}

/*
 * Both directions walk page by page: each page of the range may map to a
 * different guest-physical page.
 */
static int gpt_copy_linear(const struct gpt_walker *w, u64 gla, u8 *buf,
			   size_t len, bool write)
{
	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (gla & (PAGE_SIZE - 1)));
		u64 gpa;
		int ret = gpt_translate(w, gla, &gpa);

		if (ret)
			return ret;
		ret = write ? w->write(w->ctx, gpa, buf, chunk) :
			      w->read(w->ctx, gpa, buf, chunk);
		if (ret)
			return ret;
		buf += chunk;
		gla += chunk;
		len -= chunk;
	}
	return 0;
}

int gpt_read_linear(const struct gpt_walker *w, u64 gla, void *buf, size_t len)
{
	return gpt_copy_linear(w, gla, buf, len, false);
}

int gpt_write_linear(const struct gpt_walker *w, u64 gla, const void *buf,
		     size_t len)
{
	if (!w->write)
		return -EINVAL;
	return gpt_copy_linear(w, gla, (u8 *)buf, len, true);
}

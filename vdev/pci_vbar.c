// SPDX-License-Identifier: MIT
/*
 * The BARs of the guest's virtual configuration space (vdev/pci_vbar.h):
 * the registers as the guest sees them, and the EPT mappings that follow
 * them to the devices' real registers when a place is allowed. The policy
 * is in docs/vmx.md ("PCI configuration space", BARs). In short: while
 * the BAR's decode bit is on in the guest's COMMAND, the BAR reads back
 * where the device is (a refused write is undone); with it off the BAR
 * is plain storage, checked when decoding comes on; an address of all
 * ones (a size probe, PCI 3.0 6.2.5.1) is never a place.
 */
#include "core/lib.h"
#include "ept/ept.h"
#include "vdev/pci_vbar.h"

#define CFG_PAGE 0x1000ULL
#define BAR_MEM_ADDR_MASK 0xfffffff0U /* PCI 3.0 6.2.5.1 */
#define PCI_BAR_MEM_ALIGN 0x10
#define BAR_IO_ADDR_MASK 0xfffcU /* x86 ports are 16 bits wide */
#define BAR_IO_FLAG_BITS 0x3U /* I/O space indicator, reserved */
/* The sizing write, all ones (PCI 3.0 6.2.5.1) */
#define BAR_PROBE 0xffffffffU

/* The value BAR register @i holds after the guest writes @v to it. */
static u32 bar_normalize(const struct pci_vfn *f, unsigned int i, u32 v)
{
	const struct pci_vbar *b = &f->bar[i];

	if (b->hi_half)
		return v & (u32)(f->bar[i - 1].mask >> 32);
	if (!b->size)
		return 0;
	if (b->io)
		return (v & (u32)b->mask) | PCI_BAR_IO;
	return (v & (u32)b->mask) | (b->is64 ? PCI_BAR_MEM_TYPE_64 : 0) |
	       (b->prefetch ? PCI_BAR_MEM_PREFETCH : 0);
}

/*
 * The bits sizing found, or, for a BAR described by its size alone, what
 * the widest decoder of its type would show.
 */
static u64 bar_mask(const struct pci_bar *bar)
{
	if (bar->mask || !bar->size)
		return bar->mask;
	if (bar->io)
		return ~(bar->size - 1) & BAR_IO_ADDR_MASK;
	if (bar->is64)
		return ~(bar->size - 1) & ~(u64)(PCI_BAR_MEM_ALIGN - 1);
	return ~(bar->size - 1) & BAR_MEM_ADDR_MASK;
}

/* The address BAR @i's registers hold (I/O: the port base). */
static u64 regs_addr(const struct pci_vfn *f, unsigned int i)
{
	const struct pci_vbar *b = &f->bar[i];
	u64 a = b->reg & (b->io ? ~(u32)BAR_IO_FLAG_BITS : BAR_MEM_ADDR_MASK);

	if (b->is64)
		a |= (u64)f->bar[i + 1].reg << 32;
	return a;
}

/* Which register's write sync_bar() follows: none (COMMAND), or a half. */
enum bar_write { BAR_WRITE_NONE, BAR_WRITE_LO, BAR_WRITE_HI };

/* Make BAR @i (both halves of a 64-bit one) read back @addr. */
static void set_regs(struct pci_vfn *f, unsigned int i, u64 addr)
{
	f->bar[i].reg = bar_normalize(f, i, (u32)addr);
	if (f->bar[i].is64)
		f->bar[i + 1].reg = bar_normalize(f, i + 1, (u32)(addr >> 32));
}

/*
 * Does BAR @i read back its size mask: the state the sizing write of PCI
 * 3.0 6.2.5.1 leaves, so no place? After a write to a BAR (@either) one
 * half is enough: firmware sizes and restores a 64-bit BAR half by half,
 * and the combinations in between are no one's choice. When decoding
 * comes on, only the whole mask counts: one half alone is a real address
 * (a BAR of 4 GiB or more decodes no low bit, and top-down firmware puts
 * BARs at k * 4 GiB - size, where the low half is all ones).
 */
static bool reads_mask(const struct pci_vfn *f, unsigned int i, bool either)
{
	const struct pci_vbar *b = &f->bar[i];
	u32 lo = (u32)b->mask &
		 (b->io ? ~(u32)BAR_IO_FLAG_BITS : BAR_MEM_ADDR_MASK),
	    hi = (u32)(b->mask >> 32);
	bool lo_ones = (b->reg & lo) == lo,
	     hi_ones = b->is64 && (f->bar[i + 1].reg & hi) == hi;

	if (either)
		return (lo && lo_ones) || (hi && hi_ones);
	return lo_ones && (!b->is64 || hi_ones);
}

u64 pci_vcfg_bar_gpa(const struct pci_vfn *f, unsigned int i)
{
	const struct pci_vbar *b = &f->bar[i];

	if (i >= f->nbars || b->io || !b->size || b->hi_half)
		return 0;
	return regs_addr(f, i);
}

static bool overlaps(u64 a, u64 asize, u64 b, u64 bsize)
{
	return a < b + bsize && b < a + asize;
}

static void log_line(struct pci_vcfg *c, const char *fmt, ...) __printf(2, 3);

static void log_line(struct pci_vcfg *c, const char *fmt, ...)
{
	char line[PCI_VCFG_LINE];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->ops->log(c->ops->ctx, line);
}

/*
 * Refusals are logged once per new address and at most PCI_VCFG_LOG_MAX
 * times in all, so a guest that loops on bad moves cannot flood the log.
 */
static void refuse(struct pci_vcfg *c, struct pci_vfn *f, unsigned int i,
		   u64 gpa, const char *why)
{
	struct pci_vbar *b = &f->bar[i];

	c->refusals++;
	if (gpa == b->refused_gpa || c->logged > PCI_VCFG_LOG_MAX)
		return;
	b->refused_gpa = gpa;
	if (c->logged++ == PCI_VCFG_LOG_MAX) {
		log_line(c,
			 "keel: guest: PCI BAR refusals: no more are logged");
		return;
	}
	if (gpa != b->gpa && (b->mapped || b->io))
		log_line(
			c,
			"keel: guest: PCI %02x:%02x.%u BAR%u at %#llx refused (%s): it stays at %#llx",
			f->bdf >> 8, (f->bdf >> 3) & 0x1f, f->bdf & 7, i,
			(unsigned long long)gpa, why,
			(unsigned long long)b->gpa);
	else
		log_line(
			c,
			"keel: guest: PCI %02x:%02x.%u BAR%u at %#llx refused (%s): not mapped",
			f->bdf >> 8, (f->bdf >> 3) & 0x1f, f->bdf & 7, i,
			(unsigned long long)gpa, why);
}

/* Why [lo, hi) may not hold BAR @i of @f, or NULL when it may. */
static const char *check_place(struct pci_vcfg *c, const struct pci_vfn *f,
			       unsigned int i, u64 gpa, u64 lo, u64 hi)
{
	const struct pci_vbar *b = &f->bar[i];
	const char *why;

	if (b->nomap)
		return "its page holds a hidden device's registers";
	if (gpa >= EPT_GPA_LIMIT || b->size > EPT_GPA_LIMIT - gpa)
		return "beyond the guest-physical address width";
	if ((gpa ^ b->hpa) & (CFG_PAGE - 1))
		return "not at the registers' offset in a page";
	if (c->moves >= PCI_VCFG_MAX_MOVES)
		return "too many BAR moves for one guest";
	for (unsigned int r = 0; r < c->nforbid; r++)
		if (overlaps(lo, hi - lo, c->forbid[r].base, c->forbid[r].size))
			return c->forbid[r].what;
	/* Where the emulated ranges are now, not where they started. */
	why = c->ops->emulated ? c->ops->emulated(c->ops->ctx, lo, hi - lo) :
				 NULL;
	if (why)
		return why;
	for (unsigned int n = 0; n < c->nfns; n++) {
		for (unsigned int j = 0; j < c->fns[n].nbars; j++) {
			const struct pci_vbar *o = &c->fns[n].bar[j];

			if (o == b || !o->mapped ||
			    !overlaps(lo, hi - lo, o->map_gpa, o->map_size))
				continue;
			/* Small BARs that share a page map it the same way. */
			if (o->map_gpa - o->map_hpa !=
			    lo - ALIGN_DOWN(b->hpa, CFG_PAGE))
				return "overlaps another device's BAR";
		}
	}
	return NULL;
}

const char *pci_vcfg_place_taken(const struct pci_vcfg *c, u64 gpa, u64 size)
{
	for (unsigned int r = 0; r < c->nforbid; r++)
		if (overlaps(gpa, size, c->forbid[r].base, c->forbid[r].size))
			return c->forbid[r].what;
	for (unsigned int n = 0; n < c->nfns; n++)
		for (unsigned int j = 0; j < c->fns[n].nbars; j++) {
			const struct pci_vbar *o = &c->fns[n].bar[j];

			if (o->mapped &&
			    overlaps(gpa, size, o->map_gpa, o->map_size))
				return "a device's BAR is mapped there";
		}
	return NULL;
}

static void map_one(struct pci_vcfg *c, struct pci_vbar *b)
{
	if (c->ops->map(c->ops->ctx, b->map_gpa, b->map_hpa, b->map_size))
		b->mapped = false;
}

static void unmap_bar(struct pci_vcfg *c, struct pci_vbar *b)
{
	if (!b->mapped)
		return;
	c->ops->unmap(c->ops->ctx, b->map_gpa, b->map_size);
	b->mapped = false;
	/* Put back the pages a small BAR shared with another. */
	for (unsigned int n = 0; n < c->nfns; n++)
		for (unsigned int j = 0; j < c->fns[n].nbars; j++) {
			struct pci_vbar *o = &c->fns[n].bar[j];

			if (o->mapped && overlaps(b->map_gpa, b->map_size,
						  o->map_gpa, o->map_size))
				map_one(c, o);
		}
}

/*
 * Map memory BAR @i at @gpa, or say why not; a refused place leaves the
 * mapping where it was.
 */
static const char *place(struct pci_vcfg *c, struct pci_vfn *f, unsigned int i,
			 u64 gpa)
{
	struct pci_vbar *b = &f->bar[i];
	struct pci_vbar was = *b;
	u64 lo = ALIGN_DOWN(gpa, CFG_PAGE),
	    hi = ALIGN_UP(gpa + b->size, CFG_PAGE);
	const char *why;

	if (b->mapped && b->map_gpa == lo && !((gpa ^ b->hpa) & (CFG_PAGE - 1)))
		return NULL;
	why = check_place(c, f, i, gpa, lo, hi);
	if (why)
		return why;
	unmap_bar(c, b);
	b->map_gpa = lo;
	b->map_hpa = ALIGN_DOWN(b->hpa, CFG_PAGE);
	b->map_size = hi - lo;
	b->mapped = true;
	c->moves++;
	map_one(c, b);
	if (b->mapped)
		return NULL;
	if (was.mapped) {
		b->map_gpa = was.map_gpa;
		b->map_size = was.map_size;
		b->mapped = true;
		map_one(c, b);
	}
	return "the EPT could not map it";
}

/*
 * Make BAR @i and the EPT agree with the guest's registers and COMMAND.
 * With decoding off nothing decodes: unmapped, the registers are storage.
 * With it on, a size probe changes nothing, and any other address is a
 * move: followed when the place is allowed, else undone, so the BAR reads
 * back where the device is (b->gpa). I/O BARs never move: the device keeps
 * decoding its real ports. A refused write of a 64-bit BAR's low half
 * alone is kept aside (lo_pending) for the write of its high half.
 */
static void sync_bar(struct pci_vcfg *c, struct pci_vfn *f, unsigned int i,
		     enum bar_write written)
{
	struct pci_vbar *b = &f->bar[i];
	u16 decode = b->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	const char *why = NULL, *home_why = NULL;
	u64 want;

	if (!b->size || b->hi_half)
		return;
	if (!(f->cmd_view & decode)) {
		unmap_bar(c, b);
		return;
	}
	if (reads_mask(f, i, written != BAR_WRITE_NONE))
		return;
	want = regs_addr(f, i);
	if (want != b->gpa) {
		why = b->io ? "I/O BARs keep their ports" :
			      place(c, f, i, want);
		if (!why) {
			b->gpa = want;
			b->refused_gpa = ~0ULL;
			return;
		}
		if (written == BAR_WRITE_LO && b->is64) {
			b->lo_pending = true;
			b->pending_lo = b->reg;
		}
		set_regs(f, i, b->gpa);
	}
	if (!b->io)
		home_why = place(c, f, i, b->gpa);
	if (why)
		refuse(c, f, i, want, why);
	if (home_why)
		refuse(c, f, i, b->gpa, home_why);
}

void pci_vbar_sync_all(struct pci_vcfg *c, struct pci_vfn *f)
{
	for (unsigned int i = 0; i < f->nbars; i++) {
		f->bar[i].lo_pending = false;
		sync_bar(c, f, i, BAR_WRITE_NONE);
	}
}

u8 pci_vbar_read_byte(const struct pci_vfn *f, unsigned int off)
{
	return (u8)(f->bar[(off - PCI_BAR0) / 4].reg >> (8 * (off & 3)));
}

void pci_vbar_write_byte(struct pci_vfn *f, unsigned int off, u8 v)
{
	struct pci_vbar *b = &f->bar[(off - PCI_BAR0) / 4];
	unsigned int sh = 8 * (off & 3);

	b->reg = (b->reg & ~(0xffU << sh)) | (u32)v << sh;
}

void pci_vbar_written(struct pci_vcfg *c, struct pci_vfn *f, u32 regs)
{
	for (unsigned int i = 0; i < f->nbars; i++) {
		struct pci_vbar *b = &f->bar[i];
		struct pci_vbar *lo = b->hi_half ? b - 1 : b;
		bool probe = b->reg == BAR_PROBE, pending = lo->lo_pending;

		if (!(regs & BIT(i)))
			continue;
		/*
		 * Sizing the high half leaves the low register as written, so
		 * the refused low half still waits for the high half's write.
		 */
		if (!(probe && b->hi_half))
			lo->lo_pending = false;
		b->reg = bar_normalize(f, i, b->reg);
		/* The sizing write only makes the BAR read its mask. */
		if (probe)
			continue;
		if (!b->hi_half) {
			sync_bar(c, f, i, BAR_WRITE_LO);
			continue;
		}
		/* The move is to the low half the guest last wrote. */
		if (pending)
			lo->reg = lo->pending_lo;
		sync_bar(c, f, i - 1, BAR_WRITE_HI);
	}
}

void pci_vbar_add(struct pci_vfn *f, const struct pci_dev *d, u32 nomap_mask)
{
	for (unsigned int i = 0; i < f->nbars; i++) {
		struct pci_vbar *b = &f->bar[i];

		b->hpa = d->bars[i].base;
		b->size = d->bars[i].size;
		b->mask = bar_mask(&d->bars[i]);
		b->io = d->bars[i].io;
		b->is64 = d->bars[i].is64 && i + 1 < f->nbars;
		b->prefetch = d->bars[i].prefetch;
		b->nomap = nomap_mask & BIT(i);
		b->refused_gpa = ~0ULL;
		b->lo_pending = false;
		b->hi_half = i > 0 && f->bar[i - 1].is64 && f->bar[i - 1].size;
		if (b->hi_half)
			b->reg = bar_normalize(f, i, (u32)(b[-1].hpa >> 32));
		else
			b->reg = bar_normalize(f, i, (u32)b->hpa);
	}
	for (unsigned int i = 0; i < f->nbars; i++)
		f->bar[i].gpa = regs_addr(f, i);
}

/* ---- a BAR Keel emulates ---- */

void pci_ebar_init(struct pci_ebar *e, u64 base, u32 size)
{
	e->base = base;
	e->size = size;
	e->reg = (u32)base;
}

const char *pci_ebar_sync(struct pci_ebar *e, bool decode,
			  pci_ebar_move_fn move, void *ctx)
{
	u64 want = e->reg;
	const char *why;

	/* The sizing write leaves the register reading its mask. */
	if (!decode || want == e->base || e->reg == (u32) ~(e->size - 1))
		return NULL;
	why = move(ctx, want);
	if (why)
		e->reg = (u32)e->base;
	else
		e->base = want;
	return why;
}

const char *pci_ebar_write(struct pci_ebar *e, u32 v, bool decode,
			   pci_ebar_move_fn move, void *ctx)
{
	e->reg = v & ~(e->size - 1);
	return pci_ebar_sync(e, decode, move, ctx);
}

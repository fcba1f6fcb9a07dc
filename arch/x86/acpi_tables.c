// SPDX-License-Identifier: MIT
/*
 * ACPI discovery: the RSDP (from the multiboot2 copies, else the EBDA and BIOS
 * area scan), the XSDT or RSDT, and every table they list. Each table's
 * signature, length and checksum are checked before it is parsed; a bad one
 * is reported and left out. Pure: physical memory is read through the
 * platform's map hook only.
 */
#include "arch/x86/acpi.h"
#include "core/console.h"
#include "core/lib.h"

/* RSDP, ACPI 6.4 5.2.5.3 table 5.27 */
#define RSDP_SIG "RSD PTR "
#define RSDP_SIG_LEN 8
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define RSDP_V1_LEN 20 /* checksum covers these bytes */
#define RSDP_V2_LEN 36 /* extended checksum covers Length bytes */
#define RSDP_REV_V2 2
#define RSDP_MAX_LEN 4096 /* sanity bound on the Length field */

/* Where an IA-PC RSDP may be, ACPI 6.4 5.2.5.1 */
#define BDA_EBDA_SEG 0x40e
#define EBDA_SCAN_LEN 1024
#define BIOS_AREA 0xe0000
#define BIOS_AREA_LEN 0x20000
#define RSDP_SCAN_STEP 16

/* Fields of the table header (ACPI_HDR_LEN), ACPI 6.4 5.2.6 table 5.29 */
#define HDR_SIG 0
#define HDR_LEN 4
#define ACPI_SIG_LEN 4
/* No real table comes near this; a larger Length is corruption. */
#define ACPI_MAX_TABLE_LEN MiB(16)

struct scan {
	const struct acpi_platform *plat;
	struct acpi_info *ai;
};

bool acpi_checksum_ok(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

static const void *map(struct scan *s, u64 phys, u64 len)
{
	if (!len || phys + len < phys)
		return NULL;
	return s->plat->map(phys, len, s->plat->ctx);
}

/* A printable copy of a signature for messages. */
static void sig_str(const u8 *sig, char out[5])
{
	for (int i = 0; i < ACPI_SIG_LEN; i++)
		out[i] = sig[i] >= 0x20 && sig[i] < 0x7f ? (char)sig[i] : '?';
	out[ACPI_SIG_LEN] = '\0';
}

/*
 * Check an RSDP at @r with @avail readable bytes. Returns false if even the
 * ACPI 1.0 part is bad; *v2 says whether the XSDT address may be trusted.
 */
static bool rsdp_check(const u8 *r, u64 avail, bool *v2, bool quiet)
{
	u32 len;

	*v2 = false;
	if (avail < RSDP_V1_LEN || memcmp(r, RSDP_SIG, RSDP_SIG_LEN))
		return false;
	if (!acpi_checksum_ok(r, RSDP_V1_LEN)) {
		if (!quiet)
			pr_err("keel: acpi: RSDP: bad checksum, ignored\n");
		return false;
	}
	if (r[RSDP_REVISION] < RSDP_REV_V2)
		return true;
	if (avail < RSDP_V2_LEN)
		return true; /* a v1-sized copy of a v2 RSDP: use the RSDT */
	len = acpi_rd32(r + RSDP_LENGTH);
	if (len < RSDP_V2_LEN || len > avail || len > RSDP_MAX_LEN) {
		pr_err("keel: acpi: RSDP: length %u bad, XSDT not used\n", len);
		return true;
	}
	if (!acpi_checksum_ok(r, len)) {
		pr_err("keel: acpi: RSDP: bad extended checksum, XSDT not used\n");
		return true;
	}
	*v2 = true;
	return true;
}

static bool use_rsdp(struct scan *s, const u8 *r, u64 avail, u64 phys,
		     const char *from, bool quiet, u64 *rsdt, u64 *xsdt)
{
	bool v2;

	if (!rsdp_check(r, avail, &v2, quiet))
		return false;
	s->ai->rsdp_phys = phys;
	s->ai->rsdp_rev = r[RSDP_REVISION];
	s->ai->rsdp_from = from;
	*rsdt = acpi_rd32(r + RSDP_RSDT);
	*xsdt = v2 ? acpi_rd64(r + RSDP_XSDT) : 0;
	return true;
}

/* Scan [base, base+len) on 16-byte boundaries, ACPI 6.4 5.2.5.1. */
static bool scan_area(struct scan *s, u64 base, u64 len, const char *from,
		      u64 *rsdt, u64 *xsdt)
{
	const u8 *area = map(s, base, len);

	if (!area)
		return false;
	for (u64 off = 0; off + RSDP_V1_LEN <= len; off += RSDP_SCAN_STEP) {
		const u8 *r = area + off;
		u64 avail = len - off;

		if (memcmp(r, RSDP_SIG, RSDP_SIG_LEN))
			continue;
		/* Map a v2 RSDP whole: it may run past the area's end. */
		if (r[RSDP_REVISION] >= RSDP_REV_V2) {
			const u8 *h = map(s, base + off, RSDP_V2_LEN);
			u32 l = h ? acpi_rd32(h + RSDP_LENGTH) : 0;
			const u8 *whole = l >= RSDP_V2_LEN &&
							  l <= RSDP_MAX_LEN ?
						  map(s, base + off, l) :
						  NULL;

			if (whole) {
				r = whole;
				avail = l;
			}
		}
		if (use_rsdp(s, r, avail, base + off, from, true, rsdt, xsdt))
			return true;
	}
	return false;
}

static bool find_rsdp(struct scan *s, const struct boot_info *bi, u64 *rsdt,
		      u64 *xsdt)
{
	const u8 *bda;

	if (bi && bi->rsdp_v2 &&
	    use_rsdp(s, bi->rsdp_v2, bi->rsdp_v2_len,
		     (u64)(uintptr_t)bi->rsdp_v2, "mb2 tag 15", false, rsdt,
		     xsdt))
		return true;
	if (bi && bi->rsdp_v1 &&
	    use_rsdp(s, bi->rsdp_v1, RSDP_V1_LEN, (u64)(uintptr_t)bi->rsdp_v1,
		     "mb2 tag 14", false, rsdt, xsdt))
		return true;
	bda = map(s, BDA_EBDA_SEG, 2);
	if (bda) {
		u64 ebda = (u64)acpi_rd16(bda) << 4;

		if (ebda &&
		    scan_area(s, ebda, EBDA_SCAN_LEN, "EBDA", rsdt, xsdt))
			return true;
	}
	return scan_area(s, BIOS_AREA, BIOS_AREA_LEN, "BIOS", rsdt, xsdt);
}

static void table_bad(struct scan *s, const char *sig, u64 phys,
		      const char *why, u32 val)
{
	s->ai->n_bad++;
	pr_err("keel: acpi: %s at 0x%llx: %s (%u), ignored\n", sig,
	       (unsigned long long)phys, why, val);
}

/*
 * Map and check the table at @phys: header readable, signature as @want (if
 * given), 36 <= Length <= 16 MiB, no wrap, whole table readable, checksum.
 * Records a good table in ai->tables and returns it, else NULL.
 */
static const u8 *load_table(struct scan *s, u64 phys, const char *want,
			    u32 *len_out)
{
	struct acpi_info *ai = s->ai;
	const u8 *h, *t;
	char sig[5];
	u32 len;

	h = map(s, phys, ACPI_HDR_LEN);
	if (!h) {
		table_bad(s, want ? want : "table", phys,
			  "header outside memory, length", ACPI_HDR_LEN);
		return NULL;
	}
	sig_str(h + HDR_SIG, sig);
	len = acpi_rd32(h + HDR_LEN);
	if (want && memcmp(h + HDR_SIG, want, ACPI_SIG_LEN)) {
		table_bad(s, want, phys, "wrong signature, first byte",
			  h[HDR_SIG]);
		return NULL;
	}
	if (len < ACPI_HDR_LEN) {
		table_bad(s, sig, phys, "length below header size", len);
		return NULL;
	}
	if (len > ACPI_MAX_TABLE_LEN || phys + len < phys) {
		table_bad(s, sig, phys, "length too large", len);
		return NULL;
	}
	t = map(s, phys, len);
	if (!t) {
		table_bad(s, sig, phys, "table outside memory, length", len);
		return NULL;
	}
	if (!acpi_checksum_ok(t, len)) {
		table_bad(s, sig, phys, "bad checksum, length", len);
		return NULL;
	}
	if (ai->n_tables < ACPI_MAX_TABLES) {
		struct acpi_table_ref *r = &ai->tables[ai->n_tables++];

		memcpy(r->sig, sig, sizeof(r->sig));
		r->phys = phys;
		r->len = len;
	}
	*len_out = len;
	return t;
}

static void load_dsdt(struct scan *s)
{
	struct acpi_info *ai = s->ai;
	const u8 *t;
	u32 len;

	if (!ai->fadt.dsdt)
		return;
	t = load_table(s, ai->fadt.dsdt, "DSDT", &len);
	/* A bad X_DSDT: the 32-bit field may still name a good one. */
	if (!t && ai->fadt.dsdt32 && ai->fadt.dsdt32 != ai->fadt.dsdt) {
		pr_warn("keel: acpi: trying the FADT's 32-bit DSDT at %#x\n",
			ai->fadt.dsdt32);
		t = load_table(s, ai->fadt.dsdt32, "DSDT", &len);
	}
	if (!t)
		return;
	if (!acpi_find_s5(t + ACPI_HDR_LEN, len - ACPI_HDR_LEN,
			  &ai->s5_slp_typa, &ai->s5_slp_typb))
		ai->have_s5 = true;
}

static bool seen(const struct acpi_info *ai, u64 phys, unsigned int upto)
{
	for (unsigned int i = 0; i < upto; i++)
		if (ai->tables[i].phys == phys)
			return true;
	return false;
}

#define ACPI_ROOT_MAX_ENTRIES 256

static void parse_entry(struct scan *s, u64 phys)
{
	struct acpi_info *ai = s->ai;
	unsigned int before = ai->n_tables;
	const u8 *t;
	u32 len;

	if (!phys || seen(ai, phys, before))
		return;
	t = load_table(s, phys, NULL, &len);
	if (!t)
		return;
	/* Only the first valid table of each kind is used. */
	if (!memcmp(t, "FACP", ACPI_SIG_LEN) && !ai->fadt.present) {
		if (!acpi_parse_fadt(t, len, &ai->fadt))
			load_dsdt(s);
	} else if (!memcmp(t, "APIC", ACPI_SIG_LEN) && !ai->have_madt) {
		acpi_parse_madt(t, len, ai);
	} else if (!memcmp(t, "MCFG", ACPI_SIG_LEN) && !ai->n_mcfg) {
		acpi_parse_mcfg(t, len, ai);
	} else if (!memcmp(t, "HPET", ACPI_SIG_LEN) && !ai->hpet.present) {
		acpi_parse_hpet(t, len, &ai->hpet);
	} else if (!memcmp(t, "DMAR", ACPI_SIG_LEN) && !ai->have_dmar) {
		ai->have_dmar = true;
		ai->dmar_phys = phys;
		ai->dmar_len = len;
		ai->dmar_bad = acpi_parse_dmar(t, len, &ai->dmar) != 0;
	}
}

int acpi_init(const struct acpi_platform *plat, const struct boot_info *bi,
	      struct acpi_info *ai)
{
	struct scan s = { .plat = plat, .ai = ai };
	u64 rsdt = 0, xsdt = 0;
	const u8 *root = NULL;
	u32 len = 0, esz, n, i;

	memset(ai, 0, sizeof(*ai));
	if (!find_rsdp(&s, bi, &rsdt, &xsdt)) {
		pr_err("keel: acpi: no RSDP found\n");
		return -ENODEV;
	}
	/* ACPI 6.4 5.2.5.3: a 2.0+ OS uses the XSDT when there is one. */
	if (xsdt) {
		root = load_table(&s, xsdt, "XSDT", &len);
		ai->xsdt = root != NULL;
	}
	if (!root && rsdt)
		root = load_table(&s, rsdt, "RSDT", &len);
	if (!root) {
		pr_err("keel: acpi: no usable XSDT or RSDT\n");
		return -ENODEV;
	}
	ai->present = true;
	ai->root_phys = ai->xsdt ? xsdt : rsdt;
	esz = ai->xsdt ? 8 : 4; /* 5.2.8 64-bit, 5.2.7 32-bit entries */
	n = (len - ACPI_HDR_LEN) / esz;
	/* Real machines list a few dozen tables; a crafted root of millions
	 * of entries (each mapped and summed again) would hold boot up. */
	if (n > ACPI_ROOT_MAX_ENTRIES) {
		pr_warn("keel: acpi: %s lists %u tables; reading the first %u\n",
			ai->xsdt ? "XSDT" : "RSDT", n, ACPI_ROOT_MAX_ENTRIES);
		n = ACPI_ROOT_MAX_ENTRIES;
	}
	for (i = 0; i < n; i++) {
		const u8 *e = root + ACPI_HDR_LEN + i * esz;

		parse_entry(&s, ai->xsdt ? acpi_rd64(e) : acpi_rd32(e));
	}
	return 0;
}

static void print_gas(char *buf, size_t len, const struct acpi_gas *g)
{
	static const char *const space[] = { "mem", "io", "pci" };

	ksnprintf(buf, len, "%s:0x%llx", g->space < 3 ? space[g->space] : "?",
		  (unsigned long long)g->addr);
}

static void print_fadt(const struct acpi_info *ai)
{
	const struct acpi_fadt *f = &ai->fadt;
	char reset[40] = "none";

	if (f->have_reset) {
		char gas[32];

		print_gas(gas, sizeof(gas), &f->reset_reg);
		ksnprintf(reset, sizeof(reset), "%s=0x%x", gas, f->reset_value);
	}
	pr_info("keel: acpi: FADT: PM1a_CNT 0x%x PM1b_CNT 0x%x PM_TMR 0x%x %s SCI %u reset %s century 0x%x boot_arch 0x%x%s\n",
		f->pm1a_cnt, f->pm1b_cnt, f->pm_tmr,
		f->pm_tmr_32bit ? "32-bit" : "24-bit", f->sci_irq, reset,
		f->century, f->iapc_boot_arch,
		f->hw_reduced ? " hw-reduced" : "");
	if (ai->have_s5)
		pr_info("keel: acpi: S5: SLP_TYPa %u SLP_TYPb %u\n",
			ai->s5_slp_typa, ai->s5_slp_typb);
	else
		pr_info("keel: acpi: S5: not found\n");
}

static void print_madt(const struct acpi_info *ai)
{
	unsigned int i;

	pr_info("keel: acpi: MADT: %u CPUs, %u IOAPICs, %u overrides, %u NMIs, LAPIC 0x%llx\n",
		ai->n_cpus, ai->n_ioapics, ai->n_overrides, ai->n_nmis,
		(unsigned long long)ai->lapic_base);
	for (i = 0; i < ai->n_ioapics; i++)
		pr_info("keel: acpi: IOAPIC %u at 0x%x GSI %u\n",
			ai->ioapics[i].id, ai->ioapics[i].addr,
			ai->ioapics[i].gsi_base);
	for (i = 0; i < ai->n_overrides; i++)
		pr_info("keel: acpi: ISO bus %u irq %u -> GSI %u flags 0x%x\n",
			ai->overrides[i].bus, ai->overrides[i].source,
			ai->overrides[i].gsi, ai->overrides[i].flags);
}

static void print_dmar(const struct acpi_info *ai)
{
	const struct acpi_dmar *d = &ai->dmar;
	unsigned int i;

	pr_info("keel: acpi: DMAR: %u DRHD, %u RMRR, HAW %u\n", d->n_units,
		d->n_rmrrs, d->host_addr_width + 1);
	for (i = 0; i < d->n_units; i++)
		pr_info("keel: acpi: DRHD 0x%llx seg %u flags 0x%x scopes %u%s\n",
			(unsigned long long)d->units[i].reg_base,
			d->units[i].seg, d->units[i].flags,
			d->units[i].n_scopes,
			d->units[i].include_pci_all ? " INCLUDE_PCI_ALL" : "");
	for (i = 0; i < d->n_rmrrs; i++)
		pr_info("keel: acpi: RMRR 0x%llx-0x%llx seg %u scopes %u\n",
			(unsigned long long)d->rmrrs[i].base,
			(unsigned long long)d->rmrrs[i].limit, d->rmrrs[i].seg,
			d->rmrrs[i].n_scopes);
}

void acpi_print_summary(const struct acpi_info *ai)
{
	unsigned int i;

	if (!ai->present) {
		pr_info("keel: acpi: not available\n");
		return;
	}
	pr_info("keel: acpi: RSDP at 0x%llx rev %u (%s) from %s\n",
		(unsigned long long)ai->rsdp_phys, ai->rsdp_rev,
		ai->xsdt ? "XSDT" : "RSDT", ai->rsdp_from);
	for (i = 0; i < ai->n_tables; i++)
		pr_info("keel: acpi: %s at 0x%llx len %u ok\n",
			ai->tables[i].sig,
			(unsigned long long)ai->tables[i].phys,
			ai->tables[i].len);
	if (ai->have_madt)
		print_madt(ai);
	for (i = 0; i < ai->n_mcfg; i++)
		pr_info("keel: acpi: MCFG: ECAM 0x%llx buses %u-%u seg %u\n",
			(unsigned long long)ai->mcfg[i].base,
			ai->mcfg[i].bus_start, ai->mcfg[i].bus_end,
			ai->mcfg[i].seg);
	if (ai->fadt.present)
		print_fadt(ai);
	if (ai->hpet.present)
		pr_info("keel: acpi: HPET: registers at 0x%llx, block id 0x%x\n",
			(unsigned long long)ai->hpet.base, ai->hpet.block_id);
	if (ai->have_dmar)
		print_dmar(ai);
	pr_info("keel: acpi: %u tables ok, %u bad\n", ai->n_tables, ai->n_bad);
}

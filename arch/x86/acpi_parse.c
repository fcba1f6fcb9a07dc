// SPDX-License-Identifier: MIT
/*
 * MADT, MCFG, FADT and HPET parsers. Pure: each gets a whole table already checked
 * for length and checksum, and reads nothing past the length it is given.
 */
#include "arch/x86/acpi.h"
#include "core/console.h"
#include "core/lib.h"

/* MADT, ACPI 6.4 5.2.12 */
#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_ENTRIES 44
#define MADT_E_TYPE 0
#define MADT_E_LEN 1
#define MADT_LAPIC 0 /* 5.2.12.2 */
#define MADT_LAPIC_LEN 8
#define MADT_LAPIC_UID 2
#define MADT_LAPIC_ID 3
#define MADT_LAPIC_FLAGS 4
#define MADT_IOAPIC 1 /* 5.2.12.3 */
#define MADT_IOAPIC_LEN 12
#define MADT_IOAPIC_ID 2
#define MADT_IOAPIC_ADDR 4
#define MADT_IOAPIC_GSI 8
#define MADT_ISO 2 /* 5.2.12.5 */
#define MADT_ISO_LEN 10
#define MADT_ISO_BUS 2
#define MADT_ISO_SRC 3
#define MADT_ISO_GSI 4
#define MADT_ISO_FLAGS 8
#define MADT_NMI_SRC 3 /* 5.2.12.6 */
#define MADT_NMI_SRC_LEN 8
#define MADT_NMI_SRC_FLAGS 2
#define MADT_NMI_SRC_GSI 4
#define MADT_LAPIC_NMI 4 /* 5.2.12.7 */
#define MADT_LAPIC_NMI_LEN 6
#define MADT_LAPIC_NMI_UID 2
#define MADT_LAPIC_NMI_FLAGS 3
#define MADT_LAPIC_NMI_LINT 5
#define MADT_LAPIC_OVR 5 /* 5.2.12.8 */
#define MADT_LAPIC_OVR_LEN 12
#define MADT_LAPIC_OVR_ADDR 4
#define MADT_X2APIC 9 /* 5.2.12.12 */
#define MADT_X2APIC_LEN 16
#define MADT_X2APIC_ID 4
#define MADT_X2APIC_FLAGS 8
#define MADT_X2APIC_UID 12
#define MADT_X2APIC_NMI 10 /* 5.2.12.13 */
#define MADT_X2APIC_NMI_LEN 12
#define MADT_X2APIC_NMI_FLAGS 2
#define MADT_X2APIC_NMI_UID 4
#define MADT_X2APIC_NMI_LINT 8
#define MADT_E_MIN 2 /* type and length */
/* Local APIC flags, ACPI 6.4 5.2.12.2 table 5.47 */
#define MADT_LAPIC_ENABLED BIT(0)
#define MADT_LAPIC_ONLINE_CAPABLE BIT(1)

/* HPET, IA-PC HPET spec 1.0a 3.2.4 table 3 */
#define HPET_BLOCK_ID 36
#define HPET_BASE_GAS 40
#define HPET_NUMBER 52
#define HPET_MIN_TICK 53
#define HPET_PAGE_PROT 55
#define HPET_LEN 56
/* Its register block is 1 KiB, 4.3; the table must place it aligned. */
#define HPET_REGS_ALIGN 0x400

/* MCFG, PCI Firmware 3.0 4.1.2 table 4-3 */
#define MCFG_ENTRIES 44 /* header + 8 reserved bytes */
#define MCFG_E_LEN 16
#define MCFG_E_BASE 0
#define MCFG_E_SEG 8
#define MCFG_E_BUS_START 10
#define MCFG_E_BUS_END 11

/* FADT, ACPI 6.4 5.2.9 table 5.34: byte offsets */
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_ACPI_DISABLE 53
#define FADT_PM1A_EVT 56
#define FADT_PM1B_EVT 60
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_PM_TMR 76
#define FADT_PM_TMR_LEN 91
#define FADT_CENTURY 108
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_EVT 148
#define FADT_X_PM1B_EVT 160
#define FADT_X_PM1A_CNT 172
#define FADT_X_PM1B_CNT 184
#define FADT_X_PM_TMR 208
#define FADT_V1_LEN 116 /* ACPI 1.0 FADT ends before RESET_REG */
#define FADT_PM_TMR_LEN_VALID 4 /* PM_TMR_LEN must be 4, 5.2.9 */
#define ACPI_GAS_LEN 12 /* ACPI 6.4 5.2.3.2 */
/* FADT flags, ACPI 6.4 5.2.9 table 5.35 */
#define FADT_F_TMR_VAL_EXT BIT(8)
#define FADT_F_RESET_REG_SUP BIT(10)
#define FADT_F_HW_REDUCED BIT(20)

static bool has(u32 len, u32 off, u32 size)
{
	return off <= len && size <= len - off;
}

static void add_cpu(struct acpi_info *ai, u32 apic_id, u32 uid, u32 flags,
		    bool x2)
{
	/* Neither enabled nor online-capable: not usable, says 5.2.12.2. */
	if (!(flags & (MADT_LAPIC_ENABLED | MADT_LAPIC_ONLINE_CAPABLE)))
		return;
	/* Firmware may list a CPU as both type 0 and type 9: keep one. */
	for (unsigned int i = 0; i < ai->n_cpus; i++)
		if (ai->cpus[i].apic_id == apic_id)
			return;
	if (ai->n_cpus == ACPI_MAX_CPUS) {
		pr_err("keel: acpi: MADT: more than %u CPUs, APIC ID 0x%x ignored\n",
		       ACPI_MAX_CPUS, apic_id);
		return;
	}
	ai->cpus[ai->n_cpus++] = (struct acpi_cpu){
		.apic_id = apic_id,
		.uid = uid,
		.enabled = flags & MADT_LAPIC_ENABLED,
		.x2apic = x2,
	};
}

static void add_nmi(struct acpi_info *ai, const struct acpi_nmi *n)
{
	if (ai->n_nmis < ACPI_MAX_NMIS)
		ai->nmis[ai->n_nmis++] = *n;
}

static const u8 madt_min_len[] = {
	[MADT_LAPIC] = MADT_LAPIC_LEN,
	[MADT_IOAPIC] = MADT_IOAPIC_LEN,
	[MADT_ISO] = MADT_ISO_LEN,
	[MADT_NMI_SRC] = MADT_NMI_SRC_LEN,
	[MADT_LAPIC_NMI] = MADT_LAPIC_NMI_LEN,
	[MADT_LAPIC_OVR] = MADT_LAPIC_OVR_LEN,
	[MADT_X2APIC] = MADT_X2APIC_LEN,
	[MADT_X2APIC_NMI] = MADT_X2APIC_NMI_LEN,
};

static void madt_entry(struct acpi_info *ai, const u8 *e)
{
	struct acpi_nmi nmi = { 0 };

	switch (e[MADT_E_TYPE]) {
	case MADT_LAPIC:
		add_cpu(ai, e[MADT_LAPIC_ID], e[MADT_LAPIC_UID],
			acpi_rd32(e + MADT_LAPIC_FLAGS), false);
		break;
	case MADT_X2APIC:
		add_cpu(ai, acpi_rd32(e + MADT_X2APIC_ID),
			acpi_rd32(e + MADT_X2APIC_UID),
			acpi_rd32(e + MADT_X2APIC_FLAGS), true);
		break;
	case MADT_IOAPIC:
		if (ai->n_ioapics == ACPI_MAX_IOAPICS)
			break;
		ai->ioapics[ai->n_ioapics++] = (struct acpi_ioapic){
			.id = e[MADT_IOAPIC_ID],
			.addr = acpi_rd32(e + MADT_IOAPIC_ADDR),
			.gsi_base = acpi_rd32(e + MADT_IOAPIC_GSI),
		};
		break;
	case MADT_ISO:
		if (ai->n_overrides == ACPI_MAX_OVERRIDES)
			break;
		ai->overrides[ai->n_overrides++] = (struct acpi_override){
			.bus = e[MADT_ISO_BUS],
			.source = e[MADT_ISO_SRC],
			.gsi = acpi_rd32(e + MADT_ISO_GSI),
			.flags = acpi_rd16(e + MADT_ISO_FLAGS),
		};
		break;
	case MADT_NMI_SRC:
		nmi.gsi = acpi_rd32(e + MADT_NMI_SRC_GSI);
		nmi.flags = acpi_rd16(e + MADT_NMI_SRC_FLAGS);
		add_nmi(ai, &nmi);
		break;
	case MADT_LAPIC_NMI:
		nmi.lapic = true;
		nmi.uid = e[MADT_LAPIC_NMI_UID];
		nmi.flags = acpi_rd16(e + MADT_LAPIC_NMI_FLAGS);
		nmi.lint = e[MADT_LAPIC_NMI_LINT];
		add_nmi(ai, &nmi);
		break;
	case MADT_X2APIC_NMI:
		nmi.lapic = true;
		nmi.uid = acpi_rd32(e + MADT_X2APIC_NMI_UID);
		nmi.flags = acpi_rd16(e + MADT_X2APIC_NMI_FLAGS);
		nmi.lint = e[MADT_X2APIC_NMI_LINT];
		add_nmi(ai, &nmi);
		break;
	case MADT_LAPIC_OVR:
		/* The 64-bit address replaces the 32-bit one, 5.2.12.8. */
		ai->lapic_base = acpi_rd64(e + MADT_LAPIC_OVR_ADDR);
		break;
	default:
		break; /* GIC, SAPIC and newer types do not concern Keel */
	}
}

int acpi_parse_madt(const void *tbl, u32 len, struct acpi_info *ai)
{
	const u8 *t = tbl;
	u32 off;

	if (len < MADT_ENTRIES) {
		pr_err("keel: acpi: MADT: length %u < %u, ignored\n", len,
		       MADT_ENTRIES);
		return -EINVAL;
	}
	ai->have_madt = true;
	ai->lapic_base = acpi_rd32(t + MADT_LAPIC_ADDR);
	ai->madt_flags = acpi_rd32(t + MADT_FLAGS);
	for (off = MADT_ENTRIES; off < len;) {
		u8 type, elen;

		if (len - off < MADT_E_MIN) {
			pr_err("keel: acpi: MADT: truncated entry header at offset %u\n",
			       off);
			return -EINVAL;
		}
		type = t[off + MADT_E_TYPE];
		elen = t[off + MADT_E_LEN];
		/* A length below 2 would never advance: stop the walk. */
		if (elen < MADT_E_MIN || elen > len - off) {
			pr_err("keel: acpi: MADT: entry type %u at offset %u has bad length %u\n",
			       type, off, elen);
			return -EINVAL;
		}
		if (type < ARRAY_SIZE(madt_min_len) &&
		    elen < madt_min_len[type]) {
			pr_err("keel: acpi: MADT: entry type %u at offset %u: length %u < %u\n",
			       type, off, elen, madt_min_len[type]);
			return -EINVAL;
		}
		madt_entry(ai, t + off);
		off += elen;
	}
	return 0;
}

int acpi_parse_mcfg(const void *tbl, u32 len, struct acpi_info *ai)
{
	const u8 *t = tbl;
	u32 off;

	if (len < MCFG_ENTRIES || (len - MCFG_ENTRIES) % MCFG_E_LEN) {
		pr_err("keel: acpi: MCFG: length %u is not %u + n * %u, ignored\n",
		       len, MCFG_ENTRIES, MCFG_E_LEN);
		return -EINVAL;
	}
	for (off = MCFG_ENTRIES; off < len; off += MCFG_E_LEN) {
		const u8 *e = t + off;
		struct acpi_mcfg m = {
			.base = acpi_rd64(e + MCFG_E_BASE),
			.seg = acpi_rd16(e + MCFG_E_SEG),
			.bus_start = e[MCFG_E_BUS_START],
			.bus_end = e[MCFG_E_BUS_END],
		};

		if (!m.base || m.bus_start > m.bus_end) {
			pr_err("keel: acpi: MCFG: entry at offset %u (base 0x%llx buses %u-%u) invalid, ignored\n",
			       off, (unsigned long long)m.base, m.bus_start,
			       m.bus_end);
			continue;
		}
		if (ai->n_mcfg < ACPI_MAX_MCFG)
			ai->mcfg[ai->n_mcfg++] = m;
	}
	return 0;
}

static void rd_gas(const u8 *p, struct acpi_gas *g)
{
	g->space = p[0];
	g->bit_width = p[1];
	g->bit_offset = p[2];
	g->access_size = p[3];
	g->addr = acpi_rd64(p + 4);
}

/*
 * A PM1/PM timer block: the X_ GAS wins when present, non-zero and in I/O
 * space (ACPI 6.4 5.2.9: "X_ fields take precedence"); Keel drives these
 * blocks with port I/O only.
 */
static u32 io_block(const u8 *t, u32 len, u32 legacy_off, u32 x_off)
{
	struct acpi_gas g;
	u32 port;

	if (has(len, x_off, ACPI_GAS_LEN)) {
		rd_gas(t + x_off, &g);
		if (g.addr && g.space == ACPI_GAS_IO && g.addr <= 0xffff)
			return (u32)g.addr;
	}
	port = has(len, legacy_off, 4) ? acpi_rd32(t + legacy_off) : 0;
	/* The legacy field is a port too: one past 0xFFFF is no block (it
	 * would be cut to an unrelated port). */
	return port <= 0xffff ? port : 0;
}

int acpi_parse_fadt(const void *tbl, u32 len, struct acpi_fadt *f)
{
	const u8 *t = tbl;
	u64 x_dsdt = 0;

	memset(f, 0, sizeof(*f));
	/* ACPI 1.0's FADT is the shortest one ever defined. */
	if (len < FADT_V1_LEN) {
		pr_err("keel: acpi: FACP: length %u < %u, ignored\n", len,
		       FADT_V1_LEN);
		return -EINVAL;
	}
	f->present = true;
	f->revision = t[8];
	f->sci_irq = acpi_rd16(t + FADT_SCI_INT);
	f->smi_cmd = acpi_rd32(t + FADT_SMI_CMD);
	f->acpi_enable = t[FADT_ACPI_ENABLE];
	f->acpi_disable = t[FADT_ACPI_DISABLE];
	f->pm1a_evt = io_block(t, len, FADT_PM1A_EVT, FADT_X_PM1A_EVT);
	f->pm1b_evt = io_block(t, len, FADT_PM1B_EVT, FADT_X_PM1B_EVT);
	f->pm1a_cnt = io_block(t, len, FADT_PM1A_CNT, FADT_X_PM1A_CNT);
	f->pm1b_cnt = io_block(t, len, FADT_PM1B_CNT, FADT_X_PM1B_CNT);
	f->flags = acpi_rd32(t + FADT_FLAGS);
	f->hw_reduced = f->flags & FADT_F_HW_REDUCED;
	/* PM_TMR_LEN is 4 when the timer exists, 0 when it does not. */
	if (t[FADT_PM_TMR_LEN] == FADT_PM_TMR_LEN_VALID)
		f->pm_tmr = io_block(t, len, FADT_PM_TMR, FADT_X_PM_TMR);
	f->pm_tmr_32bit = f->flags & FADT_F_TMR_VAL_EXT;
	f->century = t[FADT_CENTURY];
	/* IAPC_BOOT_ARCH was reserved (0) in ACPI 1.0 (revision 1). */
	f->iapc_boot_arch = acpi_rd16(t + FADT_IAPC_BOOT_ARCH);
	if ((f->flags & FADT_F_RESET_REG_SUP) &&
	    has(len, FADT_RESET_VALUE, 1)) {
		rd_gas(t + FADT_RESET_REG, &f->reset_reg);
		f->reset_value = t[FADT_RESET_VALUE];
		f->have_reset = f->reset_reg.addr != 0;
	}
	if (has(len, FADT_X_DSDT, 8))
		x_dsdt = acpi_rd64(t + FADT_X_DSDT);
	f->dsdt32 = acpi_rd32(t + FADT_DSDT);
	f->dsdt = x_dsdt ? x_dsdt : f->dsdt32;
	return 0;
}

/*
 * The HPET's register block must be in memory space and aligned: Keel
 * hands that page to the guest (vm/platform.c), so anything else is a
 * table not to trust.
 */
int acpi_parse_hpet(const void *tbl, u32 len, struct acpi_hpet *hpet)
{
	const u8 *t = tbl;
	struct acpi_gas g;

	memset(hpet, 0, sizeof(*hpet));
	if (len < HPET_LEN) {
		pr_err("keel: acpi: HPET: length %u, below %u, ignored\n", len,
		       HPET_LEN);
		return -EINVAL;
	}
	rd_gas(t + HPET_BASE_GAS, &g);
	if (g.space != ACPI_GAS_MEMORY || !g.addr || g.addr % HPET_REGS_ALIGN) {
		pr_err("keel: acpi: HPET: registers at 0x%llx in address space %u, not an aligned memory block, ignored\n",
		       (unsigned long long)g.addr, g.space);
		return -EINVAL;
	}
	hpet->present = true;
	hpet->block_id = acpi_rd32(t + HPET_BLOCK_ID);
	hpet->base = g.addr;
	hpet->number = t[HPET_NUMBER];
	hpet->min_tick = acpi_rd16(t + HPET_MIN_TICK);
	hpet->page_prot = t[HPET_PAGE_PROT];
	return 0;
}

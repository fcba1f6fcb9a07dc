// SPDX-License-Identifier: MIT
/*
 * Building the guest's ACPI tables (vm/acpi_guest.h). Offsets are those of
 * ACPI 6.4: the RSDP 5.2.5.3, the header 5.2.6, RSDT/XSDT 5.2.7-8, FADT
 * 5.2.9 (table 5.9), FACS 5.2.10, DSDT 5.2.11.1, MADT 5.2.12; the HPET
 * table is the IA-PC HPET spec 1.0a's, 3.2.4 table 3.
 */
#include "core/lib.h"
#include "arch/x86/pc_ports.h"
#include "vm/acpi_guest.h"

#define OEM_ID "KEEL  "
#define OEM_TABLE_ID "KEELGST "
#define CREATOR_ID "KEEL"
#define OEM_REVISION 1
#define CREATOR_REVISION 1

/* Header, 5.2.6 table 5.4 */
#define HDR_LENGTH 4
#define HDR_REVISION 8
#define HDR_CHECKSUM 9
#define HDR_OEM_ID 10
#define HDR_OEM_TABLE_ID 16
#define HDR_OEM_REVISION 24
#define HDR_CREATOR_ID 28
#define HDR_CREATOR_REVISION 32

/* RSDP, 5.2.5.3 table 5.3 */
#define RSDP_CHECKSUM 8
#define RSDP_OEM_ID 9
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define RSDP_EXT_CHECKSUM 32
#define RSDP_V1_LEN 20
#define RSDP_LEN 36
#define RSDP_REV2 2

/* FACS, 5.2.10 table 5.14: 64 bytes, 64-byte aligned, no checksum. */
#define FACS_LEN 64
#define FACS_ALIGN 64
#define FACS_LENGTH 4
#define FACS_VERSION 32
#define FACS_VERSION_2 2

/* FADT, table 5.9 (revision 6, minor 4: ACPI 6.4) */
#define FADT_LEN 276
#define FADT_REVISION 6
#define FADT_MINOR 4
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_PM1A_EVT 56
#define FADT_PM1A_CNT 64
#define FADT_PM_TMR 76
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_PM_TMR_LEN 91
#define FADT_CENTURY 108
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_MINOR_VERSION 131
#define FADT_X_DSDT 140
#define FADT_PM1_EVT_BYTES 4 /* PM1_STS and PM1_EN, 2 bytes each */
#define FADT_PM1_CNT_BYTES 2
#define FADT_PM_TMR_BYTES 4
/* FADT flags, table 5.10 */
#define FADT_F_WBINVD BIT(0)
#define FADT_F_PROC_C1 BIT(2)
#define FADT_F_TMR_VAL_EXT BIT(8)
#define FADT_F_RESET_REG_SUP BIT(10)
/* Generic Address Structure, 5.2.3.2: space, width, offset, access size */
#define GAS_ACCESS_BYTE 1

/* HPET, IA-PC HPET spec 1.0a 3.2.4 table 3 */
#define HPET_REVISION 1
#define HPET_LEN 56
#define HPET_BLOCK_ID 36
#define HPET_BASE_GAS 40
#define HPET_NUMBER 52
#define HPET_MIN_TICK 53
#define HPET_PAGE_PROT 55
#define GAS_ACCESS_DWORD 3

/* MADT, 5.2.12 */
#define MADT_REVISION 5
#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_ENTRIES 44
#define MADT_PCAT_COMPAT BIT(0) /* 8259s present: Linux masks them */
#define MADT_LAPIC 0
#define MADT_LAPIC_LEN 8
#define MADT_X2APIC 9
#define MADT_X2APIC_LEN 16
#define MADT_IOAPIC 1
#define MADT_IOAPIC_LEN 12
#define MADT_ISO 2
#define MADT_ISO_LEN 10
#define MADT_LAPIC_NMI 4
#define MADT_LAPIC_NMI_LEN 6
#define MADT_LAPIC_ENABLED BIT(0)
#define MADT_XAPIC_ID_MAX 0xfe /* 0xFF is broadcast: x2APIC entry then */
#define MADT_UID_ALL 0xff
#define GUEST_CPU_UID 0

/* DSDT revision 2: integers are 64-bit (5.2.11.1). */
#define DSDT_REVISION 2

#define RSDT_REVISION 1
#define XSDT_REVISION 1
#define MAX_ROOT_ENTRIES 3 /* FADT, MADT, HPET */
#define TABLE_ALIGN 16

static void wr16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void wr32(u8 *p, u32 v)
{
	wr16(p, (u16)v);
	wr16(p + 2, (u16)(v >> 16));
}

static void wr64(u8 *p, u64 v)
{
	wr32(p, (u32)v);
	wr32(p + 4, (u32)(v >> 32));
}

static u8 sum(const u8 *p, size_t len)
{
	u8 s = 0;

	while (len--)
		s = (u8)(s + *p++);
	return s;
}

/* Header with everything but the checksum, set last by finish(). */
static void header(u8 *t, const char *sig, u32 len, u8 rev)
{
	memcpy(t, sig, 4);
	wr32(t + HDR_LENGTH, len);
	t[HDR_REVISION] = rev;
	memcpy(t + HDR_OEM_ID, OEM_ID, 6);
	memcpy(t + HDR_OEM_TABLE_ID, OEM_TABLE_ID, 8);
	wr32(t + HDR_OEM_REVISION, OEM_REVISION);
	memcpy(t + HDR_CREATOR_ID, CREATOR_ID, 4);
	wr32(t + HDR_CREATOR_REVISION, CREATOR_REVISION);
}

static void finish(u8 *t, u32 len)
{
	t[HDR_CHECKSUM] = 0;
	t[HDR_CHECKSUM] = (u8)-sum(t, len);
}

static void gas_io(u8 *g, u16 port, u8 bits)
{
	g[0] = ACPI_GAS_IO;
	g[1] = bits;
	g[2] = 0;
	g[3] = GAS_ACCESS_BYTE;
	wr64(g + 4, port);
}

/* The offsets of each table in the buffer. */
struct layout {
	u32 rsdp, facs, rsdt, xsdt, fadt, madt, dsdt, hpet, end;
	u32 madt_len, dsdt_len;
	u32 n_roots; /* FADT, MADT and, when there is one, the HPET */
};

static u32 madt_len(const struct gacpi_cfg *c)
{
	return MADT_ENTRIES +
	       (c->apic_id > MADT_XAPIC_ID_MAX ? MADT_X2APIC_LEN :
						 MADT_LAPIC_LEN) +
	       c->n_ioapics * MADT_IOAPIC_LEN + c->n_overrides * MADT_ISO_LEN +
	       c->n_nmis * MADT_LAPIC_NMI_LEN;
}

/* Name (_S5, Package (4) { typa, typb, 0, 0 }) */
static const u8 s5_aml_template[] = {
	AML_NAME_OP,
	'_',
	'S',
	'5',
	'_',
	AML_PACKAGE_OP,
	8 /* PkgLength: itself to the end */,
	4 /* NumElements */,
	AML_BYTE_PREFIX,
	0,
	AML_BYTE_PREFIX,
	0,
	AML_ZERO_OP,
	AML_ZERO_OP,
};

#define S5_TYPA_AT 9
#define S5_TYPB_AT 11

static void plan(const struct gacpi_cfg *c, struct layout *l)
{
	l->n_roots = c->hpet.present ? 3 : 2;
	l->rsdp = 0;
	l->facs = ALIGN_UP(RSDP_LEN, FACS_ALIGN);
	l->rsdt = l->facs + FACS_LEN;
	l->xsdt =
		ALIGN_UP(l->rsdt + ACPI_HDR_LEN + 4 * l->n_roots, TABLE_ALIGN);
	l->fadt =
		ALIGN_UP(l->xsdt + ACPI_HDR_LEN + 8 * l->n_roots, TABLE_ALIGN);
	l->madt = ALIGN_UP(l->fadt + FADT_LEN, TABLE_ALIGN);
	l->madt_len = madt_len(c);
	l->dsdt = ALIGN_UP(l->madt + l->madt_len, TABLE_ALIGN);
	l->dsdt_len = ACPI_HDR_LEN + sizeof(s5_aml_template) +
		      (c->pci_mem_lo ? gacpi_pci0_aml_len(c) : 0) +
		      gacpi_isa_aml_len();
	l->end = l->dsdt + l->dsdt_len;
	l->hpet = 0;
	if (c->hpet.present) {
		l->hpet = ALIGN_UP(l->end, TABLE_ALIGN);
		l->end = l->hpet + HPET_LEN;
	}
}

static void build_rsdp(u8 *r, u64 rsdt, u64 xsdt)
{
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + RSDP_OEM_ID, OEM_ID, 6);
	r[RSDP_REVISION] = RSDP_REV2;
	wr32(r + RSDP_RSDT, (u32)rsdt);
	wr32(r + RSDP_LENGTH, RSDP_LEN);
	wr64(r + RSDP_XSDT, xsdt);
	r[RSDP_CHECKSUM] = (u8)-sum(r, RSDP_V1_LEN);
	r[RSDP_EXT_CHECKSUM] = (u8)-sum(r, RSDP_LEN);
}

static void build_roots(u8 *buf, const struct layout *l, u64 base)
{
	const u32 tables[MAX_ROOT_ENTRIES] = { l->fadt, l->madt, l->hpet };
	u8 *rsdt = buf + l->rsdt, *xsdt = buf + l->xsdt;
	u32 rlen = ACPI_HDR_LEN + 4 * l->n_roots;
	u32 xlen = ACPI_HDR_LEN + 8 * l->n_roots;

	header(rsdt, "RSDT", rlen, RSDT_REVISION);
	header(xsdt, "XSDT", xlen, XSDT_REVISION);
	for (u32 i = 0; i < l->n_roots; i++) {
		wr32(rsdt + ACPI_HDR_LEN + 4 * i, (u32)(base + tables[i]));
		wr64(xsdt + ACPI_HDR_LEN + 8 * i, base + tables[i]);
	}
	finish(rsdt, rlen);
	finish(xsdt, xlen);
}

/*
 * The FADT of a PC in ACPI mode: no SMI command port (SCI_EN reads set),
 * no GPE blocks (Keel raises no general-purpose events), the 32-bit
 * blocks only (ACPICA derives the X_ ones), the reset register Keel
 * emulates at port 0xCF9. IAPC_BOOT_ARCH: legacy devices (PIC, PIT, RTC,
 * UART) are there; no 8042 (it reads 0xFF) and no VGA.
 */
static void build_fadt(u8 *f, const struct gacpi_cfg *c, u64 facs, u64 dsdt)
{
	u32 flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_RESET_REG_SUP;

	if (c->pm_tmr_32bit)
		flags |= FADT_F_TMR_VAL_EXT;
	header(f, "FACP", FADT_LEN, FADT_REVISION);
	wr32(f + FADT_FIRMWARE_CTRL, (u32)facs);
	wr32(f + FADT_DSDT, (u32)dsdt);
	wr16(f + FADT_SCI_INT, c->sci_irq);
	wr32(f + FADT_PM1A_EVT, c->pm1a_evt);
	wr32(f + FADT_PM1A_CNT, c->pm1a_cnt);
	wr32(f + FADT_PM_TMR, c->pm_tmr);
	f[FADT_PM1_EVT_LEN] = FADT_PM1_EVT_BYTES;
	f[FADT_PM1_CNT_LEN] = FADT_PM1_CNT_BYTES;
	f[FADT_PM_TMR_LEN] = c->pm_tmr ? FADT_PM_TMR_BYTES : 0;
	f[FADT_CENTURY] = c->century;
	wr16(f + FADT_IAPC_BOOT_ARCH,
	     ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_NO_VGA);
	wr32(f + FADT_FLAGS, flags);
	gas_io(f + FADT_RESET_REG, c->reset_port, 8);
	f[FADT_RESET_VALUE] = c->reset_value;
	f[FADT_MINOR_VERSION] = FADT_MINOR;
	/* ACPI 6.4 table 5.9: OSPM ignores FIRMWARE_CTRL and DSDT when the
	 * X_ fields are set, so one of each pair is: the 32-bit FACS (a
	 * second, equal X_FIRMWARE_CTRL makes Linux list the FACS twice) and
	 * the 64-bit DSDT, with the 32-bit copy for ACPI 1.0 readers. */
	wr64(f + FADT_X_DSDT, dsdt);
	finish(f, FADT_LEN);
}

static u8 *madt_cpu(u8 *e, const struct gacpi_cfg *c)
{
	if (c->apic_id > MADT_XAPIC_ID_MAX) {
		e[0] = MADT_X2APIC;
		e[1] = MADT_X2APIC_LEN;
		wr32(e + 4, c->apic_id);
		wr32(e + 8, MADT_LAPIC_ENABLED);
		wr32(e + 12, GUEST_CPU_UID);
		return e + MADT_X2APIC_LEN;
	}
	e[0] = MADT_LAPIC;
	e[1] = MADT_LAPIC_LEN;
	e[2] = GUEST_CPU_UID;
	e[3] = (u8)c->apic_id;
	wr32(e + 4, MADT_LAPIC_ENABLED);
	return e + MADT_LAPIC_LEN;
}

static void build_madt(u8 *t, const struct gacpi_cfg *c, u32 len)
{
	u8 *e;

	header(t, "APIC", len, MADT_REVISION);
	wr32(t + MADT_LAPIC_ADDR, c->lapic_addr);
	wr32(t + MADT_FLAGS, MADT_PCAT_COMPAT);
	e = madt_cpu(t + MADT_ENTRIES, c);
	for (unsigned int i = 0; i < c->n_ioapics; i++, e += MADT_IOAPIC_LEN) {
		e[0] = MADT_IOAPIC;
		e[1] = MADT_IOAPIC_LEN;
		e[2] = (u8)c->ioapics[i].id;
		wr32(e + 4, c->ioapics[i].addr);
		wr32(e + 8, c->ioapics[i].gsi_base);
	}
	for (unsigned int i = 0; i < c->n_overrides; i++, e += MADT_ISO_LEN) {
		e[0] = MADT_ISO;
		e[1] = MADT_ISO_LEN;
		e[2] = c->overrides[i].bus;
		e[3] = c->overrides[i].source;
		wr32(e + 4, c->overrides[i].gsi);
		wr16(e + 8, c->overrides[i].flags);
	}
	for (unsigned int i = 0; i < c->n_nmis; i++, e += MADT_LAPIC_NMI_LEN) {
		e[0] = MADT_LAPIC_NMI;
		e[1] = MADT_LAPIC_NMI_LEN;
		e[2] = MADT_UID_ALL;
		wr16(e + 3, c->nmis[i].flags);
		e[5] = c->nmis[i].lint;
	}
	finish(t, len);
}

static void build_dsdt(u8 *t, const struct gacpi_cfg *c, u32 len)
{
	u8 *aml = t + ACPI_HDR_LEN;

	header(t, "DSDT", len, DSDT_REVISION);
	memcpy(aml, s5_aml_template, sizeof(s5_aml_template));
	aml[S5_TYPA_AT] = c->s5_typa;
	aml[S5_TYPB_AT] = c->s5_typb;
	aml += sizeof(s5_aml_template);
	if (c->pci_mem_lo)
		aml += gacpi_pci0_aml(aml, c);
	gacpi_isa_aml(aml);
	finish(t, len);
}

/* The host's HPET, which passes through (vdev/hpet.c), as the host's
 * own table describes it. */
static void build_hpet(u8 *t, const struct acpi_hpet *h)
{
	u8 *g = t + HPET_BASE_GAS;

	header(t, "HPET", HPET_LEN, HPET_REVISION);
	wr32(t + HPET_BLOCK_ID, h->block_id);
	g[0] = ACPI_GAS_MEMORY;
	g[1] = 64;
	g[2] = 0;
	g[3] = GAS_ACCESS_DWORD;
	wr64(g + 4, h->base);
	t[HPET_NUMBER] = h->number;
	wr16(t + HPET_MIN_TICK, h->min_tick);
	t[HPET_PAGE_PROT] = h->page_prot;
	finish(t, HPET_LEN);
}

u64 gacpi_build(const struct gacpi_cfg *c, u64 base, u8 *buf, size_t len)
{
	struct layout l;

	plan(c, &l);
	if (l.end > len || base % TABLE_ALIGN || base + l.end > GiB(4))
		return 0;
	memset(buf, 0, l.end);
	memcpy(buf + l.facs, "FACS", 4);
	wr32(buf + l.facs + FACS_LENGTH, FACS_LEN);
	buf[l.facs + FACS_VERSION] = FACS_VERSION_2;
	build_roots(buf, &l, base);
	build_fadt(buf + l.fadt, c, base + l.facs, base + l.dsdt);
	build_madt(buf + l.madt, c, l.madt_len);
	build_dsdt(buf + l.dsdt, c, l.dsdt_len);
	if (l.hpet)
		build_hpet(buf + l.hpet, &c->hpet);
	build_rsdp(buf + l.rsdp, base + l.rsdt, base + l.xsdt);
	return base + l.rsdp;
}

static bool port_ok(u32 port, u32 len)
{
	return port && port + len <= 0x10000;
}

/* The host's boot CPU's processor UID, to pick its LAPIC NMI entries. */
static bool nmi_for(const struct acpi_info *ai, const struct acpi_nmi *n,
		    u32 apic_id)
{
	if (!n->lapic)
		return false;
	if (n->uid == 0xff || n->uid == 0xffffffffU)
		return true;
	for (unsigned int i = 0; i < ai->n_cpus; i++)
		if (ai->cpus[i].apic_id == apic_id)
			return ai->cpus[i].uid == n->uid;
	return false;
}

int gacpi_cfg_from(const struct acpi_info *ai, u32 apic_id, struct gacpi_cfg *c,
		   const char **why)
{
	const struct acpi_fadt *f = &ai->fadt;

	memset(c, 0, sizeof(*c));
	if (!ai->have_madt || ai->lapic_base >= GiB(4)) {
		*why = "the host has no MADT below 4 GiB";
		return -ENODEV;
	}
	if (!f->present || !port_ok(f->pm1a_evt, FADT_PM1_EVT_BYTES) ||
	    !port_ok(f->pm1a_cnt, FADT_PM1_CNT_BYTES)) {
		*why = "the host's FADT has no PM1a blocks in I/O space";
		return -ENODEV;
	}
	c->lapic_addr = (u32)ai->lapic_base;
	c->apic_id = apic_id;
	c->n_ioapics = MIN(ai->n_ioapics, (unsigned int)GACPI_MAX_IOAPICS);
	memcpy(c->ioapics, ai->ioapics, c->n_ioapics * sizeof(c->ioapics[0]));
	c->n_overrides =
		MIN(ai->n_overrides, (unsigned int)GACPI_MAX_OVERRIDES);
	memcpy(c->overrides, ai->overrides,
	       c->n_overrides * sizeof(c->overrides[0]));
	for (unsigned int i = 0; i < ai->n_nmis && c->n_nmis < GACPI_MAX_NMIS;
	     i++)
		if (nmi_for(ai, &ai->nmis[i], apic_id))
			c->nmis[c->n_nmis++] = ai->nmis[i];
	c->sci_irq = f->sci_irq;
	c->pm1a_evt = (u16)f->pm1a_evt;
	c->pm1a_cnt = (u16)f->pm1a_cnt;
	c->pm_tmr = port_ok(f->pm_tmr, FADT_PM_TMR_BYTES) ? (u16)f->pm_tmr : 0;
	c->pm_tmr_32bit = f->pm_tmr_32bit;
	c->century = f->century;
	/* vdev/reset.c: RST_CPU with SYS_RST, as a PC's reset value. */
	c->reset_port = RST_CNT_PORT;
	c->reset_value = RST_CNT_SYS_RST | RST_CNT_RST_CPU;
	if (ai->have_s5) {
		c->s5_typa = ai->s5_slp_typa;
		c->s5_typb = ai->s5_slp_typb;
	}
	if (ai->hpet.present && ai->hpet.base < GiB(4))
		c->hpet = ai->hpet;
	return 0;
}

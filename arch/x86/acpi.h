/* SPDX-License-Identifier: MIT */
/*
 * ACPI table discovery and the few tables Keel needs: MADT, MCFG, FADT (with
 * \_S5 from the DSDT) and DMAR. ACPI 6.4 ch. 5, PCI Firmware 3.0 4.1.2,
 * VT-d 3.4 ch. 8.
 *
 * Parsing never touches physical memory directly: it asks the map hook of a
 * struct acpi_platform for each range, so the host tests run it on a fake
 * physical memory. acpi_boot_init() (acpi.c) wires the hook to Keel's
 * identity map and fills the global acpi_info.
 */
#ifndef KEEL_ARCH_X86_ACPI_H
#define KEEL_ARCH_X86_ACPI_H

#include "core/types.h"
#include "core/bootinfo.h"

#define ACPI_MAX_TABLES 48
#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_OVERRIDES 32
#define ACPI_MAX_NMIS 32
#define ACPI_MAX_MCFG 8
#define ACPI_DMAR_MAX_UNITS 8
#define ACPI_DMAR_MAX_RMRRS 8
#define ACPI_DMAR_MAX_SCOPES 32
#define ACPI_DMAR_MAX_PATH 4

/* System Description Table header, ACPI 6.4 5.2.6: the body (the AML of a
 * DSDT, a table's fields) starts after these bytes. */
#define ACPI_HDR_LEN 36

/* PM1 control register, ACPI 6.4 4.8.3.2.1 table 4.13 */
#define ACPI_PM1_CNT_LEN 2
#define ACPI_PM1_SCI_EN BIT(0)
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_TYP (7U << ACPI_PM1_SLP_TYP_SHIFT) /* bits 12:10 */
#define ACPI_PM1_SLP_EN BIT(13)
#define ACPI_PM_TMR_LEN 4 /* ACPI 6.4 4.8.3.3 */

/* Generic Address Structure address spaces, ACPI 6.4 5.2.3.2 */
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
#define ACPI_GAS_PCI 2

/* MPS INTI flags of overrides and NMI sources, ACPI 6.4 5.2.12.5 table 5.50 */
#define ACPI_MPS_POLARITY_MASK GENMASK(1, 0)
#define ACPI_MPS_TRIGGER_MASK GENMASK(3, 2)

/* IAPC_BOOT_ARCH, ACPI 6.4 5.2.9.3 table 5.35 */
#define ACPI_IAPC_LEGACY_DEVICES BIT(0)
#define ACPI_IAPC_8042 BIT(1)
#define ACPI_IAPC_NO_VGA BIT(2)
#define ACPI_IAPC_NO_MSI BIT(3)
#define ACPI_IAPC_NO_ASPM BIT(4)
#define ACPI_IAPC_NO_CMOS_RTC BIT(5)

/* DMAR DRHD flags, VT-d 3.4 8.3 */
#define ACPI_DRHD_INCLUDE_PCI_ALL BIT(0)

/* Device scope types, VT-d 3.4 8.3.1 table 10 */
#define ACPI_DMAR_SCOPE_ENDPOINT 1
#define ACPI_DMAR_SCOPE_BRIDGE 2
#define ACPI_DMAR_SCOPE_IOAPIC 3
#define ACPI_DMAR_SCOPE_HPET 4
#define ACPI_DMAR_SCOPE_NAMESPACE 5

/* How the parser reads physical memory: NULL if [phys, phys+len) is not
 * readable. The pointer must stay valid until acpi_init() returns. */

/*
 * AML encodings, ACPI 6.4 20.2: the parser (acpi_aml.c) reads them, the
 * guest's table builders (vm/acpi_guest*.c) write them.
 */
#define AML_ZERO_OP 0x00 /* 20.2.3 */
#define AML_ONE_OP 0x01
#define AML_ONES_OP 0xff
#define AML_NAME_OP 0x08 /* 20.2.5.1 DefName */
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_SCOPE_OP 0x10 /* 20.2.5.1 DefScope */
#define AML_BUFFER_OP 0x11 /* 20.2.5.4 DefBuffer */
#define AML_PACKAGE_OP 0x12 /* 20.2.5.4 DefPackage */
#define AML_EXT_OP_PREFIX 0x5b
#define AML_DEVICE_OP 0x82 /* after AML_EXT_OP_PREFIX: DefDevice */
#define AML_ROOT_CHAR '\\' /* 20.2.2 */
#define AML_NAMESEG_LEN 4
#define AML_PKGLEN_BYTES_SHIFT 6 /* 20.2.4: bits 7:6 of the lead byte */
#define AML_PKGLEN_2BYTES 0x40 /* one more byte; the low nibble here */
#define AML_PKGLEN_MAX1 0x3f /* a one-byte PkgLength, bits 5:0 */
#define AML_PKGLEN_MAX2 0xfff

/* Small resource descriptors, ACPI 6.4 6.4.2 */
#define ACPI_RES_IRQ_NOFLAGS 0x22 /* IRQ, 2 bytes: the mask (6.4.2.1) */
#define ACPI_RES_IO 0x47 /* I/O port, 7 bytes (6.4.2.5) */
#define ACPI_RES_IO_LEN 8
#define ACPI_RES_IO_DECODE16 BIT(0)
#define ACPI_RES_END 0x79 /* end tag and its checksum byte (6.4.2.9) */
#define ACPI_RES_END_LEN 2

struct acpi_platform {
	const void *(*map)(u64 phys, u64 len, void *ctx);
	void *ctx;
};

struct acpi_gas {
	u8 space; /* ACPI_GAS_* */
	u8 bit_width, bit_offset, access_size;
	u64 addr;
};

struct acpi_table_ref {
	char sig[5];
	u64 phys;
	u32 len;
};

struct acpi_cpu {
	u32 apic_id;
	u32 uid; /* ACPI processor UID */
	bool enabled; /* else online-capable: may be hot-added */
	bool x2apic; /* from a type 9 entry */
};

struct acpi_ioapic {
	u32 id;
	u32 addr;
	u32 gsi_base;
};

struct acpi_override {
	u8 bus, source; /* ISA IRQ @source ... */
	u32 gsi; /* ... is wired to this GSI */
	u16 flags; /* ACPI_MPS_* */
};

struct acpi_nmi {
	bool lapic; /* LINT of local APICs (type 4/10), else a GSI (type 3) */
	u32 uid; /* for lapic: processor UID, 0xff / 0xffffffff = all */
	u8 lint;
	u32 gsi;
	u16 flags;
};

struct acpi_mcfg {
	u64 base; /* ECAM address of bus 0 of this segment */
	u16 seg;
	u8 bus_start, bus_end;
};

/* HPET description table, IA-PC HPET spec 1.0a, 3.2.4 table 3 */
struct acpi_hpet {
	bool present;
	u32 block_id; /* event timer block ID: GCAP_ID bits 31:0 */
	u64 base; /* register block, system memory */
	u8 number; /* HPET sequence number */
	u16 min_tick; /* main counter minimum clock tick, periodic mode */
	u8 page_prot; /* page protection and OEM attribute */
};

struct acpi_fadt {
	bool present;
	u8 revision; /* FADT header revision */
	u16 sci_irq;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable;
	u32 pm1a_evt, pm1b_evt; /* I/O ports, 0 if absent */
	u32 pm1a_cnt, pm1b_cnt;
	u32 pm_tmr; /* I/O port, 0 if absent */
	bool pm_tmr_32bit; /* TMR_VAL_EXT */
	u8 century; /* CMOS index of the century, 0 if none */
	u16 iapc_boot_arch; /* ACPI_IAPC_* */
	u32 flags;
	bool hw_reduced;
	bool have_reset;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u64 dsdt; /* physical address (X_DSDT preferred) */
	u32 dsdt32; /* the 32-bit DSDT field, the fallback for a bad X_DSDT */
};

struct acpi_dmar_scope {
	u8 type; /* ACPI_DMAR_SCOPE_* */
	u8 enum_id; /* IOAPIC or HPET number */
	u8 bus; /* start bus */
	u8 path_len; /* (dev, fn) pairs kept in path */
	bool path_cut; /* longer than ACPI_DMAR_MAX_PATH: names nothing */
	struct {
		u8 dev, fn;
	} path[ACPI_DMAR_MAX_PATH];
};

struct acpi_dmar_unit {
	u64 reg_base;
	u16 seg;
	u8 flags;
	bool include_pci_all;
	u8 n_scopes;
	struct acpi_dmar_scope scopes[ACPI_DMAR_MAX_SCOPES];
};

struct acpi_dmar_rmrr {
	u16 seg;
	u64 base, limit; /* limit inclusive */
	u8 n_scopes;
	struct acpi_dmar_scope scopes[ACPI_DMAR_MAX_SCOPES];
};

struct acpi_dmar {
	u8 host_addr_width; /* as encoded: width - 1 */
	u8 flags;
	unsigned int n_units, n_rmrrs;
	struct acpi_dmar_unit units[ACPI_DMAR_MAX_UNITS];
	struct acpi_dmar_rmrr rmrrs[ACPI_DMAR_MAX_RMRRS];
};

struct acpi_info {
	bool present; /* an RSDP and a valid root table were found */
	u64 rsdp_phys;
	u8 rsdp_rev;
	const char *rsdp_from; /* "mb2 tag 15", "mb2 tag 14", "EBDA", "BIOS" */
	bool xsdt; /* root table is the XSDT (else the RSDT) */
	u64 root_phys;

	unsigned int n_tables; /* valid tables, DSDT included */
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	unsigned int n_bad; /* tables rejected */

	/* MADT */
	bool have_madt;
	u64 lapic_base;
	u32 madt_flags;
	unsigned int n_cpus, n_ioapics, n_overrides, n_nmis;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	struct acpi_nmi nmis[ACPI_MAX_NMIS];

	/* MCFG */
	unsigned int n_mcfg;
	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];

	struct acpi_fadt fadt;
	struct acpi_hpet hpet;

	/* \_S5 from the DSDT */
	bool have_s5;
	u8 s5_slp_typa, s5_slp_typb;

	/* DMAR, kept for the VT-d work */
	bool have_dmar;
	u64 dmar_phys;
	u32 dmar_len;
	bool dmar_bad; /* it did not parse: iommu/ must not trust it */
	struct acpi_dmar dmar;
};

/* ---- Pure parsers (acpi_tables.c, acpi_dmar.c, acpi_aml.c) ---- */

/* Sum of @len bytes is zero, ACPI 6.4 5.2.6. */
bool acpi_checksum_ok(const void *p, size_t len);

/*
 * Discover and parse everything into @ai (zeroed first). Returns 0, or
 * -ENODEV when no RSDP or no usable root table exists. Problems are printed
 * with pr_err ("keel: acpi: ...") and the offending table is ignored.
 */
int acpi_init(const struct acpi_platform *plat, const struct boot_info *bi,
	      struct acpi_info *ai);
/* The boot log summary; line formats are listed in docs/acpi-pci.md. */
void acpi_print_summary(const struct acpi_info *ai);

/*
 * Table parsers, given a whole table whose header and checksum were
 * checked. They read nothing beyond @len; a malformed entry stops the walk
 * with an error, keeping what came before. Return 0 or -EINVAL.
 */
int acpi_parse_madt(const void *tbl, u32 len, struct acpi_info *ai);
int acpi_parse_mcfg(const void *tbl, u32 len, struct acpi_info *ai);
int acpi_parse_fadt(const void *tbl, u32 len, struct acpi_fadt *fadt);
int acpi_parse_hpet(const void *tbl, u32 len, struct acpi_hpet *hpet);
int acpi_parse_dmar(const void *tbl, u32 len, struct acpi_dmar *dmar);
/* Find \_S5 in the AML of a DSDT/SSDT body; 0 or -ENOENT / -EINVAL. */
int acpi_find_s5(const void *aml, u32 len, u8 *slp_typa, u8 *slp_typb);

/* Unaligned little-endian reads: ACPI packs its fields byte-aligned. */
static inline u16 acpi_rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 acpi_rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 acpi_rd64(const u8 *p)
{
	return acpi_rd32(p) | (u64)acpi_rd32(p + 4) << 32;
}

/* ---- Keel (acpi.c) ---- */

extern struct acpi_info acpi_info;
/* Run acpi_init() on physical memory, print the summary. 0 or -ENODEV. */
int acpi_boot_init(const struct boot_info *bi);
/* The MCFG entry for segment 0, or NULL. */
const struct acpi_mcfg *acpi_mcfg_seg0(const struct acpi_info *ai);
struct power_config;
/* Fill arch/x86's power settings from the FADT and \_S5. */
void acpi_power_config(const struct acpi_info *ai, struct power_config *pc);

#endif

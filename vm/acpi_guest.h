/* SPDX-License-Identifier: MIT */
/*
 * The guest's ACPI tables, built by Keel (ACPI 6.4 ch. 5): RSDP, RSDT,
 * XSDT, FADT with FACS and a minimal DSDT, a MADT with the guest's one
 * CPU and the IOAPICs it reaches, and the host's HPET when it has one. The host's own tables stay hidden: the
 * guest sees only what it is given (docs/linux-guest.md). Pure, so the
 * host tests parse the result with Keel's own ACPI parser.
 */
#ifndef KEEL_VM_ACPI_GUEST_H
#define KEEL_VM_ACPI_GUEST_H

#include "core/types.h"
#include "arch/x86/acpi.h"

#define GACPI_MAX_IOAPICS 8
#define GACPI_MAX_OVERRIDES 16
#define GACPI_MAX_NMIS 2
#define GACPI_MAX_PRT 32

/*
 * A _PRT entry of PCI0 (ACPI 6.4 6.2.13): device @dev of bus 0 (every
 * function) signals INTx pin @pin (0 = INTA#) on @gsi.
 */
struct gacpi_prt {
	u8 dev, pin;
	u32 gsi;
};

/* What the guest's platform is, taken from the host's (gacpi_cfg_from). */
struct gacpi_cfg {
	u32 lapic_addr;
	u32 apic_id; /* the boot CPU's, which runs the vCPU */
	unsigned int n_ioapics, n_overrides, n_nmis;
	struct acpi_ioapic ioapics[GACPI_MAX_IOAPICS];
	struct acpi_override overrides[GACPI_MAX_OVERRIDES];
	struct acpi_nmi nmis[GACPI_MAX_NMIS]; /* LAPIC LINT NMIs */
	u16 sci_irq;
	u16 pm1a_evt, pm1a_cnt, pm_tmr; /* I/O ports Keel emulates */
	bool pm_tmr_32bit;
	u8 century;
	u8 s5_typa, s5_typb;
	u16 reset_port; /* FADT reset register, I/O space */
	u8 reset_value;
	/* The HPET, passed through; no table when !hpet.present. */
	struct acpi_hpet hpet;
	/* Where the PCI root bridge's MMIO window starts: the top of guest
	 * RAM (below the IOAPIC, 1 MiB-aligned); 0 for no PCI0 device. */
	u32 pci_mem_lo;
	/* PCI0's _PRT; none when 0 (gacpi_prt_add). */
	unsigned int n_prt;
	struct gacpi_prt prt[GACPI_MAX_PRT];
};

/*
 * Scope (\_SB) { Device (PCI0) } in AML (vm/acpi_guest_pci.c): its length
 * without a _PRT, what each _PRT entry adds and the _PRT's framing.
 */
#define GACPI_PCI0_AML_LEN 152
#define GACPI_PRT_ENTRY_LEN 16
#define GACPI_PRT_NAME_LEN 9
u32 gacpi_pci0_aml_len(const struct gacpi_cfg *c);
u32 gacpi_pci0_aml(u8 *out, const struct gacpi_cfg *c);
/* Scope (\_SB) { Device (COM1) Device (RTC) } (vm/acpi_guest_isa.c). */
u32 gacpi_isa_aml_len(void);
u32 gacpi_isa_aml(u8 *out);
/*
 * Route INTx pin @pin (1 = INTA# .. 4 = INTD#, the Interrupt Pin
 * register's encoding) of bus-0 device @dev to @gsi in PCI0's _PRT.
 * 0 when added or already there with the same GSI; -EINVAL for a pin
 * or device out of range, -EEXIST when that pin is already routed to
 * another GSI, -ENOSPC when the table is full.
 */
int gacpi_prt_add(struct gacpi_cfg *c, u8 dev, u8 pin, u32 gsi);

/*
 * The guest's platform from the host's ACPI: the LAPIC, the IOAPICs, ISA
 * overrides and LAPIC NMIs pass through, so their wiring is the host's;
 * the PM ports are those vdev/acpi_pm.c emulates. 0, or -ENODEV with
 * @why when the host lacks what the tables need (a MADT, an FADT with
 * PM1a blocks).
 */
int gacpi_cfg_from(const struct acpi_info *ai, u32 apic_id, struct gacpi_cfg *c,
		   const char **why);

/*
 * Lay the tables out in @buf, which the guest sees at GPA @base (16-byte
 * aligned, below 4 GiB). Returns the RSDP's GPA (the start of @buf), or 0
 * if @len is too small.
 */
u64 gacpi_build(const struct gacpi_cfg *c, u64 base, u8 *buf, size_t len);

#endif

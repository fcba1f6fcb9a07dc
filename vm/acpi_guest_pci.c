// SPDX-License-Identifier: MIT
/*
 * The guest's PCI root bridge in AML: Scope (\_SB) { Device (PCI0) } with
 * _HID PNP0A03, _UID 0 and a _CRS of what the guest may decode: buses
 * 0-255, configuration mechanism #1 at 0xCF8, the other I/O ports, the
 * VGA window and the MMIO between the top of guest RAM and the IOAPIC,
 * and a static _PRT (6.2.13) saying which GSI each bus-0 device's INTx
 * pins reach, so Linux need not guess from the Interrupt Line register.
 * Without a root bridge in the namespace, x86 Linux with ACPI enumerates
 * no PCI device at all (docs/linux-guest.md). Encodings: ACPI 6.4 ch. 20
 * (AML) and 6.4 (resource descriptors).
 */
#include "core/lib.h"
#include "arch/x86/acpi.h"
#include "vm/acpi_guest.h"

/* _PRT, ACPI 6.4 6.2.13: the mapping package fields */
#define PRT_FN_ALL 0xffffU /* Address: device in the high word, any fn */
#define PRT_FIELDS 4 /* Address, Pin, Source, Source Index */
#define PRT_PINS 4 /* INTA#..INTD#, 0-3 */
#define PCI_DEVS 32 /* a 5-bit device number, PCI 3.0 3.2.2.3.2 */
/* Package (4) { DWordConst, ByteConst, Zero, DWordConst } */
#define PRT_ENTRY_BODY (5 + 2 + 1 + 5)

/* EisaId ("PNP0A03"): compressed vendor "PNP" 0x41D0, product 0x0A03,
 * as stored (ACPI 6.4 6.1.5). */
#define EISA_PNP0A03 0x030ad041U

/* Resource descriptors, ACPI 6.4 6.4 */
#define RES_WORD 0x88 /* large: word address space, 6.4.3.5.3 */
#define RES_WORD_LEN 16
#define RES_DWORD 0x87 /* large: dword address space, 6.4.3.5.2 */
#define RES_DWORD_LEN 26
#define RES_TYPE_MEM 0
#define RES_TYPE_IO 1
#define RES_TYPE_BUS 2
/* General flags: _MIF and _MAF set, a bridge that produces the range. */
#define RES_FIXED_PRODUCER (BIT(2) | BIT(3))
#define RES_IO_ENTIRE_RANGE 3 /* _RNG */
#define RES_MEM_RW_CACHEABLE (BIT(0) | BIT(1)) /* _RW, _MEM = cacheable */

#define PCI_CONF1_PORT 0xcf8
#define PCI_CONF1_LEN 8
#define PCI_IO_HIGH 0xd00 /* a PC host bridge's ports above 0xCFF */
#define VGA_WINDOW 0xa0000U
#define VGA_WINDOW_LEN 0x20000U
#define IOAPIC_DEFAULT 0xfec00000U /* the window stops below it */

#define CRS_LEN                                              \
	(RES_WORD_LEN + ACPI_RES_IO_LEN + 2 * RES_WORD_LEN + \
	 2 * RES_DWORD_LEN + ACPI_RES_END_LEN)

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

/* A two-byte PkgLength (20.2.4) counting itself and @body bytes. */
static u8 *pkglen(u8 *p, u32 body)
{
	u32 len = body + 2;

	p[0] = (u8)(AML_PKGLEN_2BYTES | (len & 0xf));
	p[1] = (u8)(len >> 4);
	return p + 2;
}

static u8 *name_seg(u8 *p, const char *seg)
{
	memcpy(p, seg, 4);
	return p + 4;
}

static u8 *res_word(u8 *p, u8 type, u8 tsf, u16 min, u16 max)
{
	memset(p, 0, RES_WORD_LEN);
	p[0] = RES_WORD;
	wr16(p + 1, RES_WORD_LEN - 3);
	p[3] = type;
	p[4] = RES_FIXED_PRODUCER;
	p[5] = tsf;
	wr16(p + 8, min);
	wr16(p + 10, max);
	wr16(p + 14, (u16)(max - min + 1));
	return p + RES_WORD_LEN;
}

static u8 *res_dword_mem(u8 *p, u32 min, u32 len)
{
	memset(p, 0, RES_DWORD_LEN);
	p[0] = RES_DWORD;
	wr16(p + 1, RES_DWORD_LEN - 3);
	p[3] = RES_TYPE_MEM;
	p[4] = RES_FIXED_PRODUCER;
	p[5] = RES_MEM_RW_CACHEABLE;
	wr32(p + 10, min);
	wr32(p + 14, min + len - 1);
	wr32(p + 22, len);
	return p + RES_DWORD_LEN;
}

static u8 *crs(u8 *p, u32 mem_lo)
{
	p = res_word(p, RES_TYPE_BUS, 0, 0, 0xff);
	p[0] = ACPI_RES_IO;
	p[1] = ACPI_RES_IO_DECODE16;
	wr16(p + 2, PCI_CONF1_PORT);
	wr16(p + 4, PCI_CONF1_PORT);
	p[6] = 1;
	p[7] = PCI_CONF1_LEN;
	p += ACPI_RES_IO_LEN;
	p = res_word(p, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, 0,
		     PCI_CONF1_PORT - 1);
	p = res_word(p, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, PCI_IO_HIGH, 0xffff);
	p = res_dword_mem(p, VGA_WINDOW, VGA_WINDOW_LEN);
	p = res_dword_mem(p, mem_lo, IOAPIC_DEFAULT - mem_lo);
	p[0] = ACPI_RES_END;
	p[1] = 0; /* checksum 0: "treated as valid" (6.4.2.9) */
	return p + ACPI_RES_END_LEN;
}

/* Name (_CRS, Buffer (CRS_LEN) {...}): 1 + 4 + 1 + 2 + 2 + CRS_LEN */
#define CRS_NAME_LEN (1 + 4 + 1 + 2 + 2 + CRS_LEN)
#define HID_NAME_LEN (1 + 4 + 5)
#define UID_NAME_LEN (1 + 4 + 1)
#define DEVICE_BODY (4 + HID_NAME_LEN + UID_NAME_LEN + CRS_NAME_LEN)
#define DEVICE_LEN (2 + 2 + DEVICE_BODY)
#define SCOPE_BODY (5 + DEVICE_LEN)
/* Name (_PRT, Package (n) {...}): 1 + 4 + 1 + 2 + 1, then the entries */
#define PRT_LEN(n) (GACPI_PRT_NAME_LEN + (n)*GACPI_PRT_ENTRY_LEN)

_Static_assert(GACPI_PCI0_AML_LEN == 1 + 2 + SCOPE_BODY,
	       "GACPI_PCI0_AML_LEN is out of date");
_Static_assert(GACPI_PRT_ENTRY_LEN == 2 + 1 + PRT_ENTRY_BODY,
	       "GACPI_PRT_ENTRY_LEN is out of date");
_Static_assert(1 + 1 + PRT_ENTRY_BODY <= AML_PKGLEN_MAX1,
	       "a _PRT entry needs a longer PkgLength");
_Static_assert(2 + SCOPE_BODY + PRT_LEN(GACPI_MAX_PRT) <= AML_PKGLEN_MAX2,
	       "needs a longer PkgLength");
_Static_assert(GACPI_MAX_PRT <= 0xff, "NumElements is one byte");

static u32 prt_len(const struct gacpi_cfg *c)
{
	return c->n_prt ? PRT_LEN(c->n_prt) : 0;
}

u32 gacpi_pci0_aml_len(const struct gacpi_cfg *c)
{
	return GACPI_PCI0_AML_LEN + prt_len(c);
}

/* Package (4) { 0xDDDDFFFF, pin, Zero, GSI }: Source Zero names no link
 * device, so Source Index is the GSI itself (6.2.13). */
static u8 *prt_entry(u8 *p, const struct gacpi_prt *e)
{
	*p++ = AML_PACKAGE_OP;
	*p++ = 1 + 1 + PRT_ENTRY_BODY; /* PkgLength, one byte */
	*p++ = PRT_FIELDS;
	*p++ = AML_DWORD_PREFIX;
	wr32(p, (u32)e->dev << 16 | PRT_FN_ALL);
	p += 4;
	*p++ = AML_BYTE_PREFIX;
	*p++ = e->pin;
	*p++ = AML_ZERO_OP;
	*p++ = AML_DWORD_PREFIX;
	wr32(p, e->gsi);
	return p + 4;
}

static u8 *prt(u8 *p, const struct gacpi_cfg *c)
{
	*p++ = AML_NAME_OP;
	p = name_seg(p, "_PRT");
	*p++ = AML_PACKAGE_OP;
	p = pkglen(p, 1 + c->n_prt * GACPI_PRT_ENTRY_LEN);
	*p++ = (u8)c->n_prt;
	for (unsigned int i = 0; i < c->n_prt; i++)
		p = prt_entry(p, &c->prt[i]);
	return p;
}

u32 gacpi_pci0_aml(u8 *out, const struct gacpi_cfg *c)
{
	u8 *p = out;

	*p++ = AML_SCOPE_OP;
	p = pkglen(p, SCOPE_BODY + prt_len(c));
	*p++ = AML_ROOT_CHAR;
	p = name_seg(p, "_SB_");
	*p++ = AML_EXT_OP_PREFIX;
	*p++ = AML_DEVICE_OP;
	p = pkglen(p, DEVICE_BODY + prt_len(c));
	p = name_seg(p, "PCI0");
	*p++ = AML_NAME_OP;
	p = name_seg(p, "_HID");
	*p++ = AML_DWORD_PREFIX;
	wr32(p, EISA_PNP0A03);
	p += 4;
	*p++ = AML_NAME_OP;
	p = name_seg(p, "_UID");
	*p++ = AML_ZERO_OP;
	*p++ = AML_NAME_OP;
	p = name_seg(p, "_CRS");
	*p++ = AML_BUFFER_OP;
	p = pkglen(p, 2 + CRS_LEN);
	*p++ = AML_BYTE_PREFIX;
	*p++ = CRS_LEN;
	p = crs(p, c->pci_mem_lo);
	if (c->n_prt)
		p = prt(p, c);
	return (u32)(p - out);
}

int gacpi_prt_add(struct gacpi_cfg *c, u8 dev, u8 pin, u32 gsi)
{
	if (dev >= PCI_DEVS || pin < 1 || pin > PRT_PINS)
		return -EINVAL;
	for (unsigned int i = 0; i < c->n_prt; i++)
		if (c->prt[i].dev == dev && c->prt[i].pin == pin - 1)
			return c->prt[i].gsi == gsi ? 0 : -EEXIST;
	if (c->n_prt == GACPI_MAX_PRT)
		return -ENOSPC;
	c->prt[c->n_prt++] = (struct gacpi_prt){ dev, (u8)(pin - 1), gsi };
	return 0;
}

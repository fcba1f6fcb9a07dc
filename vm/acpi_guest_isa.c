// SPDX-License-Identifier: MIT
/*
 * The PC's legacy devices the guest has, in AML, so that Linux finds them
 * by PNP as on a PC rather than by probing fixed addresses:
 *
 *   Scope (\_SB) {
 *     Device (COM1) { Name (_HID, EisaId ("PNP0501")) Name (_UID, One)
 *       Name (_CRS, ResourceTemplate () {
 *         IO (Decode16, 0x3F8, 0x3F8, 0x01, 0x08) IRQNoFlags () {4} }) }
 *     Device (RTC) { Name (_HID, EisaId ("PNP0B00"))
 *       Name (_CRS, ResourceTemplate () {
 *         IO (Decode16, 0x70, 0x70, 0x01, 0x02) IRQNoFlags () {8} }) }
 *   }
 *
 * COM1 is Keel's emulated 16550 (vdev/uart.c), the RTC the real one,
 * passed through (vm/platform.c). Encodings: ACPI 6.4 20.2 (AML), 6.4.2
 * (small resource descriptors), 6.1.5 (EISA IDs).
 */
#include "core/lib.h"
#include "arch/x86/acpi.h"
#include "vm/acpi_guest.h"

/* EisaId ("PNP0501") and ("PNP0B00"), as stored (6.1.5). */
#define EISA_PNP0501 0x0105d041U
#define EISA_PNP0B00 0x000bd041U

#define CRS_BYTES (ACPI_RES_IO_LEN + 3 + ACPI_RES_END_LEN)

#define COM1_PORT 0x3f8
#define COM1_PORTS 8
#define COM1_IRQ 4
#define RTC_PORT 0x70
#define RTC_PORTS 2
#define RTC_IRQ 8

struct isa_dev {
	const char *name;
	u32 hid;
	bool uid;
	u16 port;
	u8 ports, irq;
};

static const struct isa_dev isa_devs[] = {
	{ "COM1", EISA_PNP0501, true, COM1_PORT, COM1_PORTS, COM1_IRQ },
	{ "RTC_", EISA_PNP0B00, false, RTC_PORT, RTC_PORTS, RTC_IRQ },
};

static u8 *name_dword(u8 *p, const char *name, u32 v)
{
	*p++ = AML_NAME_OP;
	memcpy(p, name, 4);
	p += 4;
	*p++ = AML_DWORD_PREFIX;
	for (int i = 0; i < 4; i++)
		*p++ = (u8)(v >> (8 * i));
	return p;
}

/* Name (_CRS, Buffer (13) { IO, IRQNoFlags, EndTag }) */
static u8 *name_crs(u8 *p, const struct isa_dev *d)
{
	*p++ = AML_NAME_OP;
	memcpy(p, "_CRS", 4);
	p += 4;
	*p++ = AML_BUFFER_OP;
	*p++ = 1 + 2 + CRS_BYTES; /* PkgLength: itself, the size, the data */
	*p++ = AML_BYTE_PREFIX;
	*p++ = CRS_BYTES;
	*p++ = ACPI_RES_IO;
	*p++ = ACPI_RES_IO_DECODE16;
	*p++ = (u8)d->port;
	*p++ = (u8)(d->port >> 8);
	*p++ = (u8)d->port;
	*p++ = (u8)(d->port >> 8);
	*p++ = 1; /* alignment */
	*p++ = d->ports;
	*p++ = ACPI_RES_IRQ_NOFLAGS;
	*p++ = (u8)BIT(d->irq);
	*p++ = (u8)(BIT(d->irq) >> 8);
	*p++ = ACPI_RES_END;
	*p++ = 0; /* checksum 0: "treated as if the checksum is valid" */
	return p;
}

/* Its length without the ExtOp, DeviceOp and one-byte PkgLength. */
static u32 dev_body_len(const struct isa_dev *d)
{
	return 4 + 10 + (d->uid ? 6 : 0) + 6 + 3 + CRS_BYTES;
}

static u8 *device(u8 *p, const struct isa_dev *d)
{
	*p++ = AML_EXT_OP_PREFIX;
	*p++ = AML_DEVICE_OP;
	*p++ = (u8)(dev_body_len(d) + 1);
	memcpy(p, d->name, 4);
	p += 4;
	p = name_dword(p, "_HID", d->hid);
	if (d->uid) {
		*p++ = AML_NAME_OP;
		memcpy(p, "_UID", 4);
		p += 4;
		*p++ = AML_ONE_OP;
	}
	return name_crs(p, d);
}

static u32 scope_body_len(void)
{
	u32 len = 5; /* \_SB_ */

	for (size_t i = 0; i < ARRAY_SIZE(isa_devs); i++)
		len += 3 + dev_body_len(&isa_devs[i]);
	return len;
}

u32 gacpi_isa_aml_len(void)
{
	return 1 + 2 + scope_body_len();
}

u32 gacpi_isa_aml(u8 *out)
{
	u32 len = scope_body_len() + 2;
	u8 *p = out;

	*p++ = AML_SCOPE_OP;
	*p++ = (u8)(AML_PKGLEN_2BYTES | (len & 0xf));
	*p++ = (u8)(len >> 4);
	*p++ = AML_ROOT_CHAR;
	memcpy(p, "_SB_", 4);
	p += 4;
	for (size_t i = 0; i < ARRAY_SIZE(isa_devs); i++)
		p = device(p, &isa_devs[i]);
	return (u32)(p - out);
}

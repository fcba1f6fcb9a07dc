/* SPDX-License-Identifier: MIT */
/*
 * Fixed I/O ports of the PC platform that more than one part of Keel uses:
 * the PCI configuration mechanism #1, the reset control register, and QEMU's
 * debug-exit device. Keel's drivers use them on the machine; vmx/ emulates
 * some of them for the guest.
 */
#ifndef KEEL_ARCH_X86_PC_PORTS_H
#define KEEL_ARCH_X86_PC_PORTS_H

#include "core/types.h"

/* ---- PCI configuration mechanism #1, PCI Local Bus 3.0 3.2.2.3.2 ---- */
#define PCI_CONF1_ADDR 0xcf8 /* dword accesses only */
#define PCI_CONF1_ENABLE BIT(31)
#define PCI_CONF1_BUS GENMASK(23, 16)
#define PCI_CONF1_DEV GENMASK(15, 11)
#define PCI_CONF1_FN GENMASK(10, 8)
#define PCI_CONF1_REG GENMASK(7, 2) /* dword-aligned register offset */
#define PCI_CONF1_DATA 0xcfc /* 0xcfc-0xcff: byte (offset & 3) of the dword */
#define PCI_CONF1_CFG_SIZE 256 /* no extended space through the ports */
#define PCI_CONF1_PORTS 8 /* 0xcf8-0xcff */
#define PCI_CONF1_BDF GENMASK(23, 8) /* bus, device and function together */
/* Bits 30:24 and 1:0 of CONFIG_ADDRESS are reserved and read back 0. */
#define PCI_CONF1_ADDR_MASK (PCI_CONF1_ENABLE | GENMASK(23, 2))

/* The value written to PCI_CONF1_ADDR to reach register @off of bus:dev.fn. */
static inline u32 pci_conf1_addr(u8 bus, u8 dev, u8 fn, u16 off)
{
	return (u32)(PCI_CONF1_ENABLE | FIELD_PREP(PCI_CONF1_BUS, bus) |
		     FIELD_PREP(PCI_CONF1_DEV, dev) |
		     FIELD_PREP(PCI_CONF1_FN, fn) | (off & PCI_CONF1_REG));
}

/* ---- Reset control register (RST_CNT), Intel ICH9 and later datasheets ---- */
#define RST_CNT_PORT 0xcf9
#define RST_CNT_SYS_RST BIT(1) /* full reset, not just the CPU */
#define RST_CNT_RST_CPU BIT(2) /* 0 -> 1 starts the reset */

/* ---- QEMU isa-debug-exit (QEMU hw/misc/debugexit.c), as Keel's tests
 * configure it (iobase=0xf4): QEMU exits with (value << 1) | 1 ---- */
#define QEMU_DEBUG_EXIT_PORT 0xf4

/* 8042 keyboard controller: command 0xFE pulses the CPU reset line. */
#define KBC_DATA_PORT 0x60
#define KBC_CMD_PORT 0x64
#define KBC_CMD_PULSE_RESET 0xfe

/* System control port A (PS/2; Intel ICH datasheets "Port 92"). */
#define SYSCTL_A_PORT 0x92
#define SYSCTL_A_FAST_RESET BIT(0) /* 0 -> 1 resets the CPU */
#define SYSCTL_A_A20 BIT(1) /* A20 gate enabled */

#endif

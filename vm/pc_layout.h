/* SPDX-License-Identifier: MIT */
/*
 * The low megabyte of the guest as a PC has it, shared by the loaders and
 * the guest's ACPI tables: conventional memory up to the EBDA, the EBDA's
 * last KiB below 640 KiB, the VGA window and option ROMs, and the BIOS
 * area 0xE0000-0xFFFFF, where the guest's ACPI tables live (the ACPI 6.4
 * 5.2.5.1 legacy scan covers it).
 */
#ifndef KEEL_VM_PC_LAYOUT_H
#define KEEL_VM_PC_LAYOUT_H

#define PC_LOW_RAM_END 0x9fc00U /* 639 KiB: the EBDA takes the last KiB */
#define PC_EBDA_END 0xa0000U
#define PC_BIOS_AREA 0xe0000U /* ACPI 6.4 5.2.5.1: 0xE0000-0xFFFFF */
#define PC_BIOS_AREA_LEN 0x20000U
#define PC_ONE_MIB 0x100000U

/* BIOS data area words Linux and other kernels read (IBM PC BIOS). */
#define PC_BDA_EBDA_SEG 0x40eU /* EBDA segment (address >> 4) */
#define PC_BDA_BASE_MEM_KB 0x413U /* conventional memory in KiB */

#endif

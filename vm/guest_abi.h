/* SPDX-License-Identifier: MIT */
/*
 * Keel's guest ABI: the hypervisor CPUID leaves, the VMCALL hypercalls and
 * the test device's registers. An interface, not shared code: only
 * constants, so that both Keel and a freestanding 32-bit guest (guest/)
 * include it. docs/hypercalls.md is the user-facing description; keep
 * both in step.
 */
#ifndef KEEL_VM_GUEST_ABI_H
#define KEEL_VM_GUEST_ABI_H

/* ---- CPUID, as KVM's 0x40000000 leaves ---- */
#define KEEL_CPUID_LEAF_SIGNATURE 0x40000000U
/*
 * EAX is where KVM puts its feature bits (KVM_FEATURE_*): Keel offers
 * none, so a guest that reads them without checking the signature sees 0.
 * EBX = KEEL_ABI_VERSION; ECX, EDX reserved (0).
 */
#define KEEL_CPUID_LEAF_INFO 0x40000001U
#define KEEL_CPUID_MAX_LEAF KEEL_CPUID_LEAF_INFO
/* "KeelKeelKeel" in EBX, ECX, EDX, as KVM's "KVMKVMKVM\0\0\0". */
#define KEEL_CPUID_SIGNATURE_REG 0x6c65654bU
/* 2: hypercalls at KEEL_HC_BASE + n, version in 0x40000001.EBX. */
#define KEEL_ABI_VERSION 2

/*
 * ---- VMCALL: RAX = function, arguments in RBX, RCX, RDX; result in RAX ----
 * Keel's functions live at 'K' 'E' << 16 + n, away from KVM's numbers
 * (1..12, Linux include/uapi/linux/kvm_para.h), the small ones of Xen and
 * the -1 kvm-unit-tests uses: a guest written for KVM that calls one of
 * those gets KVM's answer for an unknown one, -KEEL_ENOSYS, and nothing
 * else happens. A caller outside 64-bit mode passes EAX only.
 */
#define KEEL_HC_BASE 0x4b450000U
#define KEEL_HC_PRINT (KEEL_HC_BASE + 0) /* RBX = GPA of bytes, RCX = length */
/* out: RBX = ABI version, RCX = RAM KiB, RDX = exits; RSI = RDI = 0
 * (reserved: Keel never tells a guest a host-physical address) */
#define KEEL_HC_INFO (KEEL_HC_BASE + 1)
#define KEEL_HC_EXIT (KEEL_HC_BASE + 2) /* RBX = status; the guest ends */
/* RBX = vector 32..255, delivered as external */
#define KEEL_HC_RAISE_IRQ (KEEL_HC_BASE + 3)
#define KEEL_HC_NR 4 /* functions KEEL_HC_BASE .. + KEEL_HC_NR - 1 */
#define KEEL_HC_MAX_PRINT 4096
#define KEEL_HC_FIRST_IRQ_VECTOR 32

/*
 * Hypercall errors, returned negated in RAX: Linux errno values, as KVM's
 * KVM_EPERM etc., except ENOSYS, which is KVM_ENOSYS (1000, Linux
 * include/uapi/linux/kvm_para.h), not Linux's 38.
 */
#define KEEL_EPERM 1
#define KEEL_E2BIG 7
#define KEEL_EFAULT 14
#define KEEL_EINVAL 22
#define KEEL_ENOSYS 1000

/* ---- Emulated devices at fixed addresses ---- */
/* ISA debug exit, as QEMU's isa-debug-exit: a write ends the guest. */
#define KEEL_DEBUG_EXIT_PORT 0xf4
#define KEEL_DEBUG_EXIT_LEN 4 /* as QEMU's isa-debug-exit,iosize=4 */

/*
 * QEMU's fw_cfg, the traditional I/O-port interface only (QEMU
 * docs/specs/fw_cfg.rst; item keys from QEMU's include/standard-headers/
 * linux/qemu_fw_cfg.h): a 16-bit write to the selector port picks an item
 * and rewinds it, each 8-bit read of the data port returns its next byte,
 * 0 past its end. Not Keel's own interface: the keys are QEMU's, so a
 * guest written for QEMU (kvm-unit-tests) reads what it expects
 * (docs/vmx.md, "fw_cfg"). Integers are little-endian, FILE_DIR's count
 * big-endian.
 */
#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_NR_PORTS 2
#define FW_CFG_SIGNATURE 0x0000 /* "QEMU" */
#define FW_CFG_ID 0x0001 /* u32: feature bits */
#define FW_CFG_ID_TRADITIONAL 0x1 /* bit 0: the port interface */
#define FW_CFG_ID_DMA 0x2 /* bit 1: the DMA interface (Keel: no) */
#define FW_CFG_UUID 0x0002 /* 16 bytes */
#define FW_CFG_RAM_SIZE 0x0003 /* u64: guest RAM in bytes */
#define FW_CFG_NOGRAPHIC 0x0004 /* u16 */
#define FW_CFG_NB_CPUS 0x0005 /* u16: CPUs the guest has */
#define FW_CFG_BOOT_MENU 0x000e /* u16 */
#define FW_CFG_MAX_CPUS 0x000f /* u16 */
#define FW_CFG_FILE_DIR 0x0019 /* u32 count (big-endian), then entries */
#define FW_CFG_WRITE_CHANNEL 0x4000 /* selector bit 14: ignored for reads */
#define FW_CFG_ARCH_LOCAL 0x8000 /* selector bit 15: x86's own items */
#define FW_CFG_ENTRY_MASK 0x3fff
#define FW_CFG_SIGNATURE_VALUE "QEMU"

/*
 * QEMU's pc-testdev (QEMU hw/misc/pc-testdev.c), which kvm-unit-tests'
 * x86 tests use (docs/vmx.md, "QEMU's pc-testdev"). Not Keel's own
 * interface: the ports and the window are QEMU's.
 *   0xE0-0xE3  a 32-bit data register, byte-addressable: an access of
 *              N bytes at 0xE0+k reads or writes its bytes k..k+N-1
 *              (those past 0xE3 are dropped)
 *   0xE8-0xEB  the same register again, as QEMU splits accesses there
 *              into bytes
 *   0xE4       "flush page": a 4-byte write of a guest-physical address
 *   0x2000+n   IRQ line n (0-23): a byte write of v sets its level to !!v
 *              (line 0 is IOAPIC input 2, the others input n)
 *   IORAM      64 KiB at 0xFF000000 that behaves as memory
 *              (kvm-unit-tests x86/ioram.h: IORAM_BASE_PHYS, IORAM_LEN)
 */
#define PCTD_PORT_DATA 0xe0
#define PCTD_PORT_FLUSH 0xe4
#define PCTD_PORT_DATA_BYTES 0xe8
#define PCTD_NR_PORTS 12 /* 0xE0-0xEB */
#define PCTD_DATA_LEN 4
#define PCTD_FLUSH_LEN 4
#define PCTD_PORT_IRQ 0x2000
#define PCTD_NR_IRQ_LINES 24
/* ISA IRQ 0 reaches the IOAPIC on input 2 (QEMU hw/intc/ioapic.c) */
#define PCTD_IRQ0_GSI 2
#define PCTD_IORAM_BASE 0xff000000U
#define PCTD_IORAM_LEN 0x10000U

/*
 * Keel's test device: 16 ports of 32-bit registers and one MMIO page.
 * Registers are offsets from the base; narrower accesses see the low bytes
 * of the register at that offset.
 */
#define TESTDEV_PORT_BASE 0x700
#define TESTDEV_NR_PORTS 16
#define TESTDEV_REG_ECHO 0x0 /* read back what was written */
#define TESTDEV_REG_ID 0x4 /* TESTDEV_ID, read-only */
#define TESTDEV_REG_FIFO 0x8 /* bytes out in the order they went in */
#define TESTDEV_REG_COUNT 0xc /* accesses so far; a write resets */
#define TESTDEV_ID 0x4c45454bU /* bytes 'K','E','E','L' */
#define TESTDEV_FIFO_SIZE 256
#define TESTDEV_FIFO_EMPTY 0xff

#define TESTDEV_MMIO_BASE 0xfeb00000U
#define TESTDEV_MMIO_SIZE 0x1000U
#define TESTDEV_MMIO_PATTERN 0x00 /* 8 bytes of TESTDEV_PATTERN */
#define TESTDEV_MMIO_SCRATCH 0x08 /* 8 bytes of read-write scratch */
#define TESTDEV_MMIO_COUNT 0x10 /* 32-bit count of MMIO accesses */
#define TESTDEV_MMIO_COM1_IN 0x18 /* written bytes go to COM1's receiver */
#define TESTDEV_PATTERN 0xf1e2d3c4b5a69788ULL

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The virtual machine: the guest's RAM, the registry of emulated port and
 * MMIO ranges, and how the guest ended. It knows nothing of VT-x: vmx/
 * runs a vCPU on a struct vm and calls the registered handlers from its
 * exit handlers; vdev/ holds the emulated devices, which plug in through
 * VM_DEVICE() and the register functions below. The one public header of
 * vm/.
 */
#ifndef KEEL_VM_VM_H
#define KEEL_VM_VM_H

#include "core/types.h"
#include "ept/ept.h"

/* Guest RAM comes in 2 MiB host chunks so that EPT can use 2 MiB pages. */
#define VM_CHUNK_SIZE MiB(2)
#define VM_MAX_MEM GiB(3) /* stays below the 4 GiB MMIO window */
#define VM_MAX_CHUNKS (VM_MAX_MEM / VM_CHUNK_SIZE)
#define VM_MIN_MEM MiB(4)
#define VM_DEFAULT_MEM MiB(128)

/* The legacy VGA/BIOS area the guest's memory map calls reserved. */
#define VM_LEGACY_HOLE_START 0xa0000ULL
#define VM_LEGACY_HOLE_END 0x100000ULL

#define VM_MAX_PIO_HANDLERS 24
#define VM_MAX_MMIO_HANDLERS 16
#define VM_MAX_PIO_PASS 32
#define VM_PCI_HIDE_MAX 16
/* RAM pages taken out of the EPT at once (vm_flush_page) */
#define VM_MAX_FLUSHED 8
/* Memory windows outside RAM (vm_map_ram_at) */
#define VM_MAX_RAM_WINDOWS 2
#define VM_STOP_REASON_LEN 160
/* Every line of guest output starts with this (vm/console.c). */
#define VM_CONSOLE_FRAME "guest| "
#define VM_CONSOLE_LINE 256

struct vm;

/*
 * Port and MMIO handlers. @val holds the value written, or receives the
 * value read (zero-extended). Return 0, or a negative errno to stop the
 * guest with a report naming the handler. A handler that ends or stops
 * the guest calls vm_exit() or vm_stop() and returns 0.
 */
typedef int (*vm_pio_fn)(struct vm *vm, u16 port, unsigned int size, bool in,
			 u32 *val, void *ctx);
typedef int (*vm_mmio_fn)(struct vm *vm, u64 gpa, unsigned int size, bool write,
			  u64 *val, void *ctx);

struct vm_pio_handler {
	u16 base, count;
	vm_pio_fn fn;
	void *ctx;
	const char *name;
};

/* Ports the guest reaches directly: an assigned device's, or legacy. */
struct vm_pio_pass {
	u16 base, count;
	const char *owner;
};

/* Keel's memory mapped into the guest outside its RAM (vm_map_ram_at). */
struct vm_ram_window {
	u64 gpa, size;
	phys_addr_t hpa;
};

struct vm_mmio_handler {
	u64 base, size;
	vm_mmio_fn fn;
	void *ctx;
	const char *name;
};

#define VM_DISK_NAME 16

struct blk_dev;

/*
 * The disk the guest gets as virtio-blk (guest_disk=): sectors [first,
 * first+count) of a block device. boot/ parses the name and range and
 * finds the device; no name, no disk.
 */
struct vm_disk {
	char name[VM_DISK_NAME];
	bool range; /* DEV:FIRST+COUNT; otherwise the whole disk */
	bool ro; /* ,ro: the guest may only read */
	u64 first, count;
	struct blk_dev *dev;
};

/* What the machine is given: filled from Keel's options by boot/. */
struct vm_config {
	u64 mem_size; /* bytes; a multiple of VM_CHUNK_SIZE */
	unsigned int n_hidden;
	u16 hidden[VM_PCI_HIDE_MAX]; /* PCI_BDF() of pci_hide= functions */
	unsigned int n_passthrough;
	/* PCI_BDF() of passthrough= functions: the guest's even when a Keel
	 * driver would claim them (docs/iommu.md) */
	u16 passthrough[VM_PCI_HIDE_MAX];
	struct vm_disk disk;
	/* unparked_cpus: run even while another CPU is not in VMX root */
	bool unparked_cpus;
	/* fw_cfg=: 1 when the guest gets QEMU's fw_cfg ports (vdev/fw_cfg.c) */
	unsigned int fw_cfg;
	/* pc_testdev=: 1 when the guest gets QEMU's pc-testdev
	 * (vdev/pc_testdev.c) */
	unsigned int pc_testdev;
};

#define VM_MAX_MODULES 8

/* A kernel image and its modules, as the boot loader handed them over. */
struct vm_blob {
	const u8 *data;
	size_t len;
	const char *cmdline;
};

struct vm_image {
	struct vm_blob kernel;
	unsigned int n_modules;
	struct vm_blob modules[VM_MAX_MODULES];
};

/* Where and how the guest starts: the entry state a loader defines. */
struct vm_entry {
	u32 eip;
	u32 eax, ebx; /* multiboot (v1): magic and the information block */
	const char *cmdline; /* the guest's, for the log */
	u32 esi; /* Linux: the zero page */
	u16 cs_sel, ds_sel; /* flat 4 GiB selectors in the GDT below */
	u32 gdtr_base;
	u16 gdtr_limit;
};

#define VM_ATTN_ENDED BIT(0) /* state is no longer VM_RUNNING */
#define VM_ATTN_NMI BIT(1) /* an NMI waits for the guest (vmx/nmi.c) */
#define VM_ATTN_IRQ BIT(2) /* a device raised an interrupt (vm/irq.c) */

#define VM_MAX_INTX 32
struct vm_intx {
	u16 bdf;
	u8 pin; /* 1 = INTA# .. 4 = INTD# */
	u8 line; /* the firmware's ISA IRQ; 0 or 0xFF: none */
};

enum vm_state {
	VM_RUNNING,
	VM_EXITED, /* the guest asked to end, with a status */
	VM_STOPPED, /* Keel stopped it: a fault, a bad request, a bug */
};

struct vm {
	const struct vm_config *cfg;
	u64 mem_size;
	unsigned int nchunks;
	phys_addr_t chunk[VM_MAX_CHUNKS];
	struct ept ept;
	/* Set when the EPT changed under a running vCPU: vmx/ flushes. */
	bool ept_dirty;
	unsigned int n_pio, n_mmio, n_pass;
	struct vm_pio_handler pio[VM_MAX_PIO_HANDLERS];
	struct vm_pio_pass pass[VM_MAX_PIO_PASS];
	struct vm_mmio_handler mmio[VM_MAX_MMIO_HANDLERS];
	enum vm_state state;
	/*
	 * Non-zero when the vCPU must look up before it re-enters the guest:
	 * the one word vmx/ tests on its way back (VM_ATTN_*). Set with
	 * atomic ORs: an NMI handler may set a bit at any instruction.
	 */
	u32 attention;
	/* Vectors devices raised, one bit each, for vmx/ to inject. */
	u64 irq_pending[4];
	u64 irqs_lost; /* device interrupts the guest had not routed */
	bool hpet_passed; /* the host's HPET is the guest's (vdev/hpet.c) */
	/*
	 * The guest's xAPIC page: the real LAPIC's place (its home, also
	 * the host address every mapping of it points at; 0 when Keel maps
	 * none), where the guest has it now (vmx/apic_base.c moves it) and
	 * how many moves it made. A new guest starts with it at home.
	 */
	u64 lapic_home, lapic_gpa;
	unsigned int lapic_moves;
	u64 bad_vectors; /* vm_raise_irq() calls refused: vector < 32 */
	/*
	 * RAM pages vm_flush_page() took out of the EPT, put back by
	 * vm_restore_page() on the guest's next touch; and how many of
	 * each there were, for the log.
	 */
	u64 flushed[VM_MAX_FLUSHED];
	unsigned int n_ram_win;
	struct vm_ram_window ram_win[VM_MAX_RAM_WINDOWS];
	unsigned int n_flushed;
	u64 pages_flushed, pages_restored;
	int status;
	bool reset_requested; /* it stopped because it asked for a reset */
	char stop_reason[VM_STOP_REASON_LEN];
	/* The guest's console output, passed on a framed line at a time. */
	char con_line[VM_CONSOLE_LINE];
	unsigned int con_len;
	/*
	 * The INTx pins of the bus-0 functions the guest sees, as their
	 * Interrupt Pin and Line registers read when its devices were set
	 * up (vdev/pci_cfg.c): the guest's _PRT is built from them.
	 */
	unsigned int n_intx;
	struct vm_intx intx[VM_MAX_INTX];
};

/*
 * An emulated device. vm_create() calls every registered device's init in
 * link order; stop runs when the guest has ended (to flush output).
 */
struct vm_device {
	const char *name;
	int (*init)(struct vm *vm);
	void (*stop)(struct vm *vm);
};

#define VM_DEVICE(id, ...)                                          \
	static const struct vm_device __vm_device_##id              \
		__attribute__((used, section(".rodata.vm_devices"), \
			       aligned(sizeof(void *)))) = { __VA_ARGS__ }

/* ---- vm.c: life cycle and how the guest ends ---- */
/*
 * Give @vm its RAM and every device, mapping 2M/1G EPT pages where
 * @allow_2m/@allow_1g say the CPU can. On failure everything built so far
 * is released and a negative errno returned.
 */
int vm_create(struct vm *vm, const struct vm_config *cfg, bool allow_2m,
	      bool allow_1g);
void vm_destroy(struct vm *vm);
/* Run every device's stop hook (flushes the guest's console). */
void vm_devices_stop(struct vm *vm);
/* End the guest with @status, or stop it with a reason; first call wins. */
void vm_exit(struct vm *vm, int status);
void vm_stop(struct vm *vm, const char *fmt, ...) __printf(2, 3);
/*
 * The guest asked to reset or power off the machine (@how names the path,
 * e.g. "port 0x92"). Only the guest ends: a reset stops it, a power-off
 * is an exit with status 0.
 */
void vm_request_reset(struct vm *vm, const char *how);
void vm_request_poweroff(struct vm *vm, const char *how);

static inline bool vm_running(const struct vm *vm)
{
	return vm->state == VM_RUNNING;
}

/* ---- mem.c: guest RAM ---- */
/* Host pointer for [gpa, gpa+len) when it lies in one RAM chunk, or NULL. */
void *vm_gpa_ptr(struct vm *vm, u64 gpa, u64 len);
/* Guest memory: RAM and the windows of vm_map_ram_at(); -EFAULT elsewhere. */
int vm_read(struct vm *vm, u64 gpa, void *buf, size_t len);
int vm_write(struct vm *vm, u64 gpa, const void *buf, size_t len);
/* Map host MMIO 1:1 (uncached) into the guest; marks the EPT dirty. */
int vm_map_mmio(struct vm *vm, u64 gpa, u64 size);
/*
 * Map host MMIO at @hpa to guest-physical @gpa (uncached; 4K-aligned), or
 * remove whatever maps [gpa, gpa+size). Both mark the EPT dirty.
 */
int vm_map_mmio_at(struct vm *vm, u64 gpa, u64 hpa, u64 size);
int vm_unmap(struct vm *vm, u64 gpa, u64 size);
/*
 * Map @size bytes of device memory at @gpa 1:1, uncached and read-only:
 * reads reach the device, writes take EPT violations that go to the
 * handler registered on the range (vm_register_mmio).
 */
int vm_map_mmio_readonly(struct vm *vm, u64 gpa, u64 size);
/*
 * Map @size bytes of Keel-allocated memory at host @hpa to @gpa as the
 * guest's RAM is mapped (RWX, write-back): memory a device model gives
 * the guest outside its RAM (vdev/pc_testdev.c). vm_read()/vm_write()
 * reach it too, so what Keel does on the guest's behalf (string I/O,
 * page walks) sees it as the guest does. At most VM_MAX_RAM_WINDOWS
 * (-ENOSPC); marks the EPT dirty.
 */
int vm_map_ram_at(struct vm *vm, u64 gpa, phys_addr_t hpa, u64 size);

/* ---- mem_flush.c: RAM pages taken out of the EPT for a while ---- */
/*
 * Take the 4 KiB RAM page holding @gpa out of the EPT, so that the
 * guest's next access to it exits and vm_restore_page() puts it back:
 * the guest sees no difference, but its access takes an EPT violation
 * (QEMU's pc-testdev "flush page"). -ERANGE when @gpa is not guest RAM.
 * At most VM_MAX_FLUSHED pages are out at once: the oldest goes back
 * first. Marks the EPT dirty.
 */
int vm_flush_page(struct vm *vm, u64 gpa);
/*
 * Put back the flushed page holding @gpa. False when none is flushed
 * there (or something else is now mapped there): the EPT violation at
 * @gpa is then not the flush's.
 */
bool vm_restore_page(struct vm *vm, u64 gpa);

/* ---- load.c: guest loaders ---- */
/*
 * Load @img into the guest's RAM, with Keel's ACPI tables for the guest:
 * a bzImage by the Linux boot protocol (vm/linux_boot.c), anything else as
 * a multiboot (v1) kernel with its information block; fill @entry. A bad image is reported with the
 * reason and -EINVAL returned; the guest's RAM is then undefined.
 */
int vm_load(struct vm *vm, const struct vm_image *img, struct vm_entry *entry);

/* ---- console.c: the guest's output on Keel's console ---- */
/* Framed and escaped, a line at a time; see vm/console.c. */
void vm_console_putc(struct vm *vm, u8 c);
void vm_console_write(struct vm *vm, const void *buf, size_t len);
/* Pass on a partial line (with a line end); done when the guest ends. */
void vm_console_flush(struct vm *vm);

/* ---- irq.c: device interrupts ---- */
/*
 * Raise external interrupt @vector (32-255) for the guest, as an edge on a
 * fixed-delivery line to its LAPIC: before the guest runs again vmx/ sends
 * it to the LAPIC as a self-IPI, and the CPU delivers it with the guest's
 * own IRR/ISR/TPR/EOI semantics (docs/vmx.md, "Device interrupts"). The
 * same vector raised again before the guest takes it is one interrupt.
 */
void vm_raise_irq(struct vm *vm, u8 vector);
/*
 * An edge on ISA line @irq: raised with the vector the guest's IOAPIC
 * redirection entry gives it. False (said once per guest) when the guest
 * has not routed the line through an IOAPIC.
 */
bool vm_raise_isa_irq(struct vm *vm, unsigned int irq);
/* The same for IOAPIC input @gsi itself, with no ISA override applied. */
bool vm_raise_gsi(struct vm *vm, u32 gsi);
/* The GSI ISA line @irq reaches: the same number unless the host's MADT
 * overrides it (ACPI 6.4 5.2.12.5). */
u32 vm_isa_gsi(unsigned int irq);

/* ---- iodev.c: the device registry ---- */
int vm_register_pio(struct vm *vm, u16 base, u16 count, vm_pio_fn fn, void *ctx,
		    const char *name);
int vm_register_mmio(struct vm *vm, u64 base, u64 size, vm_mmio_fn fn,
		     void *ctx, const char *name);
/*
 * Let the guest reach ports [base, base+count) of the real machine. Every
 * port is trapped unless passed here (docs/vmx.md, "What the guest may
 * reach"); a port that also has a handler stays trapped.
 */
int vm_pass_pio(struct vm *vm, u16 base, u16 count, const char *owner);
/* Does any emulated range cover part of [port, port+size)? */
bool vm_pio_claimed(const struct vm *vm, u16 port, unsigned int size);
/* Who decodes @port: its device's index in pio[] (emulated ones win, as
 * vmx/io.c's bitmap traps them), PIO_OWNER_PASS or PIO_OWNER_NOBODY
 * (vm/pio_split.h). */
u8 vm_pio_owner(const struct vm *vm, u16 port);
/* The handler covering all of [port, port+size), or NULL. */
struct vm_pio_handler *vm_find_pio(struct vm *vm, u16 port, unsigned int size);
/*
 * Move the MMIO range registered at @old_base to @new_base (a device
 * whose BAR the guest moved). -EBUSY when it would overlap another range.
 */
int vm_move_mmio(struct vm *vm, u64 old_base, u64 new_base);
struct vm_mmio_handler *vm_find_mmio(struct vm *vm, u64 gpa);

#endif

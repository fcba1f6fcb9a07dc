/* SPDX-License-Identifier: MIT */
/*
 * Keel's command line, parsed once at boot into struct keel_options by the
 * table in boot/options_table.c (docs/command-line.md lists every option),
 * and the end-of-boot actions it asks for. Subsystems get values from here,
 * never the raw command line.
 */
#ifndef KEEL_BOOT_OPTIONS_H
#define KEEL_BOOT_OPTIONS_H

#include "boot/boot.h"
#include "boot/console_opt.h"
#include "core/options.h"
#include "iommu/iommu.h"
#include "vm/vm.h"

/*
 * Run the guest module, if there is one, until it ends (boot/guest.c).
 * Returns its exit status, or -1 when Keel stopped it or it never started.
 */
int guest_run(const struct boot_info *bi, const struct vm_config *cfg,
	      bool restart_on_reset);

/*
 * The guest Keel runs or ran last, for the shell's vm command: its state,
 * exit status or stop reason. NULL before any guest was loaded.
 */
const struct vm *guest_vm(void);

/* on_guest_exit=, in the order of the table's names. */
enum guest_exit_action {
	GUEST_EXIT_HALT,
	GUEST_EXIT_POWEROFF,
};

/* on_guest_reset=, in the order of the table's names. */
enum guest_reset_action {
	GUEST_RESET_STOP,
	GUEST_RESET_RESTART,
};

/* crash=, in the order of the table's names. */
enum crash_kind {
	CRASH_UD,
	CRASH_PF,
	CRASH_GP,
	CRASH_DE,
	CRASH_NULL,
	CRASH_WRITE_TEXT,
	CRASH_EXEC_DATA,
	CRASH_STACK,
};

/* crash=: raise that fault on purpose (boot/crash.c). */
void crash_now(unsigned int kind);

struct keel_options {
	struct console_opt console;
	u64 loglevel;
	bool poweroff, reboot;
	unsigned int crash; /* enum crash_kind, or OPT_ENUM_UNSET */
	unsigned int sched; /* index of blk_elevator_at() */
	u32 test, bench; /* bit i: the i-th registered test or benchmark */
	unsigned int on_guest_exit; /* enum guest_exit_action */
	unsigned int on_guest_reset; /* enum guest_reset_action */
	unsigned int shell; /* enum shell_mode (shell/shell.h) */
	unsigned int exit_trace; /* 1: the exit trace ring records from boot */
	unsigned int park_cpus; /* 1: park the other CPUs (arch/x86/smp.c) */
	u64 ide_max_xfer; /* bytes an IDE command moves at most; 0: no cap */
	struct vm_config guest; /* guest_mem=, pci_hide=, passthrough= */
	struct iommu_config iommu; /* iommu=, unconfined_dma */
};

extern const struct opt_table keel_option_table;

/*
 * Parse @cmdline once, keeping any problems to print later (after the
 * "keel: cmdline:" line). Returns the options; always usable.
 */
const struct keel_options *options_parse(const char *cmdline);
/*
 * console= and loglevel=: start the back ends console= lists (the first
 * output Keel makes; boot/console.c) and set the log level.
 */
void options_apply_console(const struct boot_info *bi,
			   const struct keel_options *o);

/* boot/console.c: the back ends @c lists, each started or refused. */
void console_start(const struct boot_info *bi, const struct console_opt *c);
/* The serial console on COM1, for a panic before the command line is read. */
void console_start_default(void);
/* One line per back end that refused to start, on those that did. */
void console_report(void);
/* Print what options_parse() found wrong or adjusted, one line each. */
void options_report(void);
/* passthrough=: mark the functions no Keel driver may claim, after PCI
 * enumeration and before storage_init(); unknown or hidden ones are
 * reported. */
void options_apply_passthrough(const struct vm_config *gc);
/* ACPI, PCI, time and power, in that order. */
void platform_init(const struct boot_info *bi);
/*
 * The block layer's default elevator (sched=), then the AHCI disks, then
 * the IDE disks with at most @ide_max_xfer bytes a command (ide_max_xfer=).
 */
void storage_init(const char *sched, u64 ide_max_xfer);
/*
 * guest_disk=: find @d's block device and check its range (the whole disk
 * when no range was given). False, said on the console, when there is no
 * such disk or the range does not fit it; the guest then gets no disk.
 */
bool storage_guest_disk(struct vm_disk *d);
/* The registered disk named @name (sda, ...), or NULL. */
struct blk_dev *storage_find_disk(const char *name);
/* guest_disk= as parsed (the device not yet looked up): for bench=. */
const struct vm_disk *options_guest_disk(void);
/*
 * crash=, self-tests, the guest (on_guest_exit=), then poweroff / reboot /
 * halt; does not return.
 */
void options_run_actions(const struct boot_info *bi,
			 const struct keel_options *o) __noreturn;

#endif

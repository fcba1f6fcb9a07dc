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
#include "core/options.h"
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

/* console=: the UART Keel's console moves to. */
struct console_opt {
	u16 port;
	u32 baud;
};

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
	struct vm_config guest; /* guest_mem=, pci_hide= */
};

extern const struct opt_table keel_option_table;

/*
 * Parse @cmdline once, keeping any problems to print later (after the
 * "keel: cmdline:" line). Returns the options; always usable.
 */
const struct keel_options *options_parse(const char *cmdline);
/* console= and loglevel=: reprogram the console as asked. */
void options_apply_console(const struct keel_options *o);
/* Print what options_parse() found wrong or adjusted, one line each. */
void options_report(void);
/* ACPI, PCI, time and power, in that order. */
void platform_init(const struct boot_info *bi);
/* The block layer's default elevator (sched=), then the AHCI disks. */
void storage_init(const char *sched);
/*
 * crash=, self-tests, the guest (on_guest_exit=), then poweroff / reboot /
 * halt; does not return.
 */
void options_run_actions(const struct boot_info *bi,
			 const struct keel_options *o) __noreturn;

#endif

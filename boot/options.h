/* SPDX-License-Identifier: MIT */
/*
 * Boot-time options and actions from Keel's command line, and the platform
 * bring-up sequence. See docs/command-line.md for every option.
 */
#ifndef KEEL_BOOT_OPTIONS_H
#define KEEL_BOOT_OPTIONS_H

#include "boot/boot.h"

struct vm_config;

/*
 * Run the guest module, if there is one, until it ends (boot/guest.c).
 * Returns its exit status, or -1 when Keel stopped it or it never started.
 */
int guest_run(const struct boot_info *bi, const struct vm_config *cfg);

/* console= and loglevel=: reprogram the console as asked. */
void options_apply_console(const char *cmdline);
/* ACPI, PCI, time and power, in that order. */
void platform_init(const struct boot_info *bi);
/* sched=, then the AHCI disks and their block devices. */
void storage_init(const char *cmdline);
/*
 * crash=, self-tests, the guest (on_guest_exit=), then poweroff / reboot /
 * halt; does not return.
 */
void options_run_actions(const struct boot_info *bi,
			 const char *cmdline) __noreturn;

#endif

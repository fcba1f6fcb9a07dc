/* SPDX-License-Identifier: MIT */
/*
 * VT-x: bring-up of VMX root mode and the guest. The one public header of
 * vmx/ for the rest of Keel (boot code).
 */
#ifndef KEEL_VMX_VMX_H
#define KEEL_VMX_VMX_H

#include "core/types.h"
#include "boot/boot.h"

/*
 * Detect VT-x, check IA32_FEATURE_CONTROL, negotiate every control from the
 * capability MSRs, and enter VMX root mode. Prints one line saying why when
 * VT-x cannot be used. Returns 0, -ENODEV (no VT-x), -EPERM (disabled in
 * firmware) or -ENOTSUP (a required feature is missing).
 */
int vmx_init(void);
bool vmx_enabled(void);

/* Guest RAM comes in 2 MiB host chunks so that EPT can use 2 MiB pages. */
#define GUEST_CHUNK_SIZE MiB(2)
#define GUEST_MAX_MEM GiB(3) /* stays below the 4 GiB MMIO window */
#define GUEST_MIN_MEM MiB(4)
/* Most PCI functions pci_hide= can name. */
#define GUEST_PCI_HIDE_MAX 16

/* What the command line says about the guest (boot/options.c fills it). */
struct guest_config {
	u64 mem_size; /* a multiple of GUEST_CHUNK_SIZE, in range */
	unsigned int n_hidden;
	u16 hidden[GUEST_PCI_HIDE_MAX]; /* pci_hide=: bus << 8 | dev << 3 | fn */
};

/*
 * Load the multiboot module named "guest" and run it until it ends. Prints
 * "keel: guest exited with status N" or "keel: guest stopped: REASON", then
 * the exit statistics. Returns the guest's status (-1 when stopped, or when
 * there is no guest to run).
 */
int guest_run(const struct boot_info *bi, const struct guest_config *cfg);

#endif

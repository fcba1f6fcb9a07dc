/* SPDX-License-Identifier: MIT */
/*
 * VT-x: bring-up of VMX root mode and running a VM's vCPU. The one public
 * header of vmx/ for the rest of Keel (boot code).
 */
#ifndef KEEL_VMX_VMX_H
#define KEEL_VMX_VMX_H

#include "core/types.h"

/*
 * Detect VT-x, check IA32_FEATURE_CONTROL, negotiate every control from the
 * capability MSRs, and enter VMX root mode. Prints one line saying why when
 * VT-x cannot be used. Returns 0, -ENODEV (no VT-x), -EPERM (disabled in
 * firmware) or -ENOTSUP (a required feature is missing).
 */
int vmx_init(void);
bool vmx_enabled(void);

struct vm;
struct vm_entry;

/* Which EPT page sizes the CPU offers, for vm_create(). */
void vmx_ept_page_sizes(bool *allow_2m, bool *allow_1g);

/*
 * Run @vm's one vCPU from @entry until the guest ends. Then prints
 * "keel: guest exited with status N" or "keel: guest stopped: REASON" and
 * the exit statistics; vm->state and vm->status say how it ended. Returns
 * 0, or a negative errno when the vCPU could not be set up (nothing ran).
 */
int vmx_run(struct vm *vm, const struct vm_entry *entry);

/*
 * ---- The shell's view (vmx/debug.c) ----
 * Why VT-x is off ("this CPU has no VMX"), or NULL when it is on.
 */
const char *vmx_off_reason(void);
/* The VMX capabilities Keel negotiated, two lines. */
void vmx_show_caps(void);
/*
 * The VM whose vCPU is between two exits now, else NULL. The functions
 * below read its VMCS and may be called only while this is non-NULL (from
 * a poller on the exit path).
 */
struct vm *vmx_running_vm(void);
void vmx_show_regs(void);
/* The key VMCS fields, decoded. */
void vmx_show_vmcs(void);
/* Exit counts and Keel's cycles per reason, since the start or a reset. */
void vmx_show_exits(void);
void vmx_reset_exits(void);
/*
 * The ring of the last exits (reason, RIP, qualification). Switching it
 * on empties it; it is dumped when a guest is stopped, unless empty (it
 * never was on). Dump returns how many entries it printed.
 */
void vmx_trace_set(bool on);
unsigned int vmx_trace_dump(void);
unsigned int vmx_trace_entries(void);

#endif

/* SPDX-License-Identifier: MIT */
/* Exit handlers, each for one basic exit reason; private to vmx/. */
#ifndef KEEL_VMX_VMX_HANDLERS_H
#define KEEL_VMX_VMX_HANDLERS_H

#include "vmx/vcpu.h"

void vmx_exit_triple_fault(struct vcpu *v);
void vmx_exit_init_signal(struct vcpu *v);
void vmx_exit_sipi_signal(struct vcpu *v);
void vmx_exit_interrupt_window(struct vcpu *v);
void vmx_exit_cpuid(struct vcpu *v);
void vmx_exit_hlt(struct vcpu *v);
void vmx_exit_wbinvd(struct vcpu *v);
void vmx_exit_vmx_instruction(struct vcpu *v);
void vmx_exit_monitor_mwait(struct vcpu *v);
void vmx_exit_entry_failure(struct vcpu *v);
void vmx_exit_preemption_timer(struct vcpu *v);
void vmx_exit_xsetbv(struct vcpu *v);

/* CPUID 15h and 16h for the guest (vmx/time_leaves.c): set up once by
 * vmx_time_leaves_init(); vmx_time_leaf() replaces the hardware's @r. */
void vmx_time_leaves_init(void);
void vmx_time_leaf(u32 leaf, u32 r[4]);

#endif

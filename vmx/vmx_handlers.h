/* SPDX-License-Identifier: MIT */
/* Exit handlers, each for one basic exit reason; private to vmx/. */
#ifndef KEEL_VMX_VMX_HANDLERS_H
#define KEEL_VMX_VMX_HANDLERS_H

#include "vmx/vcpu.h"

int handle_triple_fault(struct vcpu *v);
int handle_init_signal(struct vcpu *v);
int handle_sipi_signal(struct vcpu *v);
int handle_interrupt_window(struct vcpu *v);
int handle_cpuid(struct vcpu *v);
int handle_hlt(struct vcpu *v);
int handle_wbinvd(struct vcpu *v);
int handle_vmx_instruction(struct vcpu *v);
int handle_entry_failure(struct vcpu *v);
int handle_preemption_timer(struct vcpu *v);
int handle_xsetbv(struct vcpu *v);

#endif

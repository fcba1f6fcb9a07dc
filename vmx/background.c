// SPDX-License-Identifier: MIT
/*
 * Keel's background work while a guest runs (core/poll.h). Keel keeps
 * external-interrupt exiting off and takes no interrupts, so its pollers
 * run from the exit path when they are due, and the VMX-preemption timer
 * (SDM Vol.3C 26.5.1) forces an exit when the guest runs long without one.
 * While work is in flight the tick starts fast and doubles, up to a
 * bound, for each round that finished nothing: a disk command takes
 * milliseconds, and each poll costs the guest an exit. A round that
 * finished something, or a kick (new work submitted), makes it fast again.
 * With nothing in flight it is slow, so an idle guest pays about a
 * hundred exits a second. docs/virtio.md, "Performance", has the figures.
 */
#include "core/lib.h"
#include "core/poll.h"
#include "arch/x86/arch.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

#define POLL_FAST_US 50 /* I/O in flight: completions are noticed soon */
#define POLL_BUSY_MAX_US 200 /* the back-off's bound while work is in flight */
#define POLL_SLOW_US 10000 /* only the console and faults to watch */

static u64 fast_tsc, busy_max_tsc, slow_tsc, busy_tsc;
static bool have_timer;

static u64 us_to_tsc(u64 us)
{
	u64 t = tsc_khz() * us / 1000;

	return t ? t : 1;
}

/* Timer ticks for @tsc TSC cycles; the field is 32 bits wide. */
static u32 timer_value(u64 tsc)
{
	u64 ticks = tsc >> vmx_cfg.preemption_timer_shift;

	if (!ticks)
		ticks = 1;
	return ticks > 0xffffffffULL ? 0xffffffffU : (u32)ticks;
}

/* Turn the timer on in the current VMCS when the CPU has it. */
void vmx_background_setup(struct vcpu *v)
{
	u64 pin;

	(void)v;
	fast_tsc = us_to_tsc(POLL_FAST_US);
	busy_max_tsc = us_to_tsc(POLL_BUSY_MAX_US);
	busy_tsc = fast_tsc;
	slow_tsc = us_to_tsc(POLL_SLOW_US);
	have_timer = vmx_cfg.ctl.word[VMX_CTL_PIN] &
		     PIN_BASED_VMX_PREEMPTION_TIMER;
	keel_poll_kick();
	if (!have_timer)
		return;
	pin = vmread(VMCS_PIN_BASED_VM_EXEC_CONTROL);
	vmwrite(VMCS_PIN_BASED_VM_EXEC_CONTROL,
		pin | PIN_BASED_VMX_PREEMPTION_TIMER);
	/* Polled at the first exit, which this value forces at once. */
	vmwrite(VMCS_VMX_PREEMPTION_TIMER_VALUE, 0);
}

/* The next interval after a round that returned @r (core/poll.h). */
static u64 next_interval(unsigned int r, bool kicked)
{
	if (!(r & POLL_BUSY)) {
		busy_tsc = fast_tsc;
		return slow_tsc;
	}
	if (kicked || (r & POLL_PROGRESS))
		busy_tsc = fast_tsc;
	else if (busy_tsc < busy_max_tsc / 2)
		busy_tsc *= 2;
	else
		busy_tsc = busy_max_tsc;
	return busy_tsc;
}

void vmx_background(struct vcpu *v)
{
	bool kicked = !keel_poll_next;
	u64 interval = next_interval(keel_poll(), kicked);

	keel_poll_schedule(rdtsc() + interval);
	if (!keel_poll_next)
		interval = fast_tsc;
	if (have_timer)
		vmwrite(VMCS_VMX_PREEMPTION_TIMER_VALUE, timer_value(interval));
	v->polls++;
}

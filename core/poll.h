/* SPDX-License-Identifier: MIT */
/*
 * Keel's background work. Keel takes no interrupts of its own
 * (docs/architecture.md, "Background work"): block completions, elevator
 * deadlines, console input and VT-d faults are polled. Each piece of work
 * registers a poller with KEEL_POLLER(); the entries land in the .pollers
 * section (linker.ld). The VM-exit path and the VMX-preemption timer run
 * them while a guest runs (vmx/background.c), an idle loop runs them when
 * none does.
 */
#ifndef KEEL_CORE_POLL_H
#define KEEL_CORE_POLL_H

#include "core/types.h"

/*
 * What a poller returns: busy asks for the fast tick (work in flight);
 * progress, with busy, says this run finished some of it. A busy round
 * without progress lets the tick back off (vmx/background.c).
 */
#define POLL_IDLE 0U
#define POLL_BUSY 1U
#define POLL_PROGRESS 2U

struct keel_poller {
	const char *name;
	unsigned int (*fn)(void);
};

#define KEEL_POLLER(id, f)                                \
	static const struct keel_poller keel_poller_##id  \
		__attribute__((used, section(".pollers"), \
			       aligned(8))) = { .name = #id, .fn = (f) }

/*
 * The TSC value at which the next poll is due; 0 asks for one at the next
 * chance. The exit path compares its exit TSC against it, so it is a plain
 * variable rather than a call.
 */
extern u64 keel_poll_next;

/* Run every poller once; the POLL_* bits of all of them ORed. */
unsigned int keel_poll(void);

/* Ask for a poll soon, e.g. after submitting I/O from an exit handler. */
static inline void keel_poll_kick(void)
{
	keel_poll_next = 0;
}

/*
 * Set when the next poll is due, unless a poller kicked during the run
 * that just ended: that kick wins.
 */
void keel_poll_schedule(u64 tsc);

/* The number of registered pollers, and the @i-th one (for the shell). */
unsigned int keel_poller_count(void);
const struct keel_poller *keel_poller_at(unsigned int i);

#endif

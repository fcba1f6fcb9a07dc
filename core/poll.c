// SPDX-License-Identifier: MIT
/* The background-work registry: the .pollers section that linker.ld collects. */
#include "core/poll.h"

extern const struct keel_poller __pollers_start[], __pollers_end[];

u64 keel_poll_next;
static bool polling;
static bool kicked;

/* The linker's two symbols bound one array; count it by address. */
unsigned int keel_poller_count(void)
{
	return (unsigned int)(((unsigned long)__pollers_end -
			       (unsigned long)__pollers_start) /
			      sizeof(struct keel_poller));
}

const struct keel_poller *keel_poller_at(unsigned int i)
{
	return i < keel_poller_count() ? &__pollers_start[i] : NULL;
}

unsigned int keel_poll(void)
{
	unsigned int busy = POLL_IDLE;
	unsigned int i, n = keel_poller_count();

	/* A poller that waits on another's work must not recurse into the
	 * loop it runs from: the outer run finishes the round. */
	if (polling)
		return POLL_BUSY;
	polling = true;
	/* Any value but 0 lets a kick from a poller be seen afterwards. */
	keel_poll_next = ~0ULL;
	for (i = 0; i < n; i++)
		busy |= __pollers_start[i].fn();
	kicked = keel_poll_next == 0;
	polling = false;
	return busy;
}

void keel_poll_schedule(u64 tsc)
{
	keel_poll_next = kicked ? 0 : tsc;
	kicked = false;
}

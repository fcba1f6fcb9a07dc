/* SPDX-License-Identifier: MIT */
/*
 * What core/ needs from the architecture, bound at link time: core/ declares
 * these hooks and arch/ defines them (arch/x86/traps.c), so core/ includes
 * nothing from arch/. panic() ends with them.
 */
#ifndef KEEL_CORE_ARCH_HOOKS_H
#define KEEL_CORE_ARCH_HOOKS_H

#include "core/types.h"

/* Print the frame-pointer chain that starts at @frame. */
void arch_dump_backtrace(void *frame);
/* Stop this CPU for good, interrupts off. */
void arch_halt_forever(void) __noreturn;

#endif

/* SPDX-License-Identifier: MIT */
/*
 * I/O APIC registers (Intel 82093AA I/O Advanced Programmable Interrupt
 * Controller datasheet, order 290566-001, section 3). Constants only.
 */
#ifndef KEEL_ARCH_X86_IOAPIC_H
#define KEEL_ARCH_X86_IOAPIC_H

#include "core/bits.h"

/* Memory-mapped registers, 3.0: an index and a data window. */
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10

/* Indirect registers, 3.2 */
#define IOAPIC_REG_VER 0x01
#define IOAPIC_VER_MAX_REDIR GENMASK(23, 16) /* entries - 1 */
#define IOAPIC_REG_REDTBL(pin) (0x10 + 2 * (pin)) /* low dword; +1 high */

/* Redirection table entry, low dword, 3.2.4 */
#define IOAPIC_RTE_VECTOR GENMASK(7, 0)
#define IOAPIC_RTE_DELMODE GENMASK(10, 8)
#define IOAPIC_DELMODE_FIXED 0
#define IOAPIC_DELMODE_LOWEST 1
#define IOAPIC_RTE_MASKED BIT(16)

#endif

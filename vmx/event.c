// SPDX-License-Identifier: MIT
/* Exception classes and the pending-interrupt set; see vmx/event.h. */
#include "vmx/event.h"
#include "vmx/vmcs.h"

#define ERROR_CODE_VECTORS                                     \
	(BIT(X86_VEC_DF) | BIT(X86_VEC_TS) | BIT(X86_VEC_NP) | \
	 BIT(X86_VEC_SS) | BIT(X86_VEC_GP) | BIT(X86_VEC_PF) | \
	 BIT(X86_VEC_AC) | BIT(X86_VEC_CP))
#define FAULT_VECTORS                                          \
	(BIT(X86_VEC_DE) | BIT(X86_VEC_BR) | BIT(X86_VEC_UD) | \
	 BIT(X86_VEC_NM) | BIT(X86_VEC_TS) | BIT(X86_VEC_NP) | \
	 BIT(X86_VEC_SS) | BIT(X86_VEC_GP) | BIT(X86_VEC_PF) | \
	 BIT(X86_VEC_MF) | BIT(X86_VEC_AC) | BIT(X86_VEC_XM) | \
	 BIT(X86_VEC_VE) | BIT(X86_VEC_CP))
/* SDM Vol.3A table 6-4: contributory exceptions (#CP joined them with
 * CET); #PF is a class of its own; everything else is benign. */
#define CONTRIBUTORY_VECTORS                                   \
	(BIT(X86_VEC_DE) | BIT(X86_VEC_TS) | BIT(X86_VEC_NP) | \
	 BIT(X86_VEC_SS) | BIT(X86_VEC_GP) | BIT(X86_VEC_CP))

static bool in(u64 set, u8 vector)
{
	return vector < 32 && (set & BIT(vector));
}

bool x86_exc_has_error_code(u8 vector)
{
	return in(ERROR_CODE_VECTORS, vector);
}

bool x86_exc_is_fault(u8 vector)
{
	return in(FAULT_VECTORS, vector);
}

/*
 * Table 6-5: contributory then contributory, or #PF then contributory or
 * #PF, make a #DF; a contributory exception or #PF while delivering #DF
 * shuts the CPU down (SDM Vol.3A 6.15, interrupt 8); every other pair is
 * handled serially.
 */
enum exc_merge x86_exc_merge(u8 first, u8 second)
{
	bool second_bad = in(CONTRIBUTORY_VECTORS, second) ||
			  second == X86_VEC_PF;

	if (first == X86_VEC_DF && second_bad)
		return EXC_TRIPLE;
	if (in(CONTRIBUTORY_VECTORS, first) && in(CONTRIBUTORY_VECTORS, second))
		return EXC_DOUBLE;
	if (first == X86_VEC_PF && second_bad)
		return EXC_DOUBLE;
	return EXC_SERIAL;
}

int irq_set_take_highest(struct irq_set *s)
{
	for (int i = 3; i >= 0; i--) {
		if (s->bits[i]) {
			int bit = 63 - __builtin_clzll(s->bits[i]);

			s->bits[i] &= ~BIT(bit);
			return i * 64 + bit;
		}
	}
	return -1;
}

bool vmx_debug_trap_pending(u64 pending_dbg)
{
	return pending_dbg & (PENDING_DBG_BS | PENDING_DBG_ENABLED_BP);
}

bool vmx_nmi_injectable(u32 entry_info, u64 intr, u64 pending_dbg)
{
	return !(entry_info & INTR_INFO_VALID) &&
	       !(intr & (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_MOV_SS |
			 GUEST_INTR_STATE_STI)) &&
	       !vmx_debug_trap_pending(pending_dbg);
}

/* SPDX-License-Identifier: MIT */
/*
 * The MSRs Keel keeps per vCPU instead of passing them to the hardware:
 * IA32_MISC_ENABLE (vmx/msr_misc_enable.c), the machine-check banks
 * (vmx/msr_mca.c) and the MTRRs (vmx/msr_mtrr.c). The guest must never
 * change the real ones: they are the CPU Keel runs on. Pure: built for
 * Keel and for the host tests; vmx/msr.c fills them from the hardware at
 * guest reset and routes RDMSR/WRMSR to them. docs/cpuid-msr.md says what
 * the guest sees.
 *
 * Every read/write function returns 0, or -EPERM for #GP.
 */
#ifndef KEEL_VMX_MSR_VIRT_H
#define KEEL_VMX_MSR_VIRT_H

#include "core/types.h"
#include "arch/x86/x86_defs.h"

/* ---- IA32_MISC_ENABLE (1A0h), SDM Vol.4 table 2-2 (rev 080) ---- */
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MISC_EN_FAST_STRINGS BIT(0) /* R/W */
#define MISC_EN_AUTO_TCC BIT(3) /* R/W: automatic thermal control */
#define MISC_EN_PERFMON_AVAIL BIT(7) /* RO */
#define MISC_EN_BTS_UNAVAIL BIT(11) /* RO */
#define MISC_EN_PEBS_UNAVAIL BIT(12) /* RO */
#define MISC_EN_EIST BIT(16) /* R/W: Enhanced SpeedStep enable */
#define MISC_EN_MONITOR BIT(18) /* R/W: MONITOR FSM, CPUID.1:ECX[3]; 0: #UD */
#define MISC_EN_LIMIT_CPUID BIT(22) /* R/W: CPUID.0:EAX says at most 2 */
#define MISC_EN_XTPR_DISABLE BIT(23) /* R/W */
#define MISC_EN_XD_DISABLE BIT(34) /* R/W: NX gone from CPUID and EFER */
#define MISC_EN_RW                                                      \
	(MISC_EN_FAST_STRINGS | MISC_EN_AUTO_TCC | MISC_EN_EIST |       \
	 MISC_EN_MONITOR | MISC_EN_LIMIT_CPUID | MISC_EN_XTPR_DISABLE | \
	 MISC_EN_XD_DISABLE)
#define MISC_EN_RO \
	(MISC_EN_PERFMON_AVAIL | MISC_EN_BTS_UNAVAIL | MISC_EN_PEBS_UNAVAIL)
/* CPUID.0:EAX with LIMIT_CPUID set */
#define MISC_EN_CPUID_LIMIT 2

/* The guest's value at reset, from the hardware's @hw: MONITOR FSM off. */
u64 misc_enable_reset(u64 hw);
/*
 * WRMSR: R/W bits take @val, RO bits keep their value, a reserved bit is
 * #GP. XD_DISABLE is stored whatever the guest's EFER.NXE (@nxe). The
 * MONITOR FSM bit may change only where the guest can have MONITOR
 * (@monitor_ok: its CPUID shows SSE3 and MONITOR/MWAIT exit), else #GP,
 * as SDM Vol.4 table 2-2 allows a CPU without SSE3.
 */
int misc_enable_write(u64 *misc, u64 val, bool nxe, bool monitor_ok);
/*
 * Apply @misc to CPUID leaf @leaf's EAX..EDX in @r: LIMIT_CPUID caps
 * CPUID.0:EAX at 2, XD_DISABLE clears CPUID.80000001h:EDX.NX, and
 * CPUID.1:ECX.MONITOR is the MONITOR FSM bit (SDM Vol.4 table 2-2).
 */
void misc_enable_cpuid(u64 misc, u32 leaf, u32 r[4]);

/* ---- Machine-check architecture, SDM Vol.3B 16.3 (rev 080) ---- */
#define MSR_IA32_MCG_CAP 0x179
#define MSR_IA32_MCG_CTL 0x17b
#define MCG_CAP_COUNT GENMASK(7, 0)
#define MCG_STATUS_RIPV BIT(0)
#define MCG_STATUS_EIPV BIT(1)
#define MCG_STATUS_MCIP BIT(2)
#define MCG_STATUS_RW (MCG_STATUS_RIPV | MCG_STATUS_EIPV | MCG_STATUS_MCIP)
#define MSR_IA32_MC0_CTL \
	0x400 /* bank i: 400h + 4i + (CTL, STATUS, ADDR, MISC) */
#define MSR_IA32_MC_LAST 0x47f /* 32 banks; 480h starts the VMX MSRs */
#define MC_REGS 4
enum mc_reg { MC_CTL, MC_STATUS, MC_ADDR, MC_MISC };
/* QEMU's default bank count: guests know it, and no bank ever reports. */
#define VMSR_MC_BANKS 10

struct vmsr_mca {
	bool present; /* CPUID.1:EDX.MCA */
	u64 mcg_status;
	u64 bank[VMSR_MC_BANKS][MC_REGS];
};

void mca_reset(struct vmsr_mca *m, bool present);
/* MCG_CAP, MCG_STATUS, MCG_CTL and the banks 400h-47Fh. */
bool mca_msr(u32 msr);
int mca_read(const struct vmsr_mca *m, u32 msr, u64 *val);
int mca_write(struct vmsr_mca *m, u32 msr, u64 val);

/* ---- MTRRs, SDM Vol.3A 11.11 (rev 080) ---- */
#define MSR_IA32_MTRRCAP 0xfe
#define MTRRCAP_VCNT GENMASK(7, 0)
#define MTRRCAP_FIX BIT(8)
#define MTRRCAP_WC BIT(10)
#define MSR_MTRR_PHYSBASE0 0x200 /* PHYSBASEn 200h + 2n, PHYSMASKn + 1 */
#define MSR_MTRR_FIX64K_00000 0x250
#define MSR_MTRR_FIX16K_80000 0x258
#define MSR_MTRR_FIX16K_A0000 0x259
#define MSR_MTRR_FIX4K_C0000 0x268 /* ... FIX4K_F8000 26Fh */
#define MSR_MTRR_FIX4K_F8000 0x26f
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_MTRR_LAST 0x2ff
#define MTRR_DEF_TYPE_TYPE GENMASK(7, 0)
#define MTRR_DEF_TYPE_FE BIT(10)
#define MTRR_DEF_TYPE_E BIT(11)
#define MTRR_PHYSBASE_TYPE GENMASK(7, 0)
#define MTRR_PHYSMASK_V BIT(11)
#define MTRR_ADDR_SHIFT 12
/* Memory types, SDM Vol.3A table 11-8: 2, 3 and 7+ are reserved. */
#define MTRR_TYPE_UC 0
#define MTRR_TYPE_WC 1
#define MTRR_TYPE_WT 4
#define MTRR_TYPE_WP 5
#define MTRR_TYPE_WB 6
#define VMSR_MTRR_FIXED 11
#define VMSR_MTRR_VAR_MAX 16 /* above any CPU's VCNT seen (10) */

struct vmsr_mtrr {
	u64 cap; /* 0: CPUID.1:EDX.MTRR clear, every MTRR #GP */
	u64 def_type;
	u64 fixed[VMSR_MTRR_FIXED];
	u64 var[VMSR_MTRR_VAR_MAX][2];
	unsigned int maxphy; /* MAXPHYADDR as the guest sees it */
};

/*
 * Empty MTRRs (all UC, disabled) with the hardware's MTRRCAP @hw_cap cut
 * to what Keel keeps: VCNT at most VMSR_MTRR_VAR_MAX, FIX and WC as the
 * hardware has them, no SMRR. @hw_cap 0: no MTRRs.
 */
void mtrr_reset(struct vmsr_mtrr *m, u64 hw_cap, unsigned int maxphy);
/* MTRRCAP and 200h-2FFh but PAT (277h). */
bool mtrr_msr(u32 msr);
int mtrr_read(const struct vmsr_mtrr *m, u32 msr, u64 *val);
int mtrr_write(struct vmsr_mtrr *m, u32 msr, u64 val);
/* The @i-th MTRR (0: DEF_TYPE, then the fixed ones, then PHYSBASE0,
 * PHYSMASK0, ...) that @m has, or 0 past the last: for copying. */
u32 mtrr_nth(const struct vmsr_mtrr *m, unsigned int i);

/* ---- IA32_TSC (10h) and IA32_TSC_DEADLINE (6E0h), SDM Vol.3B 18.17 ----
 * The guest's TSC is the host's plus the VMCS TSC offset (SDM Vol.3C
 * 25.6.5); the LAPIC compares TSC_DEADLINE with the host's TSC, so while
 * the offset is not 0 Keel translates the guest's deadlines.
 */
#define MSR_IA32_TSC 0x10
#define MSR_IA32_TSC_ADJUST 0x3b /* SDM Vol.3B 18.17.3, CPUID.7.0:EBX[1] */
#define MSR_IA32_TSC_DEADLINE 0x6e0

/*
 * The guest's TSC and IA32_TSC_ADJUST move together (SDM Vol.3B
 * 18.17.3): a WRMSR to either adds the same X to both. @off is the VMCS
 * TSC offset, @adj the guest's TSC_ADJUST; all arithmetic mod 2^64, so a
 * "negative" adjust is just a large value.
 */
/* WRMSR(IA32_TSC, @val) while the guest's TSC reads @now. */
static inline void tsc_write_moves_adjust(u64 *adj, u64 val, u64 now)
{
	*adj += val - now;
}

/* WRMSR(IA32_TSC_ADJUST, @val): the TSC moves by what the adjust did. */
static inline void tsc_adjust_moves_offset(u64 *off, u64 *adj, u64 val)
{
	*off += val - *adj;
	*adj = val;
}

/*
 * The host deadline for the guest's @guest under offset @off. 0 disarms
 * (SDM Vol.3A 11.5.4.1) and stays 0; a deadline that lands on host 0 is
 * moved to 1, one tick early, so that it still arms (1 is long past).
 */
static inline u64 tsc_deadline_to_host(u64 guest, u64 off)
{
	u64 host = guest - off;

	if (!guest)
		return 0;
	return host ? host : 1;
}

/*
 * What the guest reads, the hardware's deadline being @host and its TSC
 * @now: 0 when disarmed or once the timer fired (the SDM's LAPIC clears
 * the MSR then, Vol.3A 11.5.4.1; Bochs's keeps it, hence the comparison),
 * else the value it wrote, @written.
 */
static inline u64 tsc_deadline_guest_view(u64 host, u64 now, u64 written)
{
	return host && now < host ? written : 0;
}

struct vmsr_state {
	u64 misc_enable;
	struct vmsr_mca mca;
	struct vmsr_mtrr mtrr;
	/* VMCS TSC offset: guest TSC = host TSC + tsc_offset (mod 2^64) */
	u64 tsc_offset;
	/* The guest's last TSC_DEADLINE while the offset is not 0 */
	u64 tsc_deadline;
	/* The guest's IA32_TSC_ADJUST (0 at reset; never the hardware's) */
	u64 tsc_adjust;
	/* CPUID shows TSC_ADJUST: the CPU has it and TSC offsetting is on */
	bool tsc_adjust_on;
};

#endif

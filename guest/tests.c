// SPDX-License-Identifier: MIT
/*
 * The "all" scenario: one check per Keel exit handler. Each check compares
 * with what the architecture (SDM) or Keel's documented interface
 * (docs/hypercalls.md) must return, and reports FAIL with the values seen
 * otherwise. Without Keel (plain QEMU) the Keel-specific checks fail by
 * design; the guest still runs to the end.
 */
#include "guest.h"
#include "checks.h"

#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR4_PSE BIT(4)
#define CR4_VMXE BIT(13)
#define CR4_SMXE BIT(14)
#define CR4_OSXSAVE BIT(18)
#define CPUID1_ECX_VMX BIT(5)
#define CPUID1_ECX_XSAVE BIT(26)
#define CPUID1_ECX_HYPERVISOR BIT(31)
#define MSR_TSC 0x10
#define MSR_SYSENTER_CS 0x174
#define MSR_VMX_BASIC 0x480
#define MSR_EFER 0xc0000080
#define MSR_MISC_ENABLE 0x1a0 /* SDM Vol.4 table 2-2 */
#define MISC_ENABLE_MONITOR BIT(18) /* MONITOR FSM */
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)

static void test_boot(const struct guest_env *env)
{
	const struct mb_info *mbi = env->mbi;
	bool mmap_ok = false;

	report("boot_magic", env->magic == MB_BOOT_MAGIC, "eax=0x%x",
	       env->magic);
	if (env->magic != MB_BOOT_MAGIC)
		return;
	report("boot_meminfo", (mbi->flags & MB_INFO_MEM) && mbi->mem_upper,
	       "flags=0x%x mem_lower=%u mem_upper=%u", mbi->flags,
	       mbi->mem_lower, mbi->mem_upper);
	report("boot_cmdline", mbi->flags & MB_INFO_CMDLINE, "flags=0x%x",
	       mbi->flags);
	if (mbi->flags & MB_INFO_MMAP) {
		u32 p = mbi->mmap_addr;

		/* Our own image at 1 MiB must lie in type-1 RAM. */
		while (p < mbi->mmap_addr + mbi->mmap_length) {
			const struct mb_mmap_entry *e = (const void *)p;

			if (e->type == 1 && e->addr <= 0x100000 &&
			    e->addr + e->len >= 0x200000)
				mmap_ok = true;
			p += e->size + 4;
		}
	}
	report("boot_mmap", mmap_ok, "flags=0x%x mmap_length=%u", mbi->flags,
	       mbi->mmap_length);
}

static void test_cpuid(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	report("cpuid_basic", r.eax >= 1, "max_leaf=0x%x", r.eax);
	r = cpuid(1, 0);
	report("cpuid_hypervisor_bit", r.ecx & CPUID1_ECX_HYPERVISOR,
	       "ecx=0x%x", r.ecx);
	report("cpuid_vmx_hidden", !(r.ecx & CPUID1_ECX_VMX), "ecx=0x%x",
	       r.ecx);
	r = cpuid(KEEL_CPUID_LEAF_SIGNATURE, 0);
	report("cpuid_keel_signature",
	       keel_present() && r.eax >= KEEL_CPUID_LEAF_INFO,
	       "eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x", r.eax, r.ebx, r.ecx,
	       r.edx);
	/* EAX is where KVM's feature bits would be: none. */
	r = cpuid(KEEL_CPUID_LEAF_INFO, 0);
	report("cpuid_keel_abi_version",
	       keel_present() && r.ebx == KEEL_ABI_VERSION, "ebx=0x%x", r.ebx);
	report("cpuid_keel_no_kvm_features", keel_present() && r.eax == 0,
	       "eax=0x%x", r.eax);
}

static void test_hypercalls(const struct guest_env *env)
{
	static const char msg[] = "keel-guest: hello through KEEL_HC_PRINT\n";
	u32 mem_upper = env->mbi->mem_upper, t, pending;
	struct hc_regs r;
	int ud;

	r = (struct hc_regs){ .eax = KEEL_HC_INFO };
	ud = vmcall(&r);
	/* RCX = guest RAM in KiB, at least what multiboot reports above 1M. */
	report("vmcall_info",
	       !ud && r.eax == 0 && r.ebx == KEEL_ABI_VERSION &&
		       r.ecx >= mem_upper && r.edx > 0,
	       "%s eax=0x%x ebx=0x%x ecx=%u edx=%u", ud ? "#UD" : "ran", r.eax,
	       r.ebx, r.ecx, r.edx);

	r = (struct hc_regs){ .eax = KEEL_HC_PRINT,
			      .ebx = (u32)msg,
			      .ecx = sizeof(msg) - 1 };
	ud = vmcall(&r);
	report("vmcall_print", !ud && r.eax == 0, "%s eax=0x%x",
	       ud ? "#UD" : "ran", r.eax);

	/* A buffer outside guest RAM: -EFAULT, and the guest goes on. */
	r = (struct hc_regs){ .eax = KEEL_HC_PRINT,
			      .ebx = env->ram_top + 0x4000000,
			      .ecx = 16 };
	ud = vmcall(&r);
	report("vmcall_print_efault", !ud && r.eax == (u32)-KEEL_EFAULT,
	       "%s eax=0x%x", ud ? "#UD" : "ran", r.eax);

	r = (struct hc_regs){ .eax = KEEL_HC_PRINT,
			      .ebx = (u32)msg,
			      .ecx = KEEL_HC_MAX_PRINT + 1 };
	ud = vmcall(&r);
	report("vmcall_print_e2big", !ud && r.eax == (u32)-KEEL_E2BIG,
	       "%s eax=0x%x", ud ? "#UD" : "ran", r.eax);

	/* KVM's answer for a number it does not know: -1000. */
	r = (struct hc_regs){ .eax = 0x7fff };
	ud = vmcall(&r);
	report("vmcall_unknown_enosys", !ud && r.eax == 0xfffffc18U,
	       "%s eax=0x%x", ud ? "#UD" : "ran", r.eax);

	/* Event injection: Keel delivers vector 0x40 once IF=1. */
	idt_set_gate(0x40, irq_test_stub);
	t = test_irq_count;
	r = (struct hc_regs){ .eax = KEEL_HC_RAISE_IRQ, .ebx = 0x40 };
	__asm__ volatile("sti" ::: "memory");
	ud = vmcall(&r);
	__asm__ volatile("nop; nop; cli" ::: "memory");
	report("vmcall_raise_irq", !ud && r.eax == 0 && test_irq_count == t + 1,
	       "%s eax=0x%x delivered=%u", ud ? "#UD" : "ran", r.eax,
	       test_irq_count - t);

	/* With IF=0 the interrupt waits (interrupt-window exiting) and
	 * arrives right after STI's one-instruction shadow. */
	t = test_irq_count;
	__asm__ volatile("cli" ::: "memory");
	r = (struct hc_regs){ .eax = KEEL_HC_RAISE_IRQ, .ebx = 0x40 };
	ud = vmcall(&r);
	pending = test_irq_count - t;
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	report("vmcall_raise_irq_window",
	       !ud && r.eax == 0 && pending == 0 && test_irq_count == t + 1,
	       "%s eax=0x%x before_sti=%u after=%u", ud ? "#UD" : "ran", r.eax,
	       pending, test_irq_count - t);

	r = (struct hc_regs){ .eax = KEEL_HC_RAISE_IRQ, .ebx = 5 };
	ud = vmcall(&r);
	report("vmcall_raise_irq_einval", !ud && r.eax == (u32)-KEEL_EINVAL,
	       "%s eax=0x%x", ud ? "#UD" : "ran", r.eax);

	test_foreign_hypercalls();
}

static void rep_outs(u16 port, const void *buf, u32 count, int width)
{
	if (width == 1)
		__asm__ volatile("rep outsb"
				 : "+S"(buf), "+c"(count)
				 : "d"(port)
				 : "memory");
	else if (width == 2)
		__asm__ volatile("rep outsw"
				 : "+S"(buf), "+c"(count)
				 : "d"(port)
				 : "memory");
	else
		__asm__ volatile("rep outsl"
				 : "+S"(buf), "+c"(count)
				 : "d"(port)
				 : "memory");
}

static void rep_ins(u16 port, void *buf, u32 count, int width)
{
	if (width == 1)
		__asm__ volatile("rep insb"
				 : "+D"(buf), "+c"(count)
				 : "d"(port)
				 : "memory");
	else if (width == 2)
		__asm__ volatile("rep insw"
				 : "+D"(buf), "+c"(count)
				 : "d"(port)
				 : "memory");
	else
		__asm__ volatile("rep insl"
				 : "+D"(buf), "+c"(count)
				 : "d"(port)
				 : "memory");
}

static void test_io(void)
{
	static u8 out[64], in[64];
	const void *src = out;
	u32 v, c0, c1, i;
	u16 w;

	outl(TESTDEV_PORT_ECHO, 0xa5a55a5a);
	v = inl(TESTDEV_PORT_ECHO);
	outw(TESTDEV_PORT_ECHO, 0xbeef);
	w = inw(TESTDEV_PORT_ECHO);
	outb(TESTDEV_PORT_ECHO, 0x3c);
	report("io_echo_widths",
	       v == 0xa5a55a5a && w == 0xbeef && inb(TESTDEV_PORT_ECHO) == 0x3c,
	       "in32=0x%x in16=0x%x", v, w);

	v = inl(TESTDEV_PORT_ID);
	report("io_id", v == TESTDEV_ID && inb(TESTDEV_PORT_ID) == 'K',
	       "id=0x%x", v);

	/* Writing COUNT resets it and empties the FIFO. */
	outl(TESTDEV_PORT_COUNT, 0);
	c0 = inl(TESTDEV_PORT_COUNT);
	for (i = 0; i < 3; i++)
		inb(TESTDEV_PORT_ID);
	c1 = inl(TESTDEV_PORT_COUNT);
	report("io_access_count", c0 == 0 && c1 == 4, "c0=%u c1=%u", c0, c1);

	for (i = 0; i < sizeof(out); i++)
		out[i] = (u8)(i * 37 + 5);
	memset(in, 0, sizeof(in));
	rep_outs(TESTDEV_PORT_FIFO, out, sizeof(out), 1);
	rep_ins(TESTDEV_PORT_FIFO, in, sizeof(in), 1);
	report("io_rep_outsb_insb", !memcmp(in, out, sizeof(in)),
	       "in[0]=0x%x in[63]=0x%x", in[0], in[63]);

	memset(in, 0, sizeof(in));
	rep_outs(TESTDEV_PORT_FIFO, out, sizeof(out) / 2, 2);
	rep_ins(TESTDEV_PORT_FIFO, in, sizeof(in) / 4, 4);
	report("io_rep_outsw_insl", !memcmp(in, out, sizeof(in)),
	       "in[0]=0x%x in[63]=0x%x", in[0], in[63]);

	/* A single OUTSB (no REP), then the FIFO runs empty: 0xff. */
	__asm__ volatile("outsb"
			 : "+S"(src)
			 : "d"(TESTDEV_PORT_FIFO)
			 : "memory");
	v = inb(TESTDEV_PORT_FIFO);
	report("io_outsb_and_empty_fifo",
	       v == out[0] && inb(TESTDEV_PORT_FIFO) == 0xff, "first=0x%x", v);
}

/* The guest owns the LAPIC: its TSC-deadline timer MSR passes through
 * when CPUID.1:ECX[24] offers it. */
static void test_msr_tsc_deadline(void)
{
	u64 v = 0;
	u32 f;

	if (!(cpuid(1, 0).ecx & BIT(24))) {
		report_skip("msr_tsc_deadline", "no TSC-deadline timer");
		return;
	}
	f = try_rdmsr(0x6e0, &v);
	report("msr_tsc_deadline", f == NO_FAULT, "fault=%s value=0x%llx",
	       vec_name(f), (unsigned long long)v);
}

static void test_msr(void)
{
	u64 a = 0, b = 0, v = 0;
	u32 f1, f2;

	/* IA32_TSC reads pass through: between two RDTSCs. */
	b = rdtsc();
	f1 = try_rdmsr(MSR_TSC, &a);
	v = rdtsc();
	report("msr_tsc_read", f1 == NO_FAULT && a >= b && a <= v,
	       "fault=%s rdtsc0=0x%llx msr=0x%llx rdtsc1=0x%llx", vec_name(f1),
	       (unsigned long long)b, (unsigned long long)a,
	       (unsigned long long)v);

	f1 = try_wrmsr(MSR_SYSENTER_CS, 0x1234);
	f2 = try_rdmsr(MSR_SYSENTER_CS, &v);
	report("msr_sysenter_cs_roundtrip",
	       f1 == NO_FAULT && f2 == NO_FAULT && (v & 0xffff) == 0x1234,
	       "wr=%s rd=%s value=0x%llx", vec_name(f1), vec_name(f2),
	       (unsigned long long)v);
	try_wrmsr(MSR_SYSENTER_CS, 0);

	f1 = try_rdmsr(MSR_EFER, &v);
	report("msr_efer_read", f1 == NO_FAULT && !(v & (EFER_LME | EFER_LMA)),
	       "fault=%s efer=0x%llx", vec_name(f1), (unsigned long long)v);

	/* VMX is hidden, so its capability MSRs do not exist. */
	f1 = try_rdmsr(MSR_VMX_BASIC, &v);
	report("msr_vmx_basic_gp", f1 == VEC_GP, "fault=%s", vec_name(f1));
	/* Keel owns IA32_FEATURE_CONTROL: writes raise #GP. */
	f1 = try_wrmsr(MSR_FEATURE_CONTROL, 0x5);
	report("msr_feature_control_write_gp", f1 == VEC_GP, "fault=%s",
	       vec_name(f1));
	/* An MSR no CPU implements. */
	f1 = try_rdmsr(0x12345678, &v);
	report("msr_unknown_gp", f1 == VEC_GP, "fault=%s", vec_name(f1));
}

/*
 * MONITOR/MWAIT exit and do nothing under Keel (vmx/handlers.c) once the
 * guest turned the MONITOR FSM on (it starts off: msr_checks.c): with
 * interrupts off and no break-on-interrupt hint (ECX 0) the CPU itself
 * would wait for a store to the line, so this runs only under Keel.
 */
static void test_monitor_mwait(void)
{
	static volatile u32 line __attribute__((aligned(64)));
	u32 f, g, w, flags;
	u64 misc = 0;

	try_rdmsr(MSR_MISC_ENABLE, &misc);
	w = try_wrmsr(MSR_MISC_ENABLE, misc | MISC_ENABLE_MONITOR);
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(flags));
	f = TRY_ASM("monitor", "a"(&line), "c"(0), "d"(0));
	g = TRY_ASM("mwait", "a"(0), "c"(0));
	__asm__ volatile("pushl %0; popfl" : : "r"(flags) : "cc");
	try_wrmsr(MSR_MISC_ENABLE, misc);
	report("monitor_mwait_nop",
	       w == NO_FAULT && f == NO_FAULT && g == NO_FAULT,
	       "MONITOR FSM on %s, monitor %s mwait %s", vec_name(w),
	       vec_name(f), vec_name(g));
}

static void test_cr(void)
{
	u32 cr0 = read_cr0(), cr4 = read_cr4(), v, f;

	/*
	 * Keel keeps CR0.NE set in the real CR0 (VMX fixed bit) and shows the
	 * guest its own value through the read shadow.
	 */
	f = try_write_cr0(cr0 & ~CR0_NE);
	v = read_cr0();
	try_write_cr0(cr0);
	report("cr0_shadow_ne",
	       f == NO_FAULT && !(v & CR0_NE) && read_cr0() == cr0,
	       "fault=%s wrote=0x%x read=0x%x", vec_name(f), cr0 & ~CR0_NE, v);

	f = try_write_cr0(cr0 | CR0_WP);
	v = read_cr0();
	try_write_cr0(cr0);
	report("cr0_wp_roundtrip", f == NO_FAULT && (v & CR0_WP),
	       "fault=%s read=0x%x", vec_name(f), v);

	report("cr4_vmxe_hidden", !(cr4 & CR4_VMXE), "cr4=0x%x", cr4);
	/*
	 * Setting CR4.VMXE must #GP where VMX is absent (SDM Vol.3A 2.5).
	 * QEMU 7.2 TCG loops on that MOV instead, so only run it under Keel.
	 */
	if (keel_present()) {
		f = try_write_cr4(cr4 | CR4_VMXE);
		v = read_cr4();
		report("cr4_vmxe_set_gp", f == VEC_GP && !(v & CR4_VMXE),
		       "fault=%s cr4=0x%x", vec_name(f), v);
		/* SMX is hidden as VMX is: GETSEC would be #UD, so SMXE is #GP. */
		f = try_write_cr4(cr4 | CR4_SMXE);
		v = read_cr4();
		report("cr4_smxe_set_gp", f == VEC_GP && !(v & CR4_SMXE),
		       "fault=%s cr4=0x%x", vec_name(f), v);
		test_monitor_mwait();
	} else {
		report_skip("cr4_vmxe_set_gp", "needs Keel (QEMU TCG hangs)");
	}

	f = try_write_cr4(cr4 | CR4_PSE);
	v = read_cr4();
	try_write_cr4(cr4);
	report("cr4_pse_roundtrip",
	       f == NO_FAULT && (v & CR4_PSE) && read_cr4() == cr4,
	       "fault=%s read=0x%x", vec_name(f), v);
}

static void test_xsetbv(void)
{
	u32 cr4 = read_cr4(), f1, f2;
	u64 orig, v;

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_XSAVE)) {
		report_skip("xsetbv", "CPUID.1:ECX.XSAVE is 0");
		return;
	}
	if (try_write_cr4(cr4 | CR4_OSXSAVE) != NO_FAULT) {
		report("xsetbv", false, "setting CR4.OSXSAVE faulted");
		return;
	}
	orig = xgetbv(0);
	f1 = try_xsetbv(0, 0x1); /* x87 only: always valid */
	v = xgetbv(0);
	/* XCR0 bit 0 must be 1: #GP (SDM Vol.2 XSETBV). */
	f2 = try_xsetbv(0, 0x0);
	try_xsetbv(0, orig);
	try_write_cr4(cr4);
	report("xsetbv", f1 == NO_FAULT && v == 1 && f2 == VEC_GP,
	       "set1=%s xcr0=0x%llx set0=%s", vec_name(f1),
	       (unsigned long long)v, vec_name(f2));
}

static void test_cache(void)
{
	u32 f = TRY_ASM("wbinvd", "i"(0));

	report("wbinvd", f == NO_FAULT, "fault=%s", vec_name(f));
	f = TRY_ASM("invd", "i"(0));
	report("invd", f == NO_FAULT, "fault=%s", vec_name(f));
}

static void test_vmx_insns(void)
{
	static u64 region __attribute__((aligned(4096)));
	static u64 desc[2];
	u32 f;

#define EXPECT_UD(name, insn, ...)                                            \
	do {                                                                  \
		f = TRY_ASM(insn, __VA_ARGS__);                               \
		report("vmx_ud_" name, f == VEC_UD, "fault=%s", vec_name(f)); \
	} while (0)

	EXPECT_UD("vmxon", "vmxon %[m_]", [m_] "m"(region));
	EXPECT_UD("vmxoff", "vmxoff", "i"(0));
	EXPECT_UD("vmclear", "vmclear %[m_]", [m_] "m"(region));
	EXPECT_UD("vmptrld", "vmptrld %[m_]", [m_] "m"(region));
	EXPECT_UD("vmptrst", "vmptrst %[m_]", [m_] "m"(region));
	EXPECT_UD("vmread", "vmread %%eax, %[m_]", [m_] "m"(desc), "a"(0x681e));
	EXPECT_UD("vmwrite", "vmwrite %%ebx, %%eax", "a"(0x681e), "b"(0));
	EXPECT_UD("vmlaunch", "vmlaunch", "i"(0));
	EXPECT_UD("vmresume", "vmresume", "i"(0));
	EXPECT_UD("invept", "invept %[m_], %%eax", [m_] "m"(desc), "a"(1));
	EXPECT_UD("invvpid", "invvpid %[m_], %%eax", [m_] "m"(desc), "a"(1));
	EXPECT_UD("vmfunc", "vmfunc", "a"(0), "c"(0));
#undef EXPECT_UD
}

/* 8254 PIT channel 0; the PIC was set up by pic_init() at boot. */
#define PIC1_DATA 0x21
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_HZ 1193182u

static void test_hlt(void)
{
	u32 div = PIT_HZ / 100, t0;

	outb(PIT_CMD, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
	outb(PIT_CH0, div & 0xff);
	outb(PIT_CH0, div >> 8);
	outb(PIC1_DATA, 0xfe); /* unmask IRQ0 only */

	t0 = pit_ticks;
	/* STI's interrupt shadow covers HLT: no wake-up is lost. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	report("hlt_wakeup_by_irq", pit_ticks > t0, "ticks=%u", pit_ticks - t0);
	outb(PIC1_DATA, 0xff);
}

/*
 * PC kernels write VGA text memory (0xB8000) and scan the BIOS area: Keel
 * backs the legacy area with RAM, so neither stops the guest.
 */
static void test_legacy_area(void)
{
	volatile u16 *vga = (volatile u16 *)0xb8000;
	volatile const u32 *bios = (volatile const u32 *)0xf0000;
	u16 old = vga[0];
	u32 b;

	vga[0] = 0x0f4b; /* 'K', white on black */
	b = bios[0];
	report("legacy_vga_and_bios_area", vga[0] == 0x0f4b,
	       "vga=0x%x bios=0x%x", vga[0], b);
	vga[0] = old;
}

/* ACPI 6.4 5.2.5.1: the RSDP lies on a 16-byte boundary in the BIOS area. */
#define ACPI_SCAN_START 0xe0000U
#define ACPI_SCAN_END 0x100000U
#define ACPI_MADT_CPU 0 /* processor local APIC, 5.2.12.2 */
#define ACPI_MADT_X2APIC 9
#define ACPI_MADT_IOAPIC 1
#define ACPI_FADT_PM_TMR 76
#define ACPI_MADT_FIRST 44

static u8 acpi_sum(const u8 *p, u32 n)
{
	u8 s = 0;

	while (n--)
		s = (u8)(s + *p++);
	return s;
}

static const u8 *acpi_find_rsdp(void)
{
	for (u32 a = ACPI_SCAN_START; a < ACPI_SCAN_END; a += 16) {
		const u8 *p = (const u8 *)a;

		if (!memcmp(p, "RSD PTR ", 8) && !acpi_sum(p, 20))
			return p;
	}
	return NULL;
}

static const u8 *acpi_table(const u8 *rsdt, const char *sig)
{
	u32 len = *(const u32 *)(rsdt + 4);

	for (u32 off = 36; off + 4 <= len; off += 4) {
		const u8 *t = (const u8 *)*(const u32 *)(rsdt + off);

		if (!memcmp(t, sig, 4) && !acpi_sum(t, *(const u32 *)(t + 4)))
			return t;
	}
	return NULL;
}

/*
 * Keel's tables for the guest, found as test suites find them: the RSDP by
 * the legacy scan, then the RSDT; a MADT with one CPU and an IOAPIC, and
 * an FADT naming the PM timer (docs/linux-guest.md).
 */
static void test_acpi_tables(void)
{
	const u8 *rsdp = acpi_find_rsdp();
	const u8 *rsdt, *madt, *fadt;
	u32 cpus = 0, ioapics = 0, pm_tmr, madt_id = ~0u;

	if (!rsdp) {
		report("acpi_tables", false, "no RSDP in 0xe0000-0xfffff");
		return;
	}
	rsdt = (const u8 *)*(const u32 *)(rsdp + 16);
	madt = acpi_table(rsdt, "APIC");
	fadt = acpi_table(rsdt, "FACP");
	if (!madt || !fadt) {
		report("acpi_tables", false, "rev %u: madt 0x%x fadt 0x%x",
		       rsdp[15], (u32)(uintptr_t)madt, (u32)(uintptr_t)fadt);
		return;
	}
	for (u32 off = ACPI_MADT_FIRST; off + 2 <= *(const u32 *)(madt + 4);
	     off += madt[off + 1] ? madt[off + 1] : 1) {
		cpus += madt[off] == ACPI_MADT_CPU ||
			madt[off] == ACPI_MADT_X2APIC;
		ioapics += madt[off] == ACPI_MADT_IOAPIC;
		if (madt[off] == ACPI_MADT_CPU)
			madt_id = madt[off + 3];
		else if (madt[off] == ACPI_MADT_X2APIC)
			madt_id = *(const u32 *)(madt + off + 4);
	}
	check_apic_ids(madt_id);
	pm_tmr = *(const u32 *)(fadt + ACPI_FADT_PM_TMR);
	report("acpi_tables",
	       rsdp[15] == 2 && !acpi_sum(rsdp, 36) && cpus == 1 && ioapics &&
		       pm_tmr,
	       "rev %u cpus %u ioapics %u pm_tmr 0x%x", rsdp[15], cpus, ioapics,
	       pm_tmr);
}

void run_all_tests(const struct guest_env *env)
{
	kprintf("keel-guest: keel %s\n",
		keel_present() ? "present" : "not detected");
	apic_sw_enable();
	test_boot(env);
	test_cpuid();
	test_hypercalls(env);
	test_raise_irq_twice();
	test_io();
	test_io_split();
	string_io_paging_tests();
	test_msr();
	test_msr_tsc_deadline();
	test_cpuid_msrs();
	test_apic_base();
	test_msr_virt();
	test_tsc_adjust();
	test_injected_fault_frame();
	test_cr();
	test_cr0_reserved();
	test_tsc_rate_cpuid();
	test_cpuid_rip_wrap();
	test_single_step();
	test_xsetbv();
	test_cache();
	test_vmx_insns();
	test_hlt();
	test_legacy_area();
	test_acpi_tables();
	mmio_tests();
	task_switch_tests();
	test_uart();
	test_apic_irqs();
}

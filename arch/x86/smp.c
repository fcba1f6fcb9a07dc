// SPDX-License-Identifier: MIT
/*
 * The CPUs Keel does not run on (docs/architecture.md, "Parked CPUs").
 * The guest owns the LAPIC, so it can send INIT and start-up IPIs to them:
 * a CPU the firmware left halted or waiting for a start-up IPI would then
 * run, outside VMX and with all of memory, whatever lies at a page of the
 * guest's choosing, and a triple fault there resets many machines. So
 * Keel starts every other CPU the MADT lists into arch/x86/ap_park.S,
 * where it enters VMX root operation (INIT blocked, start-up IPIs ignored)
 * and halts for good. One CPU at a time, with the MP initialization
 * protocol's INIT, start-up, start-up sequence (SDM Vol.3A 9.4.4.1).
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/acpi.h"
#include "arch/x86/ap_park.h"
#include "arch/x86/arch.h"
#include "arch/x86/lapic.h"

/* IA32_VMX_BASIC and the CR0/CR4 fixed-bit MSRs, SDM Vol.3D A.1, A.7, A.8 */
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define VMX_REVISION_MASK 0x7fffffffU /* IA32_VMX_BASIC bits 30:0 */

/* MP initialization delays, SDM Vol.3A 9.4.4.1 */
#define INIT_DELAY_MS 10
#define STARTUP_DELAY_US 200
#define AP_START_TIMEOUT_MS 100

/* A present 32-bit interrupt gate with DPL 0, SDM Vol.3A 6.11 fig. 6-2 */
#define GATE32_INTERRUPT 0x8e00U
#define AP_IDT_ENTRIES 32 /* exceptions only: the CPU runs with IF=0 */
#define NMI_VECTOR 2
/* 32-bit paging, a PDE mapping 4 MiB, SDM Vol.3A 4.3 table 4-4 */
#define PDE_4M_SHIFT 22
#define AP_PD_ENTRIES 1024

extern const u8 ap_tramp[], ap_tramp_end[];
void ap_nmi_stub(void);
void ap_fault_stub(void);

/* Shared with ap_park.S: the parked CPUs read these, and write the state. */
u32 ap_boot_slot, ap_cr0, ap_cr4, ap_try_vmx;
volatile u32 ap_state[AP_MAX];
volatile u32 ap_nmis, ap_faulted;
u64 ap_vmxon[AP_MAX];
u8 ap_stacks[AP_MAX][1U << AP_STACK_SHIFT] __aligned(16);
u32 ap_pd[AP_PD_ENTRIES] __aligned(4096);
static u64 ap_idt[AP_IDT_ENTRIES] __aligned(8);
struct {
	u16 limit;
	u32 base;
} __packed ap_idt_ptr;

static unsigned int parked_vmx, parked_plain;

static u64 gate32(void (*fn)(void))
{
	u32 off = (u32)(uintptr_t)fn;

	return (u64)(AP_CS32 << 16 | (off & 0xffff)) |
	       (u64)((off & 0xffff0000U) | GATE32_INTERRUPT) << 32;
}

/* Identity 4 MiB pages, an IDT of exceptions, and CR0/CR4 fit for VMX. */
static void ap_tables_init(bool vmx)
{
	u64 cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_NE | X86_CR0_ET;
	/* MCE: a machine check then halts the CPU (ap_fault_stub); with
	 * CR4.MCE clear it would shut it down (SDM Vol.3B 15.10.1). */
	u64 cr4 = X86_CR4_PSE | X86_CR4_MCE;

	for (u32 i = 0; i < AP_PD_ENTRIES; i++)
		ap_pd[i] = i << PDE_4M_SHIFT | PTE_P | PTE_RW | PTE_PS;
	for (u32 v = 0; v < AP_IDT_ENTRIES; v++)
		ap_idt[v] =
			gate32(v == NMI_VECTOR ? ap_nmi_stub : ap_fault_stub);
	ap_idt_ptr.limit = sizeof(ap_idt) - 1;
	ap_idt_ptr.base = (u32)(uintptr_t)ap_idt;
	if (vmx) {
		cr4 |= X86_CR4_VMXE;
		cr0 = (cr0 | rdmsr(MSR_IA32_VMX_CR0_FIXED0)) &
		      rdmsr(MSR_IA32_VMX_CR0_FIXED1);
		cr4 = (cr4 | rdmsr(MSR_IA32_VMX_CR4_FIXED0)) &
		      rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	}
	ap_cr0 = (u32)cr0;
	ap_cr4 = (u32)cr4;
	ap_try_vmx = vmx;
}

static bool ap_final(u32 state)
{
	return state == AP_PARKED_VMX || state == AP_PARKED ||
	       state == AP_VMXON_FAILED;
}

static u32 ap_wait(u32 slot, u32 ms)
{
	for (u32 i = 0; i < ms * 10 && !ap_final(ap_state[slot]); i++)
		udelay(100);
	return ap_state[slot];
}

/* Start the CPU @apic_id at @page as @slot; its final state, 0 if none. */
static u32 ap_start(enum lapic_mode mode, u32 slot, u32 apic_id,
		    phys_addr_t page)
{
	u8 vector = (u8)(page >> PAGE_SHIFT);
	u32 state;

	if (ap_try_vmx) {
		phys_addr_t region = alloc_pages(1, PAGE_SIZE);

		if (region == PHYS_INVALID)
			return 0;
		*(u32 *)phys_to_virt(region) = (u32)rdmsr(MSR_IA32_VMX_BASIC) &
					       VMX_REVISION_MASK;
		ap_vmxon[slot] = region;
	}
	ap_state[slot] = 0;
	ap_boot_slot = slot;
	__asm__ volatile("" : : : "memory");
	lapic_send_ipi(mode, apic_id, ICR_DELMODE_INIT | ICR_LEVEL_ASSERT);
	mdelay(INIT_DELAY_MS);
	for (int i = 0; i < 2 && !ap_state[slot]; i++) {
		lapic_send_ipi(mode, apic_id,
			       ICR_DELMODE_STARTUP | ICR_LEVEL_ASSERT | vector);
		udelay(STARTUP_DELAY_US);
	}
	state = ap_wait(slot, AP_START_TIMEOUT_MS);
	if (!ap_final(state)) {
		/* Stop it before the next CPU reuses the slot number. */
		lapic_send_ipi(mode, apic_id,
			       ICR_DELMODE_INIT | ICR_LEVEL_ASSERT);
		return 0;
	}
	return state;
}

static void ap_report_start(u32 apic_id, u32 state)
{
	if (state == AP_PARKED_VMX)
		parked_vmx++;
	else if (state)
		parked_plain++;
	if (!state)
		pr_err("keel: cpus: the CPU with APIC ID %u did not start; it is left as the firmware left it\n",
		       apic_id);
	else if (state == AP_VMXON_FAILED)
		pr_err("keel: cpus: VMXON failed on the CPU with APIC ID %u; it halts without VMX\n",
		       apic_id);
}

void smp_park_cpus(const struct boot_info *bi, const struct acpi_info *ai)
{
	enum lapic_mode mode = lapic_mode();
	u32 self, others = 0, slot = 0;
	phys_addr_t page;

	if (!ai->have_madt || mode == LAPIC_MODE_OFF)
		return;
	self = lapic_id(mode);
	for (unsigned int i = 0; i < ai->n_cpus; i++)
		others += ai->cpus[i].enabled && ai->cpus[i].apic_id != self;
	if (!others)
		return;
	page = smp_start_page(bi);
	if (!page) {
		pr_err("keel: cpus: no free page below 1 MiB to start the other %u CPUs from; the guest could start them\n",
		       others);
		return;
	}
	memcpy(phys_to_virt(page), ap_tramp,
	       (uintptr_t)ap_tramp_end - (uintptr_t)ap_tramp);
	ap_tables_init(cpuid(1, 0).ecx & CPUID_1_ECX_VMX);
	for (unsigned int i = 0; i < ai->n_cpus && slot < AP_MAX; i++) {
		const struct acpi_cpu *c = &ai->cpus[i];

		if (!c->enabled || c->apic_id == self)
			continue;
		if (mode == LAPIC_MODE_XAPIC && c->apic_id > 0xff)
			continue;
		ap_report_start(c->apic_id,
				ap_start(mode, slot++, c->apic_id, page));
	}
	if (parked_vmx)
		pr_info("keel: cpus: %u other CPU%s parked in VMX root, where INIT and start-up IPIs do not reach them\n",
			parked_vmx, parked_vmx == 1 ? "" : "s");
	if (parked_plain)
		pr_warn("keel: cpus: %u other CPU%s halted without VMX: a guest's INIT and start-up IPIs would still reach them\n",
			parked_plain, parked_plain == 1 ? "" : "s");
}

void smp_report(void)
{
	if (!parked_vmx && !parked_plain)
		return;
	pr_info("keel: cpus: %u parked CPU%s took %u NMIs%s\n",
		parked_vmx + parked_plain,
		parked_vmx + parked_plain == 1 ? "" : "s", ap_nmis,
		ap_faulted ? "; one stopped on an exception" : "");
}

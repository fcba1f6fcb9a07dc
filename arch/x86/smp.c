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
 * protocol's INIT, start-up, start-up sequence (SDM Vol.3A 9.4.4.1). A CPU
 * that could not be parked is counted, and the guest is not started
 * while one is (smp_unparked_cpus(), boot/guest.c).
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/acpi.h"
#include "arch/x86/ap_park.h"
#include "arch/x86/arch.h"
#include "arch/x86/lapic.h"

/* MP initialization delays, SDM Vol.3A 9.4.4.1 */
#define INIT_DELAY_MS 10
#define STARTUP_DELAY_US 200
#define AP_START_TIMEOUT_MS 100
#define RELEASE_DELAY_MS 10

/* The BIOS data area: EBDA segment, base memory in KiB (IBM PC BIOS) */
#define BDA_EBDA_SEG 0x40e
#define BDA_BASE_MEM_KB 0x413
/* Sane bounds for where the BIOS's area begins, as Linux takes them */
#define BIOS_AREA_MIN 0x20000ULL
#define BIOS_AREA_MAX 0x9f000ULL

/* xAPIC physical destination FFh is the broadcast (SDM Vol.3A 11.6.2.1) */
#define XAPIC_BROADCAST_ID 0xff

/* A present 32-bit interrupt gate with DPL 0, SDM Vol.3A 6.11 fig. 6-2 */
#define GATE32_INTERRUPT 0x8e00U
#define AP_IDT_ENTRIES 32 /* exceptions only: the CPU runs with IF=0 */
/* 32-bit paging, a PDE mapping 4 MiB, SDM Vol.3A 4.3 table 4-4 */
#define PDE_4M_SHIFT 22
#define AP_PD_ENTRIES 1024
/* cli; hlt; jmp back to the hlt: what a CPU started at the page later runs */
static const u8 halt_code[] = { 0xfa, 0xf4, 0xeb, 0xfd };

extern const u8 ap_tramp[], ap_tramp_end[];
void ap_nmi_stub(void);
void ap_fault_stub(void);
void ap_mce_stub(void);

/* Shared with ap_park.S: the parked CPUs read these, and write the state. */
u32 ap_cr0, ap_cr4, ap_try_vmx, ap_count;
u32 ap_apic_id[AP_MAX];
volatile u32 ap_state[AP_MAX + 1];
volatile u32 ap_nmis, ap_faulted, ap_release;
u64 ap_vmxon[AP_MAX];
u8 ap_stacks[AP_MAX + 1][1U << AP_STACK_SHIFT] __aligned(16);
u32 ap_pd[AP_PD_ENTRIES] __aligned(4096);
static u64 ap_idt[AP_IDT_ENTRIES] __aligned(8);
struct {
	u16 limit;
	u32 base;
} __packed ap_idt_ptr;

static unsigned int parked_vmx, parked_plain, unparked;

static u64 gate32(void (*fn)(void))
{
	u32 off = (u32)(uintptr_t)fn;

	return (u64)(AP_CS32 << 16 | (off & 0xffff)) |
	       (u64)((off & 0xffff0000U) | GATE32_INTERRUPT) << 32;
}

static void (*ap_handler(u32 vector))(void)
{
	if (vector == AP_VECTOR_NMI)
		return ap_nmi_stub;
	return vector == AP_VECTOR_MC ? ap_mce_stub : ap_fault_stub;
}

/* Identity 4 MiB pages, an IDT of exceptions, and CR0/CR4 fit for VMX. */
static void ap_tables_init(bool vmx)
{
	u64 cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_NE | X86_CR0_ET;
	/* MCE: a machine check reaches ap_mce_stub; with CR4.MCE clear it
	 * would shut the CPU down (SDM Vol.3B 15.10.1). */
	u64 cr4 = X86_CR4_PSE | X86_CR4_MCE;

	for (u32 i = 0; i < AP_PD_ENTRIES; i++)
		ap_pd[i] = i << PDE_4M_SHIFT | PTE_P | PTE_RW | PTE_PS;
	for (u32 v = 0; v < AP_IDT_ENTRIES; v++)
		ap_idt[v] = gate32(ap_handler(v));
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

/* Which CPUs to start: ap_apic_id[], before any start-up IPI. */
static void ap_slots_init(const struct acpi_info *ai, enum lapic_mode mode,
			  u32 self)
{
	for (unsigned int i = 0; i < ai->n_cpus; i++) {
		const struct acpi_cpu *c = &ai->cpus[i];

		if (!c->enabled || c->apic_id == self)
			continue;
		if (ap_count == AP_MAX || (mode == LAPIC_MODE_XAPIC &&
					   c->apic_id >= XAPIC_BROADCAST_ID)) {
			pr_err("keel: cpus: the CPU with APIC ID %u cannot be addressed; it is not parked\n",
			       c->apic_id);
			unparked++;
			continue;
		}
		ap_apic_id[ap_count++] = c->apic_id;
	}
}

static bool ap_vmxon_regions(void)
{
	u32 rev = (u32)rdmsr(MSR_IA32_VMX_BASIC) & VMX_BASIC_REVISION;

	for (u32 slot = 0; slot < ap_count; slot++) {
		phys_addr_t region = alloc_pages(1, PAGE_SIZE);

		if (region == PHYS_INVALID)
			return false;
		*(u32 *)phys_to_virt(region) = rev;
		ap_vmxon[slot] = region;
	}
	return true;
}

static bool ap_final(u32 state)
{
	return state >= AP_PARKED_VMX;
}

static u32 ap_wait(u32 slot, u32 ms)
{
	for (u32 i = 0; i < ms * 10 && !ap_final(ap_state[slot]); i++)
		udelay(100);
	return ap_state[slot];
}

/* INIT, start-up, start-up; the slot's state once it settled, or not. */
static u32 ap_start(enum lapic_mode mode, u32 slot, phys_addr_t page)
{
	u32 id = ap_apic_id[slot], vector = (u32)(page >> PAGE_SHIFT);

	if (!lapic_send_ipi(mode, id, ICR_DELMODE_INIT | ICR_LEVEL_ASSERT))
		return 0;
	mdelay(INIT_DELAY_MS);
	for (int i = 0; i < 2 && !ap_state[slot]; i++) {
		if (!lapic_send_ipi(mode, id,
				    ICR_DELMODE_STARTUP | ICR_LEVEL_ASSERT |
					    vector))
			return 0;
		udelay(STARTUP_DELAY_US);
	}
	return ap_wait(slot, AP_START_TIMEOUT_MS);
}

static void ap_account(u32 slot, u32 state)
{
	u32 id = ap_apic_id[slot];

	if (state == AP_PARKED_VMX) {
		parked_vmx++;
		return;
	}
	if (state == AP_PARKED) {
		parked_plain++;
		return;
	}
	unparked++;
	if (!state)
		pr_err("keel: cpus: the CPU with APIC ID %u did not start\n",
		       id);
	else if (state == AP_VMXON_FAILED)
		pr_err("keel: cpus: VMXON failed on the CPU with APIC ID %u; it halts without VMX\n",
		       id);
	else if (state == AP_FAULTED)
		pr_err("keel: cpus: the CPU with APIC ID %u took an exception before VMXON; it halts without VMX\n",
		       id);
	else
		pr_err("keel: cpus: the CPU with APIC ID %u started but did not finish\n",
		       id);
}

static u64 bios_area_limit = 1ULL << 20;

/*
 * Where the BIOS's own area begins below 1 MiB, read from the BIOS data
 * area before page 0 is unmapped: the EBDA segment (40Eh) and the base
 * memory size in KiB (413h), bounded as Linux bounds them (reserve_bios_
 * regions(): 128 KiB to 636 KiB), since under UEFI they mean nothing.
 */
static u16 bda_read16(phys_addr_t pa)
{
	/* Hidden from the compiler, which takes a small constant pointer for
	 * an out-of-bounds one. */
	__asm__("" : "+r"(pa));
	return *(volatile u16 *)phys_to_virt(pa);
}

void smp_note_bios_area(void)
{
	u64 ebda = (u64)bda_read16(BDA_EBDA_SEG) << 4;
	u64 base = (u64)bda_read16(BDA_BASE_MEM_KB) << 10;

	if (base < BIOS_AREA_MIN || base > BIOS_AREA_MAX)
		base = BIOS_AREA_MAX;
	if (ebda > BIOS_AREA_MIN && ebda < base)
		base = ebda;
	bios_area_limit = base;
}

static void ap_park_all(enum lapic_mode mode, phys_addr_t page)
{
	for (u32 slot = 0; slot < ap_count; slot++)
		ap_account(slot, ap_start(mode, slot, page));
	/* A CPU started at the page from now on only halts. */
	memcpy(phys_to_virt(page), halt_code, sizeof(halt_code));
}

void smp_park_cpus(const struct boot_info *bi, const struct acpi_info *ai,
		   bool vmx)
{
	enum lapic_mode mode = lapic_mode();
	phys_addr_t page;

	if (!ai->have_madt || mode == LAPIC_MODE_OFF)
		return;
	ap_slots_init(ai, mode, lapic_id(mode));
	if (!ap_count)
		goto report;
	page = smp_start_page(bi, bios_area_limit);
	if (!page || (vmx && !ap_vmxon_regions())) {
		pr_err("keel: cpus: %s: the other %u CPUs are not parked\n",
		       page ? "no memory for VMXON regions" :
			      "no free page below 1 MiB to start them from",
		       ap_count);
		unparked += ap_count;
		goto report;
	}
	memcpy(phys_to_virt(page), ap_tramp,
	       (uintptr_t)ap_tramp_end - (uintptr_t)ap_tramp);
	ap_tables_init(vmx);
	ap_park_all(mode, page);
report:
	if (parked_vmx)
		pr_info("keel: cpus: %u other CPU%s parked in VMX root, where INIT and start-up IPIs do not reach them\n",
			parked_vmx, parked_vmx == 1 ? "" : "s");
	if (parked_plain)
		pr_warn("keel: cpus: %u other CPU%s halted without VMX: a guest's INIT and start-up IPIs would still reach them\n",
			parked_plain, parked_plain == 1 ? "" : "s");
	if (!vmx)
		unparked = 0; /* no guest runs */
}

void smp_leave_cpus(const struct acpi_info *ai, bool vmx)
{
	enum lapic_mode mode = lapic_mode();
	u32 self;

	if (!ai->have_madt || mode == LAPIC_MODE_OFF)
		return;
	self = lapic_id(mode);
	for (unsigned int i = 0; i < ai->n_cpus; i++)
		unparked += ai->cpus[i].enabled && ai->cpus[i].apic_id != self;
	if (unparked)
		pr_warn("keel: cpus: %u other CPU%s left as the firmware left %s (park_cpus=off)\n",
			unparked, unparked == 1 ? "" : "s",
			unparked == 1 ? "it" : "them");
	if (!vmx)
		unparked = 0; /* no guest runs */
}

unsigned int smp_unparked_cpus(void)
{
	return unparked;
}

void smp_release(void)
{
	enum lapic_mode mode = lapic_mode();
	u32 released = 0;

	if (!parked_vmx || mode == LAPIC_MODE_OFF)
		return;
	ap_release = 1;
	__asm__ volatile("" : : : "memory");
	for (u32 slot = 0; slot < ap_count; slot++)
		if (ap_state[slot] == AP_PARKED_VMX)
			lapic_send_ipi(mode, ap_apic_id[slot],
				       ICR_DELMODE_NMI | ICR_LEVEL_ASSERT);
	mdelay(RELEASE_DELAY_MS);
	for (u32 slot = 0; slot < ap_count; slot++)
		released += ap_state[slot] == AP_RELEASED;
	printf("keel: cpus: %u of %u parked CPU%s left VMX root for the reset\n",
	       released, parked_vmx, parked_vmx == 1 ? "" : "s");
}

void smp_report(void)
{
	if (!parked_vmx && !parked_plain && !ap_faulted)
		return;
	pr_info("keel: cpus: %u parked CPU%s took %u NMIs%s\n",
		parked_vmx + parked_plain,
		parked_vmx + parked_plain == 1 ? "" : "s", ap_nmis,
		ap_faulted ? "; one or more stopped on an exception" : "");
}

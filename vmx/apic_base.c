// SPDX-License-Identifier: MIT
/*
 * IA32_APIC_BASE (1Bh) for the guest. The guest owns the real LAPIC and
 * switches its mode in the hardware (EN, EXTD), but the base address it
 * reads and writes is its own: the real LAPIC stays at its home, where
 * Keel sends its self-IPIs, and a relocation (SDM Vol.3A 11.4.5) moves
 * only the EPT mapping. The page the APIC leaves is unmapped: its home
 * then reads all ones (vm/platform.c), any other page is again a free
 * hole, whose access stops the guest as any such access does
 * (vmx/mmio.c). Which places are allowed: vmx/apic_base_check.c.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "arch/x86/lapic.h"
#include "vdev/pci_cfg.h"
#include "vmx/apic_base.h"
#include "vmx/vcpu.h"

/* Refusals logged before going quiet: a guest may probe in a loop. */
#define APIC_BASE_LOG_MAX 8

static unsigned int refusals_logged;

/* Anything already in the guest-physical space at [gpa, gpa+size). */
static const char *place_taken(void *ctx, u64 gpa, u64 size)
{
	struct vm *vm = ctx;
	struct ept_mapping m;

	if (gpa < vm->mem_size)
		return "overlaps guest RAM";
	for (u64 p = gpa; p < gpa + size; p += PAGE_SIZE)
		if (!ept_lookup(&vm->ept, p, &m))
			return "memory or a device is mapped there";
	for (unsigned int i = 0; i < vm->n_mmio; i++)
		if (gpa < vm->mmio[i].base + vm->mmio[i].size &&
		    vm->mmio[i].base < gpa + size)
			return "overlaps an emulated device";
	/* Keel's image, IOAPICs, hidden functions' BARs, assigned BARs. */
	return pci_cfg_place_taken(vm, gpa, size);
}

/* The guest's view: the hardware's bits, its own base address. */
static u64 guest_view(const struct vm *vm, u64 hw)
{
	u64 addr = apic_base_addr_mask(cpu_phys_addr_bits());

	if (!vm->lapic_home)
		return hw;
	return (hw & ~addr) | vm->lapic_gpa;
}

int vmx_apic_base_read(struct vcpu *v, u64 *val)
{
	u64 hw;

	if (rdmsr_safe(MSR_IA32_APIC_BASE, &hw))
		return -EPERM;
	*val = guest_view(v->vm, hw);
	return 0;
}

static void log_refusal(u64 gpa, const char *why)
{
	if (refusals_logged >= APIC_BASE_LOG_MAX)
		return;
	refusals_logged++;
	pr_info("keel: guest: IA32_APIC_BASE: moving the APIC page to %#llx refused (#GP): %s\n",
		gpa, why);
}

/*
 * Map the new page first and unmap the old one last: a mode change the
 * CPU refuses (SDM Vol.3A 11.12.5) leaves the page where it was.
 */
static int move_and_write(struct vm *vm, u64 gpa, u64 hw_val)
{
	if (vm_map_mmio_at(vm, gpa, vm->lapic_home, APIC_BASE_PAGE_SIZE) ||
	    wrmsr_safe(MSR_IA32_APIC_BASE, hw_val)) {
		vm_unmap(vm, gpa, APIC_BASE_PAGE_SIZE);
		return -EPERM;
	}
	vm_unmap(vm, vm->lapic_gpa, APIC_BASE_PAGE_SIZE);
	vm->lapic_gpa = gpa;
	vm->lapic_moves++;
	return 0;
}

/*
 * EN and EXTD go to the hardware, which refuses the invalid transitions
 * itself; BSP is read-only; the address bits are the guest's alone.
 */
int vmx_apic_base_write(struct vcpu *v, u64 val)
{
	struct vm *vm = v->vm;
	u64 hw, hw_val, gpa = 0;
	const char *why = NULL;
	struct apic_base_env env = {
		.maxphyaddr = cpu_phys_addr_bits(),
		.home = vm->lapic_home,
		.moves = vm->lapic_moves,
		.taken = place_taken,
		.ctx = vm,
	};

	if (rdmsr_safe(MSR_IA32_APIC_BASE, &hw))
		return -EPERM;
	env.cur = guest_view(vm, hw) & apic_base_addr_mask(env.maxphyaddr);
	hw_val = (hw & ~(u64)(APIC_BASE_MSR_EXTD | APIC_BASE_MSR_EN)) |
		 (val & (APIC_BASE_MSR_EXTD | APIC_BASE_MSR_EN));
	switch (apic_base_check(&env, val, &gpa, &why)) {
	case APIC_BASE_STAY:
		return wrmsr_safe(MSR_IA32_APIC_BASE, hw_val) ? -EPERM : 0;
	case APIC_BASE_MOVE:
		return move_and_write(vm, gpa, hw_val);
	case APIC_BASE_TAKEN:
		log_refusal(val & apic_base_addr_mask(env.maxphyaddr), why);
		return -EPERM;
	case APIC_BASE_RESERVED:
		break;
	}
	return -EPERM;
}

// SPDX-License-Identifier: MIT
/*
 * The host's HPET, given to the guest as the PIT and the RTC are: Keel
 * keeps time with the TSC alone and never touches it. Linux checks its
 * TSC against it (the clocksource watchdog), as it does natively.
 *
 * Its page is mapped read-only: reads reach the counter with no exit (the
 * watchdog times two back-to-back reads and skips its check when they take
 * over 125 us, which two exits do in Bochs). Writes take an EPT violation
 * and pass vdev/hpet_filter.c, which keeps FSB delivery off. The FSB
 * capability bit therefore still reads as the hardware has it; a guest
 * that tried FSB delivery would get no interrupt from that timer. Linux
 * does not try it on a CPU with ARAT (always-running APIC timer), which
 * Keel shows (docs/cpuid-msr.md). Should the read-only map fail, every
 * access traps and the filter hides the capability too.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/acpi.h"
#include "arch/x86/arch.h"
#include "vdev/hpet_filter.h"
#include "vm/vm.h"

#define HPET_PAGE_SIZE 0x1000

static volatile u8 *regs;

static int hpet_mmio(struct vm *vm, u64 gpa, unsigned int size, bool write,
		     u64 *val, void *ctx)
{
	/* Below the block but in its page: an offset the filter drops. */
	u32 off = gpa < acpi_info.hpet.base ? HPET_BLOCK_LEN :
					      (u32)(gpa - acpi_info.hpet.base);
	volatile u8 *r = regs + (off < HPET_BLOCK_LEN ? off : 0);

	if (!write && hpet_read_forwards(off, size))
		*val = size == 8 ? mmio_read64(r) : mmio_read32(r);
	if (hpet_filter(off, size, write, val) != HPET_FORWARD || !write)
		return 0;
	if (size == 8)
		mmio_write64(r, *val);
	else
		mmio_write32(r, (u32)*val);
	return 0;
}

/* An HPET table that puts the block in memory or above 4 GiB is not
 * believed: the guest would reach that memory through it. */
static int hpet_init(struct vm *vm)
{
	u64 base = acpi_info.hpet.base;
	u64 page = ALIGN_DOWN(base, HPET_PAGE_SIZE);

	vm->hpet_passed = false;
	if (!acpi_info.hpet.present)
		return 0;
	if (page >= GiB(4) || base + HPET_BLOCK_LEN > page + HPET_PAGE_SIZE ||
	    mm_overlaps_memory(page, HPET_PAGE_SIZE)) {
		pr_warn("keel: guest: the HPET at %#llx is in memory or above 4 GiB; the guest gets none\n",
			base);
		return 0;
	}
	regs = (volatile u8 *)(uintptr_t)base;
	if (vm_register_mmio(vm, page, HPET_PAGE_SIZE, hpet_mmio, NULL, "HPET"))
		return 0;
	if (vm_map_mmio_readonly(vm, page, HPET_PAGE_SIZE)) {
		vm_unmap(vm, page, HPET_PAGE_SIZE);
		pr_warn("keel: guest: the HPET's page cannot be mapped; every access to it traps\n");
	}
	vm->hpet_passed = true;
	return 0;
}

VM_DEVICE(hpet, .name = "HPET", .init = hpet_init);

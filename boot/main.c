// SPDX-License-Identifier: MIT
/*
 * kmain: the boot sequence after head.S has entered long mode. The order
 * matters: the CPU tables before anything can fault, the console as soon
 * as the command line (in the boot information) says which one, so every
 * later failure is visible, the allocator before Keel's final page
 * tables, and ACPI before PCI (ECAM) and time (PM timer).
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "boot/boot.h"
#include "boot/options.h"
#include "arch/x86/arch.h"
#include "block/block.h"
#include "arch/x86/acpi.h"
#include "iommu/iommu.h"
#include "drivers/fb/fbcon.h"
#include "vmx/vmx.h"

#define KEEL_VERSION "0.1"
/* The information GRUB hands over is a few KiB; refuse anything absurd. */
#define MBI_SIZE_LIMIT MiB(1)
/* Longest command line echoed whole: the line stays under PRINTK_BUF. */
#define CMDLINE_ECHO_MAX 400

extern const u8 __image_start[], __image_end[];

/*
 * The command line is in the boot information, so until it is read no
 * console is up: a failure here falls back to the serial port on COM1.
 */
static void parse_boot_info(u32 magic, u32 mbi)
{
	char err[128];

	if (magic != MB2_BOOTLOADER_MAGIC) {
		console_start_default();
		panic("not started by a multiboot2 loader (EAX=%#x)", magic);
	}
	if (mb2_parse(phys_to_virt(mbi), MBI_SIZE_LIMIT, &boot_info, err,
		      sizeof(err))) {
		console_start_default();
		panic("bad multiboot2 information: %s", err);
	}
}

static void print_memory(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	pr_info("keel: memory: total %llu KiB, reserved %llu KiB, used %llu KiB, free %llu KiB\n",
		st.total >> 10, st.reserved >> 10, st.used >> 10,
		st.free >> 10);
}

/* The command line, cut with a marker when a line cannot hold it. */
static void print_cmdline(const char *cmdline)
{
	size_t n = strlen(cmdline);

	if (n <= CMDLINE_ECHO_MAX)
		pr_info("keel: cmdline: %s\n", cmdline);
	else
		pr_info("keel: cmdline: %.*s ... [%llu more bytes not shown]\n",
			CMDLINE_ECHO_MAX, cmdline,
			(unsigned long long)(n - CMDLINE_ECHO_MAX));
}

/* Loader and command line, with any option problems right after. */
static void print_boot_info(void)
{
	const struct boot_info *bi = &boot_info;

	pr_info("keel: loader: %s\n", bi->loader_name);
	print_cmdline(bi->cmdline);
	options_report();
	pr_info("keel: firmware: %s\n",
		bi->have_efi64_systab ? "UEFI" : "BIOS");
	for (unsigned int i = 0; i < bi->n_mmap; i++)
		pr_info("keel: mmap: %016llx-%016llx type %u\n",
			bi->mmap[i].base, bi->mmap[i].base + bi->mmap[i].len,
			bi->mmap[i].type);
	for (unsigned int i = 0; i < bi->n_modules; i++)
		pr_info("keel: module: %08llx-%08llx '%s'\n",
			bi->modules[i].start, bi->modules[i].end,
			bi->modules[i].cmdline);
}

void kmain(u32 magic, u32 mbi);

void kmain(u32 magic, u32 mbi)
{
	const struct keel_options *o;

	arch_cpu_tables_init();
	parse_boot_info(magic, mbi);
	o = options_parse(boot_info.cmdline);
	options_apply_console(&boot_info, o);
	pr_info("\nkeel: Keel hypervisor " KEEL_VERSION " starting\n");
	console_report();
	print_boot_info();

	mm_init(&boot_info, (phys_addr_t)__image_start,
		(phys_addr_t)__image_end);
	paging_init(&boot_info);
	fbcon_map();
	print_memory();

	platform_init(&boot_info);
	options_apply_passthrough(&o->guest);
	fbcon_claim_pci();
	/* ACPI's EBDA scan and this were the last readers of the BIOS data
	 * area. */
	smp_note_bios_area();
	paging_unmap_page0();
	iommu_init(&acpi_info, &o->iommu);
	/* Storage first: firmware may leave AHCI ports running with DMA
	 * targets in memory the map calls free; reset them before Keel hands
	 * out much memory. */
	storage_init(blk_elevator_at(o->sched), o->ide_max_xfer);
	/* After the drivers claimed their functions: they get the Keel
	 * domain, every other function behind a unit gets no DMA. */
	iommu_enable(&boot_info);
	vmx_init();
	/* After VT-x is known, before any guest owns the LAPIC. */
	if (o->park_cpus)
		smp_park_cpus(&boot_info, &acpi_info, vmx_enabled());
	else
		smp_leave_cpus(&acpi_info, vmx_enabled());
	options_run_actions(&boot_info, o);
}

// SPDX-License-Identifier: MIT
/*
 * Test guest entry: checks the multiboot hand-over, then runs the scenario
 * named by "scenario=" on its command line (default "all"):
 *   all          every check, then exit with 0 (all passed) or 1
 *   bench        round-trip timings: "BENCH <name> <cycles> cycles"
 *   oob-read     read guest-physical memory outside RAM (Keel stops us)
 *   oob-write    write there (Keel stops us)
 *   keel-mem     try to read Keel's own image (must not be visible)
 *   vmxon        execute VMXON (must raise #UD)
 *   triple-fault load an empty IDT and fault (Keel stops us)
 *   bar-move     size the xHCI's BAR0, move it over Keel, then somewhere free
 *   bar-move-old the same, then read the old BAR0 address (Keel stops us)
 *   task-switch  the hardware task-switch checks alone
 *   pt-in-mmio   page directory in a device (Keel stops us)
 *   mmio-straddle  a store half in RAM, half in a device (Keel stops us)
 *   virtio       the virtio-blk checks alone (docs/virtio-guest.md)
 *   virtio-bench the virtio-blk benchmark (docs/virtio.md, "Performance")
 *   fw-cfg       QEMU's fw_cfg, read as kvm-unit-tests does (docs/vmx.md)
 *   pc-testdev   QEMU's pc-testdev, used as kvm-unit-tests does (docs/vmx.md)
 */
#include "guest.h"

#define MIB 0x100000u

void guest_main(u32 magic, const struct mb_info *mbi);

void guest_main(u32 magic, const struct mb_info *mbi)
{
	struct guest_env env = { magic, mbi, 0, "" };
	const char *cmdline = "";
	char scenario[32] = "all";

	serial_init();
	idt_init();
	pic_init();
	kputs("keel-guest: starting\n");

	if (magic == MB_BOOT_MAGIC && (mbi->flags & MB_INFO_CMDLINE))
		cmdline = (const char *)mbi->cmdline;
	if (magic == MB_BOOT_MAGIC && (mbi->flags & MB_INFO_MEM))
		env.ram_top = MIB + mbi->mem_upper * 1024u;
	env.cmdline = cmdline;
	cmdline_value(cmdline, "scenario", scenario, sizeof(scenario));
	kprintf("keel-guest: scenario=%s cmdline='%s' ram_top=0x%x\n", scenario,
		cmdline, env.ram_top);

	if (!memcmp(scenario, "all", 4)) {
		run_all_tests(&env);
		run_virtio(&env, false);
	} else if (!memcmp(scenario, "bench", 6)) {
		run_bench(&env);
	} else if (!memcmp(scenario, "oob-read", 9)) {
		run_oob(&env, false);
	} else if (!memcmp(scenario, "oob-write", 10)) {
		run_oob(&env, true);
	} else if (!memcmp(scenario, "keel-mem", 9)) {
		run_keel_mem(&env);
	} else if (!memcmp(scenario, "vmxon", 6)) {
		run_vmxon(&env);
	} else if (!memcmp(scenario, "triple-fault", 13)) {
		run_triple_fault(&env);
	} else if (!memcmp(scenario, "pci", 4)) {
		run_pci(&env);
	} else if (!memcmp(scenario, "reset", 6)) {
		run_reset(&env);
	} else if (!memcmp(scenario, "pt-in-mmio", 11)) {
		run_pt_in_mmio(&env);
	} else if (!memcmp(scenario, "mmio-straddle", 14)) {
		run_mmio_straddle();
	} else if (!memcmp(scenario, "task-switch", 12)) {
		task_switch_tests();
	} else if (!memcmp(scenario, "virtio-bench", 13)) {
		run_virtio_bench(&env);
	} else if (!memcmp(scenario, "virtio", 7)) {
		run_virtio(&env, true);
	} else if (!memcmp(scenario, "bar", 4)) {
		run_bar(&env);
	} else if (!memcmp(scenario, "hostile-ports", 14)) {
		run_hostile_ports(&env);
	} else if (!memcmp(scenario, "hostile-console", 16)) {
		run_hostile_console(&env);
	} else if (!memcmp(scenario, "hostile-nmi", 12)) {
		run_hostile_nmi(&env);
	} else if (!memcmp(scenario, "hostile-cpus", 13)) {
		run_hostile_cpus(&env);
	} else if (!memcmp(scenario, "reset-", 6)) {
		run_hostile_reset(&env, scenario + 6);
	} else if (!memcmp(scenario, "exit-", 5)) {
		run_exit_width(&env, scenario + 5);
	} else if (!memcmp(scenario, "bar-move", 9)) {
		run_bar_move(&env, false);
	} else if (!memcmp(scenario, "bar-move-old", 13)) {
		run_bar_move(&env, true);
	} else if (!memcmp(scenario, "console", 8)) {
		run_console(&env);
	} else if (!memcmp(scenario, "fw-cfg", 7)) {
		run_fw_cfg(&env);
	} else if (!memcmp(scenario, "pc-testdev", 11)) {
		run_pc_testdev(&env);
	} else {
		report("scenario", false, "unknown scenario '%s'", scenario);
	}
	finish();
}

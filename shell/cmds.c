// SPDX-License-Identifier: MIT
/*
 * The shell's command table (docs/console.md lists the same commands with
 * examples) and help.
 */
#include "core/console.h"
#include "core/lib.h"
#include "boot/options.h"
#include "vmx/vmx.h"
#include "shell/cmds.h"

static int cmd_help(int argc, char **argv);

const struct shell_cmd shell_cmds[] = {
	{ "help", "[CMD]", "list the commands, or show one", 0, 1, cmd_help },
	{ "info", "", "CPU, VMX capabilities, memory, command line", 0, 0,
	  cmd_info },
	{ "vm", "", "the guest: running, or how it ended", 0, 0, cmd_vm },
	{ "regs", "", "the guest's registers", 0, 0, cmd_regs },
	{ "vmcs", "", "the key VMCS fields, decoded", 0, 0, cmd_vmcs },
	{ "exits", "[reset]", "exit counts and cycles per reason", 0, 1,
	  cmd_exits },
	{ "trace", "on|off|dump", "the ring of the last exits", 1, 1,
	  cmd_trace },
	{ "ept", "GPA", "walk the EPT for a guest-physical address", 1, 1,
	  cmd_ept },
	{ "mem", "GPA [LEN]", "hexdump guest RAM (LEN up to 512, default 64)",
	  1, 2, cmd_mem },
	{ "pci", "", "PCI functions, and who owns them", 0, 0, cmd_pci },
	{ "iommu", "", "VT-d units, domains, context entries, recent faults", 0,
	  0, cmd_iommu },
	{ "blk", "[DEV]", "block devices: stats and latency histograms", 0, 1,
	  cmd_blk },
	{ "sched", "DEV [ELEVATOR]", "show or switch a device's elevator", 1, 2,
	  cmd_sched },
	{ "tune", "DEV KEY[=VALUE]", "show or set an elevator tunable", 2, 2,
	  cmd_tune },
	{ "log", "LEVEL", "set the log level (0..7)", 1, 1, cmd_log },
	{ "reboot", "", "reset the machine", 0, 0, cmd_reboot },
	{ "poweroff", "", "power the machine off", 0, 0, cmd_poweroff },
};

const size_t shell_n_cmds = ARRAY_SIZE(shell_cmds);

static void help_line(const struct shell_cmd *c)
{
	char usage[40];

	ksnprintf(usage, sizeof(usage), "%s %s", c->name, c->usage);
	printf("  %-24s %s\n", usage, c->help);
}

static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *c;

	if (argc == 2) {
		c = shell_find(shell_cmds, shell_n_cmds, argv[1]);
		if (!c) {
			printf("help: no command '%.32s'\n", argv[1]);
			return -EINVAL;
		}
		help_line(c);
		return 0;
	}
	for (size_t i = 0; i < shell_n_cmds; i++)
		help_line(&shell_cmds[i]);
	printf("  keys: Backspace, Ctrl-U (clear), Ctrl-C (cancel), Up/Down (history), Ctrl-A x3 (guest)\n");
	return 0;
}

struct vm *shell_need_guest(const char *cmd)
{
	struct vm *vm = vmx_running_vm();
	const char *why = vmx_off_reason();

	if (vm)
		return vm;
	if (why)
		printf("%s: no guest: %s\n", cmd, why);
	else if (!guest_vm())
		printf("%s: no guest: none has been started\n", cmd);
	else
		printf("%s: no guest: it has ended (see 'vm')\n", cmd);
	return NULL;
}

// SPDX-License-Identifier: MIT
/*
 * The shell's guest commands: vm, regs, vmcs, exits, trace, ept and mem.
 * All but vm need a running guest, and they run between two of its exits.
 */
#include "core/console.h"
#include "core/lib.h"
#include "boot/options.h"
#include "ept/ept.h"
#include "vm/vm.h"
#include "vmx/vmx.h"
#include "shell/cmds.h"

/* mem: most bytes one command dumps, and the default. */
#define MEM_MAX 512
#define MEM_DEFAULT 64
#define HEX_PER_LINE 16

int cmd_vm(int argc, char **argv)
{
	const struct vm *vm = vmx_running_vm();
	const char *why = vmx_off_reason();

	if (vm) {
		printf("vm: running, %llu MiB of RAM, %u port and %u MMIO handlers\n",
		       vm->mem_size >> 20, vm->n_pio, vm->n_mmio);
		return 0;
	}
	vm = guest_vm();
	if (why)
		printf("vm: no guest: %s\n", why);
	else if (!vm)
		printf("vm: no guest has been started\n");
	else if (vm->state == VM_EXITED)
		printf("vm: exited with status %d\n", vm->status);
	else if (vm->state == VM_STOPPED)
		printf("vm: stopped: %s\n", vm->stop_reason);
	else
		printf("vm: not running (its setup failed)\n");
	return 0;
}

int cmd_regs(int argc, char **argv)
{
	if (!shell_need_guest("regs"))
		return -ENODEV;
	vmx_show_regs();
	return 0;
}

int cmd_vmcs(int argc, char **argv)
{
	if (!shell_need_guest("vmcs"))
		return -ENODEV;
	vmx_show_vmcs();
	return 0;
}

int cmd_exits(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "reset")) {
		printf("exits: '%.32s'? use 'exits' or 'exits reset'\n",
		       argv[1]);
		return -EINVAL;
	}
	if (!shell_need_guest("exits"))
		return -ENODEV;
	if (argc == 2) {
		vmx_reset_exits();
		printf("exits: counts reset\n");
		return 0;
	}
	vmx_show_exits();
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	if (!strcmp(argv[1], "dump")) {
		vmx_trace_dump();
		return 0;
	}
	if (strcmp(argv[1], "on") && strcmp(argv[1], "off")) {
		printf("trace: '%.32s'? use on, off or dump\n", argv[1]);
		return -EINVAL;
	}
	if (!shell_need_guest("trace"))
		return -ENODEV;
	vmx_trace_set(!strcmp(argv[1], "on"));
	printf("trace: %s\n", argv[1]);
	return 0;
}

static int parse_gpa(const char *cmd, const char *s, u64 *v)
{
	if (!shell_parse_u64(s, v))
		return 0;
	printf("%s: '%.32s' is not a number (decimal or 0x hex)\n", cmd, s);
	return -EINVAL;
}

static const char *const level_names[] = { "PML4E", "PDPTE", "PDE", "PTE" };
static const char *const memtype_names[8] = { "UC", "WC", "?",	"?",
					      "WT", "WP", "WB", "?" };

static void show_ept_entry(const struct ept_walk *w, unsigned int i)
{
	u64 e = w->entry[i];
	bool leaf = w->leaf && i == w->n - 1;

	if (!(e & EPT_PERM_MASK)) {
		printf("  %-5s[%3u] %016llx not present\n", level_names[i],
		       w->index[i], e);
		return;
	}
	printf("  %-5s[%3u] %016llx %c%c%c -> %s %#llx%s%s\n", level_names[i],
	       w->index[i], e, e & EPT_READ ? 'R' : '-',
	       e & EPT_WRITE ? 'W' : '-', e & EPT_EXEC ? 'X' : '-',
	       !leaf  ? "table at" :
	       i == 1 ? "1G page at" :
	       i == 2 ? "2M page at" :
			"4K page at",
	       e & EPT_ADDR_MASK, leaf ? " type " : "",
	       leaf ? memtype_names[FIELD_GET(EPT_MEMTYPE, e)] : "");
}

int cmd_ept(int argc, char **argv)
{
	struct vm *vm;
	struct ept_walk w;
	u64 gpa;

	if (parse_gpa("ept", argv[1], &gpa))
		return -EINVAL;
	vm = shell_need_guest("ept");
	if (!vm)
		return -ENODEV;
	if (ept_walk(&vm->ept, gpa, &w)) {
		printf("ept: %#llx is beyond the 48-bit guest-physical space\n",
		       gpa);
		return -EINVAL;
	}
	printf("ept: GPA %#llx (guest RAM is 0..%#llx)\n", gpa, vm->mem_size);
	for (unsigned int i = 0; i < w.n; i++)
		show_ept_entry(&w, i);
	if (!w.leaf)
		printf("  not mapped\n");
	return 0;
}

static void hex_line(u64 gpa, const u8 *b, unsigned int n)
{
	char line[96];
	int len = ksnprintf(line, sizeof(line), "  %010llx ", gpa);

	for (unsigned int i = 0; i < HEX_PER_LINE; i++)
		len += ksnprintf(line + len, sizeof(line) - (size_t)len,
				 i < n ? " %02x" : "   ", b[i]);
	len += ksnprintf(line + len, sizeof(line) - (size_t)len, "  ");
	for (unsigned int i = 0; i < n; i++)
		line[len++] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
	line[len] = '\0';
	printf("%s\n", line);
}

int cmd_mem(int argc, char **argv)
{
	u8 buf[HEX_PER_LINE] = { 0 };
	struct vm *vm;
	u64 gpa, len = MEM_DEFAULT;

	if (parse_gpa("mem", argv[1], &gpa) ||
	    (argc == 3 && parse_gpa("mem", argv[2], &len)))
		return -EINVAL;
	if (!len || len > MEM_MAX) {
		printf("mem: LEN must be 1..%d\n", MEM_MAX);
		return -EINVAL;
	}
	vm = shell_need_guest("mem");
	if (!vm)
		return -ENODEV;
	if (gpa >= vm->mem_size || len > vm->mem_size - gpa) {
		printf("mem: %#llx..%#llx is not all guest RAM (0..%#llx)\n",
		       gpa, gpa + len, vm->mem_size);
		return -EINVAL;
	}
	for (u64 off = 0; off < len; off += HEX_PER_LINE) {
		unsigned int n = (unsigned int)MIN(len - off, HEX_PER_LINE);

		if (vm_read(vm, gpa + off, buf, n)) {
			printf("mem: %#llx cannot be read\n", gpa + off);
			return -EFAULT;
		}
		hex_line(gpa + off, buf, n);
	}
	return 0;
}

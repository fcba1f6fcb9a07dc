// SPDX-License-Identifier: MIT
/*
 * The table of Keel's command-line options: name, type, range, default and
 * help. docs/command-line.md documents the same rows; the host test
 * test_options_doc.c fails when the two disagree. Pure, so that test links
 * it; the hooks it names are pure too except selftest_at().
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/options.h"
#include "core/selftest.h"
#include "boot/options.h"
#include "block/block.h"
#include "drivers/pci.h"

#define OFF(field) offsetof(struct keel_options, field)

static const char *const crash_names[] = { "ud",    "pf",    "gp",
					   "de",    "null",  "wtext",
					   "xdata", "stack", NULL };
static const char *const guest_exit_names[] = { "halt", "poweroff", NULL };
static const char *const guest_reset_names[] = { "stop", "restart", NULL };
static const char *const iommu_names[] = { "on", "off", NULL };
static const char *const shell_names[] = { "off", "guest", "on", NULL };
static const char *const off_on_names[] = { "off", "on", NULL };

static const char *test_name(unsigned int i)
{
	const struct selftest *t = selftest_at(SELFTEST_TEST, i);

	return t ? t->name : NULL;
}

static const char *bench_name(unsigned int i)
{
	const struct selftest *t = selftest_at(SELFTEST_BENCH, i);

	return t ? t->name : NULL;
}

static int parse_console(const char *v, size_t n, void *dst, char *why,
			 size_t size)
{
	return console_parse_option(v, n, dst, why, size);
}

/*
 * A BB:DD.F list, all or nothing, so a typo never hides or passes half a
 * list. With @append the functions join those already there (a repeated
 * passthrough=), duplicates once.
 */
static int parse_bdfs(const char *v, size_t n, u16 *dst, unsigned int *ndst,
		      bool append, char *why, size_t size)
{
	u16 bdf[VM_PCI_HIDE_MAX], all[VM_PCI_HIDE_MAX];
	unsigned int count, total = append ? *ndst : 0;
	size_t bad;
	int rc = pci_parse_bdf_list(v, n, bdf, VM_PCI_HIDE_MAX, &count, &bad);

	memcpy(all, dst, total * sizeof(all[0]));
	for (unsigned int i = 0; !rc && i < count; i++) {
		unsigned int j = 0;

		while (j < total && all[j] != bdf[i])
			j++;
		if (j < total)
			continue;
		if (total == VM_PCI_HIDE_MAX) {
			rc = -E2BIG;
			bad = 0;
			break;
		}
		all[total++] = bdf[i];
	}
	if (rc) {
		ksnprintf(why, size,
			  "%s at '%.*s'; use BB:DD.F[,BB:DD.F] (at most %u)",
			  rc == -E2BIG ? "too many functions" : "cannot parse",
			  (int)MIN(n - bad, (size_t)OPT_ECHO_MAX), v + bad,
			  VM_PCI_HIDE_MAX);
		return rc;
	}
	memcpy(dst, all, total * sizeof(all[0]));
	*ndst = total;
	return 0;
}

static int parse_pci_hide(const char *v, size_t n, void *dst, char *why,
			  size_t size)
{
	struct vm_config *gc = dst;

	return parse_bdfs(v, n, gc->hidden, &gc->n_hidden, false, why, size);
}

static int parse_passthrough(const char *v, size_t n, void *dst, char *why,
			     size_t size)
{
	struct vm_config *gc = dst;

	return parse_bdfs(v, n, gc->passthrough, &gc->n_passthrough, true, why,
			  size);
}

static bool disk_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/*
 * guest_disk=DEV, DEV:FIRST+COUNT, either with ,ro; the device is looked up
 * at run time.
 */
static int parse_guest_disk(const char *v, size_t n, void *dst, char *why,
			    size_t size)
{
	struct vm_disk *d = dst, nd = { 0 };
	size_t name = 0, plus;

	if (n > 3 && !memcmp(v + n - 3, ",ro", 3)) {
		nd.ro = true;
		n -= 3;
	}
	while (name < n && disk_name_char(v[name]))
		name++;
	if (!name || name >= VM_DISK_NAME || (name < n && v[name] != ':'))
		goto bad;
	memcpy(nd.name, v, name);
	if (name < n) {
		for (plus = name + 1; plus < n && v[plus] != '+'; plus++)
			;
		if (plus == n ||
		    kstrtou64(v + name + 1, plus - name - 1, false,
			      &nd.first) ||
		    kstrtou64(v + plus + 1, n - plus - 1, false, &nd.count) ||
		    !nd.count || nd.first + nd.count < nd.first)
			goto bad;
		nd.range = true;
	}
	*d = nd;
	return 0;
bad:
	ksnprintf(
		why, size,
		"not understood; use DEV or DEV:FIRST+COUNT, optionally ,ro (e.g. sda:2048+1048576)");
	return -EINVAL;
}

static const struct opt_desc keel_opts[] = {
	{ .name = "console",
	  .type = OPT_CUSTOM,
	  .offset = OFF(console),
	  .def = "serial",
	  .parse = parse_console,
	  .values = "a comma list of serial, fb or none; a UART for serial",
	  .help = "Where Keel's log goes: the serial port, the screen, both or nowhere." },
	{ .name = "loglevel",
	  .type = OPT_UINT,
	  .offset = OFF(loglevel),
	  .def = "6",
	  .min = 0,
	  .max = LOG_DEBUG,
	  .values = "0..7",
	  .help = "Messages above this level are dropped." },
	{ .name = "poweroff",
	  .type = OPT_FLAG,
	  .offset = OFF(poweroff),
	  .values = "no value",
	  .help = "Power off once boot (and any self-test) is done." },
	{ .name = "reboot",
	  .type = OPT_FLAG,
	  .offset = OFF(reboot),
	  .values = "no value",
	  .help = "Reset once boot is done." },
	{ .name = "crash",
	  .type = OPT_ENUM,
	  .offset = OFF(crash),
	  .names = crash_names,
	  .values = "ud, pf, gp, de, null, wtext, xdata or stack",
	  .help = "Raise that exception on purpose at the end of boot." },
	{ .name = "sched",
	  .type = OPT_ENUM,
	  .offset = OFF(sched),
	  .def = "deadline",
	  .names_fn = blk_elevator_at,
	  .values = "a registered elevator",
	  .help = "The elevator every block device starts with." },
	{ .name = "test",
	  .type = OPT_WORDS,
	  .offset = OFF(test),
	  .names_fn = test_name,
	  .values = "comma-separated self-test names",
	  .help = "Self-tests run after boot, before the guest." },
	{ .name = "bench",
	  .type = OPT_WORDS,
	  .offset = OFF(bench),
	  .names_fn = bench_name,
	  .values = "comma-separated benchmark names",
	  .help = "Benchmarks run after the self-tests." },
	{ .name = "ide_max_xfer",
	  .type = OPT_UINT,
	  .offset = OFF(ide_max_xfer),
	  .min = PAGE_SIZE,
	  .max = MiB(32),
	  .align = PAGE_SIZE,
	  .values = "4K..32M, with a K or M suffix",
	  .help = "Largest transfer of one IDE command (default: the LBA48 limit, 65535 sectors); 64K suits Bochs." },
	{ .name = "guest_mem",
	  .type = OPT_UINT,
	  .offset = OFF(guest.mem_size),
	  .def = "128M",
	  .min = VM_MIN_MEM,
	  .max = VM_MAX_MEM,
	  .align = VM_CHUNK_SIZE,
	  .values = "4M..3G, with a K, M or G suffix",
	  .help = "RAM given to the guest, rounded up to 2 MiB." },
	{ .name = "pci_hide",
	  .type = OPT_CUSTOM,
	  .offset = OFF(guest),
	  .parse = parse_pci_hide,
	  .values = "BB:DD.F[,BB:DD.F...]",
	  .help = "PCI functions the guest must not see." },
	{ .name = "passthrough",
	  .type = OPT_CUSTOM,
	  .offset = OFF(guest),
	  .parse = parse_passthrough,
	  .values = "BB:DD.F[,BB:DD.F...], repeatable",
	  .help = "PCI functions given to the guest even if Keel could drive them." },
	{ .name = "iommu",
	  .type = OPT_ENUM,
	  .offset = OFF(iommu.mode),
	  .def = "on",
	  .names = iommu_names,
	  .values = "on or off",
	  .help = "Program VT-d (on), or leave it alone (off)." },
	{ .name = "unconfined_dma",
	  .type = OPT_FLAG,
	  .offset = OFF(iommu.unconfined_dma),
	  .values = "no value",
	  .help = "Without working VT-d, let the guest's devices bus-master anyway." },
	{ .name = "park_cpus",
	  .type = OPT_ENUM,
	  .offset = OFF(park_cpus),
	  .def = "on",
	  .names = off_on_names,
	  .values = "on or off",
	  .help = "Park the other CPUs in VMX root (on), or leave them as the firmware left them (off)." },
	{ .name = "unparked_cpus",
	  .type = OPT_FLAG,
	  .offset = OFF(guest.unparked_cpus),
	  .values = "no value",
	  .help = "Start the guest even if another CPU could not be parked in VMX root." },
	{ .name = "fw_cfg",
	  .type = OPT_ENUM,
	  .offset = OFF(guest.fw_cfg),
	  .def = "on",
	  .names = off_on_names,
	  .values = "on or off",
	  .help = "Give the guest QEMU's fw_cfg ports 0x510-0x511 (CPU count, RAM size), as kvm-unit-tests reads them." },
	{ .name = "pc_testdev",
	  .type = OPT_ENUM,
	  .offset = OFF(guest.pc_testdev),
	  .def = "on",
	  .names = off_on_names,
	  .values = "on or off",
	  .help = "Give the guest QEMU's pc-testdev (ports 0xe0-0xeb and 0x2000-0x2017, 64 KiB at 0xff000000), as kvm-unit-tests uses it." },
	{ .name = "guest_disk",
	  .type = OPT_CUSTOM,
	  .offset = OFF(guest.disk),
	  .parse = parse_guest_disk,
	  .values = "DEV or DEV:FIRST+COUNT, optionally ,ro",
	  .help = "The disk, or sector range of one, the guest gets as virtio-blk." },
	{ .name = "on_guest_exit",
	  .type = OPT_ENUM,
	  .offset = OFF(on_guest_exit),
	  .def = "halt",
	  .names = guest_exit_names,
	  .values = "poweroff or halt",
	  .help = "What Keel does when its guest ends." },
	{ .name = "on_guest_reset",
	  .type = OPT_ENUM,
	  .offset = OFF(on_guest_reset),
	  .def = "stop",
	  .names = guest_reset_names,
	  .values = "stop or restart",
	  .help = "What Keel does when its guest resets the machine." },
	{ .name = "shell",
	  .type = OPT_ENUM,
	  .offset = OFF(shell),
	  .def = "guest",
	  .names = shell_names,
	  .values = "off, guest or on",
	  .help = "guest: Ctrl-A x3 opens Keel's shell while a guest runs; on: also serve it when no guest runs, instead of halting or powering off; off: no shell." },
	{ .name = "exit_trace",
	  .type = OPT_ENUM,
	  .offset = OFF(exit_trace),
	  .def = "off",
	  .names = off_on_names,
	  .values = "off or on",
	  .help = "Record the guest's last exits from boot (the shell's trace on), so a guest that dies has them dumped." },
};

const struct opt_table keel_option_table = { keel_opts, ARRAY_SIZE(keel_opts) };

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
#include "drivers/uart/uart.h"

#define OFF(field) offsetof(struct keel_options, field)

static const char *const crash_names[] = { "ud",    "pf",    "gp",
					   "de",    "null",  "wtext",
					   "xdata", "stack", NULL };
static const char *const guest_exit_names[] = { "halt", "poweroff", NULL };
static const char *const guest_reset_names[] = { "stop", "restart", NULL };
static const char *const shell_names[] = { "off", "guest", "on", NULL };

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
	struct console_opt *c = dst;

	if (!uart_parse_option(v, n, &c->port, &c->baud))
		return 0;
	ksnprintf(
		why, size,
		"not understood; use com1..com4 or an I/O port, optionally ,BAUD");
	return -EINVAL;
}

/* pci_hide=: all or nothing, so a typo never hides half a list. */
static int parse_pci_hide(const char *v, size_t n, void *dst, char *why,
			  size_t size)
{
	struct vm_config *gc = dst;
	u16 bdf[VM_PCI_HIDE_MAX];
	unsigned int count;
	size_t bad;
	int rc = pci_parse_bdf_list(v, n, bdf, VM_PCI_HIDE_MAX, &count, &bad);

	if (rc) {
		ksnprintf(why, size,
			  "%s at '%.*s'; use BB:DD.F[,BB:DD.F] (at most %u)",
			  rc == -E2BIG ? "too many functions" : "cannot parse",
			  (int)MIN(n - bad, (size_t)OPT_ECHO_MAX), v + bad,
			  VM_PCI_HIDE_MAX);
		return rc;
	}
	memcpy(gc->hidden, bdf, count * sizeof(bdf[0]));
	gc->n_hidden = count;
	return 0;
}

static const struct opt_desc keel_opts[] = {
	{ .name = "console",
	  .type = OPT_CUSTOM,
	  .offset = OFF(console),
	  .def = "com1,115200",
	  .parse = parse_console,
	  .values = "com1..com4 or an I/O port (0x2f8), optionally ,BAUD",
	  .help = "The 16550 UART Keel's console uses, and its speed." },
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
};

const struct opt_table keel_option_table = { keel_opts, ARRAY_SIZE(keel_opts) };

// SPDX-License-Identifier: MIT
/* Command-line options and end-of-boot actions; see docs/command-line.md. */
#include "core/console.h"
#include "core/lib.h"
#include "boot/options.h"
#include "arch/x86/arch.h"
#include "drivers/uart/uart.h"
#include "drivers/ahci/ahci.h"
#include "drivers/pci.h"
#include "vm/vm.h"

/* Status passed to the exit device when Keel stopped the guest. */
#define GUEST_STOPPED_STATUS 255

/* An address no identity map covers: canonical, far above any RAM. */
#define CRASH_UNMAPPED_ADDR 0x00007f0000000000ULL
#define CRASH_NONCANONICAL_ADDR 0x8000000000000000ULL

void options_apply_console(const char *cmdline)
{
	const char *v;
	size_t n;
	u16 port;
	u32 baud;
	u64 level;

	if (cmdline_get(cmdline, "console", &v, &n)) {
		if (uart_parse_option(v, n, &port, &baud))
			pr_err("keel: console=%.*s not understood; keeping COM1 at 115200\n",
			       (int)n, v);
		else if (port != uart_port() || baud != UART_DEFAULT_BAUD)
			uart_init(port, baud);
	}
	if (cmdline_get(cmdline, "loglevel", &v, &n)) {
		if (kstrtou64(v, n, false, &level) || level > LOG_DEBUG)
			pr_err("keel: loglevel=%.*s not understood\n", (int)n,
			       v);
		else
			console_set_level((int)level);
	}
}

static void do_crash(const char *v, size_t n)
{
	volatile u64 *p;
	volatile u32 zero = 0;

	printf("keel: crash test: triggering '%.*s' on purpose\n", (int)n, v);
	if (n == 2 && !strncmp(v, "ud", 2)) {
		__asm__ volatile("ud2");
	} else if (n == 2 && !strncmp(v, "pf", 2)) {
		p = (volatile u64 *)CRASH_UNMAPPED_ADDR;
		*p = 1;
	} else if (n == 2 && !strncmp(v, "gp", 2)) {
		p = (volatile u64 *)CRASH_NONCANONICAL_ADDR;
		*p = 1;
	} else if (n == 2 && !strncmp(v, "de", 2)) {
		/* In asm: GCC turns 1 / x into x == 1 and never divides. */
		__asm__ volatile("divl %0" : : "r"(zero), "a"(1), "d"(0));
	} else {
		pr_err("keel: crash=%.*s: unknown; use ud, pf, gp or de\n",
		       (int)n, v);
	}
}

/* Largest status the exit devices pass on for failed self-tests. */
#define SELFTEST_STATUS_MAX 254

/* Is @name one of the comma-separated words of option @key? */
static bool option_has(const char *cmdline, const char *key, const char *name)
{
	const char *v;
	size_t n, len = strlen(name);

	if (!cmdline_get(cmdline, key, &v, &n))
		return false;
	while (n) {
		size_t w = 0;

		while (w < n && v[w] != ',')
			w++;
		if (w == len && !strncmp(v, name, len))
			return true;
		v += w + (w < n);
		n -= w + (w < n);
	}
	return false;
}

/* test= and bench=: self-tests and benchmarks; returns the failures. */
static int run_selftests(const char *cmdline)
{
	int failed = 0;

	if (option_has(cmdline, "test", "ahci"))
		failed += ahci_selftest();
	if (option_has(cmdline, "test", "ahci-error"))
		failed += ahci_selftest_error(AHCI_ERROR_TEST_LBA);
	if (option_has(cmdline, "bench", "ahci"))
		ahci_bench();
	return failed;
}

static u64 guest_mem_option(const char *cmdline)
{
	const char *v;
	size_t n;
	u64 size;

	if (!cmdline_get(cmdline, "guest_mem", &v, &n))
		return VM_DEFAULT_MEM;
	if (kstrtou64(v, n, true, &size) || size < VM_MIN_MEM ||
	    size > VM_MAX_MEM) {
		pr_err("keel: guest: guest_mem=%.*s is not a size between 4M and 3G; using 128M\n",
		       (int)n, v);
		return VM_DEFAULT_MEM;
	}
	return ALIGN_UP(size, VM_CHUNK_SIZE);
}

/* pci_hide=BB:DD.F[,BB:DD.F...]: a bad list hides nothing and says why. */
static void pci_hide_option(const char *cmdline, struct vm_config *vc)
{
	const char *v;
	size_t n, bad;
	int rc;

	if (!cmdline_get(cmdline, "pci_hide", &v, &n))
		return;
	rc = pci_parse_bdf_list(v, n, vc->hidden, VM_PCI_HIDE_MAX,
				&vc->n_hidden, &bad);
	if (rc) {
		pr_err("keel: pci_hide=%.*s: %s at '%.*s'; use BB:DD.F[,BB:DD.F] (at most %u); nothing hidden\n",
		       (int)n, v,
		       rc == -E2BIG ? "too many functions" : "cannot parse",
		       (int)(n - bad), v + bad, VM_PCI_HIDE_MAX);
		vc->n_hidden = 0;
	}
}

/* Run the guest, if there is one; with on_guest_exit=poweroff, end there. */
static void run_guest(const struct boot_info *bi, const char *cmdline)
{
	static struct vm_config vc;
	int status;

	vc.mem_size = guest_mem_option(cmdline);
	pci_hide_option(cmdline, &vc);
	status = guest_run(bi, &vc);

	if (!cmdline_val_is(cmdline, "on_guest_exit", "poweroff"))
		return;
	arch_poweroff(status < 0 ? GUEST_STOPPED_STATUS : status);
}

void options_run_actions(const struct boot_info *bi, const char *cmdline)
{
	const char *v;
	size_t n;
	int failed;

	if (cmdline_get(cmdline, "crash", &v, &n))
		do_crash(v, n);
	pr_info("keel: boot complete\n");
	failed = run_selftests(cmdline);
	run_guest(bi, cmdline);
	if (cmdline_get(cmdline, "reboot", &v, &n))
		arch_reboot();
	if (cmdline_get(cmdline, "poweroff", &v, &n))
		arch_poweroff(MIN(failed, SELFTEST_STATUS_MAX));
	pr_info("keel: nothing left to do; halting (add 'poweroff' to power off)\n");
	arch_halt_forever();
}

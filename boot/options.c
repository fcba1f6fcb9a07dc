// SPDX-License-Identifier: MIT
/*
 * The command line, parsed once (the one place that reads it), and the
 * end-of-boot actions it asks for; see docs/command-line.md.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/selftest.h"
#include "boot/options.h"
#include "drivers/pci.h"
#include "arch/x86/arch.h"
#include "iommu/iommu.h"
#include "shell/shell.h"
#include "vm/vm.h"
#include "vmx/vmx.h"

/* Status passed to the exit device when Keel stopped the guest. */
#define GUEST_STOPPED_STATUS 255
/* Largest status the exit devices pass on for failed self-tests. */
#define SELFTEST_STATUS_MAX 254
/* Problems kept for options_report(); more are counted, not shown. */
#define OPT_MSGS_MAX 16

static struct keel_options opts;
static int opt_errors;

/* Parsing happens before the cmdline line prints; the messages wait. */
static struct {
	char text[OPT_MSG_MAX];
	enum opt_sev sev;
} msgs[OPT_MSGS_MAX];
static unsigned int n_msgs, n_dropped;

static void keep_msg(void *ctx, enum opt_sev sev, const char *msg)
{
	(void)ctx;
	if (n_msgs == OPT_MSGS_MAX) {
		n_dropped++;
		return;
	}
	ksnprintf(msgs[n_msgs].text, sizeof(msgs[n_msgs].text), "%s", msg);
	msgs[n_msgs++].sev = sev;
}

const struct keel_options *options_parse(const char *cmdline)
{
	opt_errors =
		opt_parse(&keel_option_table, &opts, cmdline, keep_msg, NULL);
	return &opts;
}

void options_report(void)
{
	for (unsigned int i = 0; i < n_msgs; i++) {
		if (msgs[i].sev == OPT_SEV_ERROR)
			pr_err("%s\n", msgs[i].text);
		else
			pr_info("%s\n", msgs[i].text);
	}
	if (n_dropped)
		pr_err("keel: cmdline: %u more problems not shown\n",
		       n_dropped);
}

void options_apply_passthrough(const struct vm_config *gc)
{
	for (unsigned int i = 0; i < gc->n_passthrough; i++) {
		u16 bdf = gc->passthrough[i];
		struct pci_dev *d =
			pci_find_bdf(bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
		bool hidden = false;

		for (unsigned int j = 0; j < gc->n_hidden; j++)
			hidden |= gc->hidden[j] == bdf;
		if (!d)
			pr_warn("keel: passthrough=%02x:%02x.%u: no such function\n",
				bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
		else if (hidden) /* the safer of the two wins */
			pr_warn("keel: passthrough=%02x:%02x.%u: also in pci_hide=; hidden\n",
				bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
		else
			d->guest_assigned = true;
	}
}

void options_apply_console(const struct boot_info *bi,
			   const struct keel_options *o)
{
	console_start(bi, &o->console);
	console_set_level((int)o->loglevel);
}

const struct vm_disk *options_guest_disk(void)
{
	return &opts.guest.disk;
}

/* Run the registered entries of @kind whose bits are set in @mask. */
static int run_kind(enum selftest_kind kind, u32 mask)
{
	const struct selftest *t;
	int failed = 0;

	for (unsigned int i = 0;
	     i < OPT_WORDS_MAX && (t = selftest_at(kind, i)); i++)
		if (mask & BIT(i))
			failed += t->fn();
	return failed;
}

/* Run the guest, if there is one; with on_guest_exit=poweroff, end there. */
static void run_guest(const struct boot_info *bi, const struct keel_options *o)
{
	struct vm_config cfg = o->guest;
	int status;

	if (!storage_guest_disk(&cfg.disk))
		cfg.disk.dev = NULL;
	status = guest_run(bi, &cfg, o->on_guest_reset == GUEST_RESET_RESTART);

	iommu_poll_faults(NULL, 0); /* what the guest's time left recorded */

	if (o->on_guest_exit != GUEST_EXIT_POWEROFF || o->shell == SHELL_ON)
		return;
	arch_poweroff(status < 0 ? GUEST_STOPPED_STATUS : status);
}

void options_run_actions(const struct boot_info *bi,
			 const struct keel_options *o)
{
	int failed;

	if (o->crash != OPT_ENUM_UNSET)
		crash_now(o->crash);
	shell_set_mode(o->shell);
	pr_info("keel: boot complete\n");
	failed = run_kind(SELFTEST_TEST, o->test);
	failed += run_kind(SELFTEST_BENCH, o->bench);
	iommu_poll_faults(NULL, 0);
	vmx_trace_set(o->exit_trace);
	run_guest(bi, o);
	if (o->shell == SHELL_ON)
		shell_serve_forever();
	if (o->reboot)
		arch_reboot();
	/* A mistyped option fails the run too: test=bogus must not pass. */
	if (o->poweroff)
		arch_poweroff(MIN(failed + opt_errors, SELFTEST_STATUS_MAX));
	pr_info("keel: nothing left to do; halting (add 'poweroff' to power off)\n");
	arch_halt_forever();
}

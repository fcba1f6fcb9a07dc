// SPDX-License-Identifier: MIT
/*
 * Starting the guest: find the module named "guest" (and any named
 * "guest-module"), build the virtual machine (vm/), load the image into
 * it and run its vCPU (vmx/) until it ends. See docs/vmx.md for what the
 * guest sees of the machine.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/arch.h"
#include "boot/options.h"
#include "vm/vm.h"
#include "vmx/vmx.h"

#define GUEST_MODULE_NAME "guest"
#define GUEST_EXTRA_MODULE_NAME "guest-module"

static struct vm the_vm;
static struct vm_image the_image;
static bool started; /* the_vm has run (or is running) */

const struct vm *guest_vm(void)
{
	return started ? &the_vm : NULL;
}

/* "name rest..." -> does the first word equal @name; *rest = the rest. */
static bool module_named(const char *cmdline, const char *name,
			 const char **rest)
{
	size_t n = strlen(name);

	if (!cmdline || strncmp(cmdline, name, n) ||
	    (cmdline[n] != '\0' && cmdline[n] != ' '))
		return false;
	*rest = cmdline + n;
	while (**rest == ' ')
		(*rest)++;
	return true;
}

static struct vm_blob blob_of(const struct boot_module *bm, const char *cmd)
{
	return (struct vm_blob){ phys_to_virt(bm->start), bm->end - bm->start,
				 cmd };
}

/* The guest's kernel and modules from GRUB's modules; false if none. */
static bool find_image(const struct boot_info *bi, struct vm_image *img)
{
	const char *rest;
	bool found = false;

	memset(img, 0, sizeof(*img));
	for (unsigned int i = 0; i < bi->n_modules; i++) {
		const struct boot_module *bm = &bi->modules[i];

		if (!found &&
		    module_named(bm->cmdline, GUEST_MODULE_NAME, &rest)) {
			img->kernel = blob_of(bm, rest);
			found = true;
		} else if (module_named(bm->cmdline, GUEST_EXTRA_MODULE_NAME,
					&rest) &&
			   img->n_modules < VM_MAX_MODULES) {
			img->modules[img->n_modules++] = blob_of(bm, rest);
		}
	}
	return found;
}

static int start_guest(struct vm *vm, const struct vm_config *cfg,
		       const struct vm_image *img)
{
	struct vm_entry entry;
	bool allow_2m, allow_1g;
	int rc;

	vmx_ept_page_sizes(&allow_2m, &allow_1g);
	rc = vm_create(vm, cfg, allow_2m, allow_1g);
	if (rc)
		return rc;
	rc = vm_load(vm, img, &entry);
	started = true;
	if (!rc)
		rc = vmx_run(vm, &entry);
	vm_destroy(vm);
	return rc;
}

/*
 * Fail closed: a CPU outside VMX root could be started by the guest at a
 * page of its choosing (docs/architecture.md, "Parked CPUs").
 */
static bool cpus_parked(const struct vm_config *cfg)
{
	unsigned int n = smp_unparked_cpus();

	if (!n)
		return true;
	if (!cfg->unparked_cpus) {
		pr_err("keel: guest: not started: %u other CPU%s not parked in VMX root, so the guest could start %s outside Keel (unparked_cpus would allow it)\n",
		       n, n == 1 ? " is" : "s are", n == 1 ? "it" : "them");
		return false;
	}
	pr_warn("keel: guest: %u other CPU%s not parked in VMX root: the guest can start %s outside Keel (unparked_cpus)\n",
		n, n == 1 ? " is" : "s are", n == 1 ? "it" : "them");
	return true;
}

/* A guest that resets itself again and again is stopped after this many. */
#define GUEST_MAX_RESTARTS 8U

int guest_run(const struct boot_info *bi, const struct vm_config *cfg,
	      bool restart_on_reset)
{
	unsigned int restarts = 0;

	if (!find_image(bi, &the_image)) {
		pr_info("keel: guest: no module named 'guest'; no guest to run\n");
		return -1;
	}
	if (!vmx_enabled()) {
		pr_info("keel: guest: not started: VT-x is not available\n");
		return -1;
	}
	if (!cpus_parked(cfg))
		return -1;
	for (;;) {
		if (start_guest(&the_vm, cfg, &the_image)) {
			printf("keel: guest stopped: setup failed\n");
			return -1;
		}
		if (!the_vm.reset_requested || !restart_on_reset)
			break;
		if (restarts++ == GUEST_MAX_RESTARTS) {
			printf("keel: guest: not restarted: it reset %u times in a row\n",
			       restarts);
			break;
		}
		/* A reset starts the machine afresh: new RAM, devices, image. */
		printf("keel: guest: restarting it after its reset (on_guest_reset=restart, %u of %u)\n",
		       restarts, GUEST_MAX_RESTARTS);
	}
	return the_vm.state == VM_EXITED ? the_vm.status : -1;
}

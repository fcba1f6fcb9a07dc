// SPDX-License-Identifier: MIT
/* The shell's machine commands: info, log, reboot and poweroff. */
#include "boot/boot.h"
#include "core/console.h"
#include "core/lib.h"
#include "core/mm.h"
#include "arch/x86/arch.h"
#include "vmx/vmx.h"
#include "shell/cmds.h"

/* CPUID leaves, SDM Vol.2A CPUID: vendor, signature, brand string. */
#define CPUID_LEAF_VENDOR 0
#define CPUID_LEAF_SIGNATURE 1
#define CPUID_LEAF_EXT_MAX 0x80000000u
#define CPUID_LEAF_BRAND 0x80000002u
#define CPUID_BRAND_LEAVES 3
/* Family, model and stepping fields of CPUID.1:EAX (SDM Vol.2A 3-8). */
#define SIG_STEPPING GENMASK(3, 0)
#define SIG_MODEL GENMASK(7, 4)
#define SIG_FAMILY GENMASK(11, 8)
#define SIG_EXT_MODEL GENMASK(19, 16)
#define SIG_EXT_FAMILY GENMASK(27, 20)

static void show_cpu(void)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_VENDOR, 0);
	char vendor[13], brand[49] = "";
	u32 sig, family, model;

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	if (cpuid(CPUID_LEAF_EXT_MAX, 0).eax >=
	    CPUID_LEAF_BRAND + CPUID_BRAND_LEAVES - 1) {
		for (u32 i = 0; i < CPUID_BRAND_LEAVES; i++) {
			r = cpuid(CPUID_LEAF_BRAND + i, 0);
			memcpy(brand + 16 * i, &r, 16);
		}
		brand[48] = '\0';
	}
	sig = cpuid(CPUID_LEAF_SIGNATURE, 0).eax;
	family = (u32)FIELD_GET(SIG_FAMILY, sig);
	model = (u32)FIELD_GET(SIG_MODEL, sig);
	if (family == 0xf)
		family += (u32)FIELD_GET(SIG_EXT_FAMILY, sig);
	if (family == 0x6 || family >= 0xf)
		model |= (u32)FIELD_GET(SIG_EXT_MODEL, sig) << 4;
	printf("cpu: %s family %#x model %#x stepping %u, '%s', TSC %llu kHz\n",
	       vendor, family, model, (u32)FIELD_GET(SIG_STEPPING, sig), brand,
	       tsc_khz());
}

int cmd_info(int argc, char **argv)
{
	struct mm_stats st;

	show_cpu();
	vmx_show_caps();
	mm_get_stats(&st);
	printf("memory: total %llu KiB, reserved %llu KiB, used %llu KiB, free %llu KiB\n",
	       st.total >> 10, st.reserved >> 10, st.used >> 10, st.free >> 10);
	printf("firmware: %s\n", boot_info.have_efi64_systab ? "UEFI" : "BIOS");
	printf("cmdline: %.400s\n", boot_info.cmdline);
	return 0;
}

int cmd_log(int argc, char **argv)
{
	u64 level;

	if (shell_parse_u64(argv[1], &level) || level > LOG_DEBUG) {
		printf("log: LEVEL is 0..%d\n", LOG_DEBUG);
		return -EINVAL;
	}
	console_set_level((int)level);
	printf("log: level %llu\n", level);
	return 0;
}

int cmd_reboot(int argc, char **argv)
{
	printf("keel: rebooting (from the shell)\n");
	arch_reboot();
}

int cmd_poweroff(int argc, char **argv)
{
	printf("keel: powering off (from the shell)\n");
	arch_poweroff(0);
}

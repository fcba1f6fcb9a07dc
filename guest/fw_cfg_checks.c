// SPDX-License-Identifier: MIT
/*
 * The fw-cfg scenario: read QEMU's fw_cfg the way kvm-unit-tests'
 * lib/x86/fwcfg.c does (a 16-bit OUT of the key to the selector port, then
 * one 8-bit IN of the data port per byte, little-endian), and check what a
 * test kernel built for QEMU relies on: the signature, one CPU, the RAM
 * the multiboot information describes. Without the device (fw_cfg=off)
 * the ports read 0xFF and these checks fail, as such a kernel would: it
 * would wait for 65535 CPUs.
 */
#include "guest.h"

static u64 fw_cfg_get(u16 key, unsigned int bytes)
{
	u64 v = 0;

	outw(FW_CFG_PORT_SEL, key);
	for (unsigned int i = 0; i < bytes; i++)
		v |= (u64)inb(FW_CFG_PORT_DATA) << (8 * i);
	return v;
}

static void check_signature(void)
{
	char sig[5] = { 0 };
	u8 after;

	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)inb(FW_CFG_PORT_DATA);
	after = inb(FW_CFG_PORT_DATA);
	report("fwcfg_signature", !memcmp(sig, FW_CFG_SIGNATURE_VALUE, 4),
	       "read %x %x %x %x", (u8)sig[0], (u8)sig[1], (u8)sig[2],
	       (u8)sig[3]);
	report("fwcfg_past_end_zero", after == 0,
	       "the byte after the signature read 0x%x", after);
}

static void check_id(void)
{
	u32 id = (u32)fw_cfg_get(FW_CFG_ID, 4);

	report("fwcfg_id_no_dma",
	       (id & FW_CFG_ID_TRADITIONAL) && !(id & FW_CFG_ID_DMA),
	       "FW_CFG_ID 0x%x", id);
}

static void check_cpus(void)
{
	u32 nb = (u32)fw_cfg_get(FW_CFG_NB_CPUS, 2);
	u32 max = (u32)fw_cfg_get(FW_CFG_MAX_CPUS, 2);

	kprintf("keel-guest: fw_cfg nb_cpus=%u max_cpus=%u\n", nb, max);
	report("fwcfg_nb_cpus", nb == 1, "NB_CPUS %u, expected 1", nb);
	report("fwcfg_max_cpus", max == 1, "MAX_CPUS %u, expected 1", max);
}

static void check_ram(const struct guest_env *env)
{
	u64 ram = fw_cfg_get(FW_CFG_RAM_SIZE, 8);

	kprintf("keel-guest: fw_cfg ram_size=0x%llx\n", ram);
	report("fwcfg_ram_size", env->ram_top && ram == env->ram_top,
	       "RAM_SIZE 0x%llx, multiboot says 0x%x", ram, env->ram_top);
}

/* The guest's own writes change nothing it can read back. */
static void check_hostile(void)
{
	u64 before = fw_cfg_get(FW_CFG_NB_CPUS, 2), after;
	u32 unknown;

	outb(FW_CFG_PORT_DATA, 0x7f);
	outw(FW_CFG_PORT_SEL, FW_CFG_WRITE_CHANNEL | FW_CFG_NB_CPUS);
	outb(FW_CFG_PORT_DATA, 0x7f);
	after = fw_cfg_get(FW_CFG_NB_CPUS, 2);
	report("fwcfg_data_write_ignored", before == 1 && after == 1,
	       "NB_CPUS %u before the writes, %u after", (u32)before,
	       (u32)after);
	/* An architecture-specific key (QEMU's ACPI tables) Keel lacks. */
	unknown = (u32)fw_cfg_get(FW_CFG_ARCH_LOCAL, 4);
	report("fwcfg_unknown_key_zero", unknown == 0, "key 0x8000 read 0x%x",
	       unknown);
}

/*
 * NR_CPUS=N from the environment kvm-unit-tests reads: the lines of the
 * one multiboot module, when there is exactly one (its lib/x86/setup.c).
 */
static bool env_nr_cpus(const struct guest_env *env, u32 *out)
{
	static const char key[] = "NR_CPUS=";
	const struct mb_info *mbi = env->mbi;
	const struct mb_module *m;
	const char *p, *end;

	if (env->magic != MB_BOOT_MAGIC || !(mbi->flags & MB_INFO_MODS) ||
	    mbi->mods_count != 1)
		return false;
	m = (const struct mb_module *)mbi->mods_addr;
	p = (const char *)m->start;
	end = (const char *)m->end;
	for (; p + sizeof(key) - 1 <= end; p++) {
		bool line_start = p == (const char *)m->start || p[-1] == '\n';

		if (!line_start || memcmp(p, key, sizeof(key) - 1))
			continue;
		*out = 0;
		for (p += sizeof(key) - 1; p < end && *p >= '0' && *p <= '9';
		     p++)
			*out = *out * 10 + (u32)(*p - '0');
		return true;
	}
	return false;
}

/*
 * The CPU count kvm-unit-tests' start-up waits for (bringup_aps() in its
 * lib/x86/smp.c): NR_CPUS from the environment, else FW_CFG_NB_CPUS. This
 * guest is the only CPU that will ever come online, so the wait ends only
 * when that count is 1.
 */
static void check_cpu_count(const struct guest_env *env)
{
	u32 n;
	bool from_env = env_nr_cpus(env, &n);

	if (!from_env)
		n = (u32)fw_cfg_get(FW_CFG_NB_CPUS, 2);
	kprintf("keel-guest: fw_cfg cpu count %u from %s\n", n,
		from_env ? "NR_CPUS" : "fw_cfg");
	report("fwcfg_startup_cpu_count", n == 1,
	       "kvm-unit-tests would wait for %u CPUs; only this one runs", n);
}

void run_fw_cfg(const struct guest_env *env)
{
	check_cpu_count(env);
	check_signature();
	check_id();
	check_cpus();
	check_ram(env);
	check_hostile();
}

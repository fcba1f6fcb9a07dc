// SPDX-License-Identifier: MIT
/*
 * Scenarios that run on their own (selected by "scenario=" on the guest's
 * command line): the benchmark and the negative checks after which Keel
 * stops the guest, so that each needs a run of its own.
 */
#include "guest.h"

#define BENCH_N 1000u
#define MIB 0x100000u

static void bench_line(const char *name, u64 t0, u64 t1, u32 n)
{
	kprintf("BENCH %s %u cycles\n", name, (u32)udiv64(t1 - t0, n));
}

/*
 * Each loop iteration is the measured instruction plus DEC and JNZ (and a
 * MOV where the instruction needs an input), so the figure is the full
 * round trip as the guest sees it; Bochs's TSC counts instructions.
 */
void run_bench(const struct guest_env *env)
{
	u32 n, port = TESTDEV_PORT_ID;
	u64 t0, t1;

	kprintf("keel-guest: bench n=%u keel=%s\n", BENCH_N,
		keel_present() ? "yes" : "no");

	n = BENCH_N;
	t0 = rdtsc();
	__asm__ volatile("1: xorl %%eax, %%eax\n\tcpuid\n\tdecl %%esi\n\tjnz 1b"
			 : "+S"(n)
			 :
			 : "eax", "ebx", "ecx", "edx", "memory");
	t1 = rdtsc();
	bench_line("cpuid_roundtrip", t0, t1, BENCH_N);

	if (keel_present()) {
		n = BENCH_N;
		t0 = rdtsc();
		/* INFO returns in EAX..EDI: count in memory. */
		__asm__ volatile("1: movl %[f], %%eax\n\tvmcall\n\t"
				 "decl %[n]\n\tjnz 1b"
				 : [n] "+m"(n)
				 : [f] "i"(KEEL_HC_INFO)
				 : "eax", "ebx", "ecx", "edx", "esi", "edi",
				   "memory");
		t1 = rdtsc();
		bench_line("vmcall_roundtrip", t0, t1, BENCH_N);
	} else {
		kputs("BENCH vmcall_roundtrip n/a (no Keel)\n");
	}

	n = BENCH_N;
	t0 = rdtsc();
	__asm__ volatile("1: inl %%dx, %%eax\n\tdecl %%esi\n\tjnz 1b"
			 : "+S"(n)
			 : "d"(port)
			 : "eax", "memory");
	t1 = rdtsc();
	bench_line("pio_read_roundtrip", t0, t1, BENCH_N);

	n = BENCH_N;
	t0 = rdtsc();
	__asm__ volatile("1: movl (%[p]), %%eax\n\tdecl %%esi\n\tjnz 1b"
			 : "+S"(n)
			 : [p] "r"(TESTDEV_MMIO_BASE)
			 : "eax", "memory");
	t1 = rdtsc();
	bench_line("mmio_read_roundtrip", t0, t1, BENCH_N);
	(void)env;
}

/* A guest-physical address that is neither RAM nor any device. */
static u32 oob_address(const struct guest_env *env)
{
	u32 top = env->ram_top ? env->ram_top : 128 * MIB;

	return ((top + MIB - 1) & ~(MIB - 1)) + 64 * MIB;
}

void run_oob(const struct guest_env *env, bool write)
{
	volatile u32 *p = (volatile u32 *)oob_address(env);
	u32 v = 0;

	kprintf("keel-guest: %s of guest-physical 0x%x (outside RAM)\n",
		write ? "write" : "read", (u32)p);
	if (write)
		*p = 0x0bad0bad;
	else
		v = *p;
	/* Under Keel the access stops the guest: reaching here is a failure. */
	report(write ? "oob_write_stopped" : "oob_read_stopped", false,
	       "access returned (value 0x%x); Keel should have stopped the guest",
	       v);
}

#define MB2_HEADER_MAGIC 0xe85250d6u /* Keel's own multiboot2 header */

extern const u8 __image_start[], __image_end[];

/* Scan [from, to) at 8-byte steps (multiboot2 headers are 8-aligned). */
static u32 find_keel_header(u32 from, u32 to)
{
	for (u32 a = from; a + 4 <= to; a += 8) {
		/* Our own code holds the magic as an immediate: skip it. */
		if (a >= (u32)__image_start && a < (u32)__image_end)
			continue;
		if (*(volatile u32 *)a == MB2_HEADER_MAGIC)
			return a;
	}
	return 0;
}

/* A hex number ("0x..." or plain digits), or 0. */
u32 parse_hex(const char *s)
{
	u32 v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		char c = *s;
		u32 d = c >= '0' && c <= '9' ? (u32)(c - '0') :
			c >= 'a' && c <= 'f' ? (u32)(c - 'a' + 10) :
			c >= 'A' && c <= 'F' ? (u32)(c - 'A' + 10) :
					       16;

		if (d > 15)
			break;
		v = v << 4 | d;
	}
	return v;
}

/*
 * Keel's image must never be visible to the guest. No hypercall says
 * where it is (KEEL_HC_INFO leaves RSI/RDI zero); the test passes Keel's
 * load address as keel_base=. Reading there either shows guest memory
 * (inside guest RAM) or stops the guest with an EPT-violation report
 * (outside). Without keel_base=, scan 1-16 MiB, where boot loaders put
 * Keel in host memory.
 */
/* Keel's load address as the test passes it (keel_base=), or 16 MiB. */
u32 keel_base(const struct guest_env *env)
{
	char arg[16];

	if (cmdline_value(env->cmdline, "keel_base", arg, sizeof(arg)) &&
	    parse_hex(arg))
		return parse_hex(arg);
	return 0x1000000;
}

void run_keel_mem(const struct guest_env *env)
{
	struct hc_regs r = { .eax = KEEL_HC_INFO };
	u32 base = 0x100000, end = 0x1000000, hit;
	char arg[16];

	if (vmcall(&r) || r.eax != 0) {
		report("keel_mem_hidden", false,
		       "no Keel (KEEL_HC_INFO failed)");
		return;
	}
	report("hc_info_no_host_address", r.esi == 0 && r.edi == 0,
	       "rsi=0x%x rdi=0x%x", r.esi, r.edi);
	if (cmdline_value(env->cmdline, "keel_base", arg, sizeof(arg)) &&
	    parse_hex(arg)) {
		base = parse_hex(arg);
		end = base + 0x10000;
	}
	if (env->ram_top && end > env->ram_top && base < env->ram_top)
		end = env->ram_top;
	kprintf("keel-guest: looking for Keel's image at guest-physical 0x%x-0x%x\n",
		base, end);
	hit = find_keel_header(base, end);
	if (hit)
		report("keel_mem_hidden", false,
		       "Keel's multiboot2 header visible at 0x%x", hit);
	else
		report("keel_mem_hidden", true, "0x%x-0x%x holds no Keel data",
		       base, end);
}

void run_vmxon(const struct guest_env *env)
{
	static u64 region[512] __attribute__((aligned(4096)));
	u32 f;

	fault_arm();
	__asm__ volatile("movl $1f, %[res]\n\tvmxon %[m]\n1:"
			 : [res] "=m"(fault.resume)
			 : [m] "m"(region[0])
			 : "memory");
	f = fault_disarm();
	report("vmxon_ud", f == VEC_UD, "vector=%d", (int)f);
	(void)env;
}

void run_triple_fault(const struct guest_env *env)
{
	kputs("keel-guest: triple fault now\n");
	/* No IDT: #UD cannot be delivered -> #GP -> #DF -> shutdown. */
	idt_load_empty();
	__asm__ volatile("ud2");
	for (;;)
		__asm__ volatile("cli; hlt");
	(void)env;
}

/* ---- PCI configuration mechanism #1, PCI 3.0 3.2.2.3.2 ---- */
#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc

static u32 pci_conf_read(u32 bus, u32 dev, u32 fn, u32 reg)
{
	outl(PCI_CONF_ADDR,
	     0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg);
	return inl(PCI_CONF_DATA);
}

/*
 * List what bus 0 looks like through ports CF8/CFC, one line per function,
 * so the system test can compare it with Keel's own PCI table.
 */
void run_pci(const struct guest_env *env __attribute__((unused)))
{
	u32 n = 0;

	for (u32 dev = 0; dev < 32; dev++) {
		for (u32 fn = 0; fn < 8; fn++) {
			u32 id = pci_conf_read(0, dev, fn, 0);

			if ((id & 0xffff) == 0xffff)
				continue;
			kprintf("keel-guest: pci 00:%02x.%u %04x:%04x\n", dev,
				fn, id & 0xffff, id >> 16);
			n++;
		}
	}
	/* CF8 reads back what was written, as a dword. */
	outl(PCI_CONF_ADDR, 0x80001234u);
	report("pci_conf_addr_readback", inl(PCI_CONF_ADDR) == 0x80001234u,
	       "functions=%u", n);
}

/* A reset through port 0xCF9 ends the guest; Keel keeps running. */
void run_reset(const struct guest_env *env __attribute__((unused)))
{
	kprintf("keel-guest: resetting through port 0xcf9\n");
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	report("reset_ignored", false, "still running after the reset");
}

/*
 * Turn paging on with the page directory in the test device's MMIO page:
 * the CPU's page walk for the next instruction reads a PDE from a device.
 * That is no instruction's data access, and Keel must not emulate the
 * instruction at RIP as one: it stops the guest and says why.
 */
void run_pt_in_mmio(const struct guest_env *env __attribute__((unused)))
{
	kprintf("keel-guest: paging with the page directory at 0x%x\n",
		TESTDEV_MMIO_BASE);
	__asm__ volatile("movl %0, %%cr3\n\t"
			 "movl %%cr0, %%eax\n\t"
			 "orl $0x80000000, %%eax\n\t"
			 "movl %%eax, %%cr0\n\t"
			 "nop"
			 :
			 : "r"(TESTDEV_MMIO_BASE)
			 : "eax", "memory");
	report("pt_in_mmio_stopped", false, "ran on with paging through MMIO");
}

/* xHCI capability registers, xHCI 1.2 5.3: CAPLENGTH at 0, HCIVERSION at 2. */
#define PCI_CLASS_XHCI 0x0c0330
#define XHCI_CAPLENGTH_MIN 0x20

/*
 * Device memory passes through: find an xHCI controller (class 0c.03.30)
 * on bus 0 and read its capability registers through BAR0, which Keel maps
 * into the guest 1:1.
 */
void run_bar(const struct guest_env *env __attribute__((unused)))
{
	for (u32 dev = 0; dev < 32; dev++) {
		u32 id = pci_conf_read(0, dev, 0, 0);
		u32 cls = pci_conf_read(0, dev, 0, 8) >> 8;
		u32 bar, cap, len, ver;

		if ((id & 0xffff) == 0xffff || cls != PCI_CLASS_XHCI)
			continue;
		bar = pci_conf_read(0, dev, 0, 0x10) & ~0xfu;
		cap = *(volatile u32 *)bar;
		len = cap & 0xff;
		ver = cap >> 16;
		kprintf("keel-guest: xhci 00:%02x.0 BAR0 0x%x caplength 0x%x hciversion 0x%x\n",
			dev, bar, len, ver);
		report("bar_passthrough",
		       len >= XHCI_CAPLENGTH_MIN && len < 0x100 &&
			       (ver & 0xff00) == 0x0100,
		       "cap=0x%x", cap);
		return;
	}
	report("bar_passthrough", false, "no xHCI controller on bus 0");
}

/* ---- Hostile: moving a passed-through BAR (docs/vmx.md, PCI) ---- */
#define PCI_COMMAND_MEMORY 0x2
#define PCI_BAR_ADDR_MASK 0xfffffff0u
/*
 * Free guest-physical space for the legal move: above Bochs's PCI memory
 * (its BIOS places BARs from 0xC0000000) and below the VBE framebuffer at
 * 0xE0000000. It need only be free in the guest's own address space.
 */
#define BAR_MOVE_FREE_GPA 0xd0000000u
#define XHCI_BAR0_SIZE 0x2000u /* Bochs's xHCI model */

static void pci_conf_write(u32 dev, u32 reg, u32 v)
{
	outl(PCI_CONF_ADDR, 0x80000000u | dev << 11 | reg);
	outl(PCI_CONF_DATA, v);
}

static u32 find_xhci_dev(void)
{
	for (u32 dev = 0; dev < 32; dev++)
		if ((pci_conf_read(0, dev, 0, 0) & 0xffff) != 0xffff &&
		    pci_conf_read(0, dev, 0, 8) >> 8 == PCI_CLASS_XHCI)
			return dev;
	return 32;
}

#define PCI_COMMAND_MASTER 0x4

/*
 * Turn bus mastering on as a driver does and print what COMMAND reads
 * back: Keel decides (docs/iommu.md), so the host test judges the value.
 */
static void bus_master_probe(u32 dev)
{
	u32 cmd = pci_conf_read(0, dev, 0, 4) & 0xffff, after;

	pci_conf_write(dev, 4, cmd | PCI_COMMAND_MASTER);
	after = pci_conf_read(0, dev, 0, 4) & 0xffff;
	pci_conf_write(dev, 4, cmd);
	kprintf("keel-guest: xhci COMMAND 0x%x after setting bus master: %s\n",
		after, after & PCI_COMMAND_MASTER ? "on" : "off");
}

/* Size BAR0 as an OS does: decode off, write all ones, read the mask. */
static void bar_move_size(u32 dev, u32 lo, u32 hi)
{
	u32 cmd = pci_conf_read(0, dev, 0, 4) & 0xffff, mlo, mhi, size;

	pci_conf_write(dev, 4, cmd & ~PCI_COMMAND_MEMORY);
	pci_conf_write(dev, 0x10, ~0u);
	pci_conf_write(dev, 0x14, ~0u);
	mlo = pci_conf_read(0, dev, 0, 0x10);
	mhi = pci_conf_read(0, dev, 0, 0x14);
	pci_conf_write(dev, 0x10, lo);
	pci_conf_write(dev, 0x14, hi);
	pci_conf_write(dev, 4, cmd);
	/* The lowest writable address bit (the upper half may read 0). */
	size = (mlo & PCI_BAR_ADDR_MASK) & -(mlo & PCI_BAR_ADDR_MASK);
	report("bar_size",
	       size == XHCI_BAR0_SIZE && (mlo & 0xf) == (lo & 0xf) &&
		       pci_conf_read(0, dev, 0, 0x10) == lo,
	       "mask 0x%x:0x%x size 0x%x", mhi, mlo, size);
}

/*
 * Size BAR0 as some firmware does, with memory decoding on: the mask reads
 * back, and Keel leaves the device where it is (the all-ones address is
 * never a place, docs/vmx.md), so its registers still answer at @old.
 */
static void bar_size_decoding_on(u32 dev, u32 lo, u32 hi, u32 old, u32 cap0)
{
	u32 mlo, cap;

	pci_conf_write(dev, 0x10, ~0u);
	pci_conf_write(dev, 0x14, ~0u);
	mlo = pci_conf_read(0, dev, 0, 0x10);
	cap = *(volatile u32 *)old;
	pci_conf_write(dev, 0x10, lo);
	pci_conf_write(dev, 0x14, hi);
	report("bar_size_decoding_on",
	       (mlo & PCI_BAR_ADDR_MASK) == (u32)-XHCI_BAR0_SIZE &&
		       cap == cap0 && pci_conf_read(0, dev, 0, 0x10) == lo &&
		       *(volatile u32 *)old == cap0,
	       "mask 0x%x, 0x%x holds 0x%x", mlo, old, cap);
}

/*
 * Ports 0xCF8-0xCFF at other widths, as on a PC: byte and word data
 * accesses reach offset (address & 0xFC) + (port & 3); byte and word
 * accesses to 0xCF8-0xCFB are not the address register.
 */
static void bar_move_ports(u32 dev)
{
	u32 id = pci_conf_read(0, dev, 0, 0), addr = 0x80000000u | dev << 11;
	u32 b0, b1, w2, w1;

	outl(PCI_CONF_ADDR, addr);
	b0 = inb(PCI_CONF_DATA);
	b1 = inb(PCI_CONF_DATA + 1);
	w2 = inw(PCI_CONF_DATA + 2);
	w1 = inw(PCI_CONF_DATA + 1);
	outw(PCI_CONF_ADDR, 0);
	outb(PCI_CONF_ADDR + 3, 0);
	report("pci_port_widths",
	       (b0 | b1 << 8 | w2 << 16) == id && w1 == ((id >> 8) & 0xffff) &&
		       inl(PCI_CONF_ADDR) == addr && inb(PCI_CONF_ADDR) == 0xff,
	       "id 0x%x bytes 0x%x 0x%x words 0x%x 0x%x", id, b0, b1, w2, w1);
}

/*
 * Move the passed-through xHCI's BAR0 over Keel's image (Keel must refuse:
 * the BAR reads back where the device still is, its registers still answer
 * there, the guest's RAM at the refused address is unchanged), then to a
 * free address, where the
 * capability registers must appear. With @touch_old it then reads the old
 * address, which is no longer mapped, and Keel stops the guest.
 */
void run_bar_move(const struct guest_env *env, bool touch_old)
{
	struct hc_regs r = { .eax = KEEL_HC_INFO };
	u32 dev = find_xhci_dev(), lo, hi, old, cap0, kbase, rb, before, after;
	u32 cap;

	if (dev == 32 || vmcall(&r) || r.eax != 0) {
		report("bar_move", false, "no xHCI on bus 0, or no Keel");
		return;
	}
	lo = pci_conf_read(0, dev, 0, 0x10);
	hi = pci_conf_read(0, dev, 0, 0x14);
	old = lo & PCI_BAR_ADDR_MASK;
	cap0 = *(volatile u32 *)old;
	kprintf("keel-guest: xhci 00:%02x.0 BAR0 0x%x:0x%x cap 0x%x\n", dev, hi,
		lo, cap0);
	bar_move_size(dev, lo, hi);
	bar_size_decoding_on(dev, lo, hi, old, cap0);
	bar_move_ports(dev);
	bus_master_probe(dev);

	/* No hypercall says where Keel is: the test passes keel_base=. */
	kbase = keel_base(env) & ~(XHCI_BAR0_SIZE - 1);
	before = kbase < env->ram_top ? *(volatile u32 *)kbase : 0;
	kprintf("keel-guest: moving BAR0 to Keel's image at 0x%x\n", kbase);
	pci_conf_write(dev, 0x10, kbase | (lo & 0xf));
	rb = pci_conf_read(0, dev, 0, 0x10);
	after = kbase < env->ram_top ? *(volatile u32 *)kbase : 0;
	report("bar_move_keel_refused",
	       rb == lo && after == before && after != cap0 &&
		       *(volatile u32 *)old == cap0,
	       "BAR0 reads 0x%x; 0x%x holds 0x%x (was 0x%x)", rb, kbase, after,
	       before);

	pci_conf_write(dev, 0x10, BAR_MOVE_FREE_GPA | (lo & 0xf));
	cap = *(volatile u32 *)BAR_MOVE_FREE_GPA;
	kprintf("keel-guest: xhci BAR0 moved to 0x%x: caplength 0x%x hciversion 0x%x\n",
		BAR_MOVE_FREE_GPA, cap & 0xff, cap >> 16);
	report("bar_move_free",
	       cap == cap0 && (cap & 0xff) >= XHCI_CAPLENGTH_MIN, "cap 0x%x",
	       cap);
	if (!touch_old)
		return;
	kprintf("keel-guest: reading the old BAR0 address 0x%x\n", old);
	cap = *(volatile u32 *)old;
	report("bar_move_old_unmapped", false, "read 0x%x there", cap);
}

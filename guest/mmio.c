// SPDX-License-Identifier: MIT
/*
 * MMIO checks against Keel's test device page at TESTDEV_MMIO_BASE
 * (docs/hypercalls.md): every access is an EPT violation that Keel decodes
 * and emulates. Each form below is written in assembly so that the exact
 * encoding a compiler emits is exercised; the comment gives the opcode.
 * A shadow copy of the SCRATCH register predicts every read.
 */
#include "guest.h"

#define DEV ((volatile u8 *)TESTDEV_MMIO_BASE)
#define SCR (TESTDEV_MMIO_BASE + TESTDEV_MMIO_SCRATCH)

static u8 shadow[8]; /* what SCRATCH must hold */

static u32 pattern_bytes(unsigned int off, unsigned int n)
{
	u64 p = TESTDEV_PATTERN >> (8 * off);

	return n >= 4 ? (u32)p : (u32)p & ((1u << (8 * n)) - 1);
}

static u32 shadow_get(unsigned int off, unsigned int n)
{
	u32 v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (u32)shadow[off + i] << (8 * i);
	return v;
}

static void shadow_put(unsigned int off, unsigned int n, u32 v)
{
	for (unsigned int i = 0; i < n; i++)
		shadow[off + i] = (u8)(v >> (8 * i));
}

static void test_reads(void)
{
	const volatile void *p = DEV;
	u32 b0, b3, w0, w2, d0, d4, ah = 0x11223344;

	__asm__ volatile("movb (%1), %b0" : "=q"(b0) : "r"(p)); /* 8a /r */
	__asm__ volatile("movb 3(%1), %b0" : "=q"(b3) : "r"(p));
	__asm__ volatile("movw (%1), %w0" : "=r"(w0) : "r"(p)); /* 66 8b */
	__asm__ volatile("movw 2(%1), %w0" : "=r"(w2) : "r"(p));
	__asm__ volatile("movl (%1), %0" : "=r"(d0) : "r"(p)); /* 8b /r */
	__asm__ volatile("movl 4(%1), %0" : "=r"(d4) : "r"(p));
	b0 &= 0xff;
	b3 &= 0xff;
	w0 &= 0xffff;
	w2 &= 0xffff;
	report("mmio_read8",
	       b0 == pattern_bytes(0, 1) && b3 == pattern_bytes(3, 1),
	       "b0=0x%x b3=0x%x", b0, b3);
	report("mmio_read16",
	       w0 == pattern_bytes(0, 2) && w2 == pattern_bytes(2, 2),
	       "w0=0x%x w2=0x%x", w0, w2);
	report("mmio_read32",
	       d0 == pattern_bytes(0, 4) && d4 == pattern_bytes(4, 4),
	       "d0=0x%x d4=0x%x", d0, d4);

	/* mov ah, [p+1] (8a 60 01): only byte 1 of EAX changes. */
	__asm__ volatile("movb 1(%1), %%ah" : "+a"(ah) : "r"(p));
	report("mmio_read_ah", ah == (0x11220044 | pattern_bytes(1, 1) << 8),
	       "eax=0x%x", ah);

	/* moffs: mov eax, [0xfeb00004] (a1), mov al, [0xfeb00002] (a0). */
	__asm__ volatile("movl 0xfeb00004, %0" : "=a"(d4));
	__asm__ volatile("movb 0xfeb00002, %b0" : "=a"(b3));
	report("mmio_read_moffs",
	       d4 == pattern_bytes(4, 4) && (b3 & 0xff) == pattern_bytes(2, 1),
	       "d4=0x%x b2=0x%x", d4, b3 & 0xff);

	/* SIB + disp32: mov eax, [ebx+ecx*2+0x100000000-...]. */
	__asm__ volatile("movl 4(%1,%2,2), %0" : "=r"(d0) : "r"(p), "r"(0));
	report("mmio_read_sib", d0 == pattern_bytes(4, 4), "d=0x%x", d0);

	/* ES override (26 8b /r); ES is the flat data segment. */
	__asm__ volatile("movl %%es:(%1), %0" : "=r"(d0) : "r"(p));
	report("mmio_read_es_override", d0 == pattern_bytes(0, 4), "d=0x%x",
	       d0);
}

static void test_extend(void)
{
	const volatile void *p = DEV;
	u32 zb, zw, sb, sw, sb1;

	__asm__ volatile("movzbl (%1), %0" : "=r"(zb) : "r"(p)); /* 0f b6 */
	__asm__ volatile("movzwl (%1), %0" : "=r"(zw) : "r"(p)); /* 0f b7 */
	__asm__ volatile("movsbl (%1), %0" : "=r"(sb) : "r"(p)); /* 0f be */
	__asm__ volatile("movswl (%1), %0" : "=r"(sw) : "r"(p)); /* 0f bf */
	__asm__ volatile("movsbl 7(%1), %0" : "=r"(sb1) : "r"(p));
	report("mmio_movzx",
	       zb == pattern_bytes(0, 1) && zw == pattern_bytes(0, 2),
	       "zb=0x%x zw=0x%x", zb, zw);
	report("mmio_movsx",
	       sb == (u32)(s32)(int8_t)pattern_bytes(0, 1) &&
		       sw == (u32)(s32)(int16_t)pattern_bytes(0, 2) &&
		       sb1 == (u32)(s32)(int8_t)pattern_bytes(7, 1),
	       "sb=0x%x sw=0x%x sb7=0x%x", sb, sw, sb1);
}

static void test_writes(void)
{
	volatile void *s = (volatile void *)SCR;
	u32 v, bx = 0x0000a700;
	bool ok = true;

	/* Start from a known value: two 32-bit stores (89 /r). */
	__asm__ volatile("movl %0, (%1)"
			 :
			 : "r"(0x03020100), "r"(s)
			 : "memory");
	__asm__ volatile("movl %0, 4(%1)"
			 :
			 : "r"(0x07060504), "r"(s)
			 : "memory");
	shadow_put(0, 4, 0x03020100);
	shadow_put(4, 4, 0x07060504);
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(s));
	report("mmio_write32", v == shadow_get(0, 4), "read=0x%x", v);

	__asm__ volatile("movb %b0, 1(%1)" : : "q"(0x5a), "r"(s) : "memory");
	shadow_put(1, 1, 0x5a); /* 88 /r */
	__asm__ volatile("movw %w0, 6(%1)" : : "r"(0xbeef), "r"(s) : "memory");
	shadow_put(6, 2, 0xbeef); /* 66 89 /r */
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(s));
	ok = v == shadow_get(0, 4);
	__asm__ volatile("movl 4(%1), %0" : "=r"(v) : "r"(s));
	report("mmio_write8_16", ok && v == shadow_get(4, 4), "read=0x%x", v);

	/* mov [s+2], bh (88 7x 02): the high byte register. */
	__asm__ volatile("movb %%bh, 2(%1)" : : "b"(bx), "r"(s) : "memory");
	shadow_put(2, 1, 0xa7);
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(s));
	report("mmio_write_bh", v == shadow_get(0, 4), "read=0x%x", v);

	/* Immediates: c6 /0 ib, 66 c7 /0 iw, c7 /0 id. */
	__asm__ volatile("movb $0xc3, 3(%0)" : : "r"(s) : "memory");
	shadow_put(3, 1, 0xc3);
	__asm__ volatile("movw $0x1234, 4(%0)" : : "r"(s) : "memory");
	shadow_put(4, 2, 0x1234);
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(s));
	ok = v == shadow_get(0, 4);
	__asm__ volatile("movl 4(%1), %0" : "=r"(v) : "r"(s));
	ok = ok && v == shadow_get(4, 4);
	__asm__ volatile("movl $0xdeadbeef, (%0)" : : "r"(s) : "memory");
	shadow_put(0, 4, 0xdeadbeef);
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(s));
	report("mmio_write_imm", ok && v == shadow_get(0, 4), "read=0x%x", v);

	/* moffs store: mov [0xfeb0000c], eax (a3). */
	__asm__ volatile("movl %0, 0xfeb0000c" : : "a"(0x600dcafe) : "memory");
	shadow_put(4, 4, 0x600dcafe);
	__asm__ volatile("movl 4(%1), %0" : "=r"(v) : "r"(s));
	report("mmio_write_moffs", v == shadow_get(4, 4), "read=0x%x", v);

	/* Writes to the read-only pattern are ignored. */
	__asm__ volatile("movl %0, (%1)" : : "r"(0), "r"(DEV) : "memory");
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(DEV));
	report("mmio_pattern_read_only", v == pattern_bytes(0, 4), "read=0x%x",
	       v);
}

static void test_count(void)
{
	const volatile u32 *c =
		(const volatile u32 *)(TESTDEV_MMIO_BASE + TESTDEV_MMIO_COUNT);
	u32 c0, c1;

	c0 = *c;
	(void)DEV[0];
	(void)DEV[1];
	(void)DEV[2];
	c1 = *c;
	report("mmio_access_count", c1 - c0 == 4, "c0=%u c1=%u", c0, c1);
}

/* ---- 8-byte accesses need 64-bit mode: a short excursion ---- */
static u64 pml4[512] __attribute__((aligned(4096)));
static u64 pdpt[512] __attribute__((aligned(4096)));
static u64 pd[4][512] __attribute__((aligned(4096)));

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL

/*
 * VMCALLs from 64-bit mode (lm_body): KVM's number 0 with RBX, RCX at
 * guest memory, and KEEL_HC_INFO with 0xffffffff in the upper half of RAX,
 * are unknown: all 64 bits of -1000. KEEL_HC_INFO itself answers.
 */
_Static_assert(KEEL_HC_INFO == 0x4b450001U, "boot.S lm_body calls it");

static void test_vmcall64(const u64 *r)
{
	const u64 enosys = 0ULL - KEEL_ENOSYS; /* all 64 bits of -1000 */

	if (!keel_present()) {
		report_skip("vmcall64_enosys", "no Keel");
		return;
	}
	report("vmcall64_enosys", r[0] == enosys && r[1] == enosys,
	       "rax=0x%llx high_info=0x%llx", (unsigned long long)r[0],
	       (unsigned long long)r[1]);
	report("vmcall64_info", r[2] == 0 && r[3] == KEEL_ABI_VERSION,
	       "rax=0x%llx rbx=0x%llx", (unsigned long long)r[2],
	       (unsigned long long)r[3]);
}

static void test_long_mode(void)
{
	static u64 res[12];
	u32 i, j;
	bool ok;

	/* Identity map of the low 4 GiB with 2M pages. */
	for (i = 0; i < 4; i++) {
		pdpt[i] = (u32)pd[i] | PTE_P | PTE_RW;
		for (j = 0; j < 512; j++)
			pd[i][j] = ((u64)(i * 512 + j) << 21) | PTE_P | PTE_RW |
				   PTE_PS;
	}
	pml4[0] = (u32)pdpt | PTE_P | PTE_RW;
	memset(res, 0, sizeof(res));
	res[8] = keel_present(); /* lm_body's VMCALLs need Keel */
	lm_call((u32)pml4, TESTDEV_MMIO_BASE, res);

	ok = res[0] == TESTDEV_PATTERN;
	report("mmio64_read", ok, "read=0x%llx", (unsigned long long)res[0]);
	report("mmio64_write", res[1] == 0x1122334455667788ULL, "read=0x%llx",
	       (unsigned long long)res[1]);
	report("mmio64_write_imm_sext", res[2] == 0xfffffffffffffffeULL,
	       "read=0x%llx", (unsigned long long)res[2]);
	report("mmio64_movsxd",
	       res[3] == (u64)(int64_t)(s32)(u32)(TESTDEV_PATTERN >> 32),
	       "read=0x%llx", (unsigned long long)res[3]);
	report("mmio64_moffs", res[4] == TESTDEV_PATTERN, "read=0x%llx",
	       (unsigned long long)res[4]);
	/* -2 with byte 0 replaced by 0x5a */
	report("mmio64_rex_r8", res[5] == 0xffffffffffffff5aULL, "read=0x%llx",
	       (unsigned long long)res[5]);
	report("mmio64_movzx_r11", res[6] == (TESTDEV_PATTERN & 0xff),
	       "read=0x%llx", (unsigned long long)res[6]);
	report("mmio64_movsx_rax",
	       res[7] == (u64)(int64_t)(int16_t)TESTDEV_PATTERN, "read=0x%llx",
	       (unsigned long long)res[7]);
	report("long_mode_roundtrip", !(read_cr0() & 0x80000000u), "cr0=0x%x",
	       read_cr0());
	test_vmcall64(res + 8);
}

struct gdtr {
	u16 limit;
	u32 base;
} __attribute__((packed));

/*
 * Outside IA-32e mode a code segment's L bit means nothing (SDM Vol.3A
 * 3.4.5): with L=1 and D=1 the code is still 32-bit, so Keel's decoder
 * must take "mov eax, moffs32" (a1 + 4 bytes) as 5 bytes, not as a
 * 64-bit moffs of 9.
 */
static void test_cs_l_outside_long_mode(void)
{
	static u64 gdt[5] __attribute__((aligned(8)));
	struct gdtr old, d = { sizeof(gdt) - 1, (u32)gdt };
	u32 v = 0;

	__asm__ volatile("sgdt %0" : "=m"(old));
	memcpy(gdt, (const void *)old.base, 4 * sizeof(u64));
	gdt[4] = 0x00ef9a000000ffffULL; /* 0x20: code, G, D=1, L=1 */
	__asm__ volatile("lgdt %1\n\t"
			 "ljmp $0x20, $1f\n"
			 "1:\tmovl 0xfeb00004, %0\n\t"
			 "ljmp $0x08, $2f\n"
			 "2:\tlgdt %2"
			 : "=a"(v)
			 : "m"(d), "m"(old)
			 : "memory");
	report("mmio_cs_l_outside_long_mode", v == pattern_bytes(4, 4),
	       "read=0x%x", v);
}

void mmio_tests(void)
{
	test_reads();
	test_extend();
	test_writes();
	test_count();
	test_long_mode();
	test_cs_l_outside_long_mode();
}

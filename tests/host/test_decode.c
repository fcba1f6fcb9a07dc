// SPDX-License-Identifier: MIT
/*
 * Host tests for vmx/decode.c. Every vector was encoded by hand from the
 * SDM Vol.2 opcode tables and ModRM/SIB tables (rev 080); the comment on
 * each gives the assembly. Each valid vector is also cut at every shorter
 * length and must then report TRUNCATED.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmx/decode.h"

#include "decode_vectors.h"

static void check_vec(const struct vec *v)
{
	struct x86_mmio_insn in;
	int ret = x86_decode_mmio(v->bytes, v->len, v->mode, &in);

	if (ret != X86_DECODE_OK)
		fail_msg("%s: %s", v->asm_text, x86_decode_strerror(ret));
	assert_int_equal(in.len, v->len);
	assert_int_equal(in.size, v->size);
	assert_int_equal(in.write, v->write);
	assert_int_equal(in.has_imm, v->has_imm);
	if (v->has_imm)
		assert_int_equal(in.imm, v->imm);
	else
		assert_int_equal(in.reg, v->reg);
	assert_int_equal(in.high8, v->high8);
	if (!v->has_imm)
		assert_int_equal(in.reg_size, v->reg_size);
	assert_int_equal(in.ext, v->ext);
	assert_int_equal(in.seg, v->seg);
	assert_int_equal(in.addr_size, v->addr_size);
	assert_int_equal(in.rip_relative, v->rip_relative);
}

static void test_vectors(void **state)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		check_vec(&vecs[i]);
}

static void test_trailing_bytes_ignored(void **state)
{
	/* The decoder reads only what the instruction needs. */
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		struct vec v = vecs[i];
		struct x86_mmio_insn in;

		memset(v.bytes + v.len, 0x90, sizeof(v.bytes) - v.len);
		assert_int_equal(x86_decode_mmio(v.bytes, sizeof(v.bytes),
						 v.mode, &in),
				 X86_DECODE_OK);
		assert_int_equal(in.len, v.len);
	}
}

static void test_truncated_at_every_length(void **state)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];

		for (size_t n = 0; n < v->len; n++) {
			struct x86_mmio_insn in;
			int ret = x86_decode_mmio(v->bytes, n, v->mode, &in);

			if (ret != X86_DECODE_TRUNCATED)
				fail_msg("%s cut to %zu: %s", v->asm_text, n,
					 x86_decode_strerror(ret));
		}
	}
}

static int dec(enum x86_cpu_mode mode, const u8 *b, size_t n)
{
	struct x86_mmio_insn in;

	return x86_decode_mmio(b, n, mode, &in);
}

#define DEC(mode, ...)                                  \
	({                                              \
		static const u8 b_[] = { __VA_ARGS__ }; \
		dec(mode, b_, sizeof(b_));              \
	})

static void test_errors(void **state)
{
	/* mov eax, eax: register form cannot be an MMIO access. */
	assert_int_equal(DEC(M64, 0x89, 0xc0), X86_DECODE_NOT_MEMORY);
	assert_int_equal(DEC(M64, 0x88, 0xc0), X86_DECODE_NOT_MEMORY);
	assert_int_equal(DEC(M64, 0x0f, 0xb6, 0xc0), X86_DECODE_NOT_MEMORY);
	/* C7 /1 and C6 /7 are not MOV. */
	assert_int_equal(DEC(M64, 0xc7, 0x08, 0, 0, 0, 0), X86_DECODE_INVALID);
	assert_int_equal(DEC(M64, 0xc6, 0x38, 0), X86_DECODE_INVALID);
	/* LOCK MOV is #UD. */
	assert_int_equal(DEC(M64, 0xf0, 0x89, 0x07), X86_DECODE_INVALID);
	/* REP prefixes are refused. */
	assert_int_equal(DEC(M64, 0xf3, 0x89, 0x07), X86_DECODE_REP);
	assert_int_equal(DEC(M32, 0xf2, 0x8b, 0x07), X86_DECODE_REP);
	/* Other opcodes: NOP, SYSCALL, REP MOVSB, ARPL in 32-bit mode. */
	assert_int_equal(DEC(M64, 0x90), X86_DECODE_UNSUPPORTED);
	assert_int_equal(DEC(M64, 0x0f, 0x05), X86_DECODE_UNSUPPORTED);
	assert_int_equal(DEC(M64, 0xf3, 0xa4), X86_DECODE_UNSUPPORTED);
	assert_int_equal(DEC(M32, 0x63, 0x07), X86_DECODE_UNSUPPORTED);
	/* 0x48 is DEC EAX outside 64-bit mode, not REX.W. */
	assert_int_equal(DEC(M32, 0x48, 0x89, 0x07), X86_DECODE_UNSUPPORTED);
	/* Empty input. */
	assert_int_equal(dec(M64, NULL, 0), X86_DECODE_TRUNCATED);
}

static void test_length_limit(void **state)
{
	u8 b[20];

	/* 13 prefixes + 89 07 = 15 bytes: legal. */
	memset(b, 0x66, 13);
	b[13] = 0x89;
	b[14] = 0x07;
	assert_int_equal(dec(M64, b, 15), X86_DECODE_OK);
	/* 14 prefixes + 89 07 = 16 bytes: too long. */
	memset(b, 0x66, 14);
	b[14] = 0x89;
	b[15] = 0x07;
	assert_int_equal(dec(M64, b, 16), X86_DECODE_TOO_LONG);
	/* 15 prefix bytes and nothing else. */
	memset(b, 0x3e, 20);
	assert_int_equal(dec(M32, b, 20), X86_DECODE_TOO_LONG);
}

static void test_store_value(void **state)
{
	struct x86_mmio_insn in;

	assert_int_equal(DEC(M64, 0x88, 0x27), 0); /* mov [rdi], ah */
	x86_decode_mmio((const u8 *)"\x88\x27", 2, M64, &in);
	assert_int_equal(x86_mmio_store_value(&in, 0x1122334455667788ULL),
			 0x77);
	x86_decode_mmio((const u8 *)"\x66\x89\x08", 3, M64, &in);
	assert_int_equal(x86_mmio_store_value(&in, 0x1122334455667788ULL),
			 0x7788);
	x86_decode_mmio((const u8 *)"\x48\xc7\x00\x80\x00\x00\x00", 7, M64,
			&in);
	assert_int_equal(x86_mmio_store_value(&in, 0), 0x80);
	x86_decode_mmio((const u8 *)"\x48\xc7\x00\x00\x00\x00\x80", 7, M64,
			&in);
	assert_int_equal(x86_mmio_store_value(&in, 0), 0xffffffff80000000ULL);
}

static void test_load_result(void **state)
{
	struct x86_mmio_insn in;
	const u64 old = 0xaaaaaaaaaaaaaaaaULL;

	/* mov eax, [rdi]: upper half zeroed. */
	x86_decode_mmio((const u8 *)"\x8b\x07", 2, M64, &in);
	assert_int_equal(x86_mmio_load_result(&in, old, 0x8badf00d),
			 0x8badf00dULL);
	/* mov ax, [rdi] (66 8b 07): merge 16 bits. */
	x86_decode_mmio((const u8 *)"\x66\x8b\x07", 3, M64, &in);
	assert_int_equal(x86_mmio_load_result(&in, old, 0x1234),
			 0xaaaaaaaaaaaa1234ULL);
	/* mov ah, [rdi] (8a 27): byte 1 only. */
	x86_decode_mmio((const u8 *)"\x8a\x27", 2, M64, &in);
	assert_int_equal(x86_mmio_load_result(&in, old, 0x55),
			 0xaaaaaaaaaaaa55aaULL);
	/* movzx eax, byte [rdi]. */
	x86_decode_mmio((const u8 *)"\x0f\xb6\x07", 3, M64, &in);
	assert_int_equal(x86_mmio_load_result(&in, old, 0xf0), 0xf0);
	/* movsx rax, word [rdi+0x10]. */
	x86_decode_mmio((const u8 *)"\x48\x0f\xbf\x47\x10", 5, M64, &in);
	assert_int_equal(x86_mmio_load_result(&in, old, 0x8001),
			 0xffffffffffff8001ULL);
	/* movsx eax, byte: sign-extend to 32, zero above. */
	x86_decode_mmio((const u8 *)"\x0f\xbe\x07", 3, M64, &in);
	assert_int_equal(x86_mmio_load_result(&in, old, 0x80), 0xffffff80ULL);
	/* movsxd rax, dword. */
	x86_decode_mmio((const u8 *)"\x48\x63\x07", 3, M64, &in);
	assert_int_equal(x86_mmio_load_result(&in, old, 0x80000000),
			 0xffffffff80000000ULL);
	/* mov rax, [rdi]. */
	x86_decode_mmio((const u8 *)"\x48\x8b\x07", 3, M64, &in);
	assert_int_equal(x86_mmio_load_result(&in, old, 0x0123456789abcdefULL),
			 0x0123456789abcdefULL);
}

static void test_strerror(void **state)
{
	assert_string_equal(x86_decode_strerror(X86_DECODE_TRUNCATED),
			    "truncated instruction");
	assert_string_equal(x86_decode_strerror(X86_DECODE_REP), "REP prefix");
	assert_string_equal(x86_decode_strerror(-99), "unknown decode error");
}

struct ea_vec {
	enum x86_cpu_mode mode;
	u8 len;
	u8 bytes[12];
	u64 ea;
};

/*
 * Effective addresses with these registers: RBX 0x1000, RCX 3, RBP 0xfff0,
 * RSI 0x20, R12 0x100, R13 0x7000 (others 0); the instruction at 0x4000.
 */
static const struct ea_vec ea_vecs[] = {
	/* mov eax, [ebx] */
	{ X86_MODE_32, 2, { 0x8b, 0x03 }, 0x1000 },
	/* mov eax, [ebx + ecx*4 + 0x10] */
	{ X86_MODE_32, 4, { 0x8b, 0x44, 0x8b, 0x10 }, 0x101c },
	/* mov eax, [0x12345678] */
	{ X86_MODE_32, 6, { 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12 }, 0x12345678 },
	/* mov eax, [ebx - 0x2000]: wraps at 4 GiB */
	{ X86_MODE_32, 6, { 0x8b, 0x83, 0x00, 0xe0, 0xff, 0xff }, 0xfffff000 },
	/* mov eax, [rip - 0x10]: from the next instruction */
	{ X86_MODE_64, 6, { 0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff }, 0x3ff6 },
	/* mov eax, [disp32] through a SIB without base or index */
	{ X86_MODE_64, 7, { 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00 }, 0x1000 },
	/* mov eax, [r12 - 8]: SIB base 100b with REX.B is R12, no index */
	{ X86_MODE_64, 5, { 0x41, 0x8b, 0x44, 0x24, 0xf8 }, 0xf8 },
	/* mov eax, [r13 + 0] */
	{ X86_MODE_64, 4, { 0x41, 0x8b, 0x45, 0x00 }, 0x7000 },
	/* mov eax, [rax + r12*4]: index 100b with REX.X is R12 */
	{ X86_MODE_64, 4, { 0x42, 0x8b, 0x04, 0xa0 }, 0x400 },
	/* mov rax, [rbx - 0x2000]: no wrap in 64 bits */
	{ X86_MODE_64,
	  7,
	  { 0x48, 0x8b, 0x83, 0x00, 0xe0, 0xff, 0xff },
	  0xfffffffffffff000ULL },
	/* mov ax, [bp + si + 4]: wraps at 64 KiB */
	{ X86_MODE_16, 3, { 0x8b, 0x42, 0x04 }, 0x14 },
	/* mov ax, [0x1234] (rm 110b, mod 0: disp16) */
	{ X86_MODE_16, 4, { 0x8b, 0x06, 0x34, 0x12 }, 0x1234 },
	/* mov ax, [bx + di - 1] */
	{ X86_MODE_16, 3, { 0x8b, 0x41, 0xff }, 0x0fff },
	/* mov eax, [moffs32] */
	{ X86_MODE_32, 5, { 0xa1, 0x00, 0x00, 0xb0, 0xfe }, 0xfeb00000 },
	/* mov [ebx], eax with an address-size prefix in 16-bit mode */
	{ X86_MODE_16, 3, { 0x67, 0x89, 0x03 }, 0x1000 },
};

static void test_effective_address(void **state)
{
	u64 gpr[16] = { 0 };

	(void)state;
	gpr[1] = 3;
	gpr[3] = 0x1000;
	gpr[5] = 0xfff0;
	gpr[6] = 0x20;
	gpr[12] = 0x100;
	gpr[13] = 0x7000;
	for (size_t i = 0; i < sizeof(ea_vecs) / sizeof(ea_vecs[0]); i++) {
		const struct ea_vec *v = &ea_vecs[i];
		struct x86_mmio_insn in;

		assert_int_equal(x86_decode_mmio(v->bytes, v->len, v->mode,
						 &in),
				 X86_DECODE_OK);
		assert_int_equal(in.len, v->len);
		assert_int_equal(x86_mmio_ea(&in, gpr, 0x4000 + in.len), v->ea);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_trailing_bytes_ignored),
		cmocka_unit_test(test_truncated_at_every_length),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_store_value),
		cmocka_unit_test(test_load_result),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_effective_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: MIT
/*
 * Port I/O, deny by default: the I/O bitmaps (SDM Vol.3C 25.6.4, rev 080)
 * trap every port except those the VM passes through (vm_pass_pio). A
 * trapped port goes to the device registered on it, or is absent: reads
 * return all ones and writes are dropped, as on a PC with nothing
 * decoding that address. An access whose bytes have different owners
 * (it straddles a device's edge, or a passed port and a trapped one) is
 * cut as a PC decodes it, byte by byte (vm/pio_split.h). IN/OUT and the
 * string forms INS/OUTS, with REP, are emulated here from the exit
 * qualification (SDM Vol.3C 28.2.1 table 28-5); the memory side of
 * INS/OUTS honours the guest's segments and page permissions (SMAP and
 * protection keys included) and takes #GP, #SS or #PF as the CPU's own
 * access would.
 */
#include "core/console.h"
#include "core/lib.h"
#include "arch/x86/arch.h"
#include "vmx/exitqual.h"
#include "vmx/io_seg.h"
#include "vm/pio_split.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/* A long REP INS/OUTS is done in slices; the guest re-executes the rest. */
#define IO_STRING_SLICE 4096
/* Accesses to absent ports logged per guest run; the rest are counted. */
#define ABSENT_LOG_MAX 8
#define SEG_ES 0
#define SEG_DS 3

static unsigned int absent_logged;

static void log_absent(u16 port, unsigned int size, bool in)
{
	if (absent_logged < ABSENT_LOG_MAX)
		pr_info("keel: guest: %u-byte %s of port %#x: no device (absent)%s\n",
			size, in ? "read" : "write", port,
			absent_logged + 1 == ABSENT_LOG_MAX ?
				"; further ones not logged" :
				"");
	absent_logged++;
}

/* What a PC answers where nothing decodes the port. */
static int absent_io(struct vm *vm, u16 port, unsigned int size, bool in,
		     u32 *val, void *ctx)
{
	log_absent(port, size, in);
	if (in)
		*val = 0xffffffffU;
	return 0;
}

/* Some byte of the access has an owner (a device, or the hardware
 * through a passed port), and the access is not wholly one device's. */
static bool straddles(const struct vm *vm, u16 port, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		if (vm_pio_owner(vm, (u16)(port + i)) != PIO_OWNER_NOBODY)
			return true;
	return false;
}

static struct vm_pio_handler absent = {
	.fn = absent_io,
	.name = "absent port",
};

static int call(struct vcpu *v, struct vm_pio_handler *h, u16 port,
		unsigned int size, bool in, u32 *val)
{
	int rc = h->fn(v->vm, port, size, in, val, h->ctx);

	vcpu_sync_ept(v);
	if (rc)
		vcpu_stop(v, "%s: %s of port %#x failed (%d)", h->name,
			  in ? "read" : "write", port, rc);
	return rc;
}

/*
 * The hardware's ports, for bytes of a split access that are passed
 * through (the guest could reach them itself), one byte at a time: the
 * platform's passed ports are 8-bit ISA registers (PIC, PIT, RTC, ELCR),
 * which a PC's bridge gives byte cycles, and which an emulator may not
 * decode wider (Bochs's ELCR answers a 16-bit read with FFFFh).
 */
static void pass_io(u16 port, unsigned int size, bool in, u32 *val)
{
	u32 v = 0;

	for (unsigned int i = 0; i < size; i++) {
		if (in)
			v |= (u32)inb((u16)(port + i)) << (8 * i);
		else
			outb((u16)(port + i), (u8)(*val >> (8 * i)));
	}
	if (in)
		*val = v;
}

/*
 * An access whose bytes have different owners (vm/pio_split.h): each
 * piece goes to its device, to the hardware or nowhere, and a read is
 * put together from the pieces' bytes.
 */
static int split_io(struct vcpu *v, u16 port, unsigned int size, bool in,
		    u32 *val)
{
	u8 owner[PIO_MAX_BYTES];
	struct pio_piece p[PIO_MAX_BYTES];
	unsigned int n;
	u32 all = 0;

	for (unsigned int i = 0; i < size; i++)
		owner[i] = vm_pio_owner(v->vm, (u16)(port + i));
	n = pio_pieces(port, size, owner, p);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int shift = 8 * p[i].offset;
		u32 mask = p[i].size == 4 ? ~0U : (u32)BIT(8 * p[i].size) - 1;
		u32 part = (*val >> shift) & mask;

		if (p[i].owner == PIO_OWNER_PASS)
			pass_io(p[i].port, p[i].size, in, &part);
		else if (p[i].owner == PIO_OWNER_NOBODY)
			absent_io(v->vm, p[i].port, p[i].size, in, &part, NULL);
		else if (call(v, &v->vm->pio[p[i].owner], p[i].port, p[i].size,
			      in, &part))
			return -EIO;
		all |= (part & mask) << shift;
	}
	if (in)
		*val = all;
	return 0;
}

/* @h NULL: the access is split among owners. */
static int port_io(struct vcpu *v, struct vm_pio_handler *h, u16 port,
		   unsigned int size, bool in, u32 *val)
{
	return h ? call(v, h, port, size, in, val) :
		   split_io(v, port, size, in, val);
}

static void io_simple(struct vcpu *v, struct vm_pio_handler *h, u16 port,
		      unsigned int size, bool in)
{
	u64 mask = size == 4 ? 0xffffffffULL : BIT(size * 8) - 1;
	u32 val = (u32)(v->regs.rax & mask);

	if (port_io(v, h, port, size, in, &val))
		return;
	if (in) {
		/* A 32-bit IN zero-extends into RAX; 8/16-bit ones merge. */
		if (size == 4)
			v->regs.rax = val;
		else
			v->regs.rax = (v->regs.rax & ~mask) | (val & mask);
	}
	vcpu_skip_instruction(v);
}

/*
 * Address size and segment of INS/OUTS: from the instruction information
 * when IA32_VMX_BASIC[54] says it is there, else the code segment's default
 * and DS (segment overrides are then not honoured). INS always uses ES.
 */
static void string_operands(bool in, bool lm, unsigned int *abytes,
			    struct io_seg *seg)
{
	u64 ar = vmread(VMCS_GUEST_CS_AR_BYTES);
	unsigned int s = SEG_DS;

	*abytes = lm ? 8 : ar & VMX_AR_DB ? 4 : 2;
	if (vmx_caps()->basic & VMX_BASIC_INOUT_INFO) {
		u32 info = (u32)vmread(VMCS_VMX_INSTRUCTION_INFO);
		u32 as = FIELD_GET(INSN_INFO_IO_ADDR_SIZE, info);

		if (as <= 2)
			*abytes = 2u << as;
		s = insn_info_io_segment(info);
	}
	if (in || s >= 6)
		s = in ? SEG_ES : SEG_DS;
	seg->index = s;
	seg->base = vcpu_seg_base(s, lm);
	seg->limit = (u32)vmread(VMCS_GUEST_ES_LIMIT + 2 * s);
	seg->ar = (u32)vmread(VMCS_GUEST_ES_AR_BYTES + 2 * s);
	seg->real = !(vmread(VMCS_GUEST_CR0) & X86_CR0_PE);
}

/*
 * One element's memory operand, checked as the CPU's access would be,
 * before the port is touched: segment (io_seg.h), then paging (U/S, R/W
 * with CR0.WP, SMAP with RFLAGS.AC, protection keys: vmx/linear.c). A
 * fault leaves the port, RCX and the index as they were for this element,
 * and the guest restarts the instruction after handling it. Returns 0
 * with the linear address, 1 when a fault was injected, -1 when Keel
 * stopped the guest.
 */
static int element_address(struct vcpu *v, const struct io_seg *seg, bool lm,
			   u64 off, unsigned int size, bool in, u64 *gla)
{
	u8 vec = io_seg_check(seg, lm, off, size, in, gla);
	u32 pf;
	u64 cr2;
	int rc;

	if (vec) {
		vcpu_inject_exception(v, vec, 0);
		return 1;
	}
	rc = guest_check_linear(v, *gla, size, in, &pf, &cr2);
	if (rc == GPT_PAGE_FAULT) {
		vcpu_inject_pf(v, cr2, pf);
		return 1;
	}
	if (rc) {
		/* Reserved bits or tables outside RAM: the CPU would give
		 * #PF(RSVD) or a machine check; Keel stops the guest. */
		vcpu_stop(v, "%s at linear %#llx: guest page walk failed (%d)",
			  in ? "INS" : "OUTS", *gla, rc);
		return -1;
	}
	return 0;
}

static void io_string(struct vcpu *v, struct vm_pio_handler *h, u16 port,
		      unsigned int size, bool in, bool rep)
{
	u64 *idx = in ? &v->regs.rdi : &v->regs.rsi;
	s64 step = vmread(VMCS_GUEST_RFLAGS) & X86_RFLAGS_DF ? -(s64)size :
							       (s64)size;
	bool lm = vcpu_in_64bit_mode();
	unsigned int abytes;
	struct io_seg seg;
	u64 amask, count;

	string_operands(in, lm, &abytes, &seg);
	amask = abytes == 8 ? ~0ULL : BIT(abytes * 8) - 1;
	count = rep ? v->regs.rcx & amask : 1;

	for (u64 n = 0; count && n < IO_STRING_SLICE; n++, count--) {
		u64 gla;
		u32 val = 0;
		int rc = element_address(v, &seg, lm, *idx & amask, size, in,
					 &gla);

		if (rc > 0 && rep)
			v->regs.rcx = (v->regs.rcx & ~amask) | (count & amask);
		if (rc)
			return;
		if (in) {
			rc = port_io(v, h, port, size, true, &val);
			if (!rc)
				rc = guest_write_linear(v, gla, &val, size);
		} else {
			rc = guest_read_linear(v, gla, &val, size);
			if (!rc)
				rc = port_io(v, h, port, size, false, &val);
		}
		if (rc) {
			vcpu_stop(v, "%s at linear %#llx: not mapped (%d)",
				  in ? "INS" : "OUTS", gla, rc);
			return;
		}
		*idx = (*idx & ~amask) | ((*idx + (u64)step) & amask);
	}
	if (rep)
		v->regs.rcx = (v->regs.rcx & ~amask) | (count & amask);
	if (!count)
		vcpu_skip_instruction(v);
}

static void bitmap_range(u8 *bm, u32 base, u32 count, bool trap)
{
	for (u32 p = base; p < base + count; p++) {
		if (trap)
			bm[p / 8] |= (u8)BIT(p % 8);
		else
			bm[p / 8] &= (u8)~BIT(p % 8);
	}
}

/*
 * Trap everything, open the ports the VM passes through, and trap again
 * any of those a device emulates (SDM Vol.3C 25.6.4: bitmap A covers
 * ports 0-0x7FFF, B 0x8000-0xFFFF; the two pages are contiguous here).
 */
void vmx_io_bitmap_init(struct vcpu *v)
{
	const struct vm *vm = v->vm;

	memset(v->io_bitmap, 0xff, 2 * PAGE_SIZE);
	for (unsigned int i = 0; i < vm->n_pass; i++)
		bitmap_range(v->io_bitmap, vm->pass[i].base, vm->pass[i].count,
			     false);
	for (unsigned int i = 0; i < vm->n_pio; i++)
		bitmap_range(v->io_bitmap, vm->pio[i].base, vm->pio[i].count,
			     true);
	absent_logged = 0;
}

void vmx_exit_io(struct vcpu *v)
{
	u64 q = vmread(VMCS_EXIT_QUALIFICATION);
	unsigned int size = eq_io_size(q);
	u16 port = eq_io_port(q);
	bool in = eq_io_is_in(q);
	struct vm_pio_handler *h = vm_find_pio(v->vm, port, size);

	/* Wholly on one device, wholly absent, or split (h NULL). */
	if (!h && !straddles(v->vm, port, size))
		h = &absent;
	if (eq_io_is_string(q))
		io_string(v, h, port, size, in, eq_io_is_rep(q));
	else
		io_simple(v, h, port, size, in);
}

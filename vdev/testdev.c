// SPDX-License-Identifier: MIT
/*
 * Keel's test device (vm/guest_abi.h, docs/hypercalls.md): ports
 * 0x700-0x70F and one MMIO page at 0xFEB00000, so a test guest can check
 * every port and MMIO access form against known answers.
 */
#include "core/lib.h"
#include "vdev/vuart.h"
#include "vm/guest_abi.h"
#include "vm/vm.h"

struct testdev {
	u32 echo;
	u32 count;
	u8 fifo[TESTDEV_FIFO_SIZE];
	unsigned int head, len;
	u8 scratch[8];
	u32 mmio_count;
};

static struct testdev tdev;

static void fifo_push(struct testdev *t, u8 b)
{
	if (t->len == TESTDEV_FIFO_SIZE)
		return;
	t->fifo[(t->head + t->len++) % TESTDEV_FIFO_SIZE] = b;
}

static u8 fifo_pop(struct testdev *t)
{
	u8 b;

	if (!t->len)
		return TESTDEV_FIFO_EMPTY;
	b = t->fifo[t->head];
	t->head = (t->head + 1) % TESTDEV_FIFO_SIZE;
	t->len--;
	return b;
}

static int testdev_io(struct vm *vm, u16 port, unsigned int size, bool in,
		      u32 *val, void *ctx)
{
	struct testdev *t = ctx;
	unsigned int reg = (port - TESTDEV_PORT_BASE) & ~3U;
	unsigned int shift = 8 * ((port - TESTDEV_PORT_BASE) & 3);
	u32 r = 0;

	switch (reg) {
	case TESTDEV_REG_ECHO:
		if (in)
			r = t->echo >> shift;
		else
			t->echo = *val << shift;
		break;
	case TESTDEV_REG_ID:
		r = TESTDEV_ID >> shift;
		break;
	case TESTDEV_REG_FIFO:
		for (unsigned int i = 0; i < size; i++) {
			if (in)
				r |= (u32)fifo_pop(t) << (8 * i);
			else
				fifo_push(t, (u8)(*val >> (8 * i)));
		}
		break;
	case TESTDEV_REG_COUNT:
		if (in) {
			r = t->count;
		} else {
			/* Writing COUNT resets the device; it does not count. */
			t->count = 0;
			t->len = 0;
			return 0;
		}
		break;
	}
	if (in)
		*val = size == 4 ? r : r & ((1U << (8 * size)) - 1);
	t->count++;
	return 0;
}

/* Bytes for the guest's COM1, as Keel's console would send them
 * (vdev/vuart.h); out of the MMIO benchmark's way. */
static __attribute__((noinline)) int testdev_com1_in(struct vm *vm,
						     struct testdev *t, u64 off,
						     unsigned int size, u64 val)
{
	u8 in[8];
	unsigned int n = 0;

	for (unsigned int i = 0; i < size; i++)
		if (off + i >= TESTDEV_MMIO_COM1_IN &&
		    off + i < TESTDEV_MMIO_COM1_IN + sizeof(in))
			in[n++] = (u8)(val >> (8 * i));
	vuart_input(vm, in, n);
	t->mmio_count++;
	return 0;
}

static int testdev_mmio(struct vm *vm, u64 gpa, unsigned int size, bool write,
			u64 *val, void *ctx)
{
	struct testdev *t = ctx;
	u64 off = gpa - TESTDEV_MMIO_BASE, r = 0;

	if (unlikely(write && off >= TESTDEV_MMIO_COM1_IN))
		return testdev_com1_in(vm, t, off, size, *val);
	for (unsigned int i = 0; i < size; i++) {
		u64 o = off + i;
		u8 b = 0;

		if (o < TESTDEV_MMIO_SCRATCH) {
			b = (u8)(TESTDEV_PATTERN >> (8 * o));
		} else if (o < TESTDEV_MMIO_COUNT) {
			if (write)
				t->scratch[o - TESTDEV_MMIO_SCRATCH] =
					(u8)(*val >> (8 * i));
			b = t->scratch[o - TESTDEV_MMIO_SCRATCH];
		} else if (o < TESTDEV_MMIO_COUNT + 4) {
			b = (u8)(t->mmio_count >>
				 (8 * (o - TESTDEV_MMIO_COUNT)));
		}
		r |= (u64)b << (8 * i);
	}
	if (!write)
		*val = r;
	t->mmio_count++;
	return 0;
}

static int testdev_init(struct vm *vm)
{
	int rc;

	memset(&tdev, 0, sizeof(tdev));
	rc = vm_register_pio(vm, TESTDEV_PORT_BASE, TESTDEV_NR_PORTS,
			     testdev_io, &tdev, "test device");
	if (!rc)
		rc = vm_register_mmio(vm, TESTDEV_MMIO_BASE, TESTDEV_MMIO_SIZE,
				      testdev_mmio, &tdev, "test device MMIO");
	return rc;
}

VM_DEVICE(testdev, .name = "test device", .init = testdev_init);

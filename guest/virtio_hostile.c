// SPDX-License-Identifier: MIT
/*
 * Malformed descriptor chains (virtio_hostile=1): each must put the device
 * in DEVICE_NEEDS_RESET (virtio 1.2 2.1.2) while its configuration keeps
 * answering; after a reset and a fresh set-up the device must serve a
 * read again. The spec lets a device react otherwise (2.7.5 only says the
 * driver MUST NOT build them), so these run only on request: Keel's back
 * end promises NEEDS_RESET (docs/virtio-guest.md).
 */
#include "virtio.h"
#include "virtio_pattern.h"

#define MIB 0x100000u
#define OOB_GAP (64 * MIB) /* past the top of RAM, as scenario=oob-read */

enum bad_chain {
	BAD_AVAIL_HEAD, /* avail ring names a descriptor beyond the queue */
	BAD_NEXT_INDEX, /* a chain's next is beyond the queue */
	BAD_LOOP, /* a chain that comes back on itself */
	BAD_OOB_BUFFER, /* a data buffer outside guest RAM */
	BAD_STATUS_READABLE, /* the status byte device-readable */
	BAD_HEADER_WRITABLE, /* the header device-writable */
	BAD_COUNT,
};

static const char *const bad_names[BAD_COUNT] = {
	[BAD_AVAIL_HEAD] = "hostile_avail_head_range",
	[BAD_NEXT_INDEX] = "hostile_next_range",
	[BAD_LOOP] = "hostile_loop",
	[BAD_OOB_BUFFER] = "hostile_buffer_outside_ram",
	[BAD_STATUS_READABLE] = "hostile_status_readable",
	[BAD_HEADER_WRITABLE] = "hostile_header_writable",
};

static struct vblk_req_hdr bad_hdr __attribute__((aligned(16)));
static volatile u8 bad_status;

static u32 oob_address(const struct guest_env *env)
{
	u32 top = env->ram_top ? env->ram_top : 128 * MIB;

	return ((top + MIB - 1) & ~(MIB - 1)) + OOB_GAP;
}

static void put(struct vblk *d, u16 i, u32 addr, u32 len, u16 flags, u16 next)
{
	d->desc[i] = (struct vring_desc){ addr, len, flags, next };
}

/*
 * Descriptors 0..2 as header -> one sector -> status, then @kind's flaw.
 * The queue is idle (every chain came back), so the slots are free; the
 * reset afterwards rebuilds the free list anyway.
 */
static void post_bad(struct vblk *d, enum bad_chain kind,
		     const struct guest_env *env)
{
	u16 q = d->qsize, head = 0;
	u32 data = vpat_scratch();

	bad_hdr = (struct vblk_req_hdr){ VIRTIO_BLK_T_IN, 0, 0 };
	bad_status = VBLK_S_NONE;
	put(d, 0, (u32)&bad_hdr, sizeof(bad_hdr), VRING_DESC_F_NEXT, 1);
	put(d, 1, data, VBLK_SECTOR, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	put(d, 2, (u32)&bad_status, 1, VRING_DESC_F_WRITE, 0);
	switch (kind) {
	case BAD_AVAIL_HEAD:
		head = q + 3;
		break;
	case BAD_NEXT_INDEX:
		d->desc[1].next = q + 7;
		break;
	case BAD_LOOP:
		/* 1 -> 2 -> 1: never ends without a length bound. */
		d->desc[2] = (struct vring_desc){
			data + VBLK_SECTOR, VBLK_SECTOR,
			VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1
		};
		break;
	case BAD_OOB_BUFFER:
		d->desc[1].addr = oob_address(env);
		break;
	case BAD_STATUS_READABLE:
		d->desc[2].flags = 0;
		break;
	case BAD_HEADER_WRITABLE:
		d->desc[0].flags |= VRING_DESC_F_WRITE;
		break;
	default:
		break;
	}
	vblk_post(d, head);
	vblk_kick(d);
}

static bool wait_needs_reset(struct vblk *d)
{
	for (u32 n = 0; n < d->poll_max; n++) {
		if (vblk_status(d) & VIRTIO_S_NEEDS_RESET)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

static void one_bad_chain(struct vblk *d, enum bad_chain kind,
			  const struct guest_env *env)
{
	char why[96] = "";
	bool needs_reset, cfg_ok, up, served;
	u8 st0, st = VBLK_S_NONE;

	post_bad(d, kind, env);
	needs_reset = wait_needs_reset(d);
	st0 = vblk_status(d);
	/* The configuration must still answer, and say the same. */
	cfg_ok = vblk_cfg_capacity(d) == d->capacity &&
		 mmio_rd16(d->common + VCOM_NUM_QUEUES) >= 1;
	up = virtio_bring_up(d, env, why, sizeof(why));
	served = up && vpat_read_one(d, 0, &st);
	vreport(bad_names[kind], needs_reset && cfg_ok && served,
		"status=0x%x config %s, after reset %s (read status %u) %s",
		st0, cfg_ok ? "answers" : "lost",
		served ? "serves" : "does not serve", st, why);
}

/*
 * Polls in which a device that ignores Bus Master would have answered: it
 * takes a chain during the notify's exit and Keel reaps the disk within
 * about 50 us of guest time (docs/virtio.md).
 */
#define BM_QUIET_POLLS 200000u

static u16 used_idx(const struct vblk *d)
{
	return *(volatile u16 *)&d->used->idx;
}

/*
 * COMMAND.Bus Master off (PCI 3.0 6.2.2): a read posted and notified gets
 * no status byte and no used element, since the device may not touch the
 * guest's memory; once the bit is back on the device takes the chain and
 * answers it. A fresh set-up afterwards leaves the queue as the others
 * expect it.
 */
static void bus_master_check(struct vblk *d, const struct guest_env *env)
{
	u16 cmd = pci_cfg_read16(d->bdf, PCI_REG_COMMAND);
	u16 used0 = used_idx(d);
	bool quiet = true, served = false, up;
	char why[96] = "";
	u8 st = VBLK_S_NONE;

	pci_cfg_write16(d->bdf, PCI_REG_COMMAND, cmd & ~PCI_CMD_MASTER);
	post_bad(d, BAD_COUNT, env); /* no flaw: a plain one-sector read */
	for (u32 n = 0; n < BM_QUIET_POLLS && quiet; n++) {
		quiet = bad_status == VBLK_S_NONE && used_idx(d) == used0;
		__asm__ volatile("pause");
	}
	pci_cfg_write16(d->bdf, PCI_REG_COMMAND, cmd | PCI_CMD_MASTER);
	for (u32 n = 0; n < d->poll_max && !served; n++) {
		served = bad_status != VBLK_S_NONE && used_idx(d) != used0;
		__asm__ volatile("pause");
	}
	up = virtio_bring_up(d, env, why, sizeof(why)) &&
	     vpat_read_one(d, 0, &st);
	vreport("hostile_bus_master_off",
		quiet && served && bad_status == VIRTIO_BLK_S_OK && up,
		"%s while off, %s once on (status %u), after reset %s %s",
		quiet ? "no answer" : "answered",
		served ? "answered" : "no answer", bad_status,
		up ? "serves" : "does not serve", why);
}

void virtio_hostile_checks(struct vblk *d, const struct guest_env *env)
{
	if (d->features & FEAT(VIRTIO_BLK_F_RO)) {
		kputs("keel-guest: virtio hostile checks read LBA 0's pattern;"
		      " the device is read-only, so a mismatch may follow\n");
	}
	for (u32 k = 0; k < BAD_COUNT; k++)
		one_bad_chain(d, (enum bad_chain)k, env);
	bus_master_check(d, env);
}

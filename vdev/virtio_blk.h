/* SPDX-License-Identifier: MIT */
/*
 * Keel's virtio-blk device: the virtio 1.x PCI transport (vdev/virtio_pci.c:
 * capabilities, common configuration, ISR, notify, MSI-X with INTx
 * fallback) over one split virtqueue (vdev/virtq.c), and the back end
 * (vdev/virtio_blk.c) that turns requests into bios on a block device.
 * Pure: guest memory, interrupts and the console come through struct
 * vblk_ops, so host tests and the fuzzer run the whole device against a
 * fake guest and a RAM disk. vdev/virtio_dev.c plugs it into the VM.
 * docs/virtio.md describes it.
 */
#ifndef KEEL_VDEV_VIRTIO_BLK_H
#define KEEL_VDEV_VIRTIO_BLK_H

#include "block/block.h"
#include "vdev/virtio_blk_req.h"
#include "vdev/virtq.h"

/* The memory BAR's layout (virtio 1.2 4.1.4: any offsets will do). */
#define VBLK_BAR_SIZE 0x4000
#define VBLK_COMMON_OFF 0x0000
#define VBLK_ISR_OFF 0x1000
#define VBLK_DEVCFG_OFF 0x2000
#define VBLK_NOTIFY_OFF 0x3000
#define VBLK_NOTIFY_LEN 4 /* one queue */
#define VBLK_NOTIFY_MULT 4 /* notify_off_multiplier; queue_notify_off is 0 */
#define VBLK_MSIX_TABLE_OFF 0x3800
#define VBLK_MSIX_PBA_OFF 0x3c00
#define VBLK_MSIX_VECTORS 2 /* configuration changes and the queue */
#define VBLK_PBA_LEN 8

/* Requests in flight at once, and bio splits each may need. */
#define VBLK_SLOTS 8
#define VBLK_MAX_SPLITS 16
/* Offered limits (virtio 1.2 5.2.4): the driver keeps requests in them. */
#define VBLK_SEG_MAX (VIRTQ_MAX_SIZE / 2 - 2)
#define VBLK_SIZE_MAX KiB(64)

struct vblk;
struct blk_queue_limits;

/*
 * The seg_max to offer for a disk with @lim: at most VBLK_SEG_MAX, and
 * few enough that a request within seg_max * size_max never needs more
 * pieces than a slot holds (VBLK_MAX_SPLITS and the request itself).
 */
u32 vblk_seg_max(const struct blk_queue_limits *lim);

struct vblk_ops {
	/* An MSI-X message the guest programmed: @addr, @data. */
	void (*msi)(void *ctx, u64 addr, u32 data);
	/* An edge on the INTx line (ISR holds the reason). */
	void (*intx)(void *ctx);
	/* One line for Keel's console, without the newline. */
	void (*log)(void *ctx, const char *line);
	/* I/O was submitted: poll soon. May be NULL. */
	void (*kick)(void *ctx);
	void *ctx;
};

struct vblk_slot {
	struct vblk *v;
	bool busy;
	u32 gen; /* device generation it belongs to (resets bump it) */
	u16 head;
	struct bio bio;
	struct bio split[VBLK_MAX_SPLITS];
	struct vblk_req req;
};

/* One MSI-X table entry as dwords: MSIX_ENTRY_* / 4 index it. */
struct vblk_msix_entry {
	u32 w[MSIX_ENTRY_SIZE / 4];
};

struct vblk {
	/* set-up */
	const struct vblk_ops *ops;
	const struct virtq_mem *mem;
	struct blk_dev *bdev;
	struct vblk_disk disk;
	u64 features; /* offered */
	/* transport state (virtio 1.2 4.1.4.3) */
	u32 dfselect, gfselect;
	u64 gfeatures;
	u8 status, isr, cfg_gen;
	u16 q_select, config_msix;
	u16 msix_ctrl; /* MSI-X capability's message control */
	bool intx_disabled; /* COMMAND.INTx disable */
	bool bus_master; /* COMMAND.Bus Master: off, no access of its own */
	struct vblk_msix_entry msix[VBLK_MSIX_VECTORS];
	u8 pba;
	/* the queue */
	struct virtq vq;
	bool vq_enabled;
	u16 vq_msix;
	/* back end */
	u32 gen;
	bool reported; /* the one NEEDS_RESET line was printed */
	bool refusal_said; /* the one IOERR-answer line was printed */
	u32 inflight;
	u64 requests, completed, errors, violations;
	struct vblk_slot slot[VBLK_SLOTS];
	struct virtq_chain chain; /* scratch for virtq_pop */
};

/*
 * Set up @v for @disk on @bdev (NULL: every I/O fails with IOERR).
 * Features: VERSION_1, EVENT_IDX, SEG_MAX, SIZE_MAX, BLK_SIZE, FLUSH
 * (always: virtio 1.2 5.2.5 says a device SHOULD offer it; on a disk
 * without a write cache a flush costs nothing), RO when @disk->ro.
 */
void vblk_init(struct vblk *v, const struct vblk_ops *ops,
	       const struct virtq_mem *mem, struct blk_dev *bdev,
	       const struct vblk_disk *disk);

/* An access to the memory BAR at @off (virtio_pci.c). */
void vblk_bar_read(struct vblk *v, u32 off, unsigned int size, u64 *val);
void vblk_bar_write(struct vblk *v, u32 off, unsigned int size, u64 val);

/* The MSI-X capability's message control, as the guest writes it. */
void vblk_msix_ctrl_write(struct vblk *v, u16 ctrl);
/*
 * COMMAND's Bus Master bit, as the guest writes it (0 after reset). While
 * it is off the device reads and writes no guest memory and sends no
 * MSI-X message (PCI 3.0 6.2.2, 6.8.3.4: messages wait in the PBA); INTx
 * still works. Turning it off waits for the requests at the disk, whose
 * answers are then lost, so that sets DEVICE_NEEDS_RESET; turning it on
 * sends what waited and looks at the queue.
 */
void vblk_bus_master(struct vblk *v, bool on);

/* Take new requests from the queue (a notify, or room freed). */
void vblk_process(struct vblk *v);
/*
 * Reap the block device and take requests that waited for a slot.
 * Returns true while I/O is in flight.
 */
bool vblk_poll(struct vblk *v);
/* Wait for every request in flight (the guest is gone): bounded by the
 * driver's own timeouts. */
void vblk_drain(struct vblk *v);

/* virtio_pci.c -> virtio_blk.c and back */
void vblk_reset(struct vblk *v);
void vblk_interrupt(struct vblk *v, bool config);
void vblk_violation(struct vblk *v, const char *why);

#endif

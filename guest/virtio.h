/* SPDX-License-Identifier: MIT */
/*
 * The test guest's virtio-blk driver: a modern (virtio 1.2) PCI device,
 * one split virtqueue, polled completions and MSI-X or INTx interrupts.
 * Section numbers are those of "Virtual I/O Device (VIRTIO) Version 1.2"
 * (OASIS, 2022); PCI ones are PCI Local Bus 3.0 / PCI Express Base 4.0.
 */
#ifndef KEEL_GUEST_VIRTIO_H
#define KEEL_GUEST_VIRTIO_H

#include "guest.h"

/* ---- PCI configuration space (PCI Local Bus 3.0, 6.1 and 6.2) ---- */
#define PCI_CONF_ADDR_PORT 0xcf8
#define PCI_CONF_DATA_PORT 0xcfc
#define PCI_CONF_ENABLE BIT(31)
#define PCI_REG_ID 0x00
#define PCI_REG_COMMAND 0x04
#define PCI_CMD_MEMORY BIT(1)
#define PCI_CMD_MASTER BIT(2)
#define PCI_CMD_INTX_DISABLE BIT(10)
#define PCI_REG_STATUS 0x06
#define PCI_STATUS_CAP_LIST BIT(4)
#define PCI_REG_HEADER 0x0e
#define PCI_HEADER_TYPE_MASK 0x7f
#define PCI_HEADER_MULTIFN BIT(7)
#define PCI_HEADER_BRIDGE 1
#define PCI_REG_BAR0 0x10
#define PCI_BAR_IO BIT(0)
#define PCI_BAR_TYPE_MASK 0x6
#define PCI_BAR_TYPE_64 0x4
#define PCI_BAR_MEM_MASK 0xfffffff0u
#define PCI_REG_SECONDARY_BUS 0x19 /* type 1 header */
#define PCI_REG_CAP_PTR 0x34
#define PCI_REG_INT_LINE 0x3c
#define PCI_REG_INT_PIN 0x3d
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_VENDOR 0x09

/* MSI-X capability and table (PCI Local Bus 3.0, 6.8.2). */
#define MSIX_CTRL 2 /* message control, 16 bits */
#define MSIX_CTRL_SIZE_MASK 0x7ff /* table size - 1 */
#define MSIX_CTRL_FMASK BIT(14)
#define MSIX_CTRL_ENABLE BIT(15)
#define MSIX_TABLE 4 /* offset | BIR */
#define MSIX_BIR_MASK 0x7
#define MSIX_ENTRY_SIZE 16
#define MSIX_ENTRY_ADDR_LO 0
#define MSIX_ENTRY_ADDR_HI 4
#define MSIX_ENTRY_DATA 8
#define MSIX_ENTRY_CTRL 12
#define MSIX_ENTRY_MASKED BIT(0)

/* ---- Device identity, 4.1.2.1 ---- */
#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_BLK 0x1042 /* 0x1040 + device ID 2 */

/* ---- virtio_pci_cap, 4.1.4 ---- */
#define VIRTIO_CAP_CFG_TYPE 3
#define VIRTIO_CAP_BAR 4
#define VIRTIO_CAP_OFFSET 8
#define VIRTIO_CAP_LENGTH 12
#define VIRTIO_CAP_NOTIFY_MULT 16 /* virtio_pci_notify_cap, 4.1.4.4 */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG 5 /* 4.1.4.9: access window into a BAR */
#define VIRTIO_CAP_CFG_DATA 16 /* virtio_pci_cfg_cap.pci_cfg_data */

/* ---- virtio_pci_common_cfg, 4.1.4.3 ---- */
#define VCOM_DFSELECT 0x00
#define VCOM_DF 0x04
#define VCOM_GFSELECT 0x08
#define VCOM_GF 0x0c
#define VCOM_MSIX_CONFIG 0x10
#define VCOM_NUM_QUEUES 0x12
#define VCOM_STATUS 0x14
#define VCOM_CFG_GENERATION 0x15
#define VCOM_Q_SELECT 0x16
#define VCOM_Q_SIZE 0x18
#define VCOM_Q_MSIX 0x1a
#define VCOM_Q_ENABLE 0x1c
#define VCOM_Q_NOTIFY_OFF 0x1e
#define VCOM_Q_DESC 0x20
#define VCOM_Q_DRIVER 0x28
#define VCOM_Q_DEVICE 0x30
#define VCOM_MIN_LEN 0x38 /* through queue_device, all this driver uses */
#define VIRTIO_MSI_NO_VECTOR 0xffff /* 4.1.5.1.2 */

/* ISR status, 4.1.4.5 */
#define VIRTIO_ISR_QUEUE BIT(0)
#define VIRTIO_ISR_CONFIG BIT(1)

/* ---- Device status field, 2.1 ---- */
#define VIRTIO_S_ACKNOWLEDGE 1
#define VIRTIO_S_DRIVER 2
#define VIRTIO_S_DRIVER_OK 4
#define VIRTIO_S_FEATURES_OK 8
#define VIRTIO_S_NEEDS_RESET 0x40
#define VIRTIO_S_FAILED 0x80

/* ---- Feature bits: 5.2.3 (block) and 6 (reserved/transport) ---- */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_F_EVENT_IDX 29 /* 2.7.7, 2.7.10: used_event, avail_event */
#define VIRTIO_F_VERSION_1 32
#define FEAT(b) (1ull << (b))

/* ---- virtio_blk_config, 5.2.4 ---- */
#define VBLK_CFG_CAPACITY 0
#define VBLK_CFG_SIZE_MAX 8
#define VBLK_CFG_SEG_MAX 12
#define VBLK_CFG_BLK_SIZE 20
#define VBLK_CFG_MIN_LEN 8 /* capacity: the one field without a feature */

/* ---- Requests, 5.2.6 ---- */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VBLK_S_NONE \
	0xff /* no status of 5.2.6: set before, so unwritten shows */
#define VBLK_SECTOR 512 /* request sectors are always 512 bytes */

struct vblk_req_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
} __attribute__((packed));

/* ---- Split virtqueue, 2.7 ---- */
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VQ_ALIGN_DESC 16 /* 2.7 table: alignment of each part */
#define VQ_ALIGN_AVAIL 2
#define VQ_ALIGN_USED 4
#define VQ_MAX 256 /* the largest queue this driver sets up */
#define VRING_USED_F_NO_NOTIFY 1 /* 2.7.10: the device needs no notify */

struct vring_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
} __attribute__((packed));

/* used_event follows ring[qsize], which is not ring[VQ_MAX]: see
 * vblk_used_event() and vblk_avail_event(). */
struct vring_avail {
	u16 flags;
	u16 idx;
	u16 ring[VQ_MAX];
	u16 used_event;
} __attribute__((packed));

struct vring_used_elem {
	u32 id;
	u32 len;
} __attribute__((packed));

struct vring_used {
	u16 flags;
	u16 idx;
	struct vring_used_elem ring[VQ_MAX];
	u16 avail_event;
} __attribute__((packed));
#define VRING_RING_OFF 4 /* 2.7.6, 2.7.8: ring[] after le16 flags, idx */

/*
 * Where unassigned BARs go (virtio_bar= moves them): free guest-physical
 * space above Bochs's and SeaBIOS's PCI windows' first BARs (0xC0000000
 * onward) and below Bochs's VBE framebuffer at 0xE0000000.
 */
#define VIRTIO_DEFAULT_BAR_GPA 0xd8000000u
/*
 * Bound of every poll (virtio_poll= changes it): loop iterations, each a
 * PAUSE plus a read, so well over a second of guest time on any emulator.
 */
#define VIRTIO_POLL_MAX 20000000u

/* ---- Driver state ---- */
enum virtio_irq_mode { VIRTIO_IRQ_NONE, VIRTIO_IRQ_MSIX, VIRTIO_IRQ_INTX };

struct vblk {
	u32 bdf; /* bus << 8 | dev << 3 | fn */
	u32 poll_max; /* iterations of any poll loop */
	u32 bar[6]; /* assigned memory BAR addresses (0: none) */
	u32 common, notify, isr, devcfg; /* MMIO addresses of the regions */
	u32 common_len, notify_len, isr_len, devcfg_len; /* cap.length */
	u32 notify_mult;
	u32 notify_addr; /* queue 0's doorbell */
	u8 msix_cap; /* config offset of the MSI-X capability, or 0 */
	u8 pcicfg_cap; /* config offset of VIRTIO_PCI_CAP_PCI_CFG, or 0 */
	u32 msix_table; /* MMIO address of the MSI-X table */
	u64 dev_features, features;
	u64 capacity; /* in 512-byte sectors */
	u32 size_max, seg_max, blk_size;
	u16 qsize;
	u16 avail_idx, used_seen;
	u16 free_head, nfree;
	u16 kicked; /* avail_idx when last deciding on a notify */
	bool want_event_idx; /* virtio_event_idx=on: accept EVENT_IDX */
	enum virtio_irq_mode irq_mode;
	u8 vector;
	volatile u32 irqs; /* interrupts taken */
	volatile u8 isr_seen; /* ISR bits read in the INTx handler */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
};

/* A buffer segment of a request: guest-physical address and length. */
struct vseg {
	u32 addr, len;
};

/* virtio_pci.c: configuration space, BARs and capabilities */
u32 pci_cfg_read32(u32 bdf, u32 reg);
u16 pci_cfg_read16(u32 bdf, u32 reg);
u8 pci_cfg_read8(u32 bdf, u32 reg);
void pci_cfg_write32(u32 bdf, u32 reg, u32 v);
void pci_cfg_write16(u32 bdf, u32 reg, u16 v);
bool virtio_find(u32 *bdf);
int virtio_map(struct vblk *d, u32 bar_at);

/* virtio_dev.c: status, features, queue and requests */
int vblk_init(struct vblk *d, u16 want_qsize, u16 msix_vec, char *why,
	      size_t whysz);
void vblk_reset(struct vblk *d);
void vsay(char *why, size_t whysz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
u8 vblk_status(const struct vblk *d);
u64 vblk_cfg_capacity(const struct vblk *d);
void vblk_post(struct vblk *d, u16 head);
int vblk_submit(struct vblk *d, u32 type, u64 sector, const struct vseg *segs,
		u32 nseg);
u8 vblk_req_status(u16 head);
void vblk_kick(struct vblk *d);
bool vblk_kick_advised(struct vblk *d);
bool vblk_event_idx(const struct vblk *d);
void vblk_set_used_event(struct vblk *d, u16 ev);
int vblk_wait_all(struct vblk *d);
u32 vblk_reap(struct vblk *d);
int vblk_do(struct vblk *d, u32 type, u64 sector, const struct vseg *segs,
	    u32 nseg, u8 *status);

/* virtio_irq.c: LAPIC, IOAPIC and MSI-X */
bool virtio_irq_setup(struct vblk *d, enum virtio_irq_mode mode, u32 gsi,
		      u32 ioapic, char *why, size_t whysz);
bool virtio_irq_wait(struct vblk *d, u32 before);
void virtio_irq_off(struct vblk *d, u32 gsi, u32 ioapic);

/* virtio_hostile.c */
void virtio_hostile_checks(struct vblk *d, const struct guest_env *env);
/* BAR0 sizing and a refused move with decoding on (virtio_bar_rules=1). */
void virtio_bar_checks(struct vblk *d);
/* A write through the PCI_CFG window reads nothing (virtio_pcicfg=1). */
void virtio_pcicfg_check(struct vblk *d);

/* virtio_checks.c */
void vreport(const char *name, bool pass, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
u32 virtio_opt(const struct guest_env *env, const char *key, u32 dflt);
bool virtio_bring_up(struct vblk *d, const struct guest_env *env, char *why,
		     size_t whysz);

/* MMIO accessors: the regions are little-endian, as is the CPU. */
static inline u8 mmio_rd8(u32 a)
{
	return *(volatile u8 *)a;
}
static inline u16 mmio_rd16(u32 a)
{
	return *(volatile u16 *)a;
}
static inline u32 mmio_rd32(u32 a)
{
	return *(volatile u32 *)a;
}
static inline void mmio_wr8(u32 a, u8 v)
{
	*(volatile u8 *)a = v;
}
static inline void mmio_wr16(u32 a, u16 v)
{
	*(volatile u16 *)a = v;
}
static inline void mmio_wr32(u32 a, u32 v)
{
	*(volatile u32 *)a = v;
}

static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

#endif

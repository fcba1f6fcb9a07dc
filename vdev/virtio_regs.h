/* SPDX-License-Identifier: MIT */
/*
 * Virtio 1.2 constants used by Keel's virtio devices: the device status
 * bits, feature bits, the split virtqueue's layout, the PCI transport's
 * capabilities and registers, and virtio-blk's requests. Every value is
 * from the OASIS "Virtual I/O Device (VIRTIO) Version 1.2" specification
 * (cs01), cited as "virtio 1.2 x.y".
 */
#ifndef KEEL_VDEV_VIRTIO_REGS_H
#define KEEL_VDEV_VIRTIO_REGS_H

#include "core/bits.h"

/* Device status field, virtio 1.2 2.1. */
#define VIRTIO_STATUS_ACKNOWLEDGE BIT(0)
#define VIRTIO_STATUS_DRIVER BIT(1)
#define VIRTIO_STATUS_DRIVER_OK BIT(2)
#define VIRTIO_STATUS_FEATURES_OK BIT(3)
#define VIRTIO_STATUS_NEEDS_RESET BIT(6)
#define VIRTIO_STATUS_FAILED BIT(7)

/* Reserved feature bits, virtio 1.2 6. */
#define VIRTIO_F_EVENT_IDX 29 /* used_event / avail_event (2.7.7, 2.7.10) */
#define VIRTIO_F_VERSION_1 32

/* Split virtqueue, virtio 1.2 2.7. */
#define VIRTQ_DESC_SIZE 16 /* 2.7.5: le64 addr, le32 len, le16 flags, next */
#define VIRTQ_DESC_F_NEXT BIT(0)
#define VIRTQ_DESC_F_WRITE BIT(1)
#define VIRTQ_DESC_F_INDIRECT BIT(2)
#define VIRTQ_DESC_ALIGN 16 /* 2.7: alignment of each part */
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN 4
#define VIRTQ_AVAIL_FLAGS 0 /* 2.7.6: le16 flags, le16 idx, le16 ring[] */
#define VIRTQ_AVAIL_IDX 2
#define VIRTQ_AVAIL_RING 4
/* 2.7.7: without EVENT_IDX, the driver's advice that it needs no interrupt. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT BIT(0)
#define VIRTQ_USED_FLAGS 0 /* 2.7.8: le16 flags, le16 idx, elem ring[] */
#define VIRTQ_USED_IDX 2
/* 2.7.10: without EVENT_IDX, the device's advice that it needs no notify. */
#define VIRTQ_USED_F_NO_NOTIFY BIT(0)
#define VIRTQ_USED_RING 4
#define VIRTQ_USED_ELEM_SIZE 8 /* le32 id, le32 len */
/* 4.1.4.3.2: the driver MUST NOT write a size that is not a power of 2. */
#define VIRTQ_MAX_SIZE 256 /* Keel's maximum queue size (issue 11) */

/* Virtio PCI, virtio 1.2 4.1. */
#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_BASE 0x1040 /* 4.1.2.1: 0x1040 + device ID */
#define VIRTIO_ID_BLOCK 2 /* 5: device IDs */
#define VIRTIO_PCI_REVISION 1 /* 4.1.2.1: non-transitional devices */
#define VIRTIO_PCI_CAP_COMMON_CFG 1 /* 4.1.4: cfg_type */
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG 5
#define PCI_CAP_ID_VNDR 0x09 /* PCI 3.0 appendix H: vendor specific */
/* struct virtio_pci_cap, 4.1.4: 16 bytes, then per-type fields. */
#define VIRTIO_PCI_CAP_LEN 16
#define VIRTIO_PCI_CAP_CFG_TYPE 3
#define VIRTIO_PCI_CAP_BAR 4
#define VIRTIO_PCI_CAP_ID 5
#define VIRTIO_PCI_CAP_OFFSET 8
#define VIRTIO_PCI_CAP_LENGTH 12
#define VIRTIO_PCI_NOTIFY_CAP_LEN 20 /* 4.1.4.4: + notify_off_multiplier */
#define VIRTIO_PCI_CFG_CAP_LEN 20 /* 4.1.4.9: + pci_cfg_data[4] */
#define VIRTIO_PCI_CFG_DATA 16

/* struct virtio_pci_common_cfg, 4.1.4.3. */
#define VIRTIO_COMMON_DFSELECT 0x00
#define VIRTIO_COMMON_DF 0x04
#define VIRTIO_COMMON_GFSELECT 0x08
#define VIRTIO_COMMON_GF 0x0c
#define VIRTIO_COMMON_MSIX 0x10
#define VIRTIO_COMMON_NUMQ 0x12
#define VIRTIO_COMMON_STATUS 0x14
#define VIRTIO_COMMON_CFGGENERATION 0x15
#define VIRTIO_COMMON_Q_SELECT 0x16
#define VIRTIO_COMMON_Q_SIZE 0x18
#define VIRTIO_COMMON_Q_MSIX 0x1a
#define VIRTIO_COMMON_Q_ENABLE 0x1c
#define VIRTIO_COMMON_Q_NOFF 0x1e
#define VIRTIO_COMMON_Q_DESCLO 0x20
#define VIRTIO_COMMON_Q_DESCHI 0x24
#define VIRTIO_COMMON_Q_AVAILLO 0x28
#define VIRTIO_COMMON_Q_AVAILHI 0x2c
#define VIRTIO_COMMON_Q_USEDLO 0x30
#define VIRTIO_COMMON_Q_USEDHI 0x34
#define VIRTIO_COMMON_Q_NDATA 0x38
#define VIRTIO_COMMON_Q_RESET 0x3a
#define VIRTIO_COMMON_SIZE 0x3c
#define VIRTIO_MSI_NO_VECTOR 0xffff /* 4.1.4.3 */

/* ISR status, 4.1.4.5. */
#define VIRTIO_ISR_QUEUE BIT(0)
#define VIRTIO_ISR_CONFIG BIT(1)

/* MSI-X table entry and capability, PCI 3.0 6.8.2. */
#define MSIX_ENTRY_SIZE 16
#define MSIX_ENTRY_ADDR_LO 0
#define MSIX_ENTRY_ADDR_HI 4
#define MSIX_ENTRY_DATA 8
#define MSIX_ENTRY_CTRL 12
#define MSIX_ENTRY_CTRL_MASK BIT(0)
#define MSIX_CTRL_ENABLE BIT(15)
#define MSIX_CTRL_FMASK BIT(14)
#define MSIX_CAP_TABLE 4 /* table offset and BIR */
#define MSIX_CAP_PBA 8 /* PBA offset and BIR */
/* Type 0 header, PCI 3.0 6.2.4. */
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
/* MSI address and data, SDM Vol.3A 11.11.1-11.11.2. */
#define MSI_ADDR_BASE 0xfee00000U
#define MSI_ADDR_BASE_MASK 0xfff00000U
#define MSI_DATA_VECTOR 0xffU
#define MSI_DATA_DELMODE GENMASK(10, 8)
#define MSI_DELMODE_FIXED 0
#define MSI_DELMODE_LOWEST 1
#define MSI_MIN_VECTOR 32 /* 0-31 are exceptions, SDM Vol.3A 6.3.1 */

/* virtio-blk, virtio 1.2 5.2. */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
/* struct virtio_blk_config, 5.2.4. */
#define VIRTIO_BLK_CFG_CAPACITY 0x00 /* le64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX 0x08 /* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX 0x0c /* le32 */
#define VIRTIO_BLK_CFG_GEOMETRY 0x10 /* le16 cylinders, u8 heads, sectors */
#define VIRTIO_BLK_CFG_BLK_SIZE 0x14 /* le32, bytes per logical block */
#define VIRTIO_BLK_CFG_TOPOLOGY 0x18 /* u8 exp, u8 offset, le16 min, le32 opt */
#define VIRTIO_BLK_CFG_WRITEBACK 0x20 /* u8, then u8 unused0, le16 num_queues */
/*
 * Up to write_zeroes_may_unmap and its padding (0x38-0x3b). 1.2's
 * secure-erase (0x3c) and zoned (0x48) fields follow; their features are
 * not offered, so the capability's length stops here.
 */
#define VIRTIO_BLK_CFG_SIZE 0x3c
/* struct virtio_blk_req, 5.2.6. */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_HDR_SIZE 16 /* le32 type, le32 reserved, le64 sector */
#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_SECTOR 512 /* 5.2.6: sectors are always 512 bytes */

#endif

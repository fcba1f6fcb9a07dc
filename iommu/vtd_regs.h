/* SPDX-License-Identifier: MIT */
/*
 * Intel VT-d remapping hardware: register offsets with their bits indented
 * below them, and the in-memory translation structures. Sections cite the
 * VT-d specification rev 3.4 (D51397-015), as arch/x86/acpi_dmar.c does.
 * Constants only: host tests include it for their fake register file.
 */
#ifndef KEEL_IOMMU_VTD_REGS_H
#define KEEL_IOMMU_VTD_REGS_H

#include "core/bits.h"

/* Each register's bits are indented below it. */
// clang-format off

/* The register page of one DRHD, VT-d 3.4 10.4 */
#define VTD_REG_SIZE 0x1000

#define VTD_VER 0x000 /* 32-bit, VT-d 3.4 10.4.1 */
#define   VTD_VER_MIN GENMASK(3, 0)
#define   VTD_VER_MAX GENMASK(7, 4)

#define VTD_CAP 0x008 /* 64-bit, VT-d 3.4 10.4.2 */
#define   VTD_CAP_ND GENMASK(2, 0) /* 2^(4 + 2*ND) domain ids */
#define   VTD_CAP_AFL BIT(3)
#define   VTD_CAP_RWBF BIT(4) /* write buffer must be flushed */
#define   VTD_CAP_PLMR BIT(5)
#define   VTD_CAP_PHMR BIT(6)
#define   VTD_CAP_CM BIT(7) /* caching mode: not-present is cached */
#define   VTD_CAP_SAGAW GENMASK(12, 8)
#define     VTD_SAGAW_39 BIT(1) /* 3-level table */
#define     VTD_SAGAW_48 BIT(2) /* 4-level table */
#define     VTD_SAGAW_57 BIT(3) /* 5-level table */
#define   VTD_CAP_MGAW GENMASK(21, 16) /* width - 1 */
#define   VTD_CAP_ZLR BIT(22)
#define   VTD_CAP_FRO GENMASK(33, 24) /* in 16-byte units */
#define   VTD_CAP_SLLPS GENMASK(37, 34)
#define     VTD_SLLPS_2M BIT(0)
#define     VTD_SLLPS_1G BIT(1)
#define   VTD_CAP_PSI BIT(39)
#define   VTD_CAP_NFR GENMASK(47, 40) /* records - 1 */
#define   VTD_CAP_MAMV GENMASK(53, 48)
#define   VTD_CAP_DWD BIT(54)
#define   VTD_CAP_DRD BIT(55)

#define VTD_ECAP 0x010 /* 64-bit, VT-d 3.4 10.4.3 */
#define   VTD_ECAP_C BIT(0) /* table walks snoop the CPU caches */
#define   VTD_ECAP_QI BIT(1) /* queued invalidation */
#define   VTD_ECAP_DT BIT(2)
#define   VTD_ECAP_IR BIT(3) /* interrupt remapping */
#define   VTD_ECAP_EIM BIT(4)
#define   VTD_ECAP_PT BIT(6) /* pass-through translation type */
#define   VTD_ECAP_SC BIT(7)
#define   VTD_ECAP_IRO GENMASK(17, 8) /* IOTLB registers, 16-byte units */

#define VTD_GCMD 0x018 /* 32-bit, write-only, VT-d 3.4 10.4.4 */
#define   VTD_GCMD_CFI BIT(23)
#define   VTD_GCMD_SIRTP BIT(24)
#define   VTD_GCMD_IRE BIT(25)
#define   VTD_GCMD_QIE BIT(26)
#define   VTD_GCMD_WBF BIT(27)
#define   VTD_GCMD_EAFL BIT(28)
#define   VTD_GCMD_SFL BIT(29)
#define   VTD_GCMD_SRTP BIT(30)
#define   VTD_GCMD_TE BIT(31)

#define VTD_GSTS 0x01c /* 32-bit, read-only, VT-d 3.4 10.4.5 */
#define   VTD_GSTS_CFIS BIT(23)
#define   VTD_GSTS_IRTPS BIT(24)
#define   VTD_GSTS_IRES BIT(25)
#define   VTD_GSTS_QIES BIT(26)
#define   VTD_GSTS_WBFS BIT(27) /* set while the write buffer flushes */
#define   VTD_GSTS_AFLS BIT(28)
#define   VTD_GSTS_FLS BIT(29)
#define   VTD_GSTS_RTPS BIT(30)
#define   VTD_GSTS_TES BIT(31)
/* The enables GCMD must repeat on every write; the rest are one-shot
 * commands (VT-d 3.4 10.4.4, "software must ... preserve"). */
#define   VTD_GSTS_PERSISTENT (VTD_GSTS_TES | VTD_GSTS_QIES | VTD_GSTS_IRES | \
			       VTD_GSTS_CFIS)

#define VTD_RTADDR 0x020 /* 64-bit, VT-d 3.4 10.4.6 */
#define   VTD_RTADDR_TTM GENMASK(11, 10) /* 0: legacy mode */
#define   VTD_RTADDR_RTA GENMASK(63, 12)

#define VTD_CCMD 0x028 /* 64-bit, VT-d 3.4 10.4.7 */
#define   VTD_CCMD_DID GENMASK(15, 0)
#define   VTD_CCMD_SID GENMASK(31, 16)
#define   VTD_CCMD_CAIG GENMASK(60, 59)
#define   VTD_CCMD_CIRG GENMASK(62, 61)
#define     VTD_CCMD_GLOBAL 1ULL
#define     VTD_CCMD_DOMAIN 2ULL
#define   VTD_CCMD_ICC BIT(63) /* set to start, hardware clears */

#define VTD_FSTS 0x034 /* 32-bit, VT-d 3.4 10.4.9 */
#define   VTD_FSTS_PFO BIT(0) /* primary fault overflow, RW1C */
#define   VTD_FSTS_PPF BIT(1) /* a fault record has F set, RO */
#define   VTD_FSTS_IQE BIT(4) /* invalidation queue error, RW1C */
#define   VTD_FSTS_ICE BIT(5)
#define   VTD_FSTS_ITE BIT(6)
#define   VTD_FSTS_FRI GENMASK(15, 8)

#define VTD_FECTL 0x038 /* 32-bit, VT-d 3.4 10.4.10 */
#define   VTD_FECTL_IP BIT(30)
#define   VTD_FECTL_IM BIT(31) /* fault event interrupt masked */

#define VTD_PMEN 0x064 /* 32-bit, VT-d 3.4 10.4.16 */
#define   VTD_PMEN_PRS BIT(0) /* protected region status */
#define   VTD_PMEN_EPM BIT(31) /* enable protected memory */

#define VTD_IQH 0x080 /* 64-bit, VT-d 3.4 10.4.22 */
#define VTD_IQT 0x088 /* 64-bit, VT-d 3.4 10.4.23 */
#define   VTD_IQ_QT GENMASK(18, 4) /* byte offset of the tail */
#define VTD_IQA 0x090 /* 64-bit, VT-d 3.4 10.4.24 */
#define   VTD_IQA_QS GENMASK(2, 0) /* 2^QS pages */
#define   VTD_IQA_DW BIT(11) /* 256-bit descriptors; Keel uses 128 */
#define   VTD_IQA_IQA GENMASK(63, 12)
#define VTD_ICS 0x09c /* 32-bit, VT-d 3.4 10.4.25 */
#define   VTD_ICS_IWC BIT(0)

/* IOTLB registers at ECAP.IRO * 16, VT-d 3.4 10.4.8 */
#define VTD_IVA_OFF 0x0 /* 64-bit, 10.4.8.2 */
#define VTD_IOTLB_OFF 0x8 /* 64-bit, 10.4.8.1 */
#define   VTD_IOTLB_DID GENMASK(47, 32)
#define   VTD_IOTLB_DW BIT(48) /* drain writes */
#define   VTD_IOTLB_DR BIT(49) /* drain reads */
#define   VTD_IOTLB_IIRG GENMASK(61, 60)
#define     VTD_IOTLB_GLOBAL 1ULL
#define     VTD_IOTLB_DOMAIN 2ULL
#define   VTD_IOTLB_IVT BIT(63) /* set to start, hardware clears */

/* Fault recording registers at CAP.FRO * 16, 16 bytes each, VT-d 3.4 10.4.14 */
#define VTD_FRCD_SIZE 16
#define VTD_FRCD_LO 0 /* 64-bit */
#define   VTD_FRCD_FI GENMASK(63, 12) /* faulting page */
#define VTD_FRCD_HI 8 /* 64-bit */
#define   VTD_FRCD_SID GENMASK(15, 0)
#define   VTD_FRCD_FR GENMASK(39, 32) /* fault reason */
#define   VTD_FRCD_T BIT(62) /* 0: write request, 1: read request */
#define   VTD_FRCD_F BIT(63) /* fault recorded, RW1C */

/* ---- In-memory structures ---- */

/* Root entry (128-bit, 256 per table, one per bus), VT-d 3.4 9.1 */
#define VTD_ROOT_P BIT(0)
#define VTD_ROOT_CTP GENMASK(63, 12)

/* Context entry (128-bit, 256 per table, one per devfn), VT-d 3.4 9.3 */
#define VTD_CTX_LO_P BIT(0)
#define VTD_CTX_LO_FPD BIT(1) /* fault processing disable */
#define VTD_CTX_LO_TT GENMASK(3, 2)
#define   VTD_TT_SL 0ULL /* untranslated requests through SL tables */
#define   VTD_TT_PT 2ULL /* pass-through (ECAP.PT) */
#define VTD_CTX_LO_SLPTPTR GENMASK(63, 12)
#define VTD_CTX_HI_AW GENMASK(2, 0) /* 1: 39-bit, 2: 48-bit, 3: 57-bit */
#define VTD_CTX_HI_DID GENMASK(23, 8)

/* Second-level paging entries, VT-d 3.4 9.8 */
#define VTD_SL_R BIT(0)
#define VTD_SL_W BIT(1)
#define VTD_SL_PS BIT(7) /* PDPE: 1G leaf, PDE: 2M leaf */
#define VTD_SL_SNP BIT(11)
#define VTD_SL_ADDR GENMASK(51, 12)

/* Invalidation descriptors (128-bit), VT-d 3.4 6.5.2 */
#define VTD_QI_TYPE GENMASK(3, 0)
#define   VTD_QI_CC 1ULL /* context-cache, 6.5.2.1 */
#define   VTD_QI_IOTLB 2ULL /* IOTLB, 6.5.2.3 */
#define   VTD_QI_WAIT 5ULL /* invalidation wait, 6.5.2.8 */
#define VTD_QI_GRAN GENMASK(5, 4)
#define   VTD_QI_GRAN_GLOBAL 1ULL
#define   VTD_QI_GRAN_DOMAIN 2ULL
#define VTD_QI_CC_DID GENMASK(31, 16)
#define VTD_QI_IOTLB_DW BIT(6)
#define VTD_QI_IOTLB_DR BIT(7)
#define VTD_QI_IOTLB_DID GENMASK(31, 16)
#define VTD_QI_WAIT_SW BIT(5) /* write status data */
#define VTD_QI_WAIT_FN BIT(6) /* fence */
#define VTD_QI_WAIT_DATA GENMASK(63, 32)
#define VTD_QI_DESC_SIZE 16

/* Fault reasons, VT-d 3.4 7.1.3 table 24 (legacy mode) */
#define VTD_FR_ROOT_NP 0x1
#define VTD_FR_CTX_NP 0x2
#define VTD_FR_CTX_BAD 0x3
#define VTD_FR_ADDR_WIDTH 0x4
#define VTD_FR_WRITE 0x5
#define VTD_FR_READ 0x6
#define VTD_FR_PT_ACCESS 0x7
#define VTD_FR_ROOT_ACCESS 0x8
#define VTD_FR_CTX_ACCESS 0x9
#define VTD_FR_ROOT_RSVD 0xa
#define VTD_FR_CTX_RSVD 0xb
#define VTD_FR_PT_RSVD 0xc
#define VTD_FR_TT_BAD 0xd

// clang-format on

#endif

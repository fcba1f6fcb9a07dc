/* SPDX-License-Identifier: MIT */
/*
 * AHCI hardware interface: HBA and port registers with their bits, the
 * in-memory structures the HBA walks (command list, command table, PRDT,
 * received-FIS area) and the Serial ATA FIS layouts.
 *
 * Sources: "Serial ATA AHCI 1.3.1 Specification" (cited "AHCI 1.3.1 x.y")
 * and "Serial ATA Revision 3.2" (FIS layouts: its chapter 10.5, cited with
 * the FIS name). ATA opcodes and IDENTIFY DEVICE are in drivers/ata/ata.h.
 */
#ifndef KEEL_DRIVERS_AHCI_REGS_H
#define KEEL_DRIVERS_AHCI_REGS_H

#include "core/types.h"
#include "drivers/ata/ata.h"

/* PCI identification, AHCI 1.3.1 2.1.2: class 01h, subclass 06h, PI 01h. */
#define AHCI_PCI_CLASS 0x01
#define AHCI_PCI_SUBCLASS 0x06
#define AHCI_PCI_PROG_IF 0x01
#define AHCI_ABAR_BAR 5 /* AHCI 1.3.1 2.1.11: ABAR is BAR5 */

/* ---- Generic host control, AHCI 1.3.1 3.1 ---- */
#define AHCI_CAP 0x00
#define AHCI_GHC 0x04
#define AHCI_IS 0x08
#define AHCI_PI 0x0c
#define AHCI_VS 0x10
#define AHCI_CCC_CTL 0x14
#define AHCI_CCC_PORTS 0x18
#define AHCI_EM_LOC 0x1c
#define AHCI_EM_CTL 0x20
#define AHCI_CAP2 0x24
#define AHCI_BOHC 0x28

/* CAP, AHCI 1.3.1 3.1.1 */
#define AHCI_CAP_NP GENMASK(4, 0) /* number of ports - 1 */
#define AHCI_CAP_SXS BIT(5) /* external SATA */
#define AHCI_CAP_EMS BIT(6) /* enclosure management */
#define AHCI_CAP_CCCS BIT(7) /* command completion coalescing */
#define AHCI_CAP_NCS GENMASK(12, 8) /* number of command slots - 1 */
#define AHCI_CAP_PSC BIT(13) /* partial state capable */
#define AHCI_CAP_SSC BIT(14) /* slumber state capable */
#define AHCI_CAP_PMD BIT(15) /* PIO multiple DRQ block */
#define AHCI_CAP_FBSS BIT(16) /* FIS-based switching */
#define AHCI_CAP_SPM BIT(17) /* port multiplier */
#define AHCI_CAP_SAM BIT(18) /* AHCI mode only */
#define AHCI_CAP_ISS GENMASK(23, 20) /* interface speed */
#define AHCI_CAP_SCLO BIT(24) /* command list override */
#define AHCI_CAP_SAL BIT(25) /* activity LED */
#define AHCI_CAP_SALP BIT(26) /* aggressive link power management */
#define AHCI_CAP_SSS BIT(27) /* staggered spin-up */
#define AHCI_CAP_SMPS BIT(28) /* mechanical presence switch */
#define AHCI_CAP_SSNTF BIT(29) /* SNotification register */
#define AHCI_CAP_SNCQ BIT(30) /* native command queuing */
#define AHCI_CAP_S64A BIT(31) /* 64-bit addressing */

/* GHC, AHCI 1.3.1 3.1.2 */
#define AHCI_GHC_HR BIT(0) /* HBA reset; clears itself when done */
#define AHCI_GHC_IE BIT(1) /* interrupt enable */
#define AHCI_GHC_MRSM BIT(2) /* MSI revert to single message */
#define AHCI_GHC_AE BIT(31) /* AHCI enable */

/* CAP2, AHCI 1.3.1 3.1.10 */
#define AHCI_CAP2_BOH BIT(0) /* BIOS/OS handoff */
#define AHCI_CAP2_NVMP BIT(1)
#define AHCI_CAP2_APST BIT(2)
#define AHCI_CAP2_SDS BIT(3)
#define AHCI_CAP2_SADM BIT(4)
#define AHCI_CAP2_DESO BIT(5)

/* BOHC, AHCI 1.3.1 3.1.11 */
#define AHCI_BOHC_BOS BIT(0) /* BIOS owned semaphore */
#define AHCI_BOHC_OOS BIT(1) /* OS owned semaphore */
#define AHCI_BOHC_SOOE BIT(2) /* SMI on OS ownership change enable */
#define AHCI_BOHC_OOC BIT(3) /* OS ownership change */
#define AHCI_BOHC_BB BIT(4) /* BIOS busy */

/* ---- Port registers, AHCI 1.3.1 3.3 ---- */
#define AHCI_MAX_PORTS 32
#define AHCI_PORT_BASE 0x100
#define AHCI_PORT_STRIDE 0x80
#define AHCI_ABAR_SIZE (AHCI_PORT_BASE + AHCI_MAX_PORTS * AHCI_PORT_STRIDE)

#define AHCI_PxCLB 0x00 /* 3.3.1, 1 KiB aligned */
#define AHCI_PxCLBU 0x04 /* 3.3.2 */
#define AHCI_PxFB 0x08 /* 3.3.3, 256 B aligned */
#define AHCI_PxFBU 0x0c /* 3.3.4 */
#define AHCI_PxIS 0x10 /* 3.3.5 */
#define AHCI_PxIE 0x14 /* 3.3.6 */
#define AHCI_PxCMD 0x18 /* 3.3.7 */
#define AHCI_PxTFD 0x20 /* 3.3.8 */
#define AHCI_PxSIG 0x24 /* 3.3.9 */
#define AHCI_PxSSTS 0x28 /* 3.3.10 */
#define AHCI_PxSCTL 0x2c /* 3.3.11 */
#define AHCI_PxSERR 0x30 /* 3.3.12 */
#define AHCI_PxSACT 0x34 /* 3.3.13 */
#define AHCI_PxCI 0x38 /* 3.3.14 */
#define AHCI_PxSNTF 0x3c /* 3.3.15 */
#define AHCI_PxFBS 0x40 /* 3.3.16 */
#define AHCI_PxDEVSLP 0x44 /* 3.3.17 */

/* PxIS and PxIE, AHCI 1.3.1 3.3.5 / 3.3.6 (same bit positions) */
#define AHCI_PxIS_DHRS BIT(0) /* D2H register FIS received */
#define AHCI_PxIS_PSS BIT(1) /* PIO setup FIS received */
#define AHCI_PxIS_DSS BIT(2) /* DMA setup FIS received */
#define AHCI_PxIS_SDBS BIT(3) /* set device bits FIS received */
#define AHCI_PxIS_UFS BIT(4) /* unknown FIS */
#define AHCI_PxIS_DPS BIT(5) /* descriptor processed */
#define AHCI_PxIS_PCS BIT(6) /* port connect change */
#define AHCI_PxIS_DMPS BIT(7) /* device mechanical presence */
#define AHCI_PxIS_PRCS BIT(22) /* PhyRdy change */
#define AHCI_PxIS_IPMS BIT(23) /* incorrect port multiplier */
#define AHCI_PxIS_OFS BIT(24) /* overflow */
#define AHCI_PxIS_INFS BIT(26) /* interface non-fatal error */
#define AHCI_PxIS_IFS BIT(27) /* interface fatal error */
#define AHCI_PxIS_HBDS BIT(28) /* host bus data error */
#define AHCI_PxIS_HBFS BIT(29) /* host bus fatal error */
#define AHCI_PxIS_TFES BIT(30) /* task file error */
#define AHCI_PxIS_CPDS BIT(31) /* cold port detect */
/*
 * The statuses that stop the port's command processing and need software
 * recovery (AHCI 1.3.1 6.1.2 fatal errors, 6.1.3 TFES). INFS and OFS are
 * recoverable by the HBA itself but still mean a command went wrong.
 */
#define AHCI_PxIS_FATAL                                                     \
	(AHCI_PxIS_TFES | AHCI_PxIS_HBFS | AHCI_PxIS_HBDS | AHCI_PxIS_IFS | \
	 AHCI_PxIS_OFS)
#define AHCI_PxIS_ERROR (AHCI_PxIS_FATAL | AHCI_PxIS_INFS | AHCI_PxIS_IPMS)

/* PxCMD, AHCI 1.3.1 3.3.7 */
#define AHCI_PxCMD_ST BIT(0) /* start: process the command list */
#define AHCI_PxCMD_SUD BIT(1) /* spin-up device */
#define AHCI_PxCMD_POD BIT(2) /* power on device */
#define AHCI_PxCMD_CLO BIT(3) /* command list override */
#define AHCI_PxCMD_FRE BIT(4) /* FIS receive enable */
#define AHCI_PxCMD_CCS GENMASK(12, 8) /* current command slot */
#define AHCI_PxCMD_MPSS BIT(13)
#define AHCI_PxCMD_FR BIT(14) /* FIS receive running */
#define AHCI_PxCMD_CR BIT(15) /* command list running */
#define AHCI_PxCMD_CPS BIT(16)
#define AHCI_PxCMD_PMA BIT(17)
#define AHCI_PxCMD_HPCP BIT(18)
#define AHCI_PxCMD_MPSP BIT(19)
#define AHCI_PxCMD_CPD BIT(20) /* cold presence detection */
#define AHCI_PxCMD_ESP BIT(21)
#define AHCI_PxCMD_FBSCP BIT(22)
#define AHCI_PxCMD_APSTE BIT(23)
#define AHCI_PxCMD_ATAPI BIT(24)
#define AHCI_PxCMD_DLAE BIT(25)
#define AHCI_PxCMD_ALPE BIT(26)
#define AHCI_PxCMD_ASP BIT(27)
#define AHCI_PxCMD_ICC GENMASK(31, 28) /* interface communication control */
#define AHCI_PxCMD_ICC_ACTIVE 1

/* PxTFD, AHCI 1.3.1 3.3.8: a copy of the device's Status and Error */
#define AHCI_PxTFD_STS GENMASK(7, 0)
#define AHCI_PxTFD_ERR GENMASK(15, 8)
#define ATA_STS_ERR BIT(0) /* ACS-3 6.2, Status field */
#define ATA_STS_DRQ BIT(3)
#define ATA_STS_DF BIT(5)
#define ATA_STS_DRDY BIT(6)
#define ATA_STS_BSY BIT(7)
#define ATA_ERR_ABRT BIT(2) /* ACS-3 6.2, Error field */
#define ATA_ERR_IDNF BIT(4)
#define ATA_ERR_UNC BIT(6)
#define ATA_ERR_ICRC BIT(7)

/* PxSIG, AHCI 1.3.1 3.3.9; values from SATA 3.2 (device signatures) */
#define AHCI_SIG_ATA 0x00000101
#define AHCI_SIG_ATAPI 0xeb140101
#define AHCI_SIG_SEMB 0xc33c0101
#define AHCI_SIG_PM 0x96690101

/* PxSSTS, AHCI 1.3.1 3.3.10 */
#define AHCI_PxSSTS_DET GENMASK(3, 0)
#define AHCI_PxSSTS_SPD GENMASK(7, 4)
#define AHCI_PxSSTS_IPM GENMASK(11, 8)
#define AHCI_DET_NONE 0 /* no device, no phy communication */
#define AHCI_DET_PRESENT 1 /* device present, no phy communication */
#define AHCI_DET_ESTABLISHED 3 /* device present and phy established */
#define AHCI_DET_OFFLINE 4 /* phy offline (disabled or loopback) */
#define AHCI_IPM_ACTIVE 1

/* PxSCTL, AHCI 1.3.1 3.3.11 */
#define AHCI_PxSCTL_DET GENMASK(3, 0)
#define AHCI_PxSCTL_SPD GENMASK(7, 4)
#define AHCI_PxSCTL_IPM GENMASK(11, 8)
#define AHCI_SCTL_DET_NONE 0
#define AHCI_SCTL_DET_COMRESET 1
/* IPM=3: transitions to Partial and Slumber disabled (keeps the link up) */
#define AHCI_SCTL_IPM_NO_PARTIAL_SLUMBER 3

/* PxSERR, AHCI 1.3.1 3.3.12: ERR in 15:0, DIAG in 31:16; write 1 to clear */
#define AHCI_PxSERR_ERR_I BIT(0) /* recovered data integrity error */
#define AHCI_PxSERR_ERR_M BIT(1) /* recovered communications error */
#define AHCI_PxSERR_ERR_T BIT(8) /* transient data integrity error */
#define AHCI_PxSERR_ERR_C BIT(9) /* persistent communication error */
#define AHCI_PxSERR_ERR_P BIT(10) /* protocol error */
#define AHCI_PxSERR_ERR_E BIT(11) /* internal error */
#define AHCI_PxSERR_DIAG_N BIT(16) /* PhyRdy change */
#define AHCI_PxSERR_DIAG_I BIT(17) /* phy internal error */
#define AHCI_PxSERR_DIAG_W BIT(18) /* comm wake */
#define AHCI_PxSERR_DIAG_B BIT(19) /* 10B to 8B decode error */
#define AHCI_PxSERR_DIAG_D BIT(20) /* disparity error */
#define AHCI_PxSERR_DIAG_C BIT(21) /* CRC error */
#define AHCI_PxSERR_DIAG_H BIT(22) /* handshake error */
#define AHCI_PxSERR_DIAG_S BIT(23) /* link sequence error */
#define AHCI_PxSERR_DIAG_T BIT(24) /* transport state transition error */
#define AHCI_PxSERR_DIAG_F BIT(25) /* unknown FIS type */
#define AHCI_PxSERR_DIAG_X BIT(26) /* exchanged (COMINIT seen) */
/* Errors that mean a command's data may be bad (recovered ones do not). */
#define AHCI_PxSERR_FATAL                                            \
	(AHCI_PxSERR_ERR_T | AHCI_PxSERR_ERR_C | AHCI_PxSERR_ERR_P | \
	 AHCI_PxSERR_ERR_E)

/* ---- Memory structures, AHCI 1.3.1 4.2 ---- */
#define AHCI_CMD_LIST_ALIGN 1024 /* 3.3.1 PxCLB */
#define AHCI_FIS_ALIGN 256 /* 3.3.3 PxFB, FBS off */
#define AHCI_CMD_TABLE_ALIGN 128 /* 4.2.2 CTBA */
#define AHCI_MAX_SLOTS 32

/* Received FIS structure, AHCI 1.3.1 4.2.1 (256 bytes) */
struct ahci_rx_fis {
	u8 dsfis[0x1c]; /* DMA setup FIS */
	u8 rsvd0[0x04];
	u8 psfis[0x14]; /* PIO setup FIS */
	u8 rsvd1[0x0c];
	u8 rfis[0x14]; /* D2H register FIS */
	u8 rsvd2[0x04];
	u8 sdbfis[0x08]; /* set device bits FIS */
	u8 ufis[0x40]; /* unknown FIS */
	u8 rsvd3[0x60];
};
_Static_assert(sizeof(struct ahci_rx_fis) == 256, "AHCI 1.3.1 4.2.1");
_Static_assert(offsetof(struct ahci_rx_fis, psfis) == 0x20, "PSFIS");
_Static_assert(offsetof(struct ahci_rx_fis, rfis) == 0x40, "RFIS");
_Static_assert(offsetof(struct ahci_rx_fis, sdbfis) == 0x58, "SDBFIS");
_Static_assert(offsetof(struct ahci_rx_fis, ufis) == 0x60, "UFIS");

/* Command header, AHCI 1.3.1 4.2.2 (32 bytes, 32 per command list) */
struct ahci_cmd_hdr {
	u32 dw0; /* PRDTL, PMP, flags, CFL */
	u32 prdbc; /* PRD byte count, written by the HBA */
	u32 ctba; /* command table base, 128 B aligned */
	u32 ctbau;
	u32 rsvd[4];
};
_Static_assert(sizeof(struct ahci_cmd_hdr) == 32, "AHCI 1.3.1 4.2.2");

#define AHCI_HDR_CFL GENMASK(4, 0) /* command FIS length in dwords */
#define AHCI_HDR_A BIT(5) /* ATAPI */
#define AHCI_HDR_W BIT(6) /* write: host to device */
#define AHCI_HDR_P BIT(7) /* prefetchable */
#define AHCI_HDR_R BIT(8) /* reset */
#define AHCI_HDR_B BIT(9) /* BIST */
#define AHCI_HDR_C BIT(10) /* clear busy upon R_OK */
#define AHCI_HDR_PMP GENMASK(15, 12)
#define AHCI_HDR_PRDTL GENMASK(31, 16) /* PRDT entries */
#define AHCI_HDR_MAX_PRDTL 65535

/* Physical region descriptor, AHCI 1.3.1 4.2.3.3 */
struct ahci_prd {
	u32 dba; /* data base address; bit 0 reserved: word aligned */
	u32 dbau;
	u32 rsvd;
	u32 dbc; /* byte count - 1 (bit 0 always 1) and I */
};
_Static_assert(sizeof(struct ahci_prd) == 16, "AHCI 1.3.1 4.2.3.3");

#define AHCI_PRD_DBC GENMASK(21, 0)
#define AHCI_PRD_I BIT(31) /* interrupt on completion */
#define AHCI_PRD_MAX_BYTES MiB(4) /* 22-bit DBC holds 4 MiB - 1 */
#define AHCI_PRD_ALIGN 2 /* DBA bit 0 reserved, DBC must be odd */

/* Command table, AHCI 1.3.1 4.2.3: CFIS, ACMD, then the PRDT at 80h */
struct ahci_cmd_table {
	u8 cfis[64];
	u8 acmd[16];
	u8 rsvd[48];
	struct ahci_prd prdt[]; /* as many as the table's allocation holds */
};
_Static_assert(sizeof(struct ahci_cmd_table) == 0x80, "AHCI 1.3.1 4.2.3");
_Static_assert(offsetof(struct ahci_cmd_table, prdt) == 0x80, "PRDT at 80h");

/* ---- FIS layouts, SATA 3.2 10.5 ---- */
#define FIS_TYPE_REG_H2D 0x27
#define FIS_TYPE_REG_D2H 0x34
#define FIS_TYPE_DMA_ACT 0x39
#define FIS_TYPE_DMA_SETUP 0x41
#define FIS_TYPE_DATA 0x46
#define FIS_TYPE_BIST 0x58
#define FIS_TYPE_PIO_SETUP 0x5f
#define FIS_TYPE_SDB 0xa1 /* set device bits */

/* Register host to device FIS, SATA 3.2 10.5 */
struct fis_reg_h2d {
	u8 type; /* FIS_TYPE_REG_H2D */
	u8 flags; /* C bit 7, PM port 3:0 */
	u8 command;
	u8 feature_lo;
	u8 lba0, lba1, lba2;
	u8 device;
	u8 lba3, lba4, lba5;
	u8 feature_hi;
	u8 count_lo, count_hi;
	u8 icc;
	u8 control;
	u8 aux[4];
};
_Static_assert(sizeof(struct fis_reg_h2d) == 20, "SATA 3.2 10.5");
#define FIS_H2D_C BIT(7) /* this FIS carries a command */
#define FIS_H2D_DWORDS (sizeof(struct fis_reg_h2d) / 4)

/* Register device to host FIS, SATA 3.2 10.5 */
struct fis_reg_d2h {
	u8 type;
	u8 flags; /* I bit 6 */
	u8 status;
	u8 error;
	u8 lba0, lba1, lba2;
	u8 device;
	u8 lba3, lba4, lba5;
	u8 rsvd0;
	u8 count_lo, count_hi;
	u8 rsvd1[6];
};
_Static_assert(sizeof(struct fis_reg_d2h) == 20, "SATA 3.2 10.5");

/* Set device bits FIS, SATA 3.2 10.5 (NCQ completions) */
struct fis_sdb {
	u8 type;
	u8 flags; /* I bit 6, N bit 7 */
	u8 status; /* hi 6:4, lo 2:0 */
	u8 error;
	u32 sactive; /* tags completed by this FIS */
};
_Static_assert(sizeof(struct fis_sdb) == 8, "SATA 3.2 10.5");

/* DMA setup FIS, SATA 3.2 10.5 */
struct fis_dma_setup {
	u8 type;
	u8 flags; /* D bit 5, I bit 6, A bit 7 */
	u8 rsvd0[2];
	u32 buf_id_lo, buf_id_hi;
	u32 rsvd1;
	u32 buf_offset;
	u32 count;
	u32 rsvd2;
};
_Static_assert(sizeof(struct fis_dma_setup) == 28, "SATA 3.2 10.5");

/* PIO setup FIS, SATA 3.2 10.5 */
struct fis_pio_setup {
	u8 type;
	u8 flags; /* D bit 5, I bit 6 */
	u8 status;
	u8 error;
	u8 lba0, lba1, lba2;
	u8 device;
	u8 lba3, lba4, lba5;
	u8 rsvd0;
	u8 count_lo, count_hi;
	u8 rsvd1;
	u8 e_status;
	u16 xfer_count;
	u8 rsvd2[2];
};
_Static_assert(sizeof(struct fis_pio_setup) == 20, "SATA 3.2 10.5");

#endif

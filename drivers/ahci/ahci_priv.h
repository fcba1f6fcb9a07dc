/* SPDX-License-Identifier: MIT */
/*
 * AHCI driver internals shared by ahci.c (controller), ahci_port.c (ports
 * and commands) and ahci_err.c (error recovery).
 */
#ifndef KEEL_DRIVERS_AHCI_PRIV_H
#define KEEL_DRIVERS_AHCI_PRIV_H

#include "arch/x86/arch.h"
#include "core/console.h"
#include "drivers/ahci/ahci.h"
#include "drivers/ahci/ahci_regs.h"

/* Timeouts, each named after what it waits for. */
#define AHCI_HR_TIMEOUT_US 1000000 /* GHC.HR: AHCI 1.3.1 10.4.3, 1 s */
#define AHCI_STOP_TIMEOUT_US 500000 /* CR / FR clear: 10.3.2, 500 ms */
#define AHCI_BOH_TIMEOUT_US 25000 /* BOS clear: 10.6, 25 ms */
#define AHCI_BOH_BUSY_TIMEOUT_US 2000000 /* BIOS busy: 10.6, 2 s */
#define AHCI_COMRESET_HOLD_US 1000 /* DET=1 held >= 1 ms: 10.4.2 */
#define AHCI_LINK_TIMEOUT_US 20000 /* DET=3 after reset: SATA ~10 ms */
#define AHCI_BSY_TIMEOUT_US 10000000 /* device ready (spin-up) */
#define AHCI_SYNC_TIMEOUT_US 5000000 /* IDENTIFY, READ LOG EXT */
#define AHCI_IO_TIMEOUT_US 10000000 /* a read or write */
#define AHCI_FLUSH_TIMEOUT_US 30000000 /* a cache flush */
#define AHCI_POLL_STEP_US 10
#define AHCI_MAX_RETRIES 2 /* reissues of a command hit by others' errors */

struct ahci_hba;

/* A port's page: the command list and the received-FIS area. */
struct ahci_port_mem {
	struct ahci_cmd_hdr cl[AHCI_MAX_SLOTS];
	struct ahci_rx_fis rx;
};
_Static_assert(sizeof(struct ahci_port_mem) <= PAGE_SIZE, "one page");
_Static_assert(offsetof(struct ahci_port_mem, rx) % AHCI_FIS_ALIGN == 0,
	       "PxFB alignment");
_Static_assert(PAGE_SIZE % AHCI_CMD_LIST_ALIGN == 0, "PxCLB alignment");

struct ahci_port {
	struct ahci_hba *hba;
	unsigned int num; /* port number on the HBA */
	volatile u8 *regs;
	phys_addr_t mem; /* page: command list at 0, received FIS at 400h */
	struct ahci_cmd_hdr *cl;
	struct ahci_rx_fis *rx;
	phys_addr_t tables; /* nslots pages, one command table each */
	phys_addr_t scratch; /* one page for IDENTIFY and log data */
	unsigned int nslots; /* command tables allocated */
	u32 active; /* slots issued and not yet completed */
	u32 ncq_active; /* subset issued as NCQ */
	struct ahci_cmd *slot_cmd[AHCI_MAX_SLOTS];
	/*
	 * Commands caught in an error, rerun one at a time (solo) before
	 * anything new, so that a second failure names its command.
	 */
	struct ahci_cmd *retry_q[AHCI_MAX_SLOTS];
	unsigned int nretry;
	bool solo; /* a retried command runs alone */
	bool dead; /* recovery failed; every command fails with -ENODEV */
};

struct ahci_disk {
	struct ahci_port port;
	struct ata_identity id;
	char name[8];
	u32 depth; /* slots in use: 1 without NCQ */
	u32 max_depth;
	bool ncq; /* queue with FPDMA commands */
	bool can_ncq; /* disk and HBA both support NCQ */
	struct ahci_queue_limits limits;
	struct ahci_stats stats;
};

struct ahci_hba {
	unsigned int num;
	volatile u8 *abar;
	u32 cap, cap2, pi;
	unsigned int nslots; /* CAP.NCS + 1 */
	bool dma64;
};

static inline u32 hba_read(struct ahci_hba *h, u32 reg)
{
	return mmio_read32(h->abar + reg);
}

static inline void hba_write(struct ahci_hba *h, u32 reg, u32 v)
{
	mmio_write32(h->abar + reg, v);
}

static inline u32 port_read(struct ahci_port *p, u32 reg)
{
	return mmio_read32(p->regs + reg);
}

static inline void port_write(struct ahci_port *p, u32 reg, u32 v)
{
	mmio_write32(p->regs + reg, v);
}

/*
 * The one DMA mapping hook: CPU physical address to the address the HBA
 * uses. Identity today; an IOMMU domain for the HBA plugs in here.
 */
static inline u64 ahci_dma_map(u64 phys)
{
	return phys;
}

#define ahci_port_info(p, fmt, ...) \
	pr_info("keel: ahci%u.%u: " fmt, (p)->hba->num, (p)->num, ##__VA_ARGS__)
#define ahci_port_err(p, fmt, ...) \
	pr_err("keel: ahci%u.%u: " fmt, (p)->hba->num, (p)->num, ##__VA_ARGS__)
#define ahci_port_warn(p, fmt, ...) \
	pr_warn("keel: ahci%u.%u: " fmt, (p)->hba->num, (p)->num, ##__VA_ARGS__)

static inline struct ahci_disk *port_disk(struct ahci_port *p)
{
	return container_of(p, struct ahci_disk, port);
}

/*
 * Poll until (read(reg) & mask) == want or @timeout_us passes. Returns 0, or
 * -ETIMEDOUT after printing a warning naming @what.
 */
int ahci_wait(volatile u8 *base, u32 reg, u32 mask, u32 want, u64 timeout_us,
	      const char *what);

/* ahci_port.c */
int ahci_port_stop(struct ahci_port *p);
int ahci_port_stop_cmd(struct ahci_port *p);
int ahci_port_start(struct ahci_port *p);
int ahci_port_comreset(struct ahci_port *p);
int ahci_port_probe(struct ahci_hba *h, unsigned int num, struct ahci_disk *d);
int ahci_issue(struct ahci_disk *d, struct ahci_cmd *cmd, bool solo);
void ahci_drain_retries(struct ahci_disk *d);
int ahci_exec_sync(struct ahci_port *p, const struct fis_reg_h2d *fis,
		   phys_addr_t buf, u32 len, bool write, u64 timeout_us);
void ahci_fis_lba(struct fis_reg_h2d *f, u64 lba);
void ahci_complete_slot(struct ahci_port *p, unsigned int slot, int status);

/* ahci_err.c */
void ahci_port_recover(struct ahci_disk *d, u32 is, u32 timed_out);

#endif

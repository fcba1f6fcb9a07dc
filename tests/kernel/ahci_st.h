/* SPDX-License-Identifier: MIT */
/*
 * What test=ahci and test=ahci-error share (tests/kernel/ahci_st.c): a
 * request with its own buffer and segment list, which goes down through
 * the driver API (ahci_submit) or as a bio through the block layer, and
 * the TEST line reporting. Only tests/kernel/ahci_*.c include this.
 */
#ifndef KEEL_TESTS_KERNEL_AHCI_ST_H
#define KEEL_TESTS_KERNEL_AHCI_ST_H

#include "block/block.h"
#include "core/lib.h"
#include "drivers/ahci/ahci.h"
#include "tests/kernel/ahci_pattern.h"

#define ST_MAX_REQS 32 /* the largest "repeat" in the table */
#define ST_TIMEOUT_US 120000000ULL /* one batch of requests, TCG is slow */
#define ST_POISON 0xa5
#define ST_POLL_STEP_US 10 /* between polls while waiting */

struct st_req {
	struct ahci_cmd cmd;
	struct bio bio; /* the block-layer pass */
	struct ahci_seg *segs; /* in segs_mem */
	phys_addr_t segs_mem, data;
	u64 segs_pages, data_pages;
	bool done;
	int status;
};

extern struct st_req st_reqs[ST_MAX_REQS];
/* Counts of the TEST lines st_report() printed since the last reset. */
extern unsigned int st_passed, st_failed;

/* "TEST ahci.<name> PASS|FAIL [detail]", counted. */
void st_report(bool ok, const char *name, const char *detail);
struct ahci_queue_state st_qstate(const struct ahci_disk *d);
u64 st_disk_errors(const struct ahci_disk *d);

/* Completions that mark an st_req done with its status. */
void st_done(struct ahci_cmd *cmd, int status);
void st_bio_done(struct bio *bio);

bool st_req_alloc(struct st_req *r, enum ahci_buf_layout layout, u32 nsect);
void st_req_free(struct st_req *r);
void st_req_fill(struct st_req *r, u64 lba);
long st_req_check(struct st_req *r, u64 lba);
/* Through the driver: submit @n together and poll until all are done. */
int st_run_reqs(struct ahci_disk *d, struct st_req *r, unsigned int n);
/* Through the block layer: @r as a bio of @op, then @n under one plug. */
int st_req_to_bio(struct blk_dev *dev, struct st_req *r,
		  enum ahci_buf_layout layout, unsigned int op, u16 flags);
int st_run_bios(struct blk_dev *dev, struct st_req *r, unsigned int n);

#endif

// SPDX-License-Identifier: MIT
/*
 * Host tests for the VT-d command side (vtd_inv.c) and fault polling
 * (vtd_fault.c) against a fake register file that behaves like QEMU's
 * intel-iommu where it matters: GCMD reflects into GSTS, CCMD.ICC and
 * IOTLB.IVT clear when done (and never once queued invalidation is on), the
 * invalidation queue runs on a tail write and wait descriptors write their
 * status, fault records are write-1-to-clear. Each test asserts the order
 * of what reached the hardware.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iommu/vtd.h"
#include "core/console.h"

/* ---- printk: kept so tests can count lines ---- */
static char logbuf[1 << 16];
static size_t loglen;

int printk(int level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
	va_end(ap);
	if (n > 0)
		loglen = MIN(loglen + (size_t)n, sizeof(logbuf) - 1);
	return n;
}

static unsigned int log_count(const char *s)
{
	unsigned int n = 0;
	const char *p = logbuf;

	while ((p = strstr(p, s))) {
		n++;
		p += strlen(s);
	}
	return n;
}

static void log_clear(void)
{
	loglen = 0;
	logbuf[0] = 0;
}

/* ---- The fake unit ---- */
#define QEMU_CAP 0x00d2008c22260206ULL
#define QEMU_ECAP 0xf00f4aULL
#define FRO 0x220
#define IRO 0xf0
#define OPS_MAX 64

struct fake {
	u8 regs[VTD_REG_SIZE];
	u64 now;
	char ops[OPS_MAX][48]; /* what reached the hardware, in order */
	unsigned int n_ops;
	bool stuck_rtps; /* never report the root pointer as set */
	unsigned int wbf_busy; /* GSTS reads WBFS stays set for */
	u64 *iq; /* the queue memory, found by its "physical" address */
	phys_addr_t iq_pa;
	volatile u32 *status;
	phys_addr_t status_pa;
	u64 iqh;
};

static void op(struct fake *f, const char *fmt, ...)
{
	va_list ap;

	assert_true(f->n_ops < OPS_MAX);
	va_start(ap, fmt);
	vsnprintf(f->ops[f->n_ops++], sizeof(f->ops[0]), fmt, ap);
	va_end(ap);
}

static u32 raw32(struct fake *f, u32 off)
{
	u32 v;

	memcpy(&v, f->regs + off, 4);
	return v;
}

static u64 raw64(struct fake *f, u32 off)
{
	u64 v;

	memcpy(&v, f->regs + off, 8);
	return v;
}

static void set32(struct fake *f, u32 off, u32 v)
{
	memcpy(f->regs + off, &v, 4);
}

static void set64(struct fake *f, u32 off, u64 v)
{
	memcpy(f->regs + off, &v, 8);
}

static bool qie(struct fake *f)
{
	return raw32(f, VTD_GSTS) & VTD_GSTS_QIES;
}

static u32 f_read32(void *ctx, u32 off)
{
	struct fake *f = ctx;

	if (off == VTD_GSTS && f->wbf_busy && !--f->wbf_busy)
		set32(f, VTD_GSTS, raw32(f, VTD_GSTS) & ~VTD_GSTS_WBFS);
	if (off == VTD_FSTS) {
		u32 v = raw32(f, off) & ~VTD_FSTS_PPF;
		u32 cap_nfr = FIELD_GET(VTD_CAP_NFR, raw64(f, VTD_CAP)) + 1;

		for (u32 i = 0; i < cap_nfr; i++)
			if (raw64(f, FRO + i * 16 + 8) & VTD_FRCD_F)
				v |= VTD_FSTS_PPF;
		return v;
	}
	return raw32(f, off);
}

static u64 f_read64(void *ctx, u32 off)
{
	return raw64(ctx, off);
}

static void run_queue(struct fake *f, u64 tail)
{
	while (f->iqh != tail) {
		u64 *d = &f->iq[f->iqh / 8];
		u64 type = FIELD_GET(VTD_QI_TYPE, d[0]);

		if (type == VTD_QI_WAIT) {
			op(f, "qi wait");
			assert_true(d[0] & VTD_QI_WAIT_SW);
			assert_int_equal(d[1], f->status_pa);
			*f->status = FIELD_GET(VTD_QI_WAIT_DATA, d[0]);
		} else if (type == VTD_QI_CC) {
			op(f, "qi cc gran %llu",
			   (unsigned long long)FIELD_GET(VTD_QI_GRAN, d[0]));
		} else if (type == VTD_QI_IOTLB) {
			op(f, "qi iotlb gran %llu did %llu%s",
			   (unsigned long long)FIELD_GET(VTD_QI_GRAN, d[0]),
			   (unsigned long long)FIELD_GET(VTD_QI_IOTLB_DID,
							 d[0]),
			   (d[0] & VTD_QI_IOTLB_DR) &&
					   (d[0] & VTD_QI_IOTLB_DW) ?
				   " drain" :
				   "");
		} else {
			fail_msg("unknown descriptor type %llu",
				 (unsigned long long)type);
		}
		f->iqh = (f->iqh + 16) % 4096;
	}
	set64(f, VTD_IQH, f->iqh);
}

static void f_write32(void *ctx, u32 off, u32 v)
{
	struct fake *f = ctx;
	u32 sts = raw32(f, VTD_GSTS);
	const u32 mirror = VTD_GCMD_TE | VTD_GCMD_QIE | VTD_GCMD_IRE |
			   VTD_GCMD_CFI;

	if (off == VTD_GCMD) {
		op(f, "gcmd 0x%08x", v);
		/* The enables follow the command; one-shots act once. */
		sts = (sts & ~mirror) | (v & mirror);
		if ((v & VTD_GCMD_SRTP) && !f->stuck_rtps)
			sts |= VTD_GSTS_RTPS;
		if (v & VTD_GCMD_WBF) {
			sts |= VTD_GSTS_WBFS;
			f->wbf_busy = 3;
		}
		if ((v & VTD_GCMD_QIE) && !(raw32(f, VTD_GSTS) & VTD_GSTS_QIES))
			f->iqh = 0;
		set32(f, VTD_GSTS, sts);
	} else if (off == VTD_FSTS) {
		set32(f, off,
		      raw32(f, off) & ~(v & (VTD_FSTS_PFO | VTD_FSTS_IQE)));
	} else if (off >= FRO && off < FRO + 16 * 8 && (off & 15) == 12) {
		if (v & (u32)(VTD_FRCD_F >> 32)) /* RW1C */
			set32(f, off, raw32(f, off) & ~(u32)(VTD_FRCD_F >> 32));
	} else {
		set32(f, off, v);
	}
}

static void f_write64(void *ctx, u32 off, u64 v)
{
	struct fake *f = ctx;

	if (off == VTD_CCMD) {
		op(f, "ccmd gran %llu",
		   (unsigned long long)FIELD_GET(VTD_CCMD_CIRG, v));
		/* QEMU refuses register-based invalidation once QI is on. */
		set64(f, off, qie(f) ? v : v & ~VTD_CCMD_ICC);
	} else if (off == IRO + VTD_IOTLB_OFF) {
		op(f, "iotlb gran %llu did %llu%s",
		   (unsigned long long)FIELD_GET(VTD_IOTLB_IIRG, v),
		   (unsigned long long)FIELD_GET(VTD_IOTLB_DID, v),
		   (v & VTD_IOTLB_DR) && (v & VTD_IOTLB_DW) ? " drain" : "");
		set64(f, off, qie(f) ? v : v & ~VTD_IOTLB_IVT);
	} else if (off == VTD_IQT) {
		set64(f, off, v);
		if (qie(f))
			run_queue(f, v & VTD_IQ_QT);
	} else if (off == VTD_RTADDR) {
		op(f, "rtaddr 0x%llx", (unsigned long long)v);
		set64(f, off, v);
	} else if (off == VTD_IQA) {
		op(f, "iqa 0x%llx", (unsigned long long)v);
		set64(f, off, v);
	} else {
		set64(f, off, v);
	}
}

static u64 f_now(void *ctx)
{
	return ((struct fake *)ctx)->now += 10;
}

struct fixture {
	struct fake fake;
	struct vtd_io io;
	struct vtd_hw hw;
	u64 *iq;
	u32 status;
};

static struct fixture *setup(u64 cap, u64 ecap)
{
	struct fixture *x = calloc(1, sizeof(*x));

	set32(&x->fake, VTD_VER, 0x10);
	set64(&x->fake, VTD_CAP, cap);
	set64(&x->fake, VTD_ECAP, ecap);
	x->io = (struct vtd_io){ .read32 = f_read32,
				 .read64 = f_read64,
				 .write32 = f_write32,
				 .write64 = f_write64,
				 .now_us = f_now,
				 .ctx = &x->fake };
	vtd_hw_init(&x->hw, &x->io);
	x->iq = aligned_alloc(4096, 4096);
	memset(x->iq, 0, 4096);
	x->fake.iq = x->iq;
	x->fake.iq_pa = 0x5000;
	x->fake.status = &x->status;
	x->fake.status_pa = 0x6000;
	log_clear();
	return x;
}

static void teardown(struct fixture *x)
{
	free(x->iq);
	free(x);
}

static void expect_ops(struct fixture *x, const char *const *want,
		       unsigned int n)
{
	unsigned int i;

	if (x->fake.n_ops != n)
		for (i = 0; i < x->fake.n_ops; i++)
			printf("  op %u: %s\n", i, x->fake.ops[i]);
	assert_int_equal(x->fake.n_ops, n);
	for (i = 0; i < n; i++)
		assert_string_equal(x->fake.ops[i], want[i]);
}

/* ---- Register-based ---- */

static void test_register_based_sequence(void **state)
{
	/* RWBF set, no QI: the write buffer flush comes first. */
	struct fixture *x =
		setup(QEMU_CAP | VTD_CAP_RWBF, QEMU_ECAP & ~VTD_ECAP_QI);
	static const char *const want[] = {
		"rtaddr 0x123000",
		"gcmd 0x40000000", /* SRTP */
		"gcmd 0x08000000", /* WBF */
		"ccmd gran 1",
		"iotlb gran 1 did 0 drain",
		"gcmd 0x80000000", /* TE */
		"iotlb gran 2 did 7 drain",
	};

	assert_int_equal(vtd_set_root(&x->hw, 0x123000), 0);
	assert_int_equal(vtd_inv_all(&x->hw), 0);
	assert_int_equal(vtd_set_translation(&x->hw, true), 0);
	assert_true(f_read32(&x->fake, VTD_GSTS) & VTD_GSTS_TES);
	assert_int_equal(vtd_inv_iotlb_domain(&x->hw, 7), 0);
	expect_ops(x, want, ARRAY_SIZE(want));
	assert_false(raw64(&x->fake, VTD_CCMD) & VTD_CCMD_ICC);
	teardown(x);
}

static void test_no_rwbf_no_flush(void **state)
{
	struct fixture *x = setup(QEMU_CAP, QEMU_ECAP & ~VTD_ECAP_QI);
	static const char *const want[] = {
		"ccmd gran 1",
		"iotlb gran 1 did 0 drain",
	};

	assert_int_equal(vtd_inv_all(&x->hw), 0);
	expect_ops(x, want, ARRAY_SIZE(want));
	teardown(x);
}

/* ---- Queued ---- */

static void test_queued_sequence(void **state)
{
	struct fixture *x = setup(QEMU_CAP, QEMU_ECAP);
	static const char *const want[] = {
		"iqa 0x5000",
		"gcmd 0x04000000", /* QIE */
		"qi cc gran 1",
		"qi wait",
		"qi iotlb gran 1 did 0 drain",
		"qi wait",
		"gcmd 0x84000000", /* TE, QIE kept */
		"qi iotlb gran 2 did 3 drain",
		"qi wait",
	};
	unsigned int i;

	assert_int_equal(
		vtd_qi_enable(&x->hw, x->iq, 0x5000, &x->status, 0x6000), 0);
	assert_true(x->hw.qi_on);
	assert_int_equal(vtd_inv_all(&x->hw), 0);
	assert_int_equal(vtd_set_translation(&x->hw, true), 0);
	assert_int_equal(vtd_inv_iotlb_domain(&x->hw, 3), 0);
	expect_ops(x, want, ARRAY_SIZE(want));
	/* The queue wraps: 300 more invalidations, each waited for. */
	x->fake.n_ops = 0;
	for (i = 0; i < 150; i++) {
		assert_int_equal(vtd_inv_iotlb_global(&x->hw), 0);
		x->fake.n_ops = 0;
	}
	assert_int_equal(x->status, x->hw.wait_seq);
	teardown(x);
}

static void test_queued_needs_ecap_qi(void **state)
{
	struct fixture *x = setup(QEMU_CAP, QEMU_ECAP & ~VTD_ECAP_QI);

	assert_int_equal(vtd_qi_enable(&x->hw, x->iq, 0x5000, &x->status,
				       0x6000),
			 -ENOTSUP);
	assert_false(x->hw.qi_on);
	assert_int_equal(x->fake.n_ops, 0);
	teardown(x);
}

/* ---- Bounded waits ---- */

static void test_handshake_times_out(void **state)
{
	struct fixture *x = setup(QEMU_CAP, QEMU_ECAP);

	x->fake.stuck_rtps = true;
	assert_int_equal(vtd_set_root(&x->hw, 0x1000), -ETIMEDOUT);
	assert_true(log_count("timeout waiting for GSTS") == 1);
	teardown(x);
}

static void test_register_invalidation_times_out(void **state)
{
	/* What happens if register-based invalidation is used with QIE on:
	 * ICC never clears; the wait still ends. */
	struct fixture *x = setup(QEMU_CAP, QEMU_ECAP);

	assert_int_equal(
		vtd_qi_enable(&x->hw, x->iq, 0x5000, &x->status, 0x6000), 0);
	x->hw.qi_on = false; /* pretend the sequencer forgot */
	assert_int_equal(vtd_inv_context_global(&x->hw), -ETIMEDOUT);
	assert_true(log_count("timeout waiting for CCMD.ICC") == 1);
	teardown(x);
}

static void test_caching_mode(void **state)
{
	struct fixture *x = setup(QEMU_CAP, QEMU_ECAP);

	assert_false(vtd_inv_needed_on_map(&x->hw));
	teardown(x);
	x = setup(QEMU_CAP | VTD_CAP_CM, QEMU_ECAP);
	assert_true(vtd_inv_needed_on_map(&x->hw));
	teardown(x);
}

/* ---- Faults ---- */

static void record(struct fixture *x, unsigned int i, u16 sid, u64 addr,
		   bool read, u8 reason)
{
	set64(&x->fake, FRO + i * 16, addr);
	set64(&x->fake, FRO + i * 16 + 8,
	      sid | (u64)reason << 32 | (read ? VTD_FRCD_T : 0) | VTD_FRCD_F);
}

static void test_fault_reported_once(void **state)
{
	/* Two fault records (NFR 1). */
	struct fixture *x = setup(QEMU_CAP | (1ULL << 40), QEMU_ECAP);
	struct vtd_fault f[4];

	assert_int_equal(vtd_fault_poll(&x->hw, f, 4), 0);
	assert_int_equal(loglen, 0);
	record(x, 0, 0x00fa, 0x1234000, false, VTD_FR_WRITE);
	record(x, 1, 0x0100, 0x5000, true, VTD_FR_CTX_NP);
	assert_int_equal(vtd_fault_poll(&x->hw, f, 4), 2);
	assert_int_equal(f[0].sid, 0x00fa);
	assert_int_equal(f[0].addr, 0x1234000);
	assert_false(f[0].read);
	assert_int_equal(f[0].reason, 5);
	assert_true(f[1].read);
	assert_int_equal(f[1].reason, 2);
	assert_int_equal(
		log_count(
			"keel: iommu: fault: 00:1f.2 write to 0x1234000 blocked: reason 5 (no write permission or not mapped)\n"),
		1);
	assert_int_equal(
		log_count(
			"keel: iommu: fault: 01:00.0 read from 0x5000 blocked: reason 2 (context entry not present)\n"),
		1);
	/* Cleared: a second poll finds nothing and says nothing. */
	assert_false(raw64(&x->fake, FRO + 8) & VTD_FRCD_F);
	log_clear();
	assert_int_equal(vtd_fault_poll(&x->hw, f, 4), 0);
	assert_int_equal(loglen, 0);
	teardown(x);
}

static void test_fault_starts_at_fri(void **state)
{
	struct fixture *x = setup(QEMU_CAP | (3ULL << 40), QEMU_ECAP);
	struct vtd_fault f[4];

	/* Records 2 and 3 hold faults, FRI says 2 is the oldest. */
	record(x, 2, 0x0008, 0x1000, false, VTD_FR_WRITE);
	record(x, 3, 0x0010, 0x2000, false, VTD_FR_WRITE);
	set32(&x->fake, VTD_FSTS, 2 << 8);
	assert_int_equal(vtd_fault_poll(&x->hw, f, 4), 2);
	assert_int_equal(f[0].addr, 0x1000);
	assert_int_equal(f[1].addr, 0x2000);
	teardown(x);
}

static void test_fault_overflow(void **state)
{
	struct fixture *x = setup(QEMU_CAP, QEMU_ECAP);

	record(x, 0, 0x00fa, 0x1000, false, VTD_FR_WRITE);
	set32(&x->fake, VTD_FSTS, VTD_FSTS_PFO);
	assert_int_equal(vtd_fault_poll(&x->hw, NULL, 0), 1);
	assert_int_equal(log_count("fault overflow"), 1);
	assert_int_equal(x->hw.overflows, 1);
	assert_false(raw32(&x->fake, VTD_FSTS) & VTD_FSTS_PFO);
	teardown(x);
}

static void test_fault_storm_is_bounded(void **state)
{
	struct fixture *x = setup(QEMU_CAP, QEMU_ECAP);
	unsigned int i;

	for (i = 0; i < 200; i++) {
		record(x, 0, 0x00fa, 0x1000 + i * 0x1000ULL, false,
		       VTD_FR_WRITE);
		assert_int_equal(vtd_fault_poll(&x->hw, NULL, 0), 1);
	}
	assert_int_equal(x->hw.faults, 200);
	assert_int_equal(log_count("keel: iommu: fault: "),
			 VTD_FAULT_LOG_BURST);
	assert_int_equal(log_count("fault log limit reached"), 1);
	/* A period later, the count of what was not shown, and lines again. */
	x->fake.now += VTD_FAULT_LOG_PERIOD_US;
	record(x, 0, 0x00fa, 0x999000, false, VTD_FR_WRITE);
	assert_int_equal(vtd_fault_poll(&x->hw, NULL, 0), 1);
	assert_int_equal(log_count("keel: iommu: 184 more faults not shown"),
			 1);
	assert_int_equal(log_count("write to 0x999000"), 1);
	assert_int_equal(x->hw.faults_shown, VTD_FAULT_LOG_BURST + 1);
	teardown(x);
}

/* A storm that stops: its unshown count comes out on a quiet poll a
 * period later, without waiting for another fault; before that, quiet
 * polls read FSTS only and print nothing. */
static void test_storm_summary_without_new_fault(void **state)
{
	struct fixture *x = setup(QEMU_CAP, QEMU_ECAP);
	unsigned int i;

	for (i = 0; i < 20; i++) {
		record(x, 0, 0x00fa, 0x1000 + i * 0x1000ULL, true, VTD_FR_READ);
		vtd_fault_poll(&x->hw, NULL, 0);
	}
	assert_int_equal(x->hw.faults, 20);
	assert_int_equal(x->hw.faults_shown, VTD_FAULT_LOG_BURST);
	assert_int_equal(vtd_fault_poll(&x->hw, NULL, 0), 0);
	assert_int_equal(log_count("more faults not shown"), 0);
	x->fake.now += VTD_FAULT_LOG_PERIOD_US;
	assert_int_equal(vtd_fault_poll(&x->hw, NULL, 0), 0);
	assert_int_equal(log_count("keel: iommu: 4 more faults not shown"), 1);
	assert_int_equal(vtd_fault_poll(&x->hw, NULL, 0), 0);
	assert_int_equal(log_count("more faults not shown"), 1);
	teardown(x);
}

static void test_fault_reasons(void **state)
{
	assert_string_equal(vtd_fault_reason(6),
			    "no read permission or not mapped");
	assert_string_equal(vtd_fault_reason(0), "unknown reason");
	assert_string_equal(vtd_fault_reason(0xff), "unknown reason");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_based_sequence),
		cmocka_unit_test(test_no_rwbf_no_flush),
		cmocka_unit_test(test_queued_sequence),
		cmocka_unit_test(test_queued_needs_ecap_qi),
		cmocka_unit_test(test_handshake_times_out),
		cmocka_unit_test(test_register_invalidation_times_out),
		cmocka_unit_test(test_caching_mode),
		cmocka_unit_test(test_fault_reported_once),
		cmocka_unit_test(test_fault_starts_at_fri),
		cmocka_unit_test(test_fault_overflow),
		cmocka_unit_test(test_fault_storm_is_bounded),
		cmocka_unit_test(test_storm_summary_without_new_fault),
		cmocka_unit_test(test_fault_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

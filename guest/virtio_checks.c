// SPDX-License-Identifier: MIT
/*
 * The virtio-blk checks ("TEST virtio.<name> ..."): find and set up the
 * device, take its interrupts, write the pattern by the guest's LBA, flush,
 * read it back, and check the error statuses. They run in "scenario=all"
 * whenever a device is there, and alone with "scenario=virtio". Options
 * are listed in docs/virtio-guest.md.
 */
#include "virtio.h"
#include "virtio_pattern.h"

#define DEFAULT_QSIZE 128
#define UNKNOWN_TYPE 0x7e /* no request type of 5.2.6 */
#define IRQ_ROUNDS 2 /* the second proves the first was acknowledged */
#define FAR_AHEAD 0x8000 /* a used_event half the index space ahead */

void vreport(const char *name, bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_va("virtio", name, pass, fmt, ap);
	va_end(ap);
}

static void join(char *out, size_t n, const char *a, const char *b)
{
	vsay(out, n, "%s%s", a, b);
}

static void vskip(const char *name, const char *why)
{
	kprintf("TEST virtio.%s SKIP %s\n", name, why);
}

/* Option @key as a number (0x... hex, else decimal), or @dflt. */
u32 virtio_opt(const struct guest_env *env, const char *key, u32 dflt)
{
	char v[24];
	u32 n = 0;

	if (!cmdline_value(env->cmdline, key, v, sizeof(v)))
		return dflt;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		return parse_hex(v);
	for (const char *p = v; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (u32)(*p - '0');
	return n;
}

static enum virtio_irq_mode irq_mode(const struct guest_env *env,
				     const struct vblk *d)
{
	char v[8] = "";

	cmdline_value(env->cmdline, "virtio_irq", v, sizeof(v));
	if (!memcmp(v, "intx", 5))
		return VIRTIO_IRQ_INTX;
	if (!memcmp(v, "poll", 5))
		return VIRTIO_IRQ_NONE;
	if (!memcmp(v, "msix", 5))
		return VIRTIO_IRQ_MSIX;
	return d->msix_cap ? VIRTIO_IRQ_MSIX : VIRTIO_IRQ_INTX;
}

static const char *mode_name(enum virtio_irq_mode m)
{
	return m == VIRTIO_IRQ_MSIX ? "msix" :
	       m == VIRTIO_IRQ_INTX ? "intx" :
				      "poll";
}

/* GSI for INTx: virtio_gsi=, else the interrupt line firmware wrote. */
static u32 intx_gsi(const struct guest_env *env, const struct vblk *d)
{
	return virtio_opt(env, "virtio_gsi",
			  pci_cfg_read8(d->bdf, PCI_REG_INT_LINE));
}

/* virtio_event_idx=on: accept VIRTIO_F_EVENT_IDX when offered. */
static bool want_event_idx(const struct guest_env *env)
{
	char v[8] = "";

	cmdline_value(env->cmdline, "virtio_event_idx", v, sizeof(v));
	return !memcmp(v, "on", 3);
}

/* Set-up through DRIVER_OK, with queue 0 on MSI-X entry 0 in MSI-X mode. */
bool virtio_bring_up(struct vblk *d, const struct guest_env *env, char *why,
		     size_t whysz)
{
	u16 vec = d->irq_mode == VIRTIO_IRQ_MSIX ? 0 : VIRTIO_MSI_NO_VECTOR;

	d->want_event_idx = want_event_idx(env);
	return !vblk_init(d,
			  (u16)virtio_opt(env, "virtio_qsize", DEFAULT_QSIZE),
			  vec, why, whysz);
}

static bool check_setup(struct vblk *d, const struct guest_env *env)
{
	enum virtio_irq_mode mode = irq_mode(env, d);
	char why[96] = "";
	bool ok;

	if (mode != VIRTIO_IRQ_NONE) {
		ok = virtio_irq_setup(d, mode, intx_gsi(env, d),
				      virtio_opt(env, "virtio_ioapic", 0), why,
				      sizeof(why));
		vreport("irq_setup", ok, "mode=%s gsi=%u %s", mode_name(mode),
			intx_gsi(env, d), why);
	}
	ok = virtio_bring_up(d, env, why, sizeof(why));
	vreport("init", ok,
		"status=0x%x features=0x%x:%x dev=0x%x:%x qsize=%u %s",
		vblk_status(d), (u32)(d->features >> 32), (u32)d->features,
		(u32)(d->dev_features >> 32), (u32)d->dev_features, d->qsize,
		why);
	if (!ok)
		return false;
	kprintf("keel-guest: virtio capacity %u sectors, blk_size %u, "
		"seg_max %u, size_max %u, %s\n",
		(u32)d->capacity, d->blk_size, d->seg_max, d->size_max,
		d->features & FEAT(VIRTIO_BLK_F_RO) ? "read-only" :
						      "read-write");
	return true;
}

/* Each of IRQ_ROUNDS reads must raise one interrupt of its own. */
static void check_irq(struct vblk *d)
{
	char name[16];
	u32 before, got = 0;
	u8 st = VBLK_S_NONE;

	if (d->irq_mode == VIRTIO_IRQ_NONE) {
		vskip("irq", "polling only (virtio_irq=poll or no set-up)");
		return;
	}
	join(name, sizeof(name), "irq_", mode_name(d->irq_mode));
	for (u32 i = 0; i < IRQ_ROUNDS; i++) {
		before = d->irqs;
		vpat_read_one(d, 0, &st);
		if (virtio_irq_wait(d, before))
			got++;
	}
	vreport(name, got == IRQ_ROUNDS,
		"%u of %u requests interrupted, vector 0x%x, isr 0x%x", got,
		IRQ_ROUNDS, d->vector, d->isr_seen);
}

/*
 * With EVENT_IDX (2.7.7): a read while used_event is far ahead must bring
 * no interrupt (IF=1 for a whole poll bound after it completed); the
 * next read, with used_event back at the next index, exactly one.
 */
static void check_irq_suppressed(struct vblk *d)
{
	u32 before = d->irqs, quiet, next;
	u8 st = VBLK_S_NONE, st2 = VBLK_S_NONE;

	if (!d->want_event_idx)
		return;
	if (!vblk_event_idx(d) || d->irq_mode == VIRTIO_IRQ_NONE) {
		vskip("irq_suppressed",
		      "EVENT_IDX not negotiated, or no interrupts");
		return;
	}
	/* The data is not checked: the pattern may not be written yet. */
	vblk_set_used_event(d, (u16)(d->used_seen + FAR_AHEAD));
	vpat_read_one(d, 0, &st);
	virtio_irq_wait(d, before);
	quiet = d->irqs - before;
	vpat_read_one(d, 0, &st2);
	virtio_irq_wait(d, before + quiet);
	next = d->irqs - before - quiet;
	vreport("irq_suppressed",
		st == VIRTIO_BLK_S_OK && st2 == VIRTIO_BLK_S_OK && quiet == 0 &&
			next == 1,
		"used_event far ahead: %u interrupts; at the next index: %u "
		"(status %u, %u)",
		quiet, next, st, st2);
}

static void check_get_id(struct vblk *d)
{
	char id[VIRTIO_BLK_ID_BYTES + 1];
	struct vseg seg = { vpat_scratch(), VIRTIO_BLK_ID_BYTES };
	u8 st = VBLK_S_NONE;
	int rc;

	memset((void *)seg.addr, 0, VIRTIO_BLK_ID_BYTES);
	rc = vblk_do(d, VIRTIO_BLK_T_GET_ID, 0, &seg, 1, &st);
	/* 5.2.6: the ID is zero-padded only when shorter than 20 bytes. */
	for (u32 i = 0; i < VIRTIO_BLK_ID_BYTES; i++) {
		char c = ((const char *)seg.addr)[i];

		id[i] = c >= 0x20 && c < 0x7f ? c : c ? '?' : 0;
	}
	id[VIRTIO_BLK_ID_BYTES] = 0;
	vreport("get_id", !rc && st == VIRTIO_BLK_S_OK, "status=%u id='%s'", st,
		id);
}

/* Data I/O: the pattern out, a flush, then every range read back. */
static void check_pattern(struct vblk *d)
{
	char name[32], why[96];
	bool ok;
	u8 st = VBLK_S_NONE;

	if (d->features & FEAT(VIRTIO_BLK_F_RO)) {
		vskip("write", "device is read-only (VIRTIO_BLK_F_RO)");
	} else {
		for (u32 i = 0; i < vpat_nranges; i++) {
			why[0] = 0;
			ok = vpat_range_io(d, &vpat_ranges[i], true, why,
					   sizeof(why));
			join(name, sizeof(name), "write_", vpat_ranges[i].name);
			vreport(name, ok, "%u x %u sectors %s",
				vpat_ranges[i].repeat, vpat_ranges[i].sectors,
				why);
		}
	}
	if (d->features & FEAT(VIRTIO_BLK_F_FLUSH)) {
		int rc = vblk_do(d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, &st);

		vreport("flush", !rc && st == VIRTIO_BLK_S_OK, "status=%u", st);
	} else {
		vskip("flush", "VIRTIO_BLK_F_FLUSH not offered");
	}
	for (u32 i = 0; i < vpat_nranges; i++) {
		why[0] = 0;
		ok = vpat_range_io(d, &vpat_ranges[i], false, why, sizeof(why));
		join(name, sizeof(name), "read_", vpat_ranges[i].name);
		vreport(name, ok, "%u x %u sectors %s", vpat_ranges[i].repeat,
			vpat_ranges[i].sectors, why);
	}
}

/* Statuses the device must give: IOERR past the end, UNSUPP for junk. */
static void check_errors(struct vblk *d)
{
	struct vseg seg = { vpat_scratch(), VBLK_SECTOR };
	u8 st = VBLK_S_NONE;
	int rc;

	rc = vblk_do(d, VIRTIO_BLK_T_IN, d->capacity, &seg, 1, &st);
	vreport("read_beyond_end", !rc && st == VIRTIO_BLK_S_IOERR,
		"sector %u status=%u", (u32)d->capacity, st);
	st = VBLK_S_NONE;
	rc = vblk_do(d, UNKNOWN_TYPE, 0, &seg, 1, &st);
	vreport("unknown_type_unsupp", !rc && st == VIRTIO_BLK_S_UNSUPP,
		"type 0x%x status=%u", UNKNOWN_TYPE, st);
}

/*
 * 4.1.4.9.1: a write to pci_cfg_data makes one write access to the BAR
 * and nothing else. Pointed at the ISR (read to clear, 4.1.4.5.1), that
 * write must leave a pending queue bit in place: a device that first read
 * the window to merge the write would clear it. The bit comes from a
 * request completed with MSI-X off and no INTx handler reading the ISR
 * (virtio_irq=poll); run only with virtio_pcicfg=1.
 */
void virtio_pcicfg_check(struct vblk *d)
{
	u8 c = d->pcicfg_cap, st = VBLK_S_NONE, after, again;

	if (!c || d->irq_mode != VIRTIO_IRQ_NONE || d->isr < d->bar[0]) {
		vskip("pcicfg_write_no_read",
		      "needs the PCI_CFG capability and virtio_irq=poll");
		return;
	}
	pci_cfg_write32(d->bdf, c + VIRTIO_CAP_BAR, 0);
	pci_cfg_write32(d->bdf, c + VIRTIO_CAP_OFFSET, d->isr - d->bar[0]);
	pci_cfg_write32(d->bdf, c + VIRTIO_CAP_LENGTH, 1);
	(void)mmio_rd8(d->isr); /* clear what earlier requests left */
	if (!vpat_read_one(d, 0, &st)) {
		vreport("pcicfg_write_no_read", false, "read status %u", st);
		return;
	}
	pci_cfg_write32(d->bdf, c + VIRTIO_CAP_CFG_DATA, 0);
	after = mmio_rd8(d->isr);
	again = mmio_rd8(d->isr);
	vreport("pcicfg_write_no_read",
		(after & VIRTIO_ISR_QUEUE) && !(again & VIRTIO_ISR_QUEUE),
		"ISR 0x%x after a window write, then 0x%x", after, again);
}

void run_virtio(const struct guest_env *env, bool standalone)
{
	static struct vblk dev;
	struct vblk *d = &dev;
	u32 bdf;
	int rc;

	if (virtio_opt(env, "virtio", 1) == 0 && !standalone)
		return;
	memset(d, 0, sizeof(*d));
	d->poll_max = virtio_opt(env, "virtio_poll", VIRTIO_POLL_MAX);
	if (!virtio_find(&bdf)) {
		if (standalone)
			vreport("found", false, "no %04x:%04x on any bus",
				VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE_BLK);
		else
			kputs("keel-guest: no virtio-blk device\n");
		return;
	}
	d->bdf = bdf;
	vreport("found", true, "%02x:%02x.%u", bdf >> 8, bdf >> 3 & 31,
		bdf & 7);
	rc = virtio_map(d, virtio_opt(env, "virtio_bar", 0));
	vreport("caps", !rc,
		"common=0x%x notify=0x%x mult=%u isr=0x%x device=0x%x msix=0x%x",
		d->common, d->notify, d->notify_mult, d->isr, d->devcfg,
		d->msix_table);
	if (rc || !check_setup(d, env))
		return;
	check_irq(d);
	check_irq_suppressed(d);
	check_get_id(d);
	check_pattern(d);
	check_errors(d);
	if (virtio_opt(env, "virtio_hostile", 0))
		virtio_hostile_checks(d, env);
	if (virtio_opt(env, "virtio_bar_rules", 0))
		virtio_bar_checks(d);
	if (virtio_opt(env, "virtio_pcicfg", 0))
		virtio_pcicfg_check(d);
	if (d->irq_mode != VIRTIO_IRQ_NONE)
		virtio_irq_off(d, intx_gsi(env, d),
			       virtio_opt(env, "virtio_ioapic", 0));
	vblk_reset(d);
}

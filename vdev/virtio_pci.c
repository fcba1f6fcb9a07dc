// SPDX-License-Identifier: MIT
/*
 * The virtio 1.x PCI transport of Keel's virtio-blk device (virtio 1.2
 * 4.1): the registers of the memory BAR (common configuration, ISR,
 * device configuration, notify, the MSI-X table and PBA), the device
 * status state machine, feature negotiation, and how an interrupt leaves
 * the device: an MSI-X message when the guest enabled MSI-X, else the INTx
 * line. The configuration space that points at these registers is in
 * vdev/virtio_dev.c.
 */
#include "core/lib.h"
#include "vdev/virtio_blk.h"

/* ---- interrupts ---- */

static bool msix_on(const struct vblk *v)
{
	return v->msix_ctrl & MSIX_CTRL_ENABLE;
}

static void msix_send(struct vblk *v, u16 vec)
{
	const struct vblk_msix_entry *e = &v->msix[vec];

	/* A message is a memory write: none without bus mastering. */
	if ((v->msix_ctrl & MSIX_CTRL_FMASK) || !v->bus_master ||
	    (e->w[MSIX_ENTRY_CTRL / 4] & MSIX_ENTRY_CTRL_MASK)) {
		v->pba |= (u8)BIT(
			vec); /* PCI 3.0 6.8.3.4: pending until unmasked */
		return;
	}
	v->pba &= (u8)~BIT(vec);
	v->ops->msi(v->ops->ctx,
		    (u64)e->w[MSIX_ENTRY_ADDR_HI / 4] << 32 |
			    e->w[MSIX_ENTRY_ADDR_LO / 4],
		    e->w[MSIX_ENTRY_DATA / 4]);
}

/* Masks changed: send what became deliverable. */
static void msix_unmasked(struct vblk *v)
{
	for (u16 i = 0; i < VBLK_MSIX_VECTORS; i++)
		if ((v->pba & BIT(i)) && msix_on(v))
			msix_send(v, i);
}

void vblk_interrupt(struct vblk *v, bool config)
{
	u16 vec = config ? v->config_msix : v->vq_msix;

	if (msix_on(v)) {
		/* 4.1.5.3: MSI-X on and no vector: no interrupt at all. */
		if (vec < VBLK_MSIX_VECTORS)
			msix_send(v, vec);
		return;
	}
	v->isr |= config ? VIRTIO_ISR_CONFIG : VIRTIO_ISR_QUEUE;
	if (!v->intx_disabled)
		v->ops->intx(v->ops->ctx);
}

void vblk_msix_ctrl_write(struct vblk *v, u16 ctrl)
{
	v->msix_ctrl = ctrl & (MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK);
	msix_unmasked(v);
}

void vblk_bus_master(struct vblk *v, bool on)
{
	if (on == v->bus_master)
		return;
	v->bus_master = on;
	if (on) {
		msix_unmasked(v);
		vblk_process(v); /* chains notified while it was off */
		return;
	}
	/*
	 * The disk's DMA into the guest's buffers cannot be recalled: wait
	 * for it (bounded by the drivers' timeouts), as a reset does. Those
	 * requests end unanswered (their completion sees the queue dead).
	 */
	if (v->inflight) {
		vblk_drain(v);
		vblk_violation(
			v, "bus mastering turned off with requests in flight");
	}
}

/* ---- the device status state machine, 2.1 and 3.1.1 ---- */

void vblk_reset(struct vblk *v)
{
	/* Requests in flight finish into the old generation, unseen. */
	v->gen++;
	v->status = 0;
	v->isr = 0;
	v->dfselect = v->gfselect = 0;
	v->gfeatures = 0;
	v->q_select = 0;
	v->config_msix = VIRTIO_MSI_NO_VECTOR;
	v->vq_msix = VIRTIO_MSI_NO_VECTOR;
	v->vq_enabled = false;
	memset(&v->vq, 0, sizeof(v->vq));
	v->vq.size = VIRTQ_MAX_SIZE;
}

static void write_status(struct vblk *v, u8 val)
{
	u8 old = v->status;

	if (!val) {
		vblk_reset(v);
		/*
		 * 2.4: once status reads 0 the driver may reuse the buffers of
		 * requests it had posted; those still at the disk would DMA
		 * into them. Wait them out (bounded by the drivers' timeouts);
		 * they end into the old generation, unseen.
		 */
		vblk_drain(v);
		return;
	}
	/* 2.1.1: the driver never clears a bit; NEEDS_RESET is the device's. */
	val = (u8)((val & ~VIRTIO_STATUS_NEEDS_RESET) |
		   (old & VIRTIO_STATUS_NEEDS_RESET));
	if ((val & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK)) {
		/* 3.1.1 step 5: refuse a subset without VERSION_1. */
		if ((v->gfeatures & ~v->features) ||
		    !(v->gfeatures & BIT(VIRTIO_F_VERSION_1)))
			val &= (u8)~VIRTIO_STATUS_FEATURES_OK;
	}
	if ((val & VIRTIO_STATUS_DRIVER_OK) &&
	    !(val & VIRTIO_STATUS_FEATURES_OK)) {
		val &= (u8)~VIRTIO_STATUS_DRIVER_OK;
		vblk_violation(v, "DRIVER_OK without FEATURES_OK");
		val |= VIRTIO_STATUS_NEEDS_RESET;
	}
	v->status = val;
	if ((val & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		vblk_process(
			v); /* buffers may have been made available early */
}

/* ---- common configuration, 4.1.4.3 ---- */

static bool q_selected(const struct vblk *v)
{
	return v->q_select == 0;
}

/* The 60 bytes of the common configuration as the driver sees them. */
static void common_image(const struct vblk *v, u8 *img)
{
	u32 df = (u32)(v->dfselect < 2 ? v->features >> (32 * v->dfselect) : 0);
	u32 gf =
		(u32)(v->gfselect < 2 ? v->gfeatures >> (32 * v->gfselect) : 0);
	u16 numq = 1, qsize = 0, qmsix = VIRTIO_MSI_NO_VECTOR, qen = 0,
	    noff = 0;
	u64 desc = 0, avail = 0, used = 0;

	if (q_selected(v)) {
		qsize = v->vq.size;
		qmsix = v->vq_msix;
		qen = v->vq_enabled;
		desc = v->vq.desc;
		avail = v->vq.avail;
		used = v->vq.used;
	}
	memset(img, 0, VIRTIO_COMMON_SIZE);
	memcpy(img + VIRTIO_COMMON_DFSELECT, &v->dfselect, 4);
	memcpy(img + VIRTIO_COMMON_DF, &df, 4);
	memcpy(img + VIRTIO_COMMON_GFSELECT, &v->gfselect, 4);
	memcpy(img + VIRTIO_COMMON_GF, &gf, 4);
	memcpy(img + VIRTIO_COMMON_MSIX, &v->config_msix, 2);
	memcpy(img + VIRTIO_COMMON_NUMQ, &numq, 2);
	img[VIRTIO_COMMON_STATUS] = v->status;
	img[VIRTIO_COMMON_CFGGENERATION] = v->cfg_gen;
	memcpy(img + VIRTIO_COMMON_Q_SELECT, &v->q_select, 2);
	memcpy(img + VIRTIO_COMMON_Q_SIZE, &qsize, 2);
	memcpy(img + VIRTIO_COMMON_Q_MSIX, &qmsix, 2);
	memcpy(img + VIRTIO_COMMON_Q_ENABLE, &qen, 2);
	memcpy(img + VIRTIO_COMMON_Q_NOFF, &noff, 2);
	memcpy(img + VIRTIO_COMMON_Q_DESCLO, &desc, 8);
	memcpy(img + VIRTIO_COMMON_Q_AVAILLO, &avail, 8);
	memcpy(img + VIRTIO_COMMON_Q_USEDLO, &used, 8);
}

static void set_lohi(u64 *field, bool hi, u32 val)
{
	if (hi)
		*field = (*field & 0xffffffffULL) | (u64)val << 32;
	else
		*field = (*field & ~0xffffffffULL) | val;
}

static void enable_queue(struct vblk *v)
{
	const char *why;

	if (virtq_check_layout(&v->vq, v->mem, &why)) {
		vblk_violation(v, why);
		return;
	}
	v->vq.last_avail = 0;
	v->vq.used_idx = 0;
	v->vq.used_flags = 0; /* the driver zeroed its rings (2.7.8) */
	v->vq.signalled = 0;
	/*
	 * Not trusted to be zeroed: the first advice (at DRIVER_OK, in
	 * vblk_process) writes avail_event, since no cached value matches.
	 */
	v->vq.avail_event = (u16)(v->vq.last_avail - 1);
	v->vq_enabled = true;
}

/* The driver may write queue fields only while the queue is off (4.1.4.3.2). */
static void write_queue_field(struct vblk *v, u32 reg, u32 val)
{
	bool hi = reg & 4;

	if (!q_selected(v) || (v->vq_enabled && reg != VIRTIO_COMMON_Q_MSIX))
		return;
	switch (reg) {
	case VIRTIO_COMMON_Q_SIZE:
		/* 4.1.4.3.2: a power of 2 no larger than the device's. */
		if (val && !(val & (val - 1)) && val <= VIRTQ_MAX_SIZE)
			v->vq.size = (u16)val;
		break;
	case VIRTIO_COMMON_Q_MSIX:
		v->vq_msix = val < VBLK_MSIX_VECTORS ? (u16)val :
						       VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_COMMON_Q_ENABLE:
		if (val == 1)
			enable_queue(v);
		break;
	case VIRTIO_COMMON_Q_DESCLO:
	case VIRTIO_COMMON_Q_DESCHI:
		set_lohi(&v->vq.desc, hi, val);
		break;
	case VIRTIO_COMMON_Q_AVAILLO:
	case VIRTIO_COMMON_Q_AVAILHI:
		set_lohi(&v->vq.avail, hi, val);
		break;
	case VIRTIO_COMMON_Q_USEDLO:
	case VIRTIO_COMMON_Q_USEDHI:
		set_lohi(&v->vq.used, hi, val);
		break;
	}
}

/* A write to register @reg (its start) with the field's new value @val. */
static void common_store(struct vblk *v, u32 reg, u32 val)
{
	switch (reg) {
	case VIRTIO_COMMON_DFSELECT:
		v->dfselect = val;
		break;
	case VIRTIO_COMMON_GFSELECT:
		v->gfselect = val;
		break;
	case VIRTIO_COMMON_GF:
		/* Features are fixed once FEATURES_OK is set (3.1.1). */
		if (v->gfselect < 2 && !(v->status & VIRTIO_STATUS_FEATURES_OK))
			set_lohi(&v->gfeatures, v->gfselect, val);
		break;
	case VIRTIO_COMMON_MSIX:
		/* 4.1.5.1.2: a vector the device cannot use reads NO_VECTOR. */
		v->config_msix = val < VBLK_MSIX_VECTORS ? (u16)val :
							   VIRTIO_MSI_NO_VECTOR;
		break;
	case VIRTIO_COMMON_STATUS:
		write_status(v, (u8)val);
		break;
	case VIRTIO_COMMON_Q_SELECT:
		v->q_select = (u16)val;
		break;
	default:
		if (reg >= VIRTIO_COMMON_Q_SIZE &&
		    reg < VIRTIO_COMMON_Q_NDATA && reg != VIRTIO_COMMON_Q_NOFF)
			write_queue_field(v, reg, val);
		break; /* read-only fields */
	}
}

/* Register starts and widths, in order; the 64-bit ones as two dwords. */
static const u8 common_regs[][2] = {
	{ VIRTIO_COMMON_DFSELECT, 4 },	{ VIRTIO_COMMON_DF, 4 },
	{ VIRTIO_COMMON_GFSELECT, 4 },	{ VIRTIO_COMMON_GF, 4 },
	{ VIRTIO_COMMON_MSIX, 2 },	{ VIRTIO_COMMON_NUMQ, 2 },
	{ VIRTIO_COMMON_STATUS, 1 },	{ VIRTIO_COMMON_CFGGENERATION, 1 },
	{ VIRTIO_COMMON_Q_SELECT, 2 },	{ VIRTIO_COMMON_Q_SIZE, 2 },
	{ VIRTIO_COMMON_Q_MSIX, 2 },	{ VIRTIO_COMMON_Q_ENABLE, 2 },
	{ VIRTIO_COMMON_Q_NOFF, 2 },	{ VIRTIO_COMMON_Q_DESCLO, 4 },
	{ VIRTIO_COMMON_Q_DESCHI, 4 },	{ VIRTIO_COMMON_Q_AVAILLO, 4 },
	{ VIRTIO_COMMON_Q_AVAILHI, 4 }, { VIRTIO_COMMON_Q_USEDLO, 4 },
	{ VIRTIO_COMMON_Q_USEDHI, 4 },	{ VIRTIO_COMMON_Q_NDATA, 2 },
	{ VIRTIO_COMMON_Q_RESET, 2 },
};

/*
 * A write of any width: merged into the image, then every register it
 * touched is stored whole, in address order (so a 64-bit write to
 * queue_desc stores both halves).
 */
static void common_write(struct vblk *v, u32 off, unsigned int size, u64 val)
{
	u8 img[VIRTIO_COMMON_SIZE + 8];

	common_image(v, img);
	for (unsigned int i = 0; i < size && off + i < VIRTIO_COMMON_SIZE; i++)
		img[off + i] = (u8)(val >> (8 * i));
	for (unsigned int r = 0; r < ARRAY_SIZE(common_regs); r++) {
		u32 reg = common_regs[r][0], w = common_regs[r][1], fv = 0;

		if (reg + w <= off || reg >= off + size)
			continue;
		memcpy(&fv, img + reg, w);
		common_store(v, reg, fv);
	}
}

/* ---- device configuration, 5.2.4 ---- */

static void devcfg_image(const struct vblk *v, u8 *img)
{
	u32 seg_max = v->bdev ? vblk_seg_max(&v->bdev->limits) : 1,
	    size_max = VBLK_SIZE_MAX, blk_size = v->disk.block_size;

	memset(img, 0, VIRTIO_BLK_CFG_SIZE);
	memcpy(img + VIRTIO_BLK_CFG_CAPACITY, &v->disk.count, 8);
	memcpy(img + VIRTIO_BLK_CFG_SIZE_MAX, &size_max, 4);
	memcpy(img + VIRTIO_BLK_CFG_SEG_MAX, &seg_max, 4);
	memcpy(img + VIRTIO_BLK_CFG_BLK_SIZE, &blk_size, 4);
}

/* ---- MSI-X table and PBA, PCI 3.0 6.8.2 ---- */

static u32 *msix_word(struct vblk *v, u32 off)
{
	u32 e = off / MSIX_ENTRY_SIZE;

	if (e >= VBLK_MSIX_VECTORS)
		return NULL;
	return &v->msix[e].w[(off % MSIX_ENTRY_SIZE) / 4];
}

static void msix_write(struct vblk *v, u32 off, unsigned int size, u64 val)
{
	/* Dword accesses only (6.8.2); a qword is two. */
	for (unsigned int i = 0; i + 4 <= size; i += 4) {
		u32 *w = msix_word(v, off + i);

		if (!w || (off + i) % 4)
			return;
		*w = (u32)(val >> (8 * i));
		if ((off + i) % MSIX_ENTRY_SIZE == MSIX_ENTRY_CTRL)
			*w &= MSIX_ENTRY_CTRL_MASK;
	}
	msix_unmasked(v);
}

static u64 msix_read(struct vblk *v, u32 off, unsigned int size)
{
	u64 val = 0;

	for (unsigned int i = 0; i < size; i += 4) {
		u32 *w = msix_word(v, off + i);

		if (w && !((off + i) % 4))
			val |= (u64)*w << (8 * i);
	}
	return val;
}

/* ---- the BAR ---- */

static u64 bytes_of(const u8 *img, u32 len, u32 off, unsigned int size)
{
	u64 val = 0;

	for (unsigned int i = 0; i < size; i++)
		if (off + i < len)
			val |= (u64)img[off + i] << (8 * i);
	return val;
}

void vblk_bar_read(struct vblk *v, u32 off, unsigned int size, u64 *val)
{
	u8 img[VIRTIO_COMMON_SIZE + VIRTIO_BLK_CFG_SIZE];

	*val = 0;
	if (off < VBLK_ISR_OFF) {
		common_image(v, img);
		*val = bytes_of(img, VIRTIO_COMMON_SIZE, off, size);
	} else if (off == VBLK_ISR_OFF) {
		/* 4.1.4.5.1: reading clears it and deasserts INTx. */
		*val = v->isr;
		v->isr = 0;
	} else if (off >= VBLK_DEVCFG_OFF && off < VBLK_NOTIFY_OFF) {
		devcfg_image(v, img);
		*val = bytes_of(img, VIRTIO_BLK_CFG_SIZE, off - VBLK_DEVCFG_OFF,
				size);
	} else if (off >= VBLK_MSIX_TABLE_OFF && off < VBLK_MSIX_PBA_OFF) {
		*val = msix_read(v, off - VBLK_MSIX_TABLE_OFF, size);
	} else if (off == VBLK_MSIX_PBA_OFF) {
		*val = v->pba;
	}
}

void vblk_bar_write(struct vblk *v, u32 off, unsigned int size, u64 val)
{
	if (off < VBLK_ISR_OFF)
		common_write(v, off, size, val);
	else if (off >= VBLK_NOTIFY_OFF &&
		 off < VBLK_NOTIFY_OFF + VBLK_NOTIFY_LEN)
		/* 4.1.5.2: the value is the queue index; there is one queue. */
		vblk_process(v);
	else if (off >= VBLK_MSIX_TABLE_OFF && off < VBLK_MSIX_PBA_OFF)
		msix_write(v, off - VBLK_MSIX_TABLE_OFF, size, val);
	/* ISR, device configuration (all read-only) and the PBA: dropped. */
}

// SPDX-License-Identifier: MIT
/*
 * Loading a bzImage by the Linux x86 boot protocol (vm/linux_boot.h). Every
 * field that comes from the image is checked before it is used: a header
 * is data from whoever built the ISO, and a bad one must end in a clear
 * line, never in a write outside the guest's RAM.
 */
#include "core/lib.h"
#include "vm/linux_boot.h"
#include "vm/pc_layout.h"

/* Flat 4 GiB descriptors, SDM Vol.3A 3.4.5: G=1, D/B=1, P=1, DPL 0. */
#define GDT_FLAT_CODE 0x00cf9a000000ffffULL /* execute/read */
#define GDT_FLAT_DATA 0x00cf92000000ffffULL /* read/write */
/* The largest kernel_alignment Keel accepts: the protocol's examples
 * stay at 2 MiB; 1 GiB is beyond any guest RAM worth having. */
#define LX_ALIGN_MAX GiB(1)
#define LX_PAGE 4096U

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

static void wr16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static void wr32(u8 *p, u32 v)
{
	wr16(p, (u16)v);
	wr16(p + 2, (u16)(v >> 16));
}

static void wr64(u8 *p, u64 v)
{
	wr32(p, (u32)v);
	wr32(p + 4, (u32)(v >> 32));
}

static bool pow2(u64 v)
{
	return v && !(v & (v - 1));
}

bool lx_is_bzimage(const u8 *img, size_t len)
{
	return len >= LX_HEADER + 4 && rd32(img + LX_HEADER) == LX_HDRS_MAGIC;
}

/* The header's own framing: magic, version and where it ends. */
static int parse_frame(const u8 *img, size_t len, struct lx_image *im,
		       char *err, size_t n)
{
	if (!lx_is_bzimage(img, len)) {
		ksnprintf(err, n, "not a bzImage: no \"HdrS\" at 0x202");
		return -EINVAL;
	}
	if (len < LX_VERSION + 2) {
		ksnprintf(err, n,
			  "the file (%zu bytes) ends before the version field",
			  len);
		return -EINVAL;
	}
	im->version = rd16(img + LX_VERSION);
	if (im->version < LX_MIN_VERSION) {
		ksnprintf(
			err, n,
			"boot protocol %u.%02u is too old: Keel needs 2.10 or later",
			im->version >> 8, im->version & 0xff);
		return -EINVAL;
	}
	im->hdr_end = LX_HEADER + img[LX_JUMP + 1];
	if (im->hdr_end < LX_HDR_END_MIN || im->hdr_end > LX_HDR_END_MAX ||
	    im->hdr_end > len) {
		ksnprintf(
			err, n,
			"setup header ends at %#x: not within %#x-%#x and the file (%zu bytes)",
			im->hdr_end, LX_HDR_END_MIN, LX_HDR_END_MAX, len);
		return -EINVAL;
	}
	if (rd16(img + LX_BOOT_FLAG) != LX_BOOT_FLAG_MAGIC) {
		ksnprintf(err, n, "boot_flag is %#x, not 0xaa55",
			  rd16(img + LX_BOOT_FLAG));
		return -EINVAL;
	}
	return 0;
}

/* Where the protected-mode kernel lies in the file, and its flags. */
static int parse_kernel(const u8 *img, size_t len, struct lx_image *im,
			char *err, size_t n)
{
	u32 sects = img[LX_SETUP_SECTS] ? img[LX_SETUP_SECTS] :
					  LX_DEFAULT_SETUP_SECTS;
	u64 ksize = (u64)rd32(img + LX_SYSSIZE) * LX_SYSSIZE_UNIT;

	im->kernel_off = (sects + 1) * LX_SECTOR;
	if (im->kernel_off < im->hdr_end || !ksize ||
	    im->kernel_off + ksize > len) {
		ksnprintf(
			err, n,
			"setup_sects %u and syssize %#x need %llu bytes, the file has %zu",
			sects, rd32(img + LX_SYSSIZE),
			(unsigned long long)(im->kernel_off + ksize), len);
		return -EINVAL;
	}
	im->kernel_len = (u32)ksize;
	im->loadflags = img[LX_LOADFLAGS];
	if (!(im->loadflags & LX_LOADED_HIGH)) {
		ksnprintf(
			err, n,
			"loadflags %#x: not a bzImage (LOADED_HIGH clear), a zImage is not supported",
			im->loadflags);
		return -EINVAL;
	}
	im->xloadflags = rd16(img + LX_XLOADFLAGS);
	return 0;
}

/* Alignment, preferred address and memory needs. */
static int parse_placement(const u8 *img, struct lx_image *im, char *err,
			   size_t n)
{
	u8 min_align = img[LX_MIN_ALIGNMENT];

	im->relocatable = img[LX_RELOCATABLE] != 0;
	im->kernel_alignment = rd32(img + LX_KERNEL_ALIGNMENT);
	if (!pow2(im->kernel_alignment) || im->kernel_alignment < LX_PAGE ||
	    im->kernel_alignment > LX_ALIGN_MAX ||
	    (min_align &&
	     (min_align > 30 || BIT(min_align) > im->kernel_alignment))) {
		ksnprintf(
			err, n,
			"kernel_alignment %#x (min_alignment %u) is not a power of two from 4 KiB to 1 GiB",
			im->kernel_alignment, min_align);
		return -EINVAL;
	}
	im->pref_address = rd64(img + LX_PREF_ADDRESS);
	if (im->pref_address < PC_ONE_MIB || im->pref_address >= GiB(4) ||
	    im->pref_address % LX_PAGE ||
	    (im->relocatable && im->pref_address % im->kernel_alignment)) {
		ksnprintf(
			err, n,
			"pref_address %#llx is not an aligned address from 1 MiB to 4 GiB",
			(unsigned long long)im->pref_address);
		return -EINVAL;
	}
	im->init_size = rd32(img + LX_INIT_SIZE);
	if (im->init_size < im->kernel_len) {
		ksnprintf(
			err, n,
			"init_size %#x is smaller than the kernel (%#x bytes)",
			im->init_size, im->kernel_len);
		return -EINVAL;
	}
	im->cmdline_size = rd32(img + LX_CMDLINE_SIZE);
	im->initrd_addr_max = rd32(img + LX_INITRD_ADDR_MAX);
	return 0;
}

int lx_parse(const u8 *img, size_t len, struct lx_image *im, char *err,
	     size_t errlen)
{
	int rc;

	memset(im, 0, sizeof(*im));
	rc = parse_frame(img, len, im, err, errlen);
	if (!rc)
		rc = parse_kernel(img, len, im, err, errlen);
	if (!rc)
		rc = parse_placement(img, im, err, errlen);
	return rc;
}

static bool fits(u64 at, u64 size, u64 mem)
{
	return at + size >= at && at + size <= mem;
}

static int place_kernel(const struct lx_image *im, const struct lx_machine *m,
			struct lx_layout *lay, char *err, size_t n)
{
	u64 low = ALIGN_UP(PC_ONE_MIB, im->kernel_alignment);

	if (fits(im->pref_address, im->init_size, m->mem_size))
		lay->kernel = im->pref_address;
	else if (im->relocatable && fits(low, im->init_size, m->mem_size))
		lay->kernel = low;
	else {
		ksnprintf(
			err, n,
			"the kernel needs %u MiB from %#llx (init_size), more than the guest's %llu MiB of RAM: raise guest_mem=",
			im->init_size >> 20,
			(unsigned long long)im->pref_address,
			(unsigned long long)(m->mem_size >> 20));
		return -ERANGE;
	}
	return 0;
}

/* The initrd goes as high as the kernel allows, above the kernel. */
static int place_initrd(const struct lx_image *im, const struct lx_machine *m,
			struct lx_layout *lay, char *err, size_t n)
{
	u64 top = MIN(m->mem_size, (u64)im->initrd_addr_max + 1);
	u64 kend = lay->kernel + im->init_size;

	lay->initrd = 0;
	if (!m->initrd)
		return 0;
	if (m->initrd_len && m->initrd_len <= top &&
	    ALIGN_DOWN(top - m->initrd_len, LX_PAGE) >= kend) {
		lay->initrd = (u32)ALIGN_DOWN(top - m->initrd_len, LX_PAGE);
		return 0;
	}
	ksnprintf(
		err, n,
		"the initrd (%zu bytes) does not fit between the kernel's end %#llx and %#llx",
		m->initrd_len, (unsigned long long)kend,
		(unsigned long long)top);
	return -ERANGE;
}

int lx_place(const struct lx_image *im, const struct lx_machine *m,
	     struct lx_layout *lay, char *err, size_t errlen)
{
	size_t cl = m->cmdline ? strlen(m->cmdline) : 0;
	int rc;

	memset(lay, 0, sizeof(*lay));
	if (cl > im->cmdline_size || cl >= LX_CMDLINE_MAX) {
		ksnprintf(err, errlen,
			  "the command line has %zu bytes; the kernel takes %u",
			  cl, MIN(im->cmdline_size, LX_CMDLINE_MAX - 1));
		return -ERANGE;
	}
	rc = place_kernel(im, m, lay, err, errlen);
	if (!rc)
		rc = place_initrd(im, m, lay, err, errlen);
	lay->zero_page = LX_ZERO_PAGE_GPA;
	lay->cmdline = LX_CMDLINE_GPA;
	lay->gdt = LX_GDT_GPA;
	return rc;
}

static void e820_put(u8 *e, unsigned int i, u64 addr, u64 size, u32 type)
{
	u8 *p = e + i * LX_E820_ENTRY_SIZE;

	wr64(p, addr);
	wr64(p + 8, size);
	wr32(p + 16, type);
}

/*
 * A PC's map: conventional memory, the EBDA, the BIOS area (with the
 * guest's ACPI tables) and RAM from 1 MiB. 0xA0000-0xDFFFF (VGA window,
 * option ROMs) is a hole, as on a PC; Keel backs it with RAM only so that
 * stray probes of it do not stop the guest.
 */
unsigned int lx_e820(u64 mem_size, u8 *e)
{
	e820_put(e, 0, 0, PC_LOW_RAM_END, LX_E820_RAM);
	e820_put(e, 1, PC_LOW_RAM_END, PC_EBDA_END - PC_LOW_RAM_END,
		 LX_E820_RESERVED);
	e820_put(e, 2, PC_BIOS_AREA, PC_BIOS_AREA_LEN, LX_E820_RESERVED);
	e820_put(e, 3, PC_ONE_MIB, mem_size - PC_ONE_MIB, LX_E820_RAM);
	return 4;
}

void lx_build_zero_page(u8 *zp, const u8 *img, const struct lx_image *im,
			const struct lx_machine *m, const struct lx_layout *lay)
{
	memset(zp, 0, LX_ZP_SIZE);
	memcpy(zp + LX_SETUP_SECTS, img + LX_SETUP_SECTS,
	       im->hdr_end - LX_SETUP_SECTS);
	zp[LX_TYPE_OF_LOADER] = LX_TYPE_OF_LOADER_UNDEFINED;
	zp[LX_LOADFLAGS] =
		(u8)((im->loadflags | LX_CAN_USE_HEAP) & ~LX_KEEP_SEGMENTS);
	wr16(zp + LX_HEAP_END_PTR, LX_HEAP_END);
	wr32(zp + LX_CODE32_START, (u32)lay->kernel);
	wr32(zp + LX_CMD_LINE_PTR, lay->cmdline);
	if (m->initrd) {
		wr32(zp + LX_RAMDISK_IMAGE, lay->initrd);
		wr32(zp + LX_RAMDISK_SIZE, (u32)m->initrd_len);
	}
	wr64(zp + LX_ZP_ACPI_RSDP_ADDR, m->rsdp);
	wr32(zp + LX_ZP_ALT_MEM_K, (u32)((m->mem_size - PC_ONE_MIB) >> 10));
	zp[LX_ZP_E820_ENTRIES] =
		(u8)lx_e820(m->mem_size, zp + LX_ZP_E820_TABLE);
}

void lx_build_gdt(u8 *gdt)
{
	memset(gdt, 0, LX_GDT_LIMIT + 1);
	wr64(gdt + LX_BOOT_CS, GDT_FLAT_CODE);
	wr64(gdt + LX_BOOT_DS, GDT_FLAT_DATA);
}

int lx_load(const u8 *img, const struct lx_image *im,
	    const struct lx_machine *m, const struct mb1_mem_ops *ops,
	    struct lx_layout *lay, char *err, size_t errlen)
{
	static u8 zp[LX_ZP_SIZE];
	u8 gdt[LX_GDT_LIMIT + 1];
	const char *cl = m->cmdline ? m->cmdline : "";
	int rc = lx_place(im, m, lay, err, errlen);

	if (rc)
		return rc;
	lx_build_zero_page(zp, img, im, m, lay);
	lx_build_gdt(gdt);
	rc = ops->write(ops->ctx, lay->kernel, img + im->kernel_off,
			im->kernel_len);
	if (!rc)
		rc = ops->write(ops->ctx, lay->zero_page, zp, sizeof(zp));
	if (!rc)
		rc = ops->write(ops->ctx, lay->cmdline, cl, strlen(cl) + 1);
	if (!rc)
		rc = ops->write(ops->ctx, lay->gdt, gdt, sizeof(gdt));
	if (!rc && m->initrd)
		rc = ops->write(ops->ctx, lay->initrd, m->initrd,
				m->initrd_len);
	if (rc)
		ksnprintf(err, errlen, "writing guest memory failed (%d)", rc);
	return rc;
}

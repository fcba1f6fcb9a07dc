// SPDX-License-Identifier: MIT
/*
 * Host test of boot-disk recognition (boot/bootdisk.c): the volume
 * descriptors of an ISO made by grub-mkrescue, and what is not one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "boot/bootdisk.h"

static u8 vds[ISO_VD_READ * ISO_BLOCK];

static void vd(unsigned int i, u8 type, const char *sysid)
{
	u8 *p = vds + i * ISO_BLOCK;

	p[0] = type;
	memcpy(p + 1, "CD001", 5);
	p[6] = 1;
	if (sysid)
		memcpy(p + 7, sysid, strlen(sysid));
}

/* As build/keel.iso has them: primary, El Torito, terminator. */
static int setup(void **state)
{
	u32 blocks = 10688;

	memset(vds, 0, sizeof(vds));
	vd(0, ISO_VD_TYPE_PRIMARY, NULL);
	memcpy(vds + ISO_PVD_VOLUME_BLOCKS, &blocks, 4);
	vd(1, ISO_VD_TYPE_BOOT, "EL TORITO SPECIFICATION");
	vd(2, ISO_VD_TYPE_END, NULL);
	return 0;
}

static void test_bootable_iso(void **state)
{
	assert_int_equal(iso_boot_volume_sectors(vds, sizeof(vds)), 10688 * 4);
}

static void test_not_bootable(void **state)
{
	vds[ISO_BLOCK + ISO_VD_BOOT_SYSID] = 'X';
	assert_int_equal(iso_boot_volume_sectors(vds, sizeof(vds)), 0);
}

static void test_boot_record_after_terminator(void **state)
{
	vd(1, ISO_VD_TYPE_END, NULL);
	vd(2, ISO_VD_TYPE_BOOT, "EL TORITO SPECIFICATION");
	assert_int_equal(iso_boot_volume_sectors(vds, sizeof(vds)), 0);
}

static void test_no_iso(void **state)
{
	memset(vds, 0, sizeof(vds));
	assert_int_equal(iso_boot_volume_sectors(vds, sizeof(vds)), 0);
	/* Too short to hold a descriptor. */
	setup(state);
	assert_int_equal(iso_boot_volume_sectors(vds, ISO_BLOCK - 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bootable_iso, setup),
		cmocka_unit_test_setup(test_not_bootable, setup),
		cmocka_unit_test_setup(test_boot_record_after_terminator,
				       setup),
		cmocka_unit_test_setup(test_no_iso, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

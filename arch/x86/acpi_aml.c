// SPDX-License-Identifier: MIT
/*
 * Find the \_S5 sleep type values in a DSDT without an AML interpreter.
 *
 * Every firmware seen declares \_S5 as a plain Name holding a Package of
 * integers, so a bounded scan for NameOp "_S5_" PackageOp is enough to power
 * off (ACPI 6.4 7.4.2: element 0 is SLP_TYPa, element 1 is SLP_TYPb). A _S5
 * computed by a method is not found, and Keel falls back to other exits.
 */
#include "arch/x86/acpi.h"
#include "core/lib.h"

/* Decode one integer constant at *pos; false if it is anything else. */
static bool aml_int(const u8 *a, u32 len, u32 *pos, u32 *val)
{
	u32 p = *pos;

	if (p >= len)
		return false;
	switch (a[p]) {
	case AML_ZERO_OP:
		*val = 0;
		*pos = p + 1;
		return true;
	case AML_ONE_OP:
		*val = 1;
		*pos = p + 1;
		return true;
	case AML_ONES_OP:
		*val = 0xffffffff;
		*pos = p + 1;
		return true;
	case AML_BYTE_PREFIX:
		if (len - p < 2)
			return false;
		*val = a[p + 1];
		*pos = p + 2;
		return true;
	case AML_WORD_PREFIX:
		if (len - p < 3)
			return false;
		*val = acpi_rd16(a + p + 1);
		*pos = p + 3;
		return true;
	case AML_DWORD_PREFIX:
		if (len - p < 5)
			return false;
		*val = acpi_rd32(a + p + 1);
		*pos = p + 5;
		return true;
	default:
		return false;
	}
}

/* Decode the package after "_S5_" at @p; false if it is not one. */
static bool s5_package(const u8 *a, u32 len, u32 p, u8 *typa, u8 *typb)
{
	u32 nbytes, va, vb = 0;

	if (p >= len || a[p] != AML_PACKAGE_OP)
		return false;
	p++;
	if (p >= len)
		return false;
	nbytes = a[p] >> AML_PKGLEN_BYTES_SHIFT;
	p += 1 + nbytes; /* PkgLength, then NumElements */
	if (p >= len || a[p] < 1)
		return false;
	p++;
	if (!aml_int(a, len, &p, &va))
		return false;
	/* Some tables list only SLP_TYPa; SLP_TYPb is then unused. */
	if (!aml_int(a, len, &p, &vb))
		vb = 0;
	*typa = (u8)va;
	*typb = (u8)vb;
	return true;
}

int acpi_find_s5(const void *aml, u32 len, u8 *slp_typa, u8 *slp_typb)
{
	const u8 *a = aml;
	u32 i;

	if (!aml || len < AML_NAMESEG_LEN + 1)
		return -ENOENT;
	for (i = 1; i + AML_NAMESEG_LEN <= len; i++) {
		bool named;

		if (memcmp(a + i, "_S5_", AML_NAMESEG_LEN))
			continue;
		named = a[i - 1] == AML_NAME_OP ||
			(i >= 2 && a[i - 1] == AML_ROOT_CHAR &&
			 a[i - 2] == AML_NAME_OP);
		if (named &&
		    s5_package(a, len, i + AML_NAMESEG_LEN, slp_typa, slp_typb))
			return 0;
	}
	return -ENOENT;
}

// SPDX-License-Identifier: MIT
/* Number parsing; see core/lib.h. The command line itself: core/options.c. */
#include "core/lib.h"

static int digit_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

static int suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	default:
		return -1;
	}
}

int kstrtou64(const char *s, size_t len, bool suffix, u64 *out)
{
	unsigned int base = 10;
	u64 v = 0;
	size_t i = 0;
	int shift = 0;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (suffix && len > i && suffix_shift(s[len - 1]) >= 0)
		shift = suffix_shift(s[--len]);
	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		int d = digit_val(s[i]);

		if (d >= (int)base)
			return -EINVAL;
		if (v > (UINT64_MAX - (u64)d) / base)
			return -ERANGE;
		v = v * base + (u64)d;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

// SPDX-License-Identifier: MIT
/* Number parsing and kernel command-line lookup; see core/lib.h. */
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

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool cmdline_get(const char *cmdline, const char *key, const char **val,
		 size_t *len)
{
	size_t klen = strlen(key);
	bool found = false;
	const char *p = cmdline;

	while (p && *p) {
		const char *w, *end;

		while (is_space(*p))
			p++;
		w = p;
		while (*p && !is_space(*p))
			p++;
		end = p;
		if ((size_t)(end - w) < klen || strncmp(w, key, klen))
			continue;
		if (w + klen == end) {
			*val = end;
			*len = 0;
			found = true;
		} else if (w[klen] == '=') {
			*val = w + klen + 1;
			*len = (size_t)(end - *val);
			found = true;
		}
	}
	return found;
}

bool cmdline_val_is(const char *cmdline, const char *key, const char *want)
{
	const char *v;
	size_t n;

	if (!cmdline_get(cmdline, key, &v, &n))
		return false;
	return n == strlen(want) && !strncmp(v, want, n);
}

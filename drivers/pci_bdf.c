// SPDX-License-Identifier: MIT
/* Parsing PCI addresses as lspci prints them ("BB:DD.F"); pure. */
#include "core/lib.h"
#include "drivers/pci.h"

#define BDF_TEXT_LEN 7 /* "BB:DD.F" */

static int hex_digits(const char *s, unsigned int n, u64 *out)
{
	char buf[8] = "0x";

	memcpy(buf + 2, s, n);
	return kstrtou64(buf, n + 2, false, out);
}

static int parse_one(const char *s, u16 *bdf)
{
	u64 bus, dev, fn;

	if (s[2] != ':' || s[5] != '.' || hex_digits(s, 2, &bus) ||
	    hex_digits(s + 3, 2, &dev) || hex_digits(s + 6, 1, &fn) ||
	    dev > 31 || fn > 7)
		return -EINVAL;
	*bdf = PCI_BDF(bus, dev, fn);
	return 0;
}

int pci_parse_bdf_list(const char *s, size_t len, u16 *out, unsigned int max,
		       unsigned int *n, size_t *bad)
{
	size_t at = 0;

	*n = 0;
	while (at < len) {
		if (*n == max) {
			*bad = at;
			return -E2BIG;
		}
		if (len - at < BDF_TEXT_LEN || parse_one(s + at, &out[*n])) {
			*bad = at;
			return -EINVAL;
		}
		++*n;
		at += BDF_TEXT_LEN;
		if (at < len && s[at++] != ',') {
			*bad = at - 1;
			return -EINVAL;
		}
	}
	return 0;
}

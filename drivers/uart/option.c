// SPDX-License-Identifier: MIT
/* "console=" option parsing; pure, so the host tests it. */
#include "core/lib.h"
#include "drivers/uart/uart.h"

static const u16 com_ports[] = { UART_COM1, UART_COM2, UART_COM3, UART_COM4 };

int uart_parse_option(const char *val, size_t len, u16 *port, u32 *baud)
{
	size_t plen = 0;
	u64 v;

	while (plen < len && val[plen] != ',')
		plen++;
	if (plen == 4 && !strncmp(val, "com", 3) && val[3] >= '1' &&
	    val[3] <= '4') {
		*port = com_ports[val[3] - '1'];
	} else {
		if (kstrtou64(val, plen, false, &v) || !v || v > 0xfff8)
			return -EINVAL;
		*port = (u16)v;
	}
	*baud = UART_DEFAULT_BAUD;
	if (plen < len) {
		if (kstrtou64(val + plen + 1, len - plen - 1, false, &v) ||
		    v < 50 || v > 115200 || 115200 % v)
			return -EINVAL;
		*baud = (u32)v;
	}
	return 0;
}

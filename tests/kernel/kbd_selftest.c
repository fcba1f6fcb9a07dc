// SPDX-License-Identifier: MIT
/*
 * test=kbd: the PS/2 keyboard behind the screen console. Keel says it is
 * ready, then reads what is typed (tests/system/test_console_fb.py types
 * through QEMU's monitor) up to Enter and compares it with KBD_EXPECT.
 * Output: "TEST kbd.typed PASS|FAIL [what arrived]", then
 * "TESTS: N passed, M failed".
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/selftest.h"
#include "arch/x86/arch.h"
#include "drivers/kbd/ps2.h"

/* Ctrl-A (what switches consoles), shifted and plain keys, then Enter. */
#define KBD_EXPECT "\x01Keel ok-1!"
#define KBD_LINE_MAX 32
/* Give up when nothing completes the line in this time. */
#define KBD_WAIT_US (60ULL * 1000 * 1000)

/* @s as text, with control characters as ^X. */
static void show(const char *s, size_t n, char *out, size_t size)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && at + 3 < size; i++) {
		if ((u8)s[i] < ' ') {
			out[at++] = '^';
			out[at++] = (char)(s[i] + '@');
		} else {
			out[at++] = s[i];
		}
	}
	out[at] = '\0';
}

static int kbd_selftest(void)
{
	char line[KBD_LINE_MAX], text[KBD_LINE_MAX * 2 + 1];
	size_t n = 0;
	u64 end = time_us() + KBD_WAIT_US;
	bool done = false;
	int ok;

	pr_info("keel: kbd: ready: type Ctrl-A, 'Keel ok-1!' and Enter\n");
	while (!done && n < sizeof(line) && time_us() < end) {
		int c = ps2_kbd_getc();

		if (c < 0)
			cpu_relax();
		else if (c == '\r')
			done = true;
		else
			line[n++] = (char)c;
	}
	show(line, n, text, sizeof(text));
	ok = done && n == strlen(KBD_EXPECT) && !memcmp(line, KBD_EXPECT, n);
	printf("TEST kbd.typed %s [%s%s]\n", ok ? "PASS" : "FAIL", text,
	       done ? "" : ", no Enter");
	printf("TESTS: %d passed, %d failed\n", ok, !ok);
	return !ok;
}

SELFTEST(kbd, "kbd", SELFTEST_TEST, kbd_selftest);

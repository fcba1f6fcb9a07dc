// SPDX-License-Identifier: MIT
/*
 * Host tests for the shell's pure parts: the line editor (shell/lineedit.c),
 * the Ctrl-A x3 switch detector (shell/switch.c) and the command parser and
 * dispatcher (shell/parse.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/lib.h"
#include "shell/lineedit.h"
#include "shell/shell.h"
#include "shell/switch.h"

/* ---- line editor ---- */

static char echoed[4096];
static size_t n_echoed;

static void echo_fn(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	assert_true(n_echoed + n < sizeof(echoed));
	memcpy(echoed + n_echoed, s, n);
	n_echoed += n;
	echoed[n_echoed] = '\0';
}

static struct lined ed;

static void ed_reset(void)
{
	n_echoed = 0;
	echoed[0] = '\0';
	lined_init(&ed, echo_fn, NULL);
}

/* Feed @s; returns the event of the last byte. */
static enum lined_event feed(const char *s)
{
	enum lined_event ev = LINED_NONE;

	for (; *s; s++) {
		ev = lined_feed(&ed, (u8)*s);
		if (ev != LINED_NONE && s[1])
			fail_msg("event before the end of '%s'", s);
	}
	return ev;
}

static void test_line_plain(void **state)
{
	(void)state;
	ed_reset();
	assert_int_equal(feed("exits"), LINED_NONE);
	assert_int_equal(feed("\r"), LINED_LINE);
	assert_string_equal(lined_line(&ed), "exits");
	assert_string_equal(echoed, "exits\n");
	/* The LF of CR LF is not a second (empty) line; a lone LF ends one. */
	assert_int_equal(feed("\n"), LINED_NONE);
	assert_int_equal(feed("vm\n"), LINED_LINE);
	assert_string_equal(lined_line(&ed), "vm");
	assert_int_equal(feed("\n"), LINED_LINE);
	assert_string_equal(lined_line(&ed), "");
}

static void test_line_backspace(void **state)
{
	(void)state;
	ed_reset();
	feed("regz\x7f");
	feed("s");
	assert_int_equal(feed("\r"), LINED_LINE);
	assert_string_equal(lined_line(&ed), "regs");
	assert_string_equal(echoed, "regz\b \bs\n");
	/* Backspace on an empty line erases nothing and echoes nothing. */
	ed_reset();
	feed("\b\b\x7f");
	assert_int_equal(n_echoed, 0);
	assert_int_equal(feed("ab\b\r"), LINED_LINE);
	assert_string_equal(lined_line(&ed), "a");
}

static void test_line_ctrl_u_and_c(void **state)
{
	(void)state;
	ed_reset();
	feed("poweroff");
	feed("\x15"); /* Ctrl-U */
	assert_int_equal(feed("help\r"), LINED_LINE);
	assert_string_equal(lined_line(&ed), "help");
	ed_reset();
	feed("reboot");
	assert_int_equal(lined_feed(&ed, KEY_CTRL_C), LINED_CANCEL);
	assert_non_null(strstr(echoed, "^C\n"));
	/* Nothing of the abandoned line survives into the next. */
	assert_int_equal(feed("vm\r"), LINED_LINE);
	assert_string_equal(lined_line(&ed), "vm");
	/* A cancelled line is not in the history. */
	ed_reset();
	feed("reboot");
	lined_feed(&ed, KEY_CTRL_C);
	feed("\x1b[A");
	assert_int_equal(ed.len, 0);
}

static void test_line_bounded(void **state)
{
	char want[LINED_MAX + 1];

	(void)state;
	ed_reset();
	for (unsigned int i = 0; i < LINED_MAX + 10; i++)
		lined_feed(&ed, 'a' + i % 26);
	for (unsigned int i = 0; i < LINED_MAX; i++)
		want[i] = (char)('a' + i % 26);
	want[LINED_MAX] = '\0';
	/* The ten extra keys were refused with a bell, not echoed. */
	assert_int_equal(memchr(echoed, '\a', n_echoed) - (void *)echoed,
			 LINED_MAX);
	assert_int_equal(feed("\r"), LINED_LINE);
	assert_string_equal(lined_line(&ed), want);
}

static void test_line_history(void **state)
{
	(void)state;
	ed_reset();
	feed("exits\r");
	feed("regs\r");
	feed("regs\r"); /* a repeat is kept once */
	feed("\r"); /* a blank line is not kept */
	feed("\x1b[A"); /* up: newest */
	assert_int_equal(feed("\r"), LINED_LINE);
	assert_string_equal(lined_line(&ed), "regs");
	feed("\x1b[A\x1b[A"); /* up twice: exits */
	assert_int_equal(feed("\r"), LINED_LINE);
	assert_string_equal(lined_line(&ed), "exits");
	/* Ctrl-P, Ctrl-P, Ctrl-N: exits then regs; edit it. */
	feed("\x10\x10\x0e\x7f");
	assert_int_equal(feed("\r"), LINED_LINE);
	assert_string_equal(lined_line(&ed), "exit");
	/* Down past the newest gives an empty line back. */
	feed("\x1b[A\x1b[B");
	assert_int_equal(ed.len, 0);
	/* Older than the oldest stays at the oldest, with a bell. */
	ed_reset();
	feed("a\r");
	feed("b\r");
	feed("\x1b[A\x1b[A\x1b[A");
	assert_string_equal(ed.buf, "a");
	assert_non_null(strchr(echoed, '\a'));
}

static void test_line_history_wraps(void **state)
{
	char s[16];

	(void)state;
	ed_reset();
	for (int i = 0; i < LINED_HIST + 3; i++) {
		snprintf(s, sizeof(s), "c%d\r", i);
		feed(s);
	}
	for (int i = 0; i < LINED_HIST + 2; i++)
		feed("\x1b[A");
	/* Only the newest LINED_HIST are kept; the oldest kept is c3. */
	assert_string_equal(ed.buf, "c3");
}

static void test_line_other_escapes(void **state)
{
	(void)state;
	ed_reset();
	/* Right arrow, F5 (ESC [ 1 5 ~), and a bare ESC x: none insert. */
	feed("\x1b[C\x1b[15~\x1bxv");
	feed("m\r");
	assert_string_equal(lined_line(&ed), "vm");
	/* Other control bytes (Ctrl-A, TAB) are ignored. */
	feed("\x01\tvm\r");
	assert_string_equal(lined_line(&ed), "vm");
}

/* ---- switch detector ---- */

/* Run @in through a detector; the passed bytes go to @out, each switch
 * adds a '|' there. */
static size_t run_switch(const u8 *in, size_t n, u8 *out)
{
	struct switch_det d = { 0 };
	u8 buf[SWITCH_OUT_MAX];
	unsigned int k;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (switch_feed(&d, in[i], buf, &k)) {
			assert_int_equal(k, 0);
			out[m++] = '|';
		}
		memcpy(out + m, buf, k);
		m += k;
	}
	return m;
}

static void test_switch_three(void **state)
{
	u8 out[32];
	size_t m = run_switch((const u8 *)"ab\1\1\1cd", 7, out);

	(void)state;
	assert_int_equal(m, 5);
	assert_memory_equal(out, "ab|cd", 5);
	/* Six in a row: two switches. */
	m = run_switch((const u8 *)"\1\1\1\1\1\1x", 7, out);
	assert_int_equal(m, 3);
	assert_memory_equal(out, "||x", 3);
}

static void test_switch_passes_short_runs(void **state)
{
	u8 out[32];
	size_t m;

	(void)state;
	/* One and two Ctrl-As reach the guest with the next byte, in order. */
	m = run_switch((const u8 *)"\1x\1\1y", 5, out);
	assert_int_equal(m, 5);
	assert_memory_equal(out, "\1x\1\1y", 5);
	/* Four: a switch, then the fourth waits for the next byte. */
	m = run_switch((const u8 *)"\1\1\1\1z", 5, out);
	assert_int_equal(m, 3);
	assert_memory_equal(out, "|\1z", 3);
	/* Held bytes are not released before the deciding byte arrives. */
	m = run_switch((const u8 *)"q\1\1", 3, out);
	assert_int_equal(m, 1);
}

/* ---- parser and dispatcher ---- */

static int ran_argc;
static char ran_args[SHELL_ARGS_MAX][32];

static int record(int argc, char **argv)
{
	ran_argc = argc;
	for (int i = 0; i < argc; i++)
		snprintf(ran_args[i], sizeof(ran_args[i]), "%s", argv[i]);
	return 0;
}

static int failing(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return -ENOENT;
}

static const struct shell_cmd cmds[] = {
	{ "vm", "", "guest state", 0, 0, record },
	{ "mem", "GPA [LEN]", "hexdump", 1, 2, record },
	{ "tune", "DEV KEY=VALUE", "set a tunable", 2, 2, failing },
};

static int run(const char *line, char *err)
{
	char buf[256];

	ran_argc = -1;
	snprintf(buf, sizeof(buf), "%s", line);
	return shell_run_line(cmds, ARRAY_SIZE(cmds), buf, err, SHELL_ERR_MAX);
}

static void test_split(void **state)
{
	char line[] = "  mem\t0x1000   16 ";
	char *argv[4];

	(void)state;
	assert_int_equal(shell_split(line, argv, 4), 3);
	assert_string_equal(argv[0], "mem");
	assert_string_equal(argv[1], "0x1000");
	assert_string_equal(argv[2], "16");
	char line2[] = "a b c d e";
	assert_int_equal(shell_split(line2, argv, 4), -E2BIG);
	char line3[] = " \t ";
	assert_int_equal(shell_split(line3, argv, 4), 0);
}

static void test_dispatch(void **state)
{
	char err[SHELL_ERR_MAX];

	(void)state;
	assert_int_equal(run("mem 0x1000 16", err), 0);
	assert_string_equal(err, "");
	assert_int_equal(ran_argc, 3);
	assert_string_equal(ran_args[1], "0x1000");
	assert_string_equal(ran_args[2], "16");
	assert_int_equal(run("  vm  ", err), 0);
	assert_int_equal(ran_argc, 1);
	/* An empty line runs nothing and says nothing. */
	assert_int_equal(run("   ", err), 0);
	assert_int_equal(ran_argc, -1);
	assert_string_equal(err, "");
	/* A command's own error comes back as it returned it. */
	assert_int_equal(run("tune sda x=1", err), -ENOENT);
	assert_string_equal(err, "");
}

static void test_dispatch_errors(void **state)
{
	char err[SHELL_ERR_MAX];

	(void)state;
	assert_int_equal(run("vmm", err), -EINVAL);
	assert_string_equal(err, "unknown command 'vmm'; try 'help'");
	assert_int_equal(ran_argc, -1);
	assert_int_equal(run("mem", err), -EINVAL);
	assert_string_equal(err, "usage: mem GPA [LEN]");
	assert_int_equal(run("mem 1 2 3", err), -EINVAL);
	assert_int_equal(run("vm now", err), -EINVAL);
	assert_string_equal(err, "usage: vm");
	assert_int_equal(run("a b c d e f g h i", err), -E2BIG);
	assert_int_equal(ran_argc, -1);
	/* Errors are one line. */
	assert_null(strchr(err, '\n'));
	/* A very long unknown name is cut, not overflowing the line. */
	assert_int_equal(
		run("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		    err),
		-EINVAL);
	assert_true(strlen(err) < SHELL_ERR_MAX);
}

static void test_parse_numbers(void **state)
{
	u64 v;
	char kv[] = "read_expire=250";
	char bad1[] = "read_expire";
	char bad2[] = "=5";
	char bad3[] = "x=";
	char *k, *val;

	(void)state;
	assert_int_equal(shell_parse_u64("0x1000", &v), 0);
	assert_int_equal(v, 0x1000);
	assert_int_equal(shell_parse_u64("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(shell_parse_u64("12z", &v), -EINVAL);
	assert_int_equal(shell_parse_u64("", &v), -EINVAL);
	assert_int_equal(shell_parse_kv(kv, &k, &val), 0);
	assert_string_equal(k, "read_expire");
	assert_string_equal(val, "250");
	assert_int_equal(shell_parse_kv(bad1, &k, &val), -EINVAL);
	assert_int_equal(shell_parse_kv(bad2, &k, &val), -EINVAL);
	assert_int_equal(shell_parse_kv(bad3, &k, &val), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_plain),
		cmocka_unit_test(test_line_backspace),
		cmocka_unit_test(test_line_ctrl_u_and_c),
		cmocka_unit_test(test_line_bounded),
		cmocka_unit_test(test_line_history),
		cmocka_unit_test(test_line_history_wraps),
		cmocka_unit_test(test_line_other_escapes),
		cmocka_unit_test(test_switch_three),
		cmocka_unit_test(test_switch_passes_short_runs),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_dispatch_errors),
		cmocka_unit_test(test_parse_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

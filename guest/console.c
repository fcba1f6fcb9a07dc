// SPDX-License-Identifier: MIT
/*
 * scenario=console: the guest side of Keel's serial console tests
 * (tests/system/test_console.py). The guest reads lines from its COM1 and
 * echoes each back, with its length and a checksum, until it reads "quit";
 * the host then checks that every byte it typed reached the guest, in
 * order, across the shell switching in between. Reading COM1 polls LSR, so
 * the guest keeps exiting (I/O) while it waits; every 256 polls it also
 * runs CPUID, so the exit counts have a second reason to show. The line
 * "crash" makes it triple-fault instead, for the trace Keel dumps when a
 * guest dies.
 */
#include "guest.h"

#define CON_LSR 5
#define CON_LSR_DR 0x01 /* data ready, PC16550D LSR bit 0 */
#define CON_LINE_MAX 96
/* Polls before the guest gives up waiting (minutes of Bochs time). */
#define CON_POLL_LIMIT 40000000u
#define CON_CPUID_EVERY 256u
/* A line now and then while nothing arrives: output while Keel's shell
 * has the input, which must not tear the shell's prompt or be torn. */
#define CON_NOTE_EVERY (1u << 18)

static char line[CON_LINE_MAX + 1];

/* The next byte from COM1, or -1 after the poll limit. */
static int read_byte(void)
{
	static u32 polls;

	while (polls++ < CON_POLL_LIMIT) {
		if (inb(COM1 + CON_LSR) & CON_LSR_DR)
			return inb(COM1);
		if (!(polls % CON_CPUID_EVERY))
			(void)cpuid(0, 0);
		if (!(polls % CON_NOTE_EVERY))
			kputs("keel-guest: console: still waiting\n");
	}
	return -1;
}

static void echo_line(u32 n)
{
	u32 sum = 0;

	for (u32 i = 0; i < n; i++)
		sum = sum * 31u + (u8)line[i];
	/* Control bytes reach Keel's console escaped (\xNN). */
	kprintf("keel-guest: console: got %u bytes sum %08x '%s'\n", n, sum,
		line);
}

void run_console(const struct guest_env *env)
{
	u32 n = 0, lines = 0;
	int c;

	kputs("keel-guest: console: ready; type lines, 'quit' ends\n");
	for (;;) {
		c = read_byte();
		if (c < 0) {
			report("console.input", false,
			       "no 'quit' after %u lines", lines);
			return;
		}
		if (c != '\r' && c != '\n') {
			if (n < CON_LINE_MAX)
				line[n++] = (char)c;
			continue;
		}
		if (!n)
			continue;
		line[n] = '\0';
		echo_line(n);
		lines++;
		if (n == 4 && !memcmp(line, "quit", 4))
			break;
		if (n == 5 && !memcmp(line, "crash", 5))
			run_triple_fault(env);
		n = 0;
	}
	report("console.input", true, "%u lines", lines);
}

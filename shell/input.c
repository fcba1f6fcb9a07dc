// SPDX-License-Identifier: MIT
/*
 * Keel's console input (docs/console.md): bytes from the console UART, and
 * with console=fb the characters typed on the PS/2 keyboard, go through the Ctrl-A x3 detector to the guest's COM1 (vuart_input) or to
 * the shell's line editor. Polled, never interrupt-driven: from the exit
 * path and the preemption timer while a guest runs, from a loop when none
 * does. One command runs per poll, so the guest waits at most that long.
 */
#include "core/console.h"
#include "core/lib.h"
#include "core/poll.h"
#include "arch/x86/arch.h"
#include "drivers/kbd/ps2.h"
#include "drivers/uart/uart.h"
#include "vdev/vuart.h"
#include "vmx/vmx.h"
#include "shell/cmds.h"
#include "shell/lineedit.h"
#include "shell/shell.h"
#include "shell/switch.h"

#define SHELL_PROMPT "keel> "
/* Bytes taken from the UART per poll: its FIFO holds 16, the rest wait
 * there (and in the sender) until the next poll. */
#define INPUT_BUDGET 32

static struct lined ed;
static struct switch_det sw;
static bool in_shell; /* input goes to the shell, not the guest */
static bool ready;
/* Bytes for the guest its COM1 did not take yet, oldest first. */
static u8 held[SWITCH_OUT_MAX];
static unsigned int n_held;
static enum shell_mode mode = SHELL_GUEST;
/* shell_serve_forever() runs: with no guest, the input is the shell's. */
static bool serving;
/* The screen console is up: its keyboard is an input too. */
static bool keyboard;

static void echo(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	console_write(s, n);
}

void shell_set_mode(enum shell_mode m)
{
	mode = m;
}

void shell_use_keyboard(void)
{
	keyboard = true;
}

/*
 * The next input byte, the UART's first. The guest never owns the 8042
 * (vdev/reset.c emulates it as absent), so the keyboard is Keel's whether
 * or not a guest runs.
 */
static int input_getc(void)
{
	int c = uart_getc();

	if (c < 0 && keyboard)
		c = ps2_kbd_getc();
	return c;
}

static void setup(void)
{
	if (ready)
		return;
	lined_init(&ed, echo, NULL);
	ready = true;
}

static void enter_shell(void)
{
	in_shell = true;
	printf("\nkeel: shell; 'help' lists the commands, Ctrl-A three times goes back to the guest\n");
	lined_redraw(&ed, SHELL_PROMPT);
}

static void leave_shell(void)
{
	in_shell = false;
	printf("\nkeel: input goes to the guest again (Ctrl-A three times for the shell)\n");
}

/* Pass what is held to the guest; false while some is still waiting. */
static bool flush_to_guest(struct vm *vm)
{
	size_t took;

	if (!n_held)
		return true;
	took = vuart_input(vm, held, n_held);
	memmove(held, held + took, n_held - took);
	n_held -= (unsigned int)took;
	return !n_held;
}

static void run_line(void)
{
	char line[LINED_MAX + 1];
	char err[SHELL_ERR_MAX];

	memcpy(line, lined_line(&ed), sizeof(line));
	if (shell_run_line(shell_cmds, shell_n_cmds, line, err, sizeof(err)) &&
	    err[0])
		printf("%s\n", err);
}

/* One byte for the shell; true when it ran a command. */
static bool to_shell(u8 c)
{
	switch (lined_feed(&ed, c)) {
	case LINED_LINE:
		run_line();
		lined_redraw(&ed, SHELL_PROMPT);
		return true;
	case LINED_CANCEL:
		lined_redraw(&ed, SHELL_PROMPT);
		return false;
	default:
		return false;
	}
}

/* One input byte; true when the shell ran a command. */
static bool take(struct vm *vm, u8 c)
{
	u8 out[SWITCH_OUT_MAX];
	unsigned int n;
	bool ran = false;

	if (switch_feed(&sw, c, out, &n)) {
		if (in_shell && vm)
			leave_shell();
		else if (!in_shell)
			enter_shell();
		else {
			printf("\nkeel: no guest to switch to\n");
			lined_redraw(&ed, SHELL_PROMPT);
		}
		return false;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (in_shell)
			ran |= to_shell(out[i]);
		else
			held[n_held++] = out[i];
	}
	return ran;
}

unsigned int shell_poll(void)
{
	struct vm *vm;
	int c;

	vm = vmx_running_vm();
	/* Before any guest (self-tests poll too) and after it, the input is
	 * no one's until Keel serves the shell (shell=on): it stays unread. */
	if (!vm && !serving)
		return POLL_IDLE;
	setup();
	if (!vm && !in_shell)
		enter_shell();
	/* A line printed while the prompt was up ended it: show it again. */
	if (in_shell && console_at_line_start())
		lined_redraw(&ed, SHELL_PROMPT);
	if (!vm)
		n_held = 0;
	else if (!flush_to_guest(vm))
		return POLL_BUSY; /* the guest's FIFO is full: the UART holds the rest */
	for (unsigned int i = 0; i < INPUT_BUDGET; i++) {
		c = input_getc();
		if (c < 0)
			break;
		if (mode == SHELL_OFF)
			held[n_held++] = (u8)c;
		else if (take(vm, (u8)c))
			break; /* one command per poll */
		if (!vm)
			n_held = 0; /* no guest to give it to */
		else if (!flush_to_guest(vm))
			break;
	}
	return n_held ? POLL_BUSY : POLL_IDLE;
}

KEEL_POLLER(shell, shell_poll);

void shell_serve_forever(void)
{
	serving = true;
	printf("keel: serving the shell (shell=on); 'poweroff' or 'reboot' to end\n");
	for (;;) {
		keel_poll();
		cpu_relax();
	}
}

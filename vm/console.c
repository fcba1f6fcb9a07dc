// SPDX-License-Identifier: MIT
/*
 * The guest's console output, on Keel's console. Everything a guest
 * prints (its UART, the print hypercall) goes out a line at a time behind
 * a fixed frame, so no byte sequence from a guest can produce a line that
 * reads as Keel's ("keel: ...") or tear one of Keel's lines in half.
 * Control characters and escape sequences are shown escaped (\xNN), so a
 * guest cannot move the cursor, clear the screen or retitle a terminal.
 */
#include "core/console.h"
#include "core/lib.h"
#include "vm/vm.h"

/* Room for the frame, one escaped byte (4 chars) and the newline. */
#define FRAME_RESERVE (sizeof(VM_CONSOLE_FRAME) - 1 + 4 + 1)

static void append(struct vm *vm, const char *s, size_t n)
{
	memcpy(vm->con_line + vm->con_len, s, n);
	vm->con_len += (unsigned int)n;
}

void vm_console_flush(struct vm *vm)
{
	if (!vm->con_len)
		return;
	append(vm, "\n", 1);
	/* Someone's partial line (the shell's prompt) ends first. */
	if (!console_at_line_start())
		console_write("\n", 1);
	console_write(vm->con_line, vm->con_len);
	vm->con_len = 0;
}

static bool printable(u8 c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

void vm_console_putc(struct vm *vm, u8 c)
{
	char esc[5];

	/* CR is dropped: Keel's console adds its own line ends. */
	if (c == '\r')
		return;
	if (c == '\n') {
		if (!vm->con_len)
			append(vm, VM_CONSOLE_FRAME,
			       sizeof(VM_CONSOLE_FRAME) - 1);
		vm_console_flush(vm);
		return;
	}
	if (!vm->con_len)
		append(vm, VM_CONSOLE_FRAME, sizeof(VM_CONSOLE_FRAME) - 1);
	if (printable(c)) {
		append(vm, (const char *)&c, 1);
	} else {
		ksnprintf(esc, sizeof(esc), "\\x%02x", c);
		append(vm, esc, 4);
	}
	/* A line too long for the buffer continues on a new framed line. */
	if (vm->con_len + FRAME_RESERVE > sizeof(vm->con_line))
		vm_console_flush(vm);
}

void vm_console_write(struct vm *vm, const void *buf, size_t len)
{
	const u8 *p = buf;

	for (size_t i = 0; i < len; i++)
		vm_console_putc(vm, p[i]);
}

/* SPDX-License-Identifier: MIT */
/*
 * Keel's shell (docs/console.md): a table of commands, each with its usage
 * and help, run one line at a time. The parser and dispatcher are pure and
 * host-tested; the commands themselves live in shell/cmd_*.c.
 */
#ifndef KEEL_SHELL_SHELL_H
#define KEEL_SHELL_SHELL_H

#include "core/types.h"

/* Words on one line, the command's name included. */
#define SHELL_ARGS_MAX 8
/* Longest one-line error the dispatcher writes. */
#define SHELL_ERR_MAX 96

/*
 * One command. @fn gets the words after the name is matched (argv[0] is
 * the name) only when their count is within [min_args, max_args], not
 * counting the name. It returns 0, or a negative errno after printing one
 * line that says what was wrong; a command that fails changes nothing.
 */
struct shell_cmd {
	const char *name;
	const char *usage; /* the arguments, e.g. "GPA [LEN]" */
	const char *help; /* one line */
	u8 min_args, max_args;
	int (*fn)(int argc, char **argv);
};

/*
 * Split @line in place into words separated by spaces or tabs. Returns the
 * number of words, or -E2BIG when there are more than @max.
 */
int shell_split(char *line, char **argv, int max);

/* The command named @name in @cmds[0..n), or NULL. */
const struct shell_cmd *shell_find(const struct shell_cmd *cmds, size_t n,
				   const char *name);

/*
 * Run one line against @cmds. An empty line does nothing (0). An unknown
 * command, too many words or a wrong number of arguments writes one line
 * to @err (no newline) and returns -EINVAL or -E2BIG without running
 * anything; otherwise returns what the command returned (its errors it
 * prints itself; @err is then empty).
 */
int shell_run_line(const struct shell_cmd *cmds, size_t n, char *line,
		   char *err, size_t errlen);

/* A number argument: decimal or 0x hex, with an optional K/M/G suffix. */
int shell_parse_u64(const char *s, u64 *v);

/*
 * "KEY=VALUE" split in place: *key and *val point into @s. -EINVAL when
 * there is no '=' or either side is empty.
 */
int shell_parse_kv(char *s, char **key, char **val);

/* ---- served by shell/input.c ---- */
/* shell=, in the order of the option table's names. */
enum shell_mode {
	SHELL_OFF, /* no shell: every input byte goes to the guest */
	SHELL_GUEST, /* Ctrl-A x3 opens the shell while a guest runs */
	SHELL_ON, /* as guest, and Keel serves the shell when no guest runs */
};
void shell_set_mode(enum shell_mode m);
/*
 * console=fb is up: read the PS/2 keyboard as well as the UART (nothing
 * when there is no 8042). The keyboard's characters take the serial
 * bytes' path, Ctrl-A x3 included.
 */
void shell_use_keyboard(void);
/*
 * Read what the console UART (and keyboard) received and route it: to the guest's COM1
 * or the shell, running at most one command. A poller (core/poll.h):
 * POLL_BUSY while bytes wait for room in the guest's COM1.
 */
unsigned int shell_poll(void);
/* Serve the shell with no guest until poweroff or reboot (shell=on). */
void shell_serve_forever(void) __noreturn;

#endif

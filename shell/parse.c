// SPDX-License-Identifier: MIT
/*
 * The shell's parser and dispatcher (shell/shell.h): words split on blanks,
 * the command looked up in a table, its argument count checked before it
 * runs, so a bad line never reaches a command half-understood.
 */
#include "core/lib.h"
#include "shell/shell.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

int shell_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		while (blank(*p))
			*p++ = '\0';
		if (!*p)
			return argc;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = p;
		while (*p && !blank(*p))
			p++;
	}
}

const struct shell_cmd *shell_find(const struct shell_cmd *cmds, size_t n,
				   const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

int shell_run_line(const struct shell_cmd *cmds, size_t n, char *line,
		   char *err, size_t errlen)
{
	char *argv[SHELL_ARGS_MAX];
	const struct shell_cmd *c;
	int argc = shell_split(line, argv, SHELL_ARGS_MAX);

	err[0] = '\0';
	if (argc < 0) {
		ksnprintf(err, errlen, "too many words (at most %d)",
			  SHELL_ARGS_MAX);
		return -E2BIG;
	}
	if (!argc)
		return 0;
	c = shell_find(cmds, n, argv[0]);
	if (!c) {
		ksnprintf(err, errlen, "unknown command '%.32s'; try 'help'",
			  argv[0]);
		return -EINVAL;
	}
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		ksnprintf(err, errlen, "usage: %s%s%s", c->name,
			  c->usage[0] ? " " : "", c->usage);
		return -EINVAL;
	}
	return c->fn(argc, argv);
}

int shell_parse_u64(const char *s, u64 *v)
{
	return kstrtou64(s, strlen(s), true, v);
}

int shell_parse_kv(char *s, char **key, char **val)
{
	char *eq = strchr(s, '=');

	if (!eq || eq == s || !eq[1])
		return -EINVAL;
	*eq = '\0';
	*key = s;
	*val = eq + 1;
	return 0;
}

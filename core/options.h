/* SPDX-License-Identifier: MIT */
/*
 * The command-line option engine: a table of typed descriptors fills a
 * typed options structure. Pure (no hardware, no console), so the host tests
 * it; the table's owner (boot/options_table.c) supplies the table, the
 * structure and the hooks for values only it understands.
 *
 * A command line is words separated by blanks, each `key` or `key=value`;
 * when a key appears twice the last good value wins. Every problem (an
 * unknown key, a bad or empty value) is reported through the caller's
 * callback as one line, and the option keeps its earlier value.
 */
#ifndef KEEL_CORE_OPTIONS_H
#define KEEL_CORE_OPTIONS_H

#include "core/types.h"

enum opt_type {
	OPT_FLAG, /* bool: `key` alone; a value is an error */
	OPT_UINT, /* u64 in [min, max], K/M/G suffix, rounded up to align */
	OPT_ENUM, /* unsigned int: index of one name, OPT_ENUM_UNSET if none */
	OPT_WORDS, /* u32: bit i set for the i-th name in a comma list */
	OPT_STRING, /* struct opt_str: the value as given */
	OPT_CUSTOM, /* the table owner's parse hook fills its own type */
};

#define OPT_ENUM_UNSET 0xffffffffu
/* OPT_WORDS values are a u32 mask. */
#define OPT_WORDS_MAX 32
/* Longest key or value echoed in a message; longer ones are cut with "...". */
#define OPT_ECHO_MAX 48
/* Longest message the engine reports, terminator included. */
#define OPT_MSG_MAX 256

enum opt_sev {
	OPT_SEV_ERROR, /* the word was ignored */
	OPT_SEV_NOTE, /* the value was adjusted (rounded) */
};

struct opt_str {
	const char *s; /* points into the command line */
	size_t len;
};

/*
 * Parse @len bytes at @val into @dst. On failure return nonzero and write a
 * reason (no key, no newline) to @why.
 */
typedef int (*opt_parse_fn)(const char *val, size_t len, void *dst, char *why,
			    size_t why_size);
/* The @i-th name of an ENUM or WORDS option, or NULL past the last. */
typedef const char *(*opt_names_fn)(unsigned int i);

struct opt_desc {
	const char *name;
	enum opt_type type;
	size_t offset; /* of the value in the options structure */
	const char *def; /* default, as written on a command line; NULL: none */
	const char *values; /* the accepted values, for docs and messages */
	const char *help; /* one sentence for docs/command-line.md */
	/* OPT_UINT */
	u64 min, max, align;
	/* OPT_ENUM, OPT_WORDS: a NULL-terminated list, or a hook */
	const char *const *names;
	opt_names_fn names_fn;
	/* OPT_CUSTOM */
	opt_parse_fn parse;
};

struct opt_table {
	const struct opt_desc *opts;
	unsigned int n;
};

typedef void (*opt_report_fn)(void *ctx, enum opt_sev sev, const char *msg);

/*
 * Set every option to its default (an option without one: false, 0, unset
 * or empty; OPT_CUSTOM fields are left as the caller set them), then apply
 * @cmdline. Messages go to
 * @report (may be NULL). Returns the number of errors.
 */
int opt_parse(const struct opt_table *t, void *opts, const char *cmdline,
	      opt_report_fn report, void *ctx);

/* The descriptor named @name, or NULL. */
const struct opt_desc *opt_find(const struct opt_table *t, const char *name,
				size_t len);
/* The @i-th name of an ENUM or WORDS option, or NULL. */
const char *opt_name_at(const struct opt_desc *d, unsigned int i);

/* Levenshtein distance, capped at 255; exported for the host tests. */
unsigned int opt_edit_distance(const char *a, size_t alen, const char *b,
			       size_t blen);

#endif

// SPDX-License-Identifier: MIT
/*
 * docs/command-line.md documents exactly the options of Keel's table
 * (boot/options_table.c), with the same defaults: a row per option, no row
 * for an option that does not exist.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "core/selftest.h"
#include "boot/options.h"
#include "drivers/pci.h"

#define DOC "docs/command-line.md"
#define MAX_ROWS 64

/* The registry is a kernel linker section; the doc test needs no entries. */
const struct selftest *selftest_at(enum selftest_kind kind, unsigned int i)
{
	(void)kind;
	(void)i;
	return NULL;
}

struct row {
	char name[32]; /* "guest_mem" (the "=" dropped) */
	bool takes_value; /* written `key=` */
	char def[32]; /* "" when the cell is empty */
};

/* Copy the text inside the first `...` of @cell to @out, or "". */
static void code_text(const char *cell, size_t len, char *out, size_t size)
{
	const char *a = memchr(cell, '`', len), *b;

	out[0] = '\0';
	if (!a)
		return;
	b = memchr(a + 1, '`', len - (size_t)(a + 1 - cell));
	if (b && (size_t)(b - a - 1) < size) {
		memcpy(out, a + 1, (size_t)(b - a - 1));
		out[b - a - 1] = '\0';
	}
}

/* The rows of the first table whose header starts "| option |". */
static unsigned int read_rows(struct row *rows)
{
	char line[2048];
	unsigned int n = 0;
	bool in_table = false;
	FILE *f = fopen(DOC, "r");

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", DOC);
	while (fgets(line, sizeof(line), f) && n < MAX_ROWS) {
		char *cells[4], *p = line;
		unsigned int nc = 0;

		if (!strncmp(line, "| option |", 10)) {
			in_table = true;
			continue;
		}
		if (!in_table || strncmp(line, "| `", 3))
			continue;
		while (nc < 4 && (p = strchr(p, '|'))) {
			/* A "\|" inside a cell is not a separator. */
			if (p > line && p[-1] == '\\') {
				p++;
				continue;
			}
			cells[nc++] = ++p;
		}
		assert_int_equal(nc, 4);
		code_text(cells[0], (size_t)(cells[1] - cells[0]), rows[n].name,
			  sizeof(rows[n].name));
		code_text(cells[2], (size_t)(cells[3] - cells[2]), rows[n].def,
			  sizeof(rows[n].def));
		size_t len = strlen(rows[n].name);

		rows[n].takes_value = len && rows[n].name[len - 1] == '=';
		if (rows[n].takes_value)
			rows[n].name[len - 1] = '\0';
		n++;
	}
	fclose(f);
	return n;
}

static void test_doc_matches_table(void **state)
{
	static struct row rows[MAX_ROWS];
	const struct opt_table *t = &keel_option_table;
	unsigned int n = read_rows(rows);

	assert_int_equal(n, t->n);
	for (unsigned int i = 0; i < t->n; i++) {
		const struct opt_desc *d = &t->opts[i];
		const struct row *r = NULL;

		for (unsigned int k = 0; k < n && !r; k++)
			if (!strcmp(rows[k].name, d->name))
				r = &rows[k];
		if (!r)
			fail_msg("%s: option %s has no row", DOC, d->name);
		if (r->takes_value != (d->type != OPT_FLAG))
			fail_msg("%s: write `%s%s`", DOC, d->name,
				 d->type == OPT_FLAG ? "" : "=");
		if (strcmp(r->def, d->def ? d->def : ""))
			fail_msg(
				"%s: %s default is `%s` in the table, `%s` in the doc",
				DOC, d->name, d->def ? d->def : "", r->def);
		assert_non_null(d->help);
		assert_non_null(d->values);
	}
}

/*
 * The DMA options through the real table: passthrough= adds up over
 * repeats (each function once), a malformed word adds nothing, and
 * iommu= and unconfined_dma land where iommu/ reads them.
 */
static void test_dma_options(void **state)
{
	static struct keel_options o;
	int errors;

	errors = opt_parse(
		&keel_option_table, &o,
		"passthrough=00:02.0,00:03.0 passthrough=00:03.0,01:00.1 "
		"passthrough=00:04.0,zz pci_hide=00:1f.2",
		NULL, NULL);
	assert_int_equal(errors, 1);
	assert_int_equal(o.guest.n_passthrough, 3);
	assert_int_equal(o.guest.passthrough[0], PCI_BDF(0, 2, 0));
	assert_int_equal(o.guest.passthrough[1], PCI_BDF(0, 3, 0));
	assert_int_equal(o.guest.passthrough[2], PCI_BDF(1, 0, 1));
	assert_int_equal(o.guest.n_hidden, 1);
	assert_int_equal(o.iommu.mode, IOMMU_MODE_ON);
	assert_false(o.iommu.unconfined_dma);
	errors = opt_parse(&keel_option_table, &o, "iommu=off unconfined_dma",
			   NULL, NULL);
	assert_int_equal(errors, 0);
	assert_int_equal(o.iommu.mode, IOMMU_MODE_OFF);
	assert_true(o.iommu.unconfined_dma);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_matches_table),
		cmocka_unit_test(test_dma_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

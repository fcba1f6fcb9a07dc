// SPDX-License-Identifier: MIT
/* The command-line option engine; see core/options.h. */
#include "core/lib.h"
#include "core/options.h"

/* Keys closer than this (and shorter than the key) get a suggestion. */
#define SUGGEST_MAX_DIST 2
/* Longest string opt_edit_distance() compares. */
#define DIST_MAX_LEN 64
#define NAMES_TEXT_MAX 120

/* printf arguments for "%.*s%s": @s cut to OPT_ECHO_MAX with a marker. */
#define ECHO(s, n)                                        \
	(int)MIN((size_t)(n), (size_t)OPT_ECHO_MAX), (s), \
		((n) > OPT_ECHO_MAX ? "..." : "")

struct pctx {
	const struct opt_table *t;
	void *opts;
	opt_report_fn report;
	void *rctx;
	int errors;
};

static void say(struct pctx *c, enum opt_sev sev, const char *fmt, ...)
	__printf(3, 4);

static void say(struct pctx *c, enum opt_sev sev, const char *fmt, ...)
{
	char msg[OPT_MSG_MAX];
	va_list ap;

	if (sev == OPT_SEV_ERROR)
		c->errors++;
	if (!c->report)
		return;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->report(c->rctx, sev, msg);
}

unsigned int opt_edit_distance(const char *a, size_t alen, const char *b,
			       size_t blen)
{
	u8 prev[DIST_MAX_LEN + 1], cur[DIST_MAX_LEN + 1];

	if (alen > DIST_MAX_LEN || blen > DIST_MAX_LEN)
		return 255;
	for (size_t j = 0; j <= blen; j++)
		prev[j] = (u8)j;
	for (size_t i = 1; i <= alen; i++) {
		cur[0] = (u8)i;
		for (size_t j = 1; j <= blen; j++) {
			unsigned int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			unsigned int del = prev[j] + 1u, ins = cur[j - 1] + 1u;

			cur[j] = (u8)MIN(sub, MIN(del, ins));
		}
		memcpy(prev, cur, blen + 1);
	}
	return prev[blen];
}

static bool word_is(const char *w, size_t n, const char *name)
{
	return strlen(name) == n && !strncmp(w, name, n);
}

const struct opt_desc *opt_find(const struct opt_table *t, const char *name,
				size_t len)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (word_is(name, len, t->opts[i].name))
			return &t->opts[i];
	return NULL;
}

const char *opt_name_at(const struct opt_desc *d, unsigned int i)
{
	if (d->names_fn)
		return d->names_fn(i);
	if (!d->names)
		return NULL;
	for (unsigned int k = 0; k < i; k++)
		if (!d->names[k])
			return NULL;
	return d->names[i];
}

/* The closest of @cands to @w, when close enough to be a likely typo. */
static const char *closest(const char *w, size_t n,
			   const char *(*cand)(const void *, unsigned int),
			   const void *arg)
{
	const char *best = NULL, *s;
	unsigned int best_d = SUGGEST_MAX_DIST + 1;

	for (unsigned int i = 0; (s = cand(arg, i)); i++) {
		unsigned int d = opt_edit_distance(w, n, s, strlen(s));

		if (d < best_d && d < n) {
			best_d = d;
			best = s;
		}
	}
	return best;
}

static const char *table_name(const void *arg, unsigned int i)
{
	const struct opt_table *t = arg;

	return i < t->n ? t->opts[i].name : NULL;
}

static const char *desc_name(const void *arg, unsigned int i)
{
	return opt_name_at(arg, i);
}

static int find_name(const struct opt_desc *d, const char *w, size_t n)
{
	const char *s;

	for (unsigned int i = 0; (s = opt_name_at(d, i)); i++)
		if (word_is(w, n, s))
			return (int)i;
	return -1;
}

/* "a, b or c": @d's names, for messages. */
static void list_names(const struct opt_desc *d, char *out, size_t size)
{
	size_t at = 0;
	const char *s;

	out[0] = '\0';
	for (unsigned int i = 0; (s = opt_name_at(d, i)) && at < size; i++) {
		const char *sep = !i			? "" :
				  opt_name_at(d, i + 1) ? ", " :
							  " or ";

		at += (size_t)ksnprintf(out + at, size - at, "%s%s", sep, s);
	}
	if (!opt_name_at(d, 0))
		ksnprintf(out, size, "(none built in)");
}

/* What @d accepts: its names when it has a list, else its values text. */
static void expected(const struct opt_desc *d, char *out, size_t size)
{
	if (d->type == OPT_ENUM || d->type == OPT_WORDS)
		list_names(d, out, size);
	else
		ksnprintf(out, size, "%s", d->values);
}

static int parse_enum(const struct opt_desc *d, const char *v, size_t n,
		      unsigned int *out, char *why, size_t size)
{
	char names[NAMES_TEXT_MAX];
	const char *hint;
	int i = find_name(d, v, n);

	if (i >= 0) {
		*out = (unsigned int)i;
		return 0;
	}
	list_names(d, names, sizeof(names));
	hint = closest(v, n, desc_name, d);
	if (hint)
		ksnprintf(why, size,
			  "unknown value '%.*s%s'; use %s (did you mean '%s'?)",
			  ECHO(v, n), names, hint);
	else
		ksnprintf(why, size, "unknown value '%.*s%s'; use %s",
			  ECHO(v, n), names);
	return -EINVAL;
}

static int parse_words(const struct opt_desc *d, const char *v, size_t n,
		       u32 *out, char *why, size_t size)
{
	u32 mask = 0;
	unsigned int idx = 0;

	for (size_t at = 0, w; at <= n; at += w + 1) {
		for (w = 0; at + w < n && v[at + w] != ',';)
			w++;
		if (!w) {
			ksnprintf(why, size, "empty name in the list");
			return -EINVAL;
		}
		if (parse_enum(d, v + at, w, &idx, why, size))
			return -EINVAL;
		if (idx < OPT_WORDS_MAX)
			mask |= 1u << idx;
	}
	*out = mask;
	return 0;
}

/* "6M": @v in the largest unit that divides it. */
static void fmt_size(u64 v, char *out, size_t size)
{
	static const char units[] = "GMK";
	static const unsigned int shifts[] = { 30, 20, 10 };

	for (unsigned int i = 0; i < ARRAY_SIZE(shifts); i++) {
		if (v && !(v & ((1ULL << shifts[i]) - 1))) {
			ksnprintf(out, size, "%llu%c",
				  (unsigned long long)(v >> shifts[i]),
				  units[i]);
			return;
		}
	}
	ksnprintf(out, size, "%llu", (unsigned long long)v);
}

static int parse_uint(struct pctx *c, const struct opt_desc *d, const char *v,
		      size_t n, u64 *out, char *why, size_t size)
{
	char got[24], want[24];
	u64 x, r;
	int rc = kstrtou64(v, n, true, &x);

	if (rc == -EINVAL) {
		ksnprintf(why, size, "not a number; use %s", d->values);
		return rc;
	}
	if (rc || x < d->min || x > d->max) {
		ksnprintf(why, size, "out of range; use %s", d->values);
		return -ERANGE;
	}
	r = x;
	if (d->align > 1 && x % d->align)
		r = x + (d->align - x % d->align);
	if (r > d->max || r < x) {
		ksnprintf(why, size, "out of range; use %s", d->values);
		return -ERANGE;
	}
	if (r != x && c) {
		fmt_size(r, got, sizeof(got));
		fmt_size(d->align, want, sizeof(want));
		say(c, OPT_SEV_NOTE,
		    "keel: %s=%.*s%s: rounded up to %s (a multiple of %s)",
		    d->name, ECHO(v, n), got, want);
	}
	*out = r;
	return 0;
}

/* Store @v in @d's field; @c NULL: silently (defaults). */
static int set_value(struct pctx *c, const struct opt_desc *d, void *opts,
		     const char *v, size_t n, char *why, size_t size)
{
	void *dst = (u8 *)opts + d->offset;
	struct opt_str *str = dst;

	switch (d->type) {
	case OPT_FLAG:
		*(bool *)dst = true;
		return 0;
	case OPT_UINT:
		return parse_uint(c, d, v, n, dst, why, size);
	case OPT_ENUM:
		return parse_enum(d, v, n, dst, why, size);
	case OPT_WORDS:
		return parse_words(d, v, n, dst, why, size);
	case OPT_STRING:
		str->s = v;
		str->len = n;
		return 0;
	case OPT_CUSTOM:
		return d->parse(v, n, dst, why, size);
	}
	return -EINVAL;
}

static void set_defaults(struct pctx *c)
{
	char why[OPT_MSG_MAX];

	for (unsigned int i = 0; i < c->t->n; i++) {
		const struct opt_desc *d = &c->t->opts[i];
		void *dst = (u8 *)c->opts + d->offset;

		if (d->type == OPT_ENUM)
			*(unsigned int *)dst = OPT_ENUM_UNSET;
		else if (d->type == OPT_FLAG)
			*(bool *)dst = false;
		else if (d->type == OPT_WORDS)
			*(u32 *)dst = 0;
		else if (d->type == OPT_STRING)
			*(struct opt_str *)dst = (struct opt_str){ NULL, 0 };
		if (!d->def || d->type == OPT_FLAG)
			continue;
		/* Defaults are not rounded: a table bug must not look like
		 * the user's. */
		if (set_value(NULL, d, c->opts, d->def, strlen(d->def), why,
			      sizeof(why)))
			say(c, OPT_SEV_ERROR,
			    "keel: option table: default %s=%s: %s", d->name,
			    d->def, why);
	}
}

static void unknown_key(struct pctx *c, const char *k, size_t n)
{
	const char *s = closest(k, n, table_name, c->t);

	if (s)
		say(c, OPT_SEV_ERROR,
		    "keel: unknown option '%.*s%s' ignored; did you mean '%s'?",
		    ECHO(k, n), s);
	else
		say(c, OPT_SEV_ERROR, "keel: unknown option '%.*s%s' ignored",
		    ECHO(k, n));
}

static void apply_word(struct pctx *c, const char *w, size_t n)
{
	char why[OPT_MSG_MAX];
	size_t klen = 0, vlen;
	const struct opt_desc *d;
	const char *v;

	while (klen < n && w[klen] != '=')
		klen++;
	v = w + klen + (klen < n);
	vlen = n - klen - (klen < n);
	d = opt_find(c->t, w, klen);
	if (!d) {
		unknown_key(c, w, klen);
	} else if (d->type == OPT_FLAG && klen < n) {
		say(c, OPT_SEV_ERROR, "keel: %.*s%s ignored: %s takes no value",
		    ECHO(w, n), d->name);
	} else if (d->type != OPT_FLAG && !vlen) {
		expected(d, why, sizeof(why));
		say(c, OPT_SEV_ERROR,
		    "keel: %.*s%s ignored: needs a value; use %s", ECHO(w, n),
		    why);
	} else if (set_value(c, d, c->opts, v, vlen, why, sizeof(why))) {
		say(c, OPT_SEV_ERROR, "keel: %s=%.*s%s ignored: %s", d->name,
		    ECHO(v, vlen), why);
	}
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

int opt_parse(const struct opt_table *t, void *opts, const char *cmdline,
	      opt_report_fn report, void *ctx)
{
	struct pctx c = { t, opts, report, ctx, 0 };
	const char *p = cmdline ? cmdline : "";

	set_defaults(&c);
	while (*p) {
		const char *w;

		while (is_blank(*p))
			p++;
		for (w = p; *p && !is_blank(*p);)
			p++;
		if (p > w)
			apply_word(&c, w, (size_t)(p - w));
	}
	return c.errors;
}

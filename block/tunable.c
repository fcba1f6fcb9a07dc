// SPDX-License-Identifier: MIT
/*
 * Table-driven elevator tunables (block/tunable.h) and the device-level
 * calls on top of them (block/block.h): set, get, "KEY=VALUE", listing.
 */
#include "core/lib.h"
#include "block/blk.h"
#include "block/tunable.h"

#define NS_PER_US 1000ULL
#define NS_PER_MS 1000000ULL
#define NS_PER_S 1000000000ULL

int blk_tunable_find(const struct blk_tunable *tab, u32 n, const char *name,
		     size_t len)
{
	for (u32 i = 0; i < n; i++)
		if (strlen(tab[i].name) == len &&
		    !memcmp(tab[i].name, name, len))
			return (int)i;
	return -ENOENT;
}

/* ns per shown unit for times, 1 otherwise. */
static u64 unit_scale(const struct blk_tunable *t)
{
	return t->unit == BLK_TUN_MS ? NS_PER_MS : 1;
}

static bool unit_is_time(const struct blk_tunable *t)
{
	return t->unit == BLK_TUN_MS || t->unit == BLK_TUN_NS;
}

static const char *unit_name(const struct blk_tunable *t)
{
	switch (t->unit) {
	case BLK_TUN_MS:
		return " ms";
	case BLK_TUN_NS:
		return " ns";
	default:
		return "";
	}
}

u64 blk_tunable_load(const struct blk_tunable *t, const void *priv)
{
	const u8 *p = (const u8 *)priv + t->offset;
	u64 raw;

	if (t->size == sizeof(u64))
		raw = *(const u64 *)p;
	else if (t->size == sizeof(u32))
		raw = *(const u32 *)p;
	else
		raw = *(const bool *)p;
	return raw / unit_scale(t);
}

int blk_tunable_store(const struct blk_tunable *t, void *priv, u64 val)
{
	u8 *p = (u8 *)priv + t->offset;
	u64 raw;

	if (val < t->min || val > t->max)
		return t->unit == BLK_TUN_BOOL ? -EINVAL : -ERANGE;
	if (val > ~0ULL / unit_scale(t))
		return -ERANGE;
	if (t->may_set) {
		int err = t->may_set(priv);

		if (err)
			return err;
	}
	raw = val * unit_scale(t);
	if (t->size == sizeof(u64))
		*(u64 *)p = raw;
	else if (t->size == sizeof(u32))
		*(u32 *)p = (u32)raw;
	else
		*(bool *)p = raw != 0;
	return 0;
}

/* ns in one @suffix (@len bytes), or 0 if it is not a time suffix. */
static u64 suffix_ns(const char *suffix, size_t len)
{
	static const struct {
		const char *name;
		u64 ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", NS_PER_US },
		{ "ms", NS_PER_MS },
		{ "s", NS_PER_S },
	};

	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strlen(units[i].name) == len &&
		    !memcmp(units[i].name, suffix, len))
			return units[i].ns;
	return 0;
}

int blk_tunable_parse(const struct blk_tunable *t, const char *s, size_t len,
		      u64 *val)
{
	size_t digits = len;
	u64 v, ns, per;
	int err;

	/* A hex number ends in hex digits, never in a unit. */
	if (unit_is_time(t) &&
	    !(len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		while (digits && (s[digits - 1] < '0' || s[digits - 1] > '9'))
			digits--;
	err = kstrtou64(s, digits, false, &v);
	if (err)
		return err;
	if (digits == len) {
		*val = v;
		return 0;
	}
	ns = suffix_ns(s + digits, len - digits);
	if (!ns)
		return -EINVAL;
	if (v > ~0ULL / ns)
		return -ERANGE;
	v *= ns;
	per = t->unit == BLK_TUN_MS ? NS_PER_MS : 1;
	if (v % per)
		return -EINVAL;
	*val = v / per;
	return 0;
}

int blk_tunable_format(const struct blk_tunable *t, const void *priv, char *buf,
		       size_t size)
{
	return ksnprintf(buf, size, "%s=%llu%s [%llu..%llu]%s %s", t->name,
			 (unsigned long long)blk_tunable_load(t, priv),
			 unit_name(t), (unsigned long long)t->min,
			 (unsigned long long)t->max,
			 t->read_only ? " read-only" : "", t->help);
}

static const struct blk_tunable *dev_tunable(const struct blk_dev *dev,
					     const char *name, size_t len)
{
	const struct elevator_type *e = dev->q.elv;
	int i = blk_tunable_find(e->tunables, e->nr_tunables, name, len);

	return i < 0 ? NULL : &e->tunables[i];
}

int blk_set_tunable(struct blk_dev *dev, const char *name, u64 val)
{
	const struct blk_tunable *t = dev_tunable(dev, name, strlen(name));

	if (!t || t->read_only)
		return -ENOENT;
	return blk_tunable_store(t, dev->q.elv_priv, val);
}

int blk_get_tunable(struct blk_dev *dev, const char *name, u64 *val)
{
	const struct blk_tunable *t = dev_tunable(dev, name, strlen(name));

	if (!t)
		return -ENOENT;
	*val = blk_tunable_load(t, dev->q.elv_priv);
	return 0;
}

int blk_tune(struct blk_dev *dev, const char *kv)
{
	const char *eq = strchr(kv, '=');
	const struct blk_tunable *t;
	u64 val;
	int err;

	if (!eq)
		return -EINVAL;
	t = dev_tunable(dev, kv, (size_t)(eq - kv));
	if (!t || t->read_only)
		return -ENOENT;
	err = blk_tunable_parse(t, eq + 1, strlen(eq + 1), &val);
	if (err)
		return err;
	return blk_tunable_store(t, dev->q.elv_priv, val);
}

int blk_tunable_list(const struct blk_dev *dev, unsigned int i, char *buf,
		     size_t size)
{
	const struct elevator_type *e = dev->q.elv;

	if (i >= e->nr_tunables)
		return -ENOENT;
	return blk_tunable_format(&e->tunables[i], dev->q.elv_priv, buf, size);
}

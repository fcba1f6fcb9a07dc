// SPDX-License-Identifier: MIT
/*
 * The bucketed sort list (block/sortq.h says why and what it costs).
 * Buckets are monotonic in the sector, so walking the buckets in order and
 * each bucket's tree in order visits the requests in sector order.
 */
#include "core/lib.h"
#include "block/blk.h"
#include "block/sortq.h"

#define RB_OFF offsetof(struct request, rb_node)

_Static_assert(SORTQ_WORDS <= 64, "the summary word covers every word");

static struct request *rb_rq(const struct rb_node *n)
{
	return n ? rb_entry(n, struct request, rb_node) : NULL;
}

static u32 bucket_of(const struct sortq *sq, sector_t s)
{
	sector_t b = s >> sq->shift;

	/* Past the capacity (never for a checked request): stay in order. */
	return b < SORTQ_BUCKETS ? (u32)b : SORTQ_BUCKETS - 1;
}

static struct rb_root get_root(const struct sortq *sq, u32 b)
{
	u32 i = sq->root[b];

	return (struct rb_root){ i ? &sq->pool[i - 1].rb_node : NULL };
}

static void set_root(struct sortq *sq, u32 b, struct rb_root r)
{
	sq->root[b] = r.node ? (u32)(rb_rq(r.node) - sq->pool) + 1 : 0;
}

/* The first non-empty bucket at or after @b, or SORTQ_BUCKETS. */
static u32 next_bucket(const struct sortq *sq, u32 b)
{
	u32 w = b / 64;
	u64 m, s;

	if (b >= SORTQ_BUCKETS)
		return SORTQ_BUCKETS;
	m = sq->words[w] & (~0ULL << (b % 64));
	if (m)
		return w * 64 + (u32)__builtin_ctzll(m);
	s = w + 1 < 64 ? sq->summary & (~0ULL << (w + 1)) : 0;
	if (!s)
		return SORTQ_BUCKETS;
	w = (u32)__builtin_ctzll(s);
	return w * 64 + (u32)__builtin_ctzll(sq->words[w]);
}

/* The last non-empty bucket at or before @b, or SORTQ_BUCKETS. */
static u32 prev_bucket(const struct sortq *sq, u32 b)
{
	u32 w = b / 64;
	u64 m = sq->words[w] & (~0ULL >> (63 - b % 64));
	u64 s = sq->summary & ((1ULL << w) - 1);

	if (m)
		return w * 64 + 63 - (u32)__builtin_clzll(m);
	if (!s)
		return SORTQ_BUCKETS;
	w = 63 - (u32)__builtin_clzll(s);
	return w * 64 + 63 - (u32)__builtin_clzll(sq->words[w]);
}

static struct request *last_from(const struct sortq *sq, u32 b)
{
	struct rb_root r;

	b = prev_bucket(sq, b);
	if (b == SORTQ_BUCKETS)
		return NULL;
	r = get_root(sq, b);
	return rb_rq(rb_last(&r));
}

static struct request *first_from(const struct sortq *sq, u32 b)
{
	struct rb_root r;

	b = next_bucket(sq, b);
	if (b == SORTQ_BUCKETS)
		return NULL;
	r = get_root(sq, b);
	return rb_rq(rb_first(&r));
}

void sortq_init(struct sortq *sq, struct request *pool, sector_t capacity)
{
	memset(sq, 0, sizeof(*sq));
	sq->pool = pool;
	while (capacity > 1 && ((capacity - 1) >> sq->shift) >= SORTQ_BUCKETS)
		sq->shift++;
}

void sortq_insert(struct sortq *sq, struct request *rq)
{
	u32 b = bucket_of(sq, rq->sector);
	struct rb_root r = get_root(sq, b);

	rq_rb_insert(&r, &rq->rb_node, RB_OFF);
	set_root(sq, b, r);
	sq->words[b / 64] |= 1ULL << (b % 64);
	sq->summary |= 1ULL << (b / 64);
}

void sortq_erase(struct sortq *sq, struct request *rq, sector_t key)
{
	u32 b = bucket_of(sq, key);
	struct rb_root r = get_root(sq, b);

	rb_erase(&rq->rb_node, &r);
	set_root(sq, b, r);
	if (r.node)
		return;
	sq->words[b / 64] &= ~(1ULL << (b % 64));
	if (!sq->words[b / 64])
		sq->summary &= ~(1ULL << (b / 64));
}

struct request *sortq_lower_bound(const struct sortq *sq, sector_t pos)
{
	u32 b = bucket_of(sq, pos);
	struct rb_root r = get_root(sq, b);
	struct rb_node *n = r.node ? rq_rb_lower_bound(&r, pos, RB_OFF) : NULL;

	return n ? rb_rq(n) : first_from(sq, b + 1);
}

struct request *sortq_next(const struct sortq *sq, const struct request *rq)
{
	struct rb_node *n = rb_next(&rq->rb_node);

	return n ? rb_rq(n) : first_from(sq, bucket_of(sq, rq->sector) + 1);
}

struct request *sortq_prev(const struct sortq *sq, const struct request *rq)
{
	struct rb_node *n = rb_prev(&rq->rb_node);
	u32 b = bucket_of(sq, rq->sector);

	if (n)
		return rb_rq(n);
	return b ? last_from(sq, b - 1) : NULL;
}

struct request *sortq_last(const struct sortq *sq)
{
	return last_from(sq, SORTQ_BUCKETS - 1);
}

bool sortq_empty(const struct sortq *sq)
{
	return !sq->summary;
}

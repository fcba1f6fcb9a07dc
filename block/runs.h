/* SPDX-License-Identifier: MIT */
/*
 * Run starts of a sort list (block/sortq.h): the requests that the one
 * before them in sector order does not reach, i.e. where a sweep over
 * contiguous requests (a run) begins. keel uses them to choose where a
 * write sweep resumes after reads cut it (docs/block.md, keel, rule 3).
 *
 * A request's status depends only on its predecessor, so a change of the
 * sort list changes it for at most the request itself and its successor;
 * the caller passes those to runs_fix(). Each call is O(log n): a sort
 * list predecessor and a tree insert or erase.
 */
#ifndef KEEL_BLOCK_RUNS_H
#define KEEL_BLOCK_RUNS_H

#include "block/block.h"
#include "block/sortq.h"

/* Put @rq (queued in @sq, or NULL) in @runs or take it out, as it is now. */
void runs_fix(struct rb_root *runs, const struct sortq *sq, struct request *rq);
/* @rq leaves @sq: out of @runs too (call before sortq_erase). */
void runs_drop(struct rb_root *runs, struct request *rq);
/* The run start nearest to @pos either way, or NULL if @runs is empty. */
struct request *runs_near(const struct rb_root *runs, sector_t pos);

#endif

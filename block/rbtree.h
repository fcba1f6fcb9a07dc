/* SPDX-License-Identifier: MIT */
/*
 * Intrusive red-black tree, after Linux include/linux/rbtree.h: the caller
 * embeds struct rb_node, walks down to find the link itself (so the tree
 * never calls a comparison function), links the node and asks for the
 * rebalance. Insert and erase are O(log n). Rules from CLRS 3rd ed. ch. 13.
 */
#ifndef KEEL_BLOCK_RBTREE_H
#define KEEL_BLOCK_RBTREE_H

#include "core/types.h"

struct rb_node {
	struct rb_node *parent;
	/* child[1] is right: a walk indexes by the comparison, no branch. */
	union {
		struct {
			struct rb_node *left;
			struct rb_node *right;
		};
		struct rb_node *child[2];
	};
	bool red;
};

struct rb_root {
	struct rb_node *node;
};

#define RB_ROOT ((struct rb_root){ NULL })
#define rb_entry(ptr, type, member) container_of(ptr, type, member)

/* Attach @node as a leaf at *@link under @parent; then call rb_insert_color. */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->parent = parent;
	node->left = NULL;
	node->right = NULL;
	node->red = true;
	*link = node;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root);
void rb_erase(struct rb_node *node, struct rb_root *root);
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

/* Debug aid for the host tests: black height, or -1 if a rule is broken. */
int rb_check(const struct rb_root *root);

#endif

// SPDX-License-Identifier: MIT
/*
 * Red-black tree rebalancing. The algorithms are CLRS 3rd ed. 13.3 (insert)
 * and 13.4 (delete) with NULL leaves instead of a sentinel, so erase tracks
 * the parent of the spliced-in child by hand.
 */
#include "block/rbtree.h"

static void rotate_left(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	if (!x->parent)
		root->node = y;
	else if (x == x->parent->left)
		x->parent->left = y;
	else
		x->parent->right = y;
	y->left = x;
	x->parent = y;
}

static void rotate_right(struct rb_root *root, struct rb_node *x)
{
	struct rb_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	if (!x->parent)
		root->node = y;
	else if (x == x->parent->right)
		x->parent->right = y;
	else
		x->parent->left = y;
	y->right = x;
	x->parent = y;
}

void rb_insert_color(struct rb_node *z, struct rb_root *root)
{
	while (z->parent && z->parent->red) {
		struct rb_node *p = z->parent;
		/* A red parent is never the root, so the grandparent exists. */
		struct rb_node *g = p->parent;

		if (p == g->left) {
			struct rb_node *u = g->right;

			if (u && u->red) {
				p->red = false;
				u->red = false;
				g->red = true;
				z = g;
				continue;
			}
			if (z == p->right) {
				z = p;
				rotate_left(root, z);
				p = z->parent;
			}
			p->red = false;
			g->red = true;
			rotate_right(root, g);
		} else {
			struct rb_node *u = g->left;

			if (u && u->red) {
				p->red = false;
				u->red = false;
				g->red = true;
				z = g;
				continue;
			}
			if (z == p->left) {
				z = p;
				rotate_right(root, z);
				p = z->parent;
			}
			p->red = false;
			g->red = true;
			rotate_left(root, g);
		}
	}
	root->node->red = false;
}

static void transplant(struct rb_root *root, struct rb_node *u,
		       struct rb_node *v)
{
	if (!u->parent)
		root->node = v;
	else if (u == u->parent->left)
		u->parent->left = v;
	else
		u->parent->right = v;
	if (v)
		v->parent = u->parent;
}

static bool is_red(const struct rb_node *n)
{
	return n && n->red;
}

/* CLRS RB-DELETE-FIXUP; @x may be NULL, hence the explicit @xp. */
static void erase_fixup(struct rb_root *root, struct rb_node *x,
			struct rb_node *xp)
{
	while (x != root->node && !is_red(x)) {
		if (x == xp->left) {
			struct rb_node *w = xp->right;

			if (is_red(w)) {
				w->red = false;
				xp->red = true;
				rotate_left(root, xp);
				w = xp->right;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = true;
				x = xp;
				xp = x->parent;
				continue;
			}
			if (!is_red(w->right)) {
				w->left->red = false;
				w->red = true;
				rotate_right(root, w);
				w = xp->right;
			}
			w->red = xp->red;
			xp->red = false;
			if (w->right)
				w->right->red = false;
			rotate_left(root, xp);
			x = root->node;
		} else {
			struct rb_node *w = xp->left;

			if (is_red(w)) {
				w->red = false;
				xp->red = true;
				rotate_right(root, xp);
				w = xp->left;
			}
			if (!is_red(w->right) && !is_red(w->left)) {
				w->red = true;
				x = xp;
				xp = x->parent;
				continue;
			}
			if (!is_red(w->left)) {
				w->right->red = false;
				w->red = true;
				rotate_left(root, w);
				w = xp->left;
			}
			w->red = xp->red;
			xp->red = false;
			if (w->left)
				w->left->red = false;
			rotate_right(root, xp);
			x = root->node;
		}
	}
	if (x)
		x->red = false;
}

void rb_erase(struct rb_node *z, struct rb_root *root)
{
	struct rb_node *x, *xp;
	bool removed_red = z->red;

	if (!z->left) {
		x = z->right;
		xp = z->parent;
		transplant(root, z, z->right);
	} else if (!z->right) {
		x = z->left;
		xp = z->parent;
		transplant(root, z, z->left);
	} else {
		struct rb_node *y = z->right;

		while (y->left)
			y = y->left;
		removed_red = y->red;
		x = y->right;
		if (y->parent == z) {
			xp = y;
		} else {
			xp = y->parent;
			transplant(root, y, y->right);
			y->right = z->right;
			y->right->parent = y;
		}
		transplant(root, z, y);
		y->left = z->left;
		y->left->parent = y;
		y->red = z->red;
	}
	if (!removed_red)
		erase_fixup(root, x, xp);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	if (!n)
		return NULL;
	while (n->left)
		n = n->left;
	return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	if (!n)
		return NULL;
	while (n->right)
		n = n->right;
	return n;
}

struct rb_node *rb_next(const struct rb_node *n)
{
	struct rb_node *p;

	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return (struct rb_node *)n;
	}
	while ((p = n->parent) && n == p->right)
		n = p;
	return p;
}

struct rb_node *rb_prev(const struct rb_node *n)
{
	struct rb_node *p;

	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return (struct rb_node *)n;
	}
	while ((p = n->parent) && n == p->left)
		n = p;
	return p;
}

static int check(const struct rb_node *n, const struct rb_node *parent)
{
	int l, r;

	if (!n)
		return 1;
	if (n->parent != parent)
		return -1;
	if (n->red && (is_red(n->left) || is_red(n->right)))
		return -1;
	l = check(n->left, n);
	r = check(n->right, n);
	if (l < 0 || r < 0 || l != r)
		return -1;
	return l + !n->red;
}

int rb_check(const struct rb_root *root)
{
	if (is_red(root->node))
		return -1;
	return check(root->node, NULL);
}

/*
 * mcf.h: minimum-cost flow by the primal network simplex method (pure C, no
 * PostgreSQL).
 *
 * Integer costs, capacities and supplies; every node's supply must sum to
 * zero.  Arcs may be added after a solve (they enter as non-basic at zero
 * flow) and the next solve continues from the current spanning tree: that is
 * how settle's optimal matching prices out the arcs it did not keep.
 *
 * The spanning tree keeps, per node, its parent, the tree arc to the parent
 * and its direction, its depth, and its place in a preorder thread of the
 * tree (with the last node of its subtree), so a pivot costs the length of
 * the cycle plus the size of the subtree that moves, walked as one stretch
 * of the thread.  The entering arc is chosen by block search (the most
 * negative reduced cost within a block of about sqrt(arcs) arcs, the arcs
 * taken with a stride so that a block mixes many nodes' arcs, as LEMON's
 * NetworkSimplex does); the leaving arc by the strongly feasible tree rule,
 * which prevents cycling.
 */
#ifndef SETTLE_MCF_H
#define SETTLE_MCF_H

#include <stdint.h>

#define MCF_INF (INT64_MAX / 4)

/*
 * The cost of the artificial arcs of the starting tree.  Callers keep every
 * |cost| x (nodes + 1) below it, so that any real path is cheaper.
 */
#define MCF_ART_COST ((int64_t) 1 << 52)

typedef struct mcf mcf;

/* NULL when out of memory */
extern mcf *mcf_create(int n_nodes);
extern void mcf_free(mcf *g);

/* supply > 0: the node sends; < 0: it receives */
extern void mcf_set_supply(mcf *g, int node, int64_t supply);

/* returns the arc index, or -1 when out of memory; cap MCF_INF = unbounded */
extern int	mcf_add_arc(mcf *g, int from, int to, int64_t cap, int64_t cost);

/*
 * Optimise.  interrupted (may be NULL) is polled every few thousand pivots;
 * when it returns non-zero the solve stops.  Returns 0 when optimal, 1 when
 * infeasible (flow left on an artificial arc), -1 when out of memory, -2 when
 * interrupted.
 */
extern int	mcf_solve(mcf *g, int (*interrupted) (void *), void *arg);

extern int64_t mcf_flow(const mcf *g, int arc);
extern int64_t mcf_potential(const mcf *g, int node);
extern int	mcf_arc_count(const mcf *g);
extern int	mcf_arc_from(const mcf *g, int arc);
extern int	mcf_arc_to(const mcf *g, int arc);
extern int64_t mcf_arc_cost(const mcf *g, int arc);
extern long mcf_pivots(const mcf *g);

#endif							/* SETTLE_MCF_H */

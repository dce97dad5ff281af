/* Group operations: Comm_group, Group_size/rank, Group_incl (reordering),
 * Group_excl, Group_range_incl/range_excl (positive and negative strides),
 * Group_union/intersection/difference (order of the result), translate_ranks
 * (including MPI_UNDEFINED and MPI_PROC_NULL), Group_compare (IDENT, SIMILAR,
 * UNEQUAL), MPI_GROUP_EMPTY, Group_free. Special values are printed by name. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

static int rank, size;

static const char *rname(int r, char *buf) {
    if (r == MPI_UNDEFINED) return "UNDEFINED";
    if (r == MPI_PROC_NULL) return "PROC_NULL";
    sprintf(buf, "%d", r);
    return buf;
}

static const char *cmpname(int c) {
    return c == MPI_IDENT ? "IDENT" : c == MPI_SIMILAR ? "SIMILAR" : c == MPI_UNEQUAL ? "UNEQUAL" : "OTHER";
}

/* Prints a group as its members' world ranks in group order, and my rank in it. */
static void show(const char *name, MPI_Group g, MPI_Group world) {
    int n, me, in[16], out[16];
    char b[16];
    MPI_Group_size(g, &n);
    MPI_Group_rank(g, &me);
    for (int i = 0; i < n; i++) in[i] = i;
    MPI_Group_translate_ranks(g, n, in, world, out);
    printf("rank %d %s: size %d my rank %s members", rank, name, n, rname(me, b));
    for (int i = 0; i < n; i++) printf(" %d", out[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    MPI_Group world, self, world2;
    MPI_Comm_group(MPI_COMM_WORLD, &world);
    MPI_Comm_group(MPI_COMM_SELF, &self);
    MPI_Comm_group(MPI_COMM_WORLD, &world2);
    show("world", world, world);
    show("self", self, world);
    show("empty", MPI_GROUP_EMPTY, world);

    /* incl in reverse order, and a subset in scrambled order. */
    int rev[16], sub[3], nsub = 0;
    for (int i = 0; i < size; i++) rev[i] = size - 1 - i;
    if (size > 2) sub[nsub++] = 2;
    sub[nsub++] = 0;
    if (size > 1) sub[nsub++] = size - 1;
    MPI_Group reversed, subset, evens, odds, none;
    MPI_Group_incl(world, size, rev, &reversed);
    MPI_Group_incl(world, nsub, sub, &subset);
    int ev[16], nev = 0;
    for (int i = 0; i < size; i += 2) ev[nev++] = i;
    MPI_Group_incl(world, nev, ev, &evens);
    MPI_Group_excl(world, nev, ev, &odds);
    MPI_Group_incl(world, 0, ev, &none);
    show("reversed", reversed, world);
    show("subset", subset, world);
    show("evens", evens, world);
    show("odds", odds, world);
    show("incl_nothing", none, world);

    /* Ranges: every third from 0; a descending range; two ranges; excluding ranges. */
    MPI_Group r3, rdown, rtwo, rx, rx_all;
    int a[1][3] = {{0, size - 1, 3}};
    MPI_Group_range_incl(world, 1, a, &r3);
    int d[1][3] = {{size - 1, 0, -2}};
    MPI_Group_range_incl(world, 1, d, &rdown);
    int two[2][3] = {{size - 1, size - 1, 1}, {0, (size - 2) / 2, 1}};
    MPI_Group_range_incl(world, size > 1 ? 2 : 1, size > 1 ? two : a, &rtwo);
    int x[1][3] = {{1 % size, size - 1, 2}};
    MPI_Group_range_excl(world, size > 1 ? 1 : 0, x, &rx);
    int all[1][3] = {{0, size - 1, 1}};
    MPI_Group_range_excl(world, 1, all, &rx_all);
    show("range_every_third", r3, world);
    show("range_descending", rdown, world);
    show("range_two", rtwo, world);
    show("range_excl_odd", rx, world);
    show("range_excl_all", rx_all, world);

    /* Set operations: union keeps group1's order then the new members of group2. */
    MPI_Group u1, u2, i1, i2, d1, d2, ue;
    MPI_Group_union(odds, reversed, &u1);
    MPI_Group_union(subset, evens, &u2);
    MPI_Group_intersection(reversed, evens, &i1);
    MPI_Group_intersection(evens, odds, &i2);
    MPI_Group_difference(reversed, subset, &d1);
    MPI_Group_difference(evens, world, &d2);
    MPI_Group_union(MPI_GROUP_EMPTY, subset, &ue);
    show("union_odds_reversed", u1, world);
    show("union_subset_evens", u2, world);
    show("intersection_reversed_evens", i1, world);
    show("intersection_evens_odds", i2, world);
    show("difference_reversed_subset", d1, world);
    show("difference_evens_world", d2, world);
    show("union_empty_subset", ue, world);

    /* Translate ranks between groups, including MPI_PROC_NULL. */
    int tin[4] = {0, size - 1, MPI_PROC_NULL, size / 2}, tout[4];
    char b0[16], b1[16], b2[16], b3[16];
    MPI_Group_translate_ranks(world, 4, tin, evens, tout);
    printf("rank %d translate world->evens: %s %s %s %s\n", rank, rname(tout[0], b0), rname(tout[1], b1),
           rname(tout[2], b2), rname(tout[3], b3));
    int rin[3] = {0, (size - 1) / 2, size - 1}, rout[3];
    MPI_Group_translate_ranks(reversed, 3, rin, subset, rout);
    printf("rank %d translate reversed->subset: %s %s %s\n", rank, rname(rout[0], b0), rname(rout[1], b1),
           rname(rout[2], b2));

    /* Comparisons. */
    int c[8];
    MPI_Group_compare(world, world2, &c[0]);
    MPI_Group_compare(world, reversed, &c[1]);
    MPI_Group_compare(evens, odds, &c[2]);
    MPI_Group_compare(u1, world, &c[3]);
    MPI_Group_compare(MPI_GROUP_EMPTY, none, &c[4]);
    MPI_Group_compare(i2, MPI_GROUP_EMPTY, &c[5]);
    MPI_Group_compare(self, world, &c[6]);
    MPI_Group_compare(rdown, rdown, &c[7]);
    printf("rank %d compare: world/world2 %s world/reversed %s evens/odds %s union/world %s empty/incl0 %s "
           "evens&odds/empty %s self/world %s same %s\n",
           rank, cmpname(c[0]), cmpname(c[1]), cmpname(c[2]), cmpname(c[3]), cmpname(c[4]), cmpname(c[5]),
           cmpname(c[6]), cmpname(c[7]));

    /* Group_rank of a group I am not in, and group sizes of a communicator built from one. */
    MPI_Comm ecomm;
    MPI_Comm_create(MPI_COMM_WORLD, evens, &ecomm);
    if (ecomm != MPI_COMM_NULL) {
        MPI_Group eg;
        int cmp;
        MPI_Comm_group(ecomm, &eg);
        MPI_Group_compare(eg, evens, &cmp);
        printf("rank %d even comm group vs evens: %s\n", rank, cmpname(cmp));
        MPI_Group_free(&eg);
        MPI_Comm_free(&ecomm);
    } else {
        printf("rank %d not in evens comm\n", rank);
    }

    MPI_Group gs[] = {world, self, world2, reversed, subset, evens, odds, none, r3, rdown, rtwo, rx, rx_all,
                      u1, u2, i1, i2, d1, d2, ue};
    int n = sizeof gs / sizeof gs[0], nulls = 0;
    for (int i = 0; i < n; i++) {
        MPI_Group_free(&gs[i]);
        nulls += gs[i] == MPI_GROUP_NULL;
    }
    printf("rank %d freed %d of %d groups to MPI_GROUP_NULL\n", rank, nulls, n);
    printf("rank %d: done group_ops\n", rank);
    MPI_Finalize();
    return 0;
}

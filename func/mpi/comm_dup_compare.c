/* MPI_Comm_dup and MPI_Comm_compare: IDENT for the same handle, CONGRUENT for
 * a dup (same group, same order, other context), SIMILAR for the same members
 * in another order, UNEQUAL otherwise; MPI_COMM_SELF and its dups; messages on
 * a dup never match receives on the original; dups of dups; Comm_free. */
#include <mpi.h>
#include <stdio.h>

static const char *cmpname(int c) {
    return c == MPI_IDENT       ? "IDENT"
           : c == MPI_CONGRUENT ? "CONGRUENT"
           : c == MPI_SIMILAR   ? "SIMILAR"
           : c == MPI_UNEQUAL   ? "UNEQUAL"
                                : "OTHER";
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    MPI_Comm dup, dupdup, selfdup, rev, half, same_order, alias = MPI_COMM_WORLD;
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    MPI_Comm_dup(dup, &dupdup);
    MPI_Comm_dup(MPI_COMM_SELF, &selfdup);
    MPI_Comm_split(MPI_COMM_WORLD, 0, size - rank, &rev);   /* same members, reversed order */
    MPI_Comm_split(MPI_COMM_WORLD, 0, rank, &same_order);    /* same members, same order */
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);

    struct { const char *name; MPI_Comm a, b; } pairs[] = {
        {"world/world", MPI_COMM_WORLD, MPI_COMM_WORLD},
        {"world/alias", MPI_COMM_WORLD, alias},
        {"world/dup", MPI_COMM_WORLD, dup},
        {"dup/dup", dup, dup},
        {"dup/dupdup", dup, dupdup},
        {"world/split_same_order", MPI_COMM_WORLD, same_order},
        {"world/split_reversed", MPI_COMM_WORLD, rev},
        {"world/half", MPI_COMM_WORLD, half},
        {"self/self", MPI_COMM_SELF, MPI_COMM_SELF},
        {"self/selfdup", MPI_COMM_SELF, selfdup},
        {"world/self", MPI_COMM_WORLD, MPI_COMM_SELF},
        {"half/self", half, MPI_COMM_SELF},
    };
    for (int i = 0; i < (int)(sizeof pairs / sizeof pairs[0]); i++) {
        int c, c2;
        MPI_Comm_compare(pairs[i].a, pairs[i].b, &c);
        MPI_Comm_compare(pairs[i].b, pairs[i].a, &c2);
        printf("rank %d compare %s: %s symmetric %d\n", rank, pairs[i].name, cmpname(c), c == c2);
    }

    /* Rank and size carry over; in the reversed split my rank mirrors. */
    int dr, ds, rr, sr, ss;
    MPI_Comm_rank(dupdup, &dr);
    MPI_Comm_size(dupdup, &ds);
    MPI_Comm_rank(rev, &rr);
    MPI_Comm_rank(selfdup, &sr);
    MPI_Comm_size(selfdup, &ss);
    printf("rank %d dupdup rank %d size %d reversed rank %d selfdup rank %d size %d\n", rank, dr, ds, rr, sr, ss);

    /* Context separation: the same (source, tag) on world and on dup. Send on
     * dup first, then on world; receive on world first: it must get the world message. */
    int peer = (rank + 1) % size, from = (rank + size - 1) % size;
    int on_dup = 1000 + rank, on_world = 2000 + rank, got_world = -1, got_dup = -1;
    MPI_Request rq[2];
    MPI_Isend(&on_dup, 1, MPI_INT, peer, 5, dup, &rq[0]);
    MPI_Isend(&on_world, 1, MPI_INT, peer, 5, MPI_COMM_WORLD, &rq[1]);
    MPI_Recv(&got_world, 1, MPI_INT, from, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Recv(&got_dup, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, dup, MPI_STATUS_IGNORE);
    MPI_Waitall(2, rq, MPI_STATUSES_IGNORE);
    printf("rank %d context: world got %d dup got %d\n", rank, got_world, got_dup);

    /* Collectives on the dups and on self. */
    int sum_dup, sum_rev, sum_self;
    MPI_Allreduce(&rank, &sum_dup, 1, MPI_INT, MPI_SUM, dupdup);
    MPI_Allreduce(&rr, &sum_rev, 1, MPI_INT, MPI_SUM, rev);
    MPI_Allreduce(&rank, &sum_self, 1, MPI_INT, MPI_SUM, selfdup);
    int root_val = rank == 0 ? 99 : -1;
    MPI_Bcast(&root_val, 1, MPI_INT, size - 1, rev); /* rev rank size-1 is world rank 0 */
    printf("rank %d sums: dupdup %d reversed %d selfdup %d bcast from rev root %d\n", rank, sum_dup, sum_rev, sum_self,
           root_val);

    /* Free and dup again: fresh dups still compare CONGRUENT. */
    MPI_Comm_free(&dupdup);
    MPI_Comm again;
    MPI_Comm_dup(dup, &again);
    MPI_Comm_free(&dup);
    int c;
    MPI_Comm_compare(again, MPI_COMM_WORLD, &c);
    printf("rank %d after free: dup null %d dupdup null %d again vs world %s\n", rank, dup == MPI_COMM_NULL,
           dupdup == MPI_COMM_NULL, cmpname(c));
    for (int i = 0; i < 50; i++) {
        MPI_Comm t;
        MPI_Comm_dup(again, &t);
        MPI_Comm_free(&t);
    }
    MPI_Comm_free(&again);
    MPI_Comm_free(&selfdup);
    MPI_Comm_free(&rev);
    MPI_Comm_free(&same_order);
    MPI_Comm_free(&half);
    printf("rank %d: done comm_dup_compare\n", rank);
    MPI_Finalize();
    return 0;
}

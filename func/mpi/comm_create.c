/* MPI_Comm_create (collective over the parent, non-members get MPI_COMM_NULL)
 * and MPI_Comm_create_group (called only by the members, with a tag): groups in
 * reversed and scrambled order, the empty group, the whole world, creating from
 * a created communicator, and traffic plus collectives in the results. */
#include <mpi.h>
#include <stdio.h>

static int rank, size;

static void members(const char *name, MPI_Comm comm) {
    if (comm == MPI_COMM_NULL) {
        printf("rank %d %s: MPI_COMM_NULL\n", rank, name);
        return;
    }
    int r, n, world[16];
    MPI_Comm_rank(comm, &r);
    MPI_Comm_size(comm, &n);
    MPI_Allgather(&rank, 1, MPI_INT, world, 1, MPI_INT, comm);
    int from = (r + n - 1) % n, got = -1, sum;
    MPI_Sendrecv(&rank, 1, MPI_INT, (r + 1) % n, 1, &got, 1, MPI_INT, from, 1, comm, MPI_STATUS_IGNORE);
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, comm);
    printf("rank %d %s: rank %d of %d members", rank, name, r, n);
    for (int i = 0; i < n; i++) printf(" %d", world[i]);
    printf(" ring from world %d sum %d\n", got, sum);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    MPI_Group world, rev, firsthalf, scrambled, lastonly;
    MPI_Comm_group(MPI_COMM_WORLD, &world);
    int r[16], n = 0;
    for (int i = size - 1; i >= 0; i--) r[n++] = i;
    MPI_Group_incl(world, size, r, &rev);
    int h[1][3] = {{0, (size - 1) / 2, 1}};
    MPI_Group_range_incl(world, 1, h, &firsthalf);
    n = 0;
    for (int i = 1; i < size; i += 2) r[n++] = i; /* odds, then evens descending */
    for (int i = (size - 1) / 2 * 2; i >= 0; i -= 2) r[n++] = i;
    MPI_Group_incl(world, n, r, &scrambled);
    int last = size - 1;
    MPI_Group_incl(world, 1, &last, &lastonly);

    /* Comm_create: every rank of the parent calls it. */
    MPI_Comm c_world, c_rev, c_half, c_scr, c_empty, c_last;
    MPI_Comm_create(MPI_COMM_WORLD, world, &c_world);
    MPI_Comm_create(MPI_COMM_WORLD, rev, &c_rev);
    MPI_Comm_create(MPI_COMM_WORLD, firsthalf, &c_half);
    MPI_Comm_create(MPI_COMM_WORLD, scrambled, &c_scr);
    MPI_Comm_create(MPI_COMM_WORLD, MPI_GROUP_EMPTY, &c_empty);
    MPI_Comm_create(MPI_COMM_WORLD, lastonly, &c_last);
    members("create_world", c_world);
    members("create_reversed", c_rev);
    members("create_first_half", c_half);
    members("create_scrambled", c_scr);
    members("create_empty", c_empty);
    members("create_last", c_last);

    /* Comm_create from the half communicator: its group minus its rank 0. */
    MPI_Comm c_sub = MPI_COMM_NULL;
    if (c_half != MPI_COMM_NULL) {
        MPI_Group hg, hg_tail;
        MPI_Comm_group(c_half, &hg);
        int zero = 0;
        MPI_Group_excl(hg, 1, &zero, &hg_tail);
        MPI_Comm_create(c_half, hg_tail, &c_sub);
        MPI_Group_free(&hg);
        MPI_Group_free(&hg_tail);
        members("create_from_half", c_sub);
    }

    /* Comm_create_group: only members call; two disjoint groups at once with different tags. */
    MPI_Group evens, odds;
    int ev[16], ne = 0;
    for (int i = 0; i < size; i += 2) ev[ne++] = i;
    MPI_Group_incl(world, ne, ev, &evens);
    MPI_Group_excl(world, ne, ev, &odds);
    MPI_Comm cg = MPI_COMM_NULL, cg_rev = MPI_COMM_NULL;
    if (rank % 2 == 0) MPI_Comm_create_group(MPI_COMM_WORLD, evens, 11, &cg);
    else MPI_Comm_create_group(MPI_COMM_WORLD, odds, 12, &cg);
    members(rank % 2 == 0 ? "create_group_evens" : "create_group_odds", cg);
    MPI_Comm_create_group(MPI_COMM_WORLD, rev, 13, &cg_rev); /* everyone is a member */
    members("create_group_reversed", cg_rev);
    MPI_Comm cg_self;
    MPI_Group selfg;
    MPI_Comm_group(MPI_COMM_SELF, &selfg);
    MPI_Comm_create_group(MPI_COMM_WORLD, selfg, 14, &cg_self);
    members("create_group_self", cg_self);

    int cmp;
    MPI_Comm_compare(c_world, MPI_COMM_WORLD, &cmp);
    printf("rank %d created world vs world: %s\n", rank, cmp == MPI_CONGRUENT ? "CONGRUENT" : "OTHER");

    MPI_Comm comms[] = {c_world, c_rev, c_half, c_scr, c_empty, c_last, c_sub, cg, cg_rev, cg_self};
    for (int i = 0; i < 10; i++)
        if (comms[i] != MPI_COMM_NULL) MPI_Comm_free(&comms[i]);
    MPI_Group groups[] = {world, rev, firsthalf, scrambled, lastonly, evens, odds, selfg};
    for (int i = 0; i < 8; i++) MPI_Group_free(&groups[i]);
    printf("rank %d: done comm_create\n", rank);
    MPI_Finalize();
    return 0;
}

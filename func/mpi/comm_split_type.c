/* MPI_Comm_split_type with MPI_COMM_TYPE_SHARED: every rank of a one-node job
 * lands in one shared-memory communicator, ordered by key (ties by old rank);
 * MPI_UNDEFINED gives MPI_COMM_NULL; splitting a subcommunicator and
 * MPI_COMM_SELF; collectives in the result. */
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
    printf("rank %d %s: rank %d of %d members", rank, name, r, n);
    for (int i = 0; i < n; i++) printf(" %d", world[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    MPI_Comm shm, shm_rev, shm_tie, shm_undef, shm_half, shm_self;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &shm);
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, size - rank, MPI_INFO_NULL, &shm_rev);
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &shm_tie);
    MPI_Comm_split_type(MPI_COMM_WORLD, rank == 0 ? MPI_UNDEFINED : MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL,
                        &shm_undef);
    members("shared", shm);
    members("shared_reversed", shm_rev);
    members("shared_tied", shm_tie);
    members("shared_without_rank0", shm_undef);

    /* Comparisons with world: same members and order is CONGRUENT. */
    int c1, c2;
    MPI_Comm_compare(MPI_COMM_WORLD, shm, &c1);
    MPI_Comm_compare(MPI_COMM_WORLD, shm_rev, &c2);
    printf("rank %d shared vs world congruent %d reversed vs world %s\n", rank, c1 == MPI_CONGRUENT,
           c2 == MPI_SIMILAR ? "SIMILAR" : c2 == MPI_CONGRUENT ? "CONGRUENT" : "OTHER");

    /* Split a half of the world and MPI_COMM_SELF by type. */
    MPI_Comm half;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
    MPI_Comm_split_type(half, MPI_COMM_TYPE_SHARED, -rank, MPI_INFO_NULL, &shm_half);
    MPI_Comm_split_type(MPI_COMM_SELF, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &shm_self);
    members("half_shared_reversed", shm_half);
    members("self_shared", shm_self);

    /* Collectives inside: a Bcast from the shared root and a sum. */
    int v = rank == 0 ? 4242 : 0, sum;
    MPI_Bcast(&v, 1, MPI_INT, 0, shm);
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, shm_rev);
    printf("rank %d shared bcast %d reversed sum %d\n", rank, v, sum);

    MPI_Comm all[] = {shm, shm_rev, shm_tie, shm_undef, shm_half, shm_self, half};
    for (int i = 0; i < 7; i++)
        if (all[i] != MPI_COMM_NULL) MPI_Comm_free(&all[i]);
    printf("rank %d: done comm_split_type\n", rank);
    MPI_Finalize();
    return 0;
}

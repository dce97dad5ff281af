/* MPI_Initialized and MPI_Finalized before MPI_Init, between MPI_Init and
 * MPI_Finalize, and after MPI_Finalize (Initialized stays true once MPI_Init
 * has been called; both may be called at any time). */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv) {
    int init = -1, fin = -1, rank, size;
    int rc1 = MPI_Initialized(&init);
    int rc2 = MPI_Finalized(&fin);
    /* No rank yet: every process prints the same line. */
    printf("before init: initialized %d finalized %d success %d\n", init, fin, rc1 == MPI_SUCCESS && rc2 == MPI_SUCCESS);

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    printf("rank %d after init: initialized %d finalized %d\n", rank, init, fin);

    int sum;
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    printf("rank %d after communicating: initialized %d finalized %d sum %d\n", rank, init, fin, sum);

    MPI_Finalize();
    init = fin = -1;
    rc1 = MPI_Initialized(&init);
    rc2 = MPI_Finalized(&fin);
    printf("rank %d after finalize: initialized %d finalized %d success %d\n", rank, init, fin,
           rc1 == MPI_SUCCESS && rc2 == MPI_SUCCESS);
    printf("rank %d: done env_initialized\n", rank);
    return 0;
}

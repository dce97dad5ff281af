/* MPI_Pcontrol: levels 0 (profiling off), 1 (on, default), 2 (flush) and other
 * values, with extra variadic arguments, all return MPI_SUCCESS and do not
 * change communication semantics (a ring exchange and a reduction between
 * level changes). */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int peer = (rank + 1) % size, from = (rank + size - 1) % size;

    int levels[] = {0, 1, 2, 1, 3, -1, 0, 1};
    int n = sizeof levels / sizeof levels[0];
    for (int i = 0; i < n; i++) {
        int rc = MPI_Pcontrol(levels[i]);
        int got = -1, sum = -1;
        MPI_Sendrecv(&i, 1, MPI_INT, peer, i, &got, 1, MPI_INT, from, i, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        printf("rank %d pcontrol(%d): success %d then ring got %d sum %d\n", rank, levels[i], rc == MPI_SUCCESS, got,
               sum);
    }
    /* Extra arguments are allowed and ignored by an implementation without profiling. */
    int rc1 = MPI_Pcontrol(2, "phase", 7);
    int rc2 = MPI_Pcontrol(1, 3.5, &rank);
    int rc3 = MPI_Pcontrol(0, 0, 0, 0);
    printf("rank %d pcontrol with varargs: success %d %d %d\n", rank, rc1 == MPI_SUCCESS, rc2 == MPI_SUCCESS,
           rc3 == MPI_SUCCESS);
    printf("rank %d: done env_pcontrol\n", rank);
    MPI_Finalize();
    return 0;
}

/* MPI_Put and MPI_Get larger than the peer transport's 4 MiB frame piece
 * (9 MiB + 24 B) in fence epochs: requests and replies travel in several
 * frames. Every rank checks every element; rank 0 prints the error totals. */
#include <mpi.h>
#include <stdlib.h>

#include "large_common.h"

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int to = (rank + 1) % size, from = (rank + size - 1) % size;
    double *a = malloc((size_t)N * sizeof(double));
    double *b;

    /* One-sided: put my array into the next rank's window, then get it back. */
    MPI_Win win;
    MPI_Win_allocate((MPI_Aint)N * sizeof(double), sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD, &b, &win);
    fill(a, N, rank, 6);
    MPI_Win_fence(0, win);
    MPI_Put(a, N, MPI_DOUBLE, to, 0, N, MPI_DOUBLE, win);
    MPI_Win_fence(0, win);
    report("put", check(b, N, 1, from, 6), rank);
    fill(a, N, rank, 7);
    MPI_Win_fence(0, win);
    MPI_Get(a, N, MPI_DOUBLE, to, 0, N, MPI_DOUBLE, win);
    MPI_Win_fence(0, win);
    report("get", check(a, N, 1, rank, 6), rank);
    MPI_Win_free(&win);

    free(a);
    MPI_Finalize();
    return 0;
}

/* Shared by p2p_large.c and rma_large.c: messages larger than the peer
 * transport's 4 MiB frame piece, filled with values that name their sender,
 * element and test, and checked element by element. */
#include <mpi.h>
#include <stdio.h>

#define N ((9 << 20) / 8 + 3) /* doubles */

static double value(int rank, int i, int salt) { return (double)rank * 1000003.0 + i + salt; }

static int check(const double *b, int n, int stride, int rank, int salt) {
    int bad = 0;
    for (int i = 0; i < n; i++)
        if (b[(long)i * stride] != value(rank, i, salt)) bad++;
    return bad;
}

static void fill(double *a, int n, int rank, int salt) {
    for (int i = 0; i < n; i++) a[i] = value(rank, i, salt);
}

static void report(const char *what, int bad, int rank) {
    int total = 0;
    MPI_Reduce(&bad, &total, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("%s: %d wrong elements\n", what, total);
}

/*
 * p2p (synch_p2p): a pipelined wavefront sweep over an m x n grid,
 * A(i,j) = A(i-1,j) + A(i,j-1) - A(i-1,j-1), written from the ParRes Kernels
 * (PRK) definition of the kernel.
 *
 * Usage: p2p <# iterations> <first array dimension> <second array dimension>
 *   The first dimension (m, index i) is split in blocks over the ranks (m >= # ranks);
 *   for every j the boundary value A(iend,j) is passed to the right neighbour with
 *   MPI_Send/MPI_Recv, so the sweep is pipelined. After each iteration the corner
 *   value is sent from the last rank to rank 0: A(0,0) = -A(m-1,n-1).
 * Boundaries are A(i,0) = i, A(0,j) = j, so the corner ends at (iterations+1)*(m+n-2).
 * Iteration 0 is a warm-up; timing covers iterations 1..N (PRK convention).
 * Prints "Solution validates" and "Rate (MFlops/s): R Avg time (s): T" on success.
 */
#include "p2p_common.h"

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    int params[3] = {0, 0, 0}; /* iterations, m, n */
    int error = 0;
    if (my_id == 0) error = p2p_args(argc, argv, "MPI", nranks, params);
    MPI_Bcast(&error, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (error) { MPI_Finalize(); return 1; }
    MPI_Bcast(params, 3, MPI_INT, 0, MPI_COMM_WORLD);
    int iterations = params[0], m = params[1], n = params[2];

    int w = m / nranks, rem = m % nranks;
    int istart = my_id * w + (my_id < rem ? my_id : rem);
    int width = w + (my_id < rem ? 1 : 0);
    int iend = istart + width - 1;
    int ld = width + 1; /* one ghost column on the left */
    double *a = malloc((long long)ld * n * sizeof(double));
    if (!a) {
        printf("ERROR: rank %d could not allocate space for the grid\n", my_id);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
#define A(i, j) a[((i) - istart + 1) + (long long)ld * (j)]
    for (int j = 0; j < n; j++)
        for (int i = istart - 1; i <= iend; i++) A(i, j) = 0.0;
    for (int i = istart - 1; i <= iend; i++) A(i, 0) = (double)i; /* incl. ghost */
    if (my_id == 0)
        for (int j = 0; j < n; j++) A(0, j) = (double)j;
    int ifirst = istart > 1 ? istart : 1;

    if (my_id == 0) {
        printf("Number of ranks                = %d\n", nranks);
        printf("Grid sizes                     = %d, %d\n", m, n);
        printf("Number of iterations           = %d\n", iterations);
    }

    double local_time = 0.0;
    for (int iter = 0; iter <= iterations; iter++) {
        if (iter == 1) {
            MPI_Barrier(MPI_COMM_WORLD);
            local_time = MPI_Wtime();
        }
        /* j = 0 is only forwarded: the ghost A(istart-1,0) may be the corner A(0,0). */
        for (int j = 0; j < n; j++) {
            if (my_id > 0)
                MPI_Recv(&A(istart - 1, j), 1, MPI_DOUBLE, my_id - 1, j, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (j > 0)
                for (int i = ifirst; i <= iend; i++)
                    A(i, j) = A(i - 1, j) + A(i, j - 1) - A(i - 1, j - 1);
            if (my_id < nranks - 1)
                MPI_Send(&A(iend, j), 1, MPI_DOUBLE, my_id + 1, j, MPI_COMM_WORLD);
        }
        /* Copy the negated top-right corner value to the bottom-left corner. */
        if (nranks == 1) {
            A(0, 0) = -A(m - 1, n - 1);
        } else if (my_id == nranks - 1) {
            double corner = -A(m - 1, n - 1);
            MPI_Send(&corner, 1, MPI_DOUBLE, 0, 888, MPI_COMM_WORLD);
        } else if (my_id == 0) {
            MPI_Recv(&A(0, 0), 1, MPI_DOUBLE, nranks - 1, 888, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
    }
    local_time = MPI_Wtime() - local_time;
    /* The corner value is on the last rank (A is only indexed there). */
    double corner = my_id == nranks - 1 ? A(m - 1, n - 1) : 0.0;
    int status = p2p_report(local_time, corner, my_id, nranks, iterations, m, n);
    free(a);
    MPI_Finalize();
    return status;
}

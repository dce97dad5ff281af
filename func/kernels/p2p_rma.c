/*
 * p2p_rma (synch_p2p): a pipelined wavefront sweep over an m x n grid,
 * A(i,j) = A(i-1,j) + A(i,j-1) - A(i-1,j-1), written from the ParRes Kernels
 * (PRK) definition of the kernel, with the pipeline driven by passive-target
 * one-sided communication instead of messages.
 *
 * Usage: p2p_rma <# iterations> <first array dimension> <second array dimension>
 *   The first dimension (m, index i) is split in blocks over the ranks (m >= # ranks).
 *   Every rank exposes a window (MPI_Win_allocate) of n+1 values and n+1 flags
 *   (doubles) and keeps a lock_all epoch open on it for the whole run. For every
 *   j the boundary value A(iend,j) is MPI_Put into value slot j of the right
 *   neighbour and flushed; then flag slot j there is set to iteration+1 with
 *   MPI_Accumulate(MPI_REPLACE) and flushed. The receiver spins on its own flag
 *   with MPI_Fetch_and_op(MPI_NO_OP) + flush until it reaches iteration+1, then
 *   reads the value with MPI_Get + flush (all accesses to flags are atomic, and
 *   the value is complete at the target before its flag changes). Slot n carries
 *   the negated corner A(m-1,n-1) from the last rank back to rank 0 after each
 *   iteration: A(0,0) = -A(m-1,n-1). Flags only grow, so they are never reset;
 *   a slot is rewritten only after its previous value was consumed, because the
 *   next iteration cannot start before the corner went round.
 * Boundaries are A(i,0) = i, A(0,j) = j, so the corner ends at (iterations+1)*(m+n-2).
 * Iteration 0 is a warm-up; timing covers iterations 1..N (PRK convention).
 * Prints "Solution validates" and "Rate (MFlops/s): R Avg time (s): T" on success.
 */
#include "p2p_common.h"

static MPI_Win win;
static int nslots; /* n + 1: value slots are 0..n, flag slots are nslots..2*nslots-1 */

/* Sends v into slot j of 'to', then raises the slot's flag to 'flag'. */
static void send_value(double v, int to, int j, double flag) {
    MPI_Put(&v, 1, MPI_DOUBLE, to, j, 1, MPI_DOUBLE, win);
    MPI_Win_flush(to, win);
    MPI_Accumulate(&flag, 1, MPI_DOUBLE, to, nslots + j, 1, MPI_DOUBLE, MPI_REPLACE, win);
    MPI_Win_flush(to, win);
}

/* Waits until our own flag j reaches 'flag', then returns value j. */
static double recv_value(int me, int j, double flag) {
    double f = -1.0, dummy = 0.0, v;
    for (;;) {
        MPI_Fetch_and_op(&dummy, &f, MPI_DOUBLE, me, nslots + j, MPI_NO_OP, win);
        MPI_Win_flush(me, win);
        if (f >= flag) break;
    }
    MPI_Get(&v, 1, MPI_DOUBLE, me, j, 1, MPI_DOUBLE, win);
    MPI_Win_flush(me, win);
    return v;
}

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    int params[3] = {0, 0, 0}; /* iterations, m, n */
    int error = 0;
    if (my_id == 0) error = p2p_args(argc, argv, "MPIRMA", nranks, params);
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
    nslots = n + 1;
    double *wmem = NULL;
    MPI_Win_allocate((MPI_Aint)(2 * nslots * sizeof(double)), (int)sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD,
                     &wmem, &win);
    if (!a || !wmem) {
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

    /* Flags start at 0 (no iteration has delivered yet); initialised under an
     * exclusive lock on ourselves, published to the others by the barrier. */
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, my_id, 0, win);
    for (int k = 0; k < 2 * nslots; k++) wmem[k] = 0.0;
    MPI_Win_unlock(my_id, win);
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Win_lock_all(0, win);

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
        double flag = iter + 1.0;
        /* j = 0 is only forwarded: the ghost A(istart-1,0) may be the corner A(0,0). */
        for (int j = 0; j < n; j++) {
            if (my_id > 0) A(istart - 1, j) = recv_value(my_id, j, flag);
            if (j > 0)
                for (int i = ifirst; i <= iend; i++)
                    A(i, j) = A(i - 1, j) + A(i, j - 1) - A(i - 1, j - 1);
            if (my_id < nranks - 1) send_value(A(iend, j), my_id + 1, j, flag);
        }
        /* Copy the negated top-right corner value to the bottom-left corner. */
        if (nranks == 1) {
            A(0, 0) = -A(m - 1, n - 1);
        } else if (my_id == nranks - 1) {
            send_value(-A(m - 1, n - 1), 0, n, flag);
        } else if (my_id == 0) {
            A(0, 0) = recv_value(0, n, flag);
        }
    }
    local_time = MPI_Wtime() - local_time;
    MPI_Win_unlock_all(win);
    /* The corner value is on the last rank (A is only indexed there). */
    double corner = my_id == nranks - 1 ? A(m - 1, n - 1) : 0.0;
    int status = p2p_report(local_time, corner, my_id, nranks, iterations, m, n);
    MPI_Win_free(&win);
    free(a);
    MPI_Finalize();
    return status;
}

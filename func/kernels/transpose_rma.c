/*
 * transpose_rma: B = B + A^T; A = A + 1, with A and B column-block distributed
 * over MPI ranks and the blocks moved with one-sided MPI_Put and MPI_Win_fence
 * (the PRK MPIRMA variant), written from the ParRes Kernels (PRK) definition of
 * the kernel.
 *
 * Usage: transpose_rma <# iterations> <matrix order> [tile size]
 *   matrix order must be divisible by the number of ranks; tile size (default 32)
 *   blocks the local transposes (a tile size <= 0 or >= the block size disables it).
 * In phase p = 1..nranks-1 each rank packs the block of A that rank (me+p) owns
 * in B, transposed, and Puts it into slot p of that rank's window (allocated
 * with MPI_Win_allocate). One fence per iteration completes all Puts; the window
 * is double-buffered by iteration parity, so no rank writes a slot that its
 * target may still be reading.
 * Iteration 0 is a warm-up; timing covers iterations 1..N (PRK convention).
 * Prints "Solution validates" and "Rate (MB/s): R Avg time (s): T" on success.
 */
#include "transpose_common.h"

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    int params[3] = {0, 0, 32}; /* iterations, order, tile size */
    int error = 0;
    if (my_id == 0) error = transpose_args(argc, argv, "MPIRMA", nranks, params);
    MPI_Bcast(&error, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (error) { MPI_Finalize(); return 1; }
    MPI_Bcast(params, 3, MPI_INT, 0, MPI_COMM_WORLD);
    int iterations = params[0], order = params[1], tile = params[2];
    int cb = order / nranks;          /* columns per rank */
    int colstart = my_id * cb;
    long long block = (long long)cb * cb;
    long long local = (long long)order * cb;

    double *A = malloc(local * sizeof(double));
    double *B = malloc(local * sizeof(double));
    /* One packed outgoing block per phase: a Put's origin buffer must stay
     * untouched until the fence that completes it. */
    double *sbuf = malloc((nranks > 1 ? nranks - 1 : 1) * block * sizeof(double));
    /* Window: two sets (iteration parity) of nranks slots of one block each;
     * slot p of set s receives the block from rank (me - p) in iterations of parity s. */
    double *win_mem = NULL;
    MPI_Win win;
    MPI_Win_allocate((MPI_Aint)(2 * nranks * block * sizeof(double)), (int)sizeof(double), MPI_INFO_NULL,
                     MPI_COMM_WORLD, &win_mem, &win);
    if (!A || !B || !sbuf || !win_mem) {
        printf("ERROR: rank %d could not allocate space for the matrices\n", my_id);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    transpose_init(A, B, order, cb, colstart);

    if (my_id == 0) {
        printf("Number of ranks      = %d\n", nranks);
        printf("Matrix order         = %d\n", order);
        printf("Number of iterations = %d\n", iterations);
        if (tile > 0 && tile < cb) printf("Tile size            = %d\n", tile);
        else printf("Untiled\n");
    }

    MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
    double local_time = 0.0;
    for (int iter = 0; iter <= iterations; iter++) {
        if (iter == 1) {
            MPI_Barrier(MPI_COMM_WORLD);
            local_time = MPI_Wtime();
        }
        long long set = (long long)(iter % 2) * nranks * block;
        /* Phases 1..nranks-1: pack the rows of A that belong to 'to' (its column
         * range), transposed, and Put them into slot 'phase' of 'to'. */
        for (int phase = 1; phase < nranks; phase++) {
            int to = (my_id + phase) % nranks;
            double *s = sbuf + (phase - 1) * block;
            for (int c = 0; c < cb; c++)
                for (int r = 0; r < cb; r++)
                    s[r + (long long)cb * c] = A[(to * cb + r) + (long long)order * c];
            MPI_Put(s, (int)block, MPI_DOUBLE, to, (MPI_Aint)(set + phase * block), (int)block, MPI_DOUBLE, win);
        }
        /* Phase 0: the diagonal block stays local. */
        transpose_block(B + colstart, order, A + colstart, order, cb, tile);
        /* Nothing is stored locally into the window, only read after the fence. */
        MPI_Win_fence(MPI_MODE_NOSTORE, win);
        for (int phase = 1; phase < nranks; phase++) {
            int from = (my_id - phase + nranks) % nranks;
            const double *rbuf = win_mem + set + phase * block;
            /* rbuf[lr + cb*lc] = A(colstart+lr, from*cb+lc) -> B(from*cb+lc, colstart+lr). */
            for (int lr = 0; lr < cb; lr++)
                for (int lc = 0; lc < cb; lc++)
                    B[(from * cb + lc) + (long long)order * lr] += rbuf[lr + (long long)cb * lc];
        }
        for (long long k = 0; k < local; k++) A[k] += 1.0;
    }
    local_time = MPI_Wtime() - local_time;
    MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
    int status = transpose_report(local_time, B, order, cb, colstart, iterations, my_id);
    MPI_Win_free(&win);
    free(A); free(B); free(sbuf);
    MPI_Finalize();
    return status;
}

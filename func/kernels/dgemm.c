/*
 * dgemm: dense matrix multiplication C += A*B, written from the ParRes Kernels
 * (PRK) definition of the kernel, with A(i,j) = B(i,j) = j.
 *
 * Usage: dgemm <# iterations> <matrix order> [tile size]
 *   A, B and C are distributed in row blocks over the ranks (order >= # ranks);
 *   in every iteration the blocks of B travel round a ring (MPI_Sendrecv_replace),
 *   and each rank multiplies the matching column block of its A rows with them.
 *   tile size (default 32) blocks the local multiply; <= 0 disables tiling.
 * The checksum of C is 0.25*order^3*(order-1)^2*(iterations+1).
 * Iteration 0 is a warm-up; timing covers iterations 1..N (PRK convention).
 * Prints "Solution validates" and "Rate (MFlops/s): R Avg time (s): T" on success
 * (2*order^3 flops per iteration).
 */
#include <mpi.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define EPSILON 1.e-8

static int block_start(int r, int order, int nranks) {
    int w = order / nranks, rem = order % nranks;
    return r * w + (r < rem ? r : rem);
}

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    int params[3] = {0, 0, 32}; /* iterations, order, tile size */
    int error = 0;
    if (my_id == 0) {
        printf("Parallel Research Kernels\n");
        printf("MPI dense matrix-matrix multiplication: C += A x B\n");
        if (argc != 3 && argc != 4) {
            printf("Usage: %s <# iterations> <matrix order> [tile size]\n", argv[0]);
            error = 1;
        } else {
            params[0] = atoi(argv[1]);
            params[1] = atoi(argv[2]);
            if (argc == 4) params[2] = atoi(argv[3]);
            if (params[0] < 1) { printf("ERROR: Invalid number of iterations: %d\n", params[0]); error = 1; }
            else if (params[1] < nranks) { printf("ERROR: Invalid matrix order: %d\n", params[1]); error = 1; }
        }
    }
    MPI_Bcast(&error, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (error) { MPI_Finalize(); return 1; }
    MPI_Bcast(params, 3, MPI_INT, 0, MPI_COMM_WORLD);
    int iterations = params[0], order = params[1], tile = params[2];
    if (tile <= 0 || tile > order) tile = order;

    int rs = block_start(my_id, order, nranks);
    int rows = block_start(my_id + 1, order, nranks) - rs;
    int maxrows = (order + nranks - 1) / nranks;
    long long N = order;
    double *A = malloc(rows * N * sizeof(double));
    double *C = malloc(rows * N * sizeof(double));
    double *Bbuf = malloc(maxrows * N * sizeof(double));
    if (!A || !C || !Bbuf) {
        printf("ERROR: rank %d could not allocate space for the matrices\n", my_id);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < order; j++) {
            A[i * N + j] = (double)j;
            Bbuf[i * N + j] = (double)j;
            C[i * N + j] = 0.0;
        }
    for (long long k = rows * N; k < maxrows * N; k++) Bbuf[k] = 0.0;

    if (my_id == 0) {
        printf("Number of ranks      = %d\n", nranks);
        printf("Matrix order         = %d\n", order);
        printf("Number of iterations = %d\n", iterations);
        if (tile < order) printf("Blocking factor      = %d\n", tile);
        else printf("No blocking\n");
    }

    int prev = (my_id - 1 + nranks) % nranks, next = (my_id + 1) % nranks;
    double local_time = 0.0;
    for (int iter = 0; iter <= iterations; iter++) {
        if (iter == 1) {
            MPI_Barrier(MPI_COMM_WORLD);
            local_time = MPI_Wtime();
        }
        for (int step = 0; step < nranks; step++) {
            int q = (my_id + step) % nranks;
            int ks = block_start(q, order, nranks);
            int krows = block_start(q + 1, order, nranks) - ks;
            /* C(rows,:) += A(rows, ks:ks+krows) * Bq(krows,:) */
            for (int it = 0; it < rows; it += tile)
                for (int kt = 0; kt < krows; kt += tile)
                    for (int jt = 0; jt < order; jt += tile) {
                        int ie = it + tile < rows ? it + tile : rows;
                        int ke = kt + tile < krows ? kt + tile : krows;
                        int je = jt + tile < order ? jt + tile : order;
                        for (int i = it; i < ie; i++)
                            for (int k = kt; k < ke; k++) {
                                double aik = A[i * N + ks + k];
                                double *restrict ci = C + i * N;
                                const double *restrict bk = Bbuf + k * N;
                                for (int j = jt; j < je; j++) ci[j] += aik * bk[j];
                            }
                    }
            if (nranks > 1)
                MPI_Sendrecv_replace(Bbuf, (int)(maxrows * N), MPI_DOUBLE, prev, 7, next, 7,
                                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
    }
    local_time = MPI_Wtime() - local_time;
    double dgemm_time;
    MPI_Reduce(&local_time, &dgemm_time, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);

    double local_sum = 0.0;
    for (long long k = 0; k < rows * N; k++) local_sum += C[k];
    double checksum;
    MPI_Reduce(&local_sum, &checksum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);

    int status = 0;
    if (my_id == 0) {
        double n = (double)order;
        double ref = 0.25 * n * n * n * (n - 1.0) * (n - 1.0) * (iterations + 1);
        if (fabs(checksum - ref) / ref > EPSILON) {
            printf("ERROR: Checksum = %lf, Reference checksum = %lf\n", checksum, ref);
            status = 1;
        } else {
            printf("Solution validates\n");
            double flops = 2.0 * n * n * n;
            double avgtime = dgemm_time / (double)iterations;
            printf("Rate (MFlops/s): %lf Avg time (s): %lf\n", 1.0e-6 * flops / avgtime, avgtime);
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(A); free(C); free(Bbuf);
    MPI_Finalize();
    return status;
}

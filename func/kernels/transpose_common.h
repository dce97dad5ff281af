/* What the two transpose kernels (transpose.c, transpose_rma.c) share: PRK's
 * argument checks, the block transpose, the initial matrices, and the validation
 * and report at the end, so that they differ only in how blocks travel. */
#ifndef FBATCH_TRANSPOSE_COMMON_H
#define FBATCH_TRANSPOSE_COMMON_H

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define EPSILON 1.e-8

/* On rank 0: prints PRK's banner for `label` ("MPI", "MPIRMA") and reads
 * <# iterations> <matrix order> [tile size] into params (tile 32 by default),
 * printing the first problem found. Returns 1 if there is one. */
static int transpose_args(int argc, char **argv, const char *label, int nranks, int params[3]) {
    printf("Parallel Research Kernels\n");
    printf("%s matrix transpose: B = A^T\n", label);
    if (argc != 3 && argc != 4) {
        printf("Usage: %s <# iterations> <matrix order> [tile size]\n", argv[0]);
        return 1;
    }
    params[0] = atoi(argv[1]);
    params[1] = atoi(argv[2]);
    params[2] = argc == 4 ? atoi(argv[3]) : 32;
    if (params[0] < 1) {
        printf("ERROR: Invalid number of iterations: %d\n", params[0]);
        return 1;
    }
    if (params[1] < nranks) {
        printf("ERROR: Invalid matrix order: %d\n", params[1]);
        return 1;
    }
    if (params[1] % nranks) {
        printf("ERROR: matrix order %d should be divisible by # ranks %d\n", params[1], nranks);
        return 1;
    }
    return 0;
}

/* Transpose a cb x cb block: dst[c + ldd*r] += src[r + lds*c] for r, c in [0, cb). */
static void transpose_block(double *dst, int ldd, const double *src, int lds, int cb, int tile) {
    if (tile > 0 && tile < cb) {
        for (int rt = 0; rt < cb; rt += tile)
            for (int ct = 0; ct < cb; ct += tile)
                for (int r = rt; r < rt + tile && r < cb; r++)
                    for (int c = ct; c < ct + tile && c < cb; c++)
                        dst[c + (long long)ldd * r] += src[r + (long long)lds * c];
    } else {
        for (int r = 0; r < cb; r++)
            for (int c = 0; c < cb; c++)
                dst[c + (long long)ldd * r] += src[r + (long long)lds * c];
    }
}

/* A(i,j) = order*j + i for global row i, global column j; B = 0 (this rank's
 * cb columns from colstart). */
static void transpose_init(double *A, double *B, int order, int cb, int colstart) {
    for (int j = 0; j < cb; j++)
        for (int i = 0; i < order; i++) {
            A[i + (long long)order * j] = (double)order * (j + colstart) + i;
            B[i + (long long)order * j] = 0.0;
        }
}

/* Reduces the loop time (slowest rank) and the error of B against
 * B(i,j) = (iterations+1)*(order*i + j) + iterations*(iterations+1)/2 (sum) to
 * rank 0, which prints the verdict and rate. Returns the status every rank
 * exits with. */
static int transpose_report(double local_time, const double *B, int order, int cb, int colstart,
                            int iterations, int my_id) {
    double trans_time;
    MPI_Reduce(&local_time, &trans_time, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    double addit = ((double)iterations + 1.0) * (double)iterations / 2.0;
    double local_err = 0.0;
    for (int j = 0; j < cb; j++)
        for (int i = 0; i < order; i++) {
            double expected = ((double)order * i + (j + colstart)) * (iterations + 1.0) + addit;
            local_err += fabs(B[i + (long long)order * j] - expected);
        }
    double abserr;
    MPI_Reduce(&local_err, &abserr, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    int status = 0;
    if (my_id == 0) {
        if (abserr < EPSILON) {
            printf("Solution validates\n");
            double bytes = 2.0 * sizeof(double) * (double)order * (double)order;
            double avgtime = trans_time / (double)iterations;
            printf("Rate (MB/s): %lf Avg time (s): %lf\n", 1.0e-6 * bytes / avgtime, avgtime);
        } else {
            printf("ERROR: Aggregate absolute error %e exceeds threshold %e\n", abserr, EPSILON);
            status = 1;
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return status;
}

#endif

/*
 * sparse: sparse matrix-vector multiplication result += M*x, written from the
 * ParRes Kernels (PRK) definition of the kernel.
 *
 * Usage: sparse <# iterations> <2log grid size> <stencil radius>
 *   M is the matrix of a periodic star stencil of radius R on a 2^k x 2^k grid
 *   (4R+1 non-zeros per row, stored in CSR, 2R < 2^k), with M(r,c) = 1/(c+1).
 *   Rows are block-distributed over the ranks; every iteration each rank adds
 *   r+1 to its own entries of x, then x is replicated with MPI_Allgatherv.
 * So every non-zero contributes (iter+1) in iteration iter and the sum of the
 * result vector is nonzeros*(iterations+1)*(iterations+2)/2.
 * Iteration 0 is a warm-up; timing covers iterations 1..N (PRK convention).
 * Prints "Solution validates" and "Rate (MFlops/s): R Avg time (s): T" on success
 * (2*nonzeros flops per iteration).
 */
#include <mpi.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define EPSILON 1.e-8

static long long block_start(int r, long long n, int nranks) {
    long long w = n / nranks, rem = n % nranks;
    return r * w + (r < rem ? r : rem);
}

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    int params[3] = {0, 0, 0}; /* iterations, lsize, radius */
    int error = 0;
    if (my_id == 0) {
        printf("Parallel Research Kernels\n");
        printf("MPI sparse matrix-vector multiplication\n");
        if (argc != 4) {
            printf("Usage: %s <# iterations> <2log grid size> <stencil radius>\n", argv[0]);
            error = 1;
        } else {
            params[0] = atoi(argv[1]);
            params[1] = atoi(argv[2]);
            params[2] = atoi(argv[3]);
            if (params[0] < 1) { printf("ERROR: Invalid number of iterations: %d\n", params[0]); error = 1; }
            else if (params[1] < 1 || params[1] > 13) { printf("ERROR: Invalid 2log grid size: %d\n", params[1]); error = 1; }
            else if (params[2] < 0 || 2 * params[2] >= (1 << params[1])) {
                printf("ERROR: Stencil radius %d must be non-negative and less than half the grid size %d\n",
                       params[2], 1 << params[1]);
                error = 1;
            } else if ((1LL << (2 * params[1])) < nranks) {
                printf("ERROR: Fewer matrix rows than ranks\n");
                error = 1;
            }
        }
    }
    MPI_Bcast(&error, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (error) { MPI_Finalize(); return 1; }
    MPI_Bcast(params, 3, MPI_INT, 0, MPI_COMM_WORLD);
    int iterations = params[0], lsize = params[1], R = params[2];
    int size = 1 << lsize;
    long long size2 = (long long)size * size;
    int stencil_size = 4 * R + 1;
    long long rs = block_start(my_id, size2, nranks);
    long long nrows = block_start(my_id + 1, size2, nranks) - rs;
    long long nent = nrows * stencil_size;

    int *counts = malloc(nranks * sizeof(int)), *displs = malloc(nranks * sizeof(int));
    for (int r = 0; r < nranks; r++) {
        displs[r] = (int)block_start(r, size2, nranks);
        counts[r] = (int)(block_start(r + 1, size2, nranks) - displs[r]);
    }
    double *x = malloc(size2 * sizeof(double));
    double *mine = malloc(nrows * sizeof(double));
    double *result = malloc(nrows * sizeof(double));
    double *val = malloc(nent * sizeof(double));
    int *col = malloc(nent * sizeof(int));
    long long *rowptr = malloc((nrows + 1) * sizeof(long long));
    if (!x || !mine || !result || !val || !col || !rowptr) {
        printf("ERROR: rank %d could not allocate space for the matrix and vectors\n", my_id);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    for (long long k = 0; k < size2; k++) x[k] = 0.0;
    long long e = 0;
    for (long long lr = 0; lr < nrows; lr++) {
        long long row = rs + lr;
        int i = (int)(row % size), j = (int)(row / size);
        rowptr[lr] = e;
        result[lr] = 0.0;
        mine[lr] = 0.0;
        col[e++] = i + j * size;
        for (int d = 1; d <= R; d++) {
            col[e++] = ((i + d) % size) + j * size;
            col[e++] = ((i - d + size) % size) + j * size;
            col[e++] = i + ((j + d) % size) * size;
            col[e++] = i + ((j - d + size) % size) * size;
        }
        for (long long k = rowptr[lr]; k < e; k++) val[k] = 1.0 / (col[k] + 1.0);
    }
    rowptr[nrows] = e;

    if (my_id == 0) {
        printf("Number of ranks      = %d\n", nranks);
        printf("Matrix order         = %lld\n", size2);
        printf("Stencil diameter     = %d\n", 2 * R + 1);
        printf("Sparsity             = %e\n", (double)stencil_size / (double)size2);
        printf("Number of iterations = %d\n", iterations);
    }

    double local_time = 0.0;
    for (int iter = 0; iter <= iterations; iter++) {
        if (iter == 1) {
            MPI_Barrier(MPI_COMM_WORLD);
            local_time = MPI_Wtime();
        }
        /* Fill the owned part of the vector, then replicate it. */
        for (long long lr = 0; lr < nrows; lr++) mine[lr] += (double)(rs + lr + 1);
        MPI_Allgatherv(mine, (int)nrows, MPI_DOUBLE, x, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
        for (long long lr = 0; lr < nrows; lr++) {
            double temp = 0.0;
            for (long long k = rowptr[lr]; k < rowptr[lr + 1]; k++) temp += val[k] * x[col[k]];
            result[lr] += temp;
        }
    }
    local_time = MPI_Wtime() - local_time;
    double sparse_time;
    MPI_Reduce(&local_time, &sparse_time, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);

    double local_sum = 0.0;
    for (long long lr = 0; lr < nrows; lr++) local_sum += result[lr];
    double vector_sum;
    MPI_Reduce(&local_sum, &vector_sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);

    int status = 0;
    if (my_id == 0) {
        double total_nent = (double)size2 * stencil_size;
        double reference_sum = 0.5 * total_nent * (iterations + 1.0) * (iterations + 2.0);
        if (fabs(vector_sum - reference_sum) / reference_sum > EPSILON) {
            printf("ERROR: Vector sum = %lf, Reference vector sum = %lf\n", vector_sum, reference_sum);
            status = 1;
        } else {
            printf("Solution validates\n");
            double flops = 2.0 * total_nent;
            double avgtime = sparse_time / (double)iterations;
            printf("Rate (MFlops/s): %lf Avg time (s): %lf\n", 1.0e-6 * flops / avgtime, avgtime);
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(counts); free(displs); free(x); free(mine); free(result); free(val); free(col); free(rowptr);
    MPI_Finalize();
    return status;
}

/*
 * reduce: each rank holds two vectors; every iteration adds them locally
 * (a = a + b) and reduces a elementwise (MPI_SUM) onto rank 0, written from the
 * ParRes Kernels (PRK) definition of the kernel.
 *
 * Usage: reduce <# iterations> <vector length>
 *   vector length is per rank. With a = 1 + rank, b = 2 initially, rank 0 holds
 *   sum over ranks of (1 + rank + 2*(iter+1)) after iteration iter.
 * Iteration 0 is a warm-up; timing covers iterations 1..N (PRK convention).
 * Prints "Solution validates" and "Rate (MFlops/s): R Avg time (s): T" on success
 * (flops per iteration = # ranks * vector length).
 */
#include <mpi.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define EPSILON 1.e-8

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    int params[2] = {0, 0}; /* iterations, vector length */
    int error = 0;
    if (my_id == 0) {
        printf("Parallel Research Kernels\n");
        printf("MPI vector reduction\n");
        if (argc != 3) {
            printf("Usage: %s <# iterations> <vector length>\n", argv[0]);
            error = 1;
        } else {
            params[0] = atoi(argv[1]);
            params[1] = atoi(argv[2]);
            if (params[0] < 1) { printf("ERROR: Invalid number of iterations: %d\n", params[0]); error = 1; }
            else if (params[1] < 1) { printf("ERROR: Invalid vector length: %d\n", params[1]); error = 1; }
        }
    }
    MPI_Bcast(&error, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (error) { MPI_Finalize(); return 1; }
    MPI_Bcast(params, 2, MPI_INT, 0, MPI_COMM_WORLD);
    int iterations = params[0], length = params[1];

    double *vec = malloc(3LL * length * sizeof(double));
    if (!vec) {
        printf("ERROR: rank %d could not allocate space for the vectors\n", my_id);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    double *a = vec, *b = vec + length, *result = vec + 2LL * length;
    for (int i = 0; i < length; i++) { a[i] = 1.0 + my_id; b[i] = 2.0; result[i] = 0.0; }

    if (my_id == 0) {
        printf("Number of ranks      = %d\n", nranks);
        printf("Vector length        = %d\n", length);
        printf("Number of iterations = %d\n", iterations);
    }

    double local_time = 0.0;
    for (int iter = 0; iter <= iterations; iter++) {
        if (iter == 1) {
            MPI_Barrier(MPI_COMM_WORLD);
            local_time = MPI_Wtime();
        }
        for (int i = 0; i < length; i++) a[i] += b[i];
        MPI_Reduce(a, result, length, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    }
    local_time = MPI_Wtime() - local_time;
    double reduce_time;
    MPI_Reduce(&local_time, &reduce_time, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);

    int status = 0;
    if (my_id == 0) {
        /* sum_r (1 + r + 2*(iterations+1)) */
        double expected = (double)nranks * (1.0 + 2.0 * (iterations + 1)) +
                          0.5 * (double)nranks * (double)(nranks - 1);
        int bad = 0;
        for (int i = 0; i < length; i++)
            if (fabs(result[i] - expected) > EPSILON * expected) {
                if (bad < 5) printf("Element %d has value %lf, expected %lf\n", i, result[i], expected);
                bad++;
            }
        if (bad) {
            printf("ERROR: %d elements of the reduced vector are wrong\n", bad);
            status = 1;
        } else {
            printf("Solution validates\n");
            double flops = (double)nranks * (double)length;
            double avgtime = reduce_time / (double)iterations;
            printf("Rate (MFlops/s): %lf Avg time (s): %lf\n", 1.0e-6 * flops / avgtime, avgtime);
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(vec);
    MPI_Finalize();
    return status;
}

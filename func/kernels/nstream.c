/*
 * nstream: the STREAM triad A = A + B + scalar*C, distributed over MPI ranks,
 * written from the ParRes Kernels (PRK) definition of the kernel.
 *
 * Usage: nstream <# iterations> <vector length> <offset>
 *   vector length is the total over all ranks; offset pads between the arrays.
 * Iteration 0 is a warm-up; timing covers iterations 1..N (PRK convention).
 * Prints "Solution validates" and "Rate (MB/s): R Avg time (s): T" on success.
 */
#include <mpi.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SCALAR 3.0
#define EPSILON 1.e-8

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    long iterations = 0, total_length = 0, offset = 0;
    int error = 0;
    if (my_id == 0) {
        printf("Parallel Research Kernels\n");
        printf("MPI stream triad: A = B + scalar*C\n");
        if (argc != 4) {
            printf("Usage: %s <# iterations> <vector length> <offset>\n", argv[0]);
            error = 1;
        } else {
            iterations = atol(argv[1]);
            total_length = atol(argv[2]);
            offset = atol(argv[3]);
            if (iterations < 1) { printf("ERROR: Invalid number of iterations: %ld\n", iterations); error = 1; }
            else if (total_length < nranks) { printf("ERROR: Invalid vector length: %ld\n", total_length); error = 1; }
            else if (offset < 0) { printf("ERROR: Invalid array offset: %ld\n", offset); error = 1; }
        }
    }
    MPI_Bcast(&error, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (error) { MPI_Finalize(); return 1; }
    MPI_Bcast(&iterations, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    MPI_Bcast(&total_length, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    MPI_Bcast(&offset, 1, MPI_LONG, 0, MPI_COMM_WORLD);

    long length = total_length / nranks;
    long rem = total_length % nranks;
    if (my_id < rem) length++;

    double *space = malloc((3 * length + 2 * offset) * sizeof(double));
    if (space == NULL) {
        printf("ERROR: rank %d could not allocate %ld words\n", my_id, 3 * length + 2 * offset);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    double *a = space, *b = space + length + offset, *c = space + 2 * length + 2 * offset;
    for (long j = 0; j < length; j++) { a[j] = 0.0; b[j] = 2.0; c[j] = 2.0; }

    if (my_id == 0) {
        printf("Number of ranks      = %d\n", nranks);
        printf("Vector length        = %ld\n", total_length);
        printf("Offset               = %ld\n", offset);
        printf("Number of iterations = %ld\n", iterations);
    }

    double local_time = 0.0;
    for (long iter = 0; iter <= iterations; iter++) {
        if (iter == 1) {
            MPI_Barrier(MPI_COMM_WORLD);
            local_time = MPI_Wtime();
        }
        for (long j = 0; j < length; j++) a[j] += b[j] + SCALAR * c[j];
    }
    local_time = MPI_Wtime() - local_time;
    double nstream_time;
    MPI_Reduce(&local_time, &nstream_time, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);

    /* Validate: every element of a ends at (iterations+1)*(b+scalar*c). */
    double aj = 0.0, bj = 2.0, cj = 2.0;
    for (long iter = 0; iter <= iterations; iter++) aj += bj + SCALAR * cj;
    double local_sum = 0.0;
    for (long j = 0; j < length; j++) local_sum += a[j];
    double asum;
    MPI_Reduce(&local_sum, &asum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);

    int status = 0;
    if (my_id == 0) {
        double expected = aj * (double)total_length;
        if (fabs(expected - asum) / asum > EPSILON) {
            printf("Failed Validation on output array\n");
            printf("        Expected checksum: %lf\n", expected);
            printf("        Observed checksum: %lf\n", asum);
            printf("ERROR: solution did not validate\n");
            status = 1;
        } else {
            printf("Solution validates\n");
            double bytes = 4.0 * sizeof(double) * (double)total_length;
            double avgtime = nstream_time / (double)iterations;
            printf("Rate (MB/s): %lf Avg time (s): %lf\n", 1.0e-6 * bytes / avgtime, avgtime);
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(space);
    MPI_Finalize();
    return status;
}

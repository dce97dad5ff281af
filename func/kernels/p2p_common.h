/* What the two synch_p2p kernels (p2p.c, p2p_rma.c) share: PRK's argument checks
 * and the validation and report at the end, so that they differ only in how the
 * pipeline's values travel. */
#ifndef FBATCH_P2P_COMMON_H
#define FBATCH_P2P_COMMON_H

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define EPSILON 1.e-8

/* On rank 0: prints PRK's banner for `label` ("MPI", "MPIRMA") and reads
 * <# iterations> <first array dimension> <second array dimension> into params,
 * printing the first problem found. Returns 1 if there is one. */
static int p2p_args(int argc, char **argv, const char *label, int nranks, int params[3]) {
    printf("Parallel Research Kernels\n");
    printf("%s pipelined synchronisation (synch_p2p)\n", label);
    if (argc != 4) {
        printf("Usage: %s <# iterations> <first array dimension> <second array dimension>\n", argv[0]);
        return 1;
    }
    params[0] = atoi(argv[1]);
    params[1] = atoi(argv[2]);
    params[2] = atoi(argv[3]);
    if (params[0] < 1) {
        printf("ERROR: Invalid number of iterations: %d\n", params[0]);
        return 1;
    }
    if (params[1] < 2 || params[2] < 2) {
        printf("ERROR: Array dimensions must be at least 2: %d, %d\n", params[1], params[2]);
        return 1;
    }
    if (params[1] < nranks) {
        printf("ERROR: First array dimension %d smaller than # ranks %d\n", params[1], nranks);
        return 1;
    }
    return 0;
}

/* Reduces the loop time (slowest rank) to rank 0, brings it the corner value the
 * last rank holds, checks it against (iterations+1)*(m+n-2), and prints the
 * verdict and rate there. Returns the status every rank exits with. */
static int p2p_report(double local_time, double corner, int my_id, int nranks, int iterations, int m,
                      int n) {
    double pipeline_time;
    MPI_Reduce(&local_time, &pipeline_time, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    double corner_val = my_id == nranks - 1 ? corner : 0.0;
    if (nranks > 1) {
        if (my_id == nranks - 1) MPI_Send(&corner_val, 1, MPI_DOUBLE, 0, 999, MPI_COMM_WORLD);
        if (my_id == 0) MPI_Recv(&corner_val, 1, MPI_DOUBLE, nranks - 1, 999, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    int status = 0;
    if (my_id == 0) {
        double expected = (double)(iterations + 1) * (double)(m + n - 2);
        if (fabs(corner_val - expected) / expected > EPSILON) {
            printf("ERROR: checksum %lf does not match verification value %lf\n", corner_val, expected);
            status = 1;
        } else {
            printf("Solution validates\n");
            double flops = 2.0 * (double)(m - 1) * (double)(n - 1);
            double avgtime = pipeline_time / (double)iterations;
            printf("Rate (MFlops/s): %lf Avg time (s): %lf\n", 1.0e-6 * flops / avgtime, avgtime);
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return status;
}

#endif

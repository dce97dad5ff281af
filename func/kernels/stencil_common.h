/* What the three stencil kernels (stencil.c, stencil_rma.c, stencil_shm.c) share:
 * PRK's constants, argument checks, star weights and the validation and report at
 * the end, so that they differ only in how halos travel. */
#ifndef FBATCH_STENCIL_COMMON_H
#define FBATCH_STENCIL_COMMON_H

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define EPSILON 1.e-8
#define COEFX 1.0
#define COEFY 1.0

/* On rank 0: prints PRK's banner for `label` ("MPI", "MPIRMA", ...) and reads
 * <# iterations> <array dimension> [radius] into params (radius 2 by default),
 * printing the first problem found. Returns 1 if there is one. The caller adds
 * its own checks of the grid against its decomposition, then broadcasts. */
static int stencil_args(int argc, char **argv, const char *label, int params[3]) {
    printf("Parallel Research Kernels\n");
    printf("%s stencil execution on 2D grid\n", label);
    if (argc != 3 && argc != 4) {
        printf("Usage: %s <# iterations> <array dimension> [radius]\n", argv[0]);
        return 1;
    }
    params[0] = atoi(argv[1]);
    params[1] = atoi(argv[2]);
    params[2] = argc == 4 ? atoi(argv[3]) : 2;
    int n = params[1], R = params[2];
    if (params[0] < 1) {
        printf("ERROR: Invalid number of iterations: %d\n", params[0]);
        return 1;
    }
    if (R < 1) {
        printf("ERROR: Invalid stencil radius: %d\n", R);
        return 1;
    }
    if (n < 2 * R + 1) {
        printf("ERROR: Grid dimension %d too small for radius %d\n", n, R);
        return 1;
    }
    return 0;
}

/* The star's weights along each axis, indexed from -R to R (offset by R); only
 * the axes are non-zero. */
static void stencil_weights(int R, double *wx_, double *wy_) {
    for (int k = 0; k <= 2 * R; k++) wx_[k] = wy_[k] = 0.0;
    for (int k = 1; k <= R; k++) {
        wx_[R + k] = wy_[R + k] = 1.0 / (2.0 * k * R);
        wx_[R - k] = wy_[R - k] = -1.0 / (2.0 * k * R);
    }
}

/* Reduces the loop time (slowest rank) and the interior L1 norm of OUT (sum) to
 * rank 0, which checks the norm against PRK's reference and prints the verdict
 * and rate. Returns the status every rank exits with. */
static int stencil_report(double local_time, double local_norm, int my_id, int iterations, int n,
                          int R) {
    double stencil_time, norm;
    MPI_Reduce(&local_time, &stencil_time, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&local_norm, &norm, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    int status = 0;
    if (my_id == 0) {
        double active_points = (double)(n - 2 * R) * (double)(n - 2 * R);
        norm /= active_points;
        double reference_norm = (double)(iterations + 1) * (COEFX + COEFY);
        if (fabs(norm - reference_norm) > EPSILON) {
            printf("ERROR: L1 norm = %lf, Reference L1 norm = %lf\n", norm, reference_norm);
            status = 1;
        } else {
            printf("Solution validates\n");
            double flops = (double)(2 * (4 * R + 1) + 1) * active_points;
            double avgtime = stencil_time / (double)iterations;
            printf("Rate (MFlops/s): %lf Avg time (s): %lf\n", 1.0e-6 * flops / avgtime, avgtime);
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return status;
}

#endif

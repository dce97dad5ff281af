/* MPI_Reduce_scatter_block and MPI_Reduce_scatter: SUM MIN MAX PROD on ints and
 * doubles, block sizes 1 and 3, varying receive counts (zero for some ranks),
 * MPI_IN_PLACE for both, and a large reduce-scatter. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static void print_ints(const char *what, int rank, const int *v, int n) {
    printf("%s rank %d:", what, rank);
    for (int i = 0; i < n; i++) printf(" %d", v[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int *v = malloc(8 * size * sizeof(int)), r[8];
    int *counts = malloc(size * sizeof(int));

    /* Block of one: rank i gets sum over ranks of element i. */
    for (int i = 0; i < size; i++) v[i] = (rank + 1) * (i + 1);
    MPI_Reduce_scatter_block(v, r, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    print_ints("block1 sum", rank, r, 1);

    /* Blocks of three with MIN, MAX and PROD. */
    MPI_Op ops[3] = {MPI_MIN, MPI_MAX, MPI_PROD};
    const char *names[3] = {"min", "max", "prod"};
    for (int o = 0; o < 3; o++) {
        for (int i = 0; i < 3 * size; i++) v[i] = (rank % 3 + 1) * (i % 2 ? -1 : 1) + i % 4;
        MPI_Reduce_scatter_block(v, r, 3, MPI_INT, ops[o], MPI_COMM_WORLD);
        printf("block3 %s", names[o]);
        print_ints("", rank, r, 3);
    }

    /* Doubles. */
    {
        double *dv = malloc(2 * size * sizeof(double)), dr[2];
        for (int i = 0; i < 2 * size; i++) dv[i] = rank * 0.5 + i;
        MPI_Reduce_scatter_block(dv, dr, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        printf("block doubles rank %d: %g %g\n", rank, dr[0], dr[1]);
        free(dv);
    }

    /* Block in place: the result replaces the start of the buffer. */
    for (int i = 0; i < 2 * size; i++) v[i] = rank * 100 + i;
    MPI_Reduce_scatter_block(MPI_IN_PLACE, v, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    print_ints("block in place", rank, v, 2);

    /* Varying counts: rank i gets (i + 1) % 3 elements. */
    int total = 0;
    for (int i = 0; i < size; i++) {
        counts[i] = (i + 1) % 3;
        total += counts[i];
    }
    for (int i = 0; i < total; i++) v[i] = (rank + 1) * 10 + i;
    for (int i = 0; i < 8; i++) r[i] = -1;
    MPI_Reduce_scatter(v, r, counts, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    print_ints("varying sum", rank, r, 2);
    for (int i = 0; i < total; i++) v[i] = rank - i;
    MPI_Reduce_scatter(MPI_IN_PLACE, v, counts, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    print_ints("varying in place min", rank, v, counts[rank]);

    /* All to rank 0: only rank 0 receives anything. */
    for (int i = 0; i < size; i++) counts[i] = i == 0 ? 4 : 0;
    for (int i = 0; i < 4; i++) v[i] = rank + i;
    for (int i = 0; i < 8; i++) r[i] = -1;
    MPI_Reduce_scatter(v, r, counts, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    print_ints("all to 0", rank, r, 4);

    /* Large: 10000 elements per rank. */
    {
        int n = 10000;
        long long *lv = malloc((size_t)n * size * sizeof(long long)), *lr = malloc(n * sizeof(long long));
        for (int i = 0; i < n * size; i++) lv[i] = (long long)i * (rank + 1);
        MPI_Reduce_scatter_block(lv, lr, n, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
        long long tri = (long long)size * (size + 1) / 2;
        int bad = 0;
        for (int k = 0; k < n; k++) bad += lr[k] != (long long)(rank * n + k) * tri;
        printf("large rank %d: wrong %d first %lld\n", rank, bad, lr[0]);
        free(lv);
        free(lr);
    }

    printf("rank %d: done coll_reduce_scatter\n", rank);
    free(v);
    free(counts);
    MPI_Finalize();
    return 0;
}

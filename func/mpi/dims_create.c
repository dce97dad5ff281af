/* MPI_Dims_create for many (nnodes, ndims) pairs, with all-zero dims (balanced,
 * non-increasing order) and with preset nonzero entries that must be kept
 * (only the zero entries are filled). The result is the same on every rank,
 * so rank 0 prints it; every rank checks that the product matches. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int bad = 0, cases = 0;
    /* All zero: nnodes 1..64 in 1..4 dimensions, and some bigger ones; one line
     * per nnodes (each rank's output stays below one 4 KiB stdio buffer, so
     * mpirun cannot interleave other ranks' lines into it). */
    int big[] = {72, 96, 100, 120, 128, 210, 360, 1000, 1024, 4096, 97, 121};
    for (int k = 0; k < 64 + (int)(sizeof big / sizeof big[0]); k++) {
        int n = k < 64 ? k + 1 : big[k - 64];
        if (rank == 0) printf("%d:", n);
        for (int nd = 1; nd <= 4; nd++) {
            int d[4] = {0, 0, 0, 0};
            MPI_Dims_create(n, nd, d);
            int prod = 1;
            for (int i = 0; i < nd; i++) prod *= d[i];
            for (int i = 1; i < nd; i++) if (d[i] > d[i - 1]) bad++;
            if (prod != n) bad++;
            cases++;
            if (rank == 0)
                for (int i = 0; i < nd; i++) printf(i ? "x%d" : " %d", d[i]);
        }
        if (rank == 0) printf("\n");
    }
    /* Preset entries are kept; only zeros are filled. */
    struct { int n, nd, d[4]; } pre[] = {
        {12, 2, {3, 0}},       {12, 2, {0, 3}},       {24, 3, {0, 2, 0}},  {24, 3, {4, 0, 0}},
        {30, 3, {0, 0, 5}},    {60, 4, {0, 3, 0, 0}}, {16, 4, {2, 0, 2, 0}}, {36, 3, {0, 3, 0}},
        {8, 3, {2, 2, 2}},     {7, 2, {7, 0}},        {7, 2, {0, 1}},      {1, 3, {0, 1, 0}},
        {64, 4, {0, 0, 0, 4}}, {100, 3, {0, 5, 0}},   {6, 3, {1, 0, 0}},   {48, 2, {0, 16}},
    };
    for (int k = 0; k < (int)(sizeof pre / sizeof pre[0]); k++) {
        int d[4];
        for (int i = 0; i < 4; i++) d[i] = pre[k].d[i];
        MPI_Dims_create(pre[k].n, pre[k].nd, d);
        int prod = 1;
        for (int i = 0; i < pre[k].nd; i++) {
            prod *= d[i];
            if (pre[k].d[i] && d[i] != pre[k].d[i]) bad++;
        }
        if (prod != pre[k].n) bad++;
        cases++;
        if (rank == 0) {
            printf("%d preset", pre[k].n);
            for (int i = 0; i < pre[k].nd; i++) printf(i ? "x%d" : " %d", pre[k].d[i]);
            printf(" ->");
            for (int i = 0; i < pre[k].nd; i++) printf(i ? "x%d" : " %d", d[i]);
            printf("\n");
        }
    }
    /* The job's own size. */
    int d[3] = {0, 0, 0};
    MPI_Dims_create(size, 3, d);
    printf("rank %d: %d cases, %d bad; world %d -> %d %d %d\n", rank, cases, bad, size, d[0], d[1], d[2]);
    printf("rank %d: done dims_create\n", rank);
    MPI_Finalize();
    return 0;
}

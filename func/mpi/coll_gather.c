/* Gather(v), Scatter(v), Allgather(v), Alltoall(v,w), Reduce_scatter(_block),
 * Scan and Exscan, with MPI_IN_PLACE where the standard allows it. Rank 0 prints
 * gathered results; each rank prints what it received. */
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
    int root = size / 2;
    int *all = malloc(sizeof(int) * size * size * 4 + 64);
    int *counts = malloc(sizeof(int) * size), *displs = malloc(sizeof(int) * size);

    /* Gather two ints per rank at root. */
    int two[2] = {rank, rank * rank};
    MPI_Gather(two, 2, MPI_INT, all, 2, MPI_INT, root, MPI_COMM_WORLD);
    if (rank == root) print_ints("gather", rank, all, 2 * size);

    /* Gatherv: rank r sends r+1 ints, placed with a gap of one; root in place. */
    int off = 0;
    for (int r = 0; r < size; r++) { counts[r] = r + 1; displs[r] = off; off += r + 2; }
    int *mine = malloc(sizeof(int) * (rank + 1));
    for (int i = 0; i <= rank; i++) mine[i] = 100 * rank + i;
    for (int i = 0; i < off; i++) all[i] = -1;
    if (rank == root) {
        for (int i = 0; i <= rank; i++) all[displs[rank] + i] = mine[i];
        MPI_Gatherv(MPI_IN_PLACE, 0, MPI_INT, all, counts, displs, MPI_INT, root, MPI_COMM_WORLD);
        print_ints("gatherv", rank, all, off);
    } else {
        MPI_Gatherv(mine, rank + 1, MPI_INT, NULL, NULL, NULL, MPI_INT, root, MPI_COMM_WORLD);
    }

    /* Scatter and Scatterv from root (same layouts). */
    if (rank == root) for (int i = 0; i < 2 * size; i++) all[i] = 1000 + i;
    int got2[2] = {0, 0};
    MPI_Scatter(all, 2, MPI_INT, got2, 2, MPI_INT, root, MPI_COMM_WORLD);
    print_ints("scatter", rank, got2, 2);
    if (rank == root) for (int i = 0; i < off; i++) all[i] = 2000 + i;
    int *gotv = calloc(rank + 1, sizeof(int));
    MPI_Scatterv(all, counts, displs, MPI_INT, gotv, rank + 1, MPI_INT, root, MPI_COMM_WORLD);
    print_ints("scatterv", rank, gotv, rank + 1);

    /* Allgather (and in place), Allgatherv. */
    double dv = rank * 1.25, *dall = malloc(sizeof(double) * size);
    MPI_Allgather(&dv, 1, MPI_DOUBLE, dall, 1, MPI_DOUBLE, MPI_COMM_WORLD);
    double dsum = 0;
    for (int i = 0; i < size; i++) dsum += dall[i] * (i + 1);
    printf("allgather rank %d: %g\n", rank, dsum);
    for (int i = 0; i < size; i++) all[i] = (i == rank) ? rank * 7 : -1;
    MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, 1, MPI_INT, MPI_COMM_WORLD);
    print_ints("allgather_in_place", rank, all, size);
    MPI_Allgatherv(mine, rank + 1, MPI_INT, all, counts, displs, MPI_INT, MPI_COMM_WORLD);
    int s = 0;
    for (int r = 0; r < size; r++) for (int i = 0; i <= r; i++) s += all[displs[r] + i];
    printf("allgatherv rank %d: %d\n", rank, s);

    /* Alltoall: element j of rank i goes to rank j. */
    int *sendbuf = malloc(sizeof(int) * size), *recvbuf = malloc(sizeof(int) * size);
    for (int j = 0; j < size; j++) sendbuf[j] = rank * 100 + j;
    MPI_Alltoall(sendbuf, 1, MPI_INT, recvbuf, 1, MPI_INT, MPI_COMM_WORLD);
    print_ints("alltoall", rank, recvbuf, size);
    MPI_Alltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, sendbuf, 1, MPI_INT, MPI_COMM_WORLD);
    print_ints("alltoall_in_place", rank, sendbuf, size);

    /* Alltoallv: rank i sends j+1 copies of (i*10+j) to rank j. */
    int *scounts = malloc(sizeof(int) * size), *sdispls = malloc(sizeof(int) * size);
    int *rcounts = malloc(sizeof(int) * size), *rdispls = malloc(sizeof(int) * size);
    int stot = 0, rtot = 0;
    for (int j = 0; j < size; j++) {
        scounts[j] = j + 1; sdispls[j] = stot; stot += j + 1;
        rcounts[j] = rank + 1; rdispls[j] = rtot; rtot += rank + 1;
    }
    int *sv = malloc(sizeof(int) * stot), *rv = malloc(sizeof(int) * rtot);
    for (int j = 0; j < size; j++) for (int k = 0; k <= j; k++) sv[sdispls[j] + k] = rank * 10 + j;
    MPI_Alltoallv(sv, scounts, sdispls, MPI_INT, rv, rcounts, rdispls, MPI_INT, MPI_COMM_WORLD);
    print_ints("alltoallv", rank, rv, rtot);

    /* Alltoallw with byte displacements and mixed types: one int to each rank,
     * received as four bytes. */
    MPI_Datatype *wtypes_s = malloc(sizeof(MPI_Datatype) * size), *wtypes_r = malloc(sizeof(MPI_Datatype) * size);
    int *wc_s = malloc(sizeof(int) * size), *wc_r = malloc(sizeof(int) * size);
    int *wd_s = malloc(sizeof(int) * size), *wd_r = malloc(sizeof(int) * size);
    for (int j = 0; j < size; j++) {
        wtypes_s[j] = MPI_INT; wc_s[j] = 1; wd_s[j] = j * (int)sizeof(int);
        wtypes_r[j] = MPI_BYTE; wc_r[j] = 4; wd_r[j] = j * 4;
        sendbuf[j] = 0x01020304 * (rank + 1) + j;
    }
    MPI_Alltoallw(sendbuf, wc_s, wd_s, wtypes_s, recvbuf, wc_r, wd_r,
                  wtypes_r, MPI_COMM_WORLD);
    print_ints("alltoallw", rank, recvbuf, size);

    /* Reduce_scatter_block and Reduce_scatter (in place). */
    int *vec = malloc(sizeof(int) * size * 2);
    for (int i = 0; i < size * 2; i++) vec[i] = rank + i;
    int blk[2];
    MPI_Reduce_scatter_block(vec, blk, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    print_ints("reduce_scatter_block", rank, blk, 2);
    int total = 0;
    for (int r = 0; r < size; r++) { counts[r] = r % 3; total += counts[r]; }
    for (int i = 0; i < total; i++) vec[i] = (rank + 1) * (i + 1);
    MPI_Reduce_scatter(MPI_IN_PLACE, vec, counts, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    print_ints("reduce_scatter", rank, vec, counts[rank]);

    /* Scan and Exscan. */
    int x = rank + 1, inc = 0, exc = -99;
    MPI_Scan(&x, &inc, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Exscan(&x, &exc, 1, MPI_INT, MPI_PROD, MPI_COMM_WORLD);
    if (rank == 0) exc = -99; /* undefined on rank 0 */
    double dx = 0.5 * rank;
    MPI_Scan(MPI_IN_PLACE, &dx, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    printf("scan rank %d: inclusive %d exclusive %d max %g\n", rank, inc, exc, dx);

    MPI_Finalize();
    return 0;
}

/* MPI_Allgather and MPI_Allgatherv: several counts and types, MPI_IN_PLACE for
 * both, varying counts (zero for some ranks) with gaps and reversed displacements,
 * a receive type different from the send type, a large allgather, split
 * communicators. Every rank prints the whole gathered buffer. */
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
    int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
    int *buf = malloc(4096 * sizeof(int));

    /* One int, three ints, doubles, chars. */
    {
        int v = rank * rank - 3;
        MPI_Allgather(&v, 1, MPI_INT, buf, 1, MPI_INT, MPI_COMM_WORLD);
        print_ints("one", rank, buf, size);
        int t[3] = {rank, rank + 100, -rank};
        MPI_Allgather(t, 3, MPI_INT, buf, 3, MPI_INT, MPI_COMM_WORLD);
        print_ints("three", rank, buf, 3 * size);
        double d[2] = {rank + 0.5, rank * -0.25}, *dall = malloc(2 * size * sizeof(double));
        MPI_Allgather(d, 2, MPI_DOUBLE, dall, 2, MPI_DOUBLE, MPI_COMM_WORLD);
        printf("doubles rank %d:", rank);
        for (int i = 0; i < 2 * size; i++) printf(" %g", dall[i]);
        printf("\n");
        free(dall);
        char c = 'a' + rank, *call = malloc(size + 1);
        MPI_Allgather(&c, 1, MPI_CHAR, call, 1, MPI_CHAR, MPI_COMM_WORLD);
        call[size] = 0;
        printf("chars rank %d: %s\n", rank, call);
        free(call);
    }

    /* In place: each rank fills its own block first. */
    {
        for (int i = 0; i < 2 * size; i++) buf[i] = -1;
        buf[2 * rank] = rank * 11;
        buf[2 * rank + 1] = rank * 13;
        MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, 2, MPI_INT, MPI_COMM_WORLD);
        print_ints("in place", rank, buf, 2 * size);
    }

    /* Allgatherv: rank r gives (r + 1) % 3 ints, reversed order, gap of one. */
    int total = 0;
    for (int r = size - 1; r >= 0; r--) {
        counts[r] = (r + 1) % 3;
        displs[r] = total;
        total += counts[r] + 1;
    }
    {
        int mine[2] = {rank * 10 + 1, rank * 10 + 2};
        for (int i = 0; i < total; i++) buf[i] = -1;
        MPI_Allgatherv(mine, counts[rank], MPI_INT, buf, counts, displs, MPI_INT, MPI_COMM_WORLD);
        print_ints("allgatherv", rank, buf, total);
        for (int i = 0; i < total; i++) buf[i] = -1;
        for (int i = 0; i < counts[rank]; i++) buf[displs[rank] + i] = mine[i] + 500;
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, counts, displs, MPI_INT, MPI_COMM_WORLD);
        print_ints("allgatherv in place", rank, buf, total);
    }

    /* Send as ints, receive as pairs. */
    {
        MPI_Datatype pair;
        MPI_Type_contiguous(2, MPI_INT, &pair);
        MPI_Type_commit(&pair);
        int s[4] = {rank, rank + 1, rank + 2, rank + 3};
        MPI_Allgather(s, 4, MPI_INT, buf, 2, pair, MPI_COMM_WORLD);
        print_ints("pairs", rank, buf, 4 * size);
        int off = 0;
        for (int r = 0; r < size; r++) {
            counts[r] = r % 2 + 1;
            displs[r] = off;
            off += counts[r];
        }
        int t[4] = {rank * 7, rank * 7 + 1, rank * 7 + 2, rank * 7 + 3};
        MPI_Allgatherv(t, 2 * (rank % 2 + 1), MPI_INT, buf, counts, displs, pair, MPI_COMM_WORLD);
        print_ints("pairs v", rank, buf, 2 * off);
        MPI_Type_free(&pair);
    }

    /* Large: 30000 ints per rank. */
    {
        int n = 30000;
        int *s = malloc(n * sizeof(int)), *all = malloc((size_t)n * size * sizeof(int));
        for (int i = 0; i < n; i++) s[i] = rank * n + i;
        MPI_Allgather(s, n, MPI_INT, all, n, MPI_INT, MPI_COMM_WORLD);
        int bad = 0;
        for (int i = 0; i < n * size; i++) bad += all[i] != i;
        printf("large rank %d: wrong %d\n", rank, bad);
        free(s);
        free(all);
    }

    /* Odd and even ranks separately. */
    {
        MPI_Comm half;
        MPI_Comm_split(MPI_COMM_WORLD, rank % 2, size - rank, &half);
        int hs, v = rank;
        MPI_Comm_size(half, &hs);
        MPI_Allgather(&v, 1, MPI_INT, buf, 1, MPI_INT, half);
        print_ints("half", rank, buf, hs);
        MPI_Comm_free(&half);
    }

    printf("rank %d: done coll_allgather_allgatherv\n", rank);
    free(counts);
    free(displs);
    free(buf);
    MPI_Finalize();
    return 0;
}

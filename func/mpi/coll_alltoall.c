/* MPI_Alltoall: one and three ints per peer, doubles, a receive type different
 * from the send type, MPI_IN_PLACE, a large exchange (20000 ints per peer), and a
 * split communicator. Every rank prints what it received. */
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
    int *s = malloc(8 * size * sizeof(int)), *r = malloc(8 * size * sizeof(int));

    /* Element j of rank i goes to rank j. */
    for (int j = 0; j < size; j++) s[j] = rank * 100 + j;
    MPI_Alltoall(s, 1, MPI_INT, r, 1, MPI_INT, MPI_COMM_WORLD);
    print_ints("one", rank, r, size);

    /* Blocks of three. */
    for (int j = 0; j < size; j++)
        for (int k = 0; k < 3; k++) s[3 * j + k] = rank * 1000 + j * 10 + k;
    MPI_Alltoall(s, 3, MPI_INT, r, 3, MPI_INT, MPI_COMM_WORLD);
    print_ints("three", rank, r, 3 * size);

    /* Doubles. */
    {
        double *ds = malloc(2 * size * sizeof(double)), *dr = malloc(2 * size * sizeof(double));
        for (int j = 0; j < size; j++) {
            ds[2 * j] = rank + j / 8.0;
            ds[2 * j + 1] = -1.0 * (rank + 1) * (j + 1);
        }
        MPI_Alltoall(ds, 2, MPI_DOUBLE, dr, 2, MPI_DOUBLE, MPI_COMM_WORLD);
        printf("doubles rank %d:", rank);
        for (int i = 0; i < 2 * size; i++) printf(" %g", dr[i]);
        printf("\n");
        free(ds);
        free(dr);
    }

    /* Send 4 ints per peer, receive 2 pairs per peer. */
    {
        MPI_Datatype pair;
        MPI_Type_contiguous(2, MPI_INT, &pair);
        MPI_Type_commit(&pair);
        for (int j = 0; j < size; j++)
            for (int k = 0; k < 4; k++) s[4 * j + k] = rank * 100 + j * 4 + k;
        MPI_Alltoall(s, 4, MPI_INT, r, 2, pair, MPI_COMM_WORLD);
        print_ints("pairs", rank, r, 4 * size);
        MPI_Type_free(&pair);
    }

    /* In place, twice: the second exchange undoes the first (a transpose). */
    {
        for (int j = 0; j < size; j++) {
            r[2 * j] = rank * 10 + j;
            r[2 * j + 1] = -(rank * 10 + j);
        }
        MPI_Alltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, r, 2, MPI_INT, MPI_COMM_WORLD);
        print_ints("in place", rank, r, 2 * size);
        MPI_Alltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, r, 2, MPI_INT, MPI_COMM_WORLD);
        int back = 1;
        for (int j = 0; j < size; j++) back &= r[2 * j] == rank * 10 + j && r[2 * j + 1] == -(rank * 10 + j);
        printf("in place twice rank %d: back %d\n", rank, back);
    }

    /* Large. */
    {
        int n = 20000;
        int *ls = malloc((size_t)n * size * sizeof(int)), *lr = malloc((size_t)n * size * sizeof(int));
        for (int j = 0; j < size; j++)
            for (int k = 0; k < n; k++) ls[j * n + k] = (rank * size + j) * 7 + k;
        MPI_Alltoall(ls, n, MPI_INT, lr, n, MPI_INT, MPI_COMM_WORLD);
        int bad = 0;
        for (int i = 0; i < size; i++)
            for (int k = 0; k < n; k++) bad += lr[i * n + k] != (i * size + rank) * 7 + k;
        printf("large rank %d: wrong %d\n", rank, bad);
        free(ls);
        free(lr);
    }

    /* Within halves (low/high). */
    {
        MPI_Comm half;
        MPI_Comm_split(MPI_COMM_WORLD, rank >= size / 2, rank, &half);
        int hs, hr;
        MPI_Comm_size(half, &hs);
        MPI_Comm_rank(half, &hr);
        for (int j = 0; j < hs; j++) s[j] = rank * 100 + j;
        MPI_Alltoall(s, 1, MPI_INT, r, 1, MPI_INT, half);
        print_ints("half", rank, r, hs);
        MPI_Comm_free(&half);
    }

    printf("rank %d: done coll_alltoall\n", rank);
    free(s);
    free(r);
    MPI_Finalize();
    return 0;
}

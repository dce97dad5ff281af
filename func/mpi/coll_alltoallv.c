/* MPI_Alltoallv: counts depending on sender and receiver (zero for some pairs),
 * send displacements in reverse peer order with gaps, receive displacements with
 * gaps, a receive type different from the send type, MPI_IN_PLACE with a
 * symmetric count matrix, and a large exchange. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static void print_ints(const char *what, int rank, const int *v, int n) {
    printf("%s rank %d:", what, rank);
    for (int i = 0; i < n; i++) printf(" %d", v[i]);
    printf("\n");
}

/* Elements rank i sends to rank j. */
static int cnt(int i, int j) { return (i + 2 * j) % 4; }

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int *sc = malloc(size * sizeof(int)), *sd = malloc(size * sizeof(int));
    int *rc = malloc(size * sizeof(int)), *rd = malloc(size * sizeof(int));

    /* Send blocks laid out last peer first with one unused int after each;
     * receive blocks in peer order with two unused ints after each. */
    int stot = 0, rtot = 0;
    for (int j = size - 1; j >= 0; j--) {
        sc[j] = cnt(rank, j);
        sd[j] = stot;
        stot += sc[j] + 1;
    }
    for (int j = 0; j < size; j++) {
        rc[j] = cnt(j, rank);
        rd[j] = rtot;
        rtot += rc[j] + 2;
    }
    int *s = malloc((stot + 1) * sizeof(int)), *r = malloc((rtot + 1) * sizeof(int));
    for (int i = 0; i < stot; i++) s[i] = -7;
    for (int j = 0; j < size; j++)
        for (int k = 0; k < sc[j]; k++) s[sd[j] + k] = rank * 100 + j * 10 + k;
    for (int i = 0; i < rtot; i++) r[i] = -1;
    MPI_Alltoallv(s, sc, sd, MPI_INT, r, rc, rd, MPI_INT, MPI_COMM_WORLD);
    print_ints("varying", rank, r, rtot);

    /* Doubles, counts j+1 to everyone. */
    {
        int tot = 0;
        for (int j = 0; j < size; j++) {
            sc[j] = rank + 1;
            sd[j] = j * (rank + 1);
            rc[j] = j + 1;
            rd[j] = tot;
            tot += j + 1;
        }
        double *ds = malloc(size * (rank + 1) * sizeof(double)), *dr = malloc(tot * sizeof(double));
        for (int i = 0; i < size * (rank + 1); i++) ds[i] = rank + i * 0.5;
        MPI_Alltoallv(ds, sc, sd, MPI_DOUBLE, dr, rc, rd, MPI_DOUBLE, MPI_COMM_WORLD);
        printf("doubles rank %d:", rank);
        for (int i = 0; i < tot; i++) printf(" %g", dr[i]);
        printf("\n");
        free(ds);
        free(dr);
    }

    /* Send 2*(j+1) ints to rank j, which receives j+1 pairs from everyone. */
    {
        MPI_Datatype pair;
        MPI_Type_contiguous(2, MPI_INT, &pair);
        MPI_Type_commit(&pair);
        int st = 0, rt = 0;
        for (int j = 0; j < size; j++) {
            sc[j] = 2 * (j + 1);
            sd[j] = st;
            st += sc[j];
            rc[j] = rank + 1;
            rd[j] = rt; /* in pairs */
            rt += rank + 1;
        }
        int *ps = malloc(st * sizeof(int)), *pr = malloc(2 * rt * sizeof(int));
        for (int i = 0; i < st; i++) ps[i] = rank * 1000 + i;
        MPI_Alltoallv(ps, sc, sd, MPI_INT, pr, rc, rd, pair, MPI_COMM_WORLD);
        print_ints("pairs", rank, pr, 2 * rt);
        free(ps);
        free(pr);
        MPI_Type_free(&pair);
    }

    /* In place: count(i,j) = (i+j)%3 + 1 is symmetric, as MPI_IN_PLACE requires. */
    {
        int tot = 0;
        for (int j = 0; j < size; j++) {
            rc[j] = (rank + j) % 3 + 1;
            rd[j] = tot;
            tot += rc[j];
        }
        int *b = malloc(tot * sizeof(int));
        for (int j = 0; j < size; j++)
            for (int k = 0; k < rc[j]; k++) b[rd[j] + k] = rank * 100 + j * 10 + k;
        MPI_Alltoallv(MPI_IN_PLACE, NULL, NULL, MPI_DATATYPE_NULL, b, rc, rd, MPI_INT, MPI_COMM_WORLD);
        print_ints("in place", rank, b, tot);
        free(b);
    }

    /* Large: 5000 * (j + 1) ints to rank j. */
    {
        int st = 0, rt = 0;
        for (int j = 0; j < size; j++) {
            sc[j] = 5000 * (j + 1);
            sd[j] = st;
            st += sc[j];
            rc[j] = 5000 * (rank + 1);
            rd[j] = rt;
            rt += rc[j];
        }
        int *ls = malloc(st * sizeof(int)), *lr = malloc(rt * sizeof(int));
        for (int j = 0; j < size; j++)
            for (int k = 0; k < sc[j]; k++) ls[sd[j] + k] = rank * 7 + j * 3 + k;
        MPI_Alltoallv(ls, sc, sd, MPI_INT, lr, rc, rd, MPI_INT, MPI_COMM_WORLD);
        int bad = 0;
        for (int i = 0; i < size; i++)
            for (int k = 0; k < rc[i]; k++) bad += lr[rd[i] + k] != i * 7 + rank * 3 + k;
        printf("large rank %d: %d ints wrong %d\n", rank, rt, bad);
        free(ls);
        free(lr);
    }

    printf("rank %d: done coll_alltoallv\n", rank);
    free(s);
    free(r);
    free(sc);
    free(sd);
    free(rc);
    free(rd);
    MPI_Finalize();
    return 0;
}

/* MPI_Gather/MPI_Gatherv and MPI_Scatter/MPI_Scatterv from every root: varying
 * counts (including zero), displacements with gaps and in reverse rank order,
 * MPI_IN_PLACE at the root, a receive type different from the send type (pairs of
 * ints), doubles, and a large gatherv. */
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

    /* Layout: rank r contributes r % 3 ints (some contribute none), placed in
     * reverse rank order with a gap of 2 after each block. */
    int total = 0;
    for (int r = size - 1; r >= 0; r--) {
        counts[r] = r % 3;
        displs[r] = total;
        total += counts[r] + 2;
    }
    int mine[2] = {rank * 10 + 1, rank * 10 + 2};

    for (int root = 0; root < size; root++) {
        /* Gather: 2 ints per rank. */
        int two[2] = {rank, -rank - root};
        MPI_Gather(two, 2, MPI_INT, buf, 2, MPI_INT, root, MPI_COMM_WORLD);
        if (rank == root) print_ints("gather root", root, buf, 2 * size);

        /* Gatherv with the layout above. */
        for (int i = 0; i < total; i++) buf[i] = -1;
        MPI_Gatherv(mine, counts[rank], MPI_INT, buf, counts, displs, MPI_INT, root, MPI_COMM_WORLD);
        if (rank == root) print_ints("gatherv root", root, buf, total);

        /* Gatherv in place at the root: its block is already in the buffer. */
        for (int i = 0; i < total; i++) buf[i] = -1;
        if (rank == root) {
            for (int i = 0; i < counts[rank]; i++) buf[displs[rank] + i] = mine[i] + 1000;
            MPI_Gatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, counts, displs, MPI_INT, root, MPI_COMM_WORLD);
            print_ints("gatherv in place root", root, buf, total);
        } else {
            MPI_Gatherv(mine, counts[rank], MPI_INT, NULL, NULL, NULL, MPI_INT, root, MPI_COMM_WORLD);
        }

        /* Scatter: 3 ints to each rank. */
        if (rank == root)
            for (int i = 0; i < 3 * size; i++) buf[i] = root * 1000 + i;
        int three[3] = {-1, -1, -1};
        MPI_Scatter(buf, 3, MPI_INT, three, 3, MPI_INT, root, MPI_COMM_WORLD);
        printf("scatter root %d rank %d: %d %d %d\n", root, rank, three[0], three[1], three[2]);

        /* Scatterv with the layout above; the gaps are never sent. */
        if (rank == root)
            for (int i = 0; i < total; i++) buf[i] = root * 1000 + i;
        int got[2] = {-1, -1};
        MPI_Scatterv(buf, counts, displs, MPI_INT, got, counts[rank], MPI_INT, root, MPI_COMM_WORLD);
        printf("scatterv root %d rank %d: count %d got %d %d\n", root, rank, counts[rank], got[0], got[1]);

        /* Scatterv in place at the root: the root's block stays where it is. */
        if (rank == root) {
            for (int i = 0; i < total; i++) buf[i] = root * 1000 + i;
            MPI_Scatterv(buf, counts, displs, MPI_INT, MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, root, MPI_COMM_WORLD);
            int intact = 1;
            for (int i = 0; i < total; i++) intact &= buf[i] == root * 1000 + i;
            printf("scatterv in place root %d: buffer intact %d\n", root, intact);
        } else {
            got[0] = got[1] = -1;
            MPI_Scatterv(NULL, NULL, NULL, MPI_INT, got, counts[rank], MPI_INT, root, MPI_COMM_WORLD);
            printf("scatterv in place root %d rank %d: got %d %d\n", root, rank, got[0], got[1]);
        }
    }

    /* Receive type differs from send type: each rank sends 2*(rank+1) ints, the
     * root receives rank+1 pairs (a contiguous type of 2 ints). */
    {
        MPI_Datatype pair;
        MPI_Type_contiguous(2, MPI_INT, &pair);
        MPI_Type_commit(&pair);
        int off = 0;
        for (int r = 0; r < size; r++) {
            counts[r] = r + 1;
            displs[r] = off;
            off += r + 1;
        }
        int *s = malloc(2 * (rank + 1) * sizeof(int));
        for (int i = 0; i < 2 * (rank + 1); i++) s[i] = rank * 100 + i;
        int root = size - 1;
        MPI_Gatherv(s, 2 * (rank + 1), MPI_INT, buf, counts, displs, pair, root, MPI_COMM_WORLD);
        if (rank == root) print_ints("gatherv pairs", rank, buf, 2 * off);
        /* And back with Scatterv, pairs to ints. */
        for (int i = 0; i < 2 * (rank + 1); i++) s[i] = -1;
        if (rank == root)
            for (int i = 0; i < 2 * off; i++) buf[i] = 5000 + i;
        MPI_Scatterv(buf, counts, displs, pair, s, 2 * (rank + 1), MPI_INT, root, MPI_COMM_WORLD);
        print_ints("scatterv pairs", rank, s, 2 * (rank + 1));
        free(s);
        MPI_Type_free(&pair);
    }

    /* Doubles. */
    {
        double d = rank * 1.5 - 2, *all = malloc(size * sizeof(double));
        MPI_Gather(&d, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        if (rank == 0) {
            printf("gather doubles:");
            for (int i = 0; i < size; i++) printf(" %g", all[i]);
            printf("\n");
        }
        free(all);
    }

    /* A large gatherv: rank r sends 10000 * (r + 1) ints. */
    {
        int n = 10000 * (rank + 1), off = 0;
        int *s = malloc(n * sizeof(int));
        for (int i = 0; i < n; i++) s[i] = rank + i;
        for (int r = 0; r < size; r++) {
            counts[r] = 10000 * (r + 1);
            displs[r] = off;
            off += counts[r];
        }
        int *all = rank == 0 ? malloc(off * sizeof(int)) : NULL;
        MPI_Gatherv(s, n, MPI_INT, all, counts, displs, MPI_INT, 0, MPI_COMM_WORLD);
        if (rank == 0) {
            int bad = 0;
            for (int r = 0; r < size; r++)
                for (int i = 0; i < counts[r]; i++) bad += all[displs[r] + i] != r + i;
            printf("large gatherv: %d ints wrong %d\n", off, bad);
            free(all);
        }
        free(s);
    }

    printf("rank %d: done coll_gatherv_scatterv\n", rank);
    free(counts);
    free(displs);
    free(buf);
    MPI_Finalize();
    return 0;
}

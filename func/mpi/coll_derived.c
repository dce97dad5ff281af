/* Collectives with derived datatypes: Bcast of a vector (a matrix column) received
 * as a different vector, Gather of a struct type into an array of structs, Scatter
 * of matrix rows received as columns, Allgather with a resized type (interleaving
 * every rank's value into a strided layout), Alltoall with a resized column type
 * (a distributed transpose), and Gatherv of an indexed type. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

struct particle {
    double pos[2];
    int id;
    char kind;
};

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

    /* Bcast column 2 of a 5x5 matrix; receivers store it into column 4 of theirs. */
    {
        MPI_Datatype col;
        MPI_Type_vector(5, 1, 5, MPI_INT, &col);
        MPI_Type_commit(&col);
        int m[25];
        for (int i = 0; i < 25; i++) m[i] = rank == size - 1 ? 100 + i : 0;
        int root = size - 1;
        MPI_Bcast(rank == root ? &m[2] : &m[4], 1, col, root, MPI_COMM_WORLD);
        if (rank != root) print_ints("bcast column", rank, m, 25);
        /* Receivers may use another type with the same signature: 5 plain ints. */
        int c[5] = {0};
        if (rank == root) MPI_Bcast(&m[2], 1, col, root, MPI_COMM_WORLD);
        else MPI_Bcast(c, 5, MPI_INT, root, MPI_COMM_WORLD);
        if (rank != root) print_ints("bcast column as ints", rank, c, 5);
        MPI_Type_free(&col);
    }

    /* Gather an array of two structs from every rank into an array at the root. */
    {
        struct particle mine[2];
        for (int k = 0; k < 2; k++) {
            mine[k].pos[0] = rank + k * 0.5;
            mine[k].pos[1] = -rank - k * 0.25;
            mine[k].id = rank * 10 + k;
            mine[k].kind = 'A' + rank;
        }
        int bl[3] = {2, 1, 1};
        MPI_Aint base, dp[3];
        MPI_Get_address(&mine[0], &base);
        MPI_Get_address(&mine[0].pos, &dp[0]);
        MPI_Get_address(&mine[0].id, &dp[1]);
        MPI_Get_address(&mine[0].kind, &dp[2]);
        for (int i = 0; i < 3; i++) dp[i] -= base;
        MPI_Datatype types[3] = {MPI_DOUBLE, MPI_INT, MPI_CHAR}, t0, pt;
        MPI_Type_create_struct(3, bl, dp, types, &t0);
        MPI_Type_create_resized(t0, 0, (MPI_Aint)sizeof(struct particle), &pt);
        MPI_Type_commit(&pt);
        struct particle *all = malloc(2 * size * sizeof(struct particle));
        int root = size / 2;
        MPI_Gather(mine, 2, pt, all, 2, pt, root, MPI_COMM_WORLD);
        if (rank == root) {
            printf("gather structs:");
            for (int i = 0; i < 2 * size; i++)
                printf(" {%g,%g,%d,%c}", all[i].pos[0], all[i].pos[1], all[i].id, all[i].kind);
            printf("\n");
        }
        /* Allgather them too, and check everyone has the same. */
        MPI_Allgather(mine, 2, pt, all, 2, pt, MPI_COMM_WORLD);
        int ok = 1;
        for (int i = 0; i < 2 * size; i++) ok &= all[i].id == (i / 2) * 10 + i % 2 && all[i].kind == 'A' + i / 2;
        printf("allgather structs rank %d: ok %d\n", rank, ok);
        free(all);
        MPI_Type_free(&t0);
        MPI_Type_free(&pt);
    }

    /* Allgather with a resized type: each rank's pair (a, b) goes to positions
     * r and size + r of the result, i.e. a vector of 2 ints with stride size,
     * resized to the extent of one int so blocks interleave. */
    {
        MPI_Datatype v, vr;
        MPI_Type_vector(2, 1, size, MPI_INT, &v);
        MPI_Type_create_resized(v, 0, (MPI_Aint)sizeof(int), &vr);
        MPI_Type_commit(&vr);
        int pair[2] = {rank, 100 + rank}, *out = malloc(2 * size * sizeof(int));
        MPI_Allgather(pair, 2, MPI_INT, out, 1, vr, MPI_COMM_WORLD);
        print_ints("allgather resized", rank, out, 2 * size);
        MPI_Type_free(&v);
        MPI_Type_free(&vr);
        free(out);
    }

    /* Scatter rows of a size x 3 matrix; each rank receives its row as a column of
     * a 3x3 matrix (a vector type). */
    {
        MPI_Datatype col;
        MPI_Type_vector(3, 1, 3, MPI_INT, &col);
        MPI_Type_commit(&col);
        int *mat = malloc(3 * size * sizeof(int)), m3[9];
        for (int i = 0; i < 3 * size; i++) mat[i] = 1000 + i;
        for (int i = 0; i < 9; i++) m3[i] = 0;
        MPI_Scatter(mat, 3, MPI_INT, &m3[rank % 3], 1, col, 0, MPI_COMM_WORLD);
        print_ints("scatter into column", rank, m3, 9);
        MPI_Type_free(&col);
        free(mat);
    }

    /* Distributed transpose: every rank holds one row of a size x size matrix; the
     * column type resized to one int lets Alltoall deliver columns as rows. */
    {
        int *row = malloc(size * sizeof(int)), *col = malloc(size * sizeof(int));
        for (int j = 0; j < size; j++) row[j] = rank * 10 + j;
        MPI_Alltoall(row, 1, MPI_INT, col, 1, MPI_INT, MPI_COMM_WORLD);
        print_ints("transpose", rank, col, size);
        /* The whole matrix gathered at rank 0 as columns, using a resized column type. */
        MPI_Datatype c, cr;
        MPI_Type_vector(size, 1, size, MPI_INT, &c);
        MPI_Type_create_resized(c, 0, (MPI_Aint)sizeof(int), &cr);
        MPI_Type_commit(&cr);
        int *whole = malloc(size * size * sizeof(int));
        MPI_Gather(row, size, MPI_INT, whole, 1, cr, 0, MPI_COMM_WORLD);
        if (rank == 0) print_ints("gather transposed", rank, whole, size * size);
        MPI_Type_free(&c);
        MPI_Type_free(&cr);
        free(whole);
        free(row);
        free(col);
    }

    /* Gatherv where each rank sends an indexed selection of its array. */
    {
        int bl[2] = {1, 2}, dp[2] = {0, 3}, a[6];
        for (int i = 0; i < 6; i++) a[i] = rank * 10 + i;
        MPI_Datatype idx;
        MPI_Type_indexed(2, bl, dp, MPI_INT, &idx);
        MPI_Type_commit(&idx);
        int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
        for (int r = 0; r < size; r++) {
            counts[r] = 3;
            displs[r] = 4 * (size - 1 - r);
        }
        int *out = malloc(4 * size * sizeof(int));
        for (int i = 0; i < 4 * size; i++) out[i] = -1;
        MPI_Gatherv(a, 1, idx, out, counts, displs, MPI_INT, 0, MPI_COMM_WORLD);
        if (rank == 0) print_ints("gatherv indexed", rank, out, 4 * size);
        MPI_Type_free(&idx);
        free(counts);
        free(displs);
        free(out);
    }

    printf("rank %d: done coll_derived\n", rank);
    MPI_Finalize();
    return 0;
}

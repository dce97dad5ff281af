/* Derived datatypes in point-to-point: vector, hvector, indexed, indexed_block,
 * hindexed, struct (with a resized extent for arrays of structs), subarray and dup
 * types as send and receive types, matched against contiguous buffers on the other
 * side; MPI_Get_count and MPI_Get_elements on partial receives (a message that
 * fills a whole number of basic elements but not of derived elements). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

struct rec {
    int id;
    double weight;
    char tag[3];
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
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;
    int count, elems;

    /* A column of a 4x4 row-major matrix (vector 4,1,4) sent, received contiguous;
     * then a contiguous row received into a column. */
    {
        MPI_Datatype col;
        MPI_Type_vector(4, 1, 4, MPI_INT, &col);
        MPI_Type_commit(&col);
        int m[16], c[4], t[16];
        for (int i = 0; i < 16; i++) m[i] = rank * 100 + i;
        MPI_Sendrecv(&m[1], 1, col, right, 1, c, 4, MPI_INT, left, 1, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        print_ints("column", rank, c, 4);
        for (int i = 0; i < 16; i++) t[i] = -1;
        MPI_Sendrecv(&m[4], 4, MPI_INT, right, 2, &t[2], 1, col, left, 2, MPI_COMM_WORLD, &st);
        int as_col;
        MPI_Get_count(&st, col, &as_col);
        MPI_Get_elements(&st, col, &elems);
        print_ints("into column", rank, t, 16);
        printf("column counts rank %d: ints %d cols %d elements %d\n", rank, count, as_col, elems);
        MPI_Type_free(&col);
    }

    /* hvector over an array of structs: just the ids, by byte stride. */
    {
        struct rec r[4];
        for (int i = 0; i < 4; i++) {
            r[i].id = rank * 10 + i;
            r[i].weight = i * 0.5;
        }
        MPI_Datatype ids;
        MPI_Type_create_hvector(4, 1, (MPI_Aint)sizeof(struct rec), MPI_INT, &ids);
        MPI_Type_commit(&ids);
        int got[4];
        MPI_Sendrecv(r, 1, ids, right, 3, got, 4, MPI_INT, left, 3, MPI_COMM_WORLD, &st);
        print_ints("hvector ids", rank, got, 4);
        MPI_Type_free(&ids);
    }

    /* indexed {2,1,3} at {0,3,7}, indexed_block 2 at {1,5,8}, hindexed in bytes. */
    {
        int bl[3] = {2, 1, 3}, dp[3] = {0, 3, 7}, a[12], got[8];
        for (int i = 0; i < 12; i++) a[i] = rank * 100 + i;
        MPI_Datatype idx, blk, hidx;
        MPI_Type_indexed(3, bl, dp, MPI_INT, &idx);
        MPI_Type_commit(&idx);
        MPI_Sendrecv(a, 1, idx, right, 4, got, 8, MPI_INT, left, 4, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        print_ints("indexed", rank, got, count);
        int bdp[3] = {1, 5, 8};
        MPI_Type_create_indexed_block(3, 2, bdp, MPI_INT, &blk);
        MPI_Type_commit(&blk);
        int back[12];
        for (int i = 0; i < 12; i++) back[i] = 0;
        int six[6] = {rank, rank + 1, rank + 2, rank + 3, rank + 4, rank + 5};
        MPI_Sendrecv(six, 6, MPI_INT, right, 5, back, 1, blk, left, 5, MPI_COMM_WORLD, &st);
        print_ints("indexed_block", rank, back, 12);
        MPI_Aint hdp[2] = {2 * (MPI_Aint)sizeof(int), 9 * (MPI_Aint)sizeof(int)};
        int hbl[2] = {3, 2};
        MPI_Type_create_hindexed(2, hbl, hdp, MPI_INT, &hidx);
        MPI_Type_commit(&hidx);
        MPI_Sendrecv(a, 1, hidx, right, 6, got, 5, MPI_INT, left, 6, MPI_COMM_WORLD, &st);
        print_ints("hindexed", rank, got, 5);
        MPI_Type_free(&idx);
        MPI_Type_free(&blk);
        MPI_Type_free(&hidx);
    }

    /* Arrays of structs with a struct type resized to the C struct's extent. */
    {
        struct rec out[3], in[3];
        for (int i = 0; i < 3; i++) {
            out[i].id = rank * 10 + i;
            out[i].weight = rank + i * 0.25;
            out[i].tag[0] = 'a' + rank;
            out[i].tag[1] = 'A' + i;
            out[i].tag[2] = 0;
            in[i].id = -1;
            in[i].weight = -1;
            in[i].tag[0] = 0;
        }
        int bl[3] = {1, 1, 3};
        MPI_Aint base, dp[3];
        MPI_Get_address(&out[0], &base);
        MPI_Get_address(&out[0].id, &dp[0]);
        MPI_Get_address(&out[0].weight, &dp[1]);
        MPI_Get_address(&out[0].tag, &dp[2]);
        for (int i = 0; i < 3; i++) dp[i] -= base;
        MPI_Datatype types[3] = {MPI_INT, MPI_DOUBLE, MPI_CHAR}, s0, rec_t;
        MPI_Type_create_struct(3, bl, dp, types, &s0);
        MPI_Type_create_resized(s0, 0, (MPI_Aint)sizeof(struct rec), &rec_t);
        MPI_Type_commit(&rec_t);
        MPI_Sendrecv(out, 3, rec_t, right, 7, in, 3, rec_t, left, 7, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, rec_t, &count);
        MPI_Get_elements(&st, rec_t, &elems);
        printf("struct rank %d: count %d elements %d", rank, count, elems);
        for (int i = 0; i < 3; i++) printf(" {%d %g %s}", in[i].id, in[i].weight, in[i].tag);
        printf("\n");

        /* Partial receive: the sender sends 1 whole record plus the id and weight of
         * a second one, as plain ints/doubles/chars in a struct type. */
        MPI_Datatype partial;
        int pbl[5] = {1, 1, 3, 1, 1};
        MPI_Aint pdp[5];
        MPI_Datatype ptypes[5] = {MPI_INT, MPI_DOUBLE, MPI_CHAR, MPI_INT, MPI_DOUBLE};
        for (int i = 0; i < 3; i++) pdp[i] = dp[i];
        pdp[3] = (MPI_Aint)sizeof(struct rec) + dp[0];
        pdp[4] = (MPI_Aint)sizeof(struct rec) + dp[1];
        MPI_Type_create_struct(5, pbl, pdp, ptypes, &partial);
        MPI_Type_commit(&partial);
        for (int i = 0; i < 3; i++) in[i].id = -1;
        MPI_Sendrecv(out, 1, partial, right, 8, in, 3, rec_t, left, 8, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, rec_t, &count);
        MPI_Get_elements(&st, rec_t, &elems);
        int bytes;
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        printf("partial struct rank %d: count %s elements %d ids %d %d %d second weight %g\n", rank,
               count == MPI_UNDEFINED ? "undefined" : "defined", elems, in[0].id, in[1].id, in[2].id, in[1].weight);
        MPI_Type_free(&partial);
        MPI_Type_free(&s0);
        MPI_Type_free(&rec_t);
    }

    /* Partial receive of vector types: 7 ints into 3 x contiguous(3). */
    {
        MPI_Datatype tri;
        MPI_Type_contiguous(3, MPI_INT, &tri);
        MPI_Type_commit(&tri);
        int out[7], in[9];
        for (int i = 0; i < 7; i++) out[i] = rank * 10 + i;
        for (int i = 0; i < 9; i++) in[i] = -1;
        MPI_Sendrecv(out, 7, MPI_INT, right, 9, in, 3, tri, left, 9, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, tri, &count);
        MPI_Get_elements(&st, tri, &elems);
        MPI_Count ex;
        MPI_Get_elements_x(&st, tri, &ex);
        printf("partial tri rank %d: count %s elements %d elements_x %lld", rank,
               count == MPI_UNDEFINED ? "undefined" : "defined", elems, (long long)ex);
        print_ints(" data", rank, in, 9);
        MPI_Type_free(&tri);
    }

    /* Subarray: a 2x3 block at (1,2) of a 4x6 array goes into (2,0) of another. */
    {
        int sizes[2] = {4, 6}, sub[2] = {2, 3}, s1[2] = {1, 2}, s2[2] = {2, 0};
        MPI_Datatype from_t, to_t;
        MPI_Type_create_subarray(2, sizes, sub, s1, MPI_ORDER_C, MPI_INT, &from_t);
        MPI_Type_create_subarray(2, sizes, sub, s2, MPI_ORDER_C, MPI_INT, &to_t);
        MPI_Type_commit(&from_t);
        MPI_Type_commit(&to_t);
        int a[24], b[24];
        for (int i = 0; i < 24; i++) {
            a[i] = rank * 100 + i;
            b[i] = 0;
        }
        MPI_Sendrecv(a, 1, from_t, right, 10, b, 1, to_t, left, 10, MPI_COMM_WORLD, &st);
        print_ints("subarray", rank, b, 24);
        MPI_Type_free(&from_t);
        MPI_Type_free(&to_t);
    }

    /* A dup of a vector type; a large strided message (every 3rd of 300000 doubles). */
    {
        MPI_Datatype v, d;
        MPI_Type_vector(100000, 1, 3, MPI_DOUBLE, &v);
        MPI_Type_dup(v, &d);
        MPI_Type_commit(&d);
        double *a = malloc(300000 * sizeof(double)), *b = malloc(100000 * sizeof(double));
        for (int i = 0; i < 300000; i++) a[i] = rank + i;
        MPI_Request r;
        MPI_Irecv(b, 100000, MPI_DOUBLE, left, 11, MPI_COMM_WORLD, &r);
        MPI_Send(a, 1, d, right, 11, MPI_COMM_WORLD);
        MPI_Wait(&r, &st);
        int bad = 0;
        for (int i = 0; i < 100000; i++) bad += b[i] != left + 3.0 * i;
        MPI_Get_count(&st, MPI_DOUBLE, &count);
        printf("big strided rank %d: count %d wrong %d\n", rank, count, bad);
        free(a);
        free(b);
        MPI_Type_free(&v);
        MPI_Type_free(&d);
    }

    printf("rank %d: done p2p_derived\n", rank);
    MPI_Finalize();
    return 0;
}

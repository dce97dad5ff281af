/* MPI_Type_create_resized: shrinking a column type so consecutive columns
 * interleave, growing a type's extent (padding), a negative lower bound,
 * resizing a resized type, resized predefined types; Type_get_extent and
 * Type_get_true_extent (also the _x forms) of each, arrays of resized types
 * sent around a ring, and Scatter/Gather of matrix columns. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#define N 7

static int rank, size;

static void describe(const char *name, MPI_Datatype t) {
    int sz;
    MPI_Aint lb, ext, tlb, text;
    MPI_Count lbx, extx, tlbx, textx;
    MPI_Type_size(t, &sz);
    MPI_Type_get_extent(t, &lb, &ext);
    MPI_Type_get_true_extent(t, &tlb, &text);
    MPI_Type_get_extent_x(t, &lbx, &extx);
    MPI_Type_get_true_extent_x(t, &tlbx, &textx);
    if (rank == 0)
        printf("%s: size %d lb %d extent %d true_lb %d true_extent %d x_agree %d\n", name, sz, (int)lb, (int)ext,
               (int)tlb, (int)text, lbx == lb && extx == ext && tlbx == tlb && textx == text);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int peer = (rank + 1) % size, from = (rank + size - 1) % size;

    MPI_Datatype col, col1, int_pad, int_neg, pair, pair_re, pair_re2, dbl_pad, shrink_middle;
    MPI_Type_vector(N, 1, N, MPI_INT, &col);
    MPI_Type_create_resized(col, 0, sizeof(int), &col1);                 /* columns interleave */
    MPI_Type_create_resized(MPI_INT, 0, 3 * sizeof(int), &int_pad);      /* every third int */
    MPI_Type_create_resized(MPI_INT, -4 * (MPI_Aint)sizeof(int), 2 * sizeof(int), &int_neg);
    MPI_Type_contiguous(2, MPI_INT, &pair);
    MPI_Type_create_resized(pair, 4, 16, &pair_re);                       /* lb inside the data */
    MPI_Type_create_resized(pair_re, 0, 5 * sizeof(int), &pair_re2);      /* resize again */
    MPI_Type_create_resized(MPI_DOUBLE, 0, 3 * sizeof(double), &dbl_pad);
    int bl[2] = {1, 1}, ds[2] = {0, 6};
    MPI_Datatype two_far;
    MPI_Type_indexed(2, bl, ds, MPI_INT, &two_far);
    MPI_Type_create_resized(two_far, 0, 2 * sizeof(int), &shrink_middle); /* elements overlap in extent */

    MPI_Datatype all[] = {col, col1, int_pad, int_neg, pair, pair_re, pair_re2, dbl_pad, two_far, shrink_middle};
    const char *names[] = {"column", "column_resized", "int_padded", "int_negative_lb", "pair", "pair_lb4_ext16",
                           "pair_resized_twice", "double_padded", "two_far", "two_far_extent2"};
    int nt = sizeof all / sizeof all[0];
    for (int t = 0; t < nt; t++) {
        MPI_Type_commit(&all[t]);
        describe(names[t], all[t]);
    }

    int src[64], dst[64];
    struct { const char *name; MPI_Datatype t; int count, base; } cases[] = {
        {"int_padded", int_pad, 5, 0},          {"int_negative_lb", int_neg, 4, 20},
        {"pair_lb4_ext16", pair_re, 3, 2},      {"pair_resized_twice", pair_re2, 4, 1},
        {"two_far_extent2", shrink_middle, 3, 0}, {"column_resized", col1, 2, 0},
    };
    for (int c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        for (int i = 0; i < 64; i++) { src[i] = rank * 100 + i; dst[i] = -1; }
        MPI_Status st;
        if (cases[c].t == shrink_middle) {
            /* Overlapping elements may be sent but not received: receive as ints. */
            MPI_Sendrecv(src + cases[c].base, cases[c].count, cases[c].t, peer, c, dst, 64, MPI_INT, from, c,
                         MPI_COMM_WORLD, &st);
        } else {
            MPI_Sendrecv(src + cases[c].base, cases[c].count, cases[c].t, peer, c, dst + cases[c].base,
                         cases[c].count, cases[c].t, from, c, MPI_COMM_WORLD, &st);
        }
        int cnt;
        MPI_Get_count(&st, cases[c].t, &cnt);
        printf("rank %d %s x%d:", rank, cases[c].name, cases[c].count);
        for (int i = 0; i < 64; i++)
            if (dst[i] != -1) printf(" %d:%d", i, dst[i] - from * 100);
        printf(" count %d\n", cnt);
    }

    /* Doubles with padding between them. */
    double dsrc[12], ddst[12];
    for (int i = 0; i < 12; i++) { dsrc[i] = rank + i * 0.5; ddst[i] = 0; }
    MPI_Sendrecv(dsrc, 4, dbl_pad, peer, 50, ddst, 4, dbl_pad, from, 50, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("rank %d double_padded:", rank);
    for (int i = 0; i < 12; i++) printf(" %g", ddst[i]);
    printf("\n");

    /* Scatter the columns of an N x size matrix from rank 0, one per rank, using the
     * interleaving column type (with stride size), then gather them back transposed. */
    MPI_Datatype mcol, mcol1;
    MPI_Type_vector(N, 1, size, MPI_INT, &mcol);
    MPI_Type_create_resized(mcol, 0, sizeof(int), &mcol1);
    MPI_Type_commit(&mcol1);
    describe("matrix_column_resized", mcol1);
    int mat[N * 7], mine[N], back[N * 7];
    for (int i = 0; i < N; i++) for (int j = 0; j < size; j++) mat[i * size + j] = rank == 0 ? i * 10 + j : -1;
    MPI_Scatter(mat, 1, mcol1, mine, N, MPI_INT, 0, MPI_COMM_WORLD);
    printf("rank %d scattered column:", rank);
    for (int i = 0; i < N; i++) printf(" %d", mine[i]);
    printf("\n");
    for (int i = 0; i < N; i++) mine[i] += 1000;
    for (int i = 0; i < N * size; i++) back[i] = 0;
    MPI_Gather(mine, N, MPI_INT, back, 1, mcol1, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        int ok = 1;
        for (int i = 0; i < N; i++) for (int j = 0; j < size; j++) if (back[i * size + j] != 1000 + i * 10 + j) ok = 0;
        printf("gathered columns back in place %d first row", ok);
        for (int j = 0; j < size; j++) printf(" %d", back[j]);
        printf("\n");
    }
    /* Allgather with a resized type: every rank gets every rank's int in column 0 slots. */
    int ag[7 * 3];
    for (int i = 0; i < 3 * size; i++) ag[i] = -1;
    int me = rank * 11;
    MPI_Allgather(&me, 1, MPI_INT, ag, 1, int_pad, MPI_COMM_WORLD);
    printf("rank %d allgather padded:", rank);
    for (int i = 0; i < 3 * size; i++) printf(" %d", ag[i]);
    printf("\n");

    for (int t = 0; t < nt; t++) MPI_Type_free(&all[t]);
    MPI_Type_free(&mcol);
    MPI_Type_free(&mcol1);
    printf("rank %d: done type_resized\n", rank);
    MPI_Finalize();
    return 0;
}

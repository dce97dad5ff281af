/* MPI_Type_contiguous, MPI_Type_vector and MPI_Type_create_hvector: sizes,
 * extents and true extents (including a negative stride and nested types), one
 * and several elements sent around a ring, receiving in a different type with
 * the same signature, Get_count/Get_elements of partial elements, and zero
 * counts. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#define N 8

static int rank, size, peer, from;

static void describe(const char *name, MPI_Datatype t) {
    int sz;
    MPI_Aint lb, ext, tlb, text;
    MPI_Type_size(t, &sz);
    MPI_Type_get_extent(t, &lb, &ext);
    MPI_Type_get_true_extent(t, &tlb, &text);
    if (rank == 0)
        printf("%s: size %d lb %d extent %d true_lb %d true_extent %d\n", name, sz, (int)lb, (int)ext, (int)tlb,
               (int)text);
}

/* Sends `count` elements of `t` taken from the middle of a rank-stamped int
 * array, receives into the same layout in a -1 filled array, and prints which
 * cells changed and the values they got. */
static void ring(const char *name, MPI_Datatype t, int count, int offset) {
    int src[N * N], dst[N * N];
    for (int i = 0; i < N * N; i++) src[i] = rank * 1000 + i;
    for (int i = 0; i < N * N; i++) dst[i] = -1;
    MPI_Status st;
    MPI_Sendrecv(src + offset, count, t, peer, 7, dst + offset, count, t, from, 7, MPI_COMM_WORLD, &st);
    char line[2048];
    int pos = sprintf(line, "rank %d %s x%d:", rank, name, count);
    int changed = 0;
    for (int i = 0; i < N * N; i++)
        if (dst[i] != -1) {
            changed++;
            if (dst[i] != from * 1000 + i) pos += sprintf(line + pos, " BAD@%d=%d", i, dst[i]);
            else pos += sprintf(line + pos, " %d", i);
        }
    int cnt, el;
    MPI_Get_count(&st, t, &cnt);
    MPI_Get_elements(&st, t, &el);
    printf("%s | cells %d count %d elements %d\n", line, changed, cnt, el);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    peer = (rank + 1) % size;
    from = (rank + size - 1) % size;

    MPI_Datatype cont5, cont_of_cont, vec, vec_neg, vec_col, hvec, hvec_d, hvec_vec, vec_of_cont, one, zero;
    MPI_Type_contiguous(5, MPI_INT, &cont5);
    MPI_Type_contiguous(3, cont5, &cont_of_cont);         /* 15 ints in a row */
    MPI_Type_vector(3, 2, 4, MPI_INT, &vec);               /* xx..xx..xx */
    MPI_Type_vector(3, 1, -2, MPI_INT, &vec_neg);          /* x at 0, -2, -4 */
    MPI_Type_vector(N, 1, N, MPI_INT, &vec_col);           /* a column of the NxN matrix */
    MPI_Type_create_hvector(3, 2, 5 * sizeof(int), MPI_INT, &hvec); /* xx...xx...xx */
    MPI_Type_create_hvector(2, 3, 30 * sizeof(int), vec, &hvec_vec); /* two groups of 3 vecs */
    MPI_Type_vector(2, 2, 3, cont5, &vec_of_cont);         /* blocks of 10 ints, stride 15 */
    MPI_Type_contiguous(1, MPI_INT, &one);
    MPI_Type_contiguous(0, MPI_INT, &zero);
    MPI_Datatype dbl_pair;
    MPI_Type_contiguous(2, MPI_DOUBLE, &dbl_pair);
    MPI_Type_create_hvector(4, 1, 3 * sizeof(double), dbl_pair, &hvec_d);

    MPI_Datatype all[] = {cont5, cont_of_cont, vec, vec_neg, vec_col, hvec, hvec_vec, vec_of_cont, one, zero, hvec_d};
    const char *names[] = {"contiguous5", "contiguous3_of_5", "vector3_2_4", "vector_negative_stride", "vector_column",
                           "hvector3_2_20B", "hvector_of_vector", "vector_of_contiguous", "contiguous1", "contiguous0",
                           "hvector_of_double_pairs"};
    int nt = sizeof all / sizeof all[0];
    for (int t = 0; t < nt; t++) {
        MPI_Type_commit(&all[t]);
        describe(names[t], all[t]);
    }

    ring("contiguous5", cont5, 1, 0);
    ring("contiguous5", cont5, 3, 2);
    ring("contiguous3_of_5", cont_of_cont, 2, 1);
    ring("vector3_2_4", vec, 1, 0);
    ring("vector3_2_4", vec, 3, 5); /* consecutive elements start one extent (10 ints) apart */
    ring("vector_negative_stride", vec_neg, 1, 20);
    ring("vector_negative_stride", vec_neg, 2, 20);
    ring("vector_column", vec_col, 1, 3);
    ring("hvector3_2_20B", hvec, 2, 1);
    ring("hvector_of_vector", hvec_vec, 1, 0);
    ring("vector_of_contiguous", vec_of_cont, 1, 4);
    ring("contiguous1", one, 4, 9);
    ring("contiguous0", zero, 5, 0);
    ring("vector3_2_4", vec, 0, 0);

    /* Doubles through an hvector of contiguous pairs. */
    double ds[32], dr[32];
    for (int i = 0; i < 32; i++) { ds[i] = rank + i / 4.0; dr[i] = -1; }
    MPI_Sendrecv(ds, 1, hvec_d, peer, 8, dr, 1, hvec_d, from, 8, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("rank %d hvector_of_double_pairs:", rank);
    for (int i = 0; i < 12; i++) printf(" %g", dr[i]);
    printf("\n");

    /* Type signatures match, layouts differ: a matrix column sent as a vector
     * arrives as N contiguous ints; N contiguous ints land in a column. */
    int m[N][N], col[N], m2[N][N];
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) m[i][j] = rank * 100 + i * 10 + j;
    MPI_Sendrecv(&m[0][2], 1, vec_col, peer, 9, col, N, MPI_INT, from, 9, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("rank %d column as ints:", rank);
    for (int i = 0; i < N; i++) printf(" %d", col[i]);
    printf("\n");
    memset(m2, 0, sizeof m2);
    MPI_Sendrecv(col, N, MPI_INT, peer, 10, &m2[0][5], 1, vec_col, from, 10, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    int colsum = 0, nonzero = 0;
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) if (m2[i][j]) { nonzero++; if (j == 5) colsum += m2[i][j]; }
    printf("rank %d ints into column: nonzero %d column5 sum %d\n", rank, nonzero, colsum);

    /* Partial elements: 7 ints received with a count of 4 contiguous pairs. */
    MPI_Datatype pair;
    MPI_Type_contiguous(2, MPI_INT, &pair);
    MPI_Type_commit(&pair);
    int seven[7] = {1, 2, 3, 4, 5, 6, 7}, got[8] = {0};
    MPI_Status st;
    MPI_Sendrecv(seven, 7, MPI_INT, peer, 11, got, 4, pair, from, 11, MPI_COMM_WORLD, &st);
    int cnt, el;
    MPI_Get_count(&st, pair, &cnt);
    MPI_Get_elements(&st, pair, &el);
    printf("rank %d partial: count %s elements %d last %d after %d\n", rank, cnt == MPI_UNDEFINED ? "UNDEFINED" : "?",
           el, got[6], got[7]);
    /* A vector received partially: 4 ints into vector3_2_4 fill the first two blocks. */
    int four[4] = {10 + rank, 20 + rank, 30 + rank, 40 + rank}, vb[12];
    for (int i = 0; i < 12; i++) vb[i] = -1;
    MPI_Sendrecv(four, 4, MPI_INT, peer, 12, vb, 1, vec, from, 12, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, vec, &cnt);
    MPI_Get_elements(&st, vec, &el);
    printf("rank %d partial vector: count %s elements %d cells", rank, cnt == MPI_UNDEFINED ? "UNDEFINED" : "?", el);
    for (int i = 0; i < 12; i++) printf(" %d", vb[i]);
    printf("\n");

    /* Bcast a column from the last rank with the vector type. */
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) m[i][j] = rank == size - 1 ? i * N + j : 0;
    MPI_Bcast(&m[0][N - 1], 1, vec_col, size - 1, MPI_COMM_WORLD);
    int bsum = 0;
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) bsum += m[i][j];
    printf("rank %d bcast column sum %d\n", rank, bsum);

    for (int t = 0; t < nt; t++) MPI_Type_free(&all[t]);
    MPI_Type_free(&pair);
    MPI_Type_free(&dbl_pair);
    printf("rank %d: done type_contiguous_vector\n", rank);
    MPI_Finalize();
    return 0;
}

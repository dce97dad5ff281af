/* MPI_Type_create_subarray: 2-D and 3-D subarrays in C order (and one in
 * Fortran order), their sizes and extents (the whole array), ring transfers of
 * a 2-D block, and a halo exchange of 3-D faces between neighbouring ranks of a
 * 1-D decomposition: each rank sends its first and last interior planes (in
 * each of the three directions) into its neighbours' ghost planes. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#define R 6
#define C 8
#define X 4 /* interior 3-D sizes; arrays have one ghost layer on every side */
#define Y 5
#define Z 6

static int rank, size;

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

static int a3[X + 2][Y + 2][Z + 2];

static int val(int r, int i, int j, int k) { return r * 10000 + i * 1000 + j * 100 + k * 10 + 1; }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int peer = (rank + 1) % size, from = (rank + size - 1) % size;

    /* 2-D: a 2x3 block at (1,2) of a 6x8 int matrix; a full row; a full column. */
    MPI_Datatype blk, row, col, blkf, corner;
    int sizes[2] = {R, C}, subs[2] = {2, 3}, starts[2] = {1, 2};
    MPI_Type_create_subarray(2, sizes, subs, starts, MPI_ORDER_C, MPI_INT, &blk);
    int rsubs[2] = {1, C}, rstarts[2] = {R - 1, 0};
    MPI_Type_create_subarray(2, sizes, rsubs, rstarts, MPI_ORDER_C, MPI_INT, &row);
    int csubs[2] = {R, 1}, cstarts[2] = {0, C - 1};
    MPI_Type_create_subarray(2, sizes, csubs, cstarts, MPI_ORDER_C, MPI_INT, &col);
    /* Fortran order: sizes are given fastest dimension first. */
    int fsizes[2] = {C, R}, fsubs[2] = {3, 2}, fstarts[2] = {2, 1};
    MPI_Type_create_subarray(2, fsizes, fsubs, fstarts, MPI_ORDER_FORTRAN, MPI_INT, &blkf);
    int csz[2] = {1, 1}, cst[2] = {0, 0};
    MPI_Type_create_subarray(2, sizes, csz, cst, MPI_ORDER_C, MPI_DOUBLE, &corner);
    MPI_Datatype t2[] = {blk, row, col, blkf, corner};
    const char *n2[] = {"block2x3", "last_row", "last_column", "block_fortran", "corner_double"};
    for (int t = 0; t < 5; t++) {
        MPI_Type_commit(&t2[t]);
        describe(n2[t], t2[t]);
    }
    int m[R][C], g[R][C];
    for (int t = 0; t < 4; t++) {
        for (int i = 0; i < R; i++) for (int j = 0; j < C; j++) { m[i][j] = rank * 100 + i * 10 + j; g[i][j] = -1; }
        MPI_Sendrecv(m, 1, t2[t], peer, t, g, 1, t2[t], from, t, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        printf("rank %d %s:", rank, n2[t]);
        for (int i = 0; i < R; i++) for (int j = 0; j < C; j++) if (g[i][j] != -1) printf(" %d", g[i][j]);
        printf("\n");
    }
    /* The block and its Fortran-order twin have the same type map. */
    int packed_c[6], packed_f[6];
    for (int i = 0; i < R; i++) for (int j = 0; j < C; j++) m[i][j] = i * 10 + j;
    MPI_Sendrecv(m, 1, blk, rank, 9, packed_c, 6, MPI_INT, rank, 9, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(m, 1, blkf, rank, 9, packed_f, 6, MPI_INT, rank, 9, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("rank %d block order:", rank);
    for (int i = 0; i < 6; i++) printf(" %d/%d", packed_c[i], packed_f[i]);
    printf("\n");
    /* Two consecutive block elements are one whole array apart. */
    int two[2][R][C], two_got[2][R][C];
    for (int e = 0; e < 2; e++)
        for (int i = 0; i < R; i++) for (int j = 0; j < C; j++) { two[e][i][j] = e * 1000 + i * 10 + j; two_got[e][i][j] = 0; }
    MPI_Sendrecv(two, 2, blk, peer, 10, two_got, 2, blk, from, 10, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    int s0 = 0, s1 = 0;
    for (int i = 0; i < R; i++) for (int j = 0; j < C; j++) { s0 += two_got[0][i][j]; s1 += two_got[1][i][j]; }
    printf("rank %d two blocks: sums %d %d\n", rank, s0, s1);

    /* 3-D: the local array with ghosts is (X+2)x(Y+2)x(Z+2); faces are one plane thick. */
    int full[3] = {X + 2, Y + 2, Z + 2};
    MPI_Datatype send_lo[3], send_hi[3], recv_lo[3], recv_hi[3];
    int interior[3] = {X, Y, Z};
    for (int d = 0; d < 3; d++) {
        int sub[3], st_slo[3], st_shi[3], st_rlo[3], st_rhi[3];
        for (int e = 0; e < 3; e++) {
            sub[e] = e == d ? 1 : interior[e];
            st_slo[e] = st_shi[e] = st_rlo[e] = st_rhi[e] = 1;
        }
        st_slo[d] = 1;               /* first interior plane */
        st_shi[d] = interior[d];     /* last interior plane */
        st_rlo[d] = 0;               /* low ghost plane */
        st_rhi[d] = interior[d] + 1; /* high ghost plane */
        MPI_Type_create_subarray(3, full, sub, st_slo, MPI_ORDER_C, MPI_INT, &send_lo[d]);
        MPI_Type_create_subarray(3, full, sub, st_shi, MPI_ORDER_C, MPI_INT, &send_hi[d]);
        MPI_Type_create_subarray(3, full, sub, st_rlo, MPI_ORDER_C, MPI_INT, &recv_lo[d]);
        MPI_Type_create_subarray(3, full, sub, st_rhi, MPI_ORDER_C, MPI_INT, &recv_hi[d]);
        MPI_Type_commit(&send_lo[d]);
        MPI_Type_commit(&send_hi[d]);
        MPI_Type_commit(&recv_lo[d]);
        MPI_Type_commit(&recv_hi[d]);
        char name[32];
        sprintf(name, "face%d_send_hi", d);
        describe(name, send_hi[d]);
        sprintf(name, "face%d_recv_lo", d);
        describe(name, recv_lo[d]);
    }
    /* Rank r's neighbours are r-1 and r+1 (non-periodic, PROC_NULL at the ends). */
    int lo = rank > 0 ? rank - 1 : MPI_PROC_NULL, hi = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
    for (int d = 0; d < 3; d++) {
        for (int i = 0; i < X + 2; i++)
            for (int j = 0; j < Y + 2; j++)
                for (int k = 0; k < Z + 2; k++) {
                    int ghost = i == 0 || i == X + 1 || j == 0 || j == Y + 1 || k == 0 || k == Z + 1;
                    a3[i][j][k] = ghost ? 0 : val(rank, i, j, k);
                }
        /* Upward: my last interior plane goes to hi's low ghost plane. */
        MPI_Sendrecv(a3, 1, send_hi[d], hi, 20 + d, a3, 1, recv_lo[d], lo, 20 + d, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        /* Downward: my first interior plane goes to lo's high ghost plane. */
        MPI_Sendrecv(a3, 1, send_lo[d], lo, 30 + d, a3, 1, recv_hi[d], hi, 30 + d, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        /* Check every ghost cell: which received, and whether each has the expected value. */
        int got_lo = 0, got_hi = 0, bad = 0, other = 0;
        for (int i = 0; i < X + 2; i++)
            for (int j = 0; j < Y + 2; j++)
                for (int k = 0; k < Z + 2; k++) {
                    int c[3] = {i, j, k};
                    int ghost = i == 0 || i == X + 1 || j == 0 || j == Y + 1 || k == 0 || k == Z + 1;
                    if (!ghost) {
                        if (a3[i][j][k] != val(rank, i, j, k)) bad++;
                        continue;
                    }
                    if (a3[i][j][k] == 0) continue;
                    int inplane = 1;
                    for (int e = 0; e < 3; e++)
                        if (e != d && (c[e] == 0 || c[e] == interior[e] + 1)) inplane = 0;
                    if (inplane && c[d] == 0) {
                        c[d] = interior[d];
                        if (a3[i][j][k] == val(lo, c[0], c[1], c[2])) got_lo++; else bad++;
                    } else if (inplane && c[d] == interior[d] + 1) {
                        c[d] = 1;
                        if (a3[i][j][k] == val(hi, c[0], c[1], c[2])) got_hi++; else bad++;
                    } else {
                        other++;
                    }
                }
        printf("rank %d halo dim %d: low ghost %d high ghost %d bad %d stray %d\n", rank, d, got_lo, got_hi, bad,
               other);
    }
    /* A 3-D sub-cube received as contiguous ints: check the order. */
    int cube_sizes[3] = {X + 2, Y + 2, Z + 2}, cube_sub[3] = {2, 2, 3}, cube_st[3] = {1, 2, 3};
    MPI_Datatype cube;
    MPI_Type_create_subarray(3, cube_sizes, cube_sub, cube_st, MPI_ORDER_C, MPI_INT, &cube);
    MPI_Type_commit(&cube);
    describe("cube2x2x3", cube);
    for (int i = 0; i < X + 2; i++)
        for (int j = 0; j < Y + 2; j++)
            for (int k = 0; k < Z + 2; k++) a3[i][j][k] = i * 100 + j * 10 + k;
    int flat[12];
    MPI_Sendrecv(a3, 1, cube, peer, 40, flat, 12, MPI_INT, from, 40, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("rank %d cube order:", rank);
    for (int i = 0; i < 12; i++) printf(" %d", flat[i]);
    printf("\n");

    for (int t = 0; t < 5; t++) MPI_Type_free(&t2[t]);
    for (int d = 0; d < 3; d++) {
        MPI_Type_free(&send_lo[d]);
        MPI_Type_free(&send_hi[d]);
        MPI_Type_free(&recv_lo[d]);
        MPI_Type_free(&recv_hi[d]);
    }
    MPI_Type_free(&cube);
    printf("rank %d: done type_subarray\n", rank);
    MPI_Finalize();
    return 0;
}

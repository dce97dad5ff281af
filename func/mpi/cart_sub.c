/* MPI_Cart_sub: rows and columns of a 2-D grid, planes and lines of a 3-D grid,
 * keeping every dimension, and keeping none (a 0-dimensional grid of one
 * process); Cart_get / Cartdim_get / Topo_test of the results (periodicity is
 * inherited), and collectives plus shifts inside the subgrids. */
#include <mpi.h>
#include <stdio.h>

static int rank, size;

static void sub(const char *name, MPI_Comm cart, const int *remain) {
    MPI_Comm s;
    MPI_Cart_sub(cart, remain, &s);
    int topo, nd, sr, sn, dims[3] = {0}, per[3] = {0}, co[3] = {0};
    MPI_Topo_test(s, &topo);
    MPI_Cartdim_get(s, &nd);
    MPI_Comm_rank(s, &sr);
    MPI_Comm_size(s, &sn);
    if (nd > 0) MPI_Cart_get(s, nd, dims, per, co);
    int members[16], sum, root_val = rank * 3;
    MPI_Allgather(&rank, 1, MPI_INT, members, 1, MPI_INT, s);
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, s);
    MPI_Bcast(&root_val, 1, MPI_INT, sn - 1, s);
    printf("rank %d %s: topo %s ndims %d rank %d of %d dims", rank, name, topo == MPI_CART ? "CART" : "OTHER", nd, sr,
           sn);
    for (int i = 0; i < nd; i++) printf(" %d", dims[i]);
    printf(" periods");
    for (int i = 0; i < nd; i++) printf(" %d", per[i]);
    printf(" coords");
    for (int i = 0; i < nd; i++) printf(" %d", co[i]);
    printf(" members");
    for (int i = 0; i < sn; i++) printf(" %d", members[i]);
    printf(" sum %d bcast %d", sum, root_val);
    if (nd > 0) {
        int src, dst, got = -1;
        MPI_Cart_shift(s, 0, 1, &src, &dst);
        MPI_Sendrecv(&rank, 1, MPI_INT, dst, 0, &got, 1, MPI_INT, src, 0, s, MPI_STATUS_IGNORE);
        printf(" shift0 got %d", got);
    }
    printf("\n");
    MPI_Comm_free(&s);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int d2[2] = {0, 0}, p2[2] = {1, 0};
    MPI_Dims_create(size, 2, d2);
    MPI_Comm c2;
    MPI_Cart_create(MPI_COMM_WORLD, 2, d2, p2, 0, &c2);
    int rows[2] = {0, 1}, cols[2] = {1, 0}, both[2] = {1, 1}, none[2] = {0, 0};
    sub("2d_row", c2, rows);
    sub("2d_column", c2, cols);
    sub("2d_both", c2, both);
    sub("2d_none", c2, none);

    int d3[3] = {0, 0, 0}, p3[3] = {0, 1, 1};
    MPI_Dims_create(size, 3, d3);
    MPI_Comm c3;
    MPI_Cart_create(MPI_COMM_WORLD, 3, d3, p3, 0, &c3);
    int keep[6][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {0, 1, 1}, {1, 0, 1}};
    const char *kn[6] = {"3d_x", "3d_y", "3d_z", "3d_xy", "3d_yz", "3d_xz"};
    for (int i = 0; i < 6; i++) sub(kn[i], c3, keep[i]);

    /* A sub of a sub: the row of the xy plane. */
    MPI_Comm plane;
    int xy[3] = {1, 1, 0};
    MPI_Cart_sub(c3, xy, &plane);
    int second[2] = {0, 1};
    sub("3d_xy_then_y", plane, second);

    /* Explicit 2x3 grid on the first 6 ranks (or fewer if the world is smaller). */
    if (size >= 6) {
        int d[2] = {2, 3}, p[2] = {0, 0};
        MPI_Comm g;
        MPI_Cart_create(MPI_COMM_WORLD, 2, d, p, 0, &g);
        if (g != MPI_COMM_NULL) {
            sub("2x3_row", g, rows);
            sub("2x3_column", g, cols);
            MPI_Comm_free(&g);
        }
    }

    MPI_Comm_free(&plane);
    MPI_Comm_free(&c2);
    MPI_Comm_free(&c3);
    printf("rank %d: done cart_sub\n", rank);
    MPI_Finalize();
    return 0;
}

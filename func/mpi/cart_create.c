/* MPI_Cart_create (reorder 0) on 1-D, 2-D and 3-D grids, periodic and not,
 * grids smaller than the world (ranks outside get MPI_COMM_NULL); Topo_test,
 * Cartdim_get, Cart_get, Cart_coords of every grid rank, Cart_rank (with
 * periodic coordinates out of range wrapping around), and a collective on
 * each grid. */
#include <mpi.h>
#include <stdio.h>

static int rank, size;

static void grid(const char *name, int ndims, const int *dims, const int *periods) {
    MPI_Comm cart;
    MPI_Cart_create(MPI_COMM_WORLD, ndims, dims, periods, 0, &cart);
    if (cart == MPI_COMM_NULL) {
        printf("rank %d %s: MPI_COMM_NULL\n", rank, name);
        return;
    }
    int topo, nd, cr, cn, gd[3], gp[3], gc[3], sum;
    MPI_Topo_test(cart, &topo);
    MPI_Cartdim_get(cart, &nd);
    MPI_Comm_rank(cart, &cr);
    MPI_Comm_size(cart, &cn);
    MPI_Cart_get(cart, 3, gd, gp, gc);
    printf("rank %d %s: topo %s ndims %d cart rank %d of %d dims", rank, name, topo == MPI_CART ? "CART" : "OTHER", nd,
           cr, cn);
    for (int i = 0; i < nd; i++) printf(" %d", gd[i]);
    printf(" periods");
    for (int i = 0; i < nd; i++) printf(" %d", gp[i]);
    printf(" coords");
    for (int i = 0; i < nd; i++) printf(" %d", gc[i]);
    printf("\n");
    /* Coordinates of every grid rank, and back. */
    if (cr == 0) {
        printf("%s map:", name);
        for (int r = 0; r < cn; r++) {
            int c[3], back;
            MPI_Cart_coords(cart, r, nd, c);
            MPI_Cart_rank(cart, c, &back);
            printf(" %d=(", r);
            for (int i = 0; i < nd; i++) printf(i ? ",%d" : "%d", c[i]);
            printf(")%s", back == r ? "" : "!");
        }
        printf("\n");
    }
    /* Periodic dimensions wrap: coordinates -1 and dims[i] name the far ends. */
    int lo[3], hi[3], any_periodic = 0;
    for (int i = 0; i < nd; i++) {
        lo[i] = gp[i] ? -1 : 0;
        hi[i] = gp[i] ? gd[i] + gc[i] : gc[i];
        any_periodic |= gp[i];
    }
    if (any_periodic) {
        int rlo, rhi;
        MPI_Cart_rank(cart, lo, &rlo);
        MPI_Cart_rank(cart, hi, &rhi);
        printf("rank %d %s wrapped: low corner %d same-coords-plus-dims %d\n", rank, name, rlo, rhi);
    }
    /* Reorder 0: cart rank equals world rank. */
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, cart);
    printf("rank %d %s: cart rank is world rank %d sum %d\n", rank, name, cr == rank, sum);
    MPI_Comm_free(&cart);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int topo;
    MPI_Topo_test(MPI_COMM_WORLD, &topo);
    printf("rank %d world topology %s\n", rank, topo == MPI_UNDEFINED ? "UNDEFINED" : "OTHER");

    int d1[1] = {size}, p1[1] = {1}, np1[1] = {0};
    grid("ring", 1, d1, p1);
    grid("line", 1, d1, np1);
    int d2[2] = {0, 0}, p2[2] = {1, 0}, np2[2] = {0, 0}, pp2[2] = {1, 1};
    MPI_Dims_create(size, 2, d2);
    grid("grid2d_periodic_rows", 2, d2, p2);
    grid("grid2d_open", 2, d2, np2);
    grid("torus2d", 2, d2, pp2);
    int d3[3] = {0, 0, 0}, p3[3] = {0, 1, 0};
    MPI_Dims_create(size, 3, d3);
    grid("grid3d", 3, d3, p3);
    /* Smaller than the world: ranks beyond the grid are left out. */
    int ds[1] = {size > 1 ? size - 1 : 1};
    grid("line_minus_one", 1, ds, np1);
    int ds2[2] = {size / 2 > 0 ? size / 2 : 1, size >= 2 ? 2 : 1}, ps2[2] = {1, 1};
    grid("grid2d_even_part", 2, ds2, ps2);
    int one[3] = {1, 1, 1}, op[3] = {1, 0, 1};
    grid("single_cell", 3, one, op);

    printf("rank %d: done cart_create\n", rank);
    MPI_Finalize();
    return 0;
}

/* MPI_Cart_shift in every dimension of 1-D, 2-D and 3-D grids, periodic and
 * not, with displacements 1, -1, 2 and 0 (MPI_PROC_NULL printed by name), and
 * a halo exchange that uses the shift results with Sendrecv (PROC_NULL
 * neighbours leave the halo untouched). */
#include <mpi.h>
#include <stdio.h>

static int rank, size;

static const char *rn(int r, char *b) {
    if (r == MPI_PROC_NULL) return "PROC_NULL";
    sprintf(b, "%d", r);
    return b;
}

static void shifts(const char *name, int ndims, const int *dims, const int *periods) {
    MPI_Comm cart;
    MPI_Cart_create(MPI_COMM_WORLD, ndims, dims, periods, 0, &cart);
    if (cart == MPI_COMM_NULL) {
        printf("rank %d %s: not in grid\n", rank, name);
        return;
    }
    int disps[4] = {1, -1, 2, 0};
    for (int d = 0; d < ndims; d++) {
        printf("rank %d %s dim %d:", rank, name, d);
        for (int k = 0; k < 4; k++) {
            int src, dst;
            char b1[16], b2[16];
            MPI_Cart_shift(cart, d, disps[k], &src, &dst);
            printf(" disp %d src %s dst %s;", disps[k], rn(src, b1), rn(dst, b2));
        }
        printf("\n");
        /* Halo exchange along d: send my rank up and down, receive from both sides. */
        int src, dst, from_lo = -1, from_hi = -1, me = 100 + rank;
        MPI_Cart_shift(cart, d, 1, &src, &dst);
        MPI_Sendrecv(&me, 1, MPI_INT, dst, 10 + d, &from_lo, 1, MPI_INT, src, 10 + d, cart, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&me, 1, MPI_INT, src, 20 + d, &from_hi, 1, MPI_INT, dst, 20 + d, cart, MPI_STATUS_IGNORE);
        printf("rank %d %s dim %d halo: from low %d from high %d\n", rank, name, d, from_lo, from_hi);
    }
    /* A status from a PROC_NULL receive: source PROC_NULL, tag ANY_TAG, count 0. */
    int src, dst, x = -5;
    MPI_Status st;
    MPI_Cart_shift(cart, 0, 1, &src, &dst);
    if (src == MPI_PROC_NULL) {
        MPI_Recv(&x, 1, MPI_INT, src, 0, cart, &st);
        int cnt;
        MPI_Get_count(&st, MPI_INT, &cnt);
        printf("rank %d %s proc_null recv: source %s tag %s count %d untouched %d\n", rank, name,
               st.MPI_SOURCE == MPI_PROC_NULL ? "PROC_NULL" : "?", st.MPI_TAG == MPI_ANY_TAG ? "ANY_TAG" : "?", cnt,
               x == -5);
    }
    MPI_Comm_free(&cart);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int d1[1] = {size}, p[3] = {1, 1, 1}, np[3] = {0, 0, 0};
    shifts("ring", 1, d1, p);
    shifts("line", 1, d1, np);
    int d2[2] = {0, 0}, p2[2] = {0, 1};
    MPI_Dims_create(size, 2, d2);
    shifts("grid2d", 2, d2, p2);
    shifts("open2d", 2, d2, np);
    int d3[3] = {0, 0, 0}, p3[3] = {1, 0, 1};
    MPI_Dims_create(size, 3, d3);
    shifts("grid3d", 3, d3, p3);
    int dl[2] = {1, size > 1 ? size - 1 : 1};
    shifts("row_minus_one", 2, dl, p);

    printf("rank %d: done cart_shift\n", rank);
    MPI_Finalize();
    return 0;
}

/* Groups, communicators and Cartesian topologies: Comm_group, Group_* (incl, excl,
 * range_incl/excl, union, intersection, difference, rank, size, translate_ranks,
 * compare, free), Comm_dup, Comm_split, Comm_split_type, Comm_create,
 * Comm_create_group, Comm_compare, Comm_free, Comm_set/get_name, Cart_create,
 * Cart_rank/coords/shift/get/sub, Cartdim_get, Dims_create, Topo_test. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

/* Print special ranks by meaning, not by their ABI-specific values. */
#define R(x) ((x) == MPI_PROC_NULL ? -100 : (x) == MPI_UNDEFINED ? -200 : (x))

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* Groups. */
    MPI_Group world, evens, odds, first2, u, inter, diff, rng;
    MPI_Comm_group(MPI_COMM_WORLD, &world);
    int ev[64], nev = 0;
    for (int i = 0; i < size; i += 2) ev[nev++] = i;
    MPI_Group_incl(world, nev, ev, &evens);
    MPI_Group_excl(world, nev, ev, &odds);
    int r2[1][3] = {{0, size > 1 ? 1 : 0, 1}};
    MPI_Group_range_incl(world, 1, r2, &first2);
    int rx[1][3] = {{size - 1, 0, -2}};
    MPI_Group_range_excl(world, 1, rx, &rng);
    MPI_Group_union(odds, first2, &u);
    MPI_Group_intersection(evens, first2, &inter);
    MPI_Group_difference(world, evens, &diff);
    int gs[7], gr[7];
    MPI_Group g[7] = {world, evens, odds, first2, u, inter, diff};
    for (int i = 0; i < 7; i++) { MPI_Group_size(g[i], &gs[i]); MPI_Group_rank(g[i], &gr[i]); }
    printf("groups rank %d: sizes %d %d %d %d %d %d %d ranks %d %d %d %d %d %d %d\n", rank, gs[0], gs[1], gs[2],
           gs[3], gs[4], gs[5], gs[6], R(gr[0]), R(gr[1]), R(gr[2]), R(gr[3]), R(gr[4]), R(gr[5]), R(gr[6]));
    int rsize;
    MPI_Group_size(rng, &rsize);
    int tr_in[3] = {0, 1 % size, size - 1}, tr_out[3];
    MPI_Group_translate_ranks(world, 3, tr_in, evens, tr_out);
    int c1, c2, c3;
    MPI_Group_compare(world, world, &c1);
    MPI_Group_compare(odds, diff, &c2);
    MPI_Group_compare(evens, odds, &c3);
    if (rank == 0)
        printf("groups: range_excl size %d translate %d %d %d compare %d %d %d\n", rsize, R(tr_out[0]), R(tr_out[1]),
               R(tr_out[2]), c1 == MPI_IDENT, c2 == MPI_IDENT, c3 == MPI_UNEQUAL);

    /* Split by parity, reversed key order; communicate inside. */
    MPI_Comm half;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, -rank, &half);
    int hr, hs, sum;
    MPI_Comm_rank(half, &hr);
    MPI_Comm_size(half, &hs);
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, half);
    printf("split rank %d: half rank %d of %d sum %d\n", rank, hr, hs, sum);

    /* Dup keeps the group; compare; names. */
    MPI_Comm dup;
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    int cmp1, cmp2, cmp3;
    MPI_Comm_compare(MPI_COMM_WORLD, dup, &cmp1);
    MPI_Comm_compare(dup, dup, &cmp2);
    MPI_Comm_compare(MPI_COMM_WORLD, half, &cmp3);
    MPI_Comm_set_name(dup, "my-dup");
    char name[MPI_MAX_OBJECT_NAME];
    int len;
    MPI_Comm_get_name(dup, name, &len);
    int b = rank == 0 ? 77 : 0;
    MPI_Bcast(&b, 1, MPI_INT, 0, dup);
    printf("dup rank %d: congruent %d ident %d unequal %d name %s/%d bcast %d\n", rank, cmp1 == MPI_CONGRUENT,
           cmp2 == MPI_IDENT, size == 1 ? 1 : cmp3 == MPI_UNEQUAL, name, len, b);
    int is_inter;
    MPI_Comm_test_inter(dup, &is_inter);
    if (rank == 0) printf("test_inter %d\n", is_inter);
    MPI_Comm_get_name(MPI_COMM_WORLD, name, &len);
    if (rank == 0) printf("world name %s\n", name);

    /* Split type shared: all ranks of this single-node job. */
    MPI_Comm shm;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &shm);
    int shs;
    MPI_Comm_size(shm, &shs);
    printf("shared rank %d: size %d\n", rank, shs);

    /* Comm_create from the even group; Comm_create_group among odds. */
    MPI_Comm ecomm, ocomm = MPI_COMM_NULL;
    MPI_Comm_create(MPI_COMM_WORLD, evens, &ecomm);
    if (rank % 2 == 1) MPI_Comm_create_group(MPI_COMM_WORLD, odds, 5, &ocomm);
    int es = -1, os = -1;
    if (ecomm != MPI_COMM_NULL) MPI_Comm_size(ecomm, &es);
    if (ocomm != MPI_COMM_NULL) {
        MPI_Comm_size(ocomm, &os);
        MPI_Barrier(ocomm);
    }
    printf("create rank %d: even comm size %d odd comm size %d\n", rank, es, os);

    /* Cartesian 2-D grid, periodic in one dimension. */
    int dims[2] = {0, 0}, periods[2] = {1, 0};
    MPI_Dims_create(size, 2, dims);
    MPI_Comm cart;
    MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &cart);
    int topo, ndims, coords[2], crank, src0, dst0, src1, dst1, gd[2], gp[2], gc[2];
    MPI_Topo_test(cart, &topo);
    MPI_Cartdim_get(cart, &ndims);
    MPI_Comm_rank(cart, &crank);
    MPI_Cart_coords(cart, crank, 2, coords);
    int back;
    MPI_Cart_rank(cart, coords, &back);
    MPI_Cart_shift(cart, 0, 1, &src0, &dst0);
    MPI_Cart_shift(cart, 1, 1, &src1, &dst1);
    MPI_Cart_get(cart, 2, gd, gp, gc);
    printf("cart rank %d: dims %dx%d cart %d ndims %d coords %d,%d back %d shift0 %d %d shift1 %d %d get %d %d %d\n",
           rank, dims[0], dims[1], topo == MPI_CART, ndims, coords[0], coords[1], back, R(src0), R(dst0), R(src1), R(dst1),
           gd[0] * gd[1], gp[0] + gp[1], gc[0] == coords[0] && gc[1] == coords[1]);
    int remain[2] = {0, 1};
    MPI_Comm row;
    MPI_Cart_sub(cart, remain, &row);
    int rr, rs, rsum;
    MPI_Comm_rank(row, &rr);
    MPI_Comm_size(row, &rs);
    MPI_Allreduce(&rank, &rsum, 1, MPI_INT, MPI_SUM, row);
    printf("cart_sub rank %d: row rank %d of %d sum %d\n", rank, rr, rs, rsum);
    int d3[3] = {0, 0, 0};
    MPI_Dims_create(12, 3, d3);
    if (rank == 0) printf("dims_create 12 -> %d %d %d\n", d3[0], d3[1], d3[2]);

    MPI_Comm_free(&row);
    MPI_Comm_free(&cart);
    if (ecomm != MPI_COMM_NULL) MPI_Comm_free(&ecomm);
    if (ocomm != MPI_COMM_NULL) MPI_Comm_free(&ocomm);
    MPI_Comm_free(&shm);
    MPI_Comm_free(&dup);
    MPI_Comm_free(&half);
    for (int i = 1; i < 7; i++) MPI_Group_free(&g[i]);
    MPI_Group_free(&world);
    MPI_Group_free(&rng);
    printf("freed rank %d: %d\n", rank, dup == MPI_COMM_NULL && world == MPI_GROUP_NULL);
    MPI_Finalize();
    return 0;
}

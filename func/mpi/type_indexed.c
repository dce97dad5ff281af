/* MPI_Type_indexed, MPI_Type_create_hindexed, MPI_Type_create_indexed_block and
 * MPI_Type_create_hindexed_block: sizes, extents and true extents (unordered and
 * negative displacements, empty blocks, nested types), elements sent around a
 * ring into the same layout and into contiguous buffers, counts > 1, and
 * Get_count/Get_elements. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#define LEN 96

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

/* Ring transfer of `count` elements based at `base`, same type both sides;
 * prints the changed cells in order, plus Get_count/Get_elements. */
static void ring(const char *name, MPI_Datatype t, int count, int base) {
    int src[LEN], dst[LEN];
    for (int i = 0; i < LEN; i++) { src[i] = rank * 1000 + i; dst[i] = -1; }
    MPI_Status st;
    MPI_Sendrecv(src + base, count, t, peer, 1, dst + base, count, t, from, 1, MPI_COMM_WORLD, &st);
    printf("rank %d %s x%d:", rank, name, count);
    int changed = 0;
    for (int i = 0; i < LEN; i++)
        if (dst[i] != -1) {
            changed++;
            if (dst[i] != from * 1000 + i) printf(" BAD@%d=%d", i, dst[i]);
            else printf(" %d", i);
        }
    int cnt, el;
    MPI_Get_count(&st, t, &cnt);
    MPI_Get_elements(&st, t, &el);
    printf(" | cells %d count %d elements %d\n", changed, cnt, el);
}

/* The type map order: send one element, receive it as contiguous ints. */
static void order(const char *name, MPI_Datatype t, int base) {
    int src[LEN], dst[LEN], sz;
    for (int i = 0; i < LEN; i++) { src[i] = i; dst[i] = -1; }
    MPI_Type_size(t, &sz);
    MPI_Sendrecv(src + base, 1, t, peer, 2, dst, LEN, MPI_INT, from, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("rank %d %s order:", rank, name);
    for (int i = 0; i < sz / 4; i++) printf(" %d", dst[i] - base);
    printf("\n");
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    peer = (rank + 1) % size;
    from = (rank + size - 1) % size;

    MPI_Datatype idx, idx_unordered, idx_neg, idx_empty, hidx, iblk, iblk_neg, hiblk, idx_of_vec, hidx_of_idx;
    int bl[4] = {1, 3, 2, 4}, ds[4] = {0, 4, 10, 15};
    MPI_Type_indexed(4, bl, ds, MPI_INT, &idx);
    int bl2[3] = {2, 1, 3}, ds2[3] = {12, 0, 6}; /* displacements out of order */
    MPI_Type_indexed(3, bl2, ds2, MPI_INT, &idx_unordered);
    int bl3[3] = {2, 2, 1}, ds3[3] = {-6, 0, -2}; /* negative displacements */
    MPI_Type_indexed(3, bl3, ds3, MPI_INT, &idx_neg);
    int bl4[4] = {0, 2, 0, 1}, ds4[4] = {1, 3, 40, 8}; /* zero-length blocks do not count */
    MPI_Type_indexed(4, bl4, ds4, MPI_INT, &idx_empty);
    MPI_Aint hds[3] = {4, 24, 8 * sizeof(int) + 2 * sizeof(int)};
    int hbl[3] = {2, 1, 3};
    MPI_Type_create_hindexed(3, hbl, hds, MPI_INT, &hidx);
    int bds[4] = {9, 1, 5, 13};
    MPI_Type_create_indexed_block(4, 2, bds, MPI_INT, &iblk);
    int bdsn[3] = {0, -3, 3};
    MPI_Type_create_indexed_block(3, 1, bdsn, MPI_INT, &iblk_neg);
    MPI_Aint hbds[3] = {40, 0, 20};
    MPI_Type_create_hindexed_block(3, 3, hbds, MPI_INT, &hiblk);
    MPI_Datatype vec;
    MPI_Type_vector(2, 1, 3, MPI_INT, &vec); /* x..x, extent 4 ints */
    int vbl[2] = {2, 1}, vds[2] = {0, 10};
    MPI_Type_indexed(2, vbl, vds, vec, &idx_of_vec); /* displacements in units of vec's extent */
    MPI_Aint hds2[2] = {0, 30 * sizeof(int)};
    int hbl2[2] = {1, 1};
    MPI_Type_create_hindexed(2, hbl2, hds2, idx, &hidx_of_idx);

    MPI_Datatype all[] = {idx, idx_unordered, idx_neg, idx_empty, hidx, iblk, iblk_neg, hiblk, idx_of_vec, hidx_of_idx};
    const char *names[] = {"indexed", "indexed_unordered", "indexed_negative", "indexed_empty_blocks", "hindexed",
                           "indexed_block", "indexed_block_negative", "hindexed_block", "indexed_of_vector",
                           "hindexed_of_indexed"};
    int nt = sizeof all / sizeof all[0];
    for (int t = 0; t < nt; t++) {
        MPI_Type_commit(&all[t]);
        describe(names[t], all[t]);
    }

    ring("indexed", idx, 1, 0);
    ring("indexed", idx, 3, 2); /* elements 19 ints apart */
    ring("indexed_unordered", idx_unordered, 2, 0);
    ring("indexed_negative", idx_neg, 1, 10);
    ring("indexed_negative", idx_neg, 3, 10);
    ring("indexed_empty_blocks", idx_empty, 2, 0);
    ring("hindexed", hidx, 2, 0);
    ring("indexed_block", iblk, 1, 0);
    ring("indexed_block", iblk, 2, 30);
    ring("indexed_block_negative", iblk_neg, 4, 10);
    ring("hindexed_block", hiblk, 1, 1);
    ring("indexed_of_vector", idx_of_vec, 1, 0);
    ring("hindexed_of_indexed", hidx_of_idx, 1, 3);
    ring("hindexed_of_indexed", hidx_of_idx, 0, 3);

    order("indexed_unordered", idx_unordered, 0);
    order("indexed_negative", idx_neg, 10);
    order("indexed_block", iblk, 0);
    order("hindexed_block", hiblk, 0);
    order("indexed_of_vector", idx_of_vec, 0);

    /* Contiguous ints scattered into an indexed layout, partially: 5 of 10 ints. */
    int five[5] = {1, 2, 3, 4, 5}, dst[LEN];
    for (int i = 0; i < LEN; i++) dst[i] = 0;
    MPI_Status st;
    MPI_Sendrecv(five, 5, MPI_INT, peer, 3, dst, 1, idx, from, 3, MPI_COMM_WORLD, &st);
    int cnt, el;
    MPI_Get_count(&st, idx, &cnt);
    MPI_Get_elements(&st, idx, &el);
    printf("rank %d partial indexed: count %s elements %d cells", rank, cnt == MPI_UNDEFINED ? "UNDEFINED" : "?", el);
    for (int i = 0; i < 20; i++) printf(" %d", dst[i]);
    printf("\n");

    /* Gather one indexed element from every rank into contiguous ints at rank 0. */
    int mine[LEN], all_ints[7 * 10];
    for (int i = 0; i < LEN; i++) mine[i] = rank * 100 + i;
    MPI_Gather(mine, 1, idx, all_ints, 10, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("gather indexed:");
        for (int i = 0; i < 10 * size; i++) printf(" %d", all_ints[i]);
        printf("\n");
    }

    for (int t = 0; t < nt; t++) MPI_Type_free(&all[t]);
    MPI_Type_free(&vec);
    printf("rank %d: done type_indexed\n", rank);
    MPI_Finalize();
    return 0;
}

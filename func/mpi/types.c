/* Derived datatypes: contiguous, vector, hvector, indexed, hindexed,
 * indexed_block, hindexed_block, struct (with Get_address), subarray, resized,
 * dup, commit, free, size, extents, names; used in Sendrecv and Bcast; Pack/Unpack/Pack_size; Get_elements on a struct type. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#define N 6

struct particle { double x, y; int id; char tag; };

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int peer = (rank + 1) % size, from = (rank + size - 1) % size;
    int m[N][N], got[N][N];
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) m[i][j] = rank * 100 + i * N + j;

    /* A column of the matrix: vector(count N, block 1, stride N). */
    MPI_Datatype col, rowpair, hcol, idx, hidx, blk, hblk, sub, colr, dupt;
    MPI_Type_vector(N, 1, N, MPI_INT, &col);
    MPI_Type_commit(&col);
    MPI_Type_contiguous(2 * N, MPI_INT, &rowpair);
    MPI_Type_commit(&rowpair);
    MPI_Type_create_hvector(N, 1, N * sizeof(int), MPI_INT, &hcol);
    MPI_Type_commit(&hcol);
    int bl[3] = {1, 2, 3}, ds[3] = {0, 7, 20};
    MPI_Type_indexed(3, bl, ds, MPI_INT, &idx);
    MPI_Type_commit(&idx);
    MPI_Aint hds[3] = {0, 7 * sizeof(int), 20 * sizeof(int)};
    MPI_Type_create_hindexed(3, bl, hds, MPI_INT, &hidx);
    MPI_Type_commit(&hidx);
    int bds[3] = {1, 9, 30};
    MPI_Type_create_indexed_block(3, 2, bds, MPI_INT, &blk);
    MPI_Type_commit(&blk);
    MPI_Aint hbds[3] = {4, 36, 120};
    MPI_Type_create_hindexed_block(3, 2, hbds, MPI_INT, &hblk);
    MPI_Type_commit(&hblk);
    int sizes[2] = {N, N}, subs[2] = {2, 3}, starts[2] = {1, 2};
    MPI_Type_create_subarray(2, sizes, subs, starts, MPI_ORDER_C, MPI_INT, &sub);
    MPI_Type_commit(&sub);
    MPI_Type_create_resized(col, 0, sizeof(int), &colr);
    MPI_Type_commit(&colr);
    MPI_Type_dup(sub, &dupt);

    MPI_Datatype all[10] = {col, rowpair, hcol, idx, hidx, blk, hblk, sub, colr, dupt};
    const char *names[10] = {"vector", "contiguous", "hvector", "indexed", "hindexed", "indexed_block",
                             "hindexed_block", "subarray", "resized", "dup"};
    for (int t = 0; t < 10; t++) {
        int sz;
        MPI_Aint lb, ext, tlb, text;
        MPI_Type_size(all[t], &sz);
        MPI_Type_get_extent(all[t], &lb, &ext);
        MPI_Type_get_true_extent(all[t], &tlb, &text);
        if (rank == 0) printf("%s: size %d lb %ld extent %ld true_lb %ld true_extent %ld\n", names[t], sz, (long)lb,
                              (long)ext, (long)tlb, (long)text);
        /* Send one element of the type around the ring, receive into the same layout. */
        memset(got, 0xff, sizeof got);
        MPI_Sendrecv(m, 1, all[t], peer, t, got, 1, all[t], from, t, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        long sum = 0;
        int touched = 0;
        for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) if (got[i][j] != -1) { sum += got[i][j]; touched++; }
        printf("%s rank %d: touched %d sum %ld\n", names[t], rank, touched, sum);
    }

    /* Two resized columns interleave: receive 3 columns starting at column 1. */
    memset(got, 0, sizeof got);
    if (rank == 0) for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) m[i][j] = i * N + j;
    MPI_Bcast(&m[0][1], 3, colr, 0, MPI_COMM_WORLD);
    long csum = 0;
    for (int i = 0; i < N; i++) for (int j = 1; j < 4; j++) csum += m[i][j];
    printf("bcast resized columns rank %d: %ld\n", rank, csum);

    /* Struct with Get_address. */
    struct particle p[2], q[2];
    MPI_Aint base, ax, aid, atag;
    MPI_Get_address(&p[0], &base);
    MPI_Get_address(&p[0].x, &ax);
    MPI_Get_address(&p[0].id, &aid);
    MPI_Get_address(&p[0].tag, &atag);
    int sbl[3] = {2, 1, 1};
    MPI_Aint sds[3] = {ax - base, aid - base, atag - base};
    MPI_Datatype sty[3] = {MPI_DOUBLE, MPI_INT, MPI_CHAR}, ptype, ptype2;
    MPI_Type_create_struct(3, sbl, sds, sty, &ptype);
    MPI_Type_create_resized(ptype, 0, sizeof(struct particle), &ptype2);
    MPI_Type_commit(&ptype2);
    MPI_Type_set_name(ptype2, "particle");
    char tname[MPI_MAX_OBJECT_NAME];
    int tlen;
    MPI_Type_get_name(ptype2, tname, &tlen);
    for (int i = 0; i < 2; i++) { p[i].x = rank + i; p[i].y = -rank - i; p[i].id = 10 * rank + i; p[i].tag = 'a' + rank + i; }
    MPI_Status st;
    MPI_Sendrecv(p, 2, ptype2, peer, 50, q, 2, ptype2, from, 50, MPI_COMM_WORLD, &st);
    int elems, cnt;
    MPI_Get_elements(&st, ptype2, &elems);
    MPI_Get_count(&st, ptype2, &cnt);
    printf("struct rank %d: %s(%d) got %g %g %d %c / %g %d %c count %d elements %d\n", rank, tname, tlen, q[0].x, q[0].y,
           q[0].id, q[0].tag, q[1].x, q[1].id, q[1].tag, cnt, elems);

    /* Pack and unpack: an int, a column, a double. */
    char packbuf[512];
    int pos = 0, psize, one = 42 + rank;
    double dd = 2.5 * rank;
    MPI_Pack_size(1, col, MPI_COMM_WORLD, &psize);
    MPI_Pack(&one, 1, MPI_INT, packbuf, sizeof packbuf, &pos, MPI_COMM_WORLD);
    MPI_Pack(m, 1, col, packbuf, sizeof packbuf, &pos, MPI_COMM_WORLD);
    MPI_Pack(&dd, 1, MPI_DOUBLE, packbuf, sizeof packbuf, &pos, MPI_COMM_WORLD);
    char recvpack[512];
    MPI_Sendrecv(packbuf, pos, MPI_PACKED, peer, 60, recvpack, sizeof recvpack, MPI_PACKED, from, 60, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    int upos = 0, uone, ucol[N];
    double udd;
    MPI_Unpack(recvpack, sizeof recvpack, &upos, &uone, 1, MPI_INT, MPI_COMM_WORLD);
    MPI_Unpack(recvpack, sizeof recvpack, &upos, ucol, N, MPI_INT, MPI_COMM_WORLD);
    MPI_Unpack(recvpack, sizeof recvpack, &upos, &udd, 1, MPI_DOUBLE, MPI_COMM_WORLD);
    printf("pack rank %d: size %d packed %d got %d col %d..%d %g unpacked %d\n", rank, psize, pos, uone, ucol[0],
           ucol[N - 1], udd, upos);

    for (int t = 0; t < 10; t++) MPI_Type_free(&all[t]);
    MPI_Type_free(&ptype);
    MPI_Type_free(&ptype2);
    printf("freed rank %d: %d\n", rank, all[0] == MPI_DATATYPE_NULL && ptype2 == MPI_DATATYPE_NULL);
    MPI_Finalize();
    return 0;
}

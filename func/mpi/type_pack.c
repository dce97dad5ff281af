/* MPI_Pack, MPI_Unpack and MPI_Pack_size: mixed data (ints, doubles, a string,
 * a vector type, a struct type) packed into one buffer and sent as MPI_PACKED,
 * unpacked on the receiver in the same order; Get_count in MPI_PACKED; typed
 * messages received as MPI_PACKED and packed messages received typed; packing
 * at a nonzero starting position; zero counts; Bcast of a packed buffer. */
#include <mpi.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct item { int id; double w; char c; };

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int peer = (rank + 1) % size, from = (rank + size - 1) % size;

    MPI_Datatype col_raw, col, item_raw, item_t;
    MPI_Type_vector(4, 1, 4, MPI_INT, &col_raw);
    MPI_Type_create_resized(col_raw, 0, sizeof(int), &col); /* consecutive columns */
    MPI_Type_commit(&col);
    int ibl[3] = {1, 1, 1};
    MPI_Aint ids[3] = {offsetof(struct item, id), offsetof(struct item, w), offsetof(struct item, c)};
    MPI_Datatype ity[3] = {MPI_INT, MPI_DOUBLE, MPI_CHAR};
    MPI_Type_create_struct(3, ibl, ids, ity, &item_raw);
    MPI_Type_create_resized(item_raw, 0, sizeof(struct item), &item_t);
    MPI_Type_commit(&item_t);

    /* Pack sizes. */
    int ps_int, ps_dbl, ps_char, ps_col, ps_item, ps_zero;
    MPI_Pack_size(3, MPI_INT, MPI_COMM_WORLD, &ps_int);
    MPI_Pack_size(2, MPI_DOUBLE, MPI_COMM_WORLD, &ps_dbl);
    MPI_Pack_size(10, MPI_CHAR, MPI_COMM_WORLD, &ps_char);
    MPI_Pack_size(2, col, MPI_COMM_WORLD, &ps_col);
    MPI_Pack_size(2, item_t, MPI_COMM_WORLD, &ps_item);
    MPI_Pack_size(0, MPI_DOUBLE, MPI_COMM_WORLD, &ps_zero);
    int total = ps_int + ps_dbl + ps_char + ps_col + ps_item;
    if (rank == 0)
        printf("pack sizes: 3 int %d, 2 double %d, 10 char %d, 2 column %d, 2 item %d, 0 double %d\n", ps_int, ps_dbl,
               ps_char, ps_col, ps_item, ps_zero);

    /* Pack: a count, doubles, a string, two matrix columns, two structs. */
    int hdr[3] = {rank, 3, -rank};
    double dv[2] = {rank * 1.5, -0.25};
    char str[10];
    snprintf(str, sizeof str, "rank%d", rank);
    int mat[4][4];
    for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) mat[i][j] = rank * 100 + i * 4 + j;
    struct item items[2] = {{rank, rank + 0.125, 'p'}, {rank + 10, -2.5, 'q'}};
    char buf[512];
    int pos = 0;
    MPI_Pack(hdr, 3, MPI_INT, buf, sizeof buf, &pos, MPI_COMM_WORLD);
    int after_int = pos;
    MPI_Pack(dv, 2, MPI_DOUBLE, buf, sizeof buf, &pos, MPI_COMM_WORLD);
    int after_dbl = pos;
    MPI_Pack(str, 10, MPI_CHAR, buf, sizeof buf, &pos, MPI_COMM_WORLD);
    MPI_Pack(dv, 0, MPI_DOUBLE, buf, sizeof buf, &pos, MPI_COMM_WORLD); /* packs nothing */
    int after_str = pos;
    MPI_Pack(mat, 2, col, buf, sizeof buf, &pos, MPI_COMM_WORLD);     /* columns 0 and 1 */
    int after_col = pos;
    MPI_Pack(items, 2, item_t, buf, sizeof buf, &pos, MPI_COMM_WORLD);
    printf("rank %d positions: %d %d %d %d %d within pack_size total %d\n", rank, after_int, after_dbl, after_str,
           after_col, pos, pos <= total);

    /* Send as MPI_PACKED, receive as MPI_PACKED and unpack. */
    char rbuf[512];
    MPI_Status st;
    MPI_Sendrecv(buf, pos, MPI_PACKED, peer, 1, rbuf, sizeof rbuf, MPI_PACKED, from, 1, MPI_COMM_WORLD, &st);
    int got;
    MPI_Get_count(&st, MPI_PACKED, &got);
    int uhdr[3], umat[4][4];
    double udv[2];
    char ustr[10];
    struct item uitems[2];
    memset(umat, 0, sizeof umat);
    memset(uitems, 0, sizeof uitems);
    int upos = 0;
    MPI_Unpack(rbuf, got, &upos, uhdr, 3, MPI_INT, MPI_COMM_WORLD);
    MPI_Unpack(rbuf, got, &upos, udv, 2, MPI_DOUBLE, MPI_COMM_WORLD);
    MPI_Unpack(rbuf, got, &upos, ustr, 10, MPI_CHAR, MPI_COMM_WORLD);
    MPI_Unpack(rbuf, got, &upos, umat, 2, col, MPI_COMM_WORLD);
    MPI_Unpack(rbuf, got, &upos, uitems, 2, item_t, MPI_COMM_WORLD);
    printf("rank %d unpacked (%d bytes, pos %d): hdr %d %d %d dbl %g %g str %s items {%d %g %c} {%d %g %c}\n", rank, got,
           upos, uhdr[0], uhdr[1], uhdr[2], udv[0], udv[1], ustr, uitems[0].id, uitems[0].w, uitems[0].c, uitems[1].id,
           uitems[1].w, uitems[1].c);
    printf("rank %d unpacked columns:", rank);
    for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) if (umat[i][j]) printf(" [%d][%d]=%d", i, j, umat[i][j]);
    printf("\n");

    /* Unpacking a column into contiguous ints: the packed form is type-independent. */
    int flat[8];
    upos = after_str;
    MPI_Unpack(buf, pos, &upos, flat, 8, MPI_INT, MPI_COMM_WORLD);
    printf("rank %d columns as ints:", rank);
    for (int i = 0; i < 8; i++) printf(" %d", flat[i]);
    printf(" pos %d\n", upos);

    /* Typed send, packed receive; packed send, typed receive. */
    int typed[5] = {rank, rank * 2, rank * 3, rank * 4, rank * 5}, typed_got[5];
    MPI_Sendrecv(typed, 5, MPI_INT, peer, 2, rbuf, sizeof rbuf, MPI_PACKED, from, 2, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_PACKED, &got);
    upos = 0;
    MPI_Unpack(rbuf, got, &upos, typed_got, 5, MPI_INT, MPI_COMM_WORLD);
    printf("rank %d typed->packed: %d bytes %d %d %d %d %d\n", rank, got, typed_got[0], typed_got[1], typed_got[2],
           typed_got[3], typed_got[4]);
    pos = 0;
    MPI_Pack(&items[0], 1, item_t, buf, sizeof buf, &pos, MPI_COMM_WORLD);
    MPI_Pack(&items[1], 1, item_t, buf, sizeof buf, &pos, MPI_COMM_WORLD);
    memset(uitems, 0, sizeof uitems);
    MPI_Sendrecv(buf, pos, MPI_PACKED, peer, 3, uitems, 2, item_t, from, 3, MPI_COMM_WORLD, &st);
    int cnt;
    MPI_Get_count(&st, item_t, &cnt);
    printf("rank %d packed->typed: count %d {%d %g %c} {%d %g %c}\n", rank, cnt, uitems[0].id, uitems[0].w,
           uitems[0].c, uitems[1].id, uitems[1].w, uitems[1].c);

    /* Packing after a caller-chosen header at a nonzero position. */
    memset(buf, 0, sizeof buf);
    strcpy(buf, "HDR");
    pos = 4;
    int vals[2] = {7 * rank, 8 * rank};
    MPI_Pack(vals, 2, MPI_INT, buf, sizeof buf, &pos, MPI_COMM_WORLD);
    int vals_got[2];
    upos = 4;
    MPI_Unpack(buf, pos, &upos, vals_got, 2, MPI_INT, MPI_COMM_WORLD);
    printf("rank %d offset pack: %s pos %d upos %d values %d %d\n", rank, buf, pos, upos, vals_got[0], vals_got[1]);

    /* Root packs a description, everyone unpacks it after a Bcast of the size and bytes. */
    int n = 0;
    char bb[256];
    if (rank == 0) {
        int k = 4;
        double arr[4] = {1.0, 2.0, 4.0, 8.0};
        MPI_Pack(&k, 1, MPI_INT, bb, sizeof bb, &n, MPI_COMM_WORLD);
        MPI_Pack(arr, k, MPI_DOUBLE, bb, sizeof bb, &n, MPI_COMM_WORLD);
    }
    MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Bcast(bb, n, MPI_PACKED, 0, MPI_COMM_WORLD);
    int k;
    double arr[4];
    upos = 0;
    MPI_Unpack(bb, n, &upos, &k, 1, MPI_INT, MPI_COMM_WORLD);
    MPI_Unpack(bb, n, &upos, arr, k, MPI_DOUBLE, MPI_COMM_WORLD);
    printf("rank %d bcast packed: %d bytes k %d sum %g\n", rank, n, k, arr[0] + arr[1] + arr[2] + arr[3]);

    MPI_Type_free(&col);
    MPI_Type_free(&col_raw);
    MPI_Type_free(&item_raw);
    MPI_Type_free(&item_t);
    printf("rank %d: done type_pack\n", rank);
    MPI_Finalize();
    return 0;
}

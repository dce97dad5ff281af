/* User-defined reduction operations (MPI_Op_create): a commutative one on MPI_INT,
 * a non-commutative "first operand" one on MPI_INT, and a non-commutative 2x2 matrix
 * product (mod a prime) on a derived datatype (contiguous of 4 ints), used in
 * Reduce (every root), Allreduce (and in place), Reduce_local, Scan, Exscan and
 * Reduce_scatter_block; MPI_Op_commutative; MPI_Op_free. For a non-commutative op
 * MPI combines in rank order, so the matrix results are products in rank order. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define P 10007

static MPI_Datatype mat_type;
static int bad_type_calls;

/* Commutative: inout = max(|in|, |inout|) + 0 (absolute maximum), elementwise. */
static void absmax(void *in, void *inout, int *len, MPI_Datatype *dt) {
    int *a = in, *b = inout;
    if (*dt != MPI_INT) bad_type_calls++;
    for (int i = 0; i < *len; i++) {
        int x = abs(a[i]), y = abs(b[i]);
        b[i] = x > y ? x : y;
    }
}

/* Non-commutative and associative: the result is the earlier operand. */
static void first(void *in, void *inout, int *len, MPI_Datatype *dt) {
    int *a = in, *b = inout;
    if (*dt != MPI_INT) bad_type_calls++;
    for (int i = 0; i < *len; i++) b[i] = a[i];
}

/* Non-commutative: inout = in * inout for 2x2 matrices stored row-major, mod P. */
static void matmul(void *in, void *inout, int *len, MPI_Datatype *dt) {
    int *a = in, *b = inout;
    if (*dt != mat_type) bad_type_calls++;
    for (int k = 0; k < *len; k++, a += 4, b += 4) {
        int c[4];
        c[0] = (a[0] * b[0] + a[1] * b[2]) % P;
        c[1] = (a[0] * b[1] + a[1] * b[3]) % P;
        c[2] = (a[2] * b[0] + a[3] * b[2]) % P;
        c[3] = (a[2] * b[1] + a[3] * b[3]) % P;
        for (int i = 0; i < 4; i++) b[i] = c[i];
    }
}

/* Rank r's k-th matrix: not triangular, so products in different orders differ. */
static void my_mat(int *m, int r, int k) {
    m[0] = 1 + k;
    m[1] = r + 1;
    m[2] = (2 * r + k) % 5;
    m[3] = 1;
}

/* The expected product over ranks lo..hi-1 of matrix k, computed locally. */
static void expect(int *m, int lo, int hi, int k) {
    int len = 1;
    m[0] = 1, m[1] = 0, m[2] = 0, m[3] = 1;
    for (int r = hi - 1; r >= lo; r--) {
        int a[4];
        my_mat(a, r, k);
        matmul(a, m, &len, &mat_type);
    }
}

static void print_mats(const char *what, int rank, const int *m, int n) {
    printf("%s rank %d:", what, rank);
    for (int k = 0; k < n; k++) printf(" [%d %d %d %d]", m[4 * k], m[4 * k + 1], m[4 * k + 2], m[4 * k + 3]);
    printf("\n");
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Type_contiguous(4, MPI_INT, &mat_type);
    MPI_Type_commit(&mat_type);

    MPI_Op op_absmax, op_first, op_mat;
    MPI_Op_create(absmax, 1, &op_absmax);
    MPI_Op_create(first, 0, &op_first);
    MPI_Op_create(matmul, 0, &op_mat);
    int c1, c2, c3, c4;
    MPI_Op_commutative(op_absmax, &c1);
    MPI_Op_commutative(op_first, &c2);
    MPI_Op_commutative(op_mat, &c3);
    MPI_Op_commutative(MPI_SUM, &c4);
    printf("commutative rank %d: absmax %d first %d matmul %d sum %d\n", rank, c1, c2, c3, c4);

    /* Commutative user op: Reduce at every root, Allreduce, in place. */
    int v[3] = {(rank % 2 ? -1 : 1) * (rank * 3 + 1), 5 - rank, rank == size / 2 ? -100 : rank};
    for (int root = 0; root < size; root++) {
        int r[3] = {0, 0, 0};
        MPI_Reduce(v, r, 3, MPI_INT, op_absmax, root, MPI_COMM_WORLD);
        if (rank == root) printf("absmax reduce root %d: %d %d %d\n", root, r[0], r[1], r[2]);
    }
    int a[3];
    MPI_Allreduce(v, a, 3, MPI_INT, op_absmax, MPI_COMM_WORLD);
    int ip[3] = {v[0], v[1], v[2]};
    MPI_Allreduce(MPI_IN_PLACE, ip, 3, MPI_INT, op_absmax, MPI_COMM_WORLD);
    printf("absmax allreduce rank %d: %d %d %d in place %d %d %d\n", rank, a[0], a[1], a[2], ip[0], ip[1], ip[2]);

    /* "first": reduce gives rank 0's value, scan gives rank 0's everywhere, exscan
     * too (except on rank 0, where it is undefined). */
    {
        int mine[2] = {rank + 10, -rank}, r[2] = {-1, -1}, s[2], e[2] = {-7, -7};
        MPI_Reduce(mine, r, 2, MPI_INT, op_first, size - 1, MPI_COMM_WORLD);
        MPI_Scan(mine, s, 2, MPI_INT, op_first, MPI_COMM_WORLD);
        MPI_Exscan(mine, e, 2, MPI_INT, op_first, MPI_COMM_WORLD);
        if (rank == 0) e[0] = e[1] = -7;
        printf("first rank %d: reduce %d %d scan %d %d exscan %d %d\n", rank, r[0], r[1], s[0], s[1], e[0], e[1]);
        int all[2];
        MPI_Allreduce(mine, all, 2, MPI_INT, op_first, MPI_COMM_WORLD);
        printf("first allreduce rank %d: %d %d\n", rank, all[0], all[1]);
    }

    /* Matrix product on the derived type: 3 matrices per rank. */
    enum { K = 3 };
    int m[4 * K], out[4 * K], want[4 * K];
    for (int k = 0; k < K; k++) my_mat(&m[4 * k], rank, k);
    for (int k = 0; k < K; k++) expect(&want[4 * k], 0, size, k);
    for (int root = 0; root < size; root++) {
        for (int i = 0; i < 4 * K; i++) out[i] = -1;
        MPI_Reduce(m, out, K, mat_type, op_mat, root, MPI_COMM_WORLD);
        if (rank == root) {
            int ok = 1;
            for (int i = 0; i < 4 * K; i++) ok &= out[i] == want[i];
            print_mats("matmul reduce", rank, out, K);
            printf("matmul reduce root %d: in rank order %d\n", root, ok);
        }
    }
    /* In place at the root. */
    {
        int root = size / 2, buf[4 * K];
        for (int i = 0; i < 4 * K; i++) buf[i] = m[i];
        if (rank == root) MPI_Reduce(MPI_IN_PLACE, buf, K, mat_type, op_mat, root, MPI_COMM_WORLD);
        else MPI_Reduce(buf, NULL, K, mat_type, op_mat, root, MPI_COMM_WORLD);
        if (rank == root) print_mats("matmul reduce in place", rank, buf, K);
    }
    MPI_Allreduce(m, out, K, mat_type, op_mat, MPI_COMM_WORLD);
    print_mats("matmul allreduce", rank, out, K);
    {
        int buf[4 * K];
        for (int i = 0; i < 4 * K; i++) buf[i] = m[i];
        MPI_Allreduce(MPI_IN_PLACE, buf, K, mat_type, op_mat, MPI_COMM_WORLD);
        int same = 1;
        for (int i = 0; i < 4 * K; i++) same &= buf[i] == out[i];
        printf("matmul allreduce in place rank %d: same %d\n", rank, same);
    }

    /* Scan: product of ranks 0..rank; Exscan: of ranks 0..rank-1. */
    MPI_Scan(m, out, K, mat_type, op_mat, MPI_COMM_WORLD);
    {
        int ok = 1;
        for (int k = 0; k < K; k++) {
            expect(want, 0, rank + 1, k);
            for (int i = 0; i < 4; i++) ok &= out[4 * k + i] == want[i];
        }
        print_mats("matmul scan", rank, out, K);
        printf("matmul scan rank %d: in rank order %d\n", rank, ok);
    }
    {
        int buf[4 * K];
        for (int i = 0; i < 4 * K; i++) buf[i] = m[i];
        MPI_Scan(MPI_IN_PLACE, buf, K, mat_type, op_mat, MPI_COMM_WORLD);
        int same = 1;
        for (int i = 0; i < 4 * K; i++) same &= buf[i] == out[i];
        printf("matmul scan in place rank %d: same %d\n", rank, same);
    }
    MPI_Exscan(m, out, K, mat_type, op_mat, MPI_COMM_WORLD);
    if (rank > 0) {
        int ok = 1;
        for (int k = 0; k < K; k++) {
            expect(want, 0, rank, k);
            for (int i = 0; i < 4; i++) ok &= out[4 * k + i] == want[i];
        }
        print_mats("matmul exscan", rank, out, K);
        printf("matmul exscan rank %d: in rank order %d\n", rank, ok);
    }

    /* Reduce_scatter_block: rank i gets the product over ranks of block i. */
    {
        int *blocks = malloc(sizeof(int) * 4 * size), got[4];
        for (int b = 0; b < size; b++) my_mat(&blocks[4 * b], rank, b);
        MPI_Reduce_scatter_block(blocks, got, 1, mat_type, op_mat, MPI_COMM_WORLD);
        expect(want, 0, size, rank);
        int ok = 1;
        for (int i = 0; i < 4; i++) ok &= got[i] == want[i];
        print_mats("matmul reduce_scatter_block", rank, got, 1);
        printf("matmul reduce_scatter_block rank %d: in rank order %d\n", rank, ok);
        free(blocks);
    }

    /* Reduce_local: inoutbuf = inbuf op inoutbuf. */
    {
        int x[4] = {1, 2, 3, 4}, y[4] = {0, 1, 1, 0};
        MPI_Reduce_local(x, y, 1, mat_type, op_mat);
        int p[2] = {3, -9}, q[2] = {-4, 8};
        MPI_Reduce_local(p, q, 2, MPI_INT, op_absmax);
        int f[1] = {11}, g[1] = {22};
        MPI_Reduce_local(f, g, 1, MPI_INT, op_first);
        printf("reduce_local rank %d: [%d %d %d %d] %d %d %d\n", rank, y[0], y[1], y[2], y[3], q[0], q[1], g[0]);
    }

    MPI_Op_free(&op_absmax);
    MPI_Op_free(&op_first);
    MPI_Op_free(&op_mat);
    printf("op_free rank %d: null %d %d %d bad type calls %d\n", rank, op_absmax == MPI_OP_NULL,
           op_first == MPI_OP_NULL, op_mat == MPI_OP_NULL, bad_type_calls);
    MPI_Type_free(&mat_type);
    printf("rank %d: done op_user\n", rank);
    MPI_Finalize();
    return 0;
}

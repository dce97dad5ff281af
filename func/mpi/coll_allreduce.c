/* MPI_Allreduce: SUM PROD MIN MAX on int, unsigned long long, float and double,
 * with separate buffers and with MPI_IN_PLACE (which must agree), a 50000-element
 * vector, 40000-element ones (one in place),
 * a zero count, repeated calls feeding results back in, and split
 * communicators. Every rank prints its results, so all ranks must agree. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define N 3
#define LONGVEC 50000

static const char *opname(MPI_Op op) {
    return op == MPI_SUM ? "SUM" : op == MPI_PROD ? "PROD" : op == MPI_MIN ? "MIN" : "MAX";
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Op ops[4] = {MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX};

    for (int o = 0; o < 4; o++) {
        int iv[N], ir[N], ii[N];
        unsigned long long uv[N], ur[N], ui[N];
        float fv[N], fr[N], fi[N];
        double dv[N], dr[N], di[N];
        for (int i = 0; i < N; i++) {
            ii[i] = iv[i] = (rank + 2) * (i == 1 ? -1 : 1) + i;
            ui[i] = uv[i] = ops[o] == MPI_PROD ? (unsigned long long)(rank + 3 + i) : (1ULL << 40) * (rank + 1) + i;
            fi[i] = fv[i] = (float)((rank % 4) * 0.5 - 1 + i);
            di[i] = dv[i] = (rank % 5) * 0.25 - i;
        }
        MPI_Allreduce(iv, ir, N, MPI_INT, ops[o], MPI_COMM_WORLD);
        MPI_Allreduce(uv, ur, N, MPI_UNSIGNED_LONG_LONG, ops[o], MPI_COMM_WORLD);
        MPI_Allreduce(fv, fr, N, MPI_FLOAT, ops[o], MPI_COMM_WORLD);
        MPI_Allreduce(dv, dr, N, MPI_DOUBLE, ops[o], MPI_COMM_WORLD);
        MPI_Allreduce(MPI_IN_PLACE, ii, N, MPI_INT, ops[o], MPI_COMM_WORLD);
        MPI_Allreduce(MPI_IN_PLACE, ui, N, MPI_UNSIGNED_LONG_LONG, ops[o], MPI_COMM_WORLD);
        MPI_Allreduce(MPI_IN_PLACE, fi, N, MPI_FLOAT, ops[o], MPI_COMM_WORLD);
        MPI_Allreduce(MPI_IN_PLACE, di, N, MPI_DOUBLE, ops[o], MPI_COMM_WORLD);
        int same = 1;
        for (int i = 0; i < N; i++) same &= ir[i] == ii[i] && ur[i] == ui[i] && fr[i] == fi[i] && dr[i] == di[i];
        printf("%s rank %d: int %d %d %d ull %llu %llu %llu float %.6g %.6g %.6g double %.6g %.6g %.6g in place same %d\n",
               opname(ops[o]), rank, ir[0], ir[1], ir[2], ur[0], ur[1], ur[2], fr[0], fr[1], fr[2], dr[0], dr[1], dr[2],
               same);
    }

    /* A long vector, separate and in place. */
    {
        int *a = malloc(LONGVEC * sizeof(int)), *b = malloc(LONGVEC * sizeof(int));
        for (int i = 0; i < LONGVEC; i++) a[i] = (i % 7) + rank * (i % 3);
        MPI_Allreduce(a, b, LONGVEC, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        MPI_Allreduce(MPI_IN_PLACE, a, LONGVEC, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        long long s = 0, m = 0;
        int bad = 0, rs = size * (size - 1) / 2;
        for (int i = 0; i < LONGVEC; i++) {
            s += b[i];
            m += a[i];
            bad += b[i] != size * (i % 7) + rs * (i % 3) || a[i] != i % 7;
        }
        printf("long vector rank %d: sum %lld min sum %lld wrong %d\n", rank, s, m, bad);
        free(a);
        free(b);
    }

    /* Zero count leaves the receive buffer alone. */
    {
        int x = 3, y = 77;
        MPI_Allreduce(&x, &y, 0, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        printf("zero rank %d: %d\n", rank, y);
    }

    /* Iterate: x <- allreduce_sum(x) / size + rank (integers). */
    {
        long long x = rank;
        for (int it = 0; it < 5; it++) {
            long long s;
            MPI_Allreduce(&x, &s, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
            x = s + rank;
        }
        printf("iterate rank %d: %lld\n", rank, x);
    }

    /* Split communicators: low and high halves. */
    {
        MPI_Comm half;
        MPI_Comm_split(MPI_COMM_WORLD, rank < size / 2, rank, &half);
        int v = 1 << rank, s, m;
        MPI_Allreduce(&v, &s, 1, MPI_INT, MPI_SUM, half);
        MPI_Allreduce(&rank, &m, 1, MPI_INT, MPI_MAX, half);
        printf("half rank %d: sum %d max rank %d\n", rank, s, m);
        MPI_Comm_free(&half);
    }

    /* Large (above the eager limit): 40000 doubles holding small integers
     * (exact in any order) and 40000 ints, into a buffer and in place. */
    {
        int n = 40000, bad = 0;
        double *d = malloc(n * sizeof(double)), *ds = malloc(n * sizeof(double));
        int *iv = malloc(n * sizeof(int));
        for (int i = 0; i < n; i++) {
            d[i] = (double)((i % 97) * (rank + 1));
            iv[i] = i + rank;
        }
        MPI_Allreduce(d, ds, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        MPI_Allreduce(MPI_IN_PLACE, iv, n, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        for (int i = 0; i < n; i++) {
            bad += ds[i] != (double)((i % 97) * (size * (size + 1) / 2));
            bad += iv[i] != i + size - 1;
        }
        printf("large rank %d: wrong %d\n", rank, bad);
        free(d);
        free(ds);
        free(iv);
    }

    printf("rank %d: done coll_allreduce\n", rank);
    MPI_Finalize();
    return 0;
}

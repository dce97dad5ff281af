/* MPI_Reduce at every root: SUM PROD MIN MAX on int, unsigned, long long and double
 * vectors, MPI_IN_PLACE at the root, non-roots passing a NULL receive buffer, a
 * 20000-element reduction, a zero count, and reductions on split communicators.
 * Values are exact integers (or halves), so any combining order gives one result. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define N 4
#define LONGVEC 20000

static const char *opname(MPI_Op op) {
    return op == MPI_SUM ? "SUM" : op == MPI_PROD ? "PROD" : op == MPI_MIN ? "MIN" : "MAX";
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Op ops[4] = {MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX};

    for (int root = 0; root < size; root++) {
        for (int o = 0; o < 4; o++) {
            int iv[N], ir[N];
            unsigned uv[N], ur[N];
            long long lv[N], lr[N];
            double dv[N], dr[N];
            for (int i = 0; i < N; i++) {
                iv[i] = (rank + 1) * (i % 2 ? -1 : 1) + i;
                uv[i] = (unsigned)(rank + 2 + i);
                /* products stay below 2^63 for 7 ranks; sums go beyond 2^32 */
                lv[i] = ops[o] == MPI_PROD ? 400 + rank * 10 - i : (long long)(rank + 1) * 1000000000000LL - i;
                dv[i] = (rank % 3) - 1.5 + i;
            }
            MPI_Reduce(iv, ir, N, MPI_INT, ops[o], root, MPI_COMM_WORLD);
            MPI_Reduce(uv, ur, N, MPI_UNSIGNED, ops[o], root, MPI_COMM_WORLD);
            MPI_Reduce(lv, lr, N, MPI_LONG_LONG, ops[o], root, MPI_COMM_WORLD);
            MPI_Reduce(dv, dr, N, MPI_DOUBLE, ops[o], root, MPI_COMM_WORLD);
            if (rank == root) {
                printf("root %d %s int", root, opname(ops[o]));
                for (int i = 0; i < N; i++) printf(" %d", ir[i]);
                printf(" unsigned");
                for (int i = 0; i < N; i++) printf(" %u", ur[i]);
                printf(" longlong");
                for (int i = 0; i < N; i++) printf(" %lld", lr[i]);
                printf(" double");
                for (int i = 0; i < N; i++) printf(" %.6g", dr[i]);
                printf("\n");
            }
        }
    }

    /* In place at the root, NULL receive buffers elsewhere. */
    for (int root = 0; root < size; root++) {
        int v[2] = {rank + 1, 100 - rank};
        if (rank == root) MPI_Reduce(MPI_IN_PLACE, v, 2, MPI_INT, MPI_SUM, root, MPI_COMM_WORLD);
        else MPI_Reduce(v, NULL, 2, MPI_INT, MPI_SUM, root, MPI_COMM_WORLD);
        double d = rank * 0.5;
        if (rank == root) MPI_Reduce(MPI_IN_PLACE, &d, 1, MPI_DOUBLE, MPI_MAX, root, MPI_COMM_WORLD);
        else MPI_Reduce(&d, NULL, 1, MPI_DOUBLE, MPI_MAX, root, MPI_COMM_WORLD);
        if (rank == root) printf("in place root %d: %d %d %g\n", root, v[0], v[1], d);
    }

    /* A long vector. */
    {
        int *a = malloc(LONGVEC * sizeof(int)), *b = malloc(LONGVEC * sizeof(int));
        for (int i = 0; i < LONGVEC; i++) a[i] = (i % 100) * (rank + 1) - rank;
        int root = size / 2;
        MPI_Reduce(a, b, LONGVEC, MPI_INT, MPI_SUM, root, MPI_COMM_WORLD);
        if (rank == root) {
            long long s = 0;
            int bad = 0, tri = size * (size + 1) / 2, rs = size * (size - 1) / 2;
            for (int i = 0; i < LONGVEC; i++) {
                s += b[i];
                bad += b[i] != (i % 100) * tri - rs;
            }
            printf("long vector root %d: sum %lld wrong %d\n", root, s, bad);
        }
        MPI_Reduce(a, b, LONGVEC, MPI_INT, MPI_MAX, 0, MPI_COMM_WORLD);
        if (rank == 0) printf("long vector max: %d %d %d\n", b[0], b[99], b[LONGVEC - 1]);
        free(a);
        free(b);
    }

    /* Zero count. */
    {
        int x = 1, y = 42;
        MPI_Reduce(&x, &y, 0, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
        if (rank == 0) printf("zero count: %d\n", y);
    }

    /* On communicators split into thirds; the root is the last member. */
    {
        MPI_Comm third;
        MPI_Comm_split(MPI_COMM_WORLD, rank % 3, rank, &third);
        int tr, ts;
        MPI_Comm_rank(third, &tr);
        MPI_Comm_size(third, &ts);
        int v = rank, s = -1, p = -1;
        MPI_Reduce(&v, &s, 1, MPI_INT, MPI_SUM, ts - 1, third);
        int w = rank + 1;
        MPI_Reduce(&w, &p, 1, MPI_INT, MPI_PROD, ts - 1, third);
        if (tr == ts - 1) printf("third %d (size %d) at world rank %d: sum %d prod %d\n", rank % 3, ts, rank, s, p);
        MPI_Comm_free(&third);
    }

    printf("rank %d: done coll_reduce\n", rank);
    MPI_Finalize();
    return 0;
}

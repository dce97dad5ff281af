/* MPI_Scan and MPI_Exscan: SUM PROD MIN MAX on int, long long and double vectors,
 * MPI_IN_PLACE for both, a long vector, and split communicators in reverse key
 * order. Exscan's result on rank 0 is undefined and is not printed. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define N 3

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
        int iv[N], is[N], ie[N], ip[N], iq[N];
        long long lv[N], ls[N], le[N];
        double dv[N], ds[N], de[N];
        for (int i = 0; i < N; i++) {
            ip[i] = iq[i] = iv[i] = (rank % 4 + 1) * (i == 1 ? -1 : 1) + i;
            lv[i] = ops[o] == MPI_PROD ? rank + 2 + i : ((long long)rank << 33) - i;
            dv[i] = (rank % 3) * 0.5 - i;
        }
        MPI_Scan(iv, is, N, MPI_INT, ops[o], MPI_COMM_WORLD);
        MPI_Exscan(iv, ie, N, MPI_INT, ops[o], MPI_COMM_WORLD);
        MPI_Scan(lv, ls, N, MPI_LONG_LONG, ops[o], MPI_COMM_WORLD);
        MPI_Exscan(lv, le, N, MPI_LONG_LONG, ops[o], MPI_COMM_WORLD);
        MPI_Scan(dv, ds, N, MPI_DOUBLE, ops[o], MPI_COMM_WORLD);
        MPI_Exscan(dv, de, N, MPI_DOUBLE, ops[o], MPI_COMM_WORLD);
        MPI_Scan(MPI_IN_PLACE, ip, N, MPI_INT, ops[o], MPI_COMM_WORLD);
        MPI_Exscan(MPI_IN_PLACE, iq, N, MPI_INT, ops[o], MPI_COMM_WORLD);
        int same = 1;
        for (int i = 0; i < N; i++) same &= ip[i] == is[i] && (rank == 0 || iq[i] == ie[i]);
        printf("%s scan rank %d: int %d %d %d longlong %lld %lld %lld double %.6g %.6g %.6g in place same %d\n",
               opname(ops[o]), rank, is[0], is[1], is[2], ls[0], ls[1], ls[2], ds[0], ds[1], ds[2], same);
        if (rank > 0)
            printf("%s exscan rank %d: int %d %d %d longlong %lld %lld %lld double %.6g %.6g %.6g\n", opname(ops[o]),
                   rank, ie[0], ie[1], ie[2], le[0], le[1], le[2], de[0], de[1], de[2]);
    }

    /* Long vector: prefix sums of i + rank. */
    {
        int n = 20000;
        int *a = malloc(n * sizeof(int)), *s = malloc(n * sizeof(int)), *e = malloc(n * sizeof(int));
        for (int i = 0; i < n; i++) a[i] = i % 1000 + rank;
        MPI_Scan(a, s, n, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        MPI_Exscan(a, e, n, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        int bad = 0, tri = rank * (rank + 1) / 2, tri0 = rank * (rank - 1) / 2;
        for (int i = 0; i < n; i++) {
            bad += s[i] != (rank + 1) * (i % 1000) + tri;
            if (rank > 0) bad += e[i] != rank * (i % 1000) + tri0;
        }
        printf("long rank %d: wrong %d\n", rank, bad);
        free(a);
        free(s);
        free(e);
    }

    /* Reverse order inside halves: the key makes the highest world rank first. */
    {
        MPI_Comm half;
        MPI_Comm_split(MPI_COMM_WORLD, rank % 2, size - rank, &half);
        int hr, v = rank + 1, s, e = -1;
        MPI_Comm_rank(half, &hr);
        MPI_Scan(&v, &s, 1, MPI_INT, MPI_SUM, half);
        MPI_Exscan(&v, &e, 1, MPI_INT, MPI_PROD, half);
        if (hr == 0) e = -1;
        printf("half rank %d: half rank %d scan %d exscan %d\n", rank, hr, s, e);
        MPI_Comm_free(&half);
    }

    printf("rank %d: done coll_scan_exscan\n", rank);
    MPI_Finalize();
    return 0;
}

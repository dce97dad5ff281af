/* Reductions on long double: SUM PROD MIN MAX on MPI_LONG_DOUBLE (Reduce at every
 * root, Allreduce, in place, Scan), a sum that needs more than double's 53-bit
 * mantissa, MPI_C_LONG_DOUBLE_COMPLEX SUM and PROD, MPI_LONG_DOUBLE_INT MAXLOC and
 * MINLOC. All values are exactly representable in x87 80-bit and IEEE binary128
 * long doubles; results are printed after converting to double (or after
 * subtracting the large part). */
#include <complex.h>
#include <mpi.h>
#include <stdio.h>

static const char *opname(MPI_Op op) {
    return op == MPI_SUM ? "SUM" : op == MPI_PROD ? "PROD" : op == MPI_MIN ? "MIN" : "MAX";
}

struct ldi {
    long double val;
    int idx;
};

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Op ops[4] = {MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX};

    /* Three elements per rank: a small positive, a negative half, a power of two. */
    long double in[3] = {rank + 1.5L, -(rank % 3) - 0.5L, 1.0L * (1 << (rank % 4))};
    for (int o = 0; o < 4; o++) {
        for (int root = 0; root < size; root++) {
            long double out[3] = {0, 0, 0};
            MPI_Reduce(in, out, 3, MPI_LONG_DOUBLE, ops[o], root, MPI_COMM_WORLD);
            if (rank == root)
                printf("reduce %s root %d: %.6g %.6g %.6g\n", opname(ops[o]), root, (double)out[0],
                       (double)out[1], (double)out[2]);
        }
        long double all[3], ip[3] = {in[0], in[1], in[2]}, sc[3];
        MPI_Allreduce(in, all, 3, MPI_LONG_DOUBLE, ops[o], MPI_COMM_WORLD);
        MPI_Allreduce(MPI_IN_PLACE, ip, 3, MPI_LONG_DOUBLE, ops[o], MPI_COMM_WORLD);
        MPI_Scan(in, sc, 3, MPI_LONG_DOUBLE, ops[o], MPI_COMM_WORLD);
        int same = all[0] == ip[0] && all[1] == ip[1] && all[2] == ip[2];
        printf("allreduce %s rank %d: %.6g %.6g %.6g in place same %d scan %.6g %.6g %.6g\n", opname(ops[o]), rank,
               (double)all[0], (double)all[1], (double)all[2], same, (double)sc[0], (double)sc[1], (double)sc[2]);
    }

    /* 2^62 plus one per other rank: exact in long double, lost in double. */
    {
        long double big = 4611686018427387904.0L; /* 2^62 */
        long double x = rank == 0 ? big : 1.0L, s;
        MPI_Allreduce(&x, &s, 1, MPI_LONG_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        long double y = rank == 0 ? big + 3.0L : big + (long double)rank, mx, mn;
        MPI_Allreduce(&y, &mx, 1, MPI_LONG_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        MPI_Allreduce(&y, &mn, 1, MPI_LONG_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
        printf("precision rank %d: sum-2^62 %.6g max-2^62 %.6g min-2^62 %.6g\n", rank, (double)(s - big),
               (double)(mx - big), (double)(mn - big));
    }

    /* Complex long double SUM and PROD. */
    {
        long double _Complex z[2] = {(rank + 1) + (rank - 1) * I, 1.0L + ((rank % 2) ? 1.0L : 0.0L) * I};
        long double _Complex s[2], p[2];
        MPI_Allreduce(z, s, 2, MPI_C_LONG_DOUBLE_COMPLEX, MPI_SUM, MPI_COMM_WORLD);
        MPI_Reduce(z, p, 2, MPI_C_LONG_DOUBLE_COMPLEX, MPI_PROD, size - 1, MPI_COMM_WORLD);
        printf("complex sum rank %d: (%.6g,%.6g) (%.6g,%.6g)\n", rank, (double)creall(s[0]), (double)cimagl(s[0]),
               (double)creall(s[1]), (double)cimagl(s[1]));
        if (rank == size - 1)
            printf("complex prod: (%.6g,%.6g) (%.6g,%.6g)\n", (double)creall(p[0]), (double)cimagl(p[0]),
                   (double)creall(p[1]), (double)cimagl(p[1]));
    }

    /* MPI_LONG_DOUBLE_INT: MAXLOC/MINLOC, ties go to the lowest index. */
    {
        struct ldi v[3], mx[3], mn[3];
        v[0].val = (rank * 5) % 7 + 0.25L; /* distinct values */
        v[0].idx = rank;
        v[1].val = 2.5L; /* all equal: tie */
        v[1].idx = 10 + rank;
        v[2].val = (rank % 2) ? -1.0L : 0.0L; /* ties among odd / even ranks */
        v[2].idx = 100 - rank;
        MPI_Allreduce(v, mx, 3, MPI_LONG_DOUBLE_INT, MPI_MAXLOC, MPI_COMM_WORLD);
        MPI_Reduce(v, mn, 3, MPI_LONG_DOUBLE_INT, MPI_MINLOC, 0, MPI_COMM_WORLD);
        printf("maxloc rank %d: %.6g@%d %.6g@%d %.6g@%d\n", rank, (double)mx[0].val, mx[0].idx, (double)mx[1].val,
               mx[1].idx, (double)mx[2].val, mx[2].idx);
        if (rank == 0)
            printf("minloc: %.6g@%d %.6g@%d %.6g@%d\n", (double)mn[0].val, mn[0].idx, (double)mn[1].val, mn[1].idx,
                   (double)mn[2].val, mn[2].idx);
    }

    /* Reduce_local on long double. */
    {
        long double a[2] = {1.5L, -2.0L}, b[2] = {0.25L, 8.0L};
        MPI_Reduce_local(a, b, 2, MPI_LONG_DOUBLE, MPI_PROD);
        printf("reduce_local rank %d: %.6g %.6g\n", rank, (double)b[0], (double)b[1]);
    }

    printf("rank %d: done op_long_double\n", rank);
    MPI_Finalize();
    return 0;
}

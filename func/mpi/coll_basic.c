/* Barrier, Bcast, Reduce and Allreduce: SUM PROD MIN MAX on INT, LONG, LONG_LONG,
 * FLOAT and DOUBLE, from a non-zero root, with MPI_IN_PLACE. Rank 0 prints. */
#include <mpi.h>
#include <stdio.h>

#define N 3

static const char *opname(MPI_Op op) {
    return op == MPI_SUM ? "SUM" : op == MPI_PROD ? "PROD" : op == MPI_MIN ? "MIN" : "MAX";
}

#define TEST_TYPE(CTYPE, MPITYPE, FMT)                                                   \
    for (int o = 0; o < 4; o++) {                                                        \
        MPI_Op op = ops[o];                                                              \
        CTYPE in[N], out[N], all[N];                                                     \
        for (int i = 0; i < N; i++) in[i] = (CTYPE)((rank % 3) + 1 + i) * (i == 1 ? -1 : 1); \
        MPI_Reduce(in, out, N, MPITYPE, op, root, MPI_COMM_WORLD);                       \
        if (rank == root) MPI_Send(out, N, MPITYPE, 0, 1, MPI_COMM_WORLD);               \
        MPI_Allreduce(in, all, N, MPITYPE, op, MPI_COMM_WORLD);                          \
        if (rank == 0) {                                                                 \
            MPI_Recv(out, N, MPITYPE, root, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);       \
            printf("%-9s %-4s reduce", #MPITYPE, opname(op));                           \
            for (int i = 0; i < N; i++) printf(" " FMT, out[i]);                         \
            printf(" allreduce");                                                        \
            for (int i = 0; i < N; i++) printf(" " FMT, all[i]);                         \
            printf("\n");                                                                \
        }                                                                                \
    }

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Op ops[4] = {MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX};
    int root = size - 1;

    TEST_TYPE(int, MPI_INT, "%d")
    TEST_TYPE(long, MPI_LONG, "%ld")
    TEST_TYPE(long long, MPI_LONG_LONG, "%lld")
    TEST_TYPE(float, MPI_FLOAT, "%g")
    TEST_TYPE(double, MPI_DOUBLE, "%g")

    /* MPI_IN_PLACE at the reduce root and in allreduce. */
    int v = rank + 1;
    MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    int w = rank + 1, r = 0;
    if (rank == root) MPI_Reduce(MPI_IN_PLACE, &w, 1, MPI_INT, MPI_MAX, root, MPI_COMM_WORLD);
    else MPI_Reduce(&w, &r, 1, MPI_INT, MPI_MAX, root, MPI_COMM_WORLD);
    if (rank == root) MPI_Send(&w, 1, MPI_INT, 0, 2, MPI_COMM_WORLD);
    if (rank == 0) {
        MPI_Recv(&w, 1, MPI_INT, root, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        printf("in_place allreduce %d reduce %d\n", v, w);
    }

    /* Bcast from every root in turn, of several types. */
    for (int b = 0; b < size; b++) {
        double d[4] = {0};
        long long l = 0;
        char s[16] = "";
        if (rank == b) {
            for (int i = 0; i < 4; i++) d[i] = b * 10.0 + i / 4.0;
            l = 1000000000000LL * (b + 1);
            snprintf(s, sizeof s, "root%d", b);
        }
        MPI_Bcast(d, 4, MPI_DOUBLE, b, MPI_COMM_WORLD);
        MPI_Bcast(&l, 1, MPI_LONG_LONG, b, MPI_COMM_WORLD);
        MPI_Bcast(s, 16, MPI_CHAR, b, MPI_COMM_WORLD);
        int ok = d[3] == b * 10.0 + 0.75 && l == 1000000000000LL * (b + 1);
        int all_ok;
        MPI_Reduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, 0, MPI_COMM_WORLD);
        if (rank == 0) printf("bcast root %d ok %d %s\n", b, all_ok, s);
    }

    /* Reduce_local: combine two local buffers. */
    {
        int a[3] = {1, 5, -2}, b[3] = {rank, rank, rank};
        MPI_Reduce_local(a, b, 3, MPI_INT, MPI_MAX);
        double x[2] = {1.5, 2.0}, y[2] = {2.0, 0.25};
        MPI_Reduce_local(x, y, 2, MPI_DOUBLE, MPI_PROD);
        if (rank == root) printf("reduce_local %d %d %d %g %g\n", b[0], b[1], b[2], y[0], y[1]);
    }

    /* Barrier: nobody passes before everyone has arrived. */
    int before = 1, arrived;
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Allreduce(&before, &arrived, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) printf("barrier arrived %d of %d\n", arrived, size);

    MPI_Finalize();
    return 0;
}

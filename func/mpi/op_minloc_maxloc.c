/* MPI_MINLOC and MPI_MAXLOC on the pair types MPI_2INT, MPI_DOUBLE_INT,
 * MPI_FLOAT_INT, MPI_SHORT_INT and MPI_LONG_INT, through Allreduce, Reduce (every
 * root), Scan and in place: distinct values, ties (the lowest index wins), ties
 * between ranks holding indices in decreasing order, and negative values. */
#include <mpi.h>
#include <stdio.h>

struct int2 {
    int v, i;
};
struct dint {
    double v;
    int i;
};
struct fint {
    float v;
    int i;
};
struct sint {
    short v;
    int i;
};
struct lint {
    long v;
    int i;
};

static int rank, size;

/* Four pairs per rank: a rank-dependent value with the rank as index; the same
 * value everywhere (tie) with index 10 + rank; value by parity with indices
 * decreasing in rank (tie among even ranks goes to the highest rank's index);
 * negative values. */
#define TEST_PAIR(STRUCT, MPITYPE, VCAST)                                                           \
    {                                                                                               \
        STRUCT in[4], mx[4], mn[4], sc[4], ip[4];                                                   \
        in[0].v = (VCAST)((rank * 5) % 7 - 3);                                                      \
        in[0].i = rank;                                                                             \
        in[1].v = (VCAST)4;                                                                         \
        in[1].i = 10 + rank;                                                                        \
        in[2].v = (VCAST)(rank % 2);                                                                \
        in[2].i = 100 - rank;                                                                       \
        in[3].v = (VCAST)(-rank - 1);                                                               \
        in[3].i = rank * 2;                                                                         \
        MPI_Allreduce(in, mx, 4, MPITYPE, MPI_MAXLOC, MPI_COMM_WORLD);                              \
        MPI_Allreduce(in, mn, 4, MPITYPE, MPI_MINLOC, MPI_COMM_WORLD);                              \
        MPI_Scan(in, sc, 4, MPITYPE, MPI_MAXLOC, MPI_COMM_WORLD);                                   \
        for (int k = 0; k < 4; k++) ip[k] = in[k];                                                  \
        MPI_Allreduce(MPI_IN_PLACE, ip, 4, MPITYPE, MPI_MINLOC, MPI_COMM_WORLD);                    \
        int same = 1;                                                                               \
        for (int k = 0; k < 4; k++) same &= ip[k].v == mn[k].v && ip[k].i == mn[k].i;               \
        if (rank == 0) {                                                                            \
            printf("%-14s maxloc", #MPITYPE);                                                       \
            for (int k = 0; k < 4; k++) printf(" %g@%d", (double)mx[k].v, mx[k].i);                 \
            printf(" minloc");                                                                      \
            for (int k = 0; k < 4; k++) printf(" %g@%d", (double)mn[k].v, mn[k].i);                 \
            printf("\n");                                                                           \
        }                                                                                           \
        printf("%s scan rank %d:", #MPITYPE, rank);                                                 \
        for (int k = 0; k < 4; k++) printf(" %g@%d", (double)sc[k].v, sc[k].i);                     \
        printf(" in place same %d\n", same);                                                        \
        for (int root = 0; root < size; root++) {                                                   \
            STRUCT r[4];                                                                            \
            MPI_Reduce(in, r, 4, MPITYPE, root % 2 ? MPI_MINLOC : MPI_MAXLOC, root, MPI_COMM_WORLD); \
            if (rank == root) {                                                                     \
                int ok = 1;                                                                         \
                STRUCT *want = root % 2 ? mn : mx;                                                  \
                for (int k = 0; k < 4; k++) ok &= r[k].v == want[k].v && r[k].i == want[k].i;       \
                printf("%s reduce root %d: agrees %d\n", #MPITYPE, root, ok);                       \
            }                                                                                       \
        }                                                                                           \
    }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    TEST_PAIR(struct int2, MPI_2INT, int)
    TEST_PAIR(struct dint, MPI_DOUBLE_INT, double)
    TEST_PAIR(struct fint, MPI_FLOAT_INT, float)
    TEST_PAIR(struct sint, MPI_SHORT_INT, short)
    TEST_PAIR(struct lint, MPI_LONG_INT, long)

    /* The classic use: where is the global maximum of a distributed array? */
    {
        double local[5];
        for (int i = 0; i < 5; i++) local[i] = ((rank * 5 + i) * 37 % 101) * 0.5;
        struct dint best = {local[0], rank * 5}, g;
        for (int i = 1; i < 5; i++)
            if (local[i] > best.v) best.v = local[i], best.i = rank * 5 + i;
        MPI_Allreduce(&best, &g, 1, MPI_DOUBLE_INT, MPI_MAXLOC, MPI_COMM_WORLD);
        printf("argmax rank %d: %g at global index %d (owner %d)\n", rank, g.v, g.i, g.i / 5);
    }

    /* Fractional doubles and large ints. */
    {
        struct dint d = {rank * 0.125 - 0.3, rank}, dm;
        MPI_Allreduce(&d, &dm, 1, MPI_DOUBLE_INT, MPI_MINLOC, MPI_COMM_WORLD);
        struct int2 a = {rank == size / 2 ? 2147483647 : rank, -rank}, am;
        MPI_Allreduce(&a, &am, 1, MPI_2INT, MPI_MAXLOC, MPI_COMM_WORLD);
        printf("extremes rank %d: %.6g@%d %d@%d\n", rank, dm.v, dm.i, am.v, am.i);
    }

    printf("rank %d: done op_minloc_maxloc\n", rank);
    MPI_Finalize();
    return 0;
}

/* Arithmetic reductions (MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX) through Allreduce and
 * Reduce on every C integer type (signed char .. unsigned long long, the int8_t ..
 * uint64_t family, MPI_AINT, MPI_OFFSET, MPI_COUNT), float and double, plus SUM and
 * PROD on MPI_C_FLOAT_COMPLEX and MPI_C_DOUBLE_COMPLEX, and modular wrap-around of
 * unsigned sums. Values are small enough that no signed type overflows. */
#include <complex.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

static const char *opname(MPI_Op op) {
    return op == MPI_SUM ? "SUM" : op == MPI_PROD ? "PROD" : op == MPI_MIN ? "MIN" : "MAX";
}

static int rank, size;
static MPI_Op ops[4] = {MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX};

/* Results are printed (and Reduce rooted) at rank turn % size, turn counting up,
 * so that no rank prints much: mpirun may split long outputs mid-line. */
static int turn;

/* Three elements per rank r: r%3+1 (positive), +/-(1 or 2) alternating sign (or
 * 1 + r%2 for unsigned types), and r%3-1 (or 2 - r%3 for unsigned types).
 * Prints the allreduce result and whether the reduce at the printing rank agrees. */
#define TEST_INT(CTYPE, MPITYPE, SIGNED, PCAST, FMT)                                                \
    for (int o = 0; o < 4; o++) {                                                                   \
        int root = turn++ % size;                                                                   \
        CTYPE in[3], out[3], red[3];                                                                \
        in[0] = (CTYPE)(rank % 3 + 1);                                                              \
        in[1] = SIGNED ? (CTYPE)((rank % 2 ? -1 : 1) * (1 + rank % 2)) : (CTYPE)(1 + rank % 2);     \
        in[2] = SIGNED ? (CTYPE)(rank % 3 - 1) : (CTYPE)(2 - rank % 3);                             \
        MPI_Allreduce(in, out, 3, MPITYPE, ops[o], MPI_COMM_WORLD);                                 \
        MPI_Reduce(in, red, 3, MPITYPE, ops[o], root, MPI_COMM_WORLD);                              \
        if (rank == root) {                                                                         \
            int same = red[0] == out[0] && red[1] == out[1] && red[2] == out[2];                    \
            printf("%-24s %-4s " FMT " " FMT " " FMT " reduce same %d\n", #MPITYPE, opname(ops[o]), \
                   (PCAST)out[0], (PCAST)out[1], (PCAST)out[2], same);                              \
        }                                                                                           \
    }

#define TEST_FLOAT(CTYPE, MPITYPE)                                                                  \
    for (int o = 0; o < 4; o++) {                                                                   \
        int root = turn++ % size;                                                                   \
        CTYPE in[3], out[3], red[3];                                                                \
        in[0] = (CTYPE)(rank % 3 + 1) * (CTYPE)0.5;                                                 \
        in[1] = (CTYPE)((rank % 2 ? -1 : 1) * (1 + rank % 2));                                      \
        in[2] = (CTYPE)(rank % 3 - 1) * (CTYPE)0.25;                                                \
        MPI_Allreduce(in, out, 3, MPITYPE, ops[o], MPI_COMM_WORLD);                                 \
        MPI_Reduce(in, red, 3, MPITYPE, ops[o], root, MPI_COMM_WORLD);                              \
        if (rank == root) {                                                                         \
            int same = red[0] == out[0] && red[1] == out[1] && red[2] == out[2];                    \
            printf("%-24s %-4s %.6g %.6g %.6g reduce same %d\n", #MPITYPE, opname(ops[o]),          \
                   (double)out[0], (double)out[1], (double)out[2], same);                           \
        }                                                                                           \
    }

#define TEST_COMPLEX(CTYPE, MPITYPE, RE, IM)                                                        \
    for (int o = 0; o < 2; o++) {                                                                   \
        int root = turn++ % size;                                                                   \
        CTYPE in[2], out[2], red[2];                                                                \
        in[0] = (rank % 2 + 1) + (rank % 3 - 1) * I;                                                \
        in[1] = 0.5 * (rank % 3) - (rank % 2) * 0.5 * I;                                            \
        MPI_Allreduce(in, out, 2, MPITYPE, ops[o], MPI_COMM_WORLD);                                 \
        MPI_Reduce(in, red, 2, MPITYPE, ops[o], root, MPI_COMM_WORLD);                              \
        if (rank == root) {                                                                         \
            int same = red[0] == out[0] && red[1] == out[1];                                        \
            printf("%-24s %-4s (%.6g,%.6g) (%.6g,%.6g) reduce same %d\n", #MPITYPE, opname(ops[o]), \
                   (double)RE(out[0]), (double)IM(out[0]), (double)RE(out[1]), (double)IM(out[1]),  \
                   same);                                                                           \
        }                                                                                           \
    }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    TEST_INT(signed char, MPI_SIGNED_CHAR, 1, long long, "%lld")
    TEST_INT(unsigned char, MPI_UNSIGNED_CHAR, 0, unsigned long long, "%llu")
    TEST_INT(short, MPI_SHORT, 1, long long, "%lld")
    TEST_INT(unsigned short, MPI_UNSIGNED_SHORT, 0, unsigned long long, "%llu")
    TEST_INT(int, MPI_INT, 1, long long, "%lld")
    TEST_INT(unsigned, MPI_UNSIGNED, 0, unsigned long long, "%llu")
    TEST_INT(long, MPI_LONG, 1, long long, "%lld")
    TEST_INT(unsigned long, MPI_UNSIGNED_LONG, 0, unsigned long long, "%llu")
    TEST_INT(long long, MPI_LONG_LONG, 1, long long, "%lld")
    TEST_INT(unsigned long long, MPI_UNSIGNED_LONG_LONG, 0, unsigned long long, "%llu")
    TEST_INT(int8_t, MPI_INT8_T, 1, long long, "%lld")
    TEST_INT(uint8_t, MPI_UINT8_T, 0, unsigned long long, "%llu")
    TEST_INT(int16_t, MPI_INT16_T, 1, long long, "%lld")
    TEST_INT(uint16_t, MPI_UINT16_T, 0, unsigned long long, "%llu")
    TEST_INT(int32_t, MPI_INT32_T, 1, long long, "%lld")
    TEST_INT(uint32_t, MPI_UINT32_T, 0, unsigned long long, "%llu")
    TEST_INT(int64_t, MPI_INT64_T, 1, long long, "%lld")
    TEST_INT(uint64_t, MPI_UINT64_T, 0, unsigned long long, "%llu")
    TEST_INT(MPI_Aint, MPI_AINT, 1, long long, "%lld")
    /* OpenMPI 4.1 compares MPI_OFFSET values as unsigned in MIN/MAX: keep them >= 0. */
    TEST_INT(MPI_Offset, MPI_OFFSET, 0, long long, "%lld")
    TEST_INT(MPI_Count, MPI_COUNT, 1, long long, "%lld")
    TEST_FLOAT(float, MPI_FLOAT)
    TEST_FLOAT(double, MPI_DOUBLE)
    TEST_COMPLEX(float _Complex, MPI_C_FLOAT_COMPLEX, crealf, cimagf)
    TEST_COMPLEX(double _Complex, MPI_C_DOUBLE_COMPLEX, creal, cimag)

    /* Unsigned sums wrap around modulo 2^bits. */
    {
        unsigned char uc = 200, ucs;
        unsigned short us = 60000, uss;
        unsigned u = 0xF0000001u, us32;
        unsigned long long ull = 0xF000000000000001ull, ulls;
        uint8_t u8 = 255, u8p;
        MPI_Allreduce(&uc, &ucs, 1, MPI_UNSIGNED_CHAR, MPI_SUM, MPI_COMM_WORLD);
        MPI_Allreduce(&us, &uss, 1, MPI_UNSIGNED_SHORT, MPI_SUM, MPI_COMM_WORLD);
        MPI_Allreduce(&u, &us32, 1, MPI_UNSIGNED, MPI_SUM, MPI_COMM_WORLD);
        MPI_Allreduce(&ull, &ulls, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
        MPI_Allreduce(&u8, &u8p, 1, MPI_UINT8_T, MPI_PROD, MPI_COMM_WORLD);
        printf("wrap rank %d: %u %u %u %llu %u\n", rank, (unsigned)ucs, (unsigned)uss, us32, ulls, (unsigned)u8p);
    }

    /* Extremes survive MIN/MAX. */
    {
        long long l[2] = {rank == 0 ? INT64_MIN : rank, rank == size - 1 ? INT64_MAX : -rank}, lmin[2], lmax[2];
        MPI_Allreduce(l, lmin, 2, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD);
        MPI_Allreduce(l, lmax, 2, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
        double d = rank == 1 ? -1e300 : rank * 1e-300, dmin, dmax;
        MPI_Allreduce(&d, &dmin, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
        MPI_Allreduce(&d, &dmax, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        printf("extremes rank %d: %lld %lld %lld %lld %g %g\n", rank, lmin[0], lmin[1], lmax[0], lmax[1], dmin, dmax);
    }

    printf("rank %d: done op_arith\n", rank);
    MPI_Finalize();
    return 0;
}

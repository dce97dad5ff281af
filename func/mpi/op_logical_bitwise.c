/* Logical (MPI_LAND, MPI_LOR, MPI_LXOR) and bitwise (MPI_BAND, MPI_BOR, MPI_BXOR)
 * reductions through Allreduce, Reduce and Scan: logical ops on integer types
 * (any non-zero value is true, results are 0 or 1) and on MPI_C_BOOL; bitwise ops
 * on signed and unsigned integer types of every width and on MPI_BYTE. */
#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

static int rank, size, turn;
static MPI_Op lops[3] = {MPI_LAND, MPI_LOR, MPI_LXOR};
static MPI_Op bops[3] = {MPI_BAND, MPI_BOR, MPI_BXOR};

static const char *opname(MPI_Op op) {
    return op == MPI_LAND ? "LAND" : op == MPI_LOR ? "LOR" : op == MPI_LXOR ? "LXOR"
         : op == MPI_BAND ? "BAND" : op == MPI_BOR ? "BOR" : "BXOR";
}

/* Four elements: all true (varied non-zero values), true only on rank 0, true on
 * odd ranks, all false. Results printed by one rank per line, in turn. */
#define TEST_LOGICAL(CTYPE, MPITYPE)                                                                \
    for (int o = 0; o < 3; o++) {                                                                   \
        int root = turn++ % size;                                                                   \
        CTYPE in[4], out[4], red[4], sc[4];                                                         \
        in[0] = (CTYPE)(rank % 3 + 1);                                                              \
        in[1] = (CTYPE)(rank == 0 ? 7 : 0);                                                         \
        in[2] = (CTYPE)(rank % 2 ? 2 : 0);                                                          \
        in[3] = (CTYPE)0;                                                                           \
        MPI_Allreduce(in, out, 4, MPITYPE, lops[o], MPI_COMM_WORLD);                                \
        MPI_Reduce(in, red, 4, MPITYPE, lops[o], root, MPI_COMM_WORLD);                             \
        MPI_Scan(in, sc, 4, MPITYPE, lops[o], MPI_COMM_WORLD);                                      \
        printf("%s %s scan rank %d: %d %d %d %d\n", #MPITYPE, opname(lops[o]), rank, (int)sc[0],    \
               (int)sc[1], (int)sc[2], (int)sc[3]);                                                 \
        if (rank == root)                                                                           \
            printf("%-22s %-4s %d %d %d %d reduce same %d\n", #MPITYPE, opname(lops[o]), (int)out[0], \
                   (int)out[1], (int)out[2], (int)out[3],                                           \
                   red[0] == out[0] && red[1] == out[1] && red[2] == out[2] && red[3] == out[3]);   \
    }

/* Three elements: a bit per rank plus a common high bit, a rank-dependent mask
 * pattern, and all-ones except a bit per rank. */
#define TEST_BITWISE(CTYPE, MPITYPE, BITS)                                                          \
    for (int o = 0; o < 3; o++) {                                                                   \
        int root = turn++ % size;                                                                   \
        CTYPE in[3], out[3], red[3];                                                                \
        in[0] = (CTYPE)((1ULL << rank) | (1ULL << (BITS - 1)));                                          \
        in[1] = (CTYPE)(0x5A ^ (rank * 0x11));                                                      \
        in[2] = (CTYPE)(~((CTYPE)1 << (rank + 1)));                                                 \
        MPI_Allreduce(in, out, 3, MPITYPE, bops[o], MPI_COMM_WORLD);                                \
        MPI_Reduce(in, red, 3, MPITYPE, bops[o], root, MPI_COMM_WORLD);                             \
        if (rank == root)                                                                           \
            printf("%-22s %-4s %llx %llx %llx reduce same %d\n", #MPITYPE, opname(bops[o]),          \
                   (unsigned long long)out[0] & ((2ULL << (BITS - 1)) - 1),                         \
                   (unsigned long long)out[1] & ((2ULL << (BITS - 1)) - 1),                         \
                   (unsigned long long)out[2] & ((2ULL << (BITS - 1)) - 1),                         \
                   red[0] == out[0] && red[1] == out[1] && red[2] == out[2]);                       \
    }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    TEST_LOGICAL(int, MPI_INT)
    TEST_LOGICAL(unsigned, MPI_UNSIGNED)
    TEST_LOGICAL(short, MPI_SHORT)
    TEST_LOGICAL(long long, MPI_LONG_LONG)
    TEST_LOGICAL(signed char, MPI_SIGNED_CHAR)
    TEST_LOGICAL(unsigned char, MPI_UNSIGNED_CHAR)
    TEST_LOGICAL(int8_t, MPI_INT8_T)
    TEST_LOGICAL(uint16_t, MPI_UINT16_T)
    TEST_LOGICAL(int64_t, MPI_INT64_T)
    TEST_LOGICAL(bool, MPI_C_BOOL)

    TEST_BITWISE(int, MPI_INT, 32)
    TEST_BITWISE(unsigned, MPI_UNSIGNED, 32)
    TEST_BITWISE(short, MPI_SHORT, 16)
    TEST_BITWISE(unsigned short, MPI_UNSIGNED_SHORT, 16)
    TEST_BITWISE(long long, MPI_LONG_LONG, 64)
    TEST_BITWISE(unsigned long long, MPI_UNSIGNED_LONG_LONG, 64)
    TEST_BITWISE(unsigned char, MPI_UNSIGNED_CHAR, 8)
    TEST_BITWISE(unsigned char, MPI_BYTE, 8)
    TEST_BITWISE(int8_t, MPI_INT8_T, 8)
    TEST_BITWISE(uint8_t, MPI_UINT8_T, 8)
    TEST_BITWISE(int16_t, MPI_INT16_T, 16)
    TEST_BITWISE(uint32_t, MPI_UINT32_T, 32)
    TEST_BITWISE(int64_t, MPI_INT64_T, 64)
    TEST_BITWISE(uint64_t, MPI_UINT64_T, 64)

    /* In place, and a longer vector of bytes. */
    {
        unsigned char b[64];
        for (int i = 0; i < 64; i++) b[i] = (unsigned char)((i * 37) ^ ((rank + 1) << (i % 5)));
        MPI_Allreduce(MPI_IN_PLACE, b, 64, MPI_BYTE, MPI_BXOR, MPI_COMM_WORLD);
        unsigned h = 0;
        for (int i = 0; i < 64; i++) h = h * 31 + b[i];
        bool t = rank != size / 2;
        MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_C_BOOL, MPI_LAND, MPI_COMM_WORLD);
        printf("in place rank %d: bxor hash %u land %d\n", rank, h, (int)t);
    }

    printf("rank %d: done op_logical_bitwise\n", rank);
    MPI_Finalize();
    return 0;
}

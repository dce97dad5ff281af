/* Predefined datatypes with the same layout on wasm32 and x86_64: MPI_Type_size,
 * Type_size_x, Type_get_extent(_x), Type_get_true_extent(_x), sending three
 * elements of each type around a ring and to self (MPI_COMM_SELF), and
 * Get_count / Get_elements / Get_elements_x of the received messages, including
 * counts asked for in another type (MPI_UNDEFINED printed as UNDEF). */
#include <complex.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NTYPES 28
#define COUNT 3
#define MAXEXT 16

static const char *count_name(int c, char *buf) {
    if (c == MPI_UNDEFINED) return "UNDEF";
    sprintf(buf, "%d", c);
    return buf;
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int peer = (rank + 1) % size, from = (rank + size - 1) % size;

    MPI_Datatype types[NTYPES] = {
        MPI_CHAR, MPI_SIGNED_CHAR, MPI_UNSIGNED_CHAR, MPI_BYTE, MPI_PACKED, MPI_WCHAR, MPI_SHORT,
        MPI_UNSIGNED_SHORT, MPI_INT, MPI_UNSIGNED, MPI_LONG_LONG_INT, MPI_UNSIGNED_LONG_LONG, MPI_FLOAT,
        MPI_DOUBLE, MPI_INT8_T, MPI_INT16_T, MPI_INT32_T, MPI_INT64_T, MPI_UINT8_T, MPI_UINT16_T,
        MPI_UINT32_T, MPI_UINT64_T, MPI_C_BOOL, MPI_C_FLOAT_COMPLEX, MPI_C_DOUBLE_COMPLEX, MPI_2INT,
        MPI_DOUBLE_INT, MPI_FLOAT_INT};
    const char *names[NTYPES] = {
        "MPI_CHAR", "MPI_SIGNED_CHAR", "MPI_UNSIGNED_CHAR", "MPI_BYTE", "MPI_PACKED", "MPI_WCHAR", "MPI_SHORT",
        "MPI_UNSIGNED_SHORT", "MPI_INT", "MPI_UNSIGNED", "MPI_LONG_LONG_INT", "MPI_UNSIGNED_LONG_LONG",
        "MPI_FLOAT", "MPI_DOUBLE", "MPI_INT8_T", "MPI_INT16_T", "MPI_INT32_T", "MPI_INT64_T", "MPI_UINT8_T",
        "MPI_UINT16_T", "MPI_UINT32_T", "MPI_UINT64_T", "MPI_C_BOOL", "MPI_C_FLOAT_COMPLEX",
        "MPI_C_DOUBLE_COMPLEX", "MPI_2INT", "MPI_DOUBLE_INT", "MPI_FLOAT_INT"};
    /* The C sizes of the types, which MPI_Type_size must agree with. */
    int csize[NTYPES] = {
        sizeof(char), sizeof(signed char), sizeof(unsigned char), 1, 1, 4, sizeof(short),
        sizeof(unsigned short), sizeof(int), sizeof(unsigned), sizeof(long long), sizeof(unsigned long long),
        sizeof(float), sizeof(double), 1, 2, 4, 8, 1, 2, 4, 8, sizeof(_Bool), sizeof(float _Complex),
        sizeof(double _Complex), 2 * sizeof(int), sizeof(double) + sizeof(int), sizeof(float) + sizeof(int)};

    for (int t = 0; t < NTYPES; t++) {
        int sz;
        MPI_Count szx, lbx, extx, tlbx, textx;
        MPI_Aint lb, ext, tlb, text;
        MPI_Type_size(types[t], &sz);
        MPI_Type_size_x(types[t], &szx);
        MPI_Type_get_extent(types[t], &lb, &ext);
        MPI_Type_get_extent_x(types[t], &lbx, &extx);
        MPI_Type_get_true_extent(types[t], &tlb, &text);
        MPI_Type_get_true_extent_x(types[t], &tlbx, &textx);
        if (rank == 0)
            printf("%s: size %d c %d lb %d ext %d tlb %d text %d x %d\n", names[t],
                   sz, sz == csize[t], (int)lb, (int)ext, (int)tlb, (int)text,
                   szx == sz && lbx == lb && extx == ext && tlbx == tlb && textx == text);

        /* Three elements of the type to the next rank. Fill the send buffer's
         * bytes with a pattern; the receive buffer starts as 0xee so that
         * padding (not part of the type map) stays 0xee on both ends. */
        unsigned char sbuf[COUNT * MAXEXT], rbuf[COUNT * MAXEXT + 8];
        for (int i = 0; i < (int)sizeof sbuf; i++) sbuf[i] = (unsigned char)(rank * 31 + t * 7 + i * 5);
        if (types[t] == MPI_C_BOOL)
            for (int i = 0; i < (int)sizeof sbuf; i++) sbuf[i] &= 1;
        memset(rbuf, 0xee, sizeof rbuf);
        MPI_Status st;
        MPI_Sendrecv(sbuf, COUNT, types[t], peer, t, rbuf, COUNT + 1, types[t], from, t, MPI_COMM_WORLD, &st);
        /* What the sender's bytes look like after a faithful transfer. */
        unsigned char want[COUNT * MAXEXT + 8];
        memset(want, 0xee, sizeof want);
        for (int i = 0; i < (int)sizeof sbuf; i++) want[i] = (unsigned char)(from * 31 + t * 7 + i * 5);
        if (types[t] == MPI_C_BOOL)
            for (int i = 0; i < (int)sizeof sbuf; i++) want[i] &= 1;
        int data_ok = 1;
        for (int e = 0; e < COUNT; e++) {
            /* Only the data bytes of each element: all bytes but the pair types' padding. */
            int nbytes = types[t] == MPI_DOUBLE_INT ? 12 : (int)ext;
            if (memcmp(rbuf + e * ext, want + e * ext, nbytes) != 0) data_ok = 0;
        }
        for (int i = 0; i < COUNT * MAXEXT + 8 - COUNT * (int)ext; i++) /* beyond: untouched */
            if (rbuf[COUNT * ext + i] != 0xee) data_ok = 0;
        int cnt, elems, as_bytes, as_int, as_double;
        MPI_Count elemsx;
        char b1[16], b2[16], b3[16], b4[16], b5[16];
        MPI_Get_count(&st, types[t], &cnt);
        MPI_Get_elements(&st, types[t], &elems);
        MPI_Get_elements_x(&st, types[t], &elemsx);
        MPI_Get_count(&st, MPI_BYTE, &as_bytes);
        MPI_Get_count(&st, MPI_INT, &as_int);
        MPI_Get_count(&st, MPI_DOUBLE, &as_double);
        int status_ok = st.MPI_SOURCE == from && st.MPI_TAG == t && elemsx == elems;

        /* The same to self through MPI_COMM_SELF: one element. */
        memset(rbuf, 0xee, sizeof rbuf);
        MPI_Sendrecv(sbuf, 1, types[t], 0, 100 + t, rbuf, 1, types[t], 0, 100 + t, MPI_COMM_SELF, &st);
        int self_ok = memcmp(rbuf, sbuf, types[t] == MPI_DOUBLE_INT ? 12 : (int)ext) == 0;
        int self_cnt;
        MPI_Get_count(&st, types[t], &self_cnt);
        /* Kept short: each rank's output stays below one 4 KiB stdio buffer so
         * mpirun cannot interleave another rank's output into a line. */
        printf("rank %d %s: ok %d%d%d%d n %s el %s B %s i %s d %s\n", rank, names[t], data_ok, status_ok, self_ok,
               self_cnt, count_name(cnt, b1), count_name(elems, b2), count_name(as_bytes, b3), count_name(as_int, b4),
               count_name(as_double, b5));
    }

    /* Typed values survive a transfer: a few of each arithmetic kind to rank 0. */
    struct { double d; int i; } di[2] = {{rank + 0.25, rank}, {-rank - 0.5, 2 * rank}}, dig[2];
    struct { float f; int i; } fi[2] = {{rank * 1.5f, -rank}, {0.125f, rank + 7}}, fig[2];
    int two[4] = {rank, -rank, rank * rank, 42}, twog[4];
    long long ll = (long long)rank * 3000000000LL - 1, llg;
    unsigned long long ull = 18000000000000000000ULL + rank, ullg;
    double _Complex z = rank + 2.0 * rank * I, zg;
    float _Complex fz = 0.5f - rank * I, fzg;
    _Bool bv = rank % 2, bvg;
    signed char sc = (signed char)(-100 - rank), scg;
    unsigned short us = (unsigned short)(65000 + rank), usg;
    int64_t i64 = -((int64_t)1 << 40) - rank, i64g;
    uint32_t u32 = 4000000000u + rank, u32g;
    MPI_Sendrecv(di, 2, MPI_DOUBLE_INT, peer, 200, dig, 2, MPI_DOUBLE_INT, from, 200, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(fi, 2, MPI_FLOAT_INT, peer, 201, fig, 2, MPI_FLOAT_INT, from, 201, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(two, 2, MPI_2INT, peer, 202, twog, 2, MPI_2INT, from, 202, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&ll, 1, MPI_LONG_LONG, peer, 203, &llg, 1, MPI_LONG_LONG, from, 203, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&ull, 1, MPI_UNSIGNED_LONG_LONG, peer, 204, &ullg, 1, MPI_UNSIGNED_LONG_LONG, from, 204,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&z, 1, MPI_C_DOUBLE_COMPLEX, peer, 205, &zg, 1, MPI_C_DOUBLE_COMPLEX, from, 205, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    MPI_Sendrecv(&fz, 1, MPI_C_FLOAT_COMPLEX, peer, 206, &fzg, 1, MPI_C_FLOAT_COMPLEX, from, 206, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    MPI_Sendrecv(&bv, 1, MPI_C_BOOL, peer, 207, &bvg, 1, MPI_C_BOOL, from, 207, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&sc, 1, MPI_SIGNED_CHAR, peer, 208, &scg, 1, MPI_SIGNED_CHAR, from, 208, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    MPI_Sendrecv(&us, 1, MPI_UNSIGNED_SHORT, peer, 209, &usg, 1, MPI_UNSIGNED_SHORT, from, 209, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    MPI_Sendrecv(&i64, 1, MPI_INT64_T, peer, 210, &i64g, 1, MPI_INT64_T, from, 210, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&u32, 1, MPI_UINT32_T, peer, 211, &u32g, 1, MPI_UINT32_T, from, 211, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("rank %d values: double_int %g,%d %g,%d float_int %g,%d %g,%d 2int %d,%d %d,%d\n", rank, dig[0].d,
           dig[0].i, dig[1].d, dig[1].i, fig[0].f, fig[0].i, fig[1].f, fig[1].i, twog[0], twog[1], twog[2], twog[3]);
    printf("rank %d values: ll %lld ull %llu z %g%+gi fz %g%+gi bool %d schar %d ushort %u i64 %lld u32 %u\n", rank,
           llg, ullg, creal(zg), cimag(zg), crealf(fzg), cimagf(fzg), (int)bvg, (int)scg, (unsigned)usg,
           (long long)i64g, (unsigned)u32g);

    /* Get_elements of pair types counts both members of each pair. */
    MPI_Status st;
    MPI_Sendrecv(di, 2, MPI_DOUBLE_INT, rank, 300, dig, 2, MPI_DOUBLE_INT, rank, 300, MPI_COMM_WORLD, &st);
    int pc, pe;
    MPI_Get_count(&st, MPI_DOUBLE_INT, &pc);
    MPI_Get_elements(&st, MPI_DOUBLE_INT, &pe);
    printf("rank %d double_int pair count %d elements %d\n", rank, pc, pe);
    MPI_Sendrecv(two, 2, MPI_2INT, rank, 301, twog, 2, MPI_2INT, rank, 301, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_2INT, &pc);
    MPI_Get_elements(&st, MPI_2INT, &pe);
    printf("rank %d 2int pair count %d elements %d\n", rank, pc, pe);

    printf("rank %d: done type_predefined\n", rank);
    MPI_Finalize();
    return 0;
}

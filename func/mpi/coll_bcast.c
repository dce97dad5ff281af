/* MPI_Bcast: from every root, of int, double, long long, char, byte, int8/uint16
 * and complex values; a 100000-int and a 1 MiB byte broadcast; a zero count;
 * back-to-back broadcasts from different roots; broadcasts on split and dup
 * communicators. Every rank prints what it received. */
#include <complex.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LARGE 100000

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* Every root, several types. */
    for (int root = 0; root < size; root++) {
        int iv[3] = {0, 0, 0};
        double dv[2] = {0, 0};
        long long lv = 0;
        char s[24] = "";
        int8_t i8[2] = {0, 0};
        uint16_t u16 = 0;
        double _Complex z = 0;
        if (rank == root) {
            iv[0] = root;
            iv[1] = -root * 7;
            iv[2] = 1 << (root + 10);
            dv[0] = root + 0.125;
            dv[1] = -1e10 * (root + 1);
            lv = (long long)(root + 1) << 40;
            snprintf(s, sizeof s, "message %d", root);
            i8[0] = (int8_t)(-100 - root);
            i8[1] = (int8_t)(100 + root);
            u16 = (uint16_t)(65000 + root);
            z = (root + 1) - 2.5 * I;
        }
        MPI_Bcast(iv, 3, MPI_INT, root, MPI_COMM_WORLD);
        MPI_Bcast(dv, 2, MPI_DOUBLE, root, MPI_COMM_WORLD);
        MPI_Bcast(&lv, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD);
        MPI_Bcast(s, 24, MPI_CHAR, root, MPI_COMM_WORLD);
        MPI_Bcast(i8, 2, MPI_INT8_T, root, MPI_COMM_WORLD);
        MPI_Bcast(&u16, 1, MPI_UINT16_T, root, MPI_COMM_WORLD);
        MPI_Bcast(&z, 1, MPI_C_DOUBLE_COMPLEX, root, MPI_COMM_WORLD);
        printf("root %d rank %d: %d %d %d %g %g %lld '%s' %d %d %u (%g,%g)\n", root, rank, iv[0], iv[1], iv[2], dv[0],
               dv[1], lv, s, i8[0], i8[1], (unsigned)u16, creal(z), cimag(z));
    }

    /* Large broadcasts: 100000 ints from the last rank, 1 MiB of bytes from the middle. */
    {
        int *big = malloc(LARGE * sizeof(int));
        int root = size - 1;
        for (int i = 0; i < LARGE; i++) big[i] = rank == root ? i * 3 - 7 : 0;
        MPI_Bcast(big, LARGE, MPI_INT, root, MPI_COMM_WORLD);
        long long sum = 0;
        int bad = 0;
        for (int i = 0; i < LARGE; i++) {
            sum += big[i];
            bad += big[i] != i * 3 - 7;
        }
        printf("large ints rank %d: sum %lld wrong %d\n", rank, sum, bad);
        free(big);

        unsigned char *bytes = malloc(1 << 20);
        root = size / 2;
        for (int i = 0; i < 1 << 20; i++) bytes[i] = rank == root ? (unsigned char)(i * 7 + i / 256) : 0;
        MPI_Bcast(bytes, 1 << 20, MPI_BYTE, root, MPI_COMM_WORLD);
        unsigned long long h = 1469598103934665603ULL;
        for (int i = 0; i < 1 << 20; i++) h = (h ^ bytes[i]) * 1099511628211ULL;
        printf("large bytes rank %d: hash %llx\n", rank, h);
        free(bytes);
    }

    /* Zero count: the buffer is untouched. */
    {
        int x = rank + 5;
        MPI_Bcast(&x, 0, MPI_INT, 0, MPI_COMM_WORLD);
        printf("zero rank %d: %d\n", rank, x);
    }

    /* Back to back from different roots, no synchronisation in between. */
    {
        int v[8];
        for (int k = 0; k < 8; k++) {
            v[k] = rank == k % size ? 1000 + k : -1;
            MPI_Bcast(&v[k], 1, MPI_INT, k % size, MPI_COMM_WORLD);
        }
        printf("sequence rank %d: %d %d %d %d %d %d %d %d\n", rank, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }

    /* On sub-communicators: halves by parity, rooted at their last member; a dup. */
    {
        MPI_Comm half, dup;
        MPI_Comm_split(MPI_COMM_WORLD, rank % 2, -rank, &half);
        MPI_Comm_dup(MPI_COMM_WORLD, &dup);
        int hr, hs;
        MPI_Comm_rank(half, &hr);
        MPI_Comm_size(half, &hs);
        int v = hr == hs - 1 ? 500 + rank : -1;
        MPI_Bcast(&v, 1, MPI_INT, hs - 1, half);
        double d = rank == 0 ? 2.75 : 0;
        MPI_Bcast(&d, 1, MPI_DOUBLE, 0, dup);
        printf("subcomm rank %d: half rank %d got %d dup got %g\n", rank, hr, v, d);
        MPI_Comm_free(&half);
        MPI_Comm_free(&dup);
    }

    printf("rank %d: done coll_bcast\n", rank);
    MPI_Finalize();
    return 0;
}

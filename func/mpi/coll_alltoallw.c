/* MPI_Alltoallw: a different datatype per peer (ints to even ranks, doubles to odd
 * ranks, counts depending on the sender, zero for some pairs) packed into one byte
 * buffer with byte displacements; strided (vector) receive types for some peers;
 * a per-peer mix of MPI_INT and a contiguous pair type; MPI_IN_PLACE. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int *sc = malloc(size * sizeof(int)), *sd = malloc(size * sizeof(int));
    int *rc = malloc(size * sizeof(int)), *rd = malloc(size * sizeof(int));
    MPI_Datatype *st = malloc(size * sizeof(MPI_Datatype)), *rt = malloc(size * sizeof(MPI_Datatype));

    /* Rank i sends i % 3 ints to even ranks and one double to odd ranks, each
     * block at an 8-byte aligned offset, last peer first. */
    {
        char *sb = malloc(24 * size + 8), *rb = malloc(24 * size + 8);
        int off = 0;
        for (int j = size - 1; j >= 0; j--) {
            sd[j] = off;
            if (j % 2 == 0) {
                st[j] = MPI_INT;
                sc[j] = rank % 3;
                for (int k = 0; k < sc[j]; k++) {
                    int v = rank * 100 + j * 10 + k;
                    memcpy(sb + off + 4 * k, &v, 4);
                }
            } else {
                st[j] = MPI_DOUBLE;
                sc[j] = 1;
                double d = rank + j / 4.0;
                memcpy(sb + off, &d, 8);
            }
            off += 16;
        }
        off = 0;
        for (int i = 0; i < size; i++) {
            rd[i] = off;
            rt[i] = rank % 2 == 0 ? MPI_INT : MPI_DOUBLE;
            rc[i] = rank % 2 == 0 ? i % 3 : 1;
            off += 24;
        }
        memset(rb, 0xff, 24 * size);
        MPI_Alltoallw(sb, sc, sd, st, rb, rc, rd, rt, MPI_COMM_WORLD);
        printf("mixed rank %d:", rank);
        for (int i = 0; i < size; i++) {
            if (rank % 2 == 0) {
                int v[2];
                memcpy(v, rb + rd[i], 8);
                printf(" [%d %d]", i % 3 > 0 ? v[0] : -1, i % 3 > 1 ? v[1] : -1);
            } else {
                double d;
                memcpy(&d, rb + rd[i], 8);
                printf(" [%g]", d);
            }
        }
        printf("\n");
        free(sb);
        free(rb);
    }

    /* Three contiguous ints to every peer; odd receivers store them with stride 2
     * (a vector type), even receivers contiguously. */
    {
        MPI_Datatype strided;
        MPI_Type_vector(3, 1, 2, MPI_INT, &strided);
        MPI_Type_commit(&strided);
        int *s = malloc(3 * size * sizeof(int)), *r = malloc(6 * size * sizeof(int));
        for (int j = 0; j < size; j++) {
            for (int k = 0; k < 3; k++) s[3 * j + k] = rank * 100 + j * 10 + k;
            st[j] = MPI_INT;
            sc[j] = 3;
            sd[j] = 3 * j * (int)sizeof(int);
        }
        for (int i = 0; i < size; i++) {
            rt[i] = rank % 2 ? strided : MPI_INT;
            rc[i] = rank % 2 ? 1 : 3;
            rd[i] = 6 * i * (int)sizeof(int);
        }
        for (int i = 0; i < 6 * size; i++) r[i] = -1;
        MPI_Alltoallw(s, sc, sd, st, r, rc, rd, rt, MPI_COMM_WORLD);
        printf("strided rank %d:", rank);
        for (int i = 0; i < 6 * size; i++) printf(" %d", r[i]);
        printf("\n");
        MPI_Type_free(&strided);
        free(s);
        free(r);
    }

    /* Send types alternate between 2 x MPI_INT and 1 x pair; receive all as ints. */
    {
        MPI_Datatype pair;
        MPI_Type_contiguous(2, MPI_INT, &pair);
        MPI_Type_commit(&pair);
        int *s = malloc(2 * size * sizeof(int)), *r = malloc(2 * size * sizeof(int));
        for (int j = 0; j < size; j++) {
            s[2 * j] = rank * 10 + j;
            s[2 * j + 1] = -(rank * 10 + j);
            st[j] = j % 2 ? pair : MPI_INT;
            sc[j] = j % 2 ? 1 : 2;
            sd[j] = 2 * j * (int)sizeof(int);
            rt[j] = (rank + j) % 2 ? pair : MPI_INT;
            rc[j] = (rank + j) % 2 ? 1 : 2;
            rd[j] = 2 * j * (int)sizeof(int);
        }
        MPI_Alltoallw(s, sc, sd, st, r, rc, rd, rt, MPI_COMM_WORLD);
        printf("pairs rank %d:", rank);
        for (int i = 0; i < 2 * size; i++) printf(" %d", r[i]);
        printf("\n");
        MPI_Type_free(&pair);
        free(s);
        free(r);
    }

    /* In place: two ints with every peer, exchanged where they lie. */
    {
        int *b = malloc(2 * size * sizeof(int));
        for (int j = 0; j < size; j++) {
            b[2 * j] = rank * 10 + j;
            b[2 * j + 1] = 1000 + rank;
            rt[j] = MPI_INT;
            rc[j] = 2;
            rd[j] = 2 * j * (int)sizeof(int);
        }
        MPI_Alltoallw(MPI_IN_PLACE, NULL, NULL, NULL, b, rc, rd, rt, MPI_COMM_WORLD);
        printf("in place rank %d:", rank);
        for (int i = 0; i < 2 * size; i++) printf(" %d", b[i]);
        printf("\n");
        free(b);
    }

    printf("rank %d: done coll_alltoallw\n", rank);
    free(sc);
    free(sd);
    free(rc);
    free(rd);
    free(st);
    free(rt);
    MPI_Finalize();
    return 0;
}

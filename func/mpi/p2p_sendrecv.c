/* MPI_Sendrecv and MPI_Sendrecv_replace: ring shifts by every distance, a larger
 * receive buffer than the message, wildcard source/tag on the receive side, open
 * chains with MPI_PROC_NULL ends, exchange with self, large and strided
 * (vector-typed) in-place exchanges. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BIG (120 * 1000)

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;

    /* Shift by k = 0..size-1: send to rank+k, receive from rank-k. */
    printf("shift rank %d:", rank);
    for (int k = 0; k < size; k++) {
        int to = (rank + k) % size, from = (rank - k + size) % size;
        int out[2] = {rank, k}, in[2] = {-1, -1};
        MPI_Sendrecv(out, 2, MPI_INT, to, k, in, 2, MPI_INT, from, k, MPI_COMM_WORLD, &st);
        printf(" %d/%d(src %d)", in[0], in[1], st.MPI_SOURCE);
    }
    printf("\n");

    /* Receive buffer bigger than the message; a different but matching type. */
    {
        int out[3] = {rank, rank + 1, rank + 2}, in[8];
        for (int i = 0; i < 8; i++) in[i] = -9;
        MPI_Sendrecv(out, 3, MPI_INT, right, 1, in, 8, MPI_INT, left, 1, MPI_COMM_WORLD, &st);
        int count, bytes;
        MPI_Get_count(&st, MPI_INT, &count);
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        printf("bigger rank %d: %d %d %d %d count %d bytes %d\n", rank, in[0], in[1], in[2], in[3], count, bytes);
    }

    /* Wildcards on the receive side. */
    {
        double out = rank * 0.5, in = -1;
        MPI_Sendrecv(&out, 1, MPI_DOUBLE, right, 100 + rank, &in, 1, MPI_DOUBLE, MPI_ANY_SOURCE, MPI_ANY_TAG,
                     MPI_COMM_WORLD, &st);
        printf("wildcard rank %d: %g from %d tag %d\n", rank, in, st.MPI_SOURCE, st.MPI_TAG);
    }

    /* Open chain: the last rank sends nowhere, rank 0 receives from nowhere. */
    {
        int to = rank == size - 1 ? MPI_PROC_NULL : rank + 1;
        int from = rank == 0 ? MPI_PROC_NULL : rank - 1;
        int out = rank * 3, in = -5, count;
        MPI_Sendrecv(&out, 1, MPI_INT, to, 2, &in, 1, MPI_INT, from, 2, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        printf("chain rank %d: in %d source %s count %d\n", rank, in,
               st.MPI_SOURCE == MPI_PROC_NULL ? "null" : st.MPI_SOURCE == from ? "left" : "other", count);
        int rep[2] = {rank, -rank};
        MPI_Sendrecv_replace(rep, 2, MPI_INT, from, 3, to, 3, MPI_COMM_WORLD, &st);
        printf("chain replace rank %d: %d %d source %s\n", rank, rep[0], rep[1],
               st.MPI_SOURCE == MPI_PROC_NULL ? "null" : st.MPI_SOURCE == to ? "right" : "other");
    }

    /* Exchange with self. */
    {
        int out = rank + 77, in = 0;
        MPI_Sendrecv(&out, 1, MPI_INT, rank, 4, &in, 1, MPI_INT, rank, 4, MPI_COMM_WORLD, &st);
        long long rep = 1000000007LL * (rank + 1);
        MPI_Sendrecv_replace(&rep, 1, MPI_LONG_LONG, rank, 5, rank, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        printf("self rank %d: %d %lld\n", rank, in, rep);
    }

    /* Sendrecv_replace rotating a token twice around the ring. */
    {
        int tok[2] = {rank, 0};
        for (int step = 0; step < 2 * size; step++) {
            tok[1] += rank;
            MPI_Sendrecv_replace(tok, 2, MPI_INT, right, 6, left, 6, MPI_COMM_WORLD, &st);
        }
        printf("rotate rank %d: token %d sum %d\n", rank, tok[0], tok[1]);
    }

    /* Large in-place exchange. */
    {
        int *buf = malloc(BIG * sizeof(int));
        for (int i = 0; i < BIG; i++) buf[i] = rank * 1000 + i;
        MPI_Sendrecv_replace(buf, BIG, MPI_INT, left, 7, right, 7, MPI_COMM_WORLD, &st);
        int bad = 0, count;
        for (int i = 0; i < BIG; i++) bad += buf[i] != right * 1000 + i;
        MPI_Get_count(&st, MPI_INT, &count);
        printf("big replace rank %d: count %d from %d wrong %d\n", rank, count, st.MPI_SOURCE, bad);
        free(buf);
    }

    /* Strided replace: only every other element of the array takes part. */
    {
        MPI_Datatype every_other;
        MPI_Type_vector(4, 1, 2, MPI_INT, &every_other);
        MPI_Type_commit(&every_other);
        int a[8];
        for (int i = 0; i < 8; i++) a[i] = rank * 10 + i;
        MPI_Sendrecv_replace(a, 1, every_other, right, 8, left, 8, MPI_COMM_WORLD, &st);
        printf("strided rank %d:", rank);
        for (int i = 0; i < 8; i++) printf(" %d", a[i]);
        printf("\n");
        /* Send strided, receive contiguous. */
        int c[4] = {0, 0, 0, 0};
        MPI_Sendrecv(a, 1, every_other, left, 9, c, 4, MPI_INT, right, 9, MPI_COMM_WORLD, &st);
        printf("strided to contiguous rank %d: %d %d %d %d\n", rank, c[0], c[1], c[2], c[3]);
        MPI_Type_free(&every_other);
    }

    printf("rank %d: done p2p_sendrecv\n", rank);
    MPI_Finalize();
    return 0;
}

/* Point-to-point basics: ring exchange, ANY_SOURCE/ANY_TAG with status,
 * non-overtaking order, large (rendezvous-sized) messages, MPI_PROC_NULL. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BIG (1 << 18) /* 256 Ki ints = 1 MiB: above any eager limit */

int main(int argc, char **argv) {
    int rank, size;
    MPI_Status st;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* Ring: send my rank right with tag = 100 + rank, receive from the left with ANY_TAG. */
    int right = (rank + 1) % size, left = (rank + size - 1) % size, got = -1;
    if (rank % 2 == 0) {
        MPI_Send(&rank, 1, MPI_INT, right, 100 + rank, MPI_COMM_WORLD);
        MPI_Recv(&got, 1, MPI_INT, left, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    } else {
        MPI_Recv(&got, 1, MPI_INT, left, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        MPI_Send(&rank, 1, MPI_INT, right, 100 + rank, MPI_COMM_WORLD);
    }
    printf("ring: rank %d got %d from %d tag %d\n", rank, got, st.MPI_SOURCE, st.MPI_TAG);

    /* Gather to rank 0 with wildcards: every other rank sends (rank*10) with tag rank. */
    if (rank == 0) {
        int *seen = calloc(size, sizeof(int));
        for (int i = 1; i < size; i++) {
            int v;
            MPI_Recv(&v, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
            if (v == st.MPI_SOURCE * 10 && st.MPI_TAG == st.MPI_SOURCE) seen[st.MPI_SOURCE]++;
        }
        for (int i = 1; i < size; i++) printf("wildcard: from %d seen %d\n", i, seen[i]);
        free(seen);
    } else {
        int v = rank * 10;
        MPI_Send(&v, 1, MPI_INT, 0, rank, MPI_COMM_WORLD);
    }

    /* Keep the wildcard receives above from matching the messages below. */
    MPI_Barrier(MPI_COMM_WORLD);

    /* Non-overtaking: rank 1 sends 5 messages with one tag; rank 0 sees them in order. */
    if (size > 1) {
        if (rank == 1)
            for (int i = 0; i < 5; i++) MPI_Send(&i, 1, MPI_INT, 0, 7, MPI_COMM_WORLD);
        if (rank == 0) {
            printf("order:");
            for (int i = 0; i < 5; i++) {
                int v;
                MPI_Recv(&v, 1, MPI_INT, 1, MPI_ANY_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                printf(" %d", v);
            }
            printf("\n");
        }
    }

    /* Large messages between pairs (0<->1, 2<->3, ...), both orders of send/recv. */
    if (rank < size - size % 2) {
        int peer = rank ^ 1;
        int *out = malloc(BIG * sizeof(int)), *in = malloc(BIG * sizeof(int));
        for (int i = 0; i < BIG; i++) out[i] = rank * 1000003 + i;
        if (rank % 2 == 0) {
            MPI_Send(out, BIG, MPI_INT, peer, 1, MPI_COMM_WORLD);
            MPI_Recv(in, BIG, MPI_INT, peer, 1, MPI_COMM_WORLD, &st);
        } else {
            MPI_Recv(in, BIG, MPI_INT, peer, 1, MPI_COMM_WORLD, &st);
            MPI_Send(out, BIG, MPI_INT, peer, 1, MPI_COMM_WORLD);
        }
        long bad = 0;
        for (int i = 0; i < BIG; i++) bad += in[i] != peer * 1000003 + i;
        printf("big: rank %d from %d wrong %ld\n", rank, st.MPI_SOURCE, bad);
        free(out);
        free(in);
    }

    /* A receive buffer larger than the message. */
    if (size > 1) {
        if (rank == 1) {
            double d[3] = {1.5, 2.5, 3.5};
            MPI_Send(d, 3, MPI_DOUBLE, 0, 9, MPI_COMM_WORLD);
        } else if (rank == 0) {
            double d[10] = {0};
            MPI_Recv(d, 10, MPI_DOUBLE, 1, 9, MPI_COMM_WORLD, &st);
            printf("short: %g %g %g %g tag %d\n", d[0], d[1], d[2], d[3], st.MPI_TAG);
        }
    }

    /* MPI_PROC_NULL: sends vanish, receives complete at once with a null status. */
    int x = 5;
    MPI_Send(&x, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_COMM_WORLD);
    MPI_Recv(&x, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_COMM_WORLD, &st);
    printf("procnull: rank %d x %d source %d tag %d\n", rank, x,
           st.MPI_SOURCE == MPI_PROC_NULL, st.MPI_TAG == MPI_ANY_TAG);

    MPI_Finalize();
    return 0;
}

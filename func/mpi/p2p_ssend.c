/* Synchronous sends: MPI_Ssend/MPI_Issend complete only once the matching receive
 * has started. An Issend is tested while no receive is posted (never complete, even
 * after the receiver probed the message), rings with pre-posted receives and with
 * even/odd ordering, zero-length and large synchronous messages, ANY_SOURCE. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BIG (200 * 1000)

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;

    /* Nobody posts a receive before the barrier, so no Issend can complete before. */
    {
        int v = rank + 100, w = -1, flag = 0, early = 0;
        MPI_Request r;
        MPI_Issend(&v, 1, MPI_INT, right, 1, MPI_COMM_WORLD, &r);
        for (int i = 0; i < 20; i++) {
            MPI_Test(&r, &flag, MPI_STATUS_IGNORE);
            early += flag;
        }
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Recv(&w, 1, MPI_INT, left, 1, MPI_COMM_WORLD, &st);
        if (!early) MPI_Wait(&r, MPI_STATUS_IGNORE);
        printf("issend rank %d: early completions %d got %d from %d\n", rank, early, w, st.MPI_SOURCE);
    }

    /* A probe is not a receive: the sender learns its message was probed, and its
     * Issend is still incomplete. */
    {
        int v = rank * 2, w = -1, ack = 0, flag = 0, early = 0;
        MPI_Request r, ar;
        MPI_Issend(&v, 1, MPI_INT, right, 3, MPI_COMM_WORLD, &r);
        MPI_Probe(left, 3, MPI_COMM_WORLD, &st);
        int probed_from = st.MPI_SOURCE;
        MPI_Isend(&ack, 1, MPI_INT, left, 4, MPI_COMM_WORLD, &ar);
        MPI_Recv(&ack, 1, MPI_INT, right, 4, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        for (int i = 0; i < 20; i++) {
            MPI_Test(&r, &flag, MPI_STATUS_IGNORE);
            early += flag;
        }
        MPI_Wait(&ar, MPI_STATUS_IGNORE);
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Recv(&w, 1, MPI_INT, left, 3, MPI_COMM_WORLD, &st);
        if (!early) MPI_Wait(&r, MPI_STATUS_IGNORE);
        printf("probed rank %d: early completions %d probed from %d got %d\n", rank, early, probed_from, w);
    }

    /* Ring of blocking Ssends into pre-posted receives (works for one rank too). */
    {
        double v = rank * 1.5, w = -1;
        MPI_Request r;
        MPI_Irecv(&w, 1, MPI_DOUBLE, left, 5, MPI_COMM_WORLD, &r);
        MPI_Ssend(&v, 1, MPI_DOUBLE, right, 5, MPI_COMM_WORLD);
        MPI_Wait(&r, &st);
        printf("preposted rank %d: got %g from %d tag %d\n", rank, w, st.MPI_SOURCE, st.MPI_TAG);
    }

    /* Even ranks Ssend first, odd ranks receive first. */
    if (size > 1) {
        int v[2] = {rank, rank * rank}, w[2] = {-1, -1};
        if (rank % 2 == 0) {
            MPI_Ssend(v, 2, MPI_INT, right, 6, MPI_COMM_WORLD);
            MPI_Recv(w, 2, MPI_INT, left, 6, MPI_COMM_WORLD, &st);
        } else {
            MPI_Recv(w, 2, MPI_INT, left, 6, MPI_COMM_WORLD, &st);
            MPI_Ssend(v, 2, MPI_INT, right, 6, MPI_COMM_WORLD);
        }
        printf("evenodd rank %d: %d %d from %d\n", rank, w[0], w[1], st.MPI_SOURCE);
    }

    /* Zero-length and large synchronous messages. */
    {
        MPI_Request r;
        int dummy = 7, count;
        MPI_Irecv(&dummy, 1, MPI_INT, left, 7, MPI_COMM_WORLD, &r);
        MPI_Ssend(NULL, 0, MPI_INT, right, 7, MPI_COMM_WORLD);
        MPI_Wait(&r, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        printf("zero rank %d: count %d from %d dummy %d\n", rank, count, st.MPI_SOURCE, dummy);

        int *out = malloc(BIG * sizeof(int)), *in = malloc(BIG * sizeof(int));
        for (int i = 0; i < BIG; i++) out[i] = rank ^ i;
        MPI_Irecv(in, BIG, MPI_INT, left, 8, MPI_COMM_WORLD, &r);
        MPI_Ssend(out, BIG, MPI_INT, right, 8, MPI_COMM_WORLD);
        MPI_Wait(&r, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        int bad = 0;
        for (int i = 0; i < BIG; i++) bad += in[i] != (left ^ i);
        printf("big rank %d: count %d wrong %d\n", rank, count, bad);
        free(out);
        free(in);
    }

    /* Everyone Issends to rank 0, which receives with ANY_SOURCE; all Issends
     * complete only after rank 0 received them, then the final barrier. */
    {
        int v = rank * 3 + 1;
        MPI_Request r;
        MPI_Issend(&v, 1, MPI_INT, 0, 9, MPI_COMM_WORLD, &r);
        if (rank == 0) {
            int sum = 0, ok = 0;
            for (int i = 0; i < size; i++) {
                int w;
                MPI_Recv(&w, 1, MPI_INT, MPI_ANY_SOURCE, 9, MPI_COMM_WORLD, &st);
                sum += w;
                ok += w == st.MPI_SOURCE * 3 + 1;
            }
            printf("anysource: sum %d ok %d of %d\n", sum, ok, size);
        }
        MPI_Wait(&r, &st);
    }

    /* Ssend to MPI_PROC_NULL completes at once. */
    MPI_Ssend(&rank, 1, MPI_INT, MPI_PROC_NULL, 10, MPI_COMM_WORLD);

    printf("rank %d: done p2p_ssend\n", rank);
    MPI_Finalize();
    return 0;
}

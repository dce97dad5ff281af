/* Buffered sends: MPI_Buffer_attach sized with MPI_Pack_size + MPI_BSEND_OVERHEAD,
 * MPI_Bsend/MPI_Ibsend complete before any receive is posted (even large ones),
 * MPI_Buffer_detach gives back the same buffer and size, attach/detach cycles reuse
 * one buffer, Bsend to self and to MPI_PROC_NULL. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BIG 50000

static int bsend_space(int count, MPI_Datatype t) {
    int s;
    MPI_Pack_size(count, t, MPI_COMM_WORLD, &s);
    return s + MPI_BSEND_OVERHEAD;
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;

    /* Five buffered messages (one large) leave before anyone receives: the barrier
     * would deadlock if a Bsend waited for its receiver. */
    {
        int bufsize = 4 * bsend_space(10, MPI_INT) + bsend_space(BIG, MPI_INT);
        char *buf = malloc(bufsize);
        MPI_Buffer_attach(buf, bufsize);
        int small[4][10], *big = malloc(BIG * sizeof(int));
        for (int m = 0; m < 4; m++)
            for (int i = 0; i < 10; i++) small[m][i] = rank * 1000 + m * 10 + i;
        for (int i = 0; i < BIG; i++) big[i] = rank + 2 * i;
        for (int m = 0; m < 4; m++) MPI_Bsend(small[m], 10, MPI_INT, right, m, MPI_COMM_WORLD);
        MPI_Bsend(big, BIG, MPI_INT, right, 9, MPI_COMM_WORLD);
        /* The send buffers may be reused at once: the data was copied. */
        for (int m = 0; m < 4; m++)
            for (int i = 0; i < 10; i++) small[m][i] = -1;
        for (int i = 0; i < BIG; i++) big[i] = -1;
        MPI_Barrier(MPI_COMM_WORLD);
        int got[10], ok = 0;
        for (int m = 3; m >= 0; m--) {
            MPI_Recv(got, 10, MPI_INT, left, m, MPI_COMM_WORLD, &st);
            int good = st.MPI_TAG == m;
            for (int i = 0; i < 10; i++) good &= got[i] == left * 1000 + m * 10 + i;
            ok += good;
        }
        MPI_Recv(big, BIG, MPI_INT, left, 9, MPI_COMM_WORLD, &st);
        int count, bad = 0;
        MPI_Get_count(&st, MPI_INT, &count);
        for (int i = 0; i < BIG; i++) bad += big[i] != left + 2 * i;
        void *back;
        int backsize;
        MPI_Buffer_detach(&back, &backsize);
        printf("bsend rank %d: small ok %d of 4 big count %d wrong %d detach same %d size same %d\n", rank, ok, count,
               bad, back == buf, backsize == bufsize);
        free(big);
        free(buf);
    }

    /* Attach/detach cycles with one buffer that fits three messages; Ibsend too. */
    {
        int bufsize = 3 * bsend_space(2, MPI_DOUBLE);
        char *buf = malloc(bufsize);
        printf("cycles rank %d:", rank);
        for (int round = 0; round < 3; round++) {
            MPI_Buffer_attach(buf, bufsize);
            double d[3][2];
            MPI_Request r[3];
            for (int m = 0; m < 3; m++) {
                d[m][0] = rank + round * 10 + m;
                d[m][1] = -0.5 * (m + 1);
                if (m == 1) MPI_Ibsend(d[m], 2, MPI_DOUBLE, right, 20 + m, MPI_COMM_WORLD, &r[m]);
                else MPI_Bsend(d[m], 2, MPI_DOUBLE, right, 20 + m, MPI_COMM_WORLD);
            }
            MPI_Wait(&r[1], MPI_STATUS_IGNORE);
            for (int m = 0; m < 3; m++) {
                double e[2];
                MPI_Recv(e, 2, MPI_DOUBLE, left, 20 + m, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                printf(" %g/%g", e[0], e[1]);
            }
            void *back;
            int backsize;
            MPI_Buffer_detach(&back, &backsize);
            printf(" [%d]", back == buf && backsize == bufsize);
        }
        printf("\n");
        free(buf);
    }

    /* Bsend to self (the receive comes after), and to MPI_PROC_NULL. */
    {
        int bufsize = 2 * bsend_space(3, MPI_INT);
        char *buf = malloc(bufsize);
        MPI_Buffer_attach(buf, bufsize);
        int v[3] = {rank, rank + 1, rank + 2}, w[3];
        MPI_Bsend(v, 3, MPI_INT, rank, 30, MPI_COMM_WORLD);
        MPI_Bsend(v, 3, MPI_INT, MPI_PROC_NULL, 30, MPI_COMM_WORLD);
        MPI_Recv(w, 3, MPI_INT, rank, 30, MPI_COMM_WORLD, &st);
        void *back;
        int backsize;
        MPI_Buffer_detach(&back, &backsize);
        printf("self rank %d: %d %d %d from self %d\n", rank, w[0], w[1], w[2], st.MPI_SOURCE == rank);
        free(buf);
    }

    printf("rank %d: done p2p_bsend\n", rank);
    MPI_Finalize();
    return 0;
}

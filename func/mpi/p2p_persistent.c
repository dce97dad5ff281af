/* Persistent requests: Send_init, Ssend_init and Recv_init started many times with
 * Start and Startall, completed with Wait, Waitall, Test and Waitany; the buffer is
 * read at each Start; wildcard persistent receives; MPI_PROC_NULL peers; large
 * messages; Wait/Test on an inactive persistent request; Request_free of inactive
 * persistent requests. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BIG 100000

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;

    /* Ring with Send_init/Recv_init restarted five times through Startall/Waitall;
     * the send buffer changes between rounds and each round sees the new value. */
    {
        int out[2], in[2] = {-1, -1};
        MPI_Request rq[2];
        MPI_Status sts[2];
        MPI_Recv_init(in, 2, MPI_INT, left, 1, MPI_COMM_WORLD, &rq[0]);
        MPI_Send_init(out, 2, MPI_INT, right, 1, MPI_COMM_WORLD, &rq[1]);
        printf("ring rank %d:", rank);
        for (int round = 0; round < 5; round++) {
            out[0] = rank * 100 + round;
            out[1] = -round;
            MPI_Startall(2, rq);
            MPI_Waitall(2, rq, sts);
            int count;
            MPI_Get_count(&sts[0], MPI_INT, &count);
            printf(" [%d %d src %d tag %d n %d]", in[0], in[1], sts[0].MPI_SOURCE, sts[0].MPI_TAG, count);
        }
        printf(" kept %d %d\n", rq[0] != MPI_REQUEST_NULL, rq[1] != MPI_REQUEST_NULL);
        MPI_Request_free(&rq[0]);
        MPI_Request_free(&rq[1]);
        printf("ring free rank %d: null %d %d\n", rank, rq[0] == MPI_REQUEST_NULL, rq[1] == MPI_REQUEST_NULL);
    }

    /* Ssend_init around the ring, started separately after the receive: Start, Wait
     * on each. The receive is always started first, so synchronous sends complete. */
    {
        double out = 0, in = -1;
        MPI_Request rr, sr;
        MPI_Recv_init(&in, 1, MPI_DOUBLE, left, 2, MPI_COMM_WORLD, &rr);
        MPI_Ssend_init(&out, 1, MPI_DOUBLE, right, 2, MPI_COMM_WORLD, &sr);
        printf("ssend rank %d:", rank);
        for (int round = 0; round < 4; round++) {
            out = rank + round * 0.5;
            MPI_Start(&rr);
            MPI_Start(&sr);
            MPI_Wait(&sr, &st);
            MPI_Wait(&rr, &st);
            printf(" %g/%d", in, st.MPI_SOURCE);
        }
        printf("\n");
        MPI_Request_free(&sr);
        MPI_Request_free(&rr);
    }

    /* Rank 0 collects one message from every rank (itself included) through one
     * persistent ANY_SOURCE/ANY_TAG receive restarted size times. */
    {
        int v = rank * rank + 1;
        MPI_Request sr;
        MPI_Isend(&v, 1, MPI_INT, 0, 10 + rank, MPI_COMM_WORLD, &sr);
        if (rank == 0) {
            int got, sum = 0, tags_ok = 0;
            MPI_Request rr;
            MPI_Recv_init(&got, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &rr);
            for (int i = 0; i < size; i++) {
                MPI_Start(&rr);
                int flag = 0;
                while (!flag) MPI_Test(&rr, &flag, &st);
                sum += got;
                tags_ok += st.MPI_TAG == 10 + st.MPI_SOURCE && got == st.MPI_SOURCE * st.MPI_SOURCE + 1;
            }
            /* Test and Wait on the now inactive request return at once, empty status. */
            int flag = 0;
            st.MPI_SOURCE = 12345;
            MPI_Test(&rr, &flag, &st);
            int empty_test = flag && st.MPI_SOURCE == MPI_ANY_SOURCE && st.MPI_TAG == MPI_ANY_TAG;
            st.MPI_SOURCE = 12345;
            MPI_Wait(&rr, &st);
            int count = -1;
            MPI_Get_count(&st, MPI_INT, &count);
            int empty_wait = st.MPI_SOURCE == MPI_ANY_SOURCE && st.MPI_TAG == MPI_ANY_TAG && count == 0;
            printf("anysource: sum %d tags ok %d of %d inactive test %d wait %d kept %d\n", sum, tags_ok, size,
                   empty_test, empty_wait, rr != MPI_REQUEST_NULL);
            MPI_Request_free(&rr);
        }
        MPI_Wait(&sr, MPI_STATUS_IGNORE);
    }

    MPI_Barrier(MPI_COMM_WORLD);

    /* Waitany over persistent receives from left: each completes once, and when all
     * are inactive Waitany reports MPI_UNDEFINED (inactive counts as null). */
    {
        int in[3] = {-1, -1, -1}, out[3];
        MPI_Request rr[3], sr[3];
        for (int i = 0; i < 3; i++) {
            MPI_Recv_init(&in[i], 1, MPI_INT, left, 20 + i, MPI_COMM_WORLD, &rr[i]);
            MPI_Send_init(&out[i], 1, MPI_INT, right, 20 + i, MPI_COMM_WORLD, &sr[i]);
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 3; i++) out[i] = 1000 * round + 10 * rank + i;
            MPI_Startall(3, rr);
            MPI_Startall(3, sr);
            int mask = 0, idx;
            for (int k = 0; k < 3; k++) {
                MPI_Waitany(3, rr, &idx, &st);
                if (st.MPI_TAG == 20 + idx) mask |= 1 << idx;
            }
            MPI_Waitany(3, rr, &idx, &st);
            int undef = idx == MPI_UNDEFINED;
            MPI_Waitall(3, sr, MPI_STATUSES_IGNORE);
            printf("waitany rank %d round %d: %d %d %d mask %d undefined %d\n", rank, round, in[0], in[1], in[2],
                   mask, undef);
        }
        for (int i = 0; i < 3; i++) {
            MPI_Request_free(&rr[i]);
            MPI_Request_free(&sr[i]);
        }
    }

    /* MPI_PROC_NULL persistent requests complete at once with a null status. */
    {
        int x = 7, y = 9;
        MPI_Request rq[2];
        MPI_Send_init(&x, 1, MPI_INT, MPI_PROC_NULL, 3, MPI_COMM_WORLD, &rq[0]);
        MPI_Recv_init(&y, 1, MPI_INT, MPI_PROC_NULL, 3, MPI_COMM_WORLD, &rq[1]);
        int ok = 0;
        for (int round = 0; round < 3; round++) {
            MPI_Status sts[2];
            MPI_Startall(2, rq);
            MPI_Waitall(2, rq, sts);
            int count = -1;
            MPI_Get_count(&sts[1], MPI_INT, &count);
            ok += sts[1].MPI_SOURCE == MPI_PROC_NULL && sts[1].MPI_TAG == MPI_ANY_TAG && count == 0 && y == 9;
        }
        MPI_Request_free(&rq[0]);
        MPI_Request_free(&rq[1]);
        printf("procnull rank %d: ok %d of 3\n", rank, ok);
    }

    /* Large persistent messages (well above any eager limit), restarted. */
    {
        int *out = malloc(BIG * sizeof(int)), *in = malloc(BIG * sizeof(int));
        MPI_Request rq[2];
        MPI_Recv_init(in, BIG, MPI_INT, left, 4, MPI_COMM_WORLD, &rq[0]);
        MPI_Send_init(out, BIG, MPI_INT, right, 4, MPI_COMM_WORLD, &rq[1]);
        printf("big rank %d:", rank);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < BIG; i++) out[i] = rank * 7 + round * 3 + i;
            MPI_Startall(2, rq);
            MPI_Waitall(2, rq, MPI_STATUSES_IGNORE);
            long long sum = 0;
            int bad = 0;
            for (int i = 0; i < BIG; i++) {
                sum += in[i];
                bad += in[i] != left * 7 + round * 3 + i;
            }
            printf(" %lld/%d", sum, bad);
        }
        printf("\n");
        MPI_Request_free(&rq[0]);
        MPI_Request_free(&rq[1]);
        free(out);
        free(in);
    }

    /* A persistent send matched by ordinary receives, and an ordinary send matched
     * by a persistent receive; a receive buffer larger than the message. */
    {
        int out[4] = {rank, rank + 1, rank + 2, rank + 3}, in[8];
        MPI_Request sr, rr;
        MPI_Send_init(out, 4, MPI_INT, right, 5, MPI_COMM_WORLD, &sr);
        MPI_Recv_init(in, 8, MPI_INT, left, 6, MPI_COMM_WORLD, &rr);
        printf("mixed rank %d:", rank);
        for (int round = 0; round < 3; round++) {
            int got[4];
            MPI_Start(&sr);
            MPI_Recv(got, 4, MPI_INT, left, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Wait(&sr, MPI_STATUS_IGNORE);
            MPI_Start(&rr);
            int two[2] = {round, rank};
            MPI_Send(two, 2, MPI_INT, right, 6, MPI_COMM_WORLD);
            MPI_Wait(&rr, &st);
            int count;
            MPI_Get_count(&st, MPI_INT, &count);
            printf(" %d,%d,%d:%d,%d/%d", got[0], got[3], round, in[0], in[1], count);
        }
        printf("\n");
        MPI_Request_free(&sr);
        MPI_Request_free(&rr);
    }

    /* MPI_Bsend_init with an attached buffer, and MPI_Rsend_init whose receive is
     * started (and a barrier passed) before every start of the send. */
    {
        int bsize = 4 * (2 * (int)sizeof(int) + MPI_BSEND_OVERHEAD);
        char *attach = malloc(bsize);
        MPI_Buffer_attach(attach, bsize);
        int bout[2], bin[2], rout, rin;
        MPI_Request b[2], rs, rr;
        MPI_Recv_init(bin, 2, MPI_INT, left, 30, MPI_COMM_WORLD, &b[0]);
        MPI_Bsend_init(bout, 2, MPI_INT, right, 30, MPI_COMM_WORLD, &b[1]);
        MPI_Recv_init(&rin, 1, MPI_INT, left, 31, MPI_COMM_WORLD, &rr);
        MPI_Rsend_init(&rout, 1, MPI_INT, right, 31, MPI_COMM_WORLD, &rs);
        int bsum = 0, rsum = 0;
        for (int round = 0; round < 3; round++) {
            bout[0] = rank * 100 + round;
            bout[1] = -round;
            MPI_Startall(2, b);
            MPI_Waitall(2, b, MPI_STATUSES_IGNORE);
            bsum += bin[0] + bin[1];
            MPI_Start(&rr);
            MPI_Barrier(MPI_COMM_WORLD);
            rout = rank + 10 * round;
            MPI_Start(&rs);
            MPI_Wait(&rs, MPI_STATUS_IGNORE);
            MPI_Wait(&rr, MPI_STATUS_IGNORE);
            rsum += rin;
        }
        int *p, psize;
        MPI_Buffer_detach(&p, &psize);
        printf("rank %d: bsend_init sum %d rsend_init sum %d detached %d\n", rank, bsum, rsum,
               p == (int *)attach && psize == bsize);
        for (int i = 0; i < 2; i++) MPI_Request_free(&b[i]);
        MPI_Request_free(&rs);
        MPI_Request_free(&rr);
        free(attach);
    }

    printf("rank %d: done p2p_persistent\n", rank);
    MPI_Finalize();
    return 0;
}

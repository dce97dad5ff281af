/* MPI_PROC_NULL as source or destination of every point-to-point call: the sends
 * complete at once, the receives complete at once without touching the buffer,
 * with status source MPI_PROC_NULL, tag MPI_ANY_TAG and count 0. Covers Send,
 * Ssend, Bsend, Rsend, their nonblocking forms, Recv, Irecv, Sendrecv,
 * Sendrecv_replace, Probe, Iprobe, Mprobe/Mrecv, Improbe/Imrecv, and completion
 * with Wait, Test, Waitall, Waitany, Testall. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int null_status(const MPI_Status *st) {
    int count = -1, elems = -1, cancelled = 1;
    MPI_Get_count(st, MPI_INT, &count);
    MPI_Get_elements(st, MPI_INT, &elems);
    MPI_Test_cancelled(st, &cancelled);
    return st->MPI_SOURCE == MPI_PROC_NULL && st->MPI_TAG == MPI_ANY_TAG && count == 0 && elems == 0 &&
           !cancelled;
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Status st;
    int buf[4] = {11, 22, 33, 44};
    const int P = MPI_PROC_NULL;

    /* Blocking sends of every mode. */
    {
        int bsize = 64 + MPI_BSEND_OVERHEAD;
        char *b = malloc(bsize);
        MPI_Buffer_attach(b, bsize);
        int e = 0;
        e |= MPI_Send(buf, 4, MPI_INT, P, 1, MPI_COMM_WORLD);
        e |= MPI_Ssend(buf, 4, MPI_INT, P, 1, MPI_COMM_WORLD);
        e |= MPI_Bsend(buf, 4, MPI_INT, P, 1, MPI_COMM_WORLD);
        e |= MPI_Rsend(buf, 4, MPI_INT, P, 1, MPI_COMM_WORLD);
        void *back;
        int backsize;
        MPI_Buffer_detach(&back, &backsize);
        free(b);
        printf("blocking sends rank %d: success %d\n", rank, e == MPI_SUCCESS);
    }

    /* Nonblocking sends, completed with Waitall, Test and Waitany. */
    {
        MPI_Request r[4];
        MPI_Status sts[4];
        int bsize = 64 + MPI_BSEND_OVERHEAD;
        char *b = malloc(bsize);
        MPI_Buffer_attach(b, bsize);
        MPI_Isend(buf, 4, MPI_INT, P, 2, MPI_COMM_WORLD, &r[0]);
        MPI_Issend(buf, 4, MPI_INT, P, 2, MPI_COMM_WORLD, &r[1]);
        MPI_Ibsend(buf, 4, MPI_INT, P, 2, MPI_COMM_WORLD, &r[2]);
        MPI_Irsend(buf, 4, MPI_INT, P, 2, MPI_COMM_WORLD, &r[3]);
        int flag = 0, idx;
        MPI_Test(&r[0], &flag, MPI_STATUS_IGNORE);
        MPI_Waitany(4, r, &idx, MPI_STATUS_IGNORE);
        MPI_Waitall(4, r, sts);
        int nulls = 0;
        for (int i = 0; i < 4; i++) nulls += r[i] == MPI_REQUEST_NULL;
        void *back;
        int backsize;
        MPI_Buffer_detach(&back, &backsize);
        free(b);
        printf("nonblocking sends rank %d: test flag %d waitany valid %d null requests %d\n", rank, flag,
               idx >= 1 && idx < 4, nulls);
    }

    /* Blocking receive. */
    {
        int in[4] = {-1, -2, -3, -4};
        st.MPI_SOURCE = 12345;
        MPI_Recv(in, 4, MPI_INT, P, 3, MPI_COMM_WORLD, &st);
        printf("recv rank %d: null status %d untouched %d\n", rank, null_status(&st), in[0] == -1 && in[3] == -4);
        MPI_Recv(in, 4, MPI_INT, P, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        printf("recv any tag rank %d: null status %d\n", rank, null_status(&st));
    }

    /* Nonblocking receives completed with Wait, Test, Waitall, Testall. */
    {
        int in[3] = {5, 6, 7}, flag = 0;
        MPI_Request r;
        MPI_Irecv(&in[0], 1, MPI_INT, P, 4, MPI_COMM_WORLD, &r);
        MPI_Wait(&r, &st);
        int w = null_status(&st);
        MPI_Irecv(&in[1], 1, MPI_INT, P, 4, MPI_COMM_WORLD, &r);
        while (!flag) MPI_Test(&r, &flag, &st);
        int t = null_status(&st);
        MPI_Request rs[2];
        MPI_Status sts[2];
        MPI_Irecv(&in[2], 1, MPI_INT, P, 4, MPI_COMM_WORLD, &rs[0]);
        MPI_Irecv(&in[2], 1, MPI_INT, P, MPI_ANY_TAG, MPI_COMM_WORLD, &rs[1]);
        MPI_Waitall(2, rs, sts);
        int wa = null_status(&sts[0]) && null_status(&sts[1]);
        MPI_Irecv(&in[2], 1, MPI_INT, P, 4, MPI_COMM_WORLD, &rs[0]);
        MPI_Irecv(&in[2], 1, MPI_INT, P, 5, MPI_COMM_WORLD, &rs[1]);
        flag = 0;
        while (!flag) MPI_Testall(2, rs, &flag, sts);
        int ta = null_status(&sts[0]) && null_status(&sts[1]);
        printf("irecv rank %d: wait %d test %d waitall %d testall %d untouched %d\n", rank, w, t, wa, ta,
               in[0] == 5 && in[1] == 6 && in[2] == 7);
    }

    /* Sendrecv with one or both sides null; Sendrecv_replace keeps the buffer. */
    {
        int in = -1, out = rank, count;
        MPI_Sendrecv(&out, 1, MPI_INT, P, 6, &in, 1, MPI_INT, P, 6, MPI_COMM_WORLD, &st);
        int both = null_status(&st) && in == -1;
        MPI_Sendrecv(&out, 1, MPI_INT, rank, 7, &in, 1, MPI_INT, P, 7, MPI_COMM_WORLD, &st);
        int recv_null = null_status(&st) && in == -1;
        /* The message to self is still there; receive it. */
        MPI_Sendrecv(&out, 1, MPI_INT, P, 8, &in, 1, MPI_INT, rank, 7, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        int send_null = in == rank && st.MPI_SOURCE == rank && count == 1;
        int rep[2] = {rank + 1, rank + 2};
        MPI_Sendrecv_replace(rep, 2, MPI_INT, P, 9, P, 9, MPI_COMM_WORLD, &st);
        int replace = null_status(&st) && rep[0] == rank + 1 && rep[1] == rank + 2;
        printf("sendrecv rank %d: both null %d recv null %d send null %d replace %d\n", rank, both, recv_null,
               send_null, replace);
    }

    /* Probes. */
    {
        int flag = 0;
        MPI_Probe(P, 10, MPI_COMM_WORLD, &st);
        int p = null_status(&st);
        MPI_Iprobe(P, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        int ip = flag && null_status(&st);
        MPI_Message m;
        MPI_Mprobe(P, 11, MPI_COMM_WORLD, &m, &st);
        int mp = m == MPI_MESSAGE_NO_PROC && null_status(&st);
        int x = 99;
        MPI_Mrecv(&x, 1, MPI_INT, &m, &st);
        int mr = null_status(&st) && x == 99 && m == MPI_MESSAGE_NULL;
        flag = 0;
        MPI_Improbe(P, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &m, &st);
        int imp = flag && m == MPI_MESSAGE_NO_PROC && null_status(&st);
        MPI_Request r;
        MPI_Imrecv(&x, 1, MPI_INT, &m, &r);
        MPI_Wait(&r, &st);
        int imr = null_status(&st) && x == 99;
        printf("probes rank %d: probe %d iprobe %d mprobe %d mrecv %d improbe %d imrecv %d\n", rank, p, ip, mp, mr,
               imp, imr);
    }

    /* A real message is unaffected by all of the above. */
    {
        int right = (rank + 1) % size, left = (rank + size - 1) % size, v = rank * 9, w = -1;
        MPI_Sendrecv(&v, 1, MPI_INT, right, 12, &w, 1, MPI_INT, left, 12, MPI_COMM_WORLD, &st);
        printf("real rank %d: got %d from %d\n", rank, w, st.MPI_SOURCE);
    }

    printf("rank %d: done p2p_proc_null\n", rank);
    MPI_Finalize();
    return 0;
}

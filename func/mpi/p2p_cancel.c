/* MPI_Cancel of receives and MPI_Test_cancelled: unmatched receives (specific and
 * wildcard sources) are cancelled, completed with Wait, Test or Waitall, leave
 * their buffers alone and consume no message; a receive that already completed
 * cannot be cancelled; ordinary statuses report "not cancelled". */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;
    int cancelled;

    /* An unmatched receive from a specific source, completed with Wait. */
    {
        int buf[4] = {7, 7, 7, 7};
        MPI_Request r;
        MPI_Irecv(buf, 4, MPI_INT, left, 1, MPI_COMM_WORLD, &r);
        MPI_Cancel(&r);
        MPI_Wait(&r, &st);
        MPI_Test_cancelled(&st, &cancelled);
        printf("wait rank %d: cancelled %d untouched %d null %d\n", rank, cancelled,
               buf[0] == 7 && buf[3] == 7, r == MPI_REQUEST_NULL);
    }

    /* Wildcard receives cancelled and completed with Test and with Waitall. */
    {
        int a = 1, b = 2, c = 3, flag = 0;
        MPI_Request r, rs[2];
        MPI_Status sts[2];
        MPI_Irecv(&a, 1, MPI_INT, MPI_ANY_SOURCE, 2, MPI_COMM_WORLD, &r);
        MPI_Cancel(&r);
        while (!flag) MPI_Test(&r, &flag, &st);
        MPI_Test_cancelled(&st, &cancelled);
        MPI_Irecv(&b, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &rs[0]);
        MPI_Irecv(&c, 1, MPI_INT, right, MPI_ANY_TAG, MPI_COMM_WORLD, &rs[1]);
        MPI_Cancel(&rs[1]);
        MPI_Cancel(&rs[0]);
        MPI_Waitall(2, rs, sts);
        int c0, c1;
        MPI_Test_cancelled(&sts[0], &c0);
        MPI_Test_cancelled(&sts[1], &c1);
        printf("wildcard rank %d: test cancelled %d waitall cancelled %d %d values %d %d %d\n", rank, cancelled, c0,
               c1, a, b, c);
    }

    MPI_Barrier(MPI_COMM_WORLD);

    /* A cancelled receive consumes nothing: the message sent afterwards goes to the
     * next matching receive. */
    {
        int x = -1, y = -1, v = rank * 5;
        MPI_Request r;
        MPI_Irecv(&x, 1, MPI_INT, left, 3, MPI_COMM_WORLD, &r);
        MPI_Cancel(&r);
        MPI_Wait(&r, &st);
        MPI_Test_cancelled(&st, &cancelled);
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Request s;
        MPI_Isend(&v, 1, MPI_INT, right, 3, MPI_COMM_WORLD, &s);
        MPI_Recv(&y, 1, MPI_INT, left, 3, MPI_COMM_WORLD, &st);
        int normal;
        MPI_Test_cancelled(&st, &normal);
        MPI_Wait(&s, MPI_STATUS_IGNORE);
        printf("no consume rank %d: cancelled %d x %d y %d from %d normal cancelled %d\n", rank, cancelled, x, y,
               st.MPI_SOURCE, normal);
    }

    /* Cancelling a receive that has already completed does nothing. */
    {
        int v = rank + 40, w = -1, flag = 0;
        MPI_Request r;
        MPI_Irecv(&w, 1, MPI_INT, left, 4, MPI_COMM_WORLD, &r);
        MPI_Send(&v, 1, MPI_INT, right, 4, MPI_COMM_WORLD);
        while (!flag) MPI_Request_get_status(r, &flag, MPI_STATUS_IGNORE);
        MPI_Cancel(&r);
        MPI_Wait(&r, &st);
        MPI_Test_cancelled(&st, &cancelled);
        printf("completed rank %d: cancelled %d got %d from %d tag %d\n", rank, cancelled, w, st.MPI_SOURCE,
               st.MPI_TAG);
    }

    /* Many outstanding receives, every other one cancelled; the rest get messages. */
    {
        enum { N = 6 };
        int in[N], out[N], ok = 0, cnt = 0;
        MPI_Request r[N], s[N / 2];
        MPI_Status sts[N];
        for (int t = 0; t < N; t++) {
            in[t] = -1;
            MPI_Irecv(&in[t], 1, MPI_INT, left, 50 + t, MPI_COMM_WORLD, &r[t]);
        }
        for (int t = 0; t < N; t += 2) MPI_Cancel(&r[t]);
        for (int t = 1; t < N; t += 2) {
            out[t] = rank * 10 + t;
            MPI_Isend(&out[t], 1, MPI_INT, right, 50 + t, MPI_COMM_WORLD, &s[t / 2]);
        }
        MPI_Waitall(N, r, sts);
        for (int t = 0; t < N; t++) {
            MPI_Test_cancelled(&sts[t], &cancelled);
            cnt += cancelled;
            ok += t % 2 ? !cancelled && in[t] == left * 10 + t && sts[t].MPI_TAG == 50 + t : cancelled && in[t] == -1;
        }
        MPI_Waitall(N / 2, s, MPI_STATUSES_IGNORE);
        printf("mixed rank %d: cancelled %d ok %d of %d\n", rank, cnt, ok, N);
    }

    printf("rank %d: done p2p_cancel\n", rank);
    MPI_Finalize();
    return 0;
}

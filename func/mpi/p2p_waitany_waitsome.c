/* MPI_Waitany and MPI_Waitsome: a handshake makes exactly one request completable
 * at a time, so Waitany's index order is fixed (1, 3, 0, 2); Waitany collecting from
 * every rank; Waitsome until all complete, checking that indices and statuses
 * correspond; arrays with MPI_REQUEST_NULL entries; all-null arrays give
 * MPI_UNDEFINED with an empty status. */
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

    /* Handshake: each rank receives 4 tagged messages from its left neighbour, which
     * sends the next one only after an ack, so Waitany has one choice each time. */
    {
        static const int order[4] = {1, 3, 0, 2};
        int in[4] = {-1, -1, -1, -1};
        MPI_Request r[4];
        for (int t = 0; t < 4; t++) MPI_Irecv(&in[t], 1, MPI_INT, left, t, MPI_COMM_WORLD, &r[t]);
        printf("handshake rank %d:", rank);
        for (int k = 0; k < 4; k++) {
            int v = rank * 10 + order[k], idx, ack = k;
            MPI_Request s;
            MPI_Isend(&v, 1, MPI_INT, right, order[k], MPI_COMM_WORLD, &s);
            MPI_Waitany(4, r, &idx, &st);
            printf(" %d:%d(tag %d src %d null %d)", idx, in[idx], st.MPI_TAG, st.MPI_SOURCE,
                   r[idx] == MPI_REQUEST_NULL);
            /* Tell the sender its message was consumed, wait for my own to be. */
            MPI_Request a;
            MPI_Isend(&ack, 1, MPI_INT, left, 100, MPI_COMM_WORLD, &a);
            MPI_Recv(&ack, 1, MPI_INT, right, 100, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Wait(&a, MPI_STATUS_IGNORE);
            MPI_Wait(&s, MPI_STATUS_IGNORE);
        }
        int idx = 5;
        st.MPI_SOURCE = 12345;
        MPI_Waitany(4, r, &idx, &st);
        printf(" then %s empty %d\n", idx == MPI_UNDEFINED ? "undefined" : "defined",
               st.MPI_SOURCE == MPI_ANY_SOURCE && st.MPI_TAG == MPI_ANY_TAG);
    }

    /* Waitany with null entries in the array and an empty array. */
    {
        int v = rank + 3, w = -1, idx;
        MPI_Request r[3] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL, MPI_REQUEST_NULL}, s;
        MPI_Irecv(&w, 1, MPI_INT, left, 7, MPI_COMM_WORLD, &r[2]);
        MPI_Isend(&v, 1, MPI_INT, right, 7, MPI_COMM_WORLD, &s);
        MPI_Waitany(3, r, &idx, &st);
        int idx0 = 9;
        MPI_Waitany(0, NULL, &idx0, MPI_STATUS_IGNORE);
        printf("nulls rank %d: index %d got %d from %d empty array %s\n", rank, idx, w, st.MPI_SOURCE,
               idx0 == MPI_UNDEFINED ? "undefined" : "defined");
        MPI_Wait(&s, MPI_STATUS_IGNORE);
    }

    /* Rank 0 collects (rank, rank^2) from everyone with Waitany. */
    {
        int v[2] = {rank, rank * rank};
        MPI_Request s;
        MPI_Isend(v, 2, MPI_INT, 0, 8, MPI_COMM_WORLD, &s);
        if (rank == 0) {
            int *in = malloc(2 * size * sizeof(int)), seen = 0, ok = 0;
            MPI_Request *r = malloc(size * sizeof(MPI_Request));
            for (int p = 0; p < size; p++) MPI_Irecv(&in[2 * p], 2, MPI_INT, p, 8, MPI_COMM_WORLD, &r[p]);
            for (int k = 0; k < size; k++) {
                int idx;
                MPI_Waitany(size, r, &idx, &st);
                seen |= 1 << idx;
                ok += st.MPI_SOURCE == idx && in[2 * idx] == idx && in[2 * idx + 1] == idx * idx;
            }
            printf("collect: all seen %d ok %d of %d\n", seen == (1 << size) - 1, ok, size);
            free(in);
            free(r);
        }
        MPI_Wait(&s, MPI_STATUS_IGNORE);
    }

    /* Waitsome until five receives (one of them null from the start) are done. */
    {
        enum { N = 6 };
        int in[N], out[N];
        MPI_Request r[N], s[N];
        for (int t = 0; t < N; t++) {
            in[t] = -1;
            r[t] = s[t] = MPI_REQUEST_NULL;
            if (t == 3) continue;
            MPI_Irecv(&in[t], 1, MPI_INT, left, 20 + t, MPI_COMM_WORLD, &r[t]);
        }
        for (int t = N - 1; t >= 0; t--) {
            if (t == 3) continue;
            out[t] = rank * 1000 + t;
            MPI_Isend(&out[t], 1, MPI_INT, right, 20 + t, MPI_COMM_WORLD, &s[t]);
        }
        int done = 0, mask = 0, consistent = 1, calls_ok = 1;
        while (done < N - 1) {
            int outcount, idx[N];
            MPI_Status sts[N];
            MPI_Waitsome(N, r, &outcount, idx, sts);
            calls_ok &= outcount >= 1 && outcount <= N - 1 - done;
            for (int k = 0; k < outcount; k++) {
                mask |= 1 << idx[k];
                consistent &= sts[k].MPI_TAG == 20 + idx[k] && sts[k].MPI_SOURCE == left &&
                              in[idx[k]] == left * 1000 + idx[k] && r[idx[k]] == MPI_REQUEST_NULL;
            }
            done += outcount;
        }
        int outcount, idx[N];
        MPI_Waitsome(N, r, &outcount, idx, MPI_STATUSES_IGNORE);
        printf("waitsome rank %d: mask %d consistent %d calls ok %d then %s\n", rank, mask, consistent, calls_ok,
               outcount == MPI_UNDEFINED ? "undefined" : "defined");
        MPI_Waitall(N, s, MPI_STATUSES_IGNORE);
    }

    /* Waitsome with MPI_STATUSES_IGNORE, where one handshake makes the result exact. */
    {
        int in[3] = {-1, -1, -1}, v = rank + 50;
        MPI_Request r[3];
        for (int t = 0; t < 3; t++) MPI_Irecv(&in[t], 1, MPI_INT, left, 30 + t, MPI_COMM_WORLD, &r[t]);
        MPI_Request s;
        MPI_Isend(&v, 1, MPI_INT, right, 31, MPI_COMM_WORLD, &s);
        int outcount, idx[3];
        MPI_Waitsome(3, r, &outcount, idx, MPI_STATUSES_IGNORE);
        printf("waitsome one rank %d: outcount %d index %d got %d\n", rank, outcount, idx[0], in[1]);
        MPI_Wait(&s, MPI_STATUS_IGNORE);
        MPI_Cancel(&r[0]);
        MPI_Cancel(&r[2]);
        MPI_Waitall(3, r, MPI_STATUSES_IGNORE);
    }

    printf("rank %d: done p2p_waitany_waitsome\n", rank);
    MPI_Finalize();
    return 0;
}

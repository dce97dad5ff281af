/* MPI_Test, MPI_Testall, MPI_Testany, MPI_Testsome and MPI_Request_free. Before a
 * barrier no message has been sent yet, so every test must say "not done" and
 * leave the requests alone; afterwards tests are repeated until completion.
 * Null and empty request arrays; Request_get_status; freed sends still arrive. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BIG (100 * 1000)

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;

    /* MPI_Test: false before the barrier, then spin until done. */
    {
        int v = rank * 2 + 1, w = -1, flag = 1;
        MPI_Request r;
        MPI_Irecv(&w, 1, MPI_INT, left, 1, MPI_COMM_WORLD, &r);
        MPI_Test(&r, &flag, &st);
        int early = flag, kept = r != MPI_REQUEST_NULL;
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Send(&v, 1, MPI_INT, right, 1, MPI_COMM_WORLD);
        flag = 0;
        while (!flag) MPI_Test(&r, &flag, &st);
        printf("test rank %d: early %d kept %d got %d from %d tag %d null after %d\n", rank, early, kept, w,
               st.MPI_SOURCE, st.MPI_TAG, r == MPI_REQUEST_NULL);
        MPI_Request n = MPI_REQUEST_NULL;
        flag = 0;
        MPI_Test(&n, &flag, &st);
        printf("test null rank %d: flag %d empty %d\n", rank, flag,
               st.MPI_SOURCE == MPI_ANY_SOURCE && st.MPI_TAG == MPI_ANY_TAG);
    }

    /* MPI_Testall: one message arrives before, the other after, a barrier. */
    {
        int a = -1, b = -1, va = rank + 10, vb = rank + 20, flag = 1;
        MPI_Request r[2];
        MPI_Status sts[2];
        MPI_Irecv(&a, 1, MPI_INT, left, 2, MPI_COMM_WORLD, &r[0]);
        MPI_Irecv(&b, 1, MPI_INT, left, 3, MPI_COMM_WORLD, &r[1]);
        MPI_Send(&va, 1, MPI_INT, right, 2, MPI_COMM_WORLD);
        MPI_Testall(2, r, &flag, sts);
        int early = flag, kept = r[0] != MPI_REQUEST_NULL && r[1] != MPI_REQUEST_NULL;
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Send(&vb, 1, MPI_INT, right, 3, MPI_COMM_WORLD);
        flag = 0;
        while (!flag) MPI_Testall(2, r, &flag, sts);
        printf("testall rank %d: early %d kept %d got %d %d tags %d %d nulls %d\n", rank, early, kept, a, b,
               sts[0].MPI_TAG, sts[1].MPI_TAG, r[0] == MPI_REQUEST_NULL && r[1] == MPI_REQUEST_NULL);
        MPI_Request nulls[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
        flag = 0;
        MPI_Testall(2, nulls, &flag, MPI_STATUSES_IGNORE);
        int flag0 = 0;
        MPI_Testall(0, NULL, &flag0, MPI_STATUSES_IGNORE);
        printf("testall nulls rank %d: flag %d empty array %d\n", rank, flag, flag0);
    }

    /* MPI_Testany: nothing done gives flag 0 and MPI_UNDEFINED; then the one message
     * sent is found; all null gives flag 1 and MPI_UNDEFINED. */
    {
        int in[3] = {-1, -1, -1}, v = rank * 7, idx = 5, flag = 1;
        MPI_Request r[3];
        for (int t = 0; t < 3; t++) MPI_Irecv(&in[t], 1, MPI_INT, left, 10 + t, MPI_COMM_WORLD, &r[t]);
        MPI_Testany(3, r, &idx, &flag, &st);
        int early = flag, early_undef = idx == MPI_UNDEFINED;
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Send(&v, 1, MPI_INT, right, 12, MPI_COMM_WORLD);
        flag = 0;
        while (!flag) MPI_Testany(3, r, &idx, &flag, &st);
        printf("testany rank %d: early %d undefined %d then index %d got %d tag %d\n", rank, early, early_undef, idx,
               in[idx], st.MPI_TAG);
        MPI_Cancel(&r[0]);
        MPI_Cancel(&r[1]);
        MPI_Waitall(3, r, MPI_STATUSES_IGNORE);
        flag = 0;
        idx = 5;
        MPI_Testany(3, r, &idx, &flag, &st);
        printf("testany nulls rank %d: flag %d undefined %d empty %d\n", rank, flag, idx == MPI_UNDEFINED,
               st.MPI_SOURCE == MPI_ANY_SOURCE && st.MPI_TAG == MPI_ANY_TAG);
    }

    /* MPI_Testsome: outcount 0 while nothing is done; collect all four afterwards;
     * MPI_UNDEFINED when all are null. */
    {
        enum { N = 4 };
        int in[N], out[N], outcount = -1, idx[N];
        MPI_Request r[N];
        MPI_Status sts[N];
        for (int t = 0; t < N; t++) MPI_Irecv(&in[t], 1, MPI_INT, left, 20 + t, MPI_COMM_WORLD, &r[t]);
        MPI_Testsome(N, r, &outcount, idx, sts);
        int early = outcount;
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Request s[N];
        for (int t = 0; t < N; t++) {
            out[t] = rank * 100 + t;
            MPI_Isend(&out[t], 1, MPI_INT, right, 20 + t, MPI_COMM_WORLD, &s[t]);
        }
        int done = 0, mask = 0, consistent = 1;
        while (done < N) {
            MPI_Testsome(N, r, &outcount, idx, sts);
            for (int k = 0; k < outcount; k++) {
                mask |= 1 << idx[k];
                consistent &= sts[k].MPI_TAG == 20 + idx[k] && in[idx[k]] == left * 100 + idx[k];
            }
            done += outcount;
        }
        MPI_Testsome(N, r, &outcount, idx, MPI_STATUSES_IGNORE);
        printf("testsome rank %d: early outcount %d mask %d consistent %d then %s\n", rank, early, mask, consistent,
               outcount == MPI_UNDEFINED ? "undefined" : "defined");
        MPI_Waitall(N, s, MPI_STATUSES_IGNORE);
    }

    /* Request_get_status reports completion without freeing the request. */
    {
        int v = rank, w = -1, flag = 0;
        MPI_Request r;
        MPI_Irecv(&w, 1, MPI_INT, left, 30, MPI_COMM_WORLD, &r);
        MPI_Request_get_status(r, &flag, &st);
        int early = flag;
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Send(&v, 1, MPI_INT, right, 30, MPI_COMM_WORLD);
        flag = 0;
        while (!flag) MPI_Request_get_status(r, &flag, &st);
        int kept = r != MPI_REQUEST_NULL, src = st.MPI_SOURCE;
        MPI_Wait(&r, &st);
        printf("get_status rank %d: early %d kept %d source %d got %d wait source %d\n", rank, early, kept, src, w,
               st.MPI_SOURCE);
    }

    /* Request_free on active sends (small, large, synchronous): all still arrive. */
    {
        int small = rank + 1000, *big = malloc(BIG * sizeof(int)), sync = rank - 1000;
        for (int i = 0; i < BIG; i++) big[i] = i - rank;
        MPI_Request r[3];
        MPI_Isend(&small, 1, MPI_INT, right, 40, MPI_COMM_WORLD, &r[0]);
        MPI_Isend(big, BIG, MPI_INT, right, 41, MPI_COMM_WORLD, &r[1]);
        MPI_Issend(&sync, 1, MPI_INT, right, 42, MPI_COMM_WORLD, &r[2]);
        for (int i = 0; i < 3; i++) MPI_Request_free(&r[i]);
        int nulls = r[0] == MPI_REQUEST_NULL && r[1] == MPI_REQUEST_NULL && r[2] == MPI_REQUEST_NULL;
        int *in = malloc(BIG * sizeof(int)), a, c;
        MPI_Recv(&c, 1, MPI_INT, left, 42, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Recv(in, BIG, MPI_INT, left, 41, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Recv(&a, 1, MPI_INT, left, 40, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        int bad = 0;
        for (int i = 0; i < BIG; i++) bad += in[i] != i - left;
        printf("free rank %d: nulls %d got %d %d big wrong %d\n", rank, nulls, a, c, bad);
        /* The buffers of freed sends are reusable once the receiver confirms. */
        MPI_Barrier(MPI_COMM_WORLD);
        free(big);
        free(in);
    }

    printf("rank %d: done p2p_test_family\n", rank);
    MPI_Finalize();
    return 0;
}

/* Nonblocking MPI_Isend/MPI_Irecv/MPI_Issend completed with MPI_Wait and
 * MPI_Waitall: an all-to-all exchange with every request outstanding at once
 * (self included), receives posted after the sends, statuses from Waitall, large
 * messages, MPI_REQUEST_NULL after completion and in Waitall, Wait on a null
 * request (empty status), ANY_SOURCE nonblocking receives. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BIG (150 * 1000)

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;

    /* All-to-all: Irecv from everybody, Isend to everybody (self too), Waitall. */
    {
        int *in = malloc(2 * size * sizeof(int)), *out = malloc(2 * size * sizeof(int));
        MPI_Request *rq = malloc(2 * size * sizeof(MPI_Request));
        MPI_Status *sts = malloc(2 * size * sizeof(MPI_Status));
        for (int p = 0; p < size; p++) {
            in[2 * p] = in[2 * p + 1] = -1;
            MPI_Irecv(&in[2 * p], 2, MPI_INT, p, 1, MPI_COMM_WORLD, &rq[p]);
        }
        for (int p = 0; p < size; p++) {
            out[2 * p] = rank * 100 + p;
            out[2 * p + 1] = p - rank;
            MPI_Isend(&out[2 * p], 2, MPI_INT, p, 1, MPI_COMM_WORLD, &rq[size + p]);
        }
        MPI_Waitall(2 * size, rq, sts);
        int ok = 0, nulls = 0;
        for (int p = 0; p < size; p++) {
            int count;
            MPI_Get_count(&sts[p], MPI_INT, &count);
            ok += in[2 * p] == p * 100 + rank && in[2 * p + 1] == rank - p && sts[p].MPI_SOURCE == p &&
                  sts[p].MPI_TAG == 1 && count == 2;
        }
        for (int i = 0; i < 2 * size; i++) nulls += rq[i] == MPI_REQUEST_NULL;
        printf("alltoall rank %d: ok %d of %d null requests %d of %d\n", rank, ok, size, nulls, 2 * size);
        free(in);
        free(out);
        free(rq);
        free(sts);
    }

    /* Sends first, receives later, completed one by one with Wait in reverse. */
    {
        double out[3], in[3];
        MPI_Request s[3], r[3];
        for (int t = 0; t < 3; t++) {
            out[t] = rank + t * 0.25;
            MPI_Isend(&out[t], 1, MPI_DOUBLE, right, 10 + t, MPI_COMM_WORLD, &s[t]);
        }
        for (int t = 0; t < 3; t++) MPI_Irecv(&in[t], 1, MPI_DOUBLE, left, 10 + t, MPI_COMM_WORLD, &r[t]);
        printf("reverse rank %d:", rank);
        for (int t = 2; t >= 0; t--) {
            MPI_Wait(&r[t], &st);
            printf(" %g(tag %d from %d null %d)", in[t], st.MPI_TAG, st.MPI_SOURCE, r[t] == MPI_REQUEST_NULL);
        }
        printf("\n");
        MPI_Waitall(3, s, MPI_STATUSES_IGNORE);
    }

    /* Issend both ways around the ring together with Irecvs; Waitall with statuses. */
    {
        int a = rank, b = -rank, from_left = 0, from_right = 0;
        MPI_Request rq[4];
        MPI_Status sts[4];
        MPI_Issend(&a, 1, MPI_INT, right, 20, MPI_COMM_WORLD, &rq[0]);
        MPI_Issend(&b, 1, MPI_INT, left, 21, MPI_COMM_WORLD, &rq[1]);
        MPI_Irecv(&from_left, 1, MPI_INT, left, 20, MPI_COMM_WORLD, &rq[2]);
        MPI_Irecv(&from_right, 1, MPI_INT, right, 21, MPI_COMM_WORLD, &rq[3]);
        MPI_Waitall(4, rq, sts);
        printf("issend rank %d: from left %d (src %d) from right %d (src %d)\n", rank, from_left, sts[2].MPI_SOURCE,
               from_right, sts[3].MPI_SOURCE);
    }

    /* Large messages both ways at once; null requests in the Waitall array. */
    {
        int *o1 = malloc(BIG * sizeof(int)), *o2 = malloc(BIG * sizeof(int));
        int *i1 = malloc(BIG * sizeof(int)), *i2 = malloc(BIG * sizeof(int));
        for (int i = 0; i < BIG; i++) {
            o1[i] = rank * 5 + i;
            o2[i] = rank * 9 - i;
        }
        MPI_Request rq[6] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL, MPI_REQUEST_NULL,
                             MPI_REQUEST_NULL, MPI_REQUEST_NULL, MPI_REQUEST_NULL};
        MPI_Irecv(i1, BIG, MPI_INT, left, 30, MPI_COMM_WORLD, &rq[1]);
        MPI_Irecv(i2, BIG, MPI_INT, right, 31, MPI_COMM_WORLD, &rq[2]);
        MPI_Isend(o1, BIG, MPI_INT, right, 30, MPI_COMM_WORLD, &rq[3]);
        MPI_Isend(o2, BIG, MPI_INT, left, 31, MPI_COMM_WORLD, &rq[5]);
        MPI_Status sts[6];
        MPI_Waitall(6, rq, sts);
        int bad = 0, c1, c2;
        for (int i = 0; i < BIG; i++) bad += i1[i] != left * 5 + i || i2[i] != right * 9 - i;
        MPI_Get_count(&sts[1], MPI_INT, &c1);
        MPI_Get_count(&sts[2], MPI_INT, &c2);
        printf("big rank %d: counts %d %d wrong %d null status %d\n", rank, c1, c2, bad,
               sts[0].MPI_SOURCE == MPI_ANY_SOURCE && sts[0].MPI_TAG == MPI_ANY_TAG);
        free(o1);
        free(o2);
        free(i1);
        free(i2);
    }

    /* Wait on MPI_REQUEST_NULL returns at once with an empty status. */
    {
        MPI_Request r = MPI_REQUEST_NULL;
        int count = -1;
        MPI_Wait(&r, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        printf("null wait rank %d: source any %d tag any %d count %d\n", rank, st.MPI_SOURCE == MPI_ANY_SOURCE,
               st.MPI_TAG == MPI_ANY_TAG, count);
    }

    /* Rank 0 posts ANY_SOURCE Irecvs; every rank sends its square. */
    {
        int v = rank * rank;
        MPI_Request s;
        MPI_Isend(&v, 1, MPI_INT, 0, 40, MPI_COMM_WORLD, &s);
        if (rank == 0) {
            int *w = malloc(size * sizeof(int));
            MPI_Request *r = malloc(size * sizeof(MPI_Request));
            MPI_Status *sts = malloc(size * sizeof(MPI_Status));
            for (int i = 0; i < size; i++) MPI_Irecv(&w[i], 1, MPI_INT, MPI_ANY_SOURCE, 40, MPI_COMM_WORLD, &r[i]);
            MPI_Waitall(size, r, sts);
            int sum = 0, ok = 0;
            for (int i = 0; i < size; i++) {
                sum += w[i];
                ok += w[i] == sts[i].MPI_SOURCE * sts[i].MPI_SOURCE;
            }
            printf("anysource: sum %d ok %d of %d\n", sum, ok, size);
            free(w);
            free(r);
            free(sts);
        }
        MPI_Wait(&s, MPI_STATUS_IGNORE);
    }

    printf("rank %d: done p2p_isend_irecv\n", rank);
    MPI_Finalize();
    return 0;
}

/* Nonblocking point-to-point: Isend/Irecv with Wait, Waitall, Waitany, Waitsome,
 * Test, Testall, Testany, Testsome, Request_free, Cancel of an unmatched receive. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;

    /* Ring with Irecv/Isend/Waitall, both directions at once. */
    int from_left = -1, from_right = -1, me = rank;
    MPI_Request rq[4];
    MPI_Status st[4];
    MPI_Irecv(&from_left, 1, MPI_INT, left, 1, MPI_COMM_WORLD, &rq[0]);
    MPI_Irecv(&from_right, 1, MPI_INT, right, 2, MPI_COMM_WORLD, &rq[1]);
    MPI_Isend(&me, 1, MPI_INT, right, 1, MPI_COMM_WORLD, &rq[2]);
    MPI_Isend(&me, 1, MPI_INT, left, 2, MPI_COMM_WORLD, &rq[3]);
    MPI_Waitall(4, rq, st);
    printf("waitall: rank %d left %d right %d srcs %d %d nulls %d\n", rank, from_left, from_right,
           st[0].MPI_SOURCE, st[1].MPI_SOURCE, rq[0] == MPI_REQUEST_NULL && rq[3] == MPI_REQUEST_NULL);

    /* Rank 0 collects one message per rank with Waitany, in whatever order. */
    if (rank == 0) {
        int *vals = malloc(size * sizeof(int));
        MPI_Request *r = malloc(size * sizeof(MPI_Request));
        int sum = 0;
        r[0] = MPI_REQUEST_NULL;
        for (int i = 1; i < size; i++) MPI_Irecv(&vals[i], 1, MPI_INT, i, 3, MPI_COMM_WORLD, &r[i]);
        for (int k = 1; k < size; k++) {
            int idx;
            MPI_Status s;
            MPI_Waitany(size, r, &idx, &s);
            if (idx == s.MPI_SOURCE && vals[idx] == idx * idx) sum += idx;
        }
        int idx;
        MPI_Waitany(size, r, &idx, MPI_STATUS_IGNORE);
        printf("waitany: sum %d then undefined %d\n", sum, idx == MPI_UNDEFINED);
        free(vals);
        free(r);
    } else {
        int v = rank * rank;
        MPI_Send(&v, 1, MPI_INT, 0, 3, MPI_COMM_WORLD);
    }

    /* Waitsome until all of three receives from the left are done. */
    {
        int a[3] = {0}, got = 0, out, idx[3];
        MPI_Request r[3];
        for (int i = 0; i < 3; i++) MPI_Irecv(&a[i], 1, MPI_INT, left, 10 + i, MPI_COMM_WORLD, &r[i]);
        for (int i = 2; i >= 0; i--) {
            int v = 100 * rank + i;
            MPI_Send(&v, 1, MPI_INT, right, 10 + i, MPI_COMM_WORLD);
        }
        while (got < 3) {
            MPI_Waitsome(3, r, &out, idx, MPI_STATUSES_IGNORE);
            got += out;
        }
        MPI_Waitsome(3, r, &out, idx, MPI_STATUSES_IGNORE);
        printf("waitsome: rank %d got %d %d %d then %d\n", rank, a[0], a[1], a[2], out == MPI_UNDEFINED);
    }

    /* Test until done; Testall/Testany/Testsome on completed and null requests. */
    {
        int v = -1, flag = 0, tests = 0;
        MPI_Request r;
        MPI_Irecv(&v, 1, MPI_INT, left, 20, MPI_COMM_WORLD, &r);
        MPI_Send(&rank, 1, MPI_INT, right, 20, MPI_COMM_WORLD);
        int gs = 0;
        MPI_Status gst;
        while (!gs) MPI_Request_get_status(r, &gs, &gst);
        int still_there = r != MPI_REQUEST_NULL;
        while (!flag) {
            MPI_Test(&r, &flag, MPI_STATUS_IGNORE);
            tests++;
        }
        printf("get_status: rank %d source %d kept %d\n", rank, gst.MPI_SOURCE, still_there);
        MPI_Request nulls[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
        int all, any, idx, out;
        MPI_Testall(2, nulls, &all, MPI_STATUSES_IGNORE);
        MPI_Testany(2, nulls, &idx, &any, MPI_STATUS_IGNORE);
        MPI_Testsome(2, nulls, &out, &idx, MPI_STATUSES_IGNORE);
        printf("test: rank %d got %d testall %d testany %d testsome undefined %d\n", rank, v, all, any,
               out == MPI_UNDEFINED);
    }

    /* Request_free on a send still delivers it. */
    {
        int v = 7 * rank, w = -1;
        MPI_Request r;
        MPI_Isend(&v, 1, MPI_INT, right, 30, MPI_COMM_WORLD, &r);
        MPI_Request_free(&r);
        MPI_Recv(&w, 1, MPI_INT, left, 30, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        printf("free: rank %d got %d null %d\n", rank, w, r == MPI_REQUEST_NULL);
        MPI_Barrier(MPI_COMM_WORLD);
    }

    /* Cancel a receive nobody will match. */
    {
        int v;
        MPI_Request r;
        MPI_Status s;
        int cancelled;
        MPI_Irecv(&v, 1, MPI_INT, MPI_ANY_SOURCE, 999, MPI_COMM_WORLD, &r);
        MPI_Cancel(&r);
        MPI_Wait(&r, &s);
        MPI_Test_cancelled(&s, &cancelled);
        printf("cancel: rank %d cancelled %d\n", rank, cancelled);
    }

    MPI_Finalize();
    return 0;
}

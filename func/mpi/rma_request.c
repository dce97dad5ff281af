/* Request-based RMA inside passive-target epochs: MPI_Rput, MPI_Rget,
 * MPI_Raccumulate and MPI_Rget_accumulate completed with MPI_Wait, MPI_Waitall
 * and an MPI_Test loop. Completion of an Rput/Raccumulate request only means
 * the origin buffer may be reused (it is overwritten at once); remote completion
 * comes from MPI_Win_flush, after which a barrier lets other ranks read the data.
 * Completion of an Rget/Rget_accumulate request means the data has arrived. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define N 8

static int rank, size;

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;

    int *w = NULL;
    MPI_Win win;
    MPI_Win_allocate(4 * N * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &w, &win);
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win);
    for (int i = 0; i < 4 * N; i++) w[i] = rank * 100 + i;
    MPI_Win_unlock(rank, win);
    MPI_Barrier(MPI_COMM_WORLD);

    MPI_Win_lock_all(0, win);

    /* Rget of the right neighbour's first N ints, completed with MPI_Wait: the
     * data is there as soon as the request completes. */
    {
        int got[N];
        MPI_Request rq;
        MPI_Rget(got, N, MPI_INT, right, 0, N, MPI_INT, win, &rq);
        MPI_Wait(&rq, MPI_STATUS_IGNORE);
        printf("rank %d: rget from right: %d %d ... %d null %d\n", rank, got[0], got[1], got[N - 1],
               rq == MPI_REQUEST_NULL);
    }

    /* Rput of N ints into ints N..2N-1 of the right neighbour, one int at a time
     * from the same buffer: each request completes before the buffer changes. */
    {
        int buf;
        MPI_Request rq[N];
        for (int i = 0; i < N; i++) {
            buf = rank * 1000 + i;
            MPI_Rput(&buf, 1, MPI_INT, right, N + i, 1, MPI_INT, win, &rq[i]);
            MPI_Wait(&rq[i], MPI_STATUS_IGNORE);
        }
        MPI_Win_flush(right, win);
    }

    /* Raccumulate: everyone adds to ints 2N..2N+3 of every rank, Waitall. */
    {
        int v[4] = {1, rank, 10 * rank, -1};
        MPI_Request *rq = malloc(size * sizeof(MPI_Request));
        for (int t = 0; t < size; t++) MPI_Raccumulate(v, 4, MPI_INT, t, 2 * N, 4, MPI_INT, MPI_SUM, win, &rq[t]);
        MPI_Waitall(size, rq, MPI_STATUSES_IGNORE);
        int nulls = 0;
        for (int t = 0; t < size; t++) nulls += rq[t] == MPI_REQUEST_NULL;
        MPI_Win_flush_all(win);
        printf("rank %d: raccumulate requests null %d of %d\n", rank, nulls, size);
        free(rq);
    }
    MPI_Barrier(MPI_COMM_WORLD);

    /* Everything is complete at its target: Rget our own ints N..2N-1 (from the
     * left neighbour's Rputs) and 2N..2N+3 (sums), polling with MPI_Test. */
    {
        int got[N + 4], flag = 0, polls = 0;
        MPI_Request rq;
        MPI_Rget(got, N + 4, MPI_INT, rank, N, N + 4, MPI_INT, win, &rq);
        while (!flag) {
            MPI_Test(&rq, &flag, MPI_STATUS_IGNORE);
            polls++;
        }
        printf("rank %d: rput from left: %d %d ... %d sums %d %d %d %d polled %d\n", rank, got[0], got[1], got[N - 1],
               got[N], got[N + 1], got[N + 2], got[N + 3], polls > 0);
    }

    /* Rget_accumulate: fetch-and-add on rank 0's int 3N from everyone, and an
     * MPI_NO_OP read of the left neighbour's ints, all requests in one Waitall. */
    {
        int one = 1, ticket = -1, noop[2] = {-1, -1};
        MPI_Request rq[2];
        MPI_Rget_accumulate(&one, 1, MPI_INT, &ticket, 1, MPI_INT, 0, 3 * N, 1, MPI_INT, MPI_SUM, win, &rq[0]);
        MPI_Rget_accumulate(NULL, 0, MPI_INT, noop, 2, MPI_INT, left, 0, 2, MPI_INT, MPI_NO_OP, win, &rq[1]);
        MPI_Waitall(2, rq, MPI_STATUSES_IGNORE);
        MPI_Win_flush_all(win);
        int *tk = rank == 0 ? malloc(size * sizeof(int)) : NULL;
        MPI_Gather(&ticket, 1, MPI_INT, tk, 1, MPI_INT, 0, MPI_COMM_WORLD);
        printf("rank %d: rget_accumulate no_op of left: %d %d ticket in range %d\n", rank, noop[0], noop[1],
               ticket >= 3 * N && ticket < 3 * N + size);
        if (rank == 0) {
            int *seen = calloc(size, sizeof(int)), distinct = 0;
            for (int i = 0; i < size; i++)
                if (tk[i] >= 3 * N && tk[i] < 3 * N + size && !seen[tk[i] - 3 * N]++) distinct++;
            printf("rank 0: tickets distinct %d of %d\n", distinct, size);
            free(seen);
            free(tk);
        }
    }

    /* Many outstanding requests to all ranks at once, then one Waitall. */
    {
        int *got = malloc(size * 2 * sizeof(int));
        MPI_Request *rq = malloc(size * sizeof(MPI_Request));
        for (int t = 0; t < size; t++) MPI_Rget(&got[2 * t], 2, MPI_INT, t, 4, 2, MPI_INT, win, &rq[t]);
        MPI_Waitall(size, rq, MPI_STATUSES_IGNORE);
        long long sum = 0;
        int bad = 0;
        for (int t = 0; t < size; t++) {
            sum += got[2 * t] + got[2 * t + 1];
            bad += got[2 * t] != t * 100 + 4 || got[2 * t + 1] != t * 100 + 5;
        }
        printf("rank %d: rget from all: sum %lld wrong %d\n", rank, sum, bad);
        free(got);
        free(rq);
    }

    MPI_Win_unlock_all(win);
    MPI_Barrier(MPI_COMM_WORLD);
    {
        /* The fetch-and-add counter, read with a request in a lock epoch of its own. */
        int ctr = -1;
        MPI_Request rq;
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
        MPI_Rget(&ctr, 1, MPI_INT, 0, 3 * N, 1, MPI_INT, win, &rq);
        MPI_Wait(&rq, MPI_STATUS_IGNORE);
        MPI_Win_unlock(0, win);
        printf("rank %d: counter %d expected %d\n", rank, ctr, 3 * N + size);
    }

    MPI_Win_free(&win);
    printf("rank %d: done rma_request\n", rank);
    MPI_Finalize();
    return 0;
}

/* MPI_Barrier: many barriers in a row; the canonical use that needs barrier
 * semantics (receives posted before the barrier, ready sends after it, with the
 * roles rotating); pending point-to-point messages across barriers; barriers on
 * duplicated, split and self communicators. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Status st;

    /* 200 barriers in a row. */
    int ok = 0;
    for (int i = 0; i < 200; i++) ok += MPI_Barrier(MPI_COMM_WORLD) == MPI_SUCCESS;
    printf("loop rank %d: %d barriers ok\n", rank, ok);

    /* Rotating root: in round k, rank k posts receives from everyone, a barrier,
     * then everyone ready-sends to rank k. Correct only if the barrier holds every
     * rank until rank k has posted its receives. */
    for (int k = 0; k < size; k++) {
        int *in = NULL;
        MPI_Request *r = NULL;
        if (rank == k) {
            in = malloc(size * sizeof(int));
            r = malloc(size * sizeof(MPI_Request));
            for (int p = 0; p < size; p++) MPI_Irecv(&in[p], 1, MPI_INT, p, 100 + k, MPI_COMM_WORLD, &r[p]);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        int v = rank * 10 + k;
        MPI_Rsend(&v, 1, MPI_INT, k, 100 + k, MPI_COMM_WORLD);
        if (rank == k) {
            MPI_Waitall(size, r, MPI_STATUSES_IGNORE);
            int sum = 0;
            for (int p = 0; p < size; p++) sum += in[p] - k;
            printf("rsend round %d: sum %d\n", k, sum);
            free(in);
            free(r);
        }
    }

    /* Messages sent before a barrier and received after it arrive intact, in order. */
    {
        int right = (rank + 1) % size, left = (rank + size - 1) % size, out[3], in[3];
        MPI_Request s[3];
        for (int i = 0; i < 3; i++) {
            out[i] = rank * 3 + i;
            MPI_Isend(&out[i], 1, MPI_INT, right, 7, MPI_COMM_WORLD, &s[i]);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
        for (int i = 0; i < 3; i++) MPI_Recv(&in[i], 1, MPI_INT, left, 7, MPI_COMM_WORLD, &st);
        MPI_Waitall(3, s, MPI_STATUSES_IGNORE);
        printf("across rank %d: %d %d %d\n", rank, in[0], in[1], in[2]);
    }

    /* Barriers on other communicators: a dup, even/odd halves, self. */
    {
        MPI_Comm dup, half;
        MPI_Comm_dup(MPI_COMM_WORLD, &dup);
        MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
        int hr, hs;
        MPI_Comm_rank(half, &hr);
        MPI_Comm_size(half, &hs);
        int e = 0;
        for (int i = 0; i < 10; i++) {
            e |= MPI_Barrier(dup);
            e |= MPI_Barrier(half);
            e |= MPI_Barrier(MPI_COMM_SELF);
        }
        /* The half barrier with the rsend pattern inside each half. */
        int in = -1;
        MPI_Request r = MPI_REQUEST_NULL;
        if (hr == 0 && hs > 1) MPI_Irecv(&in, 1, MPI_INT, hs - 1, 8, half, &r);
        MPI_Barrier(half);
        if (hr == hs - 1 && hs > 1) MPI_Rsend(&rank, 1, MPI_INT, 0, 8, half);
        MPI_Wait(&r, MPI_STATUS_IGNORE);
        printf("comms rank %d: half %d of %d errors %d got %d\n", rank, hr, hs, e, in);
        MPI_Comm_free(&dup);
        MPI_Comm_free(&half);
    }

    MPI_Barrier(MPI_COMM_WORLD);
    printf("rank %d: done coll_barrier\n", rank);
    MPI_Finalize();
    return 0;
}

/* Messages larger than the peer transport's 4 MiB frame piece (9 MiB + 24 B):
 * a posted receive (read straight into its buffer), an unexpected message
 * (buffered, then matched), a synchronous send, a vector-typed receive and a
 * truncated receive. Every rank checks every element; rank 0 prints the error
 * totals. (rma_large.c does the same for MPI_Put / MPI_Get.) */
#include <mpi.h>
#include <stdlib.h>

#include "large_common.h"

int main(int argc, char **argv) {
    int rank, size, count;
    MPI_Status st;
    MPI_Request r;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int to = (rank + 1) % size, from = (rank + size - 1) % size;
    double *a = malloc((size_t)N * sizeof(double));
    double *b = malloc((size_t)2 * N * sizeof(double));

    /* Receive posted before the message comes. */
    fill(a, N, rank, 1);
    MPI_Irecv(b, N, MPI_DOUBLE, from, 1, MPI_COMM_WORLD, &r);
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Send(a, N, MPI_DOUBLE, to, 1, MPI_COMM_WORLD);
    MPI_Wait(&r, &st);
    MPI_Get_count(&st, MPI_DOUBLE, &count);
    report("posted receive", check(b, N, 1, from, 1) + (count != N), rank);

    /* Message sent before its receive is posted. */
    fill(a, N, rank, 2);
    MPI_Isend(a, N, MPI_DOUBLE, to, 2, MPI_COMM_WORLD, &r);
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Recv(b, N, MPI_DOUBLE, from, 2, MPI_COMM_WORLD, &st);
    MPI_Wait(&r, MPI_STATUS_IGNORE);
    report("unexpected message", check(b, N, 1, from, 2), rank);

    /* Synchronous send, receiver posts late. */
    fill(a, N, rank, 3);
    MPI_Irecv(b, N, MPI_DOUBLE, from, 3, MPI_COMM_WORLD, &r);
    MPI_Ssend(a, N, MPI_DOUBLE, to, 3, MPI_COMM_WORLD);
    MPI_Wait(&r, MPI_STATUS_IGNORE);
    report("synchronous send", check(b, N, 1, from, 3), rank);

    /* Received into every other element (a vector type). */
    MPI_Datatype every_other;
    MPI_Type_vector(N, 1, 2, MPI_DOUBLE, &every_other);
    MPI_Type_commit(&every_other);
    fill(a, N, rank, 4);
    MPI_Irecv(b, 1, every_other, from, 4, MPI_COMM_WORLD, &r);
    MPI_Send(a, N, MPI_DOUBLE, to, 4, MPI_COMM_WORLD);
    MPI_Wait(&r, MPI_STATUS_IGNORE);
    MPI_Type_free(&every_other);
    report("vector receive", check(b, N, 2, from, 4), rank);

    /* Receive buffer one element short: MPI_ERR_TRUNCATE, the rest delivered. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    fill(a, N, rank, 5);
    MPI_Irecv(b, N - 1, MPI_DOUBLE, from, 5, MPI_COMM_WORLD, &r);
    MPI_Send(a, N, MPI_DOUBLE, to, 5, MPI_COMM_WORLD);
    int err = MPI_Wait(&r, &st), cls = -1;
    MPI_Error_class(err, &cls);
    report("truncated receive", check(b, N - 1, 1, from, 5) + (cls != MPI_ERR_TRUNCATE), rank);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);

    free(a);
    free(b);
    MPI_Finalize();
    return 0;
}

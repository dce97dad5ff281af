/* Matched probes: MPI_Mprobe/MPI_Mrecv and MPI_Improbe/MPI_Imrecv receive exactly
 * the probed message even when other receives could match it; MPI_PROC_NULL
 * gives MPI_MESSAGE_NO_PROC. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;

    int n1 = 3 + rank, n2 = 100000 + rank;
    int *a = malloc(n1 * sizeof(int)), *b = malloc(n2 * sizeof(int));
    for (int i = 0; i < n1; i++) a[i] = rank * 10 + i;
    for (int i = 0; i < n2; i++) b[i] = rank + i;
    MPI_Request s[2];
    MPI_Isend(a, n1, MPI_INT, right, 1, MPI_COMM_WORLD, &s[0]);
    MPI_Isend(b, n2, MPI_INT, right, 2, MPI_COMM_WORLD, &s[1]);

    MPI_Message msg;
    MPI_Status st;
    int count;
    MPI_Mprobe(left, 1, MPI_COMM_WORLD, &msg, &st);
    MPI_Get_count(&st, MPI_INT, &count);
    int *x = malloc(count * sizeof(int));
    MPI_Mrecv(x, count, MPI_INT, &msg, &st);
    printf("mrecv rank %d: from %d tag %d count %d last %d null %d\n", rank, st.MPI_SOURCE, st.MPI_TAG, count,
           x[count - 1], msg == MPI_MESSAGE_NULL);

    int flag = 0;
    while (!flag) MPI_Improbe(MPI_ANY_SOURCE, 2, MPI_COMM_WORLD, &flag, &msg, &st);
    MPI_Get_count(&st, MPI_INT, &count);
    int *y = malloc(count * sizeof(int));
    MPI_Request r;
    MPI_Imrecv(y, count, MPI_INT, &msg, &r);
    MPI_Wait(&r, &st);
    long long sum = 0;
    for (int i = 0; i < count; i++) sum += y[i];
    printf("imrecv rank %d: from %d count %d sum %lld\n", rank, st.MPI_SOURCE, count, sum);
    MPI_Waitall(2, s, MPI_STATUSES_IGNORE);

    MPI_Mprobe(MPI_PROC_NULL, 0, MPI_COMM_WORLD, &msg, &st);
    int noproc = msg == MPI_MESSAGE_NO_PROC;
    int z = 5;
    MPI_Mrecv(&z, 1, MPI_INT, &msg, &st);
    printf("noproc rank %d: %d source null %d z %d\n", rank, noproc, st.MPI_SOURCE == MPI_PROC_NULL, z);
    MPI_Finalize();
    return 0;
}

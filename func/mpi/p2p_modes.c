/* Send modes and helpers: Ssend, Issend, Bsend with Buffer_attach/detach, Rsend,
 * Sendrecv, Sendrecv_replace, Probe + Get_count, Iprobe, Get_elements. */
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

    /* Sendrecv around the ring, then Sendrecv_replace back. */
    int out = rank * 3, in = -1;
    MPI_Sendrecv(&out, 1, MPI_INT, right, 1, &in, 1, MPI_INT, left, 1, MPI_COMM_WORLD, &st);
    printf("sendrecv: rank %d got %d from %d\n", rank, in, st.MPI_SOURCE);
    double d[2] = {rank + 0.5, -rank - 0.25};
    MPI_Sendrecv_replace(d, 2, MPI_DOUBLE, left, 2, right, 2, MPI_COMM_WORLD, &st);
    printf("replace: rank %d has %g %g from %d\n", rank, d[0], d[1], st.MPI_SOURCE);

    /* Ssend/Issend between even/odd pairs. */
    if (size > 1 && rank < size - size % 2) {
        int peer = rank ^ 1, v = rank + 40, w = -1;
        if (rank % 2 == 0) {
            MPI_Ssend(&v, 1, MPI_INT, peer, 3, MPI_COMM_WORLD);
            MPI_Request r;
            MPI_Issend(&v, 1, MPI_INT, peer, 4, MPI_COMM_WORLD, &r);
            MPI_Wait(&r, MPI_STATUS_IGNORE);
        } else {
            MPI_Recv(&w, 1, MPI_INT, peer, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Recv(&w, 1, MPI_INT, peer, 4, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            printf("ssend: rank %d got %d\n", rank, w);
        }
    }

    /* Bsend through an attached buffer. */
    {
        int bufsize = 4 * (100 * sizeof(int) + MPI_BSEND_OVERHEAD);
        char *buf = malloc(bufsize);
        MPI_Buffer_attach(buf, bufsize);
        int msg[100], got[100];
        for (int i = 0; i < 100; i++) msg[i] = rank * 1000 + i;
        MPI_Bsend(msg, 100, MPI_INT, right, 5, MPI_COMM_WORLD);
        MPI_Recv(got, 100, MPI_INT, left, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Request br;
        MPI_Ibsend(msg, 100, MPI_INT, right, 8, MPI_COMM_WORLD, &br);
        MPI_Recv(got, 100, MPI_INT, left, 8, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Wait(&br, MPI_STATUS_IGNORE);
        void *back;
        int backsize;
        MPI_Buffer_detach(&back, &backsize);
        printf("bsend: rank %d got %d..%d detach same %d size %d\n", rank, got[0], got[99], back == buf,
               backsize == bufsize);
        free(buf);
    }

    /* Rsend: the receive is posted before the barrier, the send after it. */
    {
        int v = -1, w = rank + 60;
        MPI_Request r;
        MPI_Irecv(&v, 1, MPI_INT, left, 6, MPI_COMM_WORLD, &r);
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Rsend(&w, 1, MPI_INT, right, 6, MPI_COMM_WORLD);
        MPI_Wait(&r, MPI_STATUS_IGNORE);
        printf("rsend: rank %d got %d\n", rank, v);
        MPI_Irecv(&v, 1, MPI_INT, left, 9, MPI_COMM_WORLD, &r);
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Request sr;
        MPI_Irsend(&w, 1, MPI_INT, right, 9, MPI_COMM_WORLD, &sr);
        MPI_Wait(&sr, MPI_STATUS_IGNORE);
        MPI_Wait(&r, MPI_STATUS_IGNORE);
        printf("irsend: rank %d got %d\n", rank, v);
    }

    /* Probe a message of unknown length, size the buffer with Get_count. */
    {
        int n = 5 + rank;
        double *msg = malloc(n * sizeof(double));
        for (int i = 0; i < n; i++) msg[i] = i * 1.5;
        MPI_Request r;
        MPI_Isend(msg, n, MPI_DOUBLE, right, 7, MPI_COMM_WORLD, &r);
        int count, elems, flag = 0;
        MPI_Probe(left, 7, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_DOUBLE, &count);
        MPI_Get_elements(&st, MPI_DOUBLE, &elems);
        MPI_Count elems_x;
        MPI_Get_elements_x(&st, MPI_DOUBLE, &elems_x);
        if (elems_x != elems) printf("get_elements_x differs\n");
        double *in2 = malloc(count * sizeof(double));
        MPI_Iprobe(left, 7, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
        MPI_Recv(in2, count, MPI_DOUBLE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, &st);
        int bytes;
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        int odd;
        MPI_Get_count(&st, MPI_LONG_LONG, &odd);
        printf("probe: rank %d count %d elements %d bytes %d iprobe %d last %g\n", rank, count, elems, bytes, flag,
               in2[count - 1]);
        MPI_Wait(&r, MPI_STATUS_IGNORE);
        int none;
        MPI_Iprobe(MPI_ANY_SOURCE, 7, MPI_COMM_WORLD, &none, MPI_STATUS_IGNORE);
        printf("iprobe: rank %d nothing left %d\n", rank, !none);
        free(msg);
        free(in2);
    }

    MPI_Finalize();
    return 0;
}

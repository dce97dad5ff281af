/* MPI_Alloc_mem / MPI_Free_mem: blocks of several sizes (with MPI_INFO_NULL
 * and with an info object), suitably aligned, writable, used as send and
 * receive buffers for point-to-point and collectives and as the buffer of
 * MPI_Buffer_attach; many allocate/free cycles; size 0. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int peer = (rank + 1) % size, from = (rank + size - 1) % size;

    /* Several sizes; all aligned for a double; fill and verify. */
    int sizes[5] = {1, 8, 1000, 65536, 1 << 20};
    for (int k = 0; k < 5; k++) {
        unsigned char *p = NULL;
        int rc = MPI_Alloc_mem(sizes[k], MPI_INFO_NULL, &p);
        int ok = p != NULL;
        for (int i = 0; ok && i < sizes[k]; i++) p[i] = (unsigned char)(i * 7 + rank);
        for (int i = 0; ok && i < sizes[k]; i++) if (p[i] != (unsigned char)(i * 7 + rank)) ok = 0;
        printf("rank %d alloc %d: success %d usable %d aligned %d\n", rank, sizes[k], rc == MPI_SUCCESS, ok,
               ((uintptr_t)p % sizeof(double)) == 0);
        rc = MPI_Free_mem(p);
        printf("rank %d free %d: success %d\n", rank, sizes[k], rc == MPI_SUCCESS);
    }

    /* Point-to-point from and into allocated memory. */
    double *out, *in;
    MPI_Info info;
    MPI_Info_create(&info);
    MPI_Info_set(info, "mpi_minimum_memory_alignment", "64");
    MPI_Alloc_mem(4096 * sizeof(double), MPI_INFO_NULL, &out);
    MPI_Alloc_mem(4096 * sizeof(double), info, &in);
    MPI_Info_free(&info);
    for (int i = 0; i < 4096; i++) { out[i] = rank * 10000 + i; in[i] = -1; }
    MPI_Sendrecv(out, 4096, MPI_DOUBLE, peer, 0, in, 4096, MPI_DOUBLE, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    double s = 0;
    for (int i = 0; i < 4096; i++) s += in[i];
    printf("rank %d sendrecv alloc_mem: first %g last %g sum %.0f\n", rank, in[0], in[4095], s);

    /* Nonblocking: the buffers stay valid until completion, then are freed. */
    MPI_Request rq[2];
    MPI_Irecv(in, 100, MPI_DOUBLE, from, 1, MPI_COMM_WORLD, &rq[0]);
    MPI_Isend(out + 100, 100, MPI_DOUBLE, peer, 1, MPI_COMM_WORLD, &rq[1]);
    MPI_Waitall(2, rq, MPI_STATUSES_IGNORE);
    printf("rank %d isend/irecv alloc_mem: %g %g\n", rank, in[0], in[99]);

    /* Collectives on allocated memory. */
    int *all;
    MPI_Alloc_mem(size * 2 * sizeof(int), MPI_INFO_NULL, &all);
    int mine[2] = {rank, rank * rank};
    MPI_Allgather(mine, 2, MPI_INT, all, 2, MPI_INT, MPI_COMM_WORLD);
    int t = 0;
    for (int i = 0; i < 2 * size; i++) t += all[i];
    double *red;
    MPI_Alloc_mem(4 * sizeof(double), MPI_INFO_NULL, &red);
    MPI_Allreduce(out, red, 4, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    printf("rank %d collectives alloc_mem: allgather total %d allreduce %g %g\n", rank, t, red[0], red[3]);
    MPI_Free_mem(all);
    MPI_Free_mem(red);

    /* A buffered-send buffer from Alloc_mem. */
    int bsize = 2 * (sizeof(int) * 10 + MPI_BSEND_OVERHEAD);
    void *bbuf;
    MPI_Alloc_mem(bsize, MPI_INFO_NULL, &bbuf);
    MPI_Buffer_attach(bbuf, bsize);
    int msg[10], rmsg[10];
    for (int i = 0; i < 10; i++) msg[i] = rank * 100 + i;
    MPI_Bsend(msg, 10, MPI_INT, peer, 2, MPI_COMM_WORLD);
    MPI_Recv(rmsg, 10, MPI_INT, from, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    void *det;
    int dsize;
    MPI_Buffer_detach(&det, &dsize);
    printf("rank %d bsend via alloc_mem buffer: got %d..%d detached same %d size %d\n", rank, rmsg[0], rmsg[9],
           det == bbuf, dsize == bsize);
    MPI_Free_mem(bbuf);

    /* Size 0 is allowed; whatever comes back can be freed. */
    void *z = NULL;
    int rz = MPI_Alloc_mem(0, MPI_INFO_NULL, &z);
    int fz = MPI_Free_mem(z);
    printf("rank %d alloc 0: success %d free success %d\n", rank, rz == MPI_SUCCESS, fz == MPI_SUCCESS);

    /* Many cycles. */
    int cycles_ok = 1;
    for (int i = 0; i < 500; i++) {
        int *q;
        if (MPI_Alloc_mem(1024 + i, MPI_INFO_NULL, &q) != MPI_SUCCESS || !q) { cycles_ok = 0; break; }
        q[0] = i;
        q[(1024 + i) / sizeof(int) - 1] = i;
        MPI_Free_mem(q);
    }
    printf("rank %d 500 alloc/free cycles ok %d\n", rank, cycles_ok);

    MPI_Free_mem(out);
    MPI_Free_mem(in);
    printf("rank %d: done env_alloc_mem\n", rank);
    MPI_Finalize();
    return 0;
}

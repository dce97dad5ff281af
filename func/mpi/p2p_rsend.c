/* Ready sends: every MPI_Rsend/MPI_Irsend starts only after the matching receive is
 * known to be posted (receives are posted, then a barrier). Rings, several tags
 * received in reverse order, a large ready send, ANY_SOURCE receives at rank 0,
 * ready sends to self and to MPI_PROC_NULL. */
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

    /* Ring: Irecv, barrier, Rsend, Wait. */
    {
        int v = rank * 11, w = -1;
        MPI_Request r;
        MPI_Irecv(&w, 1, MPI_INT, left, 1, MPI_COMM_WORLD, &r);
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Rsend(&v, 1, MPI_INT, right, 1, MPI_COMM_WORLD);
        MPI_Wait(&r, &st);
        printf("ring rank %d: got %d from %d tag %d\n", rank, w, st.MPI_SOURCE, st.MPI_TAG);
    }

    /* Four receives with different tags; the ready sends go in the opposite order. */
    {
        int w[4], v[4];
        MPI_Request r[4];
        MPI_Status sts[4];
        for (int t = 0; t < 4; t++) MPI_Irecv(&w[t], 1, MPI_INT, right, 10 + t, MPI_COMM_WORLD, &r[t]);
        MPI_Barrier(MPI_COMM_WORLD);
        for (int t = 3; t >= 0; t--) {
            v[t] = rank * 100 + t;
            MPI_Rsend(&v[t], 1, MPI_INT, left, 10 + t, MPI_COMM_WORLD);
        }
        MPI_Waitall(4, r, sts);
        printf("tags rank %d: %d %d %d %d tags %d %d %d %d\n", rank, w[0], w[1], w[2], w[3], sts[0].MPI_TAG,
               sts[1].MPI_TAG, sts[2].MPI_TAG, sts[3].MPI_TAG);
    }

    /* A large ready send and an Irsend. */
    {
        double *out = malloc(BIG * sizeof(double)), *in = malloc(BIG * sizeof(double));
        for (int i = 0; i < BIG; i++) out[i] = rank + i * 0.5;
        int x = rank + 7, y = -1;
        MPI_Request r[2], s;
        MPI_Irecv(in, BIG, MPI_DOUBLE, left, 2, MPI_COMM_WORLD, &r[0]);
        MPI_Irecv(&y, 1, MPI_INT, left, 3, MPI_COMM_WORLD, &r[1]);
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Irsend(&x, 1, MPI_INT, right, 3, MPI_COMM_WORLD, &s);
        MPI_Rsend(out, BIG, MPI_DOUBLE, right, 2, MPI_COMM_WORLD);
        MPI_Wait(&s, MPI_STATUS_IGNORE);
        MPI_Status sts[2];
        MPI_Waitall(2, r, sts);
        int count, bad = 0;
        MPI_Get_count(&sts[0], MPI_DOUBLE, &count);
        for (int i = 0; i < BIG; i++) bad += in[i] != left + i * 0.5;
        printf("big rank %d: count %d wrong %d irsend got %d\n", rank, count, bad, y);
        free(out);
        free(in);
    }

    /* Rank 0 pre-posts one ANY_SOURCE receive per rank (itself included). */
    {
        int *w = malloc(size * sizeof(int));
        MPI_Request *r = malloc(size * sizeof(MPI_Request));
        MPI_Status *sts = malloc(size * sizeof(MPI_Status));
        if (rank == 0)
            for (int i = 0; i < size; i++) MPI_Irecv(&w[i], 1, MPI_INT, MPI_ANY_SOURCE, 4, MPI_COMM_WORLD, &r[i]);
        MPI_Barrier(MPI_COMM_WORLD);
        int v = 1 << rank;
        MPI_Rsend(&v, 1, MPI_INT, 0, 4, MPI_COMM_WORLD);
        if (rank == 0) {
            MPI_Waitall(size, r, sts);
            int mask = 0, ok = 0;
            for (int i = 0; i < size; i++) {
                mask |= w[i];
                ok += w[i] == 1 << sts[i].MPI_SOURCE;
            }
            printf("anysource: mask %d ok %d of %d\n", mask, ok, size);
        }
        free(w);
        free(r);
        free(sts);
    }

    /* To self, with the receive already posted locally; to MPI_PROC_NULL. */
    {
        int v = -rank - 1, w = 0;
        MPI_Request r;
        MPI_Irecv(&w, 1, MPI_INT, rank, 5, MPI_COMM_WORLD, &r);
        MPI_Rsend(&v, 1, MPI_INT, rank, 5, MPI_COMM_WORLD);
        MPI_Rsend(&v, 1, MPI_INT, MPI_PROC_NULL, 5, MPI_COMM_WORLD);
        MPI_Wait(&r, &st);
        printf("self rank %d: got %d from self %d\n", rank, w, st.MPI_SOURCE == rank);
    }

    printf("rank %d: done p2p_rsend\n", rank);
    MPI_Finalize();
    return 0;
}

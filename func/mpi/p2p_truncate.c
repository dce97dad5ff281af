/* Truncation under MPI_ERRORS_RETURN on MPI_COMM_WORLD: a message longer than the
 * receive buffer makes Recv, Wait, Sendrecv fail with class MPI_ERR_TRUNCATE (small
 * and large messages, ANY_SOURCE), Waitall report MPI_ERR_IN_STATUS with per-request
 * MPI_ERROR, and communication carries on normally afterwards. Also the classes of
 * a few invalid arguments (rank, tag, count). Error codes are printed by class name. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static const char *cls(int err) {
    int c;
    if (err == MPI_SUCCESS) return "MPI_SUCCESS";
    MPI_Error_class(err, &c);
    switch (c) {
    case MPI_ERR_TRUNCATE: return "MPI_ERR_TRUNCATE";
    case MPI_ERR_IN_STATUS: return "MPI_ERR_IN_STATUS";
    case MPI_ERR_PENDING: return "MPI_ERR_PENDING";
    case MPI_ERR_RANK: return "MPI_ERR_RANK";
    case MPI_ERR_TAG: return "MPI_ERR_TAG";
    case MPI_ERR_COUNT: return "MPI_ERR_COUNT";
    case MPI_ERR_TYPE: return "MPI_ERR_TYPE";
    default: return "other";
    }
}

#define BIG (100 * 1000)

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;

    /* Blocking receive of 5 ints into room for 3. */
    {
        int out[5] = {1, 2, 3, 4, 5}, in[3];
        MPI_Request s;
        MPI_Isend(out, 5, MPI_INT, right, 1, MPI_COMM_WORLD, &s);
        int err = MPI_Recv(in, 3, MPI_INT, left, 1, MPI_COMM_WORLD, &st);
        int serr = MPI_Wait(&s, MPI_STATUS_IGNORE);
        printf("recv rank %d: %s source %d tag %d sender %s\n", rank, cls(err), st.MPI_SOURCE, st.MPI_TAG, cls(serr));
    }

    /* Nonblocking receive completed with Wait; a large message into a small buffer.
     * This and the next two sections need two processes: OpenMPI's self transport
     * misses truncation of pre-posted receives and writes past the buffer. */
    if (size > 1) {
        int *out = malloc(BIG * sizeof(int)), in[10];
        for (int i = 0; i < BIG; i++) out[i] = i;
        MPI_Request r, s;
        MPI_Irecv(in, 10, MPI_INT, left, 2, MPI_COMM_WORLD, &r);
        MPI_Isend(out, BIG, MPI_INT, right, 2, MPI_COMM_WORLD, &s);
        int err = MPI_Wait(&r, &st);
        int serr = MPI_Wait(&s, MPI_STATUS_IGNORE);
        printf("big wait rank %d: %s source %d sender %s\n", rank, cls(err), st.MPI_SOURCE, cls(serr));
        free(out);
    }

    /* Waitall: the second of three receives is truncated. */
    if (size > 1) {
        double out[3][4], in0[4], in1[2], in2[4];
        MPI_Request r[3], s[3];
        MPI_Status sts[3];
        MPI_Irecv(in0, 4, MPI_DOUBLE, left, 3, MPI_COMM_WORLD, &r[0]);
        MPI_Irecv(in1, 2, MPI_DOUBLE, left, 4, MPI_COMM_WORLD, &r[1]);
        MPI_Irecv(in2, 4, MPI_DOUBLE, left, 5, MPI_COMM_WORLD, &r[2]);
        for (int m = 0; m < 3; m++) {
            for (int i = 0; i < 4; i++) out[m][i] = rank + m + i * 0.5;
            MPI_Isend(out[m], 4, MPI_DOUBLE, right, 3 + m, MPI_COMM_WORLD, &s[m]);
        }
        for (int m = 0; m < 3; m++) sts[m].MPI_ERROR = -12345;
        int err = MPI_Waitall(3, r, sts);
        MPI_Waitall(3, s, MPI_STATUSES_IGNORE);
        printf("waitall rank %d: %s errors %s %s %s values %g %g\n", rank, cls(err),
               sts[0].MPI_ERROR == -12345 ? "unset" : cls(sts[0].MPI_ERROR), cls(sts[1].MPI_ERROR),
               sts[2].MPI_ERROR == -12345 ? "unset" : cls(sts[2].MPI_ERROR), in0[3], in2[3]);
    }

    /* Sendrecv whose receive side is too small. */
    if (size > 1) {
        int out[4] = {rank, rank, rank, rank}, in[2];
        int err = MPI_Sendrecv(out, 4, MPI_INT, right, 6, in, 2, MPI_INT, left, 6, MPI_COMM_WORLD, &st);
        printf("sendrecv rank %d: %s source %d\n", rank, cls(err), st.MPI_SOURCE);
    }

    MPI_Barrier(MPI_COMM_WORLD);

    /* ANY_SOURCE at rank 0: every other message is too long. */
    {
        int out[2] = {rank, -rank};
        MPI_Request s;
        MPI_Isend(out, 1 + rank % 2, MPI_INT, 0, 7, MPI_COMM_WORLD, &s);
        if (rank == 0) {
            int trunc = 0, fine = 0;
            for (int i = 0; i < size; i++) {
                int in[1];
                int err = MPI_Recv(in, 1, MPI_INT, MPI_ANY_SOURCE, 7, MPI_COMM_WORLD, &st);
                int c = -1;
                if (err != MPI_SUCCESS) MPI_Error_class(err, &c);
                if (st.MPI_SOURCE % 2 == 1 && c == MPI_ERR_TRUNCATE) trunc++;
                if (st.MPI_SOURCE % 2 == 0 && err == MPI_SUCCESS && in[0] == st.MPI_SOURCE) fine++;
            }
            printf("anysource: truncated %d fine %d of %d\n", trunc, fine, size);
        }
        MPI_Wait(&s, MPI_STATUS_IGNORE);
    }

    /* Communication continues normally after the errors. */
    {
        int v = rank * 4, w = -1;
        int err = MPI_Sendrecv(&v, 1, MPI_INT, right, 8, &w, 1, MPI_INT, left, 8, MPI_COMM_WORLD, &st);
        printf("after rank %d: %s got %d\n", rank, cls(err), w);
    }

    /* Invalid arguments return their error classes instead of aborting. */
    {
        int x = 0;
        int e1 = MPI_Send(&x, 1, MPI_INT, size + 3, 0, MPI_COMM_WORLD);
        int e2 = MPI_Send(&x, 1, MPI_INT, right, -5, MPI_COMM_WORLD);
        int e3 = MPI_Send(&x, -1, MPI_INT, right, 0, MPI_COMM_WORLD);
        int e4 = MPI_Recv(&x, 1, MPI_INT, -7, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        printf("invalid rank %d: rank %s tag %s count %s source %s\n", rank, cls(e1), cls(e2), cls(e3), cls(e4));
    }

    MPI_Barrier(MPI_COMM_WORLD);
    printf("rank %d: done p2p_truncate\n", rank);
    MPI_Finalize();
    return 0;
}

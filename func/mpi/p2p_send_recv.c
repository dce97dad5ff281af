/* Blocking MPI_Send/MPI_Recv: rings in both directions, several datatypes, status
 * MPI_SOURCE/MPI_TAG, MPI_Get_count (with MPI_BYTE, a mismatched type giving
 * MPI_UNDEFINED, zero-length messages), MPI_ANY_SOURCE/MPI_ANY_TAG wildcards,
 * the largest tag, and large messages. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG (300 * 1000)

/* Send to right and receive from left without relying on buffering: even ranks
 * send first, odd ranks receive first; a single rank sends to itself nonblocking. */
static void ring(const void *out, int n, MPI_Datatype t, void *in, int cap, int right, int left, int tag,
                 int rank, int size, MPI_Status *st) {
    if (size == 1) {
        MPI_Request r;
        MPI_Isend(out, n, t, right, tag, MPI_COMM_WORLD, &r);
        MPI_Recv(in, cap, t, left, tag, MPI_COMM_WORLD, st);
        MPI_Wait(&r, MPI_STATUS_IGNORE);
    } else if (rank % 2 == 0) {
        MPI_Send(out, n, t, right, tag, MPI_COMM_WORLD);
        MPI_Recv(in, cap, t, left, tag, MPI_COMM_WORLD, st);
    } else {
        MPI_Recv(in, cap, t, left, tag, MPI_COMM_WORLD, st);
        MPI_Send(out, n, t, right, tag, MPI_COMM_WORLD);
    }
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;
    int count;

    /* Ring right with ints, ring left with doubles (into a larger buffer). */
    {
        int out[3] = {rank, rank * rank, -rank}, in[3] = {-1, -1, -1};
        ring(out, 3, MPI_INT, in, 3, right, left, 5, rank, size, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        printf("ring right rank %d: %d %d %d from %d tag %d count %d\n", rank, in[0], in[1], in[2], st.MPI_SOURCE,
               st.MPI_TAG, count);
        double dout[2] = {rank + 0.5, rank * 0.25}, din[4] = {0, 0, 0, 0};
        ring(dout, 2, MPI_DOUBLE, din, 4, left, right, 6, rank, size, &st);
        MPI_Get_count(&st, MPI_DOUBLE, &count);
        printf("ring left rank %d: %g %g %g from %d tag %d count %d\n", rank, din[0], din[1], din[2], st.MPI_SOURCE,
               st.MPI_TAG, count);
    }

    /* Strings and 64-bit integers; Get_count in bytes and in a type that does not
     * divide the message (MPI_UNDEFINED). */
    {
        char s[32], r[32];
        snprintf(s, sizeof s, "hello from %d", rank);
        ring(s, (int)strlen(s) + 1, MPI_CHAR, r, 32, right, left, 7, rank, size, &st);
        int bytes, ints;
        MPI_Get_count(&st, MPI_CHAR, &count);
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        MPI_Get_count(&st, MPI_INT, &ints);
        printf("string rank %d: '%s' count %d bytes %d ints %s\n", rank, r, count, bytes,
               ints == MPI_UNDEFINED ? "undefined" : "defined");
        long long lo[2] = {1000000000000LL * rank + 1, -((long long)rank << 40)}, li[2];
        ring(lo, 2, MPI_LONG_LONG, li, 2, right, left, 8, rank, size, &st);
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        printf("longlong rank %d: %lld %lld bytes %d\n", rank, li[0], li[1], bytes);
    }

    /* Zero-length messages still carry source and tag. */
    {
        int dummy = 42;
        ring(NULL, 0, MPI_INT, &dummy, 1, right, left, 9, rank, size, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        printf("empty rank %d: from %d tag %d count %d untouched %d\n", rank, st.MPI_SOURCE, st.MPI_TAG, count,
               dummy == 42);
    }

    /* The largest tag the implementation guarantees (at least 32767). */
    {
        int *ub, flag;
        MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &ub, &flag);
        int v = rank + 1, w = 0;
        ring(&v, 1, MPI_INT, &w, 1, right, left, 32767, rank, size, &st);
        printf("tag_ub rank %d: attr %d at least 32767 %d got %d tag %d\n", rank, flag, *ub >= 32767, w,
               st.MPI_TAG);
    }

    /* Wildcards: every rank sends three messages to rank 0 with tags 1, 2, 3.
     * Rank 0 receives tag 3 from ANY_SOURCE first, then ANY_TAG from each source in
     * order (getting tags 1 then 2, non-overtaking), checking every status. */
    {
        int out[3];
        MPI_Request rq[3];
        for (int t = 0; t < 3; t++) {
            out[t] = rank * 10 + t + 1;
            MPI_Isend(&out[t], 1, MPI_INT, 0, t + 1, MPI_COMM_WORLD, &rq[t]);
        }
        if (rank == 0) {
            int from_count = 0, ok3 = 0, seen = 0;
            for (int i = 0; i < size; i++) {
                int v;
                MPI_Recv(&v, 1, MPI_INT, MPI_ANY_SOURCE, 3, MPI_COMM_WORLD, &st);
                ok3 += v == st.MPI_SOURCE * 10 + 3 && st.MPI_TAG == 3;
                seen |= 1 << st.MPI_SOURCE;
            }
            printf("anysource tag 3: ok %d of %d all sources %d\n", ok3, size, seen == (1 << size) - 1);
            for (int src = 0; src < size; src++) {
                int v1, v2, t1, t2;
                MPI_Recv(&v1, 1, MPI_INT, src, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
                t1 = st.MPI_TAG;
                MPI_Recv(&v2, 1, MPI_INT, src, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
                t2 = st.MPI_TAG;
                printf("anytag from %d: %d tag %d then %d tag %d source %d\n", src, v1, t1, v2, t2, st.MPI_SOURCE);
                from_count++;
            }
            printf("anytag sources %d\n", from_count);
        }
        MPI_Waitall(3, rq, MPI_STATUSES_IGNORE);
    }

    MPI_Barrier(MPI_COMM_WORLD);

    /* Both wildcards at once: rank 0 gets one message from each other rank. */
    if (rank == 0) {
        int sum = 0, ok = 0;
        for (int i = 1; i < size; i++) {
            int v[2];
            MPI_Recv(v, 2, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
            MPI_Get_count(&st, MPI_INT, &count);
            sum += v[0];
            ok += count == 1 + (st.MPI_SOURCE % 2) && st.MPI_TAG == 50 + st.MPI_SOURCE && v[0] == st.MPI_SOURCE;
        }
        printf("anyany: sum %d ok %d of %d\n", sum, ok, size - 1);
    } else {
        int v[2] = {rank, -rank};
        MPI_Send(v, 1 + rank % 2, MPI_INT, 0, 50 + rank, MPI_COMM_WORLD);
    }

    /* Rank 0's wildcard receives above could otherwise match a ring message. */
    MPI_Barrier(MPI_COMM_WORLD);

    /* Large messages around the ring. */
    {
        int *out = malloc(BIG * sizeof(int)), *in = malloc(BIG * sizeof(int));
        for (int i = 0; i < BIG; i++) out[i] = rank * 3 + i;
        ring(out, BIG, MPI_INT, in, BIG, right, left, 11, rank, size, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        int bad = 0;
        for (int i = 0; i < BIG; i++) bad += in[i] != left * 3 + i;
        printf("big rank %d: count %d from %d wrong %d\n", rank, count, st.MPI_SOURCE, bad);
        free(out);
        free(in);
    }

    printf("rank %d: done p2p_send_recv\n", rank);
    MPI_Finalize();
    return 0;
}

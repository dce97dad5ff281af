/* MPI_Probe and MPI_Iprobe: Iprobe finds nothing before anything is sent, probing
 * does not consume (probing twice sees the same message), ANY_SOURCE/ANY_TAG probes
 * size the receive with Get_count/Get_elements (ints, bytes, doubles, a large
 * message), a tag-specific probe skips earlier messages with other tags, and
 * probes of MPI_PROC_NULL return at once with a null status. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BIG (90 * 1000)

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st, st2;
    int flag, count;

    /* Nothing has been sent yet. */
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    printf("empty rank %d: iprobe %d\n", rank, flag);
    MPI_Barrier(MPI_COMM_WORLD);

    /* Three messages of different types and lengths go right; the receiver probes
     * with wildcards each time and sizes its buffer from the status. */
    {
        int n1 = 3 + rank;
        int *ints = malloc(n1 * sizeof(int));
        for (int i = 0; i < n1; i++) ints[i] = rank * 100 + i;
        char text[32];
        int n2 = snprintf(text, sizeof text, "from rank %d", rank) + 1;
        double dbl[2] = {rank + 0.5, rank - 0.25};
        MPI_Request s[3];
        MPI_Isend(ints, n1, MPI_INT, right, 1, MPI_COMM_WORLD, &s[0]);
        MPI_Isend(text, n2, MPI_CHAR, right, 2, MPI_COMM_WORLD, &s[1]);
        MPI_Isend(dbl, 2, MPI_DOUBLE, right, 3, MPI_COMM_WORLD, &s[2]);

        /* First message: probe twice (blocking, then Iprobe until found). */
        MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        flag = 0;
        while (!flag) MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st2);
        MPI_Get_count(&st, MPI_INT, &count);
        int bytes;
        MPI_Get_count(&st, MPI_BYTE, &bytes);
        int same = st2.MPI_SOURCE == st.MPI_SOURCE && st2.MPI_TAG == st.MPI_TAG;
        int *got = malloc(count * sizeof(int));
        MPI_Recv(got, count, MPI_INT, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, &st2);
        printf("probe1 rank %d: src %d tag %d count %d bytes %d same twice %d last %d\n", rank, st.MPI_SOURCE,
               st.MPI_TAG, count, bytes, same, got[count - 1]);
        free(got);

        /* Second: chars. */
        MPI_Probe(left, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_CHAR, &count);
        char *t = malloc(count);
        MPI_Recv(t, count, MPI_CHAR, left, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        printf("probe2 rank %d: tag %d count %d '%s'\n", rank, st.MPI_TAG, count, t);
        free(t);

        /* Third: doubles; in ints the count is 4, in long longs 2, in 3-int blocks undefined. */
        MPI_Probe(MPI_ANY_SOURCE, 3, MPI_COMM_WORLD, &st);
        int as_double, as_int, as_ll, as_triple, elems;
        MPI_Datatype triple;
        MPI_Type_contiguous(3, MPI_INT, &triple);
        MPI_Type_commit(&triple);
        MPI_Get_count(&st, MPI_DOUBLE, &as_double);
        MPI_Get_count(&st, MPI_INT, &as_int);
        MPI_Get_count(&st, MPI_LONG_LONG, &as_ll);
        MPI_Get_count(&st, triple, &as_triple);
        MPI_Get_elements(&st, triple, &elems);
        double d[2];
        MPI_Recv(d, 2, MPI_DOUBLE, st.MPI_SOURCE, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        printf("probe3 rank %d: doubles %d ints %d longlongs %d triples %s elements %d values %g %g\n", rank,
               as_double, as_int, as_ll, as_triple == MPI_UNDEFINED ? "undefined" : "defined", elems, d[0], d[1]);
        MPI_Type_free(&triple);
        MPI_Waitall(3, s, MPI_STATUSES_IGNORE);
        free(ints);
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
        printf("drained rank %d: iprobe %d\n", rank, flag);
    }

    MPI_Barrier(MPI_COMM_WORLD);

    /* A tag-specific probe skips an earlier message with another tag. */
    {
        int a = rank + 1, b = rank + 2;
        MPI_Request s[2];
        MPI_Isend(&a, 1, MPI_INT, right, 10, MPI_COMM_WORLD, &s[0]);
        MPI_Isend(&b, 1, MPI_INT, right, 11, MPI_COMM_WORLD, &s[1]);
        MPI_Probe(left, 11, MPI_COMM_WORLD, &st);
        int tag11 = st.MPI_TAG;
        MPI_Probe(left, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        int first_any = st.MPI_TAG;
        int x, y;
        MPI_Recv(&y, 1, MPI_INT, left, 11, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Recv(&x, 1, MPI_INT, left, 10, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        printf("skip rank %d: tag probe %d any-tag probe %d values %d %d\n", rank, tag11, first_any, x, y);
        MPI_Waitall(2, s, MPI_STATUSES_IGNORE);
    }

    /* Rank 0 receives rank+1 doubles from everyone with ANY_SOURCE probes. */
    {
        double *mine = malloc((rank + 1) * sizeof(double));
        for (int i = 0; i <= rank; i++) mine[i] = rank + i / 4.0;
        MPI_Request s;
        MPI_Isend(mine, rank + 1, MPI_DOUBLE, 0, 20, MPI_COMM_WORLD, &s);
        if (rank == 0) {
            int ok = 0, seen = 0;
            for (int k = 0; k < size; k++) {
                MPI_Probe(MPI_ANY_SOURCE, 20, MPI_COMM_WORLD, &st);
                MPI_Get_count(&st, MPI_DOUBLE, &count);
                double *buf = malloc(count * sizeof(double));
                MPI_Recv(buf, count, MPI_DOUBLE, st.MPI_SOURCE, 20, MPI_COMM_WORLD, &st2);
                ok += count == st.MPI_SOURCE + 1 && st2.MPI_SOURCE == st.MPI_SOURCE &&
                      buf[count - 1] == st.MPI_SOURCE + (count - 1) / 4.0;
                seen |= 1 << st.MPI_SOURCE;
                free(buf);
            }
            printf("collect: ok %d of %d all seen %d\n", ok, size, seen == (1 << size) - 1);
        }
        MPI_Wait(&s, MPI_STATUS_IGNORE);
        free(mine);
    }

    /* A large message is probed before being received. */
    {
        int *out = malloc(BIG * sizeof(int));
        for (int i = 0; i < BIG; i++) out[i] = i ^ rank;
        MPI_Request s;
        MPI_Isend(out, BIG, MPI_INT, right, 30, MPI_COMM_WORLD, &s);
        MPI_Probe(left, 30, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        int elems;
        MPI_Get_elements(&st, MPI_INT, &elems);
        int *in = malloc(count * sizeof(int));
        MPI_Recv(in, count, MPI_INT, left, 30, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        int bad = 0;
        for (int i = 0; i < count; i++) bad += in[i] != (i ^ left);
        printf("big rank %d: count %d elements %d wrong %d\n", rank, count, elems, bad);
        MPI_Wait(&s, MPI_STATUS_IGNORE);
        free(out);
        free(in);
    }

    /* MPI_PROC_NULL. */
    MPI_Probe(MPI_PROC_NULL, 5, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_INT, &count);
    int p_ok = st.MPI_SOURCE == MPI_PROC_NULL && st.MPI_TAG == MPI_ANY_TAG && count == 0;
    flag = 0;
    MPI_Iprobe(MPI_PROC_NULL, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    MPI_Get_count(&st, MPI_INT, &count);
    int i_ok = flag && st.MPI_SOURCE == MPI_PROC_NULL && st.MPI_TAG == MPI_ANY_TAG && count == 0;
    printf("procnull rank %d: probe %d iprobe %d\n", rank, p_ok, i_ok);

    printf("rank %d: done p2p_probe\n", rank);
    MPI_Finalize();
    return 0;
}

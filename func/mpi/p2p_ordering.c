/* Non-overtaking: messages from one sender that match the same receive arrive in
 * send order, whatever their sizes (a large message in the middle) and send modes;
 * per-tag order holds when tags are received out of order; ANY_TAG receives see
 * send order; several Irecvs posted for the same source/tag fill in posting order;
 * ANY_SOURCE receives keep each sender's order. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define N 60
#define BIG (64 * 1024)

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;
    MPI_Status st;

    /* N messages with one tag; every 20th is large; sent with Isend, Send and Issend. */
    {
        int *out[N], *in = malloc(BIG * sizeof(int));
        MPI_Request s[N];
        for (int m = 0; m < N; m++) {
            int len = m % 20 == 10 ? BIG : 1 + m % 5;
            out[m] = malloc(len * sizeof(int));
            for (int i = 0; i < len; i++) out[m][i] = rank * 1000 + m;
            if (m % 3 == 2) MPI_Issend(out[m], len, MPI_INT, right, 1, MPI_COMM_WORLD, &s[m]);
            else MPI_Isend(out[m], len, MPI_INT, right, 1, MPI_COMM_WORLD, &s[m]);
        }
        int in_order = 0, sizes_ok = 0;
        for (int m = 0; m < N; m++) {
            int count;
            MPI_Recv(in, BIG, MPI_INT, left, 1, MPI_COMM_WORLD, &st);
            MPI_Get_count(&st, MPI_INT, &count);
            in_order += in[0] == left * 1000 + m && in[count - 1] == left * 1000 + m;
            sizes_ok += count == (m % 20 == 10 ? BIG : 1 + m % 5);
        }
        MPI_Waitall(N, s, MPI_STATUSES_IGNORE);
        printf("one tag rank %d: in order %d of %d sizes ok %d\n", rank, in_order, N, sizes_ok);
        for (int m = 0; m < N; m++) free(out[m]);
        free(in);
    }

    /* Rounds of tags 0..4; receive tag 4 first, then 3, ...: each tag in round order. */
    {
        enum { T = 5, R = 3 };
        int out[R][T];
        MPI_Request s[R * T];
        for (int r = 0; r < R; r++)
            for (int t = 0; t < T; t++) {
                out[r][t] = rank * 100 + r * 10 + t;
                MPI_Isend(&out[r][t], 1, MPI_INT, right, 10 + t, MPI_COMM_WORLD, &s[r * T + t]);
            }
        printf("tags rank %d:", rank);
        for (int t = T - 1; t >= 0; t--)
            for (int r = 0; r < R; r++) {
                int v;
                MPI_Recv(&v, 1, MPI_INT, left, 10 + t, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                printf(" %d", v % 100);
            }
        printf("\n");
        MPI_Waitall(R * T, s, MPI_STATUSES_IGNORE);
    }

    MPI_Barrier(MPI_COMM_WORLD);

    /* ANY_TAG: send order regardless of tag values. */
    {
        int tags[6] = {7, 3, 9, 3, 1, 7}, out[6];
        MPI_Request s[6];
        for (int i = 0; i < 6; i++) {
            out[i] = i;
            MPI_Isend(&out[i], 1, MPI_INT, right, 20 + tags[i], MPI_COMM_WORLD, &s[i]);
        }
        printf("anytag rank %d:", rank);
        for (int i = 0; i < 6; i++) {
            int v;
            MPI_Recv(&v, 1, MPI_INT, left, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
            printf(" %d/%d", v, st.MPI_TAG - 20);
        }
        printf("\n");
        MPI_Waitall(6, s, MPI_STATUSES_IGNORE);
    }

    MPI_Barrier(MPI_COMM_WORLD);

    /* Irecvs posted first fill in posting order, including a wildcard one. */
    {
        enum { M = 8 };
        int in[M], out[M];
        MPI_Request r[M], s[M];
        for (int i = 0; i < M; i++)
            MPI_Irecv(&in[i], 1, MPI_INT, i == 4 ? MPI_ANY_SOURCE : left, i == 6 ? MPI_ANY_TAG : 30, MPI_COMM_WORLD,
                      &r[i]);
        MPI_Barrier(MPI_COMM_WORLD);
        for (int i = 0; i < M; i++) {
            out[i] = rank * 10 + i;
            MPI_Isend(&out[i], 1, MPI_INT, right, 30, MPI_COMM_WORLD, &s[i]);
        }
        MPI_Waitall(M, r, MPI_STATUSES_IGNORE);
        MPI_Waitall(M, s, MPI_STATUSES_IGNORE);
        printf("posted rank %d:", rank);
        for (int i = 0; i < M; i++) printf(" %d", in[i] - left * 10);
        printf("\n");
    }

    MPI_Barrier(MPI_COMM_WORLD);

    /* ANY_SOURCE at rank 0: each sender's sequence stays increasing. */
    {
        enum { K = 10 };
        int out[K];
        MPI_Request s[K];
        for (int k = 0; k < K; k++) {
            out[k] = k;
            MPI_Isend(&out[k], 1, MPI_INT, 0, 40, MPI_COMM_WORLD, &s[k]);
        }
        if (rank == 0) {
            int *next = calloc(size, sizeof(int)), ok = 0;
            for (int i = 0; i < K * size; i++) {
                int v;
                MPI_Recv(&v, 1, MPI_INT, MPI_ANY_SOURCE, 40, MPI_COMM_WORLD, &st);
                ok += v == next[st.MPI_SOURCE]++;
            }
            int all = 1;
            for (int p = 0; p < size; p++) all &= next[p] == K;
            printf("anysource: in order %d of %d all counts %d\n", ok, K * size, all);
            free(next);
        }
        MPI_Waitall(K, s, MPI_STATUSES_IGNORE);
    }

    /* Messages to self, large then small, received small-buffer first by tag order. */
    {
        int *big = malloc(BIG * sizeof(int)), *got = malloc(BIG * sizeof(int)), small = 5, a = 0;
        for (int i = 0; i < BIG; i++) big[i] = i;
        MPI_Request s[2];
        MPI_Isend(big, BIG, MPI_INT, rank, 50, MPI_COMM_WORLD, &s[0]);
        MPI_Isend(&small, 1, MPI_INT, rank, 50, MPI_COMM_WORLD, &s[1]);
        MPI_Recv(got, BIG, MPI_INT, rank, 50, MPI_COMM_WORLD, &st);
        int c1;
        MPI_Get_count(&st, MPI_INT, &c1);
        MPI_Recv(&a, 1, MPI_INT, rank, 50, MPI_COMM_WORLD, &st);
        MPI_Waitall(2, s, MPI_STATUSES_IGNORE);
        printf("self rank %d: first count %d last %d then %d\n", rank, c1, got[BIG - 1], a);
        free(big);
        free(got);
    }

    printf("rank %d: done p2p_ordering\n", rank);
    MPI_Finalize();
    return 0;
}

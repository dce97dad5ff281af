/* Put and Get synchronised with MPI_Win_fence: fence sequences opened with
 * MPI_MODE_NOPRECEDE and closed with MPI_MODE_NOSUCCEED, MPI_MODE_NOSTORE and
 * MPI_MODE_NOPUT on the fences in between; to self and to both neighbours; a
 * window with disp_unit sizeof(int) and one with disp_unit 1 (byte
 * displacements); zero-count and MPI_PROC_NULL operations; many operations to
 * one target in one epoch; a large Get and Put of doubles; an empty epoch. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 16
#define BIG 30000

static int rank, size;

static void show(const char *what, const int *a, int n) {
    printf("rank %d: %s:", rank, what);
    for (int i = 0; i < n; i++) printf(" %d", a[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;

    /* Window in units of ints. */
    int *w = NULL;
    MPI_Win win;
    MPI_Win_allocate(N * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &w, &win);
    for (int i = 0; i < N; i++) w[i] = -1;

    /* Epoch 1 (puts): own value to int 0 of self, two ints to ints 1..2 of the
     * right neighbour, one int to int 3 of the left neighbour; a zero-count Put
     * and Puts to MPI_PROC_NULL change nothing. No local stores since the last
     * synchronisation, so the closing fence asserts NOSTORE; the next epoch only
     * gets, so it also asserts NOPUT. */
    int mine = 10 * rank, pair[2] = {100 + rank, 200 + rank}, back = 300 + rank, junk = 999;
    MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
    MPI_Put(&mine, 1, MPI_INT, rank, 0, 1, MPI_INT, win);
    MPI_Put(pair, 2, MPI_INT, right, 1, 2, MPI_INT, win);
    MPI_Put(&back, 1, MPI_INT, left, 3, 1, MPI_INT, win);
    MPI_Put(&junk, 0, MPI_INT, right, 4, 0, MPI_INT, win);
    MPI_Put(&junk, 1, MPI_INT, MPI_PROC_NULL, 4, 1, MPI_INT, win);
    MPI_Get(&junk, 1, MPI_INT, MPI_PROC_NULL, 4, 1, MPI_INT, win);
    MPI_Win_fence(MPI_MODE_NOSTORE | MPI_MODE_NOPUT, win);
    show("after puts", w, 6);

    /* Epoch 2 (gets only): ints 0..3 of the left and right neighbours and of self. */
    int gl[4], gr[4], gs[4];
    MPI_Get(gl, 4, MPI_INT, left, 0, 4, MPI_INT, win);
    MPI_Get(gr, 4, MPI_INT, right, 0, 4, MPI_INT, win);
    MPI_Get(gs, 4, MPI_INT, rank, 0, 4, MPI_INT, win);
    MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
    show("got from left", gl, 4);
    show("got from right", gr, 4);
    show("got from self", gs, 4);

    /* Local stores between sequences, then many single-int Puts to every rank:
     * rank r writes int 4+r of every target (distinct locations). */
    for (int i = 4; i < N; i++) w[i] = 0;
    MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
    for (int t = 0; t < size; t++) {
        int v = 1000 * (t + 1) + rank;
        if (4 + rank < N) MPI_Put(&v, 1, MPI_INT, t, 4 + rank, 1, MPI_INT, win);
    }
    MPI_Win_fence(MPI_MODE_NOSTORE, win);
    show("from everyone", w + 4, size < N - 4 ? size : N - 4);

    /* An empty epoch, then an epoch with a Put to self over a range the previous
     * epoch wrote, then the end of the sequence. */
    MPI_Win_fence(0, win);
    int ones[3] = {1, 1, 1};
    MPI_Put(ones, 3, MPI_INT, rank, 5, 3, MPI_INT, win);
    MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
    show("ones at 5..7", w + 4, 5);
    MPI_Win_free(&win);

    /* Window in bytes (disp_unit 1) over ints: displacements are byte offsets. */
    int *b = NULL;
    MPI_Win bwin;
    MPI_Win_allocate(N * sizeof(int), 1, MPI_INFO_NULL, MPI_COMM_WORLD, &b, &bwin);
    for (int i = 0; i < N; i++) b[i] = rank * 1000 + i;
    MPI_Win_fence(MPI_MODE_NOPRECEDE, bwin);
    int three[3] = {-rank, -rank - 1, -rank - 2};
    MPI_Put(three, 3, MPI_INT, right, 5 * sizeof(int), 3, MPI_INT, bwin);
    char bytes[4];
    MPI_Get(bytes, 4, MPI_BYTE, left, 12 * sizeof(int), 4, MPI_BYTE, bwin);
    MPI_Win_fence(0, bwin);
    int gotint;
    MPI_Get(&gotint, 1, MPI_INT, right, 6 * sizeof(int), 1, MPI_INT, bwin);
    MPI_Win_fence(MPI_MODE_NOSUCCEED, bwin);
    int fromb;
    memcpy(&fromb, bytes, sizeof fromb);
    show("byte window ints 4..8", b + 4, 5);
    printf("rank %d: byte window: left's int 12 via bytes %d right's int 6 %d\n", rank, fromb, gotint);
    MPI_Win_free(&bwin);

    /* Large transfers: every rank Gets the whole array of the right neighbour and
     * Puts its own array into the second half of the left neighbour's window. */
    double *big = NULL, *mine_big = malloc(BIG * sizeof(double)), *got_big = malloc(BIG * sizeof(double));
    MPI_Win dwin;
    MPI_Win_allocate(2 * BIG * sizeof(double), sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD, &big, &dwin);
    for (int i = 0; i < BIG; i++) {
        big[i] = rank + i * 0.5;
        big[BIG + i] = -1;
        mine_big[i] = rank * 2.0 - i;
    }
    MPI_Win_fence(MPI_MODE_NOPRECEDE, dwin);
    MPI_Get(got_big, BIG, MPI_DOUBLE, right, 0, BIG, MPI_DOUBLE, dwin);
    MPI_Put(mine_big, BIG, MPI_DOUBLE, left, BIG, BIG, MPI_DOUBLE, dwin);
    MPI_Win_fence(MPI_MODE_NOSUCCEED | MPI_MODE_NOSTORE, dwin);
    int bad_get = 0, bad_put = 0;
    double sum = 0;
    for (int i = 0; i < BIG; i++) {
        bad_get += got_big[i] != right + i * 0.5;
        bad_put += big[BIG + i] != right * 2.0 - i;
        sum += got_big[i] + big[BIG + i];
    }
    printf("rank %d: big get wrong %d big put wrong %d sum %.1f\n", rank, bad_get, bad_put, sum);
    MPI_Win_free(&dwin);
    free(mine_big);
    free(got_big);

    printf("rank %d: done rma_put_get_fence\n", rank);
    MPI_Finalize();
    return 0;
}

/* Passive-target synchronisation: MPI_Win_lock/unlock with MPI_LOCK_EXCLUSIVE
 * and MPI_LOCK_SHARED, lock_all/unlock_all, MPI_Win_flush, MPI_Win_flush_all,
 * MPI_Win_flush_local, MPI_Win_flush_local_all and MPI_Win_sync, and an
 * exclusive-lock read-modify-write counter (Get, flush, increment, Put) on rank 0
 * hammered by every rank: its final value is size * ITERS only if the
 * exclusive locks really exclude each other. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define ITERS 50
#define SLOTS 64 /* ints per window: slot r belongs to rank r */

static int rank, size;

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;

    int *w = NULL;
    MPI_Win win;
    MPI_Win_allocate((2 * SLOTS + 1) * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &w, &win);
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win);
    for (int i = 0; i < 2 * SLOTS + 1; i++) w[i] = -1;
    w[2 * SLOTS] = 0; /* the counter (used on rank 0) */
    MPI_Win_unlock(rank, win);
    MPI_Barrier(MPI_COMM_WORLD);

    /* Exclusive locks: write our slot on every rank, one target at a time. */
    for (int k = 0; k < size; k++) {
        int t = (rank + k) % size, v = rank * 10 + t;
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, t, 0, win);
        MPI_Put(&v, 1, MPI_INT, t, rank % SLOTS, 1, MPI_INT, win);
        MPI_Win_unlock(t, win);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    {
        /* Our own window, read under a shared lock on ourselves. */
        int bad = 0, sum = 0;
        MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win);
        for (int r = 0; r < size && r < SLOTS; r++) {
            sum += w[r];
            bad += w[r] != r * 10 + rank;
        }
        MPI_Win_unlock(rank, win);
        printf("rank %d: exclusive puts: sum %d wrong %d\n", rank, sum, bad);
    }

    /* Shared locks held on two targets at once: read the right and left windows. */
    {
        int gr[4], gl[4];
        MPI_Win_lock(MPI_LOCK_SHARED, right, 0, win);
        if (left != right) MPI_Win_lock(MPI_LOCK_SHARED, left, 0, win);
        MPI_Get(gr, 4, MPI_INT, right, 0, 4, MPI_INT, win);
        MPI_Get(gl, 4, MPI_INT, left, 0, 4, MPI_INT, win);
        if (left != right) MPI_Win_unlock(left, win);
        MPI_Win_unlock(right, win);
        printf("rank %d: shared gets: right %d %d %d %d left %d %d %d %d\n", rank, gr[0], gr[1], gr[2], gr[3], gl[0],
               gl[1], gl[2], gl[3]);
    }

    MPI_Win_lock_all(0, win);
    /* flush: Put into slot SLOTS+rank of the right neighbour, flush it, then Get
     * it back from the same target in the same epoch. */
    {
        int v = 100 + rank, back = -1;
        MPI_Put(&v, 1, MPI_INT, right, SLOTS + rank % SLOTS, 1, MPI_INT, win);
        MPI_Win_flush(right, win);
        MPI_Get(&back, 1, MPI_INT, right, SLOTS + rank % SLOTS, 1, MPI_INT, win);
        MPI_Win_flush(right, win);
        printf("rank %d: flush: put %d read back %d\n", rank, v, back);
    }
    /* flush_local: the origin buffer is reusable after it; reuse it for a Put to
     * every rank (slot SLOTS+rank there), then flush_all for remote completion. */
    {
        int buf;
        for (int t = 0; t < size; t++) {
            buf = 1000 * (t + 1) + rank;
            MPI_Put(&buf, 1, MPI_INT, t, SLOTS + rank % SLOTS, 1, MPI_INT, win);
            MPI_Win_flush_local(t, win);
        }
        MPI_Win_flush_all(win);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    {
        /* Everyone's Puts are complete at their targets: Get our own slots. */
        int *got = malloc(size * sizeof(int)), bad = 0;
        int n = size < SLOTS ? size : SLOTS;
        MPI_Get(got, n, MPI_INT, rank, SLOTS, n, MPI_INT, win);
        MPI_Win_flush(rank, win);
        for (int r = 0; r < n; r++) bad += got[r] != 1000 * (rank + 1) + r;
        printf("rank %d: flush_local/flush_all: first %d last %d wrong %d\n", rank, got[0], got[n - 1], bad);
        free(got);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    /* flush_local_all: Gets from everyone complete locally; then Win_sync makes
     * a local store visible to the others. */
    {
        int *got = malloc(size * sizeof(int)), bad = 0;
        for (int t = 0; t < size; t++) MPI_Get(&got[t], 1, MPI_INT, t, 0, 1, MPI_INT, win);
        MPI_Win_flush_local_all(win);
        for (int t = 0; t < size; t++) bad += got[t] != t;
        printf("rank %d: flush_local_all: slot 0 of every rank wrong %d\n", rank, bad);
        free(got);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    {
        w[SLOTS - 1] = 7000 + rank; /* a local store into our window */
        MPI_Win_sync(win);
        MPI_Barrier(MPI_COMM_WORLD);
        int got = -1;
        MPI_Get(&got, 1, MPI_INT, left, SLOTS - 1, 1, MPI_INT, win);
        MPI_Win_flush(left, win);
        printf("rank %d: win_sync: left's local store %d\n", rank, got);
    }
    MPI_Win_unlock_all(win);
    MPI_Barrier(MPI_COMM_WORLD);

    /* Read-modify-write counter on rank 0 under exclusive locks. */
    for (int it = 0; it < ITERS; it++) {
        int v = -1;
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
        MPI_Get(&v, 1, MPI_INT, 0, 2 * SLOTS, 1, MPI_INT, win);
        MPI_Win_flush(0, win);
        v++;
        MPI_Put(&v, 1, MPI_INT, 0, 2 * SLOTS, 1, MPI_INT, win);
        MPI_Win_unlock(0, win);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    {
        int v = -1;
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
        MPI_Get(&v, 1, MPI_INT, 0, 2 * SLOTS, 1, MPI_INT, win);
        MPI_Win_unlock(0, win);
        printf("rank %d: counter %d expected %d\n", rank, v, size * ITERS);
    }

    MPI_Win_free(&win);
    printf("rank %d: done rma_lock\n", rank);
    MPI_Finalize();
    return 0;
}

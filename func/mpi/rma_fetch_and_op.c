/* MPI_Fetch_and_op and MPI_Compare_and_swap under lock_all:
 * - a shared ticket counter on rank 0 hammered by every rank (SUM of 1, 100
 *   times each, flushed each time): every rank gets 100 distinct, increasing
 *   tickets and, over all ranks, the tickets are exactly 0..100*size-1;
 * - the same with long long and a stride of 3, and a double SUM of 0.5;
 * - MPI_NO_OP as an atomic read and MPI_REPLACE as an atomic swap (chain);
 * - Compare_and_swap as a spin lock on rank 0 protecting a non-atomic
 *   read-modify-write (Get, flush, Put, flush) of a second counter;
 * - Compare_and_swap that fails (result is the current value, no change). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define TICKETS 100
#define LOCKED_ITERS 10

enum { CTR, LOCK, PROTECTED, SWAP, CAS_CELL, NCELLS };

static int rank, size;

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int *c = NULL;
    long long *l = NULL;
    double *d = NULL;
    MPI_Win win, lwin, dwin;
    MPI_Win_allocate(NCELLS * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &c, &win);
    MPI_Win_allocate(sizeof(long long), sizeof(long long), MPI_INFO_NULL, MPI_COMM_WORLD, &l, &lwin);
    MPI_Win_allocate(2 * sizeof(double), sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD, &d, &dwin);
    /* Initialise under exclusive locks on ourselves; the barrier orders the
     * stores before everyone's accesses. */
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win);
    for (int i = 0; i < NCELLS; i++) c[i] = 0;
    c[SWAP] = -1;
    c[CAS_CELL] = 40 + rank;
    MPI_Win_unlock(rank, win);
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, lwin);
    *l = 1000;
    MPI_Win_unlock(rank, lwin);
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, dwin);
    d[0] = 0.0;
    d[1] = -1.0;
    MPI_Win_unlock(rank, dwin);
    MPI_Barrier(MPI_COMM_WORLD);

    MPI_Win_lock_all(0, win);
    MPI_Win_lock_all(0, lwin);
    MPI_Win_lock_all(0, dwin);

    /* Ticket counter. */
    int tickets[TICKETS];
    long long lt[TICKETS];
    int one = 1;
    long long three = 3;
    double half = 0.5, dres;
    for (int i = 0; i < TICKETS; i++) {
        MPI_Fetch_and_op(&one, &tickets[i], MPI_INT, 0, CTR, MPI_SUM, win);
        MPI_Win_flush(0, win);
        MPI_Fetch_and_op(&three, &lt[i], MPI_LONG_LONG, 0, 0, MPI_SUM, lwin);
        MPI_Win_flush(0, lwin);
        MPI_Fetch_and_op(&half, &dres, MPI_DOUBLE, 0, 0, MPI_SUM, dwin);
        MPI_Win_flush(0, dwin);
    }
    {
        int *seen = calloc(TICKETS * size, sizeof(int)), unique = 0, increasing = 1, lok = 1;
        for (int i = 0; i < TICKETS; i++) {
            if (tickets[i] >= 0 && tickets[i] < TICKETS * size && !seen[tickets[i]]++) unique++;
            if (i > 0 && tickets[i] <= tickets[i - 1]) increasing = 0;
            if (lt[i] < 1000 || (lt[i] - 1000) % 3 != 0 || (i > 0 && lt[i] <= lt[i - 1])) lok = 0;
        }
        printf("rank %d: %d tickets, %d unique, increasing %d, long long tickets ok %d\n", rank, TICKETS, unique,
               increasing, lok);
        free(seen);
    }
    int *all = rank == 0 ? malloc(TICKETS * size * sizeof(int)) : NULL;
    MPI_Gather(tickets, TICKETS, MPI_INT, all, TICKETS, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    {
        /* Everyone's fetch-and-ops were flushed before the barrier: read the totals. */
        int total = -1, dummy = 0;
        long long ltotal = -1, ldummy = 0;
        double dtotal = -1, ddummy = 0;
        MPI_Fetch_and_op(&dummy, &total, MPI_INT, 0, CTR, MPI_NO_OP, win);
        MPI_Fetch_and_op(&ldummy, &ltotal, MPI_LONG_LONG, 0, 0, MPI_NO_OP, lwin);
        MPI_Fetch_and_op(&ddummy, &dtotal, MPI_DOUBLE, 0, 0, MPI_NO_OP, dwin);
        MPI_Win_flush_all(win);
        MPI_Win_flush_all(lwin);
        MPI_Win_flush_all(dwin);
        printf("rank %d: no_op totals: int %d long long %lld double %g\n", rank, total, ltotal, dtotal);
    }
    if (rank == 0) {
        int *seen = calloc(TICKETS * size, sizeof(int)), distinct = 0;
        for (int i = 0; i < TICKETS * size; i++)
            if (all[i] >= 0 && all[i] < TICKETS * size && !seen[all[i]]++) distinct++;
        printf("rank 0: total tickets %d, distinct %d\n", TICKETS * size, distinct);
        free(seen);
        free(all);
    }

    /* MPI_REPLACE: every rank swaps its rank into rank 0's swap cell. */
    int old = -2;
    MPI_Fetch_and_op(&rank, &old, MPI_INT, 0, SWAP, MPI_REPLACE, win);
    MPI_Win_flush(0, win);
    /* And a double replace on every rank's second double, from the right neighbour. */
    double mine = rank + 0.25, prev = 0;
    MPI_Fetch_and_op(&mine, &prev, MPI_DOUBLE, (rank + size - 1) % size, 1, MPI_REPLACE, dwin);
    MPI_Win_flush_all(dwin);
    printf("rank %d: replace: old value was -1 or a rank %d, double replaced %g\n", rank, old >= -1 && old < size,
           prev);

    /* Spin lock with Compare_and_swap (0 = free, r+1 = held by r). */
    for (int it = 0; it < LOCKED_ITERS; it++) {
        int unlocked = 0, me = rank + 1, res = -1, v;
        do {
            MPI_Compare_and_swap(&me, &unlocked, &res, MPI_INT, 0, LOCK, win);
            MPI_Win_flush(0, win);
        } while (res != 0);
        MPI_Get(&v, 1, MPI_INT, 0, PROTECTED, 1, MPI_INT, win);
        MPI_Win_flush(0, win);
        v++;
        MPI_Put(&v, 1, MPI_INT, 0, PROTECTED, 1, MPI_INT, win);
        MPI_Win_flush(0, win);
        /* Release: swap our id back for 0; we must have held it. */
        int back = -1;
        MPI_Compare_and_swap(&unlocked, &me, &back, MPI_INT, 0, LOCK, win);
        MPI_Win_flush(0, win);
        if (back != me) printf("rank %d: lock was not ours (%d)\n", rank, back);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    {
        int protected_v = -1, lockv = -1, dummy = 0;
        MPI_Fetch_and_op(&dummy, &protected_v, MPI_INT, 0, PROTECTED, MPI_NO_OP, win);
        MPI_Fetch_and_op(&dummy, &lockv, MPI_INT, 0, LOCK, MPI_NO_OP, win);
        MPI_Win_flush(0, win);
        printf("rank %d: locked counter %d expected %d lock free %d\n", rank, protected_v, size * LOCKED_ITERS,
               lockv == 0);
    }

    /* Compare_and_swap on the right neighbour's own cell: a wrong compare value
     * changes nothing, the right one swaps; both return the current value. */
    {
        int right = (rank + 1) % size, wrong = -5, expect = 40 + right, neu = 70 + rank, r1 = -1, r2 = -1, r3 = -1, dummy = 0;
        MPI_Compare_and_swap(&neu, &wrong, &r1, MPI_INT, right, CAS_CELL, win);
        MPI_Win_flush(right, win);
        MPI_Compare_and_swap(&neu, &expect, &r2, MPI_INT, right, CAS_CELL, win);
        MPI_Win_flush(right, win);
        MPI_Fetch_and_op(&dummy, &r3, MPI_INT, right, CAS_CELL, MPI_NO_OP, win);
        MPI_Win_flush(right, win);
        printf("rank %d: cas on right: failed returns %d, succeeded returns %d, now %d\n", rank, r1, r2, r3);
    }

    MPI_Win_unlock_all(dwin);
    MPI_Win_unlock_all(lwin);
    MPI_Win_unlock_all(win);
    MPI_Barrier(MPI_COMM_WORLD);
    /* The final swap cell and the doubles, read locally after the epochs ended. */
    MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win);
    int swap_final = c[SWAP];
    MPI_Win_unlock(rank, win);
    MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, dwin);
    double dlocal = d[1];
    MPI_Win_unlock(rank, dwin);
    if (rank == 0)
        printf("rank 0: swap cell holds a rank %d\n", swap_final >= 0 && swap_final < size);
    printf("rank %d: own second double %g\n", rank, dlocal);
    int *olds = rank == 0 ? malloc(size * sizeof(int)) : NULL;
    MPI_Gather(&old, 1, MPI_INT, olds, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        /* The values swapped out plus the final one are -1 and every rank, once each. */
        int *seen = calloc(size + 1, sizeof(int)), ok = 1;
        for (int i = 0; i <= size; i++) {
            int v = i < size ? olds[i] : swap_final;
            if (v < -1 || v >= size || seen[v + 1]++) ok = 0;
        }
        printf("rank 0: swap chain complete %d\n", ok);
        free(seen);
        free(olds);
    }

    MPI_Win_free(&win);
    MPI_Win_free(&lwin);
    MPI_Win_free(&dwin);
    printf("rank %d: done rma_fetch_and_op\n", rank);
    MPI_Finalize();
    return 0;
}

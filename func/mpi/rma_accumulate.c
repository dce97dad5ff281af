/* MPI_Accumulate with every predefined arithmetic, logical and bitwise op on
 * int (and the arithmetic ones on double) plus MPI_REPLACE, all ranks
 * accumulating into rank 0 at once: in a fence epoch, then repeatedly under
 * shared locks. Concurrent accumulates with the same op on the same element are
 * atomic per element, so the results do not depend on the order; for
 * MPI_REPLACE every element must hold one of the values written. Then
 * MPI_Get_accumulate: MPI_SUM as fetch-and-add (the fetched values over all ranks
 * are exactly 0..N-1), MPI_REPLACE as a swap chain, and MPI_NO_OP as an atomic
 * read. Every rank recomputes the expected values and checks what it reads. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define K 4     /* elements per op */
#define NIOPS 11
#define NDOPS 5
#define REPS 3
#define FA 3    /* fetch-and-adds per rank */
#define CTR (NIOPS * K)       /* int index of the fetch-and-add counter */
#define SWAP (NIOPS * K + 1)  /* int index of the swap cell */
#define NINT (NIOPS * K + 2)

static int rank, size;
static const char *inames[NIOPS] = {"SUM", "PROD", "MAX", "MIN", "LAND", "LOR", "LXOR", "BAND", "BOR", "BXOR", "REPLACE"};
static const char *dnames[NDOPS] = {"SUM", "PROD", "MAX", "MIN", "REPLACE"};

static MPI_Op iop(int o) {
    MPI_Op ops[NIOPS] = {MPI_SUM, MPI_PROD, MPI_MAX, MPI_MIN, MPI_LAND, MPI_LOR,
                         MPI_LXOR, MPI_BAND, MPI_BOR, MPI_BXOR, MPI_REPLACE};
    return ops[o];
}
static MPI_Op dop(int o) {
    MPI_Op ops[NDOPS] = {MPI_SUM, MPI_PROD, MPI_MAX, MPI_MIN, MPI_REPLACE};
    return ops[o];
}

/* What rank r contributes to element k of int op o, and the initial value. */
static int icontrib(int o, int r, int k) {
    switch (o) {
    case 0: return r * 10 + k + 1;
    case 1: return k == 3 ? (r == 1 ? -1 : 1) : (r + k) % 3 == 0 ? 2 : 1;
    case 2: case 3: return (r * 7 + k * 3) % 11 - 5;
    case 4: return (r + k) % 4 != 0;
    case 5: return r == k;
    case 6: return (r + k) % 2;
    case 7: return ~(1 << ((r + k) % 8));
    case 8: return 1 << ((r * 3 + k) % 16);
    case 9: return r * 5 + k * 17;
    default: return 1000 * (r + 1) + k;
    }
}
static int iinit(int o) {
    int init[NIOPS] = {0, 1, -100, 100, 1, 0, 0, -1, 0, 0, -1};
    return init[o];
}
static int iapply(int o, int acc, int v) {
    switch (o) {
    case 0: return acc + v;
    case 1: return acc * v;
    case 2: return v > acc ? v : acc;
    case 3: return v < acc ? v : acc;
    case 4: return acc && v;
    case 5: return acc || v;
    case 6: return !acc != !v;
    case 7: return acc & v;
    case 8: return acc | v;
    case 9: return acc ^ v;
    default: return v;
    }
}
static double dcontrib(int o, int r, int k) {
    switch (o) {
    case 0: return 0.5 * (r + 1) + k;
    case 1: return (r + k) % 3 == 0 ? 2.0 : (r + k) % 3 == 1 ? 0.5 : 1.0;
    case 2: case 3: return ((r * 5 + k * 3) % 9 - 4) * 0.25;
    default: return 100.0 * (r + 1) + k + 0.5;
    }
}
static double dinit(int o) {
    double init[NDOPS] = {0.0, 1.0, -100.0, 100.0, -1.0};
    return init[o];
}
static double dapply(int o, double acc, double v) {
    switch (o) {
    case 0: return acc + v;
    case 1: return acc * v;
    case 2: return v > acc ? v : acc;
    case 3: return v < acc ? v : acc;
    default: return v;
    }
}

/* Checks (and on rank 0 prints) the int and double results after 'reps' rounds. */
static void check(const char *round, const int *iw, const double *dw, int reps) {
    int bad = 0;
    for (int o = 0; o < NIOPS; o++) {
        for (int k = 0; k < K; k++) {
            if (iop(o) == MPI_REPLACE) {
                int ok = 0;
                for (int r = 0; r < size; r++) ok |= iw[o * K + k] == icontrib(o, r, k);
                bad += !ok;
            } else {
                int e = iinit(o);
                for (int rep = 0; rep < reps; rep++)
                    for (int r = 0; r < size; r++) e = iapply(o, e, icontrib(o, r, k));
                bad += iw[o * K + k] != e;
            }
        }
        if (rank == 0 && iop(o) != MPI_REPLACE)
            printf("rank 0: %s int %s: %d %d %d %d\n", round, inames[o], iw[o * K], iw[o * K + 1], iw[o * K + 2],
                   iw[o * K + 3]);
    }
    for (int o = 0; o < NDOPS; o++) {
        for (int k = 0; k < K; k++) {
            if (dop(o) == MPI_REPLACE) {
                int ok = 0;
                for (int r = 0; r < size; r++) ok |= dw[o * K + k] == dcontrib(o, r, k);
                bad += !ok;
            } else {
                double e = dinit(o);
                for (int rep = 0; rep < reps; rep++)
                    for (int r = 0; r < size; r++) e = dapply(o, e, dcontrib(o, r, k));
                bad += dw[o * K + k] != e;
            }
        }
        if (rank == 0 && dop(o) != MPI_REPLACE)
            printf("rank 0: %s double %s: %g %g %g %g\n", round, dnames[o], dw[o * K], dw[o * K + 1], dw[o * K + 2],
                   dw[o * K + 3]);
    }
    printf("rank %d: %s results wrong %d\n", rank, round, bad);
}

static void init_windows(int *iw, double *dw) {
    for (int o = 0; o < NIOPS; o++)
        for (int k = 0; k < K; k++) iw[o * K + k] = iinit(o);
    iw[CTR] = 0;
    iw[SWAP] = -1;
    for (int o = 0; o < NDOPS; o++)
        for (int k = 0; k < K; k++) dw[o * K + k] = dinit(o);
}

static void accumulate_all(MPI_Win iwin, MPI_Win dwin) {
    int iv[K];
    double dv[K];
    for (int o = 0; o < NIOPS; o++) {
        for (int k = 0; k < K; k++) iv[k] = icontrib(o, rank, k);
        MPI_Accumulate(iv, K, MPI_INT, 0, o * K, K, MPI_INT, iop(o), iwin);
    }
    for (int o = 0; o < NDOPS; o++) {
        for (int k = 0; k < K; k++) dv[k] = dcontrib(o, rank, k);
        MPI_Accumulate(dv, K, MPI_DOUBLE, 0, o * K, K, MPI_DOUBLE, dop(o), dwin);
    }
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int *iw = NULL;
    double *dw = NULL;
    MPI_Win iwin, dwin;
    MPI_Win_allocate(NINT * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &iw, &iwin);
    MPI_Win_allocate(NDOPS * K * sizeof(double), sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD, &dw, &dwin);
    int ir[NINT];
    double dr[NDOPS * K];

    /* Round 1: one fence epoch, everyone accumulates every op into rank 0 once. */
    init_windows(iw, dw);
    MPI_Win_fence(MPI_MODE_NOPRECEDE, iwin);
    MPI_Win_fence(MPI_MODE_NOPRECEDE, dwin);
    accumulate_all(iwin, dwin);
    MPI_Win_fence(0, iwin);
    MPI_Win_fence(0, dwin);
    MPI_Get(ir, NINT, MPI_INT, 0, 0, NINT, MPI_INT, iwin);
    MPI_Get(dr, NDOPS * K, MPI_DOUBLE, 0, 0, NDOPS * K, MPI_DOUBLE, dwin);
    MPI_Win_fence(MPI_MODE_NOSUCCEED, iwin);
    MPI_Win_fence(MPI_MODE_NOSUCCEED, dwin);
    check("fence", ir, dr, 1);

    /* Round 2: rank 0 resets its windows under an exclusive lock on itself, then
     * everyone accumulates REPS times, each time in its own shared-lock epoch. */
    if (rank == 0) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, iwin);
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, dwin);
        init_windows(iw, dw);
        MPI_Win_unlock(0, dwin);
        MPI_Win_unlock(0, iwin);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    for (int rep = 0; rep < REPS; rep++) {
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, iwin);
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, dwin);
        accumulate_all(iwin, dwin);
        MPI_Win_unlock(0, dwin);
        MPI_Win_unlock(0, iwin);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, iwin);
    MPI_Get(ir, NINT, MPI_INT, 0, 0, NINT, MPI_INT, iwin);
    MPI_Win_unlock(0, iwin);
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, dwin);
    MPI_Get(dr, NDOPS * K, MPI_DOUBLE, 0, 0, NDOPS * K, MPI_DOUBLE, dwin);
    MPI_Win_unlock(0, dwin);
    check("passive", ir, dr, REPS);

    /* Get_accumulate: fetch-and-add on the counter, a swap chain on the swap cell. */
    int tickets[FA], swapped;
    for (int i = 0; i < FA; i++) {
        int one = 1;
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, iwin);
        MPI_Get_accumulate(&one, 1, MPI_INT, &tickets[i], 1, MPI_INT, 0, CTR, 1, MPI_INT, MPI_SUM, iwin);
        MPI_Win_unlock(0, iwin);
    }
    {
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, iwin);
        MPI_Get_accumulate(&rank, 1, MPI_INT, &swapped, 1, MPI_INT, 0, SWAP, 1, MPI_INT, MPI_REPLACE, iwin);
        MPI_Win_unlock(0, iwin);
    }
    int increasing = 1, in_range = 1;
    for (int i = 0; i < FA; i++) {
        if (i > 0 && tickets[i] <= tickets[i - 1]) increasing = 0;
        if (tickets[i] < 0 || tickets[i] >= FA * size) in_range = 0;
    }
    printf("rank %d: fetch-and-add tickets increasing %d in range %d\n", rank, increasing, in_range);
    MPI_Barrier(MPI_COMM_WORLD);

    /* MPI_NO_OP reads the final counter, the swap cell and a double atomically. */
    int final[2];
    double dsum[K];
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, iwin);
    MPI_Get_accumulate(NULL, 0, MPI_INT, final, 2, MPI_INT, 0, CTR, 2, MPI_INT, MPI_NO_OP, iwin);
    MPI_Win_unlock(0, iwin);
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, dwin);
    MPI_Get_accumulate(NULL, 0, MPI_DOUBLE, dsum, K, MPI_DOUBLE, 0, 0, K, MPI_DOUBLE, MPI_NO_OP, dwin);
    MPI_Win_unlock(0, dwin);
    printf("rank %d: no_op read: counter %d swap cell is a rank %d double sums %g %g %g %g\n", rank, final[0],
           final[1] >= 0 && final[1] < size, dsum[0], dsum[1], dsum[2], dsum[3]);

    int *all = rank == 0 ? malloc(FA * size * sizeof(int)) : NULL;
    int *sw = rank == 0 ? malloc(size * sizeof(int)) : NULL;
    MPI_Gather(tickets, FA, MPI_INT, all, FA, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Gather(&swapped, 1, MPI_INT, sw, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        /* Tickets: each of 0..FA*size-1 exactly once. Swaps: the fetched values plus
         * the final cell are -1 and every rank, each exactly once. */
        int *seen = calloc(FA * size, sizeof(int)), tickets_ok = 1;
        for (int i = 0; i < FA * size; i++) {
            if (all[i] < 0 || all[i] >= FA * size || seen[all[i]]++) tickets_ok = 0;
        }
        int *seen2 = calloc(size + 1, sizeof(int)), swaps_ok = 1;
        for (int i = 0; i <= size; i++) {
            int v = i < size ? sw[i] : final[1];
            if (v < -1 || v >= size || seen2[v + 1]++) swaps_ok = 0;
        }
        printf("rank 0: all tickets distinct and complete %d swap chain complete %d\n", tickets_ok, swaps_ok);
        free(seen);
        free(seen2);
        free(all);
        free(sw);
    }

    MPI_Win_free(&iwin);
    MPI_Win_free(&dwin);
    printf("rank %d: done rma_accumulate\n", rank);
    MPI_Finalize();
    return 0;
}

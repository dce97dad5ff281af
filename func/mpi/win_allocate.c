/* MPI_Win_allocate: the window memory comes from MPI. Attributes as for
 * Win_create (MPI_WIN_BASE is the returned pointer, MPI_WIN_SIZE and
 * MPI_WIN_DISP_UNIT per rank, flavor MPI_WIN_FLAVOR_ALLOCATE, model UNIFIED or
 * SEPARATE), group and name; the memory is writable and aligned for doubles,
 * is used by Put/Get/Accumulate under fences and locks, and several windows
 * coexist (one with a zero-size member, one on MPI_COMM_SELF). Win_free sets
 * MPI_WIN_NULL. Addresses are only compared, never printed. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int rank, size;

/* Rank r allocates 4 + 2*(r%4) doubles; ranks with r%3 == 1 use disp_unit 1. */
static int ndoubles(int r) { return 4 + 2 * (r % 4); }
static int dunit(int r) { return r % 3 == 1 ? 1 : (int)sizeof(double); }
static MPI_Aint disp(int t, int k) { return (MPI_Aint)k * (MPI_Aint)sizeof(double) / dunit(t); }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;

    int n = ndoubles(rank);
    double *mem = NULL;
    MPI_Win win;
    MPI_Win_allocate((MPI_Aint)n * (MPI_Aint)sizeof(double), dunit(rank), MPI_INFO_NULL, MPI_COMM_WORLD, &mem, &win);
    printf("rank %d: allocated %d aligned %d\n", rank, mem != NULL, mem != NULL && (uintptr_t)mem % sizeof(double) == 0);
    for (int i = 0; i < n; i++) mem[i] = rank + i * 0.25;

    {
        void *base = NULL;
        MPI_Aint *sz = NULL;
        int *du = NULL, *flavor = NULL, *model = NULL;
        int f1 = 0, f2 = 0, f3 = 0, f4 = 0, f5 = 0;
        MPI_Win_get_attr(win, MPI_WIN_BASE, &base, &f1);
        MPI_Win_get_attr(win, MPI_WIN_SIZE, &sz, &f2);
        MPI_Win_get_attr(win, MPI_WIN_DISP_UNIT, &du, &f3);
        MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &flavor, &f4);
        MPI_Win_get_attr(win, MPI_WIN_MODEL, &model, &f5);
        printf("rank %d: attr flags %d %d %d %d %d\n", rank, f1, f2, f3, f4, f5);
        printf("rank %d: base ok %d size %lld disp_unit %d\n", rank, base == (void *)mem, f2 ? (long long)*sz : -1LL,
               f3 ? *du : -1);
        printf("rank %d: flavor allocate %d create %d model known %d\n", rank, f4 && *flavor == MPI_WIN_FLAVOR_ALLOCATE,
               f4 && *flavor == MPI_WIN_FLAVOR_CREATE, f5 && (*model == MPI_WIN_UNIFIED || *model == MPI_WIN_SEPARATE));
    }
    {
        MPI_Group wg, cg;
        int c, gs;
        MPI_Win_get_group(win, &wg);
        MPI_Comm_group(MPI_COMM_WORLD, &cg);
        MPI_Group_compare(wg, cg, &c);
        MPI_Group_size(wg, &gs);
        printf("rank %d: group ident %d size %d\n", rank, c == MPI_IDENT, gs);
        MPI_Group_free(&wg);
        MPI_Group_free(&cg);
        char name[MPI_MAX_OBJECT_NAME];
        int len;
        MPI_Win_set_name(win, "allocated");
        MPI_Win_get_name(win, name, &len);
        printf("rank %d: name '%s' len %d\n", rank, name, len);
    }

    /* Fence epoch: Put the value 100+rank into double 1 of the right neighbour,
     * Get double 0 of the left neighbour (written locally above). */
    {
        double v = 100 + rank, got = -1;
        MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
        MPI_Put(&v, 1, MPI_DOUBLE, right, disp(right, 1), 1, MPI_DOUBLE, win);
        MPI_Get(&got, 1, MPI_DOUBLE, left, disp(left, 0), 1, MPI_DOUBLE, win);
        MPI_Win_fence(0, win);
        /* The next epoch has begun: read only doubles no one targets in it. */
        printf("rank %d: fence: mem %g %g %g got %g\n", rank, mem[0], mem[1], mem[2], got);
    }

    /* Fence epoch: every rank adds 0.5*(rank+1) to the last double of every rank. */
    {
        for (int t = 0; t < size; t++) {
            double v = 0.5 * (rank + 1);
            MPI_Accumulate(&v, 1, MPI_DOUBLE, t, disp(t, ndoubles(t) - 1), 1, MPI_DOUBLE, MPI_SUM, win);
        }
        MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
        printf("rank %d: accumulate last %g expected %g\n", rank, mem[n - 1],
               rank + (n - 1) * 0.25 + 0.25 * size * (size + 1));
    }

    /* Passive target: Put into the left neighbour under an exclusive lock, then
     * Get the whole window of the right neighbour under a shared lock. */
    {
        double v[2] = {(double)-rank, 1000.0 + rank};
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, left, 0, win);
        MPI_Put(v, 2, MPI_DOUBLE, left, disp(left, 1), 2, MPI_DOUBLE, win);
        MPI_Win_unlock(left, win);
        MPI_Barrier(MPI_COMM_WORLD);
        int rn = ndoubles(right);
        double got[12];
        MPI_Win_lock(MPI_LOCK_SHARED, right, 0, win);
        MPI_Get(got, rn, MPI_DOUBLE, right, 0, rn, MPI_DOUBLE, win);
        MPI_Win_unlock(right, win);
        printf("rank %d: right window (%d):", rank, rn);
        for (int i = 0; i < rn; i++) printf(" %g", got[i]);
        printf("\n");
    }

    /* A second window alive at the same time: rank 0 allocates nothing, the
     * others one int each; everyone sums the others into its own slot. */
    {
        int *im = NULL;
        MPI_Win w2;
        MPI_Aint bytes = rank == 0 ? 0 : (MPI_Aint)sizeof(int);
        MPI_Win_allocate(bytes, (int)sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &im, &w2);
        MPI_Aint *sz = NULL;
        int f = 0;
        MPI_Win_get_attr(w2, MPI_WIN_SIZE, &sz, &f);
        if (rank != 0) *im = 0;
        MPI_Win_fence(MPI_MODE_NOPRECEDE, w2);
        for (int t = 1; t < size; t++) {
            int v = rank + 1;
            MPI_Accumulate(&v, 1, MPI_INT, t, 0, 1, MPI_INT, MPI_SUM, w2);
        }
        MPI_Win_fence(MPI_MODE_NOSUCCEED, w2);
        if (rank == 0)
            printf("rank %d: second window size %lld\n", rank, f ? (long long)*sz : -1LL);
        else
            printf("rank %d: second window size %lld sum %d\n", rank, f ? (long long)*sz : -1LL, *im);
        MPI_Win_free(&w2);
    }

    /* A window on MPI_COMM_SELF. */
    {
        long long *lm = NULL;
        MPI_Win sw;
        MPI_Win_allocate(4 * (MPI_Aint)sizeof(long long), (int)sizeof(long long), MPI_INFO_NULL, MPI_COMM_SELF, &lm,
                         &sw);
        for (int i = 0; i < 4; i++) lm[i] = (long long)rank << 33 | i;
        long long r[4];
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, sw);
        MPI_Get(r, 4, MPI_LONG_LONG, 0, 0, 4, MPI_LONG_LONG, sw);
        MPI_Win_unlock(0, sw);
        printf("rank %d: self window %lld %lld %lld %lld\n", rank, r[0], r[1], r[2], r[3]);
        MPI_Win_free(&sw);
    }

    MPI_Win_free(&win);
    printf("rank %d: freed null %d\n", rank, win == MPI_WIN_NULL);
    printf("rank %d: done win_allocate\n", rank);
    MPI_Finalize();
    return 0;
}

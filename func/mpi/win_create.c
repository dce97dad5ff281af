/* MPI_Win_create over a local array: the predefined window attributes
 * (MPI_WIN_BASE is the array, MPI_WIN_SIZE, MPI_WIN_DISP_UNIT differing per rank,
 * MPI_WIN_CREATE_FLAVOR is MPI_WIN_FLAVOR_CREATE, MPI_WIN_MODEL is UNIFIED or
 * SEPARATE), Win_get_group against the communicator's group, Win_set_name and
 * Win_get_name, Put/Get/Accumulate through the window with fences and locks
 * honouring each target's disp_unit, windows over a split communicator (with
 * zero-size members and an info hint) and over MPI_COMM_SELF, and Win_free
 * setting MPI_WIN_NULL. Addresses and handles are only compared, never printed. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 16

static int rank, size;

/* Rank r exposes 8 + 4*(r%3) ints; odd ranks use disp_unit 1, even ranks sizeof(int). */
static int nints(int r) { return 8 + 4 * (r % 3); }
static int dunit(int r) { return r % 2 ? 1 : (int)sizeof(int); }
/* Displacement of int k in rank t's window, in t's disp_unit. */
static MPI_Aint disp(int t, int k) { return (MPI_Aint)k * (MPI_Aint)sizeof(int) / dunit(t); }

static const char *cmpname(int c) {
    return c == MPI_IDENT ? "IDENT" : c == MPI_SIMILAR ? "SIMILAR" : c == MPI_UNEQUAL ? "UNEQUAL" : "OTHER";
}

int main(int argc, char **argv) {
#ifndef FBATCH_MPI
    /* Native runs only: this machine's /etc/openmpi/openmpi-mca-params.conf disables
     * osc pt2pt, and no other osc component can serve MPI_Win_create with
     * btl_vader_single_copy_mechanism=none. An explicit OMPI_MCA_osc still wins. */
    setenv("OMPI_MCA_osc", "sm,pt2pt", 0);
#endif
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;

    int buf[MAXN];
    int n = nints(rank);
    for (int i = 0; i < MAXN; i++) buf[i] = rank * 100 + i;
    MPI_Win win;
    MPI_Win_create(buf, (MPI_Aint)n * (MPI_Aint)sizeof(int), dunit(rank), MPI_INFO_NULL, MPI_COMM_WORLD, &win);

    /* Predefined attributes. */
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
        printf("rank %d: base ok %d size %lld size ok %d disp_unit %d\n", rank, base == (void *)buf,
               f2 ? (long long)*sz : -1LL, f2 && *sz == (MPI_Aint)n * (MPI_Aint)sizeof(int), f3 ? *du : -1);
        printf("rank %d: flavor create %d model known %d\n", rank, f4 && *flavor == MPI_WIN_FLAVOR_CREATE,
               f5 && (*model == MPI_WIN_UNIFIED || *model == MPI_WIN_SEPARATE));
    }

    /* The window's group is the communicator's group. */
    {
        MPI_Group wg, cg;
        int c, gs, gr;
        MPI_Win_get_group(win, &wg);
        MPI_Comm_group(MPI_COMM_WORLD, &cg);
        MPI_Group_compare(wg, cg, &c);
        MPI_Group_size(wg, &gs);
        MPI_Group_rank(wg, &gr);
        printf("rank %d: group %s size %d rank %d\n", rank, cmpname(c), gs, gr);
        MPI_Group_free(&wg);
        MPI_Group_free(&cg);
        printf("rank %d: group freed null %d\n", rank, wg == MPI_GROUP_NULL);
    }

    /* Names: set (differently on each rank) and read back. The default name is
     * implementation-specific (OpenMPI names windows after its osc component). */
    {
        char name[MPI_MAX_OBJECT_NAME];
        int len = -1;
        char mine[32];
        snprintf(mine, sizeof mine, "world window %d", rank);
        MPI_Win_set_name(win, mine);
        MPI_Win_get_name(win, name, &len);
        printf("rank %d: name '%s' len %d\n", rank, name, len);
        MPI_Win_set_name(win, "renamed");
        MPI_Win_get_name(win, name, &len);
        printf("rank %d: name '%s' len %d\n", rank, name, len);
    }

    /* Fence epoch: Put to self (int 0) and to the right neighbour (int 1), Get int 2
     * of the left neighbour, each displacement in the target's disp_unit. */
    {
        int mine = 1000 + rank, toright = 2000 + rank, got = -1;
        MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
        MPI_Put(&mine, 1, MPI_INT, rank, disp(rank, 0), 1, MPI_INT, win);
        MPI_Put(&toright, 1, MPI_INT, right, disp(right, 1), 1, MPI_INT, win);
        MPI_Get(&got, 1, MPI_INT, left, disp(left, 2), 1, MPI_INT, win);
        MPI_Win_fence(0, win);
        printf("rank %d: fence put/get: %d %d %d %d got %d\n", rank, buf[0], buf[1], buf[2], buf[3], got);
    }

    /* Fence epoch: every rank accumulates rank+1 into int 3 and int n-1 of every rank. */
    {
        MPI_Win_fence(0, win);
        for (int t = 0; t < size; t++) {
            int v = rank + 1;
            MPI_Accumulate(&v, 1, MPI_INT, t, disp(t, 3), 1, MPI_INT, MPI_SUM, win);
            MPI_Accumulate(&v, 1, MPI_INT, t, disp(t, nints(t) - 1), 1, MPI_INT, MPI_SUM, win);
        }
        /* The fence sequence ends here: passive-target epochs follow. */
        MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
        printf("rank %d: accumulate: %d %d expected %d %d\n", rank, buf[3], buf[n - 1],
               rank * 100 + 3 + size * (size + 1) / 2, rank * 100 + n - 1 + size * (size + 1) / 2);
    }

    /* Passive target: exclusive lock on the left neighbour, Put ints 4..5 there;
     * after a barrier each rank reads its own window under a lock on itself. */
    {
        int two[2] = {3000 + rank, -rank};
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, left, 0, win);
        MPI_Put(two, 2, MPI_INT, left, disp(left, 4), 2, MPI_INT, win);
        MPI_Win_unlock(left, win);
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win);
        int a = buf[4], b = buf[5];
        MPI_Win_unlock(rank, win);
        int got[2] = {-1, -1};
        MPI_Win_lock(MPI_LOCK_SHARED, right, 0, win);
        MPI_Get(got, 2, MPI_INT, right, disp(right, 4), 2, MPI_INT, win);
        MPI_Win_unlock(right, win);
        printf("rank %d: lock put: %d %d get from right %d %d\n", rank, a, b, got[0], got[1]);
    }

    MPI_Win_free(&win);
    printf("rank %d: freed null %d\n", rank, win == MPI_WIN_NULL);

    /* A window over half of the world, where every fourth rank exposes nothing
     * (NULL base, size 0), created with an info hint. */
    {
        MPI_Comm half;
        MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
        int hr, hs;
        MPI_Comm_rank(half, &hr);
        MPI_Comm_size(half, &hs);
        int empty = rank % 4 == 3;
        double d[4] = {rank + 0.5, rank + 0.25, 0, 0};
        MPI_Info info;
        MPI_Info_create(&info);
        MPI_Info_set(info, "no_locks", "true");
        MPI_Win hw;
        MPI_Win_create(empty ? NULL : d, empty ? 0 : 4 * (MPI_Aint)sizeof(double), (int)sizeof(double), info, half,
                       &hw);
        MPI_Info_free(&info);
        MPI_Aint *sz = NULL;
        int *du = NULL, f = 0;
        MPI_Win_get_attr(hw, MPI_WIN_SIZE, &sz, &f);
        long long szv = f ? (long long)*sz : -1;
        MPI_Win_get_attr(hw, MPI_WIN_DISP_UNIT, &du, &f);
        MPI_Group wg, cg, world;
        int c1, c2;
        MPI_Win_get_group(hw, &wg);
        MPI_Comm_group(half, &cg);
        MPI_Comm_group(MPI_COMM_WORLD, &world);
        MPI_Group_compare(wg, cg, &c1);
        MPI_Group_compare(wg, world, &c2);
        printf("rank %d: half window size %lld disp_unit %d group vs half %s vs world %s\n", rank, szv,
               f ? *du : -1, cmpname(c1), cmpname(c2));
        MPI_Group_free(&wg);
        MPI_Group_free(&cg);
        MPI_Group_free(&world);
        /* Every non-empty member gets both doubles of the next non-empty member
         * (in half-rank order, cyclically) into its own slots 2..3. */
        int *nonempty = malloc(hs * sizeof(int)), ne = 0, me_ne = !empty;
        MPI_Allgather(&me_ne, 1, MPI_INT, nonempty, 1, MPI_INT, half);
        int from = -1;
        for (int k = 1; k <= hs && from < 0; k++)
            if (nonempty[(hr + k) % hs]) from = (hr + k) % hs;
        for (int k = 0; k < hs; k++) ne += nonempty[k];
        MPI_Win_fence(MPI_MODE_NOPRECEDE, hw);
        if (!empty && from >= 0) MPI_Get(&d[2], 2, MPI_DOUBLE, from, 0, 2, MPI_DOUBLE, hw);
        MPI_Win_fence(MPI_MODE_NOSUCCEED, hw);
        if (empty)
            printf("rank %d: half window empty member, %d non-empty\n", rank, ne);
        else
            printf("rank %d: half window got %g %g\n", rank, d[2], d[3]);
        free(nonempty);
        MPI_Win_free(&hw);
        MPI_Comm_free(&half);
    }

    /* A window on MPI_COMM_SELF, used by this rank alone. */
    {
        long long v[3] = {1, 2, 3}, w[3] = {10LL * rank, 20, 30}, r[3] = {0, 0, 0};
        MPI_Win sw;
        MPI_Win_create(v, sizeof v, (int)sizeof(long long), MPI_INFO_NULL, MPI_COMM_SELF, &sw);
        MPI_Group g;
        int gs;
        MPI_Win_get_group(sw, &g);
        MPI_Group_size(g, &gs);
        MPI_Group_free(&g);
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, sw);
        MPI_Put(w, 2, MPI_LONG_LONG, 0, 1, 2, MPI_LONG_LONG, sw);
        MPI_Win_unlock(0, sw);
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, sw);
        MPI_Get(r, 3, MPI_LONG_LONG, 0, 0, 3, MPI_LONG_LONG, sw);
        MPI_Win_unlock(0, sw);
        printf("rank %d: self window group size %d: %lld %lld %lld\n", rank, gs, r[0], r[1], r[2]);
        MPI_Win_free(&sw);
        printf("rank %d: self window freed null %d\n", rank, sw == MPI_WIN_NULL);
    }

    printf("rank %d: done win_create\n", rank);
    MPI_Finalize();
    return 0;
}

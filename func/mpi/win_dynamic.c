/* MPI_Win_create_dynamic: attributes of a dynamic window (flavor
 * MPI_WIN_FLAVOR_DYNAMIC, MPI_WIN_BASE is MPI_BOTTOM, size 0, disp_unit 1),
 * MPI_Win_attach of malloc'd buffers, their addresses exchanged with
 * MPI_Get_address + MPI_Allgather of MPI_AINT, Put/Get/Accumulate at absolute
 * displacements (MPI_Aint_add) under lock/unlock, two regions attached at once,
 * MPI_Win_detach of one while the other stays usable, and Win_free after
 * detaching everything. Addresses are only exchanged, never printed. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define N 8
#define M 5

static int rank, size;

int main(int argc, char **argv) {
#ifndef FBATCH_MPI
    /* Native runs only: this machine's /etc/openmpi/openmpi-mca-params.conf disables
     * osc pt2pt, and no other osc component can serve MPI_Win_create_dynamic with
     * btl_vader_single_copy_mechanism=none. An explicit OMPI_MCA_osc still wins. */
    setenv("OMPI_MCA_osc", "sm,pt2pt", 0);
#endif
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;

    MPI_Win win;
    MPI_Win_create_dynamic(MPI_INFO_NULL, MPI_COMM_WORLD, &win);
    {
        void *base = (void *)&win;
        MPI_Aint *sz = NULL;
        int *du = NULL, *flavor = NULL, *model = NULL;
        int f1 = 0, f2 = 0, f3 = 0, f4 = 0, f5 = 0;
        MPI_Win_get_attr(win, MPI_WIN_BASE, &base, &f1);
        MPI_Win_get_attr(win, MPI_WIN_SIZE, &sz, &f2);
        MPI_Win_get_attr(win, MPI_WIN_DISP_UNIT, &du, &f3);
        MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &flavor, &f4);
        MPI_Win_get_attr(win, MPI_WIN_MODEL, &model, &f5);
        printf("rank %d: attr flags %d %d %d %d %d base bottom %d size %lld disp_unit %d\n", rank, f1, f2, f3, f4, f5,
               base == MPI_BOTTOM, f2 ? (long long)*sz : -1LL, f3 ? *du : -1);
        printf("rank %d: flavor dynamic %d model known %d\n", rank, f4 && *flavor == MPI_WIN_FLAVOR_DYNAMIC,
               f5 && (*model == MPI_WIN_UNIFIED || *model == MPI_WIN_SEPARATE));
    }

    /* Attach an int buffer and publish its address. */
    int *ibuf = malloc(N * sizeof(int));
    for (int i = 0; i < N; i++) ibuf[i] = rank * 10 + i;
    MPI_Win_attach(win, ibuf, N * sizeof(int));
    MPI_Aint my_iaddr, *iaddr = malloc(size * sizeof(MPI_Aint));
    MPI_Get_address(ibuf, &my_iaddr);
    MPI_Allgather(&my_iaddr, 1, MPI_AINT, iaddr, 1, MPI_AINT, MPI_COMM_WORLD);
    printf("rank %d: own address in table %d\n", rank, iaddr[rank] == my_iaddr);

    /* Put two ints into ints 2..3 of the right neighbour, then after a barrier
     * Get ints 0..3 of the left neighbour and read our own buffer under a lock. */
    {
        int v[2] = {100 + rank, 200 + rank};
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, right, 0, win);
        MPI_Put(v, 2, MPI_INT, right, MPI_Aint_add(iaddr[right], 2 * sizeof(int)), 2, MPI_INT, win);
        MPI_Win_unlock(right, win);
        MPI_Barrier(MPI_COMM_WORLD);
        int got[4] = {-1, -1, -1, -1};
        MPI_Win_lock(MPI_LOCK_SHARED, left, 0, win);
        MPI_Get(got, 4, MPI_INT, left, iaddr[left], 4, MPI_INT, win);
        MPI_Win_unlock(left, win);
        MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win);
        int a = ibuf[2], b = ibuf[3];
        MPI_Win_unlock(rank, win);
        printf("rank %d: own ints 2..3 %d %d left's ints 0..3 %d %d %d %d\n", rank, a, b, got[0], got[1], got[2], got[3]);
    }

    /* Every rank adds rank+1 into int N-1 of rank 0 under a shared lock. */
    {
        int v = rank + 1;
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
        MPI_Accumulate(&v, 1, MPI_INT, 0, MPI_Aint_add(iaddr[0], (N - 1) * sizeof(int)), 1, MPI_INT, MPI_SUM, win);
        MPI_Win_unlock(0, win);
        MPI_Barrier(MPI_COMM_WORLD);
        int last = -1;
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
        MPI_Get(&last, 1, MPI_INT, 0, MPI_Aint_add(iaddr[0], (N - 1) * sizeof(int)), 1, MPI_INT, win);
        MPI_Win_unlock(0, win);
        printf("rank %d: rank 0 int %d is %d expected %d\n", rank, N - 1, last, N - 1 + size * (size + 1) / 2);
    }

    /* A second region (doubles) attached alongside the first. */
    double *dbuf = malloc(M * sizeof(double));
    for (int i = 0; i < M; i++) dbuf[i] = rank + i * 0.5;
    MPI_Win_attach(win, dbuf, M * sizeof(double));
    MPI_Aint my_daddr, *daddr = malloc(size * sizeof(MPI_Aint));
    MPI_Get_address(dbuf, &my_daddr);
    MPI_Allgather(&my_daddr, 1, MPI_AINT, daddr, 1, MPI_AINT, MPI_COMM_WORLD);
    {
        double dg[M];
        int ig[2];
        MPI_Win_lock(MPI_LOCK_SHARED, right, 0, win);
        MPI_Get(dg, M, MPI_DOUBLE, right, daddr[right], M, MPI_DOUBLE, win);
        MPI_Get(ig, 2, MPI_INT, right, iaddr[right], 2, MPI_INT, win);
        MPI_Win_unlock(right, win);
        printf("rank %d: right's doubles %g %g %g %g %g ints %d %d\n", rank, dg[0], dg[1], dg[2], dg[3], dg[4], ig[0],
               ig[1]);
    }

    /* Detach the int region once nobody uses it; the double region stays. */
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Win_detach(win, ibuf);
    MPI_Barrier(MPI_COMM_WORLD);
    {
        double v = -1.5 * (rank + 1);
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, left, 0, win);
        MPI_Put(&v, 1, MPI_DOUBLE, left, MPI_Aint_add(daddr[left], (M - 1) * sizeof(double)), 1, MPI_DOUBLE, win);
        MPI_Win_unlock(left, win);
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win);
        double mine = dbuf[M - 1];
        MPI_Win_unlock(rank, win);
        printf("rank %d: after detach, own last double %g from right\n", rank, mine);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Win_detach(win, dbuf);

    /* Re-attach the (reused) int buffer with a new content, as a fresh region. */
    for (int i = 0; i < N; i++) ibuf[i] = -(rank * 10 + i);
    MPI_Win_attach(win, ibuf, N * sizeof(int));
    MPI_Barrier(MPI_COMM_WORLD);
    {
        int g = 0;
        MPI_Win_lock(MPI_LOCK_SHARED, left, 0, win);
        MPI_Get(&g, 1, MPI_INT, left, MPI_Aint_add(iaddr[left], 5 * sizeof(int)), 1, MPI_INT, win);
        MPI_Win_unlock(left, win);
        printf("rank %d: re-attached, left's int 5 %d\n", rank, g);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Win_detach(win, ibuf);

    MPI_Win_free(&win);
    printf("rank %d: freed null %d\n", rank, win == MPI_WIN_NULL);
    free(ibuf);
    free(dbuf);
    free(iaddr);
    free(daddr);
    printf("rank %d: done win_dynamic\n", rank);
    MPI_Finalize();
    return 0;
}

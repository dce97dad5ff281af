/* MPI_Win_allocate_shared on the shared-memory communicator from
 * MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) (the whole job on one node):
 * attributes (flavor MPI_WIN_FLAVOR_SHARED), MPI_Win_shared_query of every
 * rank's segment (size and disp_unit), the default contiguous layout (rank r's
 * segment starts where rank r-1's ends), plain stores into the neighbour's
 * segment made visible with MPI_Win_sync + MPI_Barrier + MPI_Win_sync inside a
 * lock_all epoch, Put/Accumulate on the same memory read back with plain loads,
 * and MPI_PROC_NULL in Win_shared_query (the first rank with a non-empty
 * segment). Addresses are only compared, never printed. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int rank, size;

static int nints(int r) { return 4 * (r % 3 + 1); }
static int dunit(int r) { return r % 2 ? 1 : (int)sizeof(int); }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
    int nr, ns;
    MPI_Comm_rank(node, &nr);
    MPI_Comm_size(node, &ns);
    printf("rank %d: node rank %d of %d\n", rank, nr, ns);
    int right = (nr + 1) % ns, left = (nr + ns - 1) % ns;

    int *mine = NULL;
    MPI_Win win;
    MPI_Win_allocate_shared((MPI_Aint)nints(nr) * (MPI_Aint)sizeof(int), dunit(nr), MPI_INFO_NULL, node, &mine, &win);

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
        printf("rank %d: attr flags %d %d %d %d %d base ok %d size %lld disp_unit %d\n", rank, f1, f2, f3, f4, f5,
               base == (void *)mine, f2 ? (long long)*sz : -1LL, f3 ? *du : -1);
        printf("rank %d: flavor shared %d model known %d\n", rank, f4 && *flavor == MPI_WIN_FLAVOR_SHARED,
               f5 && (*model == MPI_WIN_UNIFIED || *model == MPI_WIN_SEPARATE));
    }

    /* Query every segment: sizes, disp_units, own segment, contiguity. */
    int **seg = malloc(ns * sizeof(int *));
    {
        int own_ok = 0, contiguous = 1;
        MPI_Aint prev_size = 0;
        printf("rank %d: segments", rank);
        for (int q = 0; q < ns; q++) {
            MPI_Aint qsz = -1;
            int qdu = -1;
            seg[q] = NULL;
            MPI_Win_shared_query(win, q, &qsz, &qdu, &seg[q]);
            printf(" %lld/%d", (long long)qsz, qdu);
            if (q == nr) own_ok = seg[q] == mine && qsz == (MPI_Aint)nints(nr) * (MPI_Aint)sizeof(int);
            if (q > 0 && (char *)seg[q] != (char *)seg[q - 1] + prev_size) contiguous = 0;
            prev_size = qsz;
        }
        printf("\n");
        printf("rank %d: own ok %d contiguous %d\n", rank, own_ok, contiguous);
    }

    MPI_Win_lock_all(0, win);

    /* Plain stores into the right neighbour's segment, plain loads of our own. */
    {
        int *dst = seg[right];
        for (int i = 0; i < nints(right); i++) dst[i] = nr * 1000 + i;
        MPI_Win_sync(win);
        MPI_Barrier(node);
        MPI_Win_sync(win);
        int bad = 0;
        long long sum = 0;
        for (int i = 0; i < nints(nr); i++) {
            sum += mine[i];
            bad += mine[i] != left * 1000 + i;
        }
        printf("rank %d: stores from left: first %d last %d sum %lld bad %d\n", rank, mine[0], mine[nints(nr) - 1], sum,
               bad);
        /* Everyone has read before anyone writes again. */
        MPI_Barrier(node);
    }

    /* RMA on the shared window: Put into int 1 of the right neighbour (its
     * disp_unit applies), then rank 0 zeroes its int 2 and everyone accumulates
     * into it; all results are read with plain loads through the segments. */
    {
        int v = (nr + 1) * 7;
        MPI_Put(&v, 1, MPI_INT, right, (MPI_Aint)sizeof(int) / dunit(right), 1, MPI_INT, win);
        MPI_Win_flush(right, win);
        if (nr == 0) mine[2] = 0;
        MPI_Win_sync(win);
        MPI_Barrier(node);
        MPI_Win_sync(win);
        int a = nr + 1;
        MPI_Accumulate(&a, 1, MPI_INT, 0, 2 * (MPI_Aint)sizeof(int) / dunit(0), 1, MPI_INT, MPI_SUM, win);
        MPI_Win_flush_all(win);
        MPI_Win_sync(win);
        MPI_Barrier(node);
        MPI_Win_sync(win);
        printf("rank %d: put from left %d left's int 1 %d rank 0 int 2 %d expected %d\n", rank, mine[1], seg[left][1],
               seg[0][2], ns * (ns + 1) / 2);
    }

    MPI_Win_unlock_all(win);
    free(seg);
    MPI_Win_free(&win);
    printf("rank %d: freed null %d\n", rank, win == MPI_WIN_NULL);

    /* Node rank 0 allocates nothing, the others two doubles each:
     * MPI_PROC_NULL queries the first non-empty segment (node rank 1). */
    {
        double *d = NULL;
        MPI_Win w2;
        MPI_Win_allocate_shared(nr == 0 ? 0 : 2 * (MPI_Aint)sizeof(double), (int)sizeof(double), MPI_INFO_NULL, node,
                                &d, &w2);
        MPI_Aint s0 = -1;
        int du0 = -1;
        double *p0 = NULL;
        MPI_Win_shared_query(w2, 0, &s0, &du0, &p0);
        printf("rank %d: empty segment size %lld disp_unit %d\n", rank, (long long)s0, du0);
        if (ns > 1) {
            MPI_Aint s1 = -1, sn = -1;
            int du1 = -1, dun = -1;
            double *p1 = NULL, *pn = NULL;
            MPI_Win_shared_query(w2, 1, &s1, &du1, &p1);
            MPI_Win_shared_query(w2, MPI_PROC_NULL, &sn, &dun, &pn);
            printf("rank %d: proc_null query size %lld disp_unit %d is node rank 1 %d\n", rank, (long long)sn, dun,
                   pn == p1 && sn == s1 && dun == du1);
            MPI_Win_lock_all(0, w2);
            if (nr > 0) {
                d[0] = nr + 0.5;
                d[1] = -nr - 0.25;
            }
            MPI_Win_sync(w2);
            MPI_Barrier(node);
            MPI_Win_sync(w2);
            double s = 0;
            for (int q = 1; q < ns; q++) {
                double *pq = NULL;
                MPI_Aint sq;
                int dq;
                MPI_Win_shared_query(w2, q, &sq, &dq, &pq);
                s += pq[0] + pq[1];
            }
            printf("rank %d: sum of the others' doubles %g\n", rank, s);
            MPI_Win_unlock_all(w2);
        }
        MPI_Win_free(&w2);
    }

    MPI_Comm_free(&node);
    printf("rank %d: done win_allocate_shared\n", rank);
    MPI_Finalize();
    return 0;
}

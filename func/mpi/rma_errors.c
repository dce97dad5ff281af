/* RMA errors returned through MPI_ERRORS_RETURN set with MPI_Win_set_errhandler
 * (the default on a window is MPI_ERRORS_ARE_FATAL) and, for window creation,
 * on the communicator. Error classes are compared with MPI_Error_class and
 * printed by name. Only errors OpenMPI reports deterministically are checked:
 * - RMA calls outside any epoch: MPI_ERR_RMA_SYNC (communication, flushes,
 *   unlock, unlock_all, complete, wait);
 * - bad arguments inside a lock epoch: target rank (MPI_ERR_RANK), count
 *   (MPI_ERR_COUNT), datatype (MPI_ERR_TYPE), op (MPI_ERR_OP), a negative
 *   displacement and locking the same target twice (an error, class
 *   unspecified: OpenMPI's classes are not the obvious ones), a fence inside a
 *   lock epoch (MPI_ERR_RMA_SYNC);
 * - bad lock type (MPI_ERR_LOCKTYPE) and lock rank (MPI_ERR_RANK),
 *   Win_shared_query on a non-shared window (MPI_ERR_RMA_FLAVOR);
 * - Win_allocate/Win_create with a negative size (MPI_ERR_SIZE) or a zero
 *   disp_unit (MPI_ERR_DISP).
 * Not checked: a displacement beyond the target window (OpenMPI does not detect
 * it), and using a freed window (erroneous, not an error MPI must report).
 * The window keeps working after all these errors. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int rank, size;

static const char *cls(int rc) {
    if (rc == MPI_SUCCESS) return "SUCCESS";
    int c = -1;
    MPI_Error_class(rc, &c);
    switch (c) {
    case MPI_ERR_COUNT: return "ERR_COUNT";
    case MPI_ERR_TYPE: return "ERR_TYPE";
    case MPI_ERR_RANK: return "ERR_RANK";
    case MPI_ERR_OP: return "ERR_OP";
    case MPI_ERR_ARG: return "ERR_ARG";
    case MPI_ERR_OTHER: return "ERR_OTHER";
    case MPI_ERR_DISP: return "ERR_DISP";
    case MPI_ERR_SIZE: return "ERR_SIZE";
    case MPI_ERR_LOCKTYPE: return "ERR_LOCKTYPE";
    case MPI_ERR_WIN: return "ERR_WIN";
    case MPI_ERR_RMA_CONFLICT: return "ERR_RMA_CONFLICT";
    case MPI_ERR_RMA_SYNC: return "ERR_RMA_SYNC";
    case MPI_ERR_RMA_RANGE: return "ERR_RMA_RANGE";
    case MPI_ERR_RMA_ATTACH: return "ERR_RMA_ATTACH";
    case MPI_ERR_RMA_SHARED: return "ERR_RMA_SHARED";
    case MPI_ERR_RMA_FLAVOR: return "ERR_RMA_FLAVOR";
    default: return "OTHER_CLASS";
    }
}

static void report(const char *what, int rc) { printf("rank %d: %s: %s\n", rank, what, cls(rc)); }
/* For errors whose class OpenMPI and the standard's obvious choice disagree on. */
static void report_error(const char *what, int rc) { printf("rank %d: %s: error %d\n", rank, what, rc != MPI_SUCCESS); }

static const char *ehname(MPI_Errhandler e) {
    return e == MPI_ERRORS_ARE_FATAL ? "ERRORS_ARE_FATAL" : e == MPI_ERRORS_RETURN ? "ERRORS_RETURN" : "OTHER";
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
    int t = (rank + 1) % size;

    int buf[8];
    for (int i = 0; i < 8; i++) buf[i] = rank * 10 + i;
    MPI_Win win;
    MPI_Win_create(buf, sizeof buf, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &win);

    MPI_Errhandler eh;
    MPI_Win_get_errhandler(win, &eh);
    printf("rank %d: window default errhandler %s\n", rank, ehname(eh));
    MPI_Errhandler_free(&eh);
    report("set errhandler", MPI_Win_set_errhandler(win, MPI_ERRORS_RETURN));
    MPI_Win_get_errhandler(win, &eh);
    printf("rank %d: window errhandler now %s\n", rank, ehname(eh));
    MPI_Errhandler_free(&eh);

    /* Outside any epoch. */
    int v = 5, res = 0;
    MPI_Request rq = MPI_REQUEST_NULL;
    report("put outside epoch", MPI_Put(&v, 1, MPI_INT, t, 0, 1, MPI_INT, win));
    report("get outside epoch", MPI_Get(&res, 1, MPI_INT, t, 0, 1, MPI_INT, win));
    report("accumulate outside epoch", MPI_Accumulate(&v, 1, MPI_INT, t, 0, 1, MPI_INT, MPI_SUM, win));
    report("fetch_and_op outside epoch", MPI_Fetch_and_op(&v, &res, MPI_INT, t, 0, MPI_SUM, win));
    report("compare_and_swap outside epoch", MPI_Compare_and_swap(&v, &v, &res, MPI_INT, t, 0, win));
    report("rput outside epoch", MPI_Rput(&v, 1, MPI_INT, t, 0, 1, MPI_INT, win, &rq));
    report("flush outside epoch", MPI_Win_flush(t, win));
    report("flush_all outside epoch", MPI_Win_flush_all(win));
    report("flush_local outside epoch", MPI_Win_flush_local(t, win));
    report("unlock without lock", MPI_Win_unlock(t, win));
    report("unlock_all without lock_all", MPI_Win_unlock_all(win));
    report("complete without start", MPI_Win_complete(win));
    report("wait without post", MPI_Win_wait(win));

    /* Bad arguments inside a shared-lock epoch on the right neighbour. */
    report("lock", MPI_Win_lock(MPI_LOCK_SHARED, t, 0, win));
    report("put to rank size+2", MPI_Put(&v, 1, MPI_INT, size + 2, 0, 1, MPI_INT, win));
    report("put count -1", MPI_Put(&v, -1, MPI_INT, t, 0, -1, MPI_INT, win));
    report("put datatype null", MPI_Put(&v, 1, MPI_DATATYPE_NULL, t, 0, 1, MPI_INT, win));
    report("accumulate MAXLOC on int", MPI_Accumulate(&v, 1, MPI_INT, t, 0, 1, MPI_INT, MPI_MAXLOC, win));
    report("accumulate op null", MPI_Accumulate(&v, 1, MPI_INT, t, 0, 1, MPI_INT, MPI_OP_NULL, win));
    report_error("put displacement -1", MPI_Put(&v, 1, MPI_INT, t, -1, 1, MPI_INT, win));
    report_error("lock the same target twice", MPI_Win_lock(MPI_LOCK_SHARED, t, 0, win));
    report("fence inside lock epoch", MPI_Win_fence(0, win));
    report("unlock", MPI_Win_unlock(t, win));

    report("lock type 999", MPI_Win_lock(999, t, 0, win));
    report("lock rank size+3", MPI_Win_lock(MPI_LOCK_SHARED, size + 3, 0, win));
    {
        MPI_Aint qs;
        int qd;
        int *qp;
        report("shared_query on a created window", MPI_Win_shared_query(win, 0, &qs, &qd, &qp));
    }

    /* Window creation errors go to the communicator's error handler. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    {
        int *p = NULL;
        MPI_Win bad = MPI_WIN_NULL;
        report("allocate size -4", MPI_Win_allocate(-4, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &p, &bad));
        report("allocate disp_unit 0", MPI_Win_allocate(4, 0, MPI_INFO_NULL, MPI_COMM_WORLD, &p, &bad));
        report("create size -1", MPI_Win_create(buf, -1, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &bad));
        report("create disp_unit 0", MPI_Win_create(buf, sizeof buf, 0, MPI_INFO_NULL, MPI_COMM_WORLD, &bad));
    }

    /* The window still works: a fence epoch writing buf[7] of the right neighbour. */
    {
        int x = 1000 + rank;
        int rc1 = MPI_Win_fence(MPI_MODE_NOPRECEDE, win);
        int rc2 = MPI_Put(&x, 1, MPI_INT, t, 7, 1, MPI_INT, win);
        int rc3 = MPI_Win_fence(MPI_MODE_NOSUCCEED, win);
        printf("rank %d: still usable: %s %s %s buf %d %d\n", rank, cls(rc1), cls(rc2), cls(rc3), buf[0], buf[7]);
    }

    MPI_Win_free(&win);
    printf("rank %d: done rma_errors\n", rank);
    MPI_Finalize();
    return 0;
}

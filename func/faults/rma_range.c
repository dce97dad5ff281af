/* fbatch's RMA error classes where OpenMPI is not deterministic (so no mpirun
 * comparison): a target displacement outside the window is MPI_ERR_RMA_RANGE,
 * and a lock on a freed window handle is MPI_ERR_WIN; the window's
 * MPI_ERRORS_RETURN is honoured and the job goes on. */
#include <mpi.h>
#include <stdio.h>

static const char *cls(int err) {
    int c;
    MPI_Error_class(err, &c);
    return c == MPI_SUCCESS ? "MPI_SUCCESS" : c == MPI_ERR_RMA_RANGE ? "MPI_ERR_RMA_RANGE"
         : c == MPI_ERR_WIN ? "MPI_ERR_WIN" : c == MPI_ERR_RMA_SYNC ? "MPI_ERR_RMA_SYNC" : "other";
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size, buf[4] = {0, 0, 0, 0}, v = 7;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Win win;
    MPI_Win_create(buf, sizeof buf, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &win);
    MPI_Win_set_errhandler(win, MPI_ERRORS_RETURN);
    int right = (rank + 1) % size;
    MPI_Win_lock(MPI_LOCK_SHARED, right, 0, win);
    printf("rank %d: put at 4: %s\n", rank, cls(MPI_Put(&v, 1, MPI_INT, right, 4, 1, MPI_INT, win)));
    printf("rank %d: put at -1: %s\n", rank, cls(MPI_Put(&v, 1, MPI_INT, right, -1, 1, MPI_INT, win)));
    printf("rank %d: 2 ints at 3: %s\n", rank, cls(MPI_Put(&v, 2, MPI_INT, right, 3, 2, MPI_INT, win)));
    printf("rank %d: put at 3: %s\n", rank, cls(MPI_Put(&v, 1, MPI_INT, right, 3, 1, MPI_INT, win)));
    MPI_Win_unlock(right, win);
    MPI_Barrier(MPI_COMM_WORLD);
    printf("rank %d: buf[3] = %d\n", rank, buf[3]);
    MPI_Win freed = win;
    MPI_Win_free(&win);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    printf("rank %d: lock freed: %s\n", rank, cls(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, freed)));
    MPI_Finalize();
    return 0;
}

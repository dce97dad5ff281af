/* MPI_Win_allocate_shared over MPI_COMM_WORLD: fine when every rank is on one
 * node, MPI_ERR_RMA_SHARED (returned, the job goes on) when they are spread. */
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, cls;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int *base = NULL;
    MPI_Win win;
    int err = MPI_Win_allocate_shared(64, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &base, &win);
    MPI_Error_class(err, &cls);
    printf("rank %d: %s\n", rank, cls == MPI_SUCCESS ? "shared window" : cls == MPI_ERR_RMA_SHARED ? "MPI_ERR_RMA_SHARED" : "other error");
    if (err == MPI_SUCCESS) MPI_Win_free(&win);
    MPI_Finalize();
    return 0;
}

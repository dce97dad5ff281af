/* With MPI_ERRORS_RETURN, a bad buffer is an error code, not the end of the job. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
int main(int argc, char **argv) {
    int rank, cls;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int rc = MPI_Send((void *)(uintptr_t)0xfffff000u, 1000, MPI_INT, 0, 0, MPI_COMM_WORLD);
    MPI_Error_class(rc, &cls);
    printf("rank %d: MPI_Send returned %s\n", rank, cls == MPI_ERR_BUFFER ? "MPI_ERR_BUFFER" : "something else");
    MPI_Finalize();
    return 0;
}

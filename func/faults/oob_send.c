/* Rank 0 passes MPI_Send a buffer beyond the end of its linear memory. */
#include <mpi.h>
#include <stdint.h>
int main(int argc, char **argv) {
    int rank;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) {
        MPI_Send((void *)(uintptr_t)0xfffff000u, 1000, MPI_INT, 1, 0, MPI_COMM_WORLD);
    } else if (rank == 1) {
        int buf[1000];
        MPI_Recv(buf, 1000, MPI_INT, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    MPI_Finalize();
    return 0;
}

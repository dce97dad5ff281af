/* Rank 1 returns from main without MPI_Finalize (mpirun treats this as an error). */
#include <mpi.h>
int main(int argc, char **argv) {
    int rank;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 1) return 0;
    MPI_Finalize();
    return 0;
}

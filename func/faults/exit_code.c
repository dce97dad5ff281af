/* Rank 0 exits with code 3 after MPI_Finalize; the others exit 0. */
#include <mpi.h>
int main(int argc, char **argv) {
    int rank;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Finalize();
    return rank == 0 ? 3 : 0;
}

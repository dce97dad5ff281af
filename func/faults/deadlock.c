/* Every rank waits for a message nobody sends: blocked inside MPI_Recv forever. */
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv) {
    int rank, buf;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    printf("rank %d waiting\n", rank);
    fflush(stdout);
    MPI_Recv(&buf, 1, MPI_INT, MPI_ANY_SOURCE, 42, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Finalize();
    return 0;
}

/* Which ranks share a node: MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) and the
 * processor name, one line per rank. */
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size, nrank, nsize, len, first;
    char name[MPI_MAX_PROCESSOR_NAME];
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &nrank);
    MPI_Comm_size(node, &nsize);
    MPI_Get_processor_name(name, &len);
    /* The lowest world rank on my node, agreed inside the node communicator. */
    MPI_Allreduce(&rank, &first, 1, MPI_INT, MPI_MIN, node);
    printf("rank %d: on %s with %d ranks, node rank %d, first %d\n", rank, name, nsize, nrank, first);
    MPI_Comm_free(&node);
    MPI_Finalize();
    return 0;
}

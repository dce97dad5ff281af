/* MPI_Alloc_mem / MPI_Free_mem (memory used for communication) and
 * MPI_Comm_get_attr of predefined attributes (MPI_TAG_UB, MPI_WTIME_IS_GLOBAL). */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    double *buf, *in;
    MPI_Alloc_mem(1000 * sizeof(double), MPI_INFO_NULL, &buf);
    MPI_Info info;
    MPI_Info_create(&info);
    MPI_Info_set(info, "alloc_shared_noncontig", "true");
    MPI_Alloc_mem(1000 * sizeof(double), info, &in);
    MPI_Info_free(&info);
    for (int i = 0; i < 1000; i++) buf[i] = rank + i * 0.5;
    MPI_Sendrecv(buf, 1000, MPI_DOUBLE, (rank + 1) % size, 0, in, 1000, MPI_DOUBLE, (rank + size - 1) % size, 0,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("alloc_mem rank %d: got %g %g\n", rank, in[0], in[999]);
    MPI_Free_mem(buf);
    MPI_Free_mem(in);

    int *tag_ub, *global, flag1, flag2;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tag_ub, &flag1);
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_WTIME_IS_GLOBAL, &global, &flag2);
    printf("attr rank %d: tag_ub flag %d at least 32767 %d wtime_is_global flag %d value %d\n", rank, flag1,
           flag1 && *tag_ub >= 32767, flag2, flag2 ? *global : -1);
    MPI_Finalize();
    return 0;
}

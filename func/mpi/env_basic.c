/* Environment: Init_thread, Initialized/Finalized, Wtime/Wtick, processor name,
 * MPI_COMM_SELF, error classes and strings. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    int flag, provided, rank, size, len;
    MPI_Initialized(&flag);
    printf("initialized before init: %d\n", flag);
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Initialized(&flag);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    printf("rank %d: initialized %d provided>=funneled %d\n", rank, flag, provided >= MPI_THREAD_FUNNELED);

    double t0 = MPI_Wtime(), tick = MPI_Wtick();
    volatile double x = 0;
    for (int i = 0; i < 1000000; i++) x += i;
    double t1 = MPI_Wtime();
    printf("rank %d: wtime advances %d tick positive %d tick below 1ms %d\n", rank, t1 > t0, tick > 0, tick < 1e-3);

    char name[MPI_MAX_PROCESSOR_NAME];
    MPI_Get_processor_name(name, &len);
    printf("rank %d: processor name length matches %d nonempty %d\n", rank, (int)strlen(name) == len, len > 0);

    int srank, ssize;
    MPI_Comm_rank(MPI_COMM_SELF, &srank);
    MPI_Comm_size(MPI_COMM_SELF, &ssize);
    printf("rank %d: self rank %d size %d\n", rank, srank, ssize);

    int cls;
    char msg[MPI_MAX_ERROR_STRING];
    MPI_Error_class(MPI_ERR_TRUNCATE, &cls);
    MPI_Error_string(MPI_ERR_TRUNCATE, msg, &len);
    printf("rank %d: truncate class ok %d string nonempty %d\n", rank, cls == MPI_ERR_TRUNCATE, len > 0 && (int)strlen(msg) == len);

    MPI_Errhandler eh;
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &eh);
    printf("rank %d: default errhandler fatal %d\n", rank, eh == MPI_ERRORS_ARE_FATAL);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int rc = MPI_Send(&rank, 1, MPI_INT, size + 5, 0, MPI_COMM_WORLD);
    MPI_Error_class(rc, &cls);
    printf("rank %d: errors return rank class %d\n", rank, cls == MPI_ERR_RANK);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    MPI_Errhandler_free(&eh);
    printf("rank %d: errhandler freed %d\n", rank, eh == MPI_ERRHANDLER_NULL);

    MPI_Finalized(&flag);
    printf("rank %d: finalized before %d\n", rank, flag);
    MPI_Finalize();
    MPI_Finalized(&flag);
    printf("rank %d: finalized after %d\n", rank, flag);
    return 0;
}

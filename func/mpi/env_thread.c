/* MPI_Init_thread with the level named by argv[1] (single, funneled,
 * serialized, multiple; default multiple), MPI_Query_thread (agrees with
 * provided, before and after communication), MPI_Is_thread_main, the ordering
 * of the MPI_THREAD_* constants, and communication at the granted level. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

static const char *level_name(int l) {
    return l == MPI_THREAD_SINGLE       ? "SINGLE"
           : l == MPI_THREAD_FUNNELED   ? "FUNNELED"
           : l == MPI_THREAD_SERIALIZED ? "SERIALIZED"
           : l == MPI_THREAD_MULTIPLE   ? "MULTIPLE"
                                        : "INVALID";
}

int main(int argc, char **argv) {
    int required = MPI_THREAD_MULTIPLE;
    if (argc > 1) {
        if (!strcmp(argv[1], "single")) required = MPI_THREAD_SINGLE;
        else if (!strcmp(argv[1], "funneled")) required = MPI_THREAD_FUNNELED;
        else if (!strcmp(argv[1], "serialized")) required = MPI_THREAD_SERIALIZED;
        else if (!strcmp(argv[1], "multiple")) required = MPI_THREAD_MULTIPLE;
    }
    int provided = -1, rank, size;
    MPI_Init_thread(&argc, &argv, required, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    printf("rank %d: constants ordered %d\n", rank,
           MPI_THREAD_SINGLE < MPI_THREAD_FUNNELED && MPI_THREAD_FUNNELED < MPI_THREAD_SERIALIZED &&
               MPI_THREAD_SERIALIZED < MPI_THREAD_MULTIPLE);
    printf("rank %d: required %s provided %s\n", rank, level_name(required), level_name(provided));

    int q = -1, main_thread = -1;
    MPI_Query_thread(&q);
    MPI_Is_thread_main(&main_thread);
    printf("rank %d: query %s matches provided %d is main %d\n", rank, level_name(q), q == provided, main_thread);

    /* Communicate, then ask again: the level does not change. */
    int sum, peer = (rank + 1) % size, from = (rank + size - 1) % size, got = -1;
    MPI_Allreduce(&provided, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Sendrecv(&rank, 1, MPI_INT, peer, 0, &got, 1, MPI_INT, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Query_thread(&q);
    MPI_Is_thread_main(&main_thread);
    printf("rank %d: after traffic query matches %d main %d all ranks same level %d got %d\n", rank, q == provided,
           main_thread, sum == size * provided, got);

    printf("rank %d: done env_thread\n", rank);
    MPI_Finalize();
    return 0;
}

/* Faults inside a user-defined reduction function (MPI_Op_create):
 *   user_op mpi   - the function calls MPI (not allowed): the call fails naming it
 *   user_op trap  - the function traps: the job fails with the trap
 * Both ranks first do a correct user-op Allreduce (prints "sum ok"). */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

static int mode_trap;

static void add(void *in, void *inout, int *len, MPI_Datatype *dt) {
    (void)dt;
    for (int i = 0; i < *len; i++) ((int *)inout)[i] += ((int *)in)[i];
}

static void bad(void *in, void *inout, int *len, MPI_Datatype *dt) {
    (void)in; (void)inout; (void)len; (void)dt;
    if (mode_trap) __builtin_trap();
    int r;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, v, sum;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    mode_trap = argc > 1 && strcmp(argv[1], "trap") == 0;
    MPI_Op op_add, op_bad;
    MPI_Op_create(add, 1, &op_add);
    MPI_Op_create(bad, 1, &op_bad);
    v = rank + 1;
    MPI_Allreduce(&v, &sum, 1, MPI_INT, op_add, MPI_COMM_WORLD);
    printf("rank %d: sum ok %d\n", rank, sum);
    fflush(stdout);
    MPI_Allreduce(&v, &sum, 1, MPI_INT, op_bad, MPI_COMM_WORLD);
    printf("rank %d: not reached\n", rank);
    MPI_Finalize();
    return 0;
}

/* Computes forever without MPI calls: only a time limit or fcancel can stop it. */
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    printf("spinning\n");
    fflush(stdout);
    volatile unsigned long x = 0;
    for (;;) x++;
}

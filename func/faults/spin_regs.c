/* Computes forever in a loop that touches no memory (everything in registers),
 * nested in one that does: the loop probes must still let a time limit or fcancel
 * stop it (a probe merged with the outer loop's would not). */
#include <mpi.h>
#include <stdio.h>
volatile unsigned sink;
int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    printf("spinning in registers\n");
    fflush(stdout);
    unsigned long long x = (unsigned long long)argc;
    for (;;) {
        /* Leaves only when the generator hits 7: once per 2^64 steps. */
        do x = x * 6364136223846793005ull + 1442695040888963407ull; while (x != 7ull);
        sink = (unsigned)x;
    }
}

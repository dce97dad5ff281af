/* Allocates and touches memory until malloc fails, then aborts: the job ends
 * OUT_OF_MEMORY and the node survives. The blocks are kept reachable and read
 * back so the compiler cannot elide them. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *blocks[1024];

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    size_t total = 0;
    for (int i = 0; i < 1024; i++) {
        blocks[i] = malloc(64 << 20);
        if (!blocks[i]) {
            long sum = 0;
            for (int j = 0; j < i; j++) sum += blocks[j][j];
            printf("allocation failed after %zu MiB (checksum %ld)\n", total >> 20, sum);
            fflush(stdout);
            abort();
        }
        memset(blocks[i], 1, 64 << 20);
        total += 64 << 20;
    }
    MPI_Finalize();
    return 0;
}

/*
 * global (synch_global): every iteration is a global synchronisation. Each rank
 * owns a piece of a "scramble" string; the pieces are concatenated on all ranks with
 * MPI_Allgather and a checksum of the pieces is combined with MPI_Allreduce, written
 * from the ParRes Kernels (PRK) definition of the kernel.
 *
 * Usage: global <# iterations> <scramble string length>
 *   string length must be a multiple of the number of ranks.
 * Each iteration the new piece is built from the gathered string shifted left by one
 * with every letter advanced by one, so after iteration t the string is
 * S_t[k] = base[(k+t+1) % L] + (t+1) (mod 26); every rank checks its gathered string's
 * checksum against the Allreduce'd one each iteration, and the final string at the end.
 * Iteration 0 is a warm-up; timing covers iterations 1..N (PRK convention).
 * Prints "Solution validates" and "Rate (synch/s): R Avg time (s): T" on success.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static char base_char(long long k) { return (char)('a' + (int)((k * 7 + 3) % 26)); }
static char advance(char c, int by) { return (char)('a' + (c - 'a' + by) % 26); }

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    int params[2] = {0, 0}; /* iterations, string length */
    int error = 0;
    if (my_id == 0) {
        printf("Parallel Research Kernels\n");
        printf("MPI global synchronization\n");
        if (argc != 3) {
            printf("Usage: %s <# iterations> <scramble string length>\n", argv[0]);
            error = 1;
        } else {
            params[0] = atoi(argv[1]);
            params[1] = atoi(argv[2]);
            if (params[0] < 1) { printf("ERROR: Invalid number of iterations: %d\n", params[0]); error = 1; }
            else if (params[1] < nranks || params[1] % nranks) {
                printf("ERROR: String length %d must be a positive multiple of # ranks %d\n", params[1], nranks);
                error = 1;
            }
        }
    }
    MPI_Bcast(&error, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (error) { MPI_Finalize(); return 1; }
    MPI_Bcast(params, 2, MPI_INT, 0, MPI_COMM_WORLD);
    int iterations = params[0], L = params[1];
    int piece = L / nranks, start = my_id * piece;

    char *mine = malloc(piece);
    char *full = malloc(L);
    if (!mine || !full) {
        printf("ERROR: rank %d could not allocate space for the strings\n", my_id);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    for (int k = 0; k < L; k++) full[k] = base_char(k);

    if (my_id == 0) {
        printf("Number of ranks      = %d\n", nranks);
        printf("Length of scramble string = %d\n", L);
        printf("Number of iterations = %d\n", iterations);
    }

    int mismatches = 0;
    double local_time = 0.0;
    for (int iter = 0; iter <= iterations; iter++) {
        if (iter == 1) {
            MPI_Barrier(MPI_COMM_WORLD);
            local_time = MPI_Wtime();
        }
        long long local_sum = 0, global_sum = 0, check = 0;
        for (int k = 0; k < piece; k++) {
            mine[k] = advance(full[(start + k + 1) % L], 1);
            local_sum += (long long)mine[k] * (start + k + 1);
        }
        MPI_Allgather(mine, piece, MPI_CHAR, full, piece, MPI_CHAR, MPI_COMM_WORLD);
        MPI_Allreduce(&local_sum, &global_sum, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
        for (int k = 0; k < L; k++) check += (long long)full[k] * (k + 1);
        if (check != global_sum) mismatches++;
    }
    local_time = MPI_Wtime() - local_time;
    double synch_time;
    MPI_Reduce(&local_time, &synch_time, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);

    /* Final string: S[k] = base[(k + iterations + 1) % L] advanced by iterations+1. */
    int bad = 0;
    for (int k = 0; k < L; k++) {
        char expected = advance(base_char((k + (long long)iterations + 1) % L), (iterations + 1) % 26);
        if (full[k] != expected) bad++;
    }
    bad += mismatches;
    int total_bad;
    MPI_Reduce(&bad, &total_bad, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);

    int status = 0;
    if (my_id == 0) {
        if (total_bad) {
            printf("ERROR: %d wrong characters or checksums in the scramble string\n", total_bad);
            status = 1;
        } else {
            printf("Solution validates\n");
            double avgtime = synch_time / (double)iterations;
            printf("Rate (synch/s): %lf Avg time (s): %lf\n", 1.0 / avgtime, avgtime);
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(mine); free(full);
    MPI_Finalize();
    return status;
}

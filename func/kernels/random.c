/*
 * random: RandomAccess-style table updates, Table[ran % size] ^= ran, written from
 * the ParRes Kernels (PRK) / HPCC RandomAccess definition of the kernel.
 *
 * Usage: random <log2 table size> <update ratio>
 *   The table (2^k 64-bit words in total) is distributed cyclically over the ranks
 *   (word i lives on rank i % nranks); # updates = update ratio * table size.
 *   Each rank draws its updates from its own 64-bit LCG stream and routes them to
 *   their owners in batches of 1024 with MPI_Alltoall (counts) and MPI_Alltoallv.
 * Validation re-runs the identical updates (XOR is self-inverse), which must restore
 * Table[i] = i; up to 1% wrong words are tolerated as in HPCC.
 * There are no iterations: the timed part is one full pass of updates.
 * Prints "Solution validates" and "Rate (GUPs/s): R Avg time (s): T" on success.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BATCH 1024
typedef unsigned long long u64;

static u64 splitmix64(u64 z) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* One full pass of updates; identical on every call. */
static void do_updates(u64 *table, u64 tsize, int my_id, int nranks, long long nloc, long long nbatch,
                       u64 *gen, u64 *sendbuf, u64 *recvbuf, int *scnt, int *sdsp, int *rcnt, int *rdsp) {
    u64 state = splitmix64((u64)my_id + 1);
    long long done = 0;
    for (long long b = 0; b < nbatch; b++) {
        int ngen = 0;
        for (; ngen < BATCH && done < nloc; ngen++, done++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            gen[ngen] = state ^ (state >> 29);
        }
        for (int r = 0; r < nranks; r++) scnt[r] = 0;
        for (int k = 0; k < ngen; k++) scnt[(gen[k] & (tsize - 1)) % nranks]++;
        sdsp[0] = 0;
        for (int r = 1; r < nranks; r++) sdsp[r] = sdsp[r - 1] + scnt[r - 1];
        for (int r = 0; r < nranks; r++) scnt[r] = 0;
        for (int k = 0; k < ngen; k++) {
            int owner = (int)((gen[k] & (tsize - 1)) % nranks);
            sendbuf[sdsp[owner] + scnt[owner]++] = gen[k];
        }
        MPI_Alltoall(scnt, 1, MPI_INT, rcnt, 1, MPI_INT, MPI_COMM_WORLD);
        rdsp[0] = 0;
        for (int r = 1; r < nranks; r++) rdsp[r] = rdsp[r - 1] + rcnt[r - 1];
        int nrecv = rdsp[nranks - 1] + rcnt[nranks - 1];
        MPI_Alltoallv(sendbuf, scnt, sdsp, MPI_UNSIGNED_LONG_LONG,
                      recvbuf, rcnt, rdsp, MPI_UNSIGNED_LONG_LONG, MPI_COMM_WORLD);
        for (int k = 0; k < nrecv; k++) {
            u64 ran = recvbuf[k];
            table[(ran & (tsize - 1)) / (u64)nranks] ^= ran;
        }
    }
}

int main(int argc, char **argv) {
    int my_id, nranks;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &my_id);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);

    int params[2] = {0, 0}; /* log2 table size, update ratio */
    int error = 0;
    if (my_id == 0) {
        printf("Parallel Research Kernels\n");
        printf("MPI Random Access test\n");
        if (argc != 3) {
            printf("Usage: %s <log2 table size> <update ratio>\n", argv[0]);
            error = 1;
        } else {
            params[0] = atoi(argv[1]);
            params[1] = atoi(argv[2]);
            if (params[0] < 1 || params[0] > 40) { printf("ERROR: Invalid log2 table size: %d\n", params[0]); error = 1; }
            else if ((1LL << params[0]) < nranks) { printf("ERROR: Table smaller than # ranks\n"); error = 1; }
            else if (params[1] < 1) { printf("ERROR: Invalid update ratio: %d\n", params[1]); error = 1; }
        }
    }
    MPI_Bcast(&error, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (error) { MPI_Finalize(); return 1; }
    MPI_Bcast(params, 2, MPI_INT, 0, MPI_COMM_WORLD);
    int log2size = params[0], ratio = params[1];
    u64 tsize = 1ULL << log2size;
    long long nupdate = (long long)ratio * (long long)tsize;
    long long lsize = (long long)((tsize - (u64)my_id + (u64)nranks - 1) / (u64)nranks);
    long long nloc = nupdate / nranks + (my_id < nupdate % nranks ? 1 : 0);
    long long nbatch = (nupdate / nranks + 1 + BATCH - 1) / BATCH;

    u64 *table = malloc(lsize * sizeof(u64));
    u64 *gen = malloc(BATCH * sizeof(u64));
    u64 *sendbuf = malloc(BATCH * sizeof(u64));
    u64 *recvbuf = malloc((long long)BATCH * nranks * sizeof(u64));
    int *cnt = malloc(4 * nranks * sizeof(int));
    if (!table || !gen || !sendbuf || !recvbuf || !cnt) {
        printf("ERROR: rank %d could not allocate space for the table\n", my_id);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    for (long long k = 0; k < lsize; k++) table[k] = (u64)k * (u64)nranks + (u64)my_id;

    if (my_id == 0) {
        printf("Number of ranks      = %d\n", nranks);
        printf("Table size           = %llu\n", tsize);
        printf("Update ratio         = %d\n", ratio);
        printf("Number of updates    = %lld\n", nupdate);
    }

    MPI_Barrier(MPI_COMM_WORLD);
    double local_time = MPI_Wtime();
    do_updates(table, tsize, my_id, nranks, nloc, nbatch, gen, sendbuf, recvbuf,
               cnt, cnt + nranks, cnt + 2 * nranks, cnt + 3 * nranks);
    local_time = MPI_Wtime() - local_time;
    double random_time;
    MPI_Reduce(&local_time, &random_time, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);

    long long changed = 0, total_changed = 0; /* the pass must have modified the table */
    for (long long k = 0; k < lsize; k++)
        if (table[k] != (u64)k * (u64)nranks + (u64)my_id) changed++;
    MPI_Reduce(&changed, &total_changed, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);

    /* Verification: undo all updates and count words that do not hold their index. */
    do_updates(table, tsize, my_id, nranks, nloc, nbatch, gen, sendbuf, recvbuf,
               cnt, cnt + nranks, cnt + 2 * nranks, cnt + 3 * nranks);
    long long errors = 0, total_errors = 0;
    for (long long k = 0; k < lsize; k++)
        if (table[k] != (u64)k * (u64)nranks + (u64)my_id) errors++;
    MPI_Reduce(&errors, &total_errors, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);

    int status = 0;
    if (my_id == 0) {
        if (total_changed == 0) {
            printf("ERROR: the updates did not modify the table\n");
            status = 1;
        } else if ((double)total_errors > 0.01 * (double)tsize) {
            printf("ERROR: number of incorrect table entries = %lld\n", total_errors);
            status = 1;
        } else {
            printf("Number of errors     = %lld\n", total_errors);
            printf("Solution validates\n");
            printf("Rate (GUPs/s): %lf Avg time (s): %lf\n", 1.0e-9 * (double)nupdate / random_time, random_time);
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    free(table); free(gen); free(sendbuf); free(recvbuf); free(cnt);
    MPI_Finalize();
    return status;
}

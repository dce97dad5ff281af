/*
 * pingpong: OSU-style point-to-point latency and bandwidth between ranks 0 and 1.
 *
 * Usage: pingpong [iterations] [max message bytes]   (defaults 1000, 1 MiB)
 * For each message size (powers of two from 1 byte), rank 0 sends to rank 1 and
 * waits for the echo, `iterations` times after a warm-up; prints the one-way
 * latency (half the round trip) in microseconds and the bandwidth in MB/s.
 * Then a message rate: rank 0 streams 100 * iterations 8-byte messages to rank 1
 * in windows of 64 (distinct tags, one acknowledgement per window), which is
 * the per-message CPU cost of a Send + Recv pair rather than a round trip.
 * Lines "latency 8 B: L us", "bandwidth 1048576 B: B MB/s" and
 * "rate 8 B: R us per message" are what jobs/bench-pingpong.sh reads.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2) {
        if (rank == 0) printf("ERROR: pingpong needs at least 2 ranks\n");
        MPI_Finalize();
        return 1;
    }
    int iters = argc > 1 ? atoi(argv[1]) : 1000;
    int maxbytes = argc > 2 ? atoi(argv[2]) : 1 << 20;
    if (iters < 1 || maxbytes < 1) {
        if (rank == 0) printf("Usage: %s [iterations] [max message bytes]\n", argv[0]);
        MPI_Finalize();
        return 1;
    }
    char *buf = malloc(maxbytes);
    memset(buf, rank, maxbytes);
    for (int bytes = 1; bytes <= maxbytes; bytes *= 2) {
        int n = bytes >= 65536 ? (iters > 100 ? 100 : iters) : iters;
        double t0 = 0;
        for (int i = -10; i < n; i++) {
            if (i == 0) {
                MPI_Barrier(MPI_COMM_WORLD);
                t0 = MPI_Wtime();
            }
            if (rank == 0) {
                MPI_Send(buf, bytes, MPI_CHAR, 1, 1, MPI_COMM_WORLD);
                MPI_Recv(buf, bytes, MPI_CHAR, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else if (rank == 1) {
                MPI_Recv(buf, bytes, MPI_CHAR, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(buf, bytes, MPI_CHAR, 0, 1, MPI_COMM_WORLD);
            }
        }
        double one_way = (MPI_Wtime() - t0) / (2.0 * n);
        if (rank == 0) {
            printf("latency %d B: %.3f us\n", bytes, one_way * 1e6);
            printf("bandwidth %d B: %.1f MB/s\n", bytes, bytes / one_way / 1e6);
        }
    }
    int window = 64, total = 100 * iters;
    double t0 = 0;
    for (int w = -10; w < total / window; w++) {
        if (w == 0) {
            MPI_Barrier(MPI_COMM_WORLD);
            t0 = MPI_Wtime();
        }
        for (int k = 0; k < window; k++) {
            if (rank == 0) MPI_Send(buf, 8, MPI_CHAR, 1, k, MPI_COMM_WORLD);
            else if (rank == 1) MPI_Recv(buf, 8, MPI_CHAR, 0, k, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        if (rank == 0) MPI_Recv(buf, 1, MPI_CHAR, 1, window, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        else if (rank == 1) MPI_Send(buf, 1, MPI_CHAR, 0, window, MPI_COMM_WORLD);
    }
    if (rank == 0)
        printf("rate 8 B: %.4f us per message\n",
               (MPI_Wtime() - t0) / ((double)(total / window) * window) * 1e6);
    free(buf);
    MPI_Finalize();
    return 0;
}

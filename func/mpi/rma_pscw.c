/* General active-target synchronisation: MPI_Win_post / MPI_Win_start /
 * MPI_Win_complete / MPI_Win_wait with groups of neighbours (every rank is both
 * origin and target), MPI_Win_test polled on the target side instead of
 * Win_wait, and a star where rank 0 alone is exposed to every other rank (Puts
 * and Accumulates in, then Gets out under MPI_MODE_NOPUT). Groups never contain
 * a rank twice (with two ranks the left and right neighbours coincide). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define NW 8

static int rank, size;

static MPI_Group make_group(MPI_Group world, int n, const int *ranks) {
    int uniq[2], k = 0;
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int j = 0; j < k; j++) dup |= uniq[j] == ranks[i];
        if (!dup) uniq[k++] = ranks[i];
    }
    MPI_Group g;
    MPI_Group_incl(world, k, uniq, &g);
    return g;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int right = (rank + 1) % size, left = (rank + size - 1) % size;

    MPI_Group world;
    MPI_Comm_group(MPI_COMM_WORLD, &world);
    int lr[2] = {left, right};
    MPI_Group nbrs = make_group(world, 2, lr);

    int *w = NULL;
    MPI_Win win;
    MPI_Win_allocate(NW * sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &w, &win);
    for (int i = 0; i < NW; i++) w[i] = -1;

    /* Round 1: Put to both neighbours: slot 0 of the left one ("from right"),
     * slot 1 of the right one ("from left"). */
    {
        int v0 = 100 + rank, v1 = 200 + rank;
        MPI_Win_post(nbrs, 0, win);
        MPI_Win_start(nbrs, 0, win);
        MPI_Put(&v0, 1, MPI_INT, left, 0, 1, MPI_INT, win);
        MPI_Put(&v1, 1, MPI_INT, right, 1, 1, MPI_INT, win);
        MPI_Win_complete(win);
        MPI_Win_wait(win);
        printf("rank %d: round 1: from right %d from left %d\n", rank, w[0], w[1]);
    }

    /* Round 2: Get both neighbours' slots 0..1; the target polls MPI_Win_test. */
    {
        int gl[2] = {-9, -9}, gr[2] = {-9, -9}, flag = 0, polls = 0;
        MPI_Win_post(nbrs, MPI_MODE_NOPUT, win);
        MPI_Win_start(nbrs, 0, win);
        MPI_Get(gl, 2, MPI_INT, left, 0, 2, MPI_INT, win);
        MPI_Get(gr, 2, MPI_INT, right, 0, 2, MPI_INT, win);
        MPI_Win_complete(win);
        while (!flag) {
            MPI_Win_test(win, &flag);
            polls++;
        }
        printf("rank %d: round 2: left's %d %d right's %d %d polled %d\n", rank, gl[0], gl[1], gr[0], gr[1], polls > 0);
    }

    /* Round 3: a star. Rank 0 exposes to all others, which Put into their own
     * slot 3+r (if it exists) and add r+1 to slot 2. Rank 0 itself takes part
     * only as a target; it stores into slot 2 before posting. */
    MPI_Group others, zero;
    {
        int zr = 0;
        MPI_Group_excl(world, 1, &zr, &others);
        MPI_Group_incl(world, 1, &zr, &zero);
    }
    if (rank == 0) {
        w[2] = 0;
        MPI_Win_post(others, 0, win);
        MPI_Win_wait(win);
        printf("rank 0: round 3: sum %d expected %d slots", w[2], size * (size + 1) / 2 - 1);
        for (int i = 3; i < NW; i++) printf(" %d", w[i]);
        printf("\n");
    } else {
        int v = rank + 1, mine = 1000 + rank;
        MPI_Win_start(zero, 0, win);
        MPI_Accumulate(&v, 1, MPI_INT, 0, 2, 1, MPI_INT, MPI_SUM, win);
        if (3 + rank < NW) MPI_Put(&mine, 1, MPI_INT, 0, 3 + rank, 1, MPI_INT, win);
        MPI_Win_complete(win);
        printf("rank %d: round 3: completed\n", rank);
    }

    /* Round 4: the others Get rank 0's slots 2..4 (no puts: MPI_MODE_NOPUT);
     * rank 0 polls MPI_Win_test. */
    if (rank == 0) {
        int flag = 0;
        MPI_Win_post(others, MPI_MODE_NOPUT, win);
        while (!flag) MPI_Win_test(win, &flag);
        printf("rank 0: round 4: exposure ended\n");
    } else {
        int g[3] = {-9, -9, -9};
        MPI_Win_start(zero, 0, win);
        MPI_Get(g, 3, MPI_INT, 0, 2, 3, MPI_INT, win);
        MPI_Win_complete(win);
        printf("rank %d: round 4: rank 0 slots 2..4: %d %d %d\n", rank, g[0], g[1], g[2]);
    }

    /* Round 5: pairs (0,1), (2,3), ...: each rank exposes its window to its
     * partner only and Puts into the partner's slot 5. A rank without a partner
     * (the last one of an odd count) takes no part. */
    {
        int partner = rank % 2 ? rank - 1 : rank + 1;
        if (partner < size) {
            MPI_Group pg;
            MPI_Group_incl(world, 1, &partner, &pg);
            int v = 5000 + rank;
            MPI_Win_post(pg, 0, win);
            MPI_Win_start(pg, 0, win);
            MPI_Put(&v, 1, MPI_INT, partner, 5, 1, MPI_INT, win);
            MPI_Win_complete(win);
            MPI_Win_wait(win);
            printf("rank %d: round 5: from partner %d\n", rank, w[5]);
            MPI_Group_free(&pg);
        } else {
            printf("rank %d: round 5: no partner\n", rank);
        }
    }

    MPI_Group_free(&others);
    MPI_Group_free(&zero);
    MPI_Group_free(&nbrs);
    MPI_Group_free(&world);
    MPI_Win_free(&win);
    printf("rank %d: done rma_pscw\n", rank);
    MPI_Finalize();
    return 0;
}

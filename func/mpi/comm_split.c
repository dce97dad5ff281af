/* MPI_Comm_split: colors from rank % 3, keys that reverse or tie (ties keep the
 * old rank order), MPI_UNDEFINED giving MPI_COMM_NULL, a single color, every
 * rank its own color, splitting a split, and point-to-point plus collectives
 * inside the new communicators (each message tagged with its origin). */
#include <mpi.h>
#include <stdio.h>

static int rank, size;

/* Members of comm in comm-rank order, as world ranks. */
static void members(const char *name, MPI_Comm comm) {
    if (comm == MPI_COMM_NULL) {
        printf("rank %d %s: MPI_COMM_NULL\n", rank, name);
        return;
    }
    int r, n, world[16];
    MPI_Comm_rank(comm, &r);
    MPI_Comm_size(comm, &n);
    MPI_Allgather(&rank, 1, MPI_INT, world, 1, MPI_INT, comm);
    printf("rank %d %s: rank %d of %d members", rank, name, r, n);
    for (int i = 0; i < n; i++) printf(" %d", world[i]);
    printf("\n");
}

/* A ring shift inside comm and a sum: data stays within the communicator. */
static void traffic(const char *name, MPI_Comm comm) {
    if (comm == MPI_COMM_NULL) return;
    int r, n;
    MPI_Comm_rank(comm, &r);
    MPI_Comm_size(comm, &n);
    int send = rank * 10, recv = -1, sum, mx;
    MPI_Status st;
    MPI_Sendrecv(&send, 1, MPI_INT, (r + 1) % n, 3, &recv, 1, MPI_INT, (r + n - 1) % n, 3, comm, &st);
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, comm);
    MPI_Reduce(&rank, &mx, 1, MPI_INT, MPI_MAX, n - 1, comm);
    printf("rank %d %s traffic: got %d from comm rank %d sum %d", rank, name, recv, st.MPI_SOURCE, sum);
    if (r == n - 1) printf(" max %d", mx);
    printf("\n");
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    MPI_Comm mod3, rev, tie, undef, single, alone, sub, mod3_rev_key;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 3, rank, &mod3);
    MPI_Comm_split(MPI_COMM_WORLD, 0, -rank, &rev);
    MPI_Comm_split(MPI_COMM_WORLD, rank / 2, 7, &tie);                         /* equal keys */
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2 ? MPI_UNDEFINED : 1, rank, &undef); /* odds opt out */
    MPI_Comm_split(MPI_COMM_WORLD, 42, 0, &single);
    MPI_Comm_split(MPI_COMM_WORLD, rank, 0, &alone);
    MPI_Comm_split(MPI_COMM_WORLD, rank % 3, (rank * 4) % 7, &mod3_rev_key); /* scrambled keys */
    members("mod3", mod3);
    members("reversed", rev);
    members("tied_keys", tie);
    members("odds_undefined", undef);
    members("single_color", single);
    members("own_color", alone);
    members("mod3_scrambled_keys", mod3_rev_key);
    traffic("mod3", mod3);
    traffic("reversed", rev);
    traffic("odds_undefined", undef);
    traffic("own_color", alone);

    /* Split the split: within mod3, split by (rank of mod3) < 2. */
    int mr;
    MPI_Comm_rank(mod3, &mr);
    MPI_Comm_split(mod3, mr < 2 ? 0 : MPI_UNDEFINED, -mr, &sub);
    members("mod3_sub", sub);
    traffic("mod3_sub", sub);

    /* All ranks but the last opt out: a communicator of one. */
    MPI_Comm last;
    MPI_Comm_split(MPI_COMM_WORLD, rank == size - 1 ? 5 : MPI_UNDEFINED, 0, &last);
    members("last_only", last);

    /* Message isolation: the same tag on two split communicators at once. */
    int a = 100 + rank, b = 200 + rank, ga = -1, gb = -1;
    int rn, rr;
    MPI_Comm_size(rev, &rn);
    MPI_Comm_rank(rev, &rr);
    MPI_Request rq[4];
    MPI_Irecv(&ga, 1, MPI_INT, MPI_ANY_SOURCE, 9, single, &rq[0]);
    MPI_Irecv(&gb, 1, MPI_INT, MPI_ANY_SOURCE, 9, rev, &rq[1]);
    MPI_Isend(&b, 1, MPI_INT, (rr + 1) % rn, 9, rev, &rq[2]);
    MPI_Isend(&a, 1, MPI_INT, (rank + 1) % size, 9, single, &rq[3]);
    MPI_Waitall(4, rq, MPI_STATUSES_IGNORE);
    printf("rank %d isolation: single got %d reversed got %d\n", rank, ga, gb);

    MPI_Comm all[] = {mod3, rev, tie, undef, single, alone, sub, mod3_rev_key, last};
    for (int i = 0; i < (int)(sizeof all / sizeof all[0]); i++)
        if (all[i] != MPI_COMM_NULL) MPI_Comm_free(&all[i]);
    printf("rank %d: done comm_split\n", rank);
    MPI_Finalize();
    return 0;
}

/* MPI_Comm_set_name / MPI_Comm_get_name: the predefined names of
 * MPI_COMM_WORLD and MPI_COMM_SELF, names set on dups and splits (different
 * names on different ranks: names are local), renaming, renaming a predefined
 * communicator, names with spaces and punctuation, the empty name, and that
 * a dup of a named communicator does not inherit the name set afterwards. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

static int rank, size;

static void show(const char *what, MPI_Comm comm) {
    char name[MPI_MAX_OBJECT_NAME];
    int len = -1;
    memset(name, 'x', sizeof name);
    MPI_Comm_get_name(comm, name, &len);
    printf("rank %d %s: \"%s\" len %d strlen %d\n", rank, what, name, len, (int)strlen(name));
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    show("world", MPI_COMM_WORLD);
    show("self", MPI_COMM_SELF);

    MPI_Comm dup, half, dup2;
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    MPI_Comm_set_name(dup, "world dup");
    show("dup", dup);
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
    char nm[64];
    snprintf(nm, sizeof nm, "half-%s #%d", rank % 2 ? "odd" : "even", rank);
    MPI_Comm_set_name(half, nm); /* each rank names its handle differently */
    show("half", half);
    MPI_Comm_set_name(dup, "renamed: dup (2nd name)");
    show("dup renamed", dup);
    MPI_Comm_set_name(half, "");
    show("half emptied", half);

    /* 63 characters: the longest name every implementation keeps whole. */
    char longname[64];
    for (int i = 0; i < 63; i++) longname[i] = 'a' + i % 26;
    longname[63] = '\0';
    MPI_Comm_set_name(half, longname);
    show("half long name", half);

    /* Predefined communicators can be renamed too. */
    MPI_Comm_set_name(MPI_COMM_SELF, "my self");
    show("self renamed", MPI_COMM_SELF);
    MPI_Comm_set_name(MPI_COMM_WORLD, "everyone");
    show("world renamed", MPI_COMM_WORLD);

    /* Renaming the parent after dup does not affect the dup; naming the dup does
     * not affect the parent. */
    MPI_Comm_dup(dup, &dup2);
    MPI_Comm_set_name(dup2, "second generation");
    MPI_Comm_set_name(dup, "parent");
    show("dup2", dup2);
    show("dup after dup2 named", dup);

    /* The names do not disturb communication. */
    int sum;
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, dup2);
    printf("rank %d sum on named dup %d\n", rank, sum);

    MPI_Comm_free(&dup2);
    MPI_Comm_free(&dup);
    MPI_Comm_free(&half);
    printf("rank %d: done comm_names\n", rank);
    MPI_Finalize();
    return 0;
}

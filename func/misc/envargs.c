/* Prints argv and the environment fbatch gives every rank (not an MPI feature:
 * used by the tests to check WASI args and env). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    char args[512] = "";
    int off = 0;
    for (int i = 0; i < argc; i++)
        off += snprintf(args + off, sizeof args - off, "%s%s", i ? "|" : "", argv[i]);
    const char *g = getenv("GREETING");
    printf("rank %s: argv %s job %s rank %s size %s greeting %s\n", getenv("FBATCH_RANK"), args,
           getenv("FBATCH_JOB_ID"), getenv("FBATCH_RANK"), getenv("FBATCH_SIZE"), g ? g : "(none)");
    MPI_Finalize();
    return 0;
}

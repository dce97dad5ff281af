/* Error handlers: the default MPI_ERRORS_ARE_FATAL on MPI_COMM_WORLD,
 * Comm_set_errhandler(MPI_ERRORS_RETURN) and Comm_get_errhandler (handles
 * from it are freed with Errhandler_free), inheritance by Comm_dup, and the
 * error classes of calls with an invalid rank, tag, count, datatype, root,
 * op and communicator and of a truncated receive, printed by name. Only
 * handles and classes are compared symbolically, never numerically. */
#include <mpi.h>
#include <stdio.h>

static const char *cls(int rc) {
    if (rc == MPI_SUCCESS) return "SUCCESS";
    int c = -1;
    MPI_Error_class(rc, &c);
    switch (c) {
    case MPI_ERR_BUFFER: return "ERR_BUFFER";
    case MPI_ERR_COUNT: return "ERR_COUNT";
    case MPI_ERR_TYPE: return "ERR_TYPE";
    case MPI_ERR_TAG: return "ERR_TAG";
    case MPI_ERR_COMM: return "ERR_COMM";
    case MPI_ERR_RANK: return "ERR_RANK";
    case MPI_ERR_REQUEST: return "ERR_REQUEST";
    case MPI_ERR_ROOT: return "ERR_ROOT";
    case MPI_ERR_GROUP: return "ERR_GROUP";
    case MPI_ERR_OP: return "ERR_OP";
    case MPI_ERR_TOPOLOGY: return "ERR_TOPOLOGY";
    case MPI_ERR_DIMS: return "ERR_DIMS";
    case MPI_ERR_ARG: return "ERR_ARG";
    case MPI_ERR_UNKNOWN: return "ERR_UNKNOWN";
    case MPI_ERR_TRUNCATE: return "ERR_TRUNCATE";
    case MPI_ERR_OTHER: return "ERR_OTHER";
    case MPI_ERR_INTERN: return "ERR_INTERN";
    default: return "OTHER_CLASS";
    }
}

static const char *ehname(MPI_Errhandler e) {
    return e == MPI_ERRORS_ARE_FATAL ? "ERRORS_ARE_FATAL" : e == MPI_ERRORS_RETURN ? "ERRORS_RETURN" : "OTHER";
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int peer = (rank + 1) % size, from = (rank + size - 1) % size;

    MPI_Errhandler eh;
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &eh);
    printf("rank %d world default: %s\n", rank, ehname(eh));
    MPI_Errhandler_free(&eh);
    printf("rank %d freed handle is null %d\n", rank, eh == MPI_ERRHANDLER_NULL);
    MPI_Comm_get_errhandler(MPI_COMM_SELF, &eh);
    printf("rank %d self default: %s\n", rank, ehname(eh));
    MPI_Errhandler_free(&eh);

    /* A dup made before the change keeps FATAL; one made after inherits RETURN. */
    MPI_Comm before, after;
    MPI_Comm_dup(MPI_COMM_WORLD, &before);
    int rc = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_dup(MPI_COMM_WORLD, &after);
    MPI_Errhandler e1, e2, e3;
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &e1);
    MPI_Comm_get_errhandler(before, &e2);
    MPI_Comm_get_errhandler(after, &e3);
    printf("rank %d set %s: world %s dup before %s dup after %s\n", rank, cls(rc), ehname(e1), ehname(e2), ehname(e3));
    MPI_Errhandler_free(&e1);
    MPI_Errhandler_free(&e2);
    MPI_Errhandler_free(&e3);

    int x = rank, y = -1, big[4] = {1, 2, 3, 4};
    MPI_Request req;
    /* Point-to-point argument errors. */
    printf("rank %d send to rank size+3: %s\n", rank, cls(MPI_Send(&x, 1, MPI_INT, size + 3, 0, MPI_COMM_WORLD)));
    printf("rank %d send to rank -7: %s\n", rank, cls(MPI_Send(&x, 1, MPI_INT, -7, 0, MPI_COMM_WORLD)));
    printf("rank %d recv from rank size: %s\n", rank,
           cls(MPI_Recv(&y, 1, MPI_INT, size, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE)));
    printf("rank %d send tag -5: %s\n", rank, cls(MPI_Send(&x, 1, MPI_INT, peer, -5, MPI_COMM_WORLD)));
    printf("rank %d send count -1: %s\n", rank, cls(MPI_Send(&x, -1, MPI_INT, peer, 0, MPI_COMM_WORLD)));
    printf("rank %d send datatype null: %s\n", rank,
           cls(MPI_Send(&x, 1, MPI_DATATYPE_NULL, peer, 0, MPI_COMM_WORLD)));
    printf("rank %d send comm null: %s\n", rank, cls(MPI_Send(&x, 1, MPI_INT, peer, 0, MPI_COMM_NULL)));
    printf("rank %d isend to rank size: %s\n", rank,
           cls(MPI_Isend(&x, 1, MPI_INT, size, 0, MPI_COMM_WORLD, &req)));
    printf("rank %d irecv tag -3: %s\n", rank, cls(MPI_Irecv(&y, 1, MPI_INT, from, -3, MPI_COMM_WORLD, &req)));
    /* Uncommitted derived datatype. */
    MPI_Datatype unc;
    MPI_Type_contiguous(2, MPI_INT, &unc);
    printf("rank %d send uncommitted type: %s\n", rank, cls(MPI_Send(big, 1, unc, peer, 0, MPI_COMM_WORLD)));
    MPI_Type_free(&unc);

    /* Truncation: 4 ints into room for 2; the message is consumed, and the
     * status describes the matched message. */
    MPI_Status st;
    st.MPI_SOURCE = st.MPI_TAG = -999;
    MPI_Request sr;
    MPI_Isend(big, 4, MPI_INT, peer, 9, MPI_COMM_WORLD, &sr);
    int small[2] = {0, 0};
    rc = MPI_Recv(small, 2, MPI_INT, from, 9, MPI_COMM_WORLD, &st);
    MPI_Wait(&sr, MPI_STATUS_IGNORE);
    printf("rank %d truncated recv: %s source ok %d tag %d\n", rank, cls(rc), st.MPI_SOURCE == from, st.MPI_TAG);

    /* Collective argument errors (every rank passes the same bad argument). */
    printf("rank %d bcast root size: %s\n", rank, cls(MPI_Bcast(&x, 1, MPI_INT, size, MPI_COMM_WORLD)));
    printf("rank %d bcast root -4: %s\n", rank, cls(MPI_Bcast(&x, 1, MPI_INT, -4, MPI_COMM_WORLD)));
    printf("rank %d allreduce op null: %s\n", rank,
           cls(MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_OP_NULL, MPI_COMM_WORLD)));
    printf("rank %d allreduce count -2: %s\n", rank, cls(MPI_Allreduce(&x, &y, -2, MPI_INT, MPI_SUM, MPI_COMM_WORLD)));
    printf("rank %d barrier comm null: %s\n", rank, cls(MPI_Barrier(MPI_COMM_NULL)));

    /* Communicator and group queries on invalid handles. */
    int n;
    printf("rank %d comm_size comm null: %s\n", rank, cls(MPI_Comm_size(MPI_COMM_NULL, &n)));
    MPI_Group g;
    printf("rank %d comm_group comm null: %s\n", rank, cls(MPI_Comm_group(MPI_COMM_NULL, &g)));

    /* The dup made before the change is still fatal; one after returns errors. */
    printf("rank %d send on returning dup to bad rank: %s\n", rank,
           cls(MPI_Send(&x, 1, MPI_INT, size + 1, 0, after)));

    /* Errors leave communication working: a normal exchange afterwards. */
    MPI_Sendrecv(&x, 1, MPI_INT, peer, 1, &y, 1, MPI_INT, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("rank %d after errors: got %d\n", rank, y);

    /* Back to fatal. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &eh);
    printf("rank %d world reset: %s\n", rank, ehname(eh));
    MPI_Errhandler_free(&eh);
    MPI_Comm_free(&before);
    MPI_Comm_free(&after);
    printf("rank %d: done env_errhandler\n", rank);
    MPI_Finalize();
    return 0;
}

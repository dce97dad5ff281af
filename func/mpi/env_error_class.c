/* Error classes: MPI_Error_class maps every predefined class to itself, the
 * classes are distinct, MPI_SUCCESS is 0 and every class lies in
 * 0..MPI_ERR_LASTCODE; MPI_Error_string gives a nonempty string of the
 * returned length for each class (the text itself is not compared); the
 * MPI_LASTUSEDCODE attribute is at least MPI_ERR_LASTCODE; codes returned by
 * failing calls have the expected class; Error_class of a negative number
 * fails with MPI_ERR_ARG. All printed by names chosen here. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#define C(x) {x, #x}
static const struct { int code; const char *name; } classes[] = {
    C(MPI_SUCCESS),        C(MPI_ERR_BUFFER),      C(MPI_ERR_COUNT),         C(MPI_ERR_TYPE),
    C(MPI_ERR_TAG),        C(MPI_ERR_COMM),        C(MPI_ERR_RANK),          C(MPI_ERR_REQUEST),
    C(MPI_ERR_ROOT),       C(MPI_ERR_GROUP),       C(MPI_ERR_OP),            C(MPI_ERR_TOPOLOGY),
    C(MPI_ERR_DIMS),       C(MPI_ERR_ARG),         C(MPI_ERR_UNKNOWN),       C(MPI_ERR_TRUNCATE),
    C(MPI_ERR_OTHER),      C(MPI_ERR_INTERN),      C(MPI_ERR_IN_STATUS),     C(MPI_ERR_PENDING),
    C(MPI_ERR_ACCESS),     C(MPI_ERR_AMODE),       C(MPI_ERR_ASSERT),        C(MPI_ERR_BAD_FILE),
    C(MPI_ERR_BASE),       C(MPI_ERR_CONVERSION),  C(MPI_ERR_DISP),          C(MPI_ERR_DUP_DATAREP),
    C(MPI_ERR_FILE_EXISTS), C(MPI_ERR_FILE_IN_USE), C(MPI_ERR_FILE),         C(MPI_ERR_INFO_KEY),
    C(MPI_ERR_INFO_NOKEY), C(MPI_ERR_INFO_VALUE),  C(MPI_ERR_INFO),          C(MPI_ERR_IO),
    C(MPI_ERR_KEYVAL),     C(MPI_ERR_LOCKTYPE),    C(MPI_ERR_NAME),          C(MPI_ERR_NO_MEM),
    C(MPI_ERR_NOT_SAME),   C(MPI_ERR_NO_SPACE),    C(MPI_ERR_NO_SUCH_FILE),  C(MPI_ERR_PORT),
    C(MPI_ERR_QUOTA),      C(MPI_ERR_READ_ONLY),   C(MPI_ERR_SERVICE),       C(MPI_ERR_SIZE),
    C(MPI_ERR_SPAWN),      C(MPI_ERR_UNSUPPORTED_DATAREP), C(MPI_ERR_UNSUPPORTED_OPERATION), C(MPI_ERR_WIN),
    C(MPI_ERR_RMA_CONFLICT), C(MPI_ERR_RMA_SYNC),  C(MPI_ERR_RMA_RANGE),     C(MPI_ERR_RMA_ATTACH),
    C(MPI_ERR_RMA_SHARED), C(MPI_ERR_RMA_FLAVOR),
};
#define NCLASSES ((int)(sizeof classes / sizeof classes[0]))

static const char *class_name(int cls) {
    for (int i = 0; i < NCLASSES; i++)
        if (classes[i].code == cls) return classes[i].name;
    return "NOT_A_PREDEFINED_CLASS";
}

int main(int argc, char **argv) {
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);

    int self_mapped = 0, in_range = 0, strings_ok = 0, distinct = 1;
    for (int i = 0; i < NCLASSES; i++) {
        int c = -1, len = -1;
        char s[MPI_MAX_ERROR_STRING];
        s[0] = '\0';
        int rc1 = MPI_Error_class(classes[i].code, &c);
        int rc2 = MPI_Error_string(classes[i].code, s, &len);
        int ok_class = rc1 == MPI_SUCCESS && c == classes[i].code;
        int ok_range = classes[i].code >= 0 && classes[i].code <= MPI_ERR_LASTCODE;
        int ok_string = rc2 == MPI_SUCCESS && len > 0 && (int)strlen(s) == len && len < MPI_MAX_ERROR_STRING;
        self_mapped += ok_class;
        in_range += ok_range;
        strings_ok += ok_string;
        for (int j = 0; j < i; j++)
            if (classes[j].code == classes[i].code) distinct = 0;
        if (rank == 0 && !(ok_class && ok_range && ok_string))
            printf("%s: class maps to itself %d in range %d string ok %d\n", classes[i].name, ok_class, ok_range,
                   ok_string);
    }
    printf("rank %d: %d classes, %d map to themselves, %d in 0..LASTCODE, %d strings ok, distinct %d, success is 0 %d\n",
           rank, NCLASSES, self_mapped, in_range, strings_ok, distinct, MPI_SUCCESS == 0);

    /* MPI_LASTUSEDCODE bounds all codes in use. */
    int *last, flag = 0;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_LASTUSEDCODE, &last, &flag);
    printf("rank %d: lastusedcode flag %d at least lastcode %d\n", rank, flag, flag && *last >= MPI_ERR_LASTCODE);

    /* Codes from failing calls map to their classes. */
    int x = 0, c;
    int codes[5];
    codes[0] = MPI_Send(&x, 1, MPI_INT, size, 0, MPI_COMM_WORLD);
    codes[1] = MPI_Send(&x, 1, MPI_INT, 0, -1, MPI_COMM_WORLD);
    codes[2] = MPI_Send(&x, -1, MPI_INT, 0, 0, MPI_COMM_WORLD);
    codes[3] = MPI_Bcast(&x, 1, MPI_INT, -10, MPI_COMM_WORLD);
    codes[4] = MPI_Send(&x, 1, MPI_DATATYPE_NULL, 0, 0, MPI_COMM_WORLD);
    const char *what[5] = {"bad rank", "bad tag", "bad count", "bad root", "bad type"};
    for (int i = 0; i < 5; i++) {
        MPI_Error_class(codes[i], &c);
        char s[MPI_MAX_ERROR_STRING];
        int len = -1;
        MPI_Error_string(codes[i], s, &len);
        printf("rank %d: %s -> %s, code in range %d, string ok %d\n", rank, what[i], class_name(c),
               codes[i] > 0 && codes[i] <= *last, len > 0 && (int)strlen(s) == len);
    }

    /* Negative numbers are not error codes. */
    int rc = MPI_Error_class(-5, &c), rc_class = -1;
    MPI_Error_class(rc, &rc_class);
    printf("rank %d: error_class(-5) fails %d with %s\n", rank, rc != MPI_SUCCESS, class_name(rc_class));

    printf("rank %d: done env_error_class\n", rank);
    MPI_Finalize();
    return 0;
}

/* MPI_Info objects: Info_create, Info_set (new keys and overwriting),
 * Info_get (present, missing, truncated to valuelen), Info_get_valuelen,
 * Info_get_nkeys, Info_get_nthkey (every key once), Info_delete (present and
 * missing: MPI_ERR_INFO_NOKEY), Info_dup (a deep copy: changes do not leak
 * either way), too-long keys and values (MPI_ERR_INFO_KEY, MPI_ERR_INFO_VALUE:
 * MPI-3.1 section 9), many keys, Info_free. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rank;

static const char *cls(int rc) {
    if (rc == MPI_SUCCESS) return "SUCCESS";
    int c;
    MPI_Error_class(rc, &c);
    return c == MPI_ERR_INFO_NOKEY  ? "ERR_INFO_NOKEY"
           : c == MPI_ERR_INFO_KEY  ? "ERR_INFO_KEY"
           : c == MPI_ERR_INFO_VALUE ? "ERR_INFO_VALUE"
           : c == MPI_ERR_INFO      ? "ERR_INFO"
           : c == MPI_ERR_ARG       ? "ERR_ARG"
                                    : "OTHER";
}

static int cmpstr(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* All key=value pairs, sorted by key (the numbering of keys is not compared). */
static void dump(const char *what, MPI_Info info) {
    int n;
    MPI_Info_get_nkeys(info, &n);
    char (*keys)[MPI_MAX_INFO_KEY + 1] = malloc((n ? n : 1) * sizeof *keys);
    for (int i = 0; i < n; i++) MPI_Info_get_nthkey(info, i, keys[i]);
    qsort(keys, n, sizeof *keys, cmpstr);
    printf("rank %d %s (%d keys):", rank, what, n);
    for (int i = 0; i < n; i++) {
        char v[MPI_MAX_INFO_VAL + 1];
        int flag;
        MPI_Info_get(info, keys[i], MPI_MAX_INFO_VAL, v, &flag);
        printf(" %s=%s%s", keys[i], v, flag ? "" : "(missing!)");
    }
    printf("\n");
    free(keys);
}

int main(int argc, char **argv) {
    int size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);

    MPI_Info info, copy;
    MPI_Info_create(&info);
    int n;
    MPI_Info_get_nkeys(info, &n);
    printf("rank %d new info: nkeys %d\n", rank, n);

    char rv[16];
    snprintf(rv, sizeof rv, "%d", rank);
    MPI_Info_set(info, "alpha", "1");
    MPI_Info_set(info, "beta", "two words");
    MPI_Info_set(info, "gamma", "a fairly long value for truncation");
    MPI_Info_set(info, "rank", rv);
    MPI_Info_set(info, "alpha", "one"); /* overwrite: still 4 keys */
    dump("after sets", info);

    /* Keys are numbered 0..n-1, each exactly once. */
    MPI_Info_get_nkeys(info, &n);
    int seen = 0;
    const char *expect[4] = {"alpha", "beta", "gamma", "rank"};
    for (int i = 0; i < n; i++) {
        char k[MPI_MAX_INFO_KEY + 1];
        MPI_Info_get_nthkey(info, i, k);
        for (int j = 0; j < 4; j++) if (!strcmp(k, expect[j])) seen |= 1 << j;
    }
    printf("rank %d nthkey covers all keys %d\n", rank, seen == 15);

    int flag, len;
    char v[MPI_MAX_INFO_VAL + 1];
    MPI_Info_get_valuelen(info, "gamma", &len, &flag);
    printf("rank %d valuelen gamma %d flag %d\n", rank, len, flag);
    MPI_Info_get_valuelen(info, "nope", &len, &flag);
    printf("rank %d valuelen missing flag %d\n", rank, flag);
    memset(v, 0, sizeof v);
    MPI_Info_get(info, "gamma", 8, v, &flag);
    printf("rank %d get gamma with valuelen 8: \"%s\" flag %d\n", rank, v, flag);
    strcpy(v, "untouched");
    MPI_Info_get(info, "nope", MPI_MAX_INFO_VAL, v, &flag);
    printf("rank %d get missing: flag %d\n", rank, flag);

    /* Dup is deep: modify both sides independently. */
    MPI_Info_dup(info, &copy);
    MPI_Info_set(copy, "delta", "only in copy");
    MPI_Info_set(copy, "beta", "changed in copy");
    MPI_Info_delete(info, "gamma");
    dump("original", info);
    dump("copy", copy);

    /* Deleting a missing key; too-long keys. */
    printf("rank %d delete missing: %s\n", rank, cls(MPI_Info_delete(info, "gamma")));
    char longkey[300];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    printf("rank %d set 299-char key: %s\n", rank, cls(MPI_Info_set(info, longkey, "x")));
    static char longval[2000];
    memset(longval, 'v', sizeof longval - 1);
    printf("rank %d set 1999-char value: %s\n", rank, cls(MPI_Info_set(info, "k", longval)));
    MPI_Info_get_nkeys(info, &n);
    printf("rank %d nkeys after failed sets %d\n", rank, n);

    /* Many keys. */
    MPI_Info many;
    MPI_Info_create(&many);
    for (int i = 0; i < 60; i++) {
        char k[32], val[32];
        snprintf(k, sizeof k, "key%02d", i);
        snprintf(val, sizeof val, "%d", i * i + rank);
        MPI_Info_set(many, k, val);
    }
    for (int i = 0; i < 60; i += 3) {
        char k[32];
        snprintf(k, sizeof k, "key%02d", i);
        MPI_Info_delete(many, k);
    }
    MPI_Info_get_nkeys(many, &n);
    long total = 0;
    for (int i = 0; i < n; i++) {
        char k[MPI_MAX_INFO_KEY + 1];
        MPI_Info_get_nthkey(many, i, k);
        MPI_Info_get(many, k, MPI_MAX_INFO_VAL, v, &flag);
        total += atoi(v);
    }
    printf("rank %d many: nkeys %d value total %ld\n", rank, n, total);

    /* An info object passed through a call that takes one. */
    MPI_Comm dup;
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    MPI_Comm shm;
    MPI_Comm_split_type(dup, MPI_COMM_TYPE_SHARED, 0, copy, &shm);
    int shs;
    MPI_Comm_size(shm, &shs);
    printf("rank %d split_type with info: size %d\n", rank, shs);
    MPI_Comm_free(&shm);
    MPI_Comm_free(&dup);

    MPI_Info_free(&info);
    MPI_Info_free(&copy);
    MPI_Info_free(&many);
    printf("rank %d freed: %d\n", rank, info == MPI_INFO_NULL && copy == MPI_INFO_NULL && many == MPI_INFO_NULL);
    printf("rank %d: done env_info_ops\n", rank);
    MPI_Finalize();
    return 0;
}

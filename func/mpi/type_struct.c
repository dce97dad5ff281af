/* MPI_Type_create_struct: structs of int, double and char members built with
 * offsetof and with MPI_Get_address, resized to sizeof(struct) so arrays of
 * structs can be sent, a struct that sends only some members, a struct nesting
 * a derived type, sizes/extents, ring transfers, Bcast and Gather of struct
 * arrays, and Get_count/Get_elements of mixed-type messages. */
#include <mpi.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct rec { int id; double val; char tag[3]; };            /* 24 bytes */
struct pt { char kind; double xyz[3]; int flags[2]; };     /* 40 bytes */
struct small { short s; char c; int i; };                   /* 8 bytes */
struct outer { int n; struct small inner[2]; double w; };   /* 32 bytes */

static int rank, size, peer, from;

static void describe(const char *name, MPI_Datatype t) {
    int sz;
    MPI_Aint lb, ext, tlb, text;
    MPI_Type_size(t, &sz);
    MPI_Type_get_extent(t, &lb, &ext);
    MPI_Type_get_true_extent(t, &tlb, &text);
    if (rank == 0)
        printf("%s: size %d lb %d extent %d true_lb %d true_extent %d\n", name, sz, (int)lb, (int)ext, (int)tlb,
               (int)text);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    peer = (rank + 1) % size;
    from = (rank + size - 1) % size;
    if (rank == 0)
        printf("C sizes: rec %d pt %d small %d outer %d\n", (int)sizeof(struct rec), (int)sizeof(struct pt),
               (int)sizeof(struct small), (int)sizeof(struct outer));

    /* struct rec via offsetof, resized to its C size. */
    int rbl[3] = {1, 1, 3};
    MPI_Aint rds[3] = {offsetof(struct rec, id), offsetof(struct rec, val), offsetof(struct rec, tag)};
    MPI_Datatype rty[3] = {MPI_INT, MPI_DOUBLE, MPI_CHAR}, rec_raw, rec_t;
    MPI_Type_create_struct(3, rbl, rds, rty, &rec_raw);
    MPI_Type_create_resized(rec_raw, 0, sizeof(struct rec), &rec_t);
    MPI_Type_commit(&rec_t);
    describe("rec_raw", rec_raw);
    describe("rec", rec_t);

    /* struct pt via MPI_Get_address. */
    struct pt p0;
    MPI_Aint base, a[3];
    MPI_Get_address(&p0, &base);
    MPI_Get_address(&p0.kind, &a[0]);
    MPI_Get_address(&p0.xyz[0], &a[1]);
    MPI_Get_address(&p0.flags, &a[2]);
    for (int i = 0; i < 3; i++) a[i] = MPI_Aint_diff(a[i], base);
    int pbl[3] = {1, 3, 2};
    MPI_Datatype pty[3] = {MPI_CHAR, MPI_DOUBLE, MPI_INT}, pt_raw, pt_t;
    MPI_Type_create_struct(3, pbl, a, pty, &pt_raw);
    MPI_Type_create_resized(pt_raw, 0, sizeof(struct pt), &pt_t);
    MPI_Type_commit(&pt_t);
    describe("pt", pt_t);
    if (rank == 0) printf("pt displacements %d %d %d\n", (int)a[0], (int)a[1], (int)a[2]);

    /* Only the double member of struct pt: the others keep their values. */
    int xbl[1] = {3};
    MPI_Aint xds[1] = {offsetof(struct pt, xyz)};
    MPI_Datatype xty[1] = {MPI_DOUBLE}, xyz_only_raw, xyz_only;
    MPI_Type_create_struct(1, xbl, xds, xty, &xyz_only_raw);
    MPI_Type_create_resized(xyz_only_raw, 0, sizeof(struct pt), &xyz_only);
    MPI_Type_commit(&xyz_only);
    describe("pt_xyz_only", xyz_only);

    /* Nested: struct outer with an array of struct small described by a derived type. */
    int sbl[3] = {1, 1, 1};
    MPI_Aint sds[3] = {offsetof(struct small, s), offsetof(struct small, c), offsetof(struct small, i)};
    MPI_Datatype sty[3] = {MPI_SHORT, MPI_CHAR, MPI_INT}, small_raw, small_t;
    MPI_Type_create_struct(3, sbl, sds, sty, &small_raw);
    MPI_Type_create_resized(small_raw, 0, sizeof(struct small), &small_t);
    int obl[3] = {1, 2, 1};
    MPI_Aint ods[3] = {offsetof(struct outer, n), offsetof(struct outer, inner), offsetof(struct outer, w)};
    MPI_Datatype oty[3] = {MPI_INT, small_t, MPI_DOUBLE}, outer_raw, outer_t;
    MPI_Type_create_struct(3, obl, ods, oty, &outer_raw);
    MPI_Type_create_resized(outer_raw, 0, sizeof(struct outer), &outer_t);
    MPI_Type_commit(&outer_t);
    describe("small", small_t);
    describe("outer", outer_t);

    /* A struct with a negative displacement and a gap, not resized. */
    int gbl[2] = {2, 1};
    MPI_Aint gds[2] = {-8, 16};
    MPI_Datatype gty[2] = {MPI_INT, MPI_DOUBLE}, gap_t;
    MPI_Type_create_struct(2, gbl, gds, gty, &gap_t);
    MPI_Type_commit(&gap_t);
    describe("gap", gap_t);

    /* Ring: 3 recs. */
    struct rec rs[3], rr[3];
    memset(rr, 0, sizeof rr);
    for (int i = 0; i < 3; i++) {
        rs[i].id = rank * 10 + i;
        rs[i].val = rank + i * 0.5;
        rs[i].tag[0] = 'a' + rank;
        rs[i].tag[1] = 'A' + i;
        rs[i].tag[2] = '\0';
    }
    MPI_Status st;
    MPI_Sendrecv(rs, 3, rec_t, peer, 1, rr, 3, rec_t, from, 1, MPI_COMM_WORLD, &st);
    int cnt, el;
    MPI_Get_count(&st, rec_t, &cnt);
    MPI_Get_elements(&st, rec_t, &el);
    printf("rank %d recs:", rank);
    for (int i = 0; i < 3; i++) printf(" {%d %g %s}", rr[i].id, rr[i].val, rr[i].tag);
    printf(" count %d elements %d\n", cnt, el);

    /* Ring: 2 pts, then only the xyz members of 2 pts. */
    struct pt ps[2], pr[2];
    memset(pr, 0, sizeof pr);
    for (int i = 0; i < 2; i++) {
        ps[i].kind = 'k' + i;
        for (int j = 0; j < 3; j++) ps[i].xyz[j] = rank * 100 + i * 10 + j + 0.5;
        ps[i].flags[0] = rank;
        ps[i].flags[1] = -i;
    }
    MPI_Sendrecv(ps, 2, pt_t, peer, 2, pr, 2, pt_t, from, 2, MPI_COMM_WORLD, &st);
    MPI_Get_elements(&st, pt_t, &el);
    printf("rank %d pts: %c %g %g %g %d %d / %c %g %d %d elements %d\n", rank, pr[0].kind, pr[0].xyz[0], pr[0].xyz[1],
           pr[0].xyz[2], pr[0].flags[0], pr[0].flags[1], pr[1].kind, pr[1].xyz[2], pr[1].flags[0], pr[1].flags[1], el);
    for (int i = 0; i < 2; i++) {
        pr[i].kind = '-';
        pr[i].flags[0] = pr[i].flags[1] = 7;
    }
    MPI_Sendrecv(ps, 2, xyz_only, peer, 3, pr, 2, xyz_only, from, 3, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, xyz_only, &cnt);
    printf("rank %d xyz only: %c %g %g %g %d / %c %g %d count %d\n", rank, pr[0].kind, pr[0].xyz[0], pr[0].xyz[1],
           pr[0].xyz[2], pr[0].flags[0], pr[1].kind, pr[1].xyz[1], pr[1].flags[1], cnt);

    /* Nested struct, Bcast from the last rank. */
    struct outer o[2];
    memset(o, 0, sizeof o);
    if (rank == size - 1)
        for (int i = 0; i < 2; i++) {
            o[i].n = 100 + i;
            for (int j = 0; j < 2; j++) {
                o[i].inner[j].s = (short)(-10 * i - j);
                o[i].inner[j].c = 'x' + j;
                o[i].inner[j].i = 1000 * i + j;
            }
            o[i].w = 0.25 * (i + 1);
        }
    MPI_Bcast(o, 2, outer_t, size - 1, MPI_COMM_WORLD);
    printf("rank %d outer: %d {%d %c %d} {%d %c %d} %g / %d {%d %c %d} %g\n", rank, o[0].n, o[0].inner[0].s,
           o[0].inner[0].c, o[0].inner[0].i, o[0].inner[1].s, o[0].inner[1].c, o[0].inner[1].i, o[0].w, o[1].n,
           o[1].inner[1].s, o[1].inner[1].c, o[1].inner[1].i, o[1].w);

    /* Gather one rec per rank at rank 0. */
    struct rec g[7];
    memset(g, 0, sizeof g);
    MPI_Gather(&rs[1], 1, rec_t, g, 1, rec_t, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("gather recs:");
        for (int i = 0; i < size; i++) printf(" {%d %g %s}", g[i].id, g[i].val, g[i].tag);
        printf("\n");
    }

    /* The gap struct: two ints 8 bytes below the base and a double 16 above. */
    char gs[64], gr[64];
    for (int i = 0; i < 64; i++) { gs[i] = (char)(rank + i); gr[i] = 0; }
    MPI_Sendrecv(gs + 16, 1, gap_t, peer, 4, gr + 16, 1, gap_t, from, 4, MPI_COMM_WORLD, &st);
    MPI_Get_elements(&st, gap_t, &el);
    printf("rank %d gap: bytes", rank);
    for (int i = 0; i < 64; i++)
        if (gr[i]) printf(" %d", i);
    printf(" elements %d\n", el);

    /* A struct message received as raw bytes. */
    MPI_Sendrecv(rs, 1, rec_t, peer, 5, gr, 64, MPI_BYTE, from, 5, MPI_COMM_WORLD, &st);
    MPI_Get_count(&st, MPI_BYTE, &cnt);
    printf("rank %d rec as bytes: %d\n", rank, cnt);

    MPI_Datatype frees[] = {rec_raw, rec_t, pt_raw, pt_t, xyz_only_raw, xyz_only, small_raw, small_t, outer_raw,
                            outer_t, gap_t};
    for (int i = 0; i < (int)(sizeof frees / sizeof frees[0]); i++) MPI_Type_free(&frees[i]);
    printf("rank %d: done type_struct\n", rank);
    MPI_Finalize();
    return 0;
}

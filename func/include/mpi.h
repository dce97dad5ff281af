/*
 * fbatch mpi.h -- the MPI ABI between wasm32-wasi guests and fbatch's noded.
 *
 * - Handles are MPICH-style integers. The top byte says what kind of object a
 *   handle names (communicator, datatype, ...), the low 24 bits index the rank's
 *   handle table. The *_NULL handle of a kind is the kind's base value.
 * - Every function is imported from wasm module "mpi" under its standard name.
 *   A program may only use functions noded implements: `fupload` refuses a
 *   module importing anything else, naming each missing call.
 * - The values below are mirrored by noded/src/mpi/abi.rs; a test checks both agree.
 */
#ifndef FBATCH_MPI_H
#define FBATCH_MPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPI_VERSION 3
#define MPI_SUBVERSION 1
#define FBATCH_MPI 1

#define FMPI_IMPORT(name) __attribute__((import_module("mpi"), import_name(#name)))

/* ---- Scalar types -------------------------------------------------------- */
typedef long MPI_Aint;          /* 32 bits on wasm32: holds any guest address */
typedef long long MPI_Offset;
typedef long long MPI_Count;
typedef int MPI_Fint;

/* ---- Handles -------------------------------------------------------------- */
typedef int MPI_Comm;
typedef int MPI_Group;
typedef int MPI_Datatype;
typedef int MPI_Op;
typedef int MPI_Request;
typedef int MPI_Win;
typedef int MPI_Info;
typedef int MPI_Errhandler;
typedef int MPI_Message;

#define MPI_COMM_NULL        ((MPI_Comm)0x01000000)
#define MPI_COMM_WORLD       ((MPI_Comm)0x01000001)
#define MPI_COMM_SELF        ((MPI_Comm)0x01000002)

#define MPI_GROUP_NULL       ((MPI_Group)0x02000000)
#define MPI_GROUP_EMPTY      ((MPI_Group)0x02000001)

#define MPI_DATATYPE_NULL    ((MPI_Datatype)0x03000000)
#define MPI_CHAR             ((MPI_Datatype)0x03000001)
#define MPI_SIGNED_CHAR      ((MPI_Datatype)0x03000002)
#define MPI_UNSIGNED_CHAR    ((MPI_Datatype)0x03000003)
#define MPI_BYTE             ((MPI_Datatype)0x03000004)
#define MPI_WCHAR            ((MPI_Datatype)0x03000005)
#define MPI_SHORT            ((MPI_Datatype)0x03000006)
#define MPI_UNSIGNED_SHORT   ((MPI_Datatype)0x03000007)
#define MPI_INT              ((MPI_Datatype)0x03000008)
#define MPI_UNSIGNED         ((MPI_Datatype)0x03000009)
#define MPI_LONG             ((MPI_Datatype)0x0300000a)
#define MPI_UNSIGNED_LONG    ((MPI_Datatype)0x0300000b)
#define MPI_LONG_LONG_INT    ((MPI_Datatype)0x0300000c)
#define MPI_LONG_LONG        MPI_LONG_LONG_INT
#define MPI_UNSIGNED_LONG_LONG ((MPI_Datatype)0x0300000d)
#define MPI_FLOAT            ((MPI_Datatype)0x0300000e)
#define MPI_DOUBLE           ((MPI_Datatype)0x0300000f)
#define MPI_LONG_DOUBLE      ((MPI_Datatype)0x03000010)
#define MPI_PACKED           ((MPI_Datatype)0x03000011)
#define MPI_INT8_T           ((MPI_Datatype)0x03000012)
#define MPI_INT16_T          ((MPI_Datatype)0x03000013)
#define MPI_INT32_T          ((MPI_Datatype)0x03000014)
#define MPI_INT64_T          ((MPI_Datatype)0x03000015)
#define MPI_UINT8_T          ((MPI_Datatype)0x03000016)
#define MPI_UINT16_T         ((MPI_Datatype)0x03000017)
#define MPI_UINT32_T         ((MPI_Datatype)0x03000018)
#define MPI_UINT64_T         ((MPI_Datatype)0x03000019)
#define MPI_C_BOOL           ((MPI_Datatype)0x0300001a)
#define MPI_C_FLOAT_COMPLEX  ((MPI_Datatype)0x0300001b)
#define MPI_C_COMPLEX        MPI_C_FLOAT_COMPLEX
#define MPI_C_DOUBLE_COMPLEX ((MPI_Datatype)0x0300001c)
#define MPI_C_LONG_DOUBLE_COMPLEX ((MPI_Datatype)0x0300001d)
#define MPI_AINT             ((MPI_Datatype)0x0300001e)
#define MPI_OFFSET           ((MPI_Datatype)0x0300001f)
#define MPI_COUNT            ((MPI_Datatype)0x03000020)
#define MPI_FLOAT_INT        ((MPI_Datatype)0x03000021)
#define MPI_DOUBLE_INT       ((MPI_Datatype)0x03000022)
#define MPI_LONG_INT         ((MPI_Datatype)0x03000023)
#define MPI_2INT             ((MPI_Datatype)0x03000024)
#define MPI_SHORT_INT        ((MPI_Datatype)0x03000025)
#define MPI_LONG_DOUBLE_INT  ((MPI_Datatype)0x03000026)

#define MPI_OP_NULL          ((MPI_Op)0x04000000)
#define MPI_MAX              ((MPI_Op)0x04000001)
#define MPI_MIN              ((MPI_Op)0x04000002)
#define MPI_SUM              ((MPI_Op)0x04000003)
#define MPI_PROD             ((MPI_Op)0x04000004)
#define MPI_LAND             ((MPI_Op)0x04000005)
#define MPI_BAND             ((MPI_Op)0x04000006)
#define MPI_LOR              ((MPI_Op)0x04000007)
#define MPI_BOR              ((MPI_Op)0x04000008)
#define MPI_LXOR             ((MPI_Op)0x04000009)
#define MPI_BXOR             ((MPI_Op)0x0400000a)
#define MPI_MINLOC           ((MPI_Op)0x0400000b)
#define MPI_MAXLOC           ((MPI_Op)0x0400000c)
#define MPI_REPLACE          ((MPI_Op)0x0400000d)
#define MPI_NO_OP            ((MPI_Op)0x0400000e)

#define MPI_REQUEST_NULL     ((MPI_Request)0x05000000)
#define MPI_WIN_NULL         ((MPI_Win)0x06000000)
#define MPI_INFO_NULL        ((MPI_Info)0x07000000)
#define MPI_INFO_ENV         ((MPI_Info)0x07000001)
#define MPI_ERRHANDLER_NULL  ((MPI_Errhandler)0x08000000)
#define MPI_ERRORS_ARE_FATAL ((MPI_Errhandler)0x08000001)
#define MPI_ERRORS_RETURN    ((MPI_Errhandler)0x08000002)
#define MPI_MESSAGE_NULL     ((MPI_Message)0x09000000)
#define MPI_MESSAGE_NO_PROC  ((MPI_Message)0x09000001)

/* ---- Status --------------------------------------------------------------- */
typedef struct MPI_Status {
    int MPI_SOURCE;
    int MPI_TAG;
    int MPI_ERROR;
    int fmpi_cancelled;    /* private: non-zero if the request was cancelled */
    long long fmpi_count;  /* private: bytes received */
} MPI_Status;

/* ---- Special values --------------------------------------------------------- */
#define MPI_PROC_NULL   (-1)
#define MPI_ANY_SOURCE  (-2)
#define MPI_ROOT        (-3)
#define MPI_ANY_TAG     (-1)
#define MPI_UNDEFINED   (-32766)
#define MPI_KEYVAL_INVALID (-1)

#define MPI_BOTTOM          ((void *)0)
#define MPI_IN_PLACE        ((void *)-1)
#define MPI_STATUS_IGNORE   ((MPI_Status *)1)
#define MPI_STATUSES_IGNORE ((MPI_Status *)1)
#define MPI_ERRCODES_IGNORE ((int *)0)
#define MPI_ARGV_NULL       ((char **)0)
#define MPI_ARGVS_NULL      ((char ***)0)
#define MPI_UNWEIGHTED      ((int *)2)
#define MPI_WEIGHTS_EMPTY   ((int *)3)

#define MPI_MAX_PROCESSOR_NAME 256
#define MPI_MAX_ERROR_STRING   512
#define MPI_MAX_OBJECT_NAME    128
#define MPI_MAX_INFO_KEY       255
#define MPI_MAX_INFO_VAL       1024
#define MPI_MAX_LIBRARY_VERSION_STRING 8192
#define MPI_MAX_PORT_NAME      256
#define MPI_BSEND_OVERHEAD     64

/* Thread levels */
#define MPI_THREAD_SINGLE     0
#define MPI_THREAD_FUNNELED   1
#define MPI_THREAD_SERIALIZED 2
#define MPI_THREAD_MULTIPLE   3

/* Group and communicator comparison */
#define MPI_IDENT     0
#define MPI_CONGRUENT 1
#define MPI_SIMILAR   2
#define MPI_UNEQUAL   3

/* Topologies */
#define MPI_GRAPH      1
#define MPI_CART       2
#define MPI_DIST_GRAPH 3

#define MPI_COMM_TYPE_SHARED 1

/* Datatype combiners */
#define MPI_COMBINER_NAMED          1
#define MPI_COMBINER_DUP            2
#define MPI_COMBINER_CONTIGUOUS     3
#define MPI_COMBINER_VECTOR         4
#define MPI_COMBINER_HVECTOR        5
#define MPI_COMBINER_INDEXED        6
#define MPI_COMBINER_HINDEXED       7
#define MPI_COMBINER_INDEXED_BLOCK  8
#define MPI_COMBINER_HINDEXED_BLOCK 9
#define MPI_COMBINER_STRUCT         10
#define MPI_COMBINER_SUBARRAY       11
#define MPI_COMBINER_DARRAY         12
#define MPI_COMBINER_RESIZED        13

#define MPI_ORDER_C       56
#define MPI_ORDER_FORTRAN 57
#define MPI_DISTRIBUTE_BLOCK     121
#define MPI_DISTRIBUTE_CYCLIC    122
#define MPI_DISTRIBUTE_NONE      123
#define MPI_DISTRIBUTE_DFLT_DARG (-49767)

/* Predefined attribute keys */
#define MPI_TAG_UB           1
#define MPI_HOST             2
#define MPI_IO               3
#define MPI_WTIME_IS_GLOBAL  4
#define MPI_UNIVERSE_SIZE    5
#define MPI_LASTUSEDCODE     6
#define MPI_APPNUM           7
#define MPI_WIN_BASE         10
#define MPI_WIN_SIZE         11
#define MPI_WIN_DISP_UNIT    12
#define MPI_WIN_CREATE_FLAVOR 13
#define MPI_WIN_MODEL        14

/* One-sided */
#define MPI_WIN_FLAVOR_CREATE   1
#define MPI_WIN_FLAVOR_ALLOCATE 2
#define MPI_WIN_FLAVOR_DYNAMIC  3
#define MPI_WIN_FLAVOR_SHARED   4
#define MPI_WIN_SEPARATE 1
#define MPI_WIN_UNIFIED  2
#define MPI_LOCK_EXCLUSIVE 234
#define MPI_LOCK_SHARED    235
#define MPI_MODE_NOCHECK   1024
#define MPI_MODE_NOSTORE   2048
#define MPI_MODE_NOPUT     4096
#define MPI_MODE_NOPRECEDE 8192
#define MPI_MODE_NOSUCCEED 16384

/* ---- Error classes ------------------------------------------------------------ */
#define MPI_SUCCESS          0
#define MPI_ERR_BUFFER       1
#define MPI_ERR_COUNT        2
#define MPI_ERR_TYPE         3
#define MPI_ERR_TAG          4
#define MPI_ERR_COMM         5
#define MPI_ERR_RANK         6
#define MPI_ERR_REQUEST      7
#define MPI_ERR_ROOT         8
#define MPI_ERR_GROUP        9
#define MPI_ERR_OP           10
#define MPI_ERR_TOPOLOGY     11
#define MPI_ERR_DIMS         12
#define MPI_ERR_ARG          13
#define MPI_ERR_UNKNOWN      14
#define MPI_ERR_TRUNCATE     15
#define MPI_ERR_OTHER        16
#define MPI_ERR_INTERN       17
#define MPI_ERR_IN_STATUS    18
#define MPI_ERR_PENDING      19
#define MPI_ERR_ACCESS       20
#define MPI_ERR_AMODE        21
#define MPI_ERR_ASSERT       22
#define MPI_ERR_BAD_FILE     23
#define MPI_ERR_BASE         24
#define MPI_ERR_CONVERSION   25
#define MPI_ERR_DISP         26
#define MPI_ERR_DUP_DATAREP  27
#define MPI_ERR_FILE_EXISTS  28
#define MPI_ERR_FILE_IN_USE  29
#define MPI_ERR_FILE         30
#define MPI_ERR_INFO_KEY     31
#define MPI_ERR_INFO_NOKEY   32
#define MPI_ERR_INFO_VALUE   33
#define MPI_ERR_INFO         34
#define MPI_ERR_IO           35
#define MPI_ERR_KEYVAL       36
#define MPI_ERR_LOCKTYPE     37
#define MPI_ERR_NAME         38
#define MPI_ERR_NO_MEM       39
#define MPI_ERR_NOT_SAME     40
#define MPI_ERR_NO_SPACE     41
#define MPI_ERR_NO_SUCH_FILE 42
#define MPI_ERR_PORT         43
#define MPI_ERR_QUOTA        44
#define MPI_ERR_READ_ONLY    45
#define MPI_ERR_SERVICE      46
#define MPI_ERR_SIZE         47
#define MPI_ERR_SPAWN        48
#define MPI_ERR_UNSUPPORTED_DATAREP   49
#define MPI_ERR_UNSUPPORTED_OPERATION 50
#define MPI_ERR_WIN          51
#define MPI_ERR_RMA_CONFLICT 52
#define MPI_ERR_RMA_SYNC     53
#define MPI_ERR_RMA_RANGE    54
#define MPI_ERR_RMA_ATTACH   55
#define MPI_ERR_RMA_SHARED   56
#define MPI_ERR_RMA_FLAVOR   57
#define MPI_ERR_LASTCODE     0x3fffffff

/* ---- Callback types ----------------------------------------------------------- */
typedef void MPI_User_function(void *invec, void *inoutvec, int *len, MPI_Datatype *datatype);
typedef void MPI_Comm_errhandler_function(MPI_Comm *, int *, ...);
typedef MPI_Comm_errhandler_function MPI_Comm_errhandler_fn;
typedef void MPI_Win_errhandler_function(MPI_Win *, int *, ...);
typedef int MPI_Comm_copy_attr_function(MPI_Comm, int, void *, void *, void *, int *);
typedef int MPI_Comm_delete_attr_function(MPI_Comm, int, void *, void *);
typedef int MPI_Type_copy_attr_function(MPI_Datatype, int, void *, void *, void *, int *);
typedef int MPI_Type_delete_attr_function(MPI_Datatype, int, void *, void *);
typedef int MPI_Win_copy_attr_function(MPI_Win, int, void *, void *, void *, int *);
typedef int MPI_Win_delete_attr_function(MPI_Win, int, void *, void *);
#define MPI_COMM_NULL_COPY_FN   ((MPI_Comm_copy_attr_function *)0)
#define MPI_COMM_NULL_DELETE_FN ((MPI_Comm_delete_attr_function *)0)
#define MPI_COMM_DUP_FN         ((MPI_Comm_copy_attr_function *)1)

/* ---- Environment ---------------------------------------------------------------- */
FMPI_IMPORT(MPI_Init) int MPI_Init(int *argc, char ***argv);
FMPI_IMPORT(MPI_Init_thread) int MPI_Init_thread(int *argc, char ***argv, int required, int *provided);
FMPI_IMPORT(MPI_Initialized) int MPI_Initialized(int *flag);
FMPI_IMPORT(MPI_Finalize) int MPI_Finalize(void);
FMPI_IMPORT(MPI_Finalized) int MPI_Finalized(int *flag);
FMPI_IMPORT(MPI_Abort) int MPI_Abort(MPI_Comm comm, int errorcode);
FMPI_IMPORT(MPI_Wtime) double MPI_Wtime(void);
FMPI_IMPORT(MPI_Wtick) double MPI_Wtick(void);
FMPI_IMPORT(MPI_Get_processor_name) int MPI_Get_processor_name(char *name, int *resultlen);
FMPI_IMPORT(MPI_Get_version) int MPI_Get_version(int *version, int *subversion);
FMPI_IMPORT(MPI_Get_library_version) int MPI_Get_library_version(char *version, int *resultlen);
FMPI_IMPORT(MPI_Query_thread) int MPI_Query_thread(int *provided);
FMPI_IMPORT(MPI_Is_thread_main) int MPI_Is_thread_main(int *flag);
FMPI_IMPORT(MPI_Alloc_mem) int MPI_Alloc_mem(MPI_Aint size, MPI_Info info, void *baseptr);
FMPI_IMPORT(MPI_Free_mem) int MPI_Free_mem(void *base);
FMPI_IMPORT(MPI_Error_string) int MPI_Error_string(int errorcode, char *string, int *resultlen);
FMPI_IMPORT(MPI_Error_class) int MPI_Error_class(int errorcode, int *errorclass);
FMPI_IMPORT(MPI_Pcontrol) int MPI_Pcontrol(const int level, ...);
FMPI_IMPORT(MPI_Comm_set_errhandler) int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler);
FMPI_IMPORT(MPI_Comm_get_errhandler) int MPI_Comm_get_errhandler(MPI_Comm comm, MPI_Errhandler *errhandler);
FMPI_IMPORT(MPI_Errhandler_free) int MPI_Errhandler_free(MPI_Errhandler *errhandler);
FMPI_IMPORT(MPI_Win_set_errhandler) int MPI_Win_set_errhandler(MPI_Win win, MPI_Errhandler errhandler);
FMPI_IMPORT(MPI_Win_get_errhandler) int MPI_Win_get_errhandler(MPI_Win win, MPI_Errhandler *errhandler);
FMPI_IMPORT(MPI_Comm_get_attr) int MPI_Comm_get_attr(MPI_Comm comm, int comm_keyval, void *attribute_val, int *flag);
FMPI_IMPORT(MPI_Info_create) int MPI_Info_create(MPI_Info *info);
FMPI_IMPORT(MPI_Info_set) int MPI_Info_set(MPI_Info info, const char *key, const char *value);
FMPI_IMPORT(MPI_Info_get) int MPI_Info_get(MPI_Info info, const char *key, int valuelen, char *value, int *flag);
FMPI_IMPORT(MPI_Info_get_valuelen) int MPI_Info_get_valuelen(MPI_Info info, const char *key, int *valuelen, int *flag);
FMPI_IMPORT(MPI_Info_get_nkeys) int MPI_Info_get_nkeys(MPI_Info info, int *nkeys);
FMPI_IMPORT(MPI_Info_get_nthkey) int MPI_Info_get_nthkey(MPI_Info info, int n, char *key);
FMPI_IMPORT(MPI_Info_delete) int MPI_Info_delete(MPI_Info info, const char *key);
FMPI_IMPORT(MPI_Info_dup) int MPI_Info_dup(MPI_Info info, MPI_Info *newinfo);
FMPI_IMPORT(MPI_Info_free) int MPI_Info_free(MPI_Info *info);

/* ---- Point-to-point ----------------------------------------------------------------- */
FMPI_IMPORT(MPI_Send) int MPI_Send(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm);
FMPI_IMPORT(MPI_Ssend) int MPI_Ssend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm);
FMPI_IMPORT(MPI_Bsend) int MPI_Bsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm);
FMPI_IMPORT(MPI_Rsend) int MPI_Rsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm);
FMPI_IMPORT(MPI_Recv) int MPI_Recv(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm, MPI_Status *status);
FMPI_IMPORT(MPI_Buffer_attach) int MPI_Buffer_attach(void *buffer, int size);
FMPI_IMPORT(MPI_Buffer_detach) int MPI_Buffer_detach(void *buffer_addr, int *size);
FMPI_IMPORT(MPI_Isend) int MPI_Isend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request *request);
FMPI_IMPORT(MPI_Issend) int MPI_Issend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request *request);
FMPI_IMPORT(MPI_Ibsend) int MPI_Ibsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request *request);
FMPI_IMPORT(MPI_Irsend) int MPI_Irsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request *request);
FMPI_IMPORT(MPI_Irecv) int MPI_Irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm, MPI_Request *request);
FMPI_IMPORT(MPI_Wait) int MPI_Wait(MPI_Request *request, MPI_Status *status);
FMPI_IMPORT(MPI_Waitall) int MPI_Waitall(int count, MPI_Request array_of_requests[], MPI_Status array_of_statuses[]);
FMPI_IMPORT(MPI_Waitany) int MPI_Waitany(int count, MPI_Request array_of_requests[], int *indx, MPI_Status *status);
FMPI_IMPORT(MPI_Waitsome) int MPI_Waitsome(int incount, MPI_Request array_of_requests[], int *outcount, int array_of_indices[], MPI_Status array_of_statuses[]);
FMPI_IMPORT(MPI_Test) int MPI_Test(MPI_Request *request, int *flag, MPI_Status *status);
FMPI_IMPORT(MPI_Testall) int MPI_Testall(int count, MPI_Request array_of_requests[], int *flag, MPI_Status array_of_statuses[]);
FMPI_IMPORT(MPI_Testany) int MPI_Testany(int count, MPI_Request array_of_requests[], int *indx, int *flag, MPI_Status *status);
FMPI_IMPORT(MPI_Testsome) int MPI_Testsome(int incount, MPI_Request array_of_requests[], int *outcount, int array_of_indices[], MPI_Status array_of_statuses[]);
FMPI_IMPORT(MPI_Request_free) int MPI_Request_free(MPI_Request *request);
FMPI_IMPORT(MPI_Request_get_status) int MPI_Request_get_status(MPI_Request request, int *flag, MPI_Status *status);
FMPI_IMPORT(MPI_Cancel) int MPI_Cancel(MPI_Request *request);
FMPI_IMPORT(MPI_Test_cancelled) int MPI_Test_cancelled(const MPI_Status *status, int *flag);
FMPI_IMPORT(MPI_Send_init) int MPI_Send_init(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request *request);
FMPI_IMPORT(MPI_Bsend_init) int MPI_Bsend_init(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request *request);
FMPI_IMPORT(MPI_Ssend_init) int MPI_Ssend_init(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request *request);
FMPI_IMPORT(MPI_Rsend_init) int MPI_Rsend_init(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm, MPI_Request *request);
FMPI_IMPORT(MPI_Recv_init) int MPI_Recv_init(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm, MPI_Request *request);
FMPI_IMPORT(MPI_Start) int MPI_Start(MPI_Request *request);
FMPI_IMPORT(MPI_Startall) int MPI_Startall(int count, MPI_Request array_of_requests[]);
FMPI_IMPORT(MPI_Sendrecv) int MPI_Sendrecv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, int dest, int sendtag, void *recvbuf, int recvcount, MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm, MPI_Status *status);
FMPI_IMPORT(MPI_Sendrecv_replace) int MPI_Sendrecv_replace(void *buf, int count, MPI_Datatype datatype, int dest, int sendtag, int source, int recvtag, MPI_Comm comm, MPI_Status *status);
FMPI_IMPORT(MPI_Probe) int MPI_Probe(int source, int tag, MPI_Comm comm, MPI_Status *status);
FMPI_IMPORT(MPI_Iprobe) int MPI_Iprobe(int source, int tag, MPI_Comm comm, int *flag, MPI_Status *status);
FMPI_IMPORT(MPI_Mprobe) int MPI_Mprobe(int source, int tag, MPI_Comm comm, MPI_Message *message, MPI_Status *status);
FMPI_IMPORT(MPI_Improbe) int MPI_Improbe(int source, int tag, MPI_Comm comm, int *flag, MPI_Message *message, MPI_Status *status);
FMPI_IMPORT(MPI_Mrecv) int MPI_Mrecv(void *buf, int count, MPI_Datatype datatype, MPI_Message *message, MPI_Status *status);
FMPI_IMPORT(MPI_Imrecv) int MPI_Imrecv(void *buf, int count, MPI_Datatype datatype, MPI_Message *message, MPI_Request *request);
FMPI_IMPORT(MPI_Get_count) int MPI_Get_count(const MPI_Status *status, MPI_Datatype datatype, int *count);
FMPI_IMPORT(MPI_Get_elements) int MPI_Get_elements(const MPI_Status *status, MPI_Datatype datatype, int *count);
FMPI_IMPORT(MPI_Get_elements_x) int MPI_Get_elements_x(const MPI_Status *status, MPI_Datatype datatype, MPI_Count *count);

/* ---- Collectives ---------------------------------------------------------------------- */
FMPI_IMPORT(MPI_Barrier) int MPI_Barrier(MPI_Comm comm);
FMPI_IMPORT(MPI_Bcast) int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm);
FMPI_IMPORT(MPI_Reduce) int MPI_Reduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm);
FMPI_IMPORT(MPI_Allreduce) int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
FMPI_IMPORT(MPI_Reduce_local) int MPI_Reduce_local(const void *inbuf, void *inoutbuf, int count, MPI_Datatype datatype, MPI_Op op);
FMPI_IMPORT(MPI_Gather) int MPI_Gather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm);
FMPI_IMPORT(MPI_Gatherv) int MPI_Gatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf, const int recvcounts[], const int displs[], MPI_Datatype recvtype, int root, MPI_Comm comm);
FMPI_IMPORT(MPI_Scatter) int MPI_Scatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm);
FMPI_IMPORT(MPI_Scatterv) int MPI_Scatterv(const void *sendbuf, const int sendcounts[], const int displs[], MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm);
FMPI_IMPORT(MPI_Allgather) int MPI_Allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype, MPI_Comm comm);
FMPI_IMPORT(MPI_Allgatherv) int MPI_Allgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf, const int recvcounts[], const int displs[], MPI_Datatype recvtype, MPI_Comm comm);
FMPI_IMPORT(MPI_Alltoall) int MPI_Alltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype, MPI_Comm comm);
FMPI_IMPORT(MPI_Alltoallv) int MPI_Alltoallv(const void *sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype, void *recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm);
FMPI_IMPORT(MPI_Alltoallw) int MPI_Alltoallw(const void *sendbuf, const int sendcounts[], const int sdispls[], const MPI_Datatype sendtypes[], void *recvbuf, const int recvcounts[], const int rdispls[], const MPI_Datatype recvtypes[], MPI_Comm comm);
FMPI_IMPORT(MPI_Reduce_scatter) int MPI_Reduce_scatter(const void *sendbuf, void *recvbuf, const int recvcounts[], MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
FMPI_IMPORT(MPI_Reduce_scatter_block) int MPI_Reduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
FMPI_IMPORT(MPI_Scan) int MPI_Scan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
FMPI_IMPORT(MPI_Exscan) int MPI_Exscan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
FMPI_IMPORT(MPI_Op_create) int MPI_Op_create(MPI_User_function *user_fn, int commute, MPI_Op *op);
FMPI_IMPORT(MPI_Op_free) int MPI_Op_free(MPI_Op *op);
FMPI_IMPORT(MPI_Op_commutative) int MPI_Op_commutative(MPI_Op op, int *commute);

/* ---- Datatypes -------------------------------------------------------------------------- */
FMPI_IMPORT(MPI_Type_contiguous) int MPI_Type_contiguous(int count, MPI_Datatype oldtype, MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_vector) int MPI_Type_vector(int count, int blocklength, int stride, MPI_Datatype oldtype, MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_create_hvector) int MPI_Type_create_hvector(int count, int blocklength, MPI_Aint stride, MPI_Datatype oldtype, MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_indexed) int MPI_Type_indexed(int count, const int array_of_blocklengths[], const int array_of_displacements[], MPI_Datatype oldtype, MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_create_hindexed) int MPI_Type_create_hindexed(int count, const int array_of_blocklengths[], const MPI_Aint array_of_displacements[], MPI_Datatype oldtype, MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_create_indexed_block) int MPI_Type_create_indexed_block(int count, int blocklength, const int array_of_displacements[], MPI_Datatype oldtype, MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_create_hindexed_block) int MPI_Type_create_hindexed_block(int count, int blocklength, const MPI_Aint array_of_displacements[], MPI_Datatype oldtype, MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_create_struct) int MPI_Type_create_struct(int count, const int array_of_blocklengths[], const MPI_Aint array_of_displacements[], const MPI_Datatype array_of_types[], MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_create_subarray) int MPI_Type_create_subarray(int ndims, const int array_of_sizes[], const int array_of_subsizes[], const int array_of_starts[], int order, MPI_Datatype oldtype, MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_create_resized) int MPI_Type_create_resized(MPI_Datatype oldtype, MPI_Aint lb, MPI_Aint extent, MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_dup) int MPI_Type_dup(MPI_Datatype oldtype, MPI_Datatype *newtype);
FMPI_IMPORT(MPI_Type_commit) int MPI_Type_commit(MPI_Datatype *datatype);
FMPI_IMPORT(MPI_Type_free) int MPI_Type_free(MPI_Datatype *datatype);
FMPI_IMPORT(MPI_Type_size) int MPI_Type_size(MPI_Datatype datatype, int *size);
FMPI_IMPORT(MPI_Type_size_x) int MPI_Type_size_x(MPI_Datatype datatype, MPI_Count *size);
FMPI_IMPORT(MPI_Type_get_extent) int MPI_Type_get_extent(MPI_Datatype datatype, MPI_Aint *lb, MPI_Aint *extent);
FMPI_IMPORT(MPI_Type_get_extent_x) int MPI_Type_get_extent_x(MPI_Datatype datatype, MPI_Count *lb, MPI_Count *extent);
FMPI_IMPORT(MPI_Type_get_true_extent) int MPI_Type_get_true_extent(MPI_Datatype datatype, MPI_Aint *true_lb, MPI_Aint *true_extent);
FMPI_IMPORT(MPI_Type_get_true_extent_x) int MPI_Type_get_true_extent_x(MPI_Datatype datatype, MPI_Count *true_lb, MPI_Count *true_extent);
FMPI_IMPORT(MPI_Type_set_name) int MPI_Type_set_name(MPI_Datatype datatype, const char *type_name);
FMPI_IMPORT(MPI_Type_get_name) int MPI_Type_get_name(MPI_Datatype datatype, char *type_name, int *resultlen);
FMPI_IMPORT(MPI_Get_address) int MPI_Get_address(const void *location, MPI_Aint *address);
FMPI_IMPORT(MPI_Pack) int MPI_Pack(const void *inbuf, int incount, MPI_Datatype datatype, void *outbuf, int outsize, int *position, MPI_Comm comm);
FMPI_IMPORT(MPI_Unpack) int MPI_Unpack(const void *inbuf, int insize, int *position, void *outbuf, int outcount, MPI_Datatype datatype, MPI_Comm comm);
FMPI_IMPORT(MPI_Pack_size) int MPI_Pack_size(int incount, MPI_Datatype datatype, MPI_Comm comm, int *size);
#define MPI_Aint_add(base, disp) ((MPI_Aint)((char *)(base) + (disp)))
#define MPI_Aint_diff(addr1, addr2) ((MPI_Aint)((char *)(addr1) - (char *)(addr2)))

/* ---- Groups, communicators, topologies ------------------------------------------------------ */
FMPI_IMPORT(MPI_Comm_rank) int MPI_Comm_rank(MPI_Comm comm, int *rank);
FMPI_IMPORT(MPI_Comm_size) int MPI_Comm_size(MPI_Comm comm, int *size);
FMPI_IMPORT(MPI_Comm_group) int MPI_Comm_group(MPI_Comm comm, MPI_Group *group);
FMPI_IMPORT(MPI_Comm_dup) int MPI_Comm_dup(MPI_Comm comm, MPI_Comm *newcomm);
FMPI_IMPORT(MPI_Comm_split) int MPI_Comm_split(MPI_Comm comm, int color, int key, MPI_Comm *newcomm);
FMPI_IMPORT(MPI_Comm_split_type) int MPI_Comm_split_type(MPI_Comm comm, int split_type, int key, MPI_Info info, MPI_Comm *newcomm);
FMPI_IMPORT(MPI_Comm_create) int MPI_Comm_create(MPI_Comm comm, MPI_Group group, MPI_Comm *newcomm);
FMPI_IMPORT(MPI_Comm_create_group) int MPI_Comm_create_group(MPI_Comm comm, MPI_Group group, int tag, MPI_Comm *newcomm);
FMPI_IMPORT(MPI_Comm_compare) int MPI_Comm_compare(MPI_Comm comm1, MPI_Comm comm2, int *result);
FMPI_IMPORT(MPI_Comm_free) int MPI_Comm_free(MPI_Comm *comm);
FMPI_IMPORT(MPI_Comm_set_name) int MPI_Comm_set_name(MPI_Comm comm, const char *comm_name);
FMPI_IMPORT(MPI_Comm_get_name) int MPI_Comm_get_name(MPI_Comm comm, char *comm_name, int *resultlen);
FMPI_IMPORT(MPI_Comm_test_inter) int MPI_Comm_test_inter(MPI_Comm comm, int *flag);
FMPI_IMPORT(MPI_Group_size) int MPI_Group_size(MPI_Group group, int *size);
FMPI_IMPORT(MPI_Group_rank) int MPI_Group_rank(MPI_Group group, int *rank);
FMPI_IMPORT(MPI_Group_incl) int MPI_Group_incl(MPI_Group group, int n, const int ranks[], MPI_Group *newgroup);
FMPI_IMPORT(MPI_Group_excl) int MPI_Group_excl(MPI_Group group, int n, const int ranks[], MPI_Group *newgroup);
FMPI_IMPORT(MPI_Group_range_incl) int MPI_Group_range_incl(MPI_Group group, int n, int ranges[][3], MPI_Group *newgroup);
FMPI_IMPORT(MPI_Group_range_excl) int MPI_Group_range_excl(MPI_Group group, int n, int ranges[][3], MPI_Group *newgroup);
FMPI_IMPORT(MPI_Group_union) int MPI_Group_union(MPI_Group group1, MPI_Group group2, MPI_Group *newgroup);
FMPI_IMPORT(MPI_Group_intersection) int MPI_Group_intersection(MPI_Group group1, MPI_Group group2, MPI_Group *newgroup);
FMPI_IMPORT(MPI_Group_difference) int MPI_Group_difference(MPI_Group group1, MPI_Group group2, MPI_Group *newgroup);
FMPI_IMPORT(MPI_Group_translate_ranks) int MPI_Group_translate_ranks(MPI_Group group1, int n, const int ranks1[], MPI_Group group2, int ranks2[]);
FMPI_IMPORT(MPI_Group_compare) int MPI_Group_compare(MPI_Group group1, MPI_Group group2, int *result);
FMPI_IMPORT(MPI_Group_free) int MPI_Group_free(MPI_Group *group);
FMPI_IMPORT(MPI_Cart_create) int MPI_Cart_create(MPI_Comm comm_old, int ndims, const int dims[], const int periods[], int reorder, MPI_Comm *comm_cart);
FMPI_IMPORT(MPI_Cart_rank) int MPI_Cart_rank(MPI_Comm comm, const int coords[], int *rank);
FMPI_IMPORT(MPI_Cart_coords) int MPI_Cart_coords(MPI_Comm comm, int rank, int maxdims, int coords[]);
FMPI_IMPORT(MPI_Cart_shift) int MPI_Cart_shift(MPI_Comm comm, int direction, int disp, int *rank_source, int *rank_dest);
FMPI_IMPORT(MPI_Cart_get) int MPI_Cart_get(MPI_Comm comm, int maxdims, int dims[], int periods[], int coords[]);
FMPI_IMPORT(MPI_Cart_sub) int MPI_Cart_sub(MPI_Comm comm, const int remain_dims[], MPI_Comm *newcomm);
FMPI_IMPORT(MPI_Cartdim_get) int MPI_Cartdim_get(MPI_Comm comm, int *ndims);
FMPI_IMPORT(MPI_Dims_create) int MPI_Dims_create(int nnodes, int ndims, int dims[]);
FMPI_IMPORT(MPI_Topo_test) int MPI_Topo_test(MPI_Comm comm, int *status);

/* ---- One-sided ---------------------------------------------------------------------------------- */
FMPI_IMPORT(MPI_Win_create) int MPI_Win_create(void *base, MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm, MPI_Win *win);
FMPI_IMPORT(MPI_Win_allocate) int MPI_Win_allocate(MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm, void *baseptr, MPI_Win *win);
FMPI_IMPORT(MPI_Win_allocate_shared) int MPI_Win_allocate_shared(MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm, void *baseptr, MPI_Win *win);
FMPI_IMPORT(MPI_Win_shared_query) int MPI_Win_shared_query(MPI_Win win, int rank, MPI_Aint *size, int *disp_unit, void *baseptr);
FMPI_IMPORT(MPI_Win_create_dynamic) int MPI_Win_create_dynamic(MPI_Info info, MPI_Comm comm, MPI_Win *win);
FMPI_IMPORT(MPI_Win_attach) int MPI_Win_attach(MPI_Win win, void *base, MPI_Aint size);
FMPI_IMPORT(MPI_Win_detach) int MPI_Win_detach(MPI_Win win, const void *base);
FMPI_IMPORT(MPI_Win_free) int MPI_Win_free(MPI_Win *win);
FMPI_IMPORT(MPI_Win_get_attr) int MPI_Win_get_attr(MPI_Win win, int win_keyval, void *attribute_val, int *flag);
FMPI_IMPORT(MPI_Win_get_group) int MPI_Win_get_group(MPI_Win win, MPI_Group *group);
FMPI_IMPORT(MPI_Win_set_name) int MPI_Win_set_name(MPI_Win win, const char *win_name);
FMPI_IMPORT(MPI_Win_get_name) int MPI_Win_get_name(MPI_Win win, char *win_name, int *resultlen);
FMPI_IMPORT(MPI_Put) int MPI_Put(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype, int target_rank, MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Win win);
FMPI_IMPORT(MPI_Get) int MPI_Get(void *origin_addr, int origin_count, MPI_Datatype origin_datatype, int target_rank, MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Win win);
FMPI_IMPORT(MPI_Accumulate) int MPI_Accumulate(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype, int target_rank, MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Op op, MPI_Win win);
FMPI_IMPORT(MPI_Get_accumulate) int MPI_Get_accumulate(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype, void *result_addr, int result_count, MPI_Datatype result_datatype, int target_rank, MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Op op, MPI_Win win);
FMPI_IMPORT(MPI_Fetch_and_op) int MPI_Fetch_and_op(const void *origin_addr, void *result_addr, MPI_Datatype datatype, int target_rank, MPI_Aint target_disp, MPI_Op op, MPI_Win win);
FMPI_IMPORT(MPI_Compare_and_swap) int MPI_Compare_and_swap(const void *origin_addr, const void *compare_addr, void *result_addr, MPI_Datatype datatype, int target_rank, MPI_Aint target_disp, MPI_Win win);
FMPI_IMPORT(MPI_Rput) int MPI_Rput(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype, int target_rank, MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Win win, MPI_Request *request);
FMPI_IMPORT(MPI_Rget) int MPI_Rget(void *origin_addr, int origin_count, MPI_Datatype origin_datatype, int target_rank, MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Win win, MPI_Request *request);
FMPI_IMPORT(MPI_Raccumulate) int MPI_Raccumulate(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype, int target_rank, MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Op op, MPI_Win win, MPI_Request *request);
FMPI_IMPORT(MPI_Rget_accumulate) int MPI_Rget_accumulate(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype, void *result_addr, int result_count, MPI_Datatype result_datatype, int target_rank, MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Op op, MPI_Win win, MPI_Request *request);
FMPI_IMPORT(MPI_Win_fence) int MPI_Win_fence(int assert, MPI_Win win);
FMPI_IMPORT(MPI_Win_post) int MPI_Win_post(MPI_Group group, int assert, MPI_Win win);
FMPI_IMPORT(MPI_Win_start) int MPI_Win_start(MPI_Group group, int assert, MPI_Win win);
FMPI_IMPORT(MPI_Win_complete) int MPI_Win_complete(MPI_Win win);
FMPI_IMPORT(MPI_Win_wait) int MPI_Win_wait(MPI_Win win);
FMPI_IMPORT(MPI_Win_test) int MPI_Win_test(MPI_Win win, int *flag);
FMPI_IMPORT(MPI_Win_lock) int MPI_Win_lock(int lock_type, int rank, int assert, MPI_Win win);
FMPI_IMPORT(MPI_Win_unlock) int MPI_Win_unlock(int rank, MPI_Win win);
FMPI_IMPORT(MPI_Win_lock_all) int MPI_Win_lock_all(int assert, MPI_Win win);
FMPI_IMPORT(MPI_Win_unlock_all) int MPI_Win_unlock_all(MPI_Win win);
FMPI_IMPORT(MPI_Win_flush) int MPI_Win_flush(int rank, MPI_Win win);
FMPI_IMPORT(MPI_Win_flush_all) int MPI_Win_flush_all(MPI_Win win);
FMPI_IMPORT(MPI_Win_flush_local) int MPI_Win_flush_local(int rank, MPI_Win win);
FMPI_IMPORT(MPI_Win_flush_local_all) int MPI_Win_flush_local_all(MPI_Win win);
FMPI_IMPORT(MPI_Win_sync) int MPI_Win_sync(MPI_Win win);

#ifdef __cplusplus
}
#endif

#endif /* FBATCH_MPI_H */

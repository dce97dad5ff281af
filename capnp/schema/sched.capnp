@0x9b562be8a823e133;
# The scheduler API: what clients (fsub, fqueue, ...) and node daemons call on schedd.
# schedd's bootstrap capability is a `Scheduler`.

using Node = import "node.capnp";

enum JobState {
  pending @0;
  running @1;
  completing @2;
  completed @3;
  failed @4;
  cancelled @5;
  timeout @6;
  outOfMemory @7;
  nodeFail @8;
}

struct KeyValue {
  key @0 :Text;
  value @1 :Text;
}

# What `fsub` asks for.
struct JobSpec {
  function @0 :Text;
  args @1 :List(Text);
  ntasks @2 :UInt32;
  name @3 :Text;            # -J; empty = the function's name
  outputPattern @4 :Text;   # absolute path; %j expands to the job id
  cwd @5 :Text;
  env @6 :List(KeyValue);   # extra environment for the ranks
  user @7 :Text;
  uid @8 :UInt32;
  timeLimitSecs @9 :UInt32; # 0 = no limit
  nodes @10 :UInt32;         # -N: exactly this many nodes; 0 = as few as fit
  ntasksPerNode @11 :UInt32; # --ntasks-per-node; 0 = no constraint
  dependency @12 :Text;      # -d: after/afterany/afterok/afternotok:ID[:ID], singleton; ',' and, '?' or
  memPerRankMib @13 :UInt32; # --mem: linear memory limit per rank; 0 = the node's default
  beginMs @14 :Int64;        # --begin: not before this Unix time in ms; 0 = now
  hold @15 :Bool;            # --hold: pending until released (frelease)
  exclusive @16 :Bool;       # --exclusive: its nodes run no other job meanwhile
  partition @17 :Text;       # -p; empty = the default partition
  hasPriority @18 :Bool;     # --priority given (root only)
  priority @19 :UInt32;
  nice @20 :Int32;           # --nice
  requeue @21 :UInt8;        # 0 = not given, 1 = --requeue, 2 = --no-requeue
  array @22 :Text;           # -a: 0-15, 1,3,5, 0-15:2, %N throttle; empty = not an array
  steps @23 :List(StepSpec); # a batch script's steps; empty = run `function` once
}

# One `fsub`/`srun` line of a batch script.
struct StepSpec {
  function @0 :Text;
  args @1 :List(Text);
  ntasks @2 :UInt32;
}

# A job as schedd knows it (one row of fqueue/facct).
struct JobInfo {
  id @0 :UInt64;
  name @1 :Text;
  user @2 :Text;
  uid @3 :UInt32;
  state @4 :JobState;
  reason @5 :Text;          # why pending, or why it failed
  function @6 :Text;
  moduleHash @7 :Text;
  args @8 :List(Text);
  ntasks @9 :UInt32;
  nodes @10 :List(Text);    # node names the ranks were placed on, in rank order, deduplicated
  submitTimeMs @11 :Int64;
  startTimeMs @12 :Int64;   # 0 = not started
  endTimeMs @13 :Int64;     # 0 = not ended
  exitCode @14 :Int32;
  output @15 :Text;         # output file path (pattern expanded)
  timeLimitSecs @16 :UInt32;
  cwd @17 :Text;
  partition @18 :Text;
  priority @19 :Int64;
  arrayJobId @20 :UInt64;   # 0 = not an array task
  arrayTaskId @21 :UInt32;
  exitSignal @22 :UInt32;   # Slurm's exit:signal
  maxMemBytes @23 :UInt64;
  rankMem @24 :List(RankMem);
  restarts @25 :UInt32;
  expectedStartMs @26 :Int64; # listJobs(start = true): estimated start of a pending job; 0 = unknown
  requeue @27 :UInt8;       # as JobSpec.requeue
  steps @28 :UInt32;        # batch steps (0 = a plain job)
  step @29 :UInt32;         # the step running (0-based)
  dependency @30 :Text;
  nodesRequested @31 :UInt32;
  exclusive @32 :Bool;
  memPerRankMib @33 :UInt32;
}

struct RankMem {
  rank @0 :UInt32;
  bytes @1 :UInt64;
}

struct FunctionInfo {
  name @0 :Text;
  hash @1 :Text;            # sha256 of the wasm module, hex
  wasmBytes @2 :UInt64;
  artifactBytes @3 :UInt64;
  compileMs @4 :UInt32;     # Cranelift time; 0 on a cache hit
  cacheHit @5 :Bool;
  uploadedMs @6 :Int64;
  user @7 :Text;
}

struct NodeInfo {
  name @0 :Text;
  slots @1 :UInt32;
  allocated @2 :UInt32;
  state @3 :Text;           # idle, mix, alloc, down
  lastSeenMs @4 :Int64;
  runningJobs @5 :List(UInt64);
  reason @6 :Text;          # why drained
  partitions @7 :List(Text);
}

struct PartitionInfo {
  name @0 :Text;
  up @1 :Bool;
  default @2 :Bool;
  maxTimeSecs @3 :UInt32;
  defaultTimeSecs @4 :UInt32;
  nodes @5 :List(Text);     # registered nodes in it
}

# One submitted job (the first task of an array).
interface JobHandle {
  # Resolves when the job has ended.
  wait @0 () -> (job :JobInfo);
}

interface Scheduler {
  # Validate, AOT-compile and store a wasm module under `name`.
  upload @0 (name :Text, wasm :Data, user :Text) -> (function :FunctionInfo);
  # Queue a job; returns once the job is durably recorded. With `wantHandle`, the
  # reply carries a handle whose wait() may be called at once on the promise
  # (promise pipelining: fsub --wait needs no second round trip).
  submit @1 (spec :JobSpec, wantHandle :Bool) -> (jobId :UInt64, handle :JobHandle);
  # Pending and running jobs; with `all`, finished ones too.
  # With `start`, pending jobs carry their expected start time.
  listJobs @2 (all :Bool, start :Bool) -> (jobs :List(JobInfo));
  # Cancel jobs; one entry per id: empty on success, else why not.
  cancel @3 (jobIds :List(UInt64), uid :UInt32) -> (errors :List(Text));
  listNodes @4 () -> (nodes :List(NodeInfo));
  # Resolves when the job has ended.
  waitJob @5 (jobId :UInt64) -> (job :JobInfo);
  getJob @6 (jobId :UInt64) -> (job :JobInfo);
  listFunctions @7 () -> (functions :List(FunctionInfo));
  # A node daemon joins the cluster; schedd calls `agent` to launch and cancel ranks.
  registerNode @8 (registration :Node.NodeRegistration, agent :Node.NodeAgent)
      -> (session :Node.NodeSession, heartbeatMs :UInt32);
  # Hold (release = false) or release pending jobs; one entry per id, as cancel.
  hold @9 (jobIds :List(UInt64), uid :UInt32, release :Bool) -> (errors :List(Text));
  # Stop (if running) and queue again; one entry per id, as cancel.
  requeue @10 (jobIds :List(UInt64), uid :UInt32) -> (errors :List(Text));
  # Drain (reason non-empty) or resume (`resume`) a node; root only.
  drain @11 (node :Text, reason :Text, resume :Bool, uid :UInt32) -> ();
  listPartitions @12 () -> (partitions :List(PartitionInfo));
}

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
}

interface Scheduler {
  # Validate, AOT-compile and store a wasm module under `name`.
  upload @0 (name :Text, wasm :Data, user :Text) -> (function :FunctionInfo);
  # Queue a job; returns once the job is durably recorded.
  submit @1 (spec :JobSpec) -> (jobId :UInt64);
  # Pending and running jobs; with `all`, finished ones too.
  listJobs @2 (all :Bool) -> (jobs :List(JobInfo));
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
}

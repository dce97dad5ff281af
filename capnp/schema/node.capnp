@0x80866b79f1fac6cf;
# The node API: how schedd and a node daemon (noded) talk once the node has registered.

using Sched = import "sched.capnp";

struct NodeRegistration {
  name @0 :Text;
  slots @1 :UInt32;
  engineHash @2 :Text;          # aotc engine compatibility hash of this noded
  runningJobs @3 :List(UInt64); # jobs with live ranks here (after a schedd restart)
  memBytes @4 :UInt64;
  peerAddr @5 :Text;            # where this noded's Peer service listens (host:port)
}

# The ranks a job runs on one node, and how to reach that node's noded.
struct PeerRanks {
  node @0 :Text;
  addr @1 :Text;
  ranks @2 :List(UInt32);
}

# Sent by schedd to the noded that should run some ranks of a job.
struct Launch {
  jobId @0 :UInt64;
  jobName @1 :Text;
  function @2 :Text;
  moduleHash @3 :Text;
  args @4 :List(Text);
  env @5 :List(Sched.KeyValue);
  worldSize @6 :UInt32;
  ranks @7 :List(UInt32);       # world ranks to run on this node
  outputPath @8 :Text;
  createOutput @9 :Bool;        # truncate the output file first (the node of rank 0)
  cwd @10 :Text;
  timeLimitSecs @11 :UInt32;
  peers @12 :List(PeerRanks);   # every node of the job (this one included)
  memPerRankMib @13 :UInt32;    # --mem; 0 = the node's default
  userJobId @14 :UInt64;        # the job id users see (FBATCH_JOB_ID); jobId is the
                                # key of this run of it (requeues, batch steps)
  stepId @15 :UInt32;           # batch step index (FBATCH_STEP_ID)
}

# Served by noded: schedd drives the node through it.
interface NodeAgent {
  launch @0 (launch :Launch) -> ();
  # Stop every rank of a job on this node; `state` says why (cancelled, timeout, nodeFail).
  cancel @1 (jobId :UInt64, state :Sched.JobState, reason :Text) -> ();
}

# How a job ended on one node.
struct JobReport {
  jobId @0 :UInt64;
  outcome @1 :Sched.JobState;   # completed, failed, cancelled, timeout, outOfMemory
  exitCode @2 :Int32;           # highest exit code of the local ranks
  reason @3 :Text;              # the first failure, naming the rank
  maxMemBytes @4 :UInt64;       # largest linear memory of a local rank
  signal @5 :UInt32;            # signal-like cause of a failure (exit:signal), 0 = none
  rankMem @6 :List(Sched.RankMem); # peak linear memory of each local rank
}

# Served by schedd for one registered node.
interface NodeSession {
  heartbeat @0 (runningJobs :List(UInt64)) -> ();
  jobEnded @1 (report :JobReport) -> ();
  # The compiled artifact for this node's engine with the sha256 aotc recorded when
  # it produced it (noded loads the artifact only if its bytes match), or, if
  # schedd has none for this engine, the wasm (noded compiles it).
  fetchModule @2 (hash :Text) -> (artifact :Data, wasm :Data, artifactSha256 :Data);
}

# The header of one MPI message (or a piece of one) between noded processes. On a
# peer connection each frame is this struct, serialized (not RPC), followed by
# `dataLen` payload bytes; frames from one node to another travel in order on one
# connection (noded/src/peer.rs).
struct PeerMessage {
  jobId @0 :UInt64;
  dst @1 :UInt32;       # destination world rank
  srcWorld @2 :UInt32;  # sending world rank
  ctx @3 :UInt32;       # communicator context id
  src @4 :Int32;        # sender's rank in the communicator
  tag @5 :Int32;
  more @6 :Bool;        # further pieces of this message follow
  syncId @7 :UInt64;    # != 0: a synchronous send; acknowledge the match
  ackFor @8 :UInt64;    # != 0: an acknowledgement of synchronous send `ackFor`
                        # (or the reply to one-sided request `ackFor`, in the payload)
  rma @9 :Bool;         # a one-sided request for the target's noded (in the payload)
  dataLen @10 :UInt32;  # payload bytes after the header (at most 4 MiB)
  totalLen @11 :UInt64; # the whole message's bytes (every piece carries it)
}

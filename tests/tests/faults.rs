//! Bad input gets a clear error and neither daemon dies (the harness fails a test
//! whose daemons exited).

use fbatch_tests::{wasm, Cluster};
use std::time::Duration;

/// Runs `func/faults/<prog>.c` on `n` ranks to the end; returns (fsub exit code, job JSON, output).
fn run_fault(c: &Cluster, prog: &str, n: u32, extra: &[&str]) -> (i32, serde_json::Value, String) {
    c.upload(prog, &format!("faults/{prog}"));
    let mut args = vec!["-n".to_string(), n.to_string(), "--wait".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(prog.into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = c.run("fsub", &args);
    let id: u64 = r
        .stdout
        .trim()
        .trim_start_matches("Submitted batch job ")
        .parse()
        .unwrap();
    let job = c.job(id);
    (r.code, job, c.output(id))
}

#[test]
fn a_trap_fails_the_job_naming_rank_and_trap() {
    let c = Cluster::start(&[("node0", 4)]);
    let (code, job, out) = run_fault(&c, "trap", 4, &[]);
    assert_eq!(code, 1);
    assert_eq!(job["state_code"], "F");
    let reason = job["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("rank 1: wasm trap: wasm `unreachable`"),
        "{reason}"
    );
    assert!(reason.contains("(in main)"), "{reason}");
    assert!(out.contains("*** JOB") && out.contains("FAILED"), "{out}");
}

#[test]
fn an_out_of_bounds_buffer_passed_to_mpi_send_is_mpi_err_buffer() {
    let c = Cluster::start(&[("node0", 2)]);
    let (code, job, out) = run_fault(&c, "oob_send", 2, &[]);
    assert_eq!(job["state_code"], "F");
    let reason = job["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("rank 0: MPI_Send: MPI_ERR_BUFFER: buffer at address 0xfffff000"),
        "{reason}"
    );
    assert!(out.contains("MPI_Send: MPI_ERR_BUFFER"), "{out}");
    assert_eq!(code, 1, "MPI_ERR_BUFFER is class 1");
}

#[test]
fn mpi_errors_return_gives_the_program_the_error_class() {
    let c = Cluster::start(&[("node0", 2)]);
    let (code, job, out) = run_fault(&c, "oob_return", 2, &[]);
    assert_eq!((code, job["state_code"].as_str()), (0, Some("CD")), "{out}");
    assert_eq!(
        out.matches("MPI_Send returned MPI_ERR_BUFFER").count(),
        2,
        "{out}"
    );
}

#[test]
fn mpi_abort_ends_every_rank_with_the_abort_code() {
    let c = Cluster::start(&[("node0", 4)]);
    let (code, job, _) = run_fault(&c, "abort", 4, &[]);
    assert_eq!(code, 7);
    assert_eq!(job["exit_code"], 7);
    assert_eq!(
        job["reason"],
        "rank 2: MPI_Abort(MPI_COMM_WORLD, 7) called by rank 2"
    );
}

#[test]
fn a_non_zero_exit_code_fails_the_job_with_that_code() {
    let c = Cluster::start(&[("node0", 3)]);
    let (code, job, _) = run_fault(&c, "exit_code", 3, &[]);
    assert_eq!((code, job["exit_code"].as_i64()), (3, Some(3)));
    assert_eq!(job["reason"], "rank 0: exited with code 3");
}

#[test]
fn exiting_without_mpi_finalize_fails_the_job_like_mpirun() {
    let c = Cluster::start(&[("node0", 2)]);
    let (_, job, _) = run_fault(&c, "no_finalize", 2, &[]);
    assert_eq!(job["state_code"], "F");
    assert_eq!(
        job["reason"],
        "rank 1: exited with code 0 without calling MPI_Finalize"
    );
}

#[test]
fn a_memory_bomb_ends_out_of_memory_and_the_node_keeps_working() {
    let mut c = Cluster::start(&[("node0", 2)]);
    let (_, job, out) = run_fault(&c, "membomb", 2, &[]);
    assert_eq!(job["state_code"], "OOM", "{job}");
    assert!(
        job["reason"]
            .as_str()
            .unwrap()
            .contains("exceeded its memory limit of 1024 MiB"),
        "{job}"
    );
    assert!(out.contains("allocation failed after"), "{out}");
    c.assert_daemons_alive();
    c.upload("hellompi", "mpi/hellompi");
    let id = c.submit(&["-n", "2", "--wait", "hellompi"]);
    assert_eq!(c.job(id)["state_code"], "CD");
}

#[test]
fn a_time_limit_stops_a_spinning_job_with_timeout() {
    let c = Cluster::start(&[("node0", 2)]);
    let (code, job, out) = run_fault(&c, "spin", 2, &["-t", "0:01"]);
    assert_eq!(job["state_code"], "TO", "{job}");
    assert_eq!(job["reason"], "time limit of 1 s reached");
    assert_ne!(code, 0);
    assert!(out.contains("spinning") && out.contains("TIMEOUT"), "{out}");
}

#[test]
fn a_time_limit_stops_a_rank_spinning_in_a_loop_that_touches_no_memory() {
    let c = Cluster::start(&[("node0", 1)]);
    let (_, job, out) = run_fault(&c, "spin_regs", 1, &["-t", "0:01"]);
    assert_eq!(job["state_code"], "TO", "{job}");
    assert!(out.contains("spinning in registers"), "{out}");
}

#[test]
fn fcancel_stops_ranks_blocked_in_mpi_recv_and_computing() {
    let c = Cluster::start(&[("node0", 4)]);
    c.upload("deadlock", "faults/deadlock");
    c.upload("spin", "faults/spin");
    let blocked = c.submit(&["-n", "2", "deadlock"]);
    let spinning = c.submit(&["-n", "2", "spin"]);
    c.wait_for(Duration::from_secs(20), || {
        c.output_so_far(blocked).matches("waiting").count() == 2
            && c.output_so_far(spinning).contains("spinning")
    });
    c.ok("fcancel", &[&blocked.to_string(), &spinning.to_string()]);
    for id in [blocked, spinning] {
        let job = c.wait_state(id, "CA", Duration::from_secs(20));
        assert!(
            job["reason"].as_str().unwrap().starts_with("cancelled by"),
            "{job}"
        );
    }
    let again = c.run("fcancel", &[&blocked.to_string()]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("already finished"), "{again:?}");
    assert!(c.nodes_json()[0]["state"] == "idle");
}

#[test]
fn fcancel_of_a_pending_job_and_of_an_unknown_id() {
    let c = Cluster::start(&[("node0", 1)]);
    c.upload("deadlock", "faults/deadlock");
    let running = c.submit(&["-n", "1", "deadlock"]);
    let pending = c.submit(&["-n", "1", "deadlock"]);
    c.wait_state(running, "R", Duration::from_secs(20));
    c.ok("fcancel", &[&pending.to_string()]);
    assert_eq!(c.job(pending)["state_code"], "CA");
    let r = c.run("fcancel", &["999"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("invalid job id 999"), "{r:?}");
    c.ok("fcancel", &[&running.to_string()]);
    c.wait_state(running, "CA", Duration::from_secs(20));
}

#[test]
fn uploads_of_invalid_wasm_are_refused_with_a_reason() {
    let c = Cluster::start(&[("node0", 1)]);
    let bad = c.dir().join("bad.wasm");
    std::fs::write(&bad, b"this is not wasm").unwrap();
    let r = c.run("fupload", &["bad", bad.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not a valid WebAssembly module"), "{r:?}");
    let truncated = c.dir().join("trunc.wasm");
    let good = std::fs::read(wasm("mpi/hellompi")).unwrap();
    std::fs::write(&truncated, &good[..good.len() / 2]).unwrap();
    let r = c.run("fupload", &["trunc", truncated.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not a valid WebAssembly module"), "{r:?}");
    let r = c.run("fupload", &["missing", "/nonexistent.wasm"]);
    assert!(
        r.code == 1 && r.stderr.contains("cannot read /nonexistent.wasm"),
        "{r:?}"
    );
    let r = c.run(
        "fupload",
        &["bad name!", wasm("mpi/hellompi").to_str().unwrap()],
    );
    assert!(
        r.code == 1 && r.stderr.contains("invalid function name"),
        "{r:?}"
    );
}

#[test]
fn uploads_importing_unimplemented_mpi_functions_list_them_by_name() {
    let c = Cluster::start(&[("node0", 1)]);
    let src = c.dir().join("uses_missing.c");
    std::fs::write(
        &src,
        "#include <mpi.h>\n\
         __attribute__((import_module(\"mpi\"), import_name(\"MPI_File_open\")))\n\
         int MPI_File_open(MPI_Comm, const char *, int, MPI_Info, int *);\n\
         __attribute__((import_module(\"mpi\"), import_name(\"MPI_Comm_spawn\")))\n\
         int MPI_Comm_spawn(const char *, char **, int, MPI_Info, int, MPI_Comm, MPI_Comm *, int *);\n\
         int main(int c, char **v) { MPI_Init(&c, &v); int f; MPI_Comm x;\n\
         MPI_File_open(MPI_COMM_WORLD, \"f\", 0, MPI_INFO_NULL, &f);\n\
         MPI_Comm_spawn(\"x\", 0, 1, MPI_INFO_NULL, 0, MPI_COMM_SELF, &x, 0);\n\
         MPI_Finalize(); return 0; }\n",
    )
    .unwrap();
    let out = c.dir().join("uses_missing.wasm");
    let st = std::process::Command::new(fbatch_tests::repo_root().join("func/fmpicc"))
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let r = c.run("fupload", &["missing", out.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("MPI_File_open (not implemented by fbatch)"),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains("MPI_Comm_spawn (not implemented by fbatch)"),
        "{r:?}"
    );
}

#[test]
fn submissions_of_unknown_functions_or_too_many_ranks_are_refused() {
    let c = Cluster::start(&[("node0", 4)]);
    let r = c.run("fsub", &["-n", "2", "nosuchfn"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("function 'nosuchfn' has not been uploaded"),
        "{r:?}"
    );
    c.upload("hellompi", "mpi/hellompi");
    let r = c.run("fsub", &["-n", "5", "hellompi"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("requested 5 tasks but partition main has only 4 slots"),
        "{r:?}"
    );
    let r = c.run("fsub", &["-n", "0", "hellompi"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("at least 1"), "{r:?}");
    assert!(
        c.jobs_json().is_empty(),
        "refused submissions create no jobs"
    );
}

#[test]
fn a_second_upload_of_the_same_module_is_an_aot_cache_hit() {
    let c = Cluster::start(&[("node0", 1)]);
    let w = wasm("mpi/hellompi");
    let first: serde_json::Value =
        serde_json::from_str(&c.ok("fupload", &["--json", "a", w.to_str().unwrap()])).unwrap();
    let second: serde_json::Value =
        serde_json::from_str(&c.ok("fupload", &["--json", "b", w.to_str().unwrap()])).unwrap();
    assert_eq!(first["cache_hit"], false);
    assert_eq!(second["cache_hit"], true);
    assert_eq!(second["compile_ms"], 0);
    assert_eq!(first["hash"], second["hash"]);
}

#[test]
fn a_user_reduction_function_that_calls_mpi_or_traps_fails_the_job_clearly() {
    let c = Cluster::start(&[("node0", 2)]);
    c.upload("user_op", "faults/user_op");
    for (mode, want) in [
        (
            "mpi",
            "rank 0: MPI_Comm_rank: MPI_ERR_OTHER: called from inside a user-defined reduction function",
        ),
        (
            "trap",
            "rank 0: wasm trap: wasm `unreachable` instruction executed (in bad)",
        ),
    ] {
        let r = c.run("fsub", &["-n", "2", "--wait", "user_op", mode]);
        let id: u64 = r
            .stdout
            .trim()
            .trim_start_matches("Submitted batch job ")
            .parse()
            .unwrap();
        let job = c.job(id);
        assert_eq!(job["state_code"], "F", "{job}");
        let reason = job["reason"].as_str().unwrap();
        assert!(reason.starts_with(want), "{mode}: {reason}");
        let out = c.output(id);
        assert_eq!(out.matches("sum ok 3").count(), 2, "{out}");
    }
}

#[test]
fn rma_outside_the_window_or_on_a_freed_window_is_a_clear_mpi_error() {
    let c = Cluster::start(&[("node0", 3)]);
    let (code, job, out) = run_fault(&c, "rma_range", 3, &[]);
    assert_eq!((code, job["state_code"].as_str()), (0, Some("CD")), "{out}");
    for r in 0..3 {
        for line in [
            "put at 4: MPI_ERR_RMA_RANGE",
            "put at -1: MPI_ERR_RMA_RANGE",
            "2 ints at 3: MPI_ERR_RMA_RANGE",
            "put at 3: MPI_SUCCESS",
            "buf[3] = 7",
            "lock freed: MPI_ERR_WIN",
        ] {
            assert!(out.contains(&format!("rank {r}: {line}")), "{line}:\n{out}");
        }
    }
}

#[test]
fn fsub_mem_sets_the_per_rank_memory_limit() {
    let c = Cluster::start(&[("node0", 2)]);
    let (_, job, _) = run_fault(&c, "membomb", 1, &["--mem", "64M"]);
    assert_eq!(job["state_code"], "OOM", "{job}");
    let reason = job["reason"].as_str().unwrap();
    assert!(
        reason.contains("exceeded its memory limit of 64 MiB"),
        "{reason}"
    );
    let r = c.run("fsub", &["--mem", "8G", "membomb"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("between 1M and 4G"), "{r:?}");
}

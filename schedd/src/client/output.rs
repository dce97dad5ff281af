//! The one output layer every client command prints through: a human table
//! (`Cli`), JSON (`--json`) or bare values (`--parsable`).

use super::format_duration;
use super::view::{FunctionView, JobView, NodeView};

/// How a command renders its results.
pub trait Output {
    /// `fsub` accepted a job.
    fn submitted(&self, id: u64);
    /// `fqueue` rows (pending and running, or all with -a).
    fn queue(&self, jobs: &[JobView], header: bool);
    /// `facct` rows (finished jobs).
    fn accounting(&self, jobs: &[JobView], header: bool);
    /// `finfo` rows.
    fn nodes(&self, nodes: &[NodeView]);
    /// `fupload` result.
    fn uploaded(&self, f: &FunctionView);
    /// One finished job (`fsub --wait`).
    fn job_ended(&self, job: &JobView);
}

/// Picks the output for a command's flags.
pub fn select(json: bool, parsable: bool) -> Box<dyn Output> {
    if json {
        Box::new(Json)
    } else if parsable {
        Box::new(Parsable)
    } else {
        Box::new(Cli)
    }
}

/// Human-readable tables, Slurm's column names.
pub struct Cli;
/// JSON documents.
pub struct Json;
/// Bare values separated by `|` (Slurm's --parsable).
pub struct Parsable;

fn nodelist(nodes: &[String]) -> String {
    if nodes.is_empty() {
        String::new()
    } else {
        nodes.join(",")
    }
}

fn nodelist_or_reason(j: &JobView) -> String {
    let has_reason = !j.reason.is_empty() && j.reason != "None";
    match j.state_code.as_str() {
        "PD" => format!("({})", j.reason),
        "CD" | "R" => nodelist(&j.nodes),
        _ if has_reason => format!("({})", j.reason),
        _ => nodelist(&j.nodes),
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n).collect()
    }
}

fn exit_code(j: &JobView) -> String {
    format!("{}:0", j.exit_code)
}

impl Output for Cli {
    fn submitted(&self, id: u64) {
        println!("Submitted batch job {id}");
    }

    fn queue(&self, jobs: &[JobView], header: bool) {
        if header {
            println!(
                "{:>8} {:<10} {:<8} {:>3} {:>10} {:>6} NODELIST(REASON)",
                "JOBID", "NAME", "USER", "ST", "TIME", "NODES"
            );
        }
        for j in jobs {
            println!(
                "{:>8} {:<10} {:<8} {:>3} {:>10} {:>6} {}",
                j.job_id,
                truncate(&j.name, 10),
                truncate(&j.user, 8),
                j.state_code,
                format_duration(j.elapsed_secs),
                j.nodes.len(),
                nodelist_or_reason(j)
            );
        }
    }

    fn accounting(&self, jobs: &[JobView], header: bool) {
        if header {
            println!(
                "{:>8} {:<10} {:<8} {:<13} {:>8} {:>10} {:>6} {:<16} REASON",
                "JOBID", "JOBNAME", "USER", "STATE", "EXITCODE", "ELAPSED", "NTASKS", "NODELIST"
            );
        }
        for j in jobs {
            let reason = if j.reason == "None" { "" } else { &j.reason };
            println!(
                "{:>8} {:<10} {:<8} {:<13} {:>8} {:>10} {:>6} {:<16} {}",
                j.job_id,
                truncate(&j.name, 10),
                truncate(&j.user, 8),
                j.state,
                exit_code(j),
                format_duration(j.elapsed_secs),
                j.ntasks,
                nodelist(&j.nodes),
                reason
            );
        }
    }

    fn nodes(&self, nodes: &[NodeView]) {
        println!(
            "{:<16} {:<6} {:>14} JOBS",
            "NODELIST", "STATE", "SLOTS(A/I/T)"
        );
        for n in nodes {
            let jobs: Vec<String> = n.running_jobs.iter().map(|j| j.to_string()).collect();
            println!(
                "{:<16} {:<6} {:>14} {}",
                n.name,
                n.state,
                format!(
                    "{}/{}/{}",
                    n.allocated,
                    n.slots.saturating_sub(n.allocated),
                    n.slots
                ),
                jobs.join(",")
            );
        }
    }

    fn uploaded(&self, f: &FunctionView) {
        let how = if f.cache_hit {
            "artifact cache hit".to_string()
        } else {
            format!("compiled in {} ms", f.compile_ms)
        };
        println!(
            "Uploaded function {}: sha256 {} ({how}, {} KiB native code)",
            f.name,
            f.hash,
            f.artifact_bytes.div_ceil(1024)
        );
    }

    fn job_ended(&self, j: &JobView) {
        if j.state_code != "CD" {
            let reason = if j.reason.is_empty() || j.reason == "None" {
                String::new()
            } else {
                format!(": {}", j.reason)
            };
            eprintln!(
                "fsub: job {} ended {} (exit code {}){reason}",
                j.job_id, j.state, j.exit_code
            );
        }
    }
}

fn print_json<T: serde::Serialize + ?Sized>(v: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("views serialize")
    );
}

impl Output for Json {
    fn submitted(&self, id: u64) {
        print_json(&serde_json::json!({ "job_id": id }));
    }
    fn queue(&self, jobs: &[JobView], _: bool) {
        print_json(&serde_json::json!({ "jobs": jobs }));
    }
    fn accounting(&self, jobs: &[JobView], _: bool) {
        print_json(&serde_json::json!({ "jobs": jobs }));
    }
    fn nodes(&self, nodes: &[NodeView]) {
        print_json(&serde_json::json!({ "nodes": nodes }));
    }
    fn uploaded(&self, f: &FunctionView) {
        print_json(f);
    }
    fn job_ended(&self, j: &JobView) {
        print_json(j);
    }
}

impl Output for Parsable {
    fn submitted(&self, id: u64) {
        println!("{id}");
    }
    fn queue(&self, jobs: &[JobView], _: bool) {
        for j in jobs {
            println!(
                "{}|{}|{}|{}|{}|{}|{}",
                j.job_id,
                j.name,
                j.user,
                j.state_code,
                j.elapsed_secs,
                j.nodes.len(),
                nodelist_or_reason(j)
            );
        }
    }
    fn accounting(&self, jobs: &[JobView], _: bool) {
        for j in jobs {
            println!(
                "{}|{}|{}|{}|{}|{}|{}|{}",
                j.job_id,
                j.name,
                j.user,
                j.state,
                exit_code(j),
                j.elapsed_secs,
                j.ntasks,
                nodelist(&j.nodes)
            );
        }
    }
    fn nodes(&self, nodes: &[NodeView]) {
        for n in nodes {
            println!("{}|{}|{}|{}", n.name, n.state, n.allocated, n.slots);
        }
    }
    fn uploaded(&self, f: &FunctionView) {
        println!("{}", f.hash);
    }
    fn job_ended(&self, _: &JobView) {}
}

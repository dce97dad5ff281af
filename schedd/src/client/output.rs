//! The one output layer every client command prints through: a human table
//! (`Cli`), JSON (`--json`) or bare values (`--parsable`).

use super::format::Format;
use super::format_duration;
use super::view::{FunctionView, JobView, NodeView};

/// How a command renders its results.
pub trait Output {
    /// `fsub` accepted a job.
    fn submitted(&self, id: u64);
    /// `fqueue` rows (pending and running, or all with -a) in a format.
    fn queue(&self, jobs: &[JobView], format: &Format, header: bool);
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

/// squeue's NODELIST(REASON) column.
pub fn nodelist_or_reason(j: &JobView) -> String {
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
    j.exit.clone()
}

/// Bytes as Slurm prints memory: K, M or G with up to two decimals.
pub fn format_mem(bytes: u64) -> String {
    let kib = bytes as f64 / 1024.0;
    if kib < 1024.0 {
        format!("{kib:.0}K")
    } else if kib < 1024.0 * 1024.0 {
        format!("{:.2}M", kib / 1024.0)
    } else {
        format!("{:.2}G", kib / 1024.0 / 1024.0)
    }
}

/// facct's MAXMEM and MAXMEMTASK: the largest rank and which one it was.
fn max_mem(j: &JobView) -> (String, String) {
    match j
        .rank_mem
        .iter()
        .max_by_key(|(r, b)| (*b, std::cmp::Reverse(*r)))
    {
        Some((rank, bytes)) => (format_mem(*bytes), rank.to_string()),
        None if j.max_mem_bytes > 0 => (format_mem(j.max_mem_bytes), String::new()),
        None => (String::new(), String::new()),
    }
}

impl Output for Cli {
    fn submitted(&self, id: u64) {
        println!("Submitted batch job {id}");
    }

    fn queue(&self, jobs: &[JobView], format: &Format, header: bool) {
        if header {
            println!("{}", format.header());
        }
        for j in jobs {
            println!("{}", format.line(j));
        }
    }

    fn accounting(&self, jobs: &[JobView], header: bool) {
        if header {
            println!(
                "{:>12} {:<10} {:<9} {:<8} {:<13} {:>8} {:>10} {:>6} {:>9} {:>10} {:<16} REASON",
                "JOBID",
                "JOBNAME",
                "PARTITION",
                "USER",
                "STATE",
                "EXITCODE",
                "ELAPSED",
                "NTASKS",
                "MAXMEM",
                "MAXMEMTASK",
                "NODELIST"
            );
        }
        for j in jobs {
            let reason = if j.reason == "None" { "" } else { &j.reason };
            let (mem, task) = max_mem(j);
            println!(
                "{:>12} {:<10} {:<9} {:<8} {:<13} {:>8} {:>10} {:>6} {:>9} {:>10} {:<16} {}",
                j.job_id_display,
                truncate(&j.name, 10),
                truncate(&j.partition, 9),
                truncate(&j.user, 8),
                j.state,
                exit_code(j),
                format_duration(j.elapsed_secs),
                j.ntasks,
                mem,
                task,
                nodelist(&j.nodes),
                reason
            );
        }
    }

    fn nodes(&self, nodes: &[NodeView]) {
        println!(
            "{:<16} {:<10} {:<6} {:>14} {:<12} REASON",
            "NODELIST", "PARTITION", "STATE", "SLOTS(A/I/T)", "JOBS"
        );
        for n in nodes {
            let jobs: Vec<String> = n.running_jobs.iter().map(|j| j.to_string()).collect();
            println!(
                "{:<16} {:<10} {:<6} {:>14} {:<12} {}",
                n.name,
                n.partitions.join(","),
                n.state,
                format!(
                    "{}/{}/{}",
                    n.allocated,
                    n.slots.saturating_sub(n.allocated),
                    n.slots
                ),
                jobs.join(","),
                n.reason
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
    fn queue(&self, jobs: &[JobView], _: &Format, _: bool) {
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
    fn queue(&self, jobs: &[JobView], _: &Format, _: bool) {
        for j in jobs {
            println!(
                "{}|{}|{}|{}|{}|{}|{}|{}",
                j.job_id_display,
                j.partition,
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
                "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
                j.job_id_display,
                j.name,
                j.partition,
                j.user,
                j.state,
                exit_code(j),
                j.elapsed_secs,
                j.ntasks,
                j.max_mem_bytes,
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

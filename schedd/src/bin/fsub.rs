//! `fsub`: submit an MPI job (sbatch/srun-like).

use clap::Parser;
use schedd::client::view::JobView;
use schedd::client::{self, output, ConnArgs, RpcResult};
use std::time::Duration;

#[derive(Parser)]
#[command(name = "fsub", about = "Submit an MPI job of an uploaded function")]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Number of MPI ranks.
    #[arg(short = 'n', long = "ntasks", default_value_t = 1)]
    ntasks: u32,
    /// Spread the ranks over exactly this many nodes (blocks of consecutive ranks).
    #[arg(short = 'N', long = "nodes")]
    nodes: Option<u32>,
    /// At most this many ranks per node.
    #[arg(long = "ntasks-per-node")]
    ntasks_per_node: Option<u32>,
    /// Start only when the dependency holds: after|afterany|afterok|afternotok:ID[:ID...]
    /// or singleton; ',' joins conditions that must all hold, '?' any one.
    #[arg(short = 'd', long = "dependency")]
    dependency: Option<String>,
    /// Memory limit per rank (its wasm linear memory): MiB, or with a K/M/G/T
    /// suffix, as in Slurm's --mem-per-cpu.
    #[arg(long = "mem", value_parser = parse_mem)]
    mem: Option<u32>,
    /// Job name (default: the function name).
    #[arg(short = 'J', long = "job-name")]
    job_name: Option<String>,
    /// Output file for all ranks' stdout/stderr; %j = job id, %x = name, %u = user.
    #[arg(short = 'o', long = "output", default_value = "fbatch-%j.out")]
    output: String,
    /// Time limit: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS.
    #[arg(short = 't', long = "time")]
    time: Option<String>,
    /// Extra environment for the ranks, NAME=VALUE (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// Environment to pass on, as in Slurm: ALL (this shell's whole
    /// environment), NONE (the default here), or NAME (its value here) and
    /// NAME=VALUE entries, comma-separated.
    #[arg(long = "export", value_name = "ALL|NONE|NAME[=VALUE],...")]
    export: Option<String>,
    /// Do not share the job's nodes with other jobs.
    #[arg(long = "exclusive")]
    exclusive: bool,
    /// Submit the job held: it stays pending until `frelease`.
    #[arg(short = 'H', long = "hold")]
    hold: bool,
    /// Do not start before: now+N[s|m|h|d] (seconds by default) or @UNIXSECONDS.
    #[arg(long = "begin", value_parser = parse_begin)]
    begin: Option<i64>,
    /// Directory the job runs in (relative output paths resolve against it).
    #[arg(short = 'D', long = "chdir")]
    chdir: Option<std::path::PathBuf>,
    /// Wait for the job to end and exit with its exit code.
    #[arg(short = 'W', long)]
    wait: bool,
    /// Print only the job id.
    #[arg(long)]
    parsable: bool,
    /// Uploaded function to run.
    function: String,
    /// Arguments for the program.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

async fn wait_for(conn: &ConnArgs, id: u64) -> anyhow::Result<JobView> {
    // A restart of schedd drops the connection: reconnect and wait again.
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    loop {
        let attempt = async {
            let sched = client::connect(conn).await?;
            let mut req = sched.wait_job_request();
            req.get().set_job_id(id);
            let reply = req.send().promise.await;
            Ok::<_, anyhow::Error>(reply)
        }
        .await;
        match attempt {
            Ok(Ok(reply)) => {
                let job = reply.get()?.get_job()?;
                return Ok(JobView::from_wire(job, schedd::server::now_ms())?);
            }
            Ok(Err(e)) if !client::is_disconnect(&e) => return Err(e).rpc(),
            Ok(Err(_)) | Err(_) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Ok(Err(e)) => return Err(e).rpc(),
            Err(e) => return Err(e),
        }
    }
}

fn main() {
    let args = Args::parse();
    client::run("fsub", || async move {
        let out = output::select(false, args.parsable);
        let time_limit_secs = match &args.time {
            Some(t) => client::parse_time_limit(t).map_err(anyhow::Error::msg)?,
            None => 0,
        };
        let here = std::env::current_dir()?;
        let cwd = match &args.chdir {
            Some(d) if d.is_absolute() => d.clone(),
            Some(d) => here.join(d),
            None => here,
        };
        if !cwd.is_dir() {
            anyhow::bail!("--chdir {}: not a directory", cwd.display());
        }
        let output = if args.output.starts_with('/') {
            args.output.clone()
        } else {
            cwd.join(&args.output).to_string_lossy().into_owned()
        };
        let mut env = Vec::new();
        for item in args.export.iter().flat_map(|x| x.split(',')) {
            match item {
                "" | "NONE" => {}
                "ALL" => env.extend(std::env::vars()),
                _ => match item.split_once('=') {
                    Some((k, v)) if !k.is_empty() => env.push((k.to_string(), v.to_string())),
                    Some(_) => anyhow::bail!("invalid --export entry '{item}'"),
                    None => {
                        if let Ok(v) = std::env::var(item) {
                            env.push((item.to_string(), v));
                        }
                    }
                },
            }
        }
        for e in &args.env {
            match e.split_once('=') {
                Some((k, v)) if !k.is_empty() => env.push((k.to_string(), v.to_string())),
                _ => anyhow::bail!("invalid --env '{e}': use NAME=VALUE"),
            }
        }
        let (uid, user) = client::current_user();
        let sched = client::connect(&args.conn).await?;
        let mut req = sched.submit_request();
        {
            let mut spec = req.get().init_spec();
            spec.set_function(&args.function);
            let mut a = spec.reborrow().init_args(args.args.len() as u32);
            for (i, s) in args.args.iter().enumerate() {
                a.set(i as u32, s);
            }
            spec.set_ntasks(args.ntasks);
            spec.set_nodes(args.nodes.unwrap_or(0));
            spec.set_ntasks_per_node(args.ntasks_per_node.unwrap_or(0));
            spec.set_dependency(args.dependency.as_deref().unwrap_or(""));
            spec.set_mem_per_rank_mib(args.mem.unwrap_or(0));
            spec.set_begin_ms(args.begin.unwrap_or(0));
            spec.set_hold(args.hold);
            spec.set_exclusive(args.exclusive);
            spec.set_name(args.job_name.as_deref().unwrap_or(""));
            spec.set_output_pattern(&output);
            spec.set_cwd(cwd.to_string_lossy());
            let mut e = spec.reborrow().init_env(env.len() as u32);
            for (i, (k, v)) in env.iter().enumerate() {
                e.reborrow().get(i as u32).set_key(k);
                e.reborrow().get(i as u32).set_value(v);
            }
            spec.set_user(&user);
            spec.set_uid(uid);
            spec.set_time_limit_secs(time_limit_secs);
        }
        let reply = req
            .send()
            .promise
            .await
            .rpc()
            .map_err(|e| e.context("Batch job submission failed"))?;
        let id = reply.get()?.get_job_id();
        out.submitted(id);
        if !args.wait {
            return Ok(0);
        }
        let job = wait_for(&args.conn, id).await?;
        out.job_ended(&job);
        Ok(job.wait_exit_code())
    })
}

/// Slurm memory sizes: a number of MiB, or with a K, M, G or T suffix.
fn parse_mem(s: &str) -> Result<u32, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&s[..s.len() - 1], 1.0 / 1024.0),
        Some('M') => (&s[..s.len() - 1], 1.0),
        Some('G') => (&s[..s.len() - 1], 1024.0),
        Some('T') => (&s[..s.len() - 1], 1024.0 * 1024.0),
        _ => (s, 1.0),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("invalid memory size '{s}' (e.g. 512M, 2G)"))?;
    let mib = (v * mult).ceil();
    if !(1.0..=4096.0).contains(&mib) {
        return Err(format!(
            "memory size '{s}' must be between 1M and 4G per rank (wasm32)"
        ));
    }
    Ok(mib as u32)
}

/// `--begin` as a Unix time in ms: `now+N[s|m|h|d]` (also `seconds`, `minutes`,
/// `hours`, `days`, as Slurm spells them) or `@UNIXSECONDS`.
fn parse_begin(s: &str) -> Result<i64, String> {
    let bad = || format!("invalid --begin '{s}' (use now+N[s|m|h|d] or @UNIXSECONDS)");
    if let Some(secs) = s.strip_prefix('@') {
        return secs.parse::<i64>().map(|v| v * 1000).map_err(|_| bad());
    }
    let rest = s.strip_prefix("now").ok_or_else(bad)?;
    let rest = match rest.strip_prefix('+') {
        Some(r) => r,
        None if rest.is_empty() => "0",
        None => return Err(bad()),
    };
    let split = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let n: i64 = rest[..split].parse().map_err(|_| bad())?;
    let unit = match &rest[split..] {
        "" | "s" | "seconds" => 1,
        "m" | "minutes" => 60,
        "h" | "hours" => 3600,
        "d" | "days" => 86400,
        _ => return Err(bad()),
    };
    Ok(schedd::server::now_ms() + n * unit * 1000)
}

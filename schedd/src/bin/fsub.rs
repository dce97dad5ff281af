//! `fsub`: submit an MPI job (sbatch/srun-like).

use clap::Parser;
use schedd::client::script::{self, Script};
use schedd::client::view::JobView;
use schedd::client::{self, output, ConnArgs, RpcResult};
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "fsub",
    about = "Submit an MPI job of an uploaded function",
    args_override_self = true
)]
struct Args {
    #[command(flatten)]
    conn: ConnArgs,
    /// Number of MPI ranks (default 1; for a batch script, the most its steps use).
    #[arg(short = 'n', long = "ntasks")]
    ntasks: Option<u32>,
    /// Partition to run in (default: the cluster's default partition).
    #[arg(short = 'p', long = "partition")]
    partition: Option<String>,
    /// Set the job's priority (root only; default 10000; higher runs first).
    #[arg(long = "priority")]
    priority: Option<u32>,
    /// Lower the job's priority by N: --nice[=N], 100 without a value
    /// (negative values, raising it, are for root only).
    #[arg(
        long = "nice",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "100",
        allow_hyphen_values = true
    )]
    nice: Option<i32>,
    /// Job array: indices like 0-15, 1,3,5 or 0-15:2, optionally %N to run at
    /// most N tasks at once. Each task is a job with FBATCH_ARRAY_TASK_ID set.
    #[arg(short = 'a', long = "array")]
    array: Option<String>,
    /// Requeue the job if a node it runs on fails (instead of NODE_FAIL).
    #[arg(long = "requeue", overrides_with = "no_requeue")]
    requeue: bool,
    /// Never requeue the job, not even with fcontrol requeue.
    #[arg(long = "no-requeue", overrides_with = "requeue")]
    no_requeue: bool,
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
    /// Output file for all ranks' stdout/stderr; %j = job id, %x = name, %u = user,
    /// %A = array job id, %a = array task id.
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
    /// Do not start before: now+N[s|m|h|d] (seconds by default),
    /// YYYY-MM-DD[THH:MM[:SS]], HH:MM[:SS], today, tomorrow, midnight, noon or
    /// @UNIXSECONDS (local time, as in Slurm).
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
    /// Uploaded function to run, or a batch script whose #FBATCH lines hold
    /// options and whose fsub/srun lines are steps run one after another.
    function: String,
    /// Arguments for the program.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

async fn wait_for(
    conn: &ConnArgs,
    first: &fbatch_proto::sched_capnp::scheduler::Client,
    id: u64,
) -> anyhow::Result<JobView> {
    // A restart of schedd drops the connection: reconnect and wait again.
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    let mut reuse = Some(first.clone());
    loop {
        let attempt = async {
            let sched = match reuse.take() {
                Some(s) => s,
                None => client::connect(conn).await?,
            };
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

/// The arguments, with a batch script's #FBATCH options in front of the command
/// line's (which win), and the script's steps.
fn arguments() -> anyhow::Result<(Args, Option<(String, Script)>)> {
    let args = Args::parse();
    if !script::is_script(&args.function) {
        return Ok((args, None));
    }
    let path = args.function.clone();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("cannot read batch script {path}: {e}"))?;
    let parsed = script::parse(&text).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    let argv = std::iter::once("fsub".to_string())
        .chain(parsed.options.iter().cloned())
        .chain(std::env::args().skip(1));
    let args = Args::try_parse_from(argv).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    if !args.args.is_empty() {
        anyhow::bail!("{path}: batch scripts take no arguments (fbatch runs no shell)");
    }
    let name = std::path::Path::new(&path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or(path);
    Ok((args, Some((name, parsed))))
}

fn main() {
    let (args, script) = match arguments() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fsub: error: {e:#}");
            std::process::exit(1);
        }
    };
    client::run("fsub", || async move {
        let ntasks = args.ntasks.unwrap_or_else(|| {
            script
                .as_ref()
                .and_then(|(_, s)| s.steps.iter().filter_map(|st| st.ntasks).max())
                .unwrap_or(1)
        });
        let (function, fargs, job_name, steps) = match &script {
            None => (
                args.function.clone(),
                args.args.clone(),
                args.job_name.clone(),
                Vec::new(),
            ),
            Some((name, s)) => (
                s.steps[0].function.clone(),
                s.steps[0].args.clone(),
                Some(args.job_name.clone().unwrap_or_else(|| name.clone())),
                s.steps.clone(),
            ),
        };
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
            spec.set_function(&function);
            let mut a = spec.reborrow().init_args(fargs.len() as u32);
            for (i, s) in fargs.iter().enumerate() {
                a.set(i as u32, s);
            }
            spec.set_ntasks(ntasks);
            spec.set_partition(args.partition.as_deref().unwrap_or(""));
            if let Some(p) = args.priority {
                spec.set_has_priority(true);
                spec.set_priority(p);
            }
            spec.set_nice(args.nice.unwrap_or(0));
            spec.set_requeue(match (args.requeue, args.no_requeue) {
                (true, _) => 1,
                (_, true) => 2,
                _ => 0,
            });
            spec.set_array(args.array.as_deref().unwrap_or(""));
            let mut st = spec.reborrow().init_steps(steps.len() as u32);
            for (i, step) in steps.iter().enumerate() {
                let mut b = st.reborrow().get(i as u32);
                b.set_function(&step.function);
                b.set_ntasks(step.ntasks.unwrap_or(ntasks));
                let mut a = b.init_args(step.args.len() as u32);
                for (k, s) in step.args.iter().enumerate() {
                    a.set(k as u32, s);
                }
            }
            spec.set_nodes(args.nodes.unwrap_or(0));
            spec.set_ntasks_per_node(args.ntasks_per_node.unwrap_or(0));
            spec.set_dependency(args.dependency.as_deref().unwrap_or(""));
            spec.set_mem_per_rank_mib(args.mem.unwrap_or(0));
            spec.set_begin_ms(args.begin.unwrap_or(0));
            spec.set_hold(args.hold);
            spec.set_exclusive(args.exclusive);
            spec.set_name(job_name.as_deref().unwrap_or(""));
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
        req.get().set_want_handle(args.wait && args.array.is_none());
        let sent = req.send();
        // --wait on a plain job: ask the promised handle to wait right away
        // (pipelined with the submission: no second round trip).
        let early_wait = (args.wait && args.array.is_none())
            .then(|| sent.pipeline.get_handle().wait_request().send().promise);
        let reply = sent
            .promise
            .await
            .rpc()
            .map_err(|e| e.context("Batch job submission failed"))?;
        let id = reply.get()?.get_job_id();
        out.submitted(id);
        if !args.wait {
            return Ok(0);
        }
        if let Some(waited) = early_wait {
            if let Ok(done) = waited.await {
                let job = JobView::from_wire(done.get()?.get_job()?, schedd::server::now_ms())?;
                out.job_ended(&job);
                return Ok(job.wait_exit_code());
            }
            // The connection dropped (schedd restarted): wait the long way.
        }
        // An array: wait for every task (as sbatch --wait); the worst code wins.
        let ids = match args.array {
            Some(_) => {
                let mut req = sched.list_jobs_request();
                req.get().set_all(true);
                let reply = req.send().promise.await.rpc()?;
                reply
                    .get()?
                    .get_jobs()?
                    .iter()
                    .filter(|j| j.get_array_job_id() == id)
                    .map(|j| j.get_id())
                    .collect()
            }
            None => vec![id],
        };
        let mut code = 0;
        for id in ids {
            let job = wait_for(&args.conn, &sched, id).await?;
            out.job_ended(&job);
            code = code.max(job.wait_exit_code());
        }
        Ok(code)
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

/// `--begin` as a Unix time in ms, in Slurm's forms: `now+N[s|m|h|d]` (also
/// `seconds`, `minutes`, `hours`, `days`), `YYYY-MM-DD[THH:MM[:SS]]` and
/// `HH:MM[:SS]` (local time; the next such time), `today`, `tomorrow`,
/// `midnight`, `noon`, or `@UNIXSECONDS`.
fn parse_begin(s: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "invalid --begin '{s}' (use now+N[s|m|h|d], YYYY-MM-DD[THH:MM[:SS]], HH:MM[:SS], \
             today, tomorrow, midnight, noon or @UNIXSECONDS)"
        )
    };
    let now = schedd::server::now_ms();
    if let Some(secs) = s.strip_prefix('@') {
        return secs.parse::<i64>().map(|v| v * 1000).map_err(|_| bad());
    }
    if let Some(rest) = s.strip_prefix("now") {
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
        return Ok(now + n * unit * 1000);
    }
    let num = |t: &str| t.parse::<i32>().map_err(|_| bad());
    let today = local_date(now / 1000);
    let (date, time) = match s {
        "today" => (today, (0, 0, 0)),
        "tomorrow" | "midnight" => (today, (24, 0, 0)),
        "noon" => (today, (12, 0, 0)),
        _ => {
            let (d, t) = match s.split_once('T') {
                Some((d, t)) => (Some(d), Some(t)),
                None if s.contains('-') => (Some(s), None),
                None => (None, Some(s)),
            };
            let date = match d {
                Some(d) => {
                    let p: Vec<&str> = d.split('-').collect();
                    match p.as_slice() {
                        [y, m, dd] => (num(y)?, num(m)?, num(dd)?),
                        _ => return Err(bad()),
                    }
                }
                None => today,
            };
            let time = match t {
                Some(t) => {
                    let p: Vec<&str> = t.split(':').collect();
                    match p.as_slice() {
                        [h, m] => (num(h)?, num(m)?, 0),
                        [h, m, sec] => (num(h)?, num(m)?, num(sec)?),
                        _ => return Err(bad()),
                    }
                }
                None => (0, 0, 0),
            };
            (date, time)
        }
    };
    let mut at = local_time(date, time).ok_or_else(bad)?;
    if s == "noon" || (!s.contains('-') && s.contains(':')) {
        // A bare time of day that has passed means tomorrow, as in Slurm.
        if at * 1000 <= now {
            at += 86400;
        }
    }
    Ok(at * 1000)
}

/// Today's local (year, month, day) for Unix seconds `t`.
fn local_date(t: i64) -> (i32, i32, i32) {
    let secs = t as libc::time_t;
    // SAFETY: localtime_r only writes the tm we own.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&secs, &mut tm);
        tm
    };
    (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday)
}

/// Unix seconds of a local date and time (hours may be 24: the next midnight).
fn local_time((y, mo, d): (i32, i32, i32), (h, mi, s): (i32, i32, i32)) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || !(0..=24).contains(&h) {
        return None;
    }
    if !(0..60).contains(&mi) || !(0..=60).contains(&s) {
        return None;
    }
    // SAFETY: mktime reads and normalises the tm we own.
    let t = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = s;
        tm.tm_isdst = -1;
        libc::mktime(&mut tm)
    };
    (t != -1).then_some(t as i64)
}

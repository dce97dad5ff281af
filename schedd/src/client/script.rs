//! Batch scripts for `fsub script.sh`: `#FBATCH` lines carry fsub options (like
//! `#SBATCH`), and each `fsub`/`srun` line is a step run in the job's allocation,
//! one after another. fbatch runs no shell: other commands are refused with the
//! line that has them, rather than skipped.

use clap::Parser;

/// A step line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLine {
    /// `-n` of the step (None: all of the job's ranks).
    pub ntasks: Option<u32>,
    /// Function to run.
    pub function: String,
    /// Its arguments.
    pub args: Vec<String>,
}

/// A parsed batch script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Option words of the `#FBATCH` lines, in order.
    pub options: Vec<String>,
    /// The steps, in order.
    pub steps: Vec<StepLine>,
}

#[derive(Parser, Debug)]
#[command(name = "step", no_binary_name = true, disable_help_flag = true)]
struct StepArgs {
    #[arg(short = 'n', long = "ntasks")]
    ntasks: Option<u32>,
    function: String,
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

/// Whether `path` looks like a batch script rather than a function name.
pub fn is_script(path: &str) -> bool {
    let p = std::path::Path::new(path);
    if !p.is_file() {
        return false;
    }
    if path.contains('/') || path.ends_with(".sh") {
        return true;
    }
    std::fs::read(p).is_ok_and(|b| b.starts_with(b"#!"))
}

/// Parses a script's text.
pub fn parse(text: &str) -> Result<Script, String> {
    let mut script = Script::default();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if let Some(opts) = line.strip_prefix("#FBATCH") {
            if !script.steps.is_empty() {
                // As with #SBATCH, options after the first command are ignored.
                continue;
            }
            let words = shell_words::split(opts).map_err(|e| format!("line {n}: #FBATCH: {e}"))?;
            script.options.extend(words);
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words = shell_words::split(line).map_err(|e| format!("line {n}: {e}"))?;
        match words.first().map(String::as_str) {
            Some("fsub" | "srun") => {
                let a = StepArgs::try_parse_from(&words[1..])
                    .map_err(|e| format!("line {n}: {}", e.to_string().trim()))?;
                script.steps.push(StepLine {
                    ntasks: a.ntasks,
                    function: a.function,
                    args: a.args,
                });
            }
            _ => {
                return Err(format!(
                    "line {n}: '{line}': a batch script holds #FBATCH options and fsub/srun \
                     steps only (fbatch runs no shell)"
                ))
            }
        }
    }
    if script.steps.is_empty() {
        return Err("the script has no fsub/srun steps".into());
    }
    Ok(script)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_give_options_and_steps_and_refuse_shell() {
        let s = parse(
            "#!/bin/sh\n#FBATCH -n 4 -J \"my job\"\n#FBATCH --time=5\n\n# a comment\n\
             fsub -n 2 nstream 10 1000 0\nsrun hellompi\n#FBATCH -n 99\n",
        )
        .unwrap();
        assert_eq!(s.options, vec!["-n", "4", "-J", "my job", "--time=5"]);
        assert_eq!(s.steps.len(), 2);
        assert_eq!(s.steps[0].ntasks, Some(2));
        assert_eq!(s.steps[0].args, vec!["10", "1000", "0"]);
        assert_eq!(s.steps[1].function, "hellompi");
        assert_eq!(s.steps[1].ntasks, None);
        let e = parse("#FBATCH -n 2\necho hi\n").unwrap_err();
        assert!(e.contains("line 2") && e.contains("no shell"), "{e}");
        assert!(parse("#FBATCH -n 2\n")
            .unwrap_err()
            .contains("no fsub/srun steps"));
        assert!(parse("fsub --bogus f\n").unwrap_err().contains("line 1"));
    }
}

//! squeue-style `-o/--format` strings: `%[.][-][width]X` fields with Slurm's
//! letters; `.` right-justifies, the default is left-justified.

use super::view::JobView;
use super::{format_duration, format_time};

/// The value of field letter `c` for a job, or None for an unknown letter.
pub fn field(c: char, j: &JobView) -> Option<String> {
    Some(match c {
        'i' => j.job_id_display.clone(),
        'A' => j.array_job_id.unwrap_or(j.job_id).to_string(),
        'a' => j.array_task_id.map_or("N/A".into(), |t| t.to_string()),
        'F' => j.array_job_id.unwrap_or(j.job_id).to_string(),
        'K' => j.array_task_id.map_or("N/A".into(), |t| t.to_string()),
        'j' => j.name.clone(),
        'u' => j.user.clone(),
        'U' => j.uid.to_string(),
        'P' => j.partition.clone(),
        't' => j.state_code.clone(),
        'T' => j.state.clone(),
        'M' => format_duration(j.elapsed_secs),
        'l' => match j.time_limit_secs {
            0 => "UNLIMITED".into(),
            s => format_duration(i64::from(s)),
        },
        'D' => j
            .nodes
            .len()
            .max(usize::from(j.state_code == "PD"))
            .to_string(),
        'C' => j.ntasks.to_string(),
        'N' => j.nodes.join(","),
        'R' => super::output::nodelist_or_reason(j),
        'r' => j.reason.clone(),
        'Q' => j.priority.to_string(),
        'S' => match (j.start_time_ms, j.expected_start_ms) {
            (0, Some(t)) => format_time(t),
            (0, None) => "N/A".into(),
            (t, _) => format_time(t),
        },
        'V' => format_time(j.submit_time_ms),
        'e' => match j.end_time_ms {
            0 => "N/A".into(),
            t => format_time(t),
        },
        'E' => match j.dependency.as_str() {
            "" => "(null)".into(),
            d => d.into(),
        },
        'o' => std::iter::once(j.function.clone())
            .chain(j.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" "),
        'Z' => j.cwd.clone(),
        'm' => match j.mem_per_rank_mib {
            0 => "0".into(),
            m => format!("{m}M"),
        },
        'h' => if j.exclusive { "NO" } else { "OK" }.into(),
        _ => return None,
    })
}

/// One parsed piece of a format string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field {
        letter: char,
        width: Option<usize>,
        right: bool,
    },
}

/// A parsed `-o` format.
#[derive(Debug, Clone)]
pub struct Format(Vec<Piece>);

impl Format {
    /// Parses a format string; unknown letters are refused with their name.
    pub fn parse(spec: &str) -> Result<Format, String> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = spec.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                text.push(c);
                continue;
            }
            if chars.peek() == Some(&'%') {
                chars.next();
                text.push('%');
                continue;
            }
            let mut right = false;
            if chars.peek() == Some(&'.') {
                chars.next();
                right = true;
            }
            if chars.peek() == Some(&'-') {
                chars.next();
                right = false;
            }
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            let letter = chars
                .next()
                .ok_or_else(|| format!("format '{spec}' ends inside a field"))?;
            if field(letter, &JobView::example()).is_none() {
                return Err(format!("unknown format field %{letter} in '{spec}'"));
            }
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(Piece::Field {
                letter,
                width: digits.parse().ok(),
                right,
            });
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Format(pieces))
    }

    /// The header line: each field's Slurm column name.
    pub fn header(&self) -> String {
        self.render_with(|letter| header_name(letter).to_string())
    }

    /// One job's line.
    pub fn line(&self, j: &JobView) -> String {
        self.render_with(|letter| field(letter, j).unwrap_or_default())
    }

    fn render_with(&self, value: impl Fn(char) -> String) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field {
                    letter,
                    width,
                    right,
                } => {
                    let v = value(*letter);
                    match width {
                        // Slurm truncates to the width.
                        Some(w) => {
                            let v: String = v.chars().take(*w).collect();
                            if *right {
                                out.push_str(&format!("{v:>w$}"));
                            } else {
                                out.push_str(&format!("{v:<w$}"));
                            }
                        }
                        None => out.push_str(&v),
                    }
                }
            }
        }
        out.trim_end().to_string()
    }
}

fn header_name(c: char) -> &'static str {
    match c {
        'i' => "JOBID",
        'A' | 'F' => "ARRAY_JOB_ID",
        'a' | 'K' => "ARRAY_TASK_ID",
        'j' => "NAME",
        'u' => "USER",
        'U' => "UID",
        'P' => "PARTITION",
        't' => "ST",
        'T' => "STATE",
        'M' => "TIME",
        'l' => "TIME_LIMIT",
        'D' => "NODES",
        'C' => "CPUS",
        'N' => "NODELIST",
        'R' => "NODELIST(REASON)",
        'r' => "REASON",
        'Q' => "PRIORITY",
        'S' => "START_TIME",
        'V' => "SUBMIT_TIME",
        'e' => "END_TIME",
        'E' => "DEPENDENCY",
        'o' => "COMMAND",
        'Z' => "WORK_DIR",
        'm' => "MIN_MEMORY",
        'h' => "OVER_SUBSCRIBE",
        _ => "",
    }
}

/// squeue's default format.
pub const DEFAULT: &str = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R";
/// squeue --start's format.
pub const START: &str = "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %R";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_pad_truncate_and_refuse_unknown_fields() {
        let mut j = JobView::example();
        j.job_id_display = "7_2".into();
        j.name = "averyveryverylongname".into();
        let f = Format::parse("%.5i|%-4j|%t%%").unwrap();
        assert_eq!(f.line(&j), "  7_2|avery|PD%".replace("avery", "aver"));
        assert_eq!(f.header(), "JOBID|NAME|ST%");
        assert!(Format::parse("%q").unwrap_err().contains("%q"));
        assert!(Format::parse("%.3").is_err());
    }
}

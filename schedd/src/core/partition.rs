//! Partitions: named sets of nodes with their own limits, as in slurm.conf.
//! They come from schedd's config file (`schedd --config FILE`, TOML):
//!
//! ```toml
//! [[partition]]
//! name = "debug"
//! nodes = ["node[1-4]", "gpu*"]   # hostlist ranges and * wildcards; default: all
//! default = true                  # jobs without -p go here (default: the first)
//! state = "up"                    # or "down": jobs wait with reason PartitionDown
//! max_time = "1:00:00"            # Slurm time formats; default: unlimited
//! default_time = "10"             # limit of jobs that give no -t
//! ```
//!
//! Without a config there is one partition, `main`, holding every node.

use super::job::parse_time_limit;
use serde::Deserialize;

/// One partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// Name used by `fsub -p`.
    pub name: String,
    /// Node name patterns.
    pub nodes: Vec<String>,
    /// Jobs without -p go to the default partition.
    pub default: bool,
    /// A down partition starts no jobs (reason PartitionDown).
    pub up: bool,
    /// Largest time limit a job may ask for, in seconds (0 = unlimited).
    pub max_time_secs: u32,
    /// Time limit of jobs that ask for none (0 = unlimited, or max_time if set).
    pub default_time_secs: u32,
}

impl Partition {
    /// The partition used when schedd has no config: every node.
    pub fn everything() -> Partition {
        Partition {
            name: "main".into(),
            nodes: vec!["*".into()],
            default: true,
            up: true,
            max_time_secs: 0,
            default_time_secs: 0,
        }
    }

    /// Whether node `name` belongs to this partition.
    pub fn holds(&self, name: &str) -> bool {
        self.nodes.iter().any(|p| hostlist_match(p, name))
    }

    /// The time limit a job asking for `secs` (0 = nothing) runs with.
    pub fn effective_limit(&self, secs: u32) -> u32 {
        match (secs, self.default_time_secs) {
            (0, 0) => self.max_time_secs,
            (0, d) => d,
            (s, _) => s,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    partition: Vec<PartitionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartitionEntry {
    name: String,
    #[serde(default)]
    nodes: Option<Vec<String>>,
    #[serde(default)]
    default: bool,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    max_time: Option<String>,
    #[serde(default)]
    default_time: Option<String>,
}

/// Parses schedd's TOML config into partitions (at least one; exactly one default).
pub fn parse_config(text: &str) -> Result<Vec<Partition>, String> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| e.to_string())?;
    if file.partition.is_empty() {
        return Ok(vec![Partition::everything()]);
    }
    let mut out: Vec<Partition> = Vec::new();
    for e in file.partition {
        if e.name.is_empty() || e.name.contains([',', ' ']) {
            return Err(format!("invalid partition name '{}'", e.name));
        }
        if out.iter().any(|p| p.name == e.name) {
            return Err(format!("partition '{}' is defined twice", e.name));
        }
        let up = match e.state.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("up") => true,
            Some("down") => false,
            Some(other) => {
                return Err(format!(
                    "partition '{}': state '{other}' is not up or down",
                    e.name
                ))
            }
        };
        let time = |t: &Option<String>, what: &str| match t {
            None => Ok(0),
            Some(t) => {
                parse_time_limit(t).map_err(|m| format!("partition '{}': {what}: {m}", e.name))
            }
        };
        out.push(Partition {
            max_time_secs: time(&e.max_time, "max_time")?,
            default_time_secs: time(&e.default_time, "default_time")?,
            nodes: e.nodes.unwrap_or_else(|| vec!["*".into()]),
            default: e.default,
            up,
            name: e.name,
        });
    }
    match out.iter().filter(|p| p.default).count() {
        0 => out[0].default = true,
        1 => {}
        _ => return Err("more than one partition has default = true".into()),
    }
    Ok(out)
}

/// Matches a node name against a pattern: literal characters, `*` (any run), and
/// Slurm hostlist brackets such as `node[1-4,7]` or `n[01-16]` (zero padding kept).
pub fn hostlist_match(pattern: &str, name: &str) -> bool {
    if pattern == "ALL" {
        return true;
    }
    match_from(pattern.as_bytes(), name.as_bytes())
}

fn match_from(p: &[u8], n: &[u8]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some(b'*') => (0..=n.len()).any(|i| match_from(&p[1..], &n[i..])),
        Some(b'[') => {
            let Some(close) = p.iter().position(|&c| c == b']') else {
                return false;
            };
            let body = std::str::from_utf8(&p[1..close]).unwrap_or("");
            let rest = &p[close + 1..];
            // Try every run of digits at the start of the name.
            let digits = n.iter().take_while(|c| c.is_ascii_digit()).count();
            (1..=digits).any(|len| {
                let num = std::str::from_utf8(&n[..len]).unwrap_or("");
                in_ranges(body, num) && match_from(rest, &n[len..])
            })
        }
        Some(&c) => n.first() == Some(&c) && match_from(&p[1..], &n[1..]),
    }
}

/// Whether the digit string `num` is in a range list like `1-4,07,10-12`.
fn in_ranges(body: &str, num: &str) -> bool {
    let Ok(v) = num.parse::<u64>() else {
        return false;
    };
    body.split(',').any(|part| {
        let (lo, hi) = part.split_once('-').unwrap_or((part, part));
        let padded = lo.len() > 1 && lo.starts_with('0');
        let form_ok = if padded {
            num.len() == lo.len()
        } else {
            num.len() == 1 || !num.starts_with('0')
        };
        form_ok
            && matches!((lo.parse::<u64>(), hi.parse::<u64>()),
                        (Ok(a), Ok(b)) if a <= v && v <= b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostlists_match_ranges_padding_and_wildcards() {
        assert!(hostlist_match("node[1-4,7]", "node3"));
        assert!(hostlist_match("node[1-4,7]", "node7"));
        assert!(!hostlist_match("node[1-4,7]", "node5"));
        assert!(!hostlist_match("node[1-4]", "node12"));
        assert!(hostlist_match("n[01-16]", "n09"));
        assert!(!hostlist_match("n[01-16]", "n9"));
        assert!(hostlist_match("gpu*", "gpu-a"));
        assert!(hostlist_match("*", "anything"));
        assert!(hostlist_match("node1", "node1"));
        assert!(!hostlist_match("node1", "node10"));
        assert!(hostlist_match("r[1-2]n[1-3]", "r2n3"));
    }

    #[test]
    fn configs_define_partitions_with_limits_and_one_default() {
        let parts = parse_config(
            r#"
            [[partition]]
            name = "short"
            nodes = ["n[1-2]"]
            max_time = "30"
            [[partition]]
            name = "long"
            default = true
            state = "DOWN"
            default_time = "1-0"
            "#,
        )
        .unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].max_time_secs, 1800);
        assert!(!parts[0].default && parts[1].default && !parts[1].up);
        assert_eq!(parts[1].nodes, vec!["*".to_string()]);
        assert_eq!(parts[1].effective_limit(0), 86400);
        assert_eq!(parts[0].effective_limit(0), 1800);
        assert_eq!(parts[0].effective_limit(60), 60);
        assert_eq!(parse_config("").unwrap(), vec![Partition::everything()]);
        assert!(parse_config("[[partition]]\nname='a'\nstate='sideways'").is_err());
        assert!(parse_config("[[partition]]\nname='a'\nbogus=1").is_err());
        assert!(parse_config(
            "[[partition]]\nname='a'\ndefault=true\n[[partition]]\nname='b'\ndefault=true"
        )
        .is_err());
    }
}

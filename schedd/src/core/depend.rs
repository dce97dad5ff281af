//! Job dependencies (`fsub -d`), in Slurm's spelling: `after:ID[:ID...]`,
//! `afterany:`, `afterok:`, `afternotok:`, `singleton`; `,` joins conditions that
//! must all hold, `?` conditions of which one must hold (not both in one spec).

use super::job::{JobId, JobRecord, JobState};

/// One condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    /// The job has started (or ended).
    After(JobId),
    /// The job has ended, in any state.
    AfterAny(JobId),
    /// The job completed successfully.
    AfterOk(JobId),
    /// The job ended in any state but success.
    AfterNotOk(JobId),
    /// No earlier job of the same name and user is pending or running.
    Singleton,
}

/// A parsed dependency: all of `conds` (`any` = false) or one of them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dependency {
    /// The conditions.
    pub conds: Vec<Cond>,
    /// `?`-joined: one suffices.
    pub any: bool,
}

/// Where a dependency stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The job may start.
    Satisfied,
    /// Not yet.
    Waiting,
    /// It can no longer be met (Slurm: DependencyNeverSatisfied).
    Never,
}

impl Dependency {
    /// Parses a `-d` spec; an empty spec is no dependency.
    pub fn parse(spec: &str) -> Result<Dependency, String> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Ok(Dependency::default());
        }
        let (any, parts): (bool, Vec<&str>) = match (spec.contains(','), spec.contains('?')) {
            (true, true) => {
                return Err("a dependency joins conditions with ',' or '?', not both".into())
            }
            (_, true) => (true, spec.split('?').collect()),
            _ => (false, spec.split(',').collect()),
        };
        let mut conds = Vec::new();
        for part in parts {
            if part == "singleton" {
                conds.push(Cond::Singleton);
                continue;
            }
            let mut fields = part.split(':');
            let kind = fields.next().unwrap_or_default();
            let ids: Vec<JobId> = fields
                .map(|f| {
                    f.parse::<JobId>()
                        .map_err(|_| format!("invalid job id '{f}' in dependency '{part}'"))
                })
                .collect::<Result<_, _>>()?;
            if ids.is_empty() {
                return Err(format!("dependency '{part}' names no job"));
            }
            for id in ids {
                conds.push(match kind {
                    "after" => Cond::After(id),
                    "afterany" => Cond::AfterAny(id),
                    "afterok" => Cond::AfterOk(id),
                    "afternotok" => Cond::AfterNotOk(id),
                    other => return Err(format!("unknown dependency type '{other}'")),
                });
            }
        }
        Ok(Dependency { conds, any })
    }

    /// Job ids the dependency names.
    pub fn jobs(&self) -> impl Iterator<Item = JobId> + '_ {
        self.conds.iter().filter_map(|c| match c {
            Cond::After(id) | Cond::AfterAny(id) | Cond::AfterOk(id) | Cond::AfterNotOk(id) => {
                Some(*id)
            }
            Cond::Singleton => None,
        })
    }

    /// Evaluates the dependency of `me` against the jobs schedd knows.
    pub fn status<'a>(
        &self,
        me: &JobRecord,
        job: impl Fn(JobId) -> Option<&'a JobRecord>,
        others: impl Iterator<Item = &'a JobRecord>,
    ) -> Status {
        if self.conds.is_empty() {
            return Status::Satisfied;
        }
        let ended = |s: JobState| {
            !matches!(
                s,
                JobState::Pending | JobState::Running | JobState::Completing
            )
        };
        let others: Vec<&JobRecord> = if self.conds.contains(&Cond::Singleton) {
            others.collect()
        } else {
            Vec::new()
        };
        let one = |c: &Cond| -> Status {
            let of = |id: JobId| job(id).map(|j| j.state);
            match c {
                Cond::After(id) => match of(*id) {
                    Some(JobState::Pending) => Status::Waiting,
                    _ => Status::Satisfied,
                },
                Cond::AfterAny(id) => match of(*id) {
                    Some(s) if !ended(s) => Status::Waiting,
                    _ => Status::Satisfied,
                },
                Cond::AfterOk(id) => match of(*id) {
                    Some(JobState::Completed) => Status::Satisfied,
                    Some(s) if !ended(s) => Status::Waiting,
                    _ => Status::Never,
                },
                Cond::AfterNotOk(id) => match of(*id) {
                    Some(JobState::Completed) => Status::Never,
                    Some(s) if !ended(s) => Status::Waiting,
                    _ => Status::Satisfied,
                },
                Cond::Singleton => {
                    let blocked = others.iter().any(|o| {
                        o.id < me.id
                            && o.name() == me.name()
                            && o.request.uid == me.request.uid
                            && !ended(o.state)
                    });
                    if blocked {
                        Status::Waiting
                    } else {
                        Status::Satisfied
                    }
                }
            }
        };
        let results: Vec<Status> = self.conds.iter().map(one).collect();
        if self.any {
            if results.contains(&Status::Satisfied) {
                Status::Satisfied
            } else if results.iter().all(|s| *s == Status::Never) {
                Status::Never
            } else {
                Status::Waiting
            }
        } else if results.contains(&Status::Never) {
            Status::Never
        } else if results.iter().all(|s| *s == Status::Satisfied) {
            Status::Satisfied
        } else {
            Status::Waiting
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_like_slurm() {
        let d = Dependency::parse("afterok:1:2,afterany:3").unwrap();
        assert_eq!(
            d.conds,
            vec![Cond::AfterOk(1), Cond::AfterOk(2), Cond::AfterAny(3)]
        );
        assert!(!d.any);
        let d = Dependency::parse("afternotok:4?singleton").unwrap();
        assert_eq!(d.conds, vec![Cond::AfterNotOk(4), Cond::Singleton]);
        assert!(d.any);
        assert!(Dependency::parse("afterok:1,after:2?after:3").is_err());
        assert!(Dependency::parse("afterwards:1")
            .unwrap_err()
            .contains("unknown"));
        assert!(Dependency::parse("afterok:x")
            .unwrap_err()
            .contains("invalid job id"));
        assert!(Dependency::parse("afterok")
            .unwrap_err()
            .contains("names no job"));
    }
}

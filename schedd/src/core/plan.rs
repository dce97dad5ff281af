//! Looking ahead with the time limits of running jobs: the reservation that EASY
//! backfill protects, and the expected start times `fqueue --start` shows.

use super::placement::{FreeIndex, Shape};
use super::{depend, Cluster, JobId, JobRecord};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// Most placements tried while looking for a reservation (then: no backfill).
const MAX_TRIES: usize = 64;

/// Where and when the first job of a partition that does not fit will start.
#[derive(Debug, Clone)]
pub struct Reservation {
    /// Expected start; None when time limits cannot tell (then nothing may jump ahead).
    start_ms: Option<i64>,
    /// Slots it will take per node.
    take: HashMap<String, u32>,
    /// Free slots per node at `start_ms`, less what backfilled jobs keep past it.
    free_at: HashMap<String, u32>,
}

impl Reservation {
    fn unknown() -> Self {
        Reservation {
            start_ms: None,
            take: HashMap::new(),
            free_at: HashMap::new(),
        }
    }

    /// Whether a job placed on `chosen` with time limit `limit_ms` (0 = none) may
    /// start now without delaying the reservation; if so, books it.
    pub fn admits(&mut self, chosen: &[(String, u32, u32)], limit_ms: i64, now_ms: i64) -> bool {
        let Some(start) = self.start_ms else {
            return false;
        };
        if limit_ms > 0 && now_ms + limit_ms <= start {
            return true;
        }
        let spare = |n: &str| {
            let free = self.free_at.get(n).copied().unwrap_or(0);
            free.saturating_sub(self.take.get(n).copied().unwrap_or(0))
        };
        if chosen.iter().any(|(n, _, c)| spare(n) < *c) {
            return false;
        }
        for (n, _, c) in chosen {
            if let Some(f) = self.free_at.get_mut(n) {
                *f -= c;
            }
        }
        true
    }
}

fn shape(job: &JobRecord) -> Shape {
    Shape {
        ntasks: job.request.ntasks,
        nodes: job.request.nodes,
        per_node: job.request.ntasks_per_node,
    }
}

/// When each running job on partition `pi`'s usable nodes is expected to give
/// its slots back: `(time, node, slots)`, soonest first; `i64::MAX` = never known.
fn releases(c: &Cluster, pi: usize, now_ms: i64) -> Vec<(i64, String, u32)> {
    let mut out = Vec::new();
    for n in c.nodes.values().filter(|n| n.partitions.contains(&pi)) {
        if !(n.up && n.connected && n.drain.is_none()) {
            continue;
        }
        for id in &n.jobs {
            let j = &c.jobs[id];
            let t = if j.end_state.is_some() {
                now_ms
            } else if j.time_limit_secs > 0 {
                (j.start_ms + i64::from(j.time_limit_secs) * 1000).max(now_ms)
            } else {
                i64::MAX
            };
            let slots: u32 = j
                .placement
                .iter()
                .filter(|p| p.node == n.name && !p.released)
                .map(|p| p.ranks.len() as u32)
                .sum();
            out.push((t, n.name.clone(), slots));
        }
    }
    out.sort();
    out
}

/// The reservation of `job`, the first job of partition `pi` that does not fit
/// into `index` now.
pub fn reserve(
    c: &Cluster,
    pi: usize,
    index: &FreeIndex,
    job: &JobRecord,
    now_ms: i64,
) -> Reservation {
    if job.request.exclusive {
        return Reservation::unknown();
    }
    let shape = shape(job);
    let mut free = index.clone();
    let mut total = free.total();
    let events = releases(c, pi, now_ms);
    let mut tries = 0;
    let mut i = 0;
    while i < events.len() && events[i].0 != i64::MAX {
        let t = events[i].0;
        while i < events.len() && events[i].0 == t {
            free.add(&events[i].1, events[i].2);
            total += u64::from(events[i].2);
            i += 1;
        }
        if total < u64::from(shape.ntasks) {
            continue;
        }
        tries += 1;
        if tries > MAX_TRIES {
            break;
        }
        if let Some(chosen) = free.place(shape) {
            return Reservation {
                start_ms: Some(t),
                take: chosen.iter().map(|(n, _, k)| (n.clone(), *k)).collect(),
                free_at: free.iter().map(|(n, f)| (n.to_string(), f)).collect(),
            };
        }
    }
    Reservation::unknown()
}

/// See [`Cluster::expected_starts`].
pub fn expected_starts(c: &Cluster, now_ms: i64, max_jobs: usize) -> HashMap<JobId, i64> {
    let mut out = HashMap::new();
    let index = c.free_indexes();
    for (pi, part) in c.partitions.iter().enumerate() {
        if !part.up {
            continue;
        }
        let mut free = index[pi].clone();
        let mut heap: BinaryHeap<Reverse<(i64, String, u32)>> =
            releases(c, pi, now_ms).into_iter().map(Reverse).collect();
        let mut clock = now_ms;
        let mut seen = 0;
        for &(_, id) in &c.pending {
            let job = &c.jobs[&id];
            if job.partition != part.name {
                continue;
            }
            seen += 1;
            if seen > max_jobs {
                break;
            }
            let waiting = c.deps.get(&id).is_some_and(|d| {
                d.status(job, |j| c.jobs.get(&j), c.jobs.values()) != depend::Status::Satisfied
            });
            if job.held || waiting {
                continue;
            }
            clock = clock.max(job.request.begin_ms);
            let shape = shape(job);
            let chosen = loop {
                while let Some(Reverse((t, _, _))) = heap.peek() {
                    if *t > clock {
                        break;
                    }
                    let Reverse((_, node, slots)) = heap.pop().expect("peeked");
                    free.add(&node, slots);
                }
                let placed = if job.request.exclusive {
                    None
                } else {
                    free.place(shape)
                };
                if let Some(chosen) = placed {
                    break Some(chosen);
                }
                match heap.peek() {
                    Some(Reverse((t, _, _))) if *t != i64::MAX => clock = *t,
                    _ => break None,
                }
            };
            // Everything behind waits on jobs without time limits: no estimates.
            let Some(chosen) = chosen else { break };
            out.insert(id, clock);
            let end = match job.time_limit_secs {
                0 => i64::MAX,
                s => clock + i64::from(s) * 1000,
            };
            for (node, _, slots) in chosen {
                free.set(&node, free.get(&node) - slots);
                heap.push(Reverse((end, node, slots)));
            }
        }
    }
    out
}

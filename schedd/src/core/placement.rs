//! Placing a job's ranks on nodes: pack onto as few nodes as fit (best fit for jobs
//! that fit on one node, largest-free-first otherwise), ranks in contiguous blocks.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

/// A node's capacity as the placer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSlots<'a> {
    /// Node name.
    pub node: &'a str,
    /// Slots not used by running ranks.
    pub free: u32,
}

/// Free slots of a set of nodes, ordered for placement: a job's nodes are found in
/// O(log n + nodes taken), so a scheduling cycle over 10,000 nodes stays cheap.
#[derive(Debug, Clone, Default)]
pub struct FreeIndex {
    // Names are shared between the two maps: updates allocate nothing.
    by_free: BTreeSet<(u32, Rc<str>)>,
    free: HashMap<Rc<str>, u32>,
}

impl FreeIndex {
    /// An empty index.
    pub fn new() -> Self {
        FreeIndex::default()
    }

    /// Sets `node`'s free slots (0 removes it from placement).
    pub fn set(&mut self, node: &str, free: u32) {
        let name = match self.free.get_key_value(node) {
            Some((_, old)) if *old == free => return,
            Some((name, old)) => {
                let name = name.clone();
                self.by_free.remove(&(*old, name.clone()));
                name
            }
            None => Rc::from(node),
        };
        self.free.insert(name.clone(), free);
        if free > 0 {
            self.by_free.insert((free, name));
        }
    }

    /// `node`'s free slots (0 if unknown).
    pub fn get(&self, node: &str) -> u32 {
        self.free.get(node).copied().unwrap_or(0)
    }

    /// Whether `node` belongs to the index.
    pub fn contains(&self, node: &str) -> bool {
        self.free.contains_key(node)
    }

    /// Every node with its free slots, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.free.iter().map(|(n, f)| (&**n, *f))
    }

    /// Adds `slots` to `node`'s free slots.
    pub fn add(&mut self, node: &str, slots: u32) {
        let free = self.get(node) + slots;
        self.set(node, free);
    }

    /// Free slots over all nodes.
    pub fn total(&self) -> u64 {
        self.by_free.iter().map(|(f, _)| u64::from(*f)).sum()
    }

    /// Whether any node has a free slot.
    pub fn any_free(&self) -> bool {
        !self.by_free.is_empty()
    }

    /// Nodes with free slots, most free first, ties by name.
    fn largest_first(&self) -> impl Iterator<Item = (u32, &str)> + '_ {
        let mut rev = self.by_free.iter().rev().peekable();
        let mut group: Vec<(u32, &str)> = Vec::new();
        std::iter::from_fn(move || {
            if group.is_empty() {
                let (f, n) = rev.next()?;
                group.push((*f, &**n));
                while let Some((g, m)) = rev.peek() {
                    if *g != *f {
                        break;
                    }
                    group.push((*g, &**m));
                    rev.next();
                }
                // Names came in descending order: pop from the back yields ascending.
            }
            group.pop()
        })
    }

    /// Chooses nodes for a job of `shape`; `None` if it does not fit now.
    /// Returns `(node, first_rank, count)` per chosen node, ranks in block order.
    pub fn place(&self, shape: Shape) -> Option<Vec<(String, u32, u32)>> {
        let Shape {
            ntasks,
            nodes: want,
            per_node,
        } = shape;
        if ntasks == 0 {
            return None;
        }
        if want == 0 && per_node == 0 {
            // Best fit on a single node: the fullest node that still has room.
            if let Some((_, node)) = self.by_free.range((ntasks, Rc::from(""))..).next() {
                return Some(vec![(node.to_string(), 0, ntasks)]);
            }
            // Otherwise as few nodes as possible: largest free first.
            let mut out = Vec::new();
            let mut next = 0u32;
            for (free, node) in self.largest_first() {
                if next == ntasks {
                    break;
                }
                let take = free.min(ntasks - next);
                out.push((node.to_string(), next, take));
                next += take;
            }
            return (next == ntasks).then_some(out);
        }
        let count = match (want, per_node) {
            (0, k) => ntasks.div_ceil(k),
            (n, _) => n,
        };
        if count == 0 || count > ntasks || count as usize > self.by_free.len() {
            return None;
        }
        // Even blocks: the first ntasks % count nodes get one more.
        let base = ntasks / count;
        let extra = ntasks % count;
        if per_node > 0 && base + u32::from(extra > 0) > per_node {
            return None;
        }
        let mut out = Vec::with_capacity(count as usize);
        let mut next = 0;
        for (i, (free, node)) in self.largest_first().take(count as usize).enumerate() {
            let share = base + u32::from((i as u32) < extra);
            if free < share {
                return None;
            }
            out.push((node.to_string(), next, share));
            next += share;
        }
        Some(out)
    }
}

impl<'a> FromIterator<&'a FreeSlots<'a>> for FreeIndex {
    fn from_iter<I: IntoIterator<Item = &'a FreeSlots<'a>>>(iter: I) -> Self {
        let mut index = FreeIndex::new();
        for n in iter {
            index.set(n.node, n.free);
        }
        index
    }
}

/// Chooses nodes for `ntasks` ranks; `None` if they don't fit now.
pub fn place(nodes: &[FreeSlots<'_>], ntasks: u32) -> Option<Vec<(String, u32, u32)>> {
    place_shaped(
        nodes,
        Shape {
            ntasks,
            nodes: 0,
            per_node: 0,
        },
    )
}

/// What a job asks for: its ranks, and optionally how to spread them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Ranks (-n).
    pub ntasks: u32,
    /// Exactly this many nodes (-N); 0 = as few as fit.
    pub nodes: u32,
    /// At most this many ranks per node (--ntasks-per-node); 0 = any.
    pub per_node: u32,
}

/// Like [`place`], honouring -N and --ntasks-per-node: ranks are split over the
/// nodes in consecutive blocks as evenly as allowed (Slurm's block distribution);
/// the largest blocks go to the nodes with the most free slots.
pub fn place_shaped(nodes: &[FreeSlots<'_>], shape: Shape) -> Option<Vec<(String, u32, u32)>> {
    nodes.iter().collect::<FreeIndex>().place(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(spec: &[(&'static str, u32)]) -> Vec<FreeSlots<'static>> {
        spec.iter()
            .map(|&(node, free)| FreeSlots { node, free })
            .collect()
    }

    #[test]
    fn dash_n_spreads_blocks_over_exactly_that_many_nodes() {
        let n = nodes(&[("a", 8), ("b", 8), ("c", 8)]);
        let shape = |ntasks, nodes, per_node| Shape {
            ntasks,
            nodes,
            per_node,
        };
        assert_eq!(
            place_shaped(&n, shape(7, 3, 0)),
            Some(vec![
                ("a".into(), 0, 3),
                ("b".into(), 3, 2),
                ("c".into(), 5, 2)
            ])
        );
        assert_eq!(
            place_shaped(&n, shape(6, 0, 2)),
            Some(vec![
                ("a".into(), 0, 2),
                ("b".into(), 2, 2),
                ("c".into(), 4, 2)
            ])
        );
        // Four nodes do not exist; 3 per node on 2 nodes cannot hold 7.
        assert_eq!(place_shaped(&n, shape(7, 4, 0)), None);
        assert_eq!(place_shaped(&n, shape(7, 2, 3)), None);
        let busy = nodes(&[("a", 8), ("b", 1)]);
        assert_eq!(place_shaped(&busy, shape(4, 2, 0)), None);
    }

    #[test]
    fn a_job_that_fits_on_one_node_goes_to_the_fullest_that_fits() {
        let n = nodes(&[("a", 8), ("b", 4), ("c", 3)]);
        assert_eq!(place(&n, 4), Some(vec![("b".into(), 0, 4)]));
        assert_eq!(place(&n, 5), Some(vec![("a".into(), 0, 5)]));
    }

    #[test]
    fn a_job_too_big_for_one_node_spans_the_fewest_nodes() {
        let n = nodes(&[("a", 2), ("b", 4), ("c", 3)]);
        assert_eq!(
            place(&n, 6),
            Some(vec![("b".into(), 0, 4), ("c".into(), 4, 2)])
        );
    }

    #[test]
    fn a_job_larger_than_free_capacity_is_not_placed() {
        let n = nodes(&[("a", 2), ("b", 1)]);
        assert_eq!(place(&n, 4), None);
        assert_eq!(place(&[], 1), None);
        assert_eq!(place(&n, 0), None);
    }
}

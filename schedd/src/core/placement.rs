//! Placing a job's ranks on nodes: pack onto as few nodes as fit (best fit for jobs
//! that fit on one node, largest-free-first otherwise), ranks in contiguous blocks.

/// A node's capacity as the placer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSlots<'a> {
    /// Node name.
    pub node: &'a str,
    /// Slots not used by running ranks.
    pub free: u32,
}

/// Chooses nodes for `ntasks` ranks; `None` if they don't fit now.
/// Returns `(node, first_rank, count)` per chosen node, ranks in block order.
pub fn place(nodes: &[FreeSlots<'_>], ntasks: u32) -> Option<Vec<(String, u32, u32)>> {
    if ntasks == 0 {
        return None;
    }
    // Best fit on a single node: the fullest node that still has room.
    if let Some(best) = nodes
        .iter()
        .filter(|n| n.free >= ntasks)
        .min_by(|a, b| a.free.cmp(&b.free).then(a.node.cmp(b.node)))
    {
        return Some(vec![(best.node.to_string(), 0, ntasks)]);
    }
    // Otherwise as few nodes as possible: largest free first.
    let mut order: Vec<&FreeSlots<'_>> = nodes.iter().filter(|n| n.free > 0).collect();
    order.sort_by(|a, b| b.free.cmp(&a.free).then(a.node.cmp(b.node)));
    let mut out = Vec::new();
    let mut next = 0u32;
    for n in order {
        if next == ntasks {
            break;
        }
        let take = n.free.min(ntasks - next);
        out.push((n.node.to_string(), next, take));
        next += take;
    }
    (next == ntasks).then_some(out)
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

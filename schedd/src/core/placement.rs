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
    let Shape {
        ntasks,
        nodes: want,
        per_node,
    } = shape;
    if want == 0 && per_node == 0 {
        return place(nodes, ntasks);
    }
    if ntasks == 0 {
        return None;
    }
    let count = match (want, per_node) {
        (0, k) => ntasks.div_ceil(k),
        (n, _) => n,
    };
    if count == 0 || count > ntasks {
        return None;
    }
    // Even blocks: the first ntasks % count nodes get one more.
    let base = ntasks / count;
    let extra = ntasks % count;
    let shares: Vec<u32> = (0..count).map(|i| base + u32::from(i < extra)).collect();
    if per_node > 0 && shares[0] > per_node {
        return None;
    }
    let mut order: Vec<&FreeSlots<'_>> = nodes.iter().filter(|n| n.free > 0).collect();
    order.sort_by(|a, b| b.free.cmp(&a.free).then(a.node.cmp(b.node)));
    if order.len() < count as usize {
        return None;
    }
    let mut out = Vec::with_capacity(count as usize);
    let mut next = 0;
    for (share, node) in shares.iter().zip(order) {
        if node.free < *share {
            return None;
        }
        out.push((node.node.to_string(), next, *share));
        next += share;
    }
    Some(out)
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

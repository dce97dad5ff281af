//! Groups, communicators and Cartesian topologies (MPI-3.1 chapters 6 and 7).
//!
//! A new communicator needs a context id every member agrees on: members
//! allreduce-MAX their next free id over the parent, so no central allocator is
//! needed; split groups may share an id because their members never address each
//! other. Collectives on a communicator use `ctx + 1`, so ids advance by 2.

use super::abi;
use super::coll::Reduction;
use super::datatype::Prim;
use super::error::{MpiError, MpiResult};
use super::op::Op;
use super::rank::{Comm, MpiRank};
use std::sync::Arc;

/// A group: world ranks in group rank order.
pub type Group = Arc<[u32]>;

/// Cartesian topology attached to a communicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    /// Extent of each dimension.
    pub dims: Vec<i32>,
    /// Whether each dimension wraps around.
    pub periods: Vec<bool>,
}

impl Cart {
    /// Coordinates of a rank (row-major, like MPI).
    pub fn coords(&self, mut rank: i32) -> Vec<i32> {
        let mut c = vec![0; self.dims.len()];
        for i in (0..self.dims.len()).rev() {
            c[i] = rank % self.dims[i];
            rank /= self.dims[i];
        }
        c
    }

    /// Rank of coordinates; out-of-range coordinates wrap in periodic dimensions
    /// and are `None` in the others.
    pub fn rank(&self, coords: &[i32]) -> Option<i32> {
        let mut r = 0;
        for (i, &c) in coords.iter().enumerate() {
            let d = self.dims[i];
            let c = if self.periods[i] { c.rem_euclid(d) } else { c };
            if !(0..d).contains(&c) {
                return None;
            }
            r = r * d + c;
        }
        Some(r)
    }
}

/// MPI_Dims_create: fills the zero entries of `dims` with a balanced factorisation
/// of `nnodes / product(nonzero dims)`, in non-increasing order.
pub fn dims_create(nnodes: i32, dims: &mut [i32]) -> MpiResult<()> {
    if nnodes < 1 || dims.iter().any(|d| *d < 0) {
        return Err(MpiError::new(
            abi::MPI_ERR_DIMS,
            "invalid arguments to MPI_Dims_create",
        ));
    }
    let fixed: i32 = dims.iter().filter(|d| **d > 0).product();
    if nnodes % fixed != 0 {
        return Err(MpiError::new(
            abi::MPI_ERR_DIMS,
            format!("{nnodes} nodes cannot be divided by the fixed dimensions (product {fixed})"),
        ));
    }
    let free = dims.iter().filter(|d| **d == 0).count();
    if free == 0 {
        return if fixed == nnodes {
            Ok(())
        } else {
            Err(MpiError::new(
                abi::MPI_ERR_DIMS,
                "the dimensions do not multiply to nnodes",
            ))
        };
    }
    // Prime factors, largest first, each given to the currently smallest dimension.
    let mut n = nnodes / fixed;
    let mut factors = Vec::new();
    let mut f = 2;
    while f * f <= n {
        while n % f == 0 {
            factors.push(f);
            n /= f;
        }
        f += 1;
    }
    if n > 1 {
        factors.push(n);
    }
    let mut out = vec![1; free];
    for f in factors.into_iter().rev() {
        let smallest = (0..free).min_by_key(|&i| out[i]).expect("free > 0");
        out[smallest] *= f;
    }
    out.sort_unstable_by(|a, b| b.cmp(a));
    let mut it = out.into_iter();
    for d in dims.iter_mut().filter(|d| **d == 0) {
        *d = it.next().expect("one per free dimension");
    }
    Ok(())
}

/// MPI_Group_compare / MPI_Comm_compare result for two member lists.
pub fn compare_groups(a: &[u32], b: &[u32]) -> i32 {
    if a == b {
        abi::MPI_IDENT
    } else {
        let mut x = a.to_vec();
        let mut y = b.to_vec();
        x.sort_unstable();
        y.sort_unstable();
        if x == y {
            abi::MPI_SIMILAR
        } else {
            abi::MPI_UNEQUAL
        }
    }
}

impl MpiRank {
    /// A group by handle.
    pub fn group(&self, h: i32) -> MpiResult<Group> {
        self.groups.get(h).cloned().ok_or_else(|| {
            MpiError::new(abi::MPI_ERR_GROUP, format!("invalid group handle {h:#x}"))
        })
    }

    /// Agrees on a fresh context id with the other members of `parent`.
    fn agree_ctx(&mut self, parent: &Comm) -> MpiResult<u32> {
        let red = Reduction {
            op: Op::Max,
            prim: Prim::U32,
        };
        let mut mine = self.next_ctx.to_le_bytes().to_vec();
        let theirs = self.allreduce_bytes(parent, mine.clone(), red)?;
        mine.copy_from_slice(&theirs);
        let ctx = u32::from_le_bytes(mine.try_into().expect("4 bytes"));
        self.next_ctx = ctx + 2;
        Ok(ctx)
    }

    fn new_comm(&mut self, ctx: u32, group: Group, name: &str, errhandler: i32) -> i32 {
        let rank = group
            .iter()
            .position(|w| *w == self.me)
            .expect("a new communicator contains its creator") as u32;
        self.comms.insert(Comm {
            ctx,
            group,
            rank,
            errhandler,
            name: name.into(),
            cart: None,
        })
    }

    /// MPI_Comm_dup.
    pub fn comm_dup(&mut self, h: i32) -> MpiResult<i32> {
        let parent = self.comm(h)?;
        let ctx = self.agree_ctx(&parent)?;
        let nh = self.new_comm(ctx, parent.group.clone(), "", parent.errhandler);
        if let Some(c) = self.comms.get_mut(nh) {
            c.cart = parent.cart.clone();
        }
        Ok(nh)
    }

    /// MPI_Comm_split: members with the same color form a communicator, ordered by
    /// (key, parent rank); MPI_UNDEFINED gets MPI_COMM_NULL.
    pub fn comm_split(&mut self, h: i32, color: i32, key: i32) -> MpiResult<i32> {
        let parent = self.comm(h)?;
        if color < 0 && color != abi::MPI_UNDEFINED {
            return Err(MpiError::new(
                abi::MPI_ERR_ARG,
                format!("invalid color {color}"),
            ));
        }
        let ctx = self.agree_ctx(&parent)?;
        let mut mine = Vec::with_capacity(8);
        mine.extend_from_slice(&color.to_le_bytes());
        mine.extend_from_slice(&key.to_le_bytes());
        let all = self.allgather_bytes(&parent, mine)?;
        if color == abi::MPI_UNDEFINED {
            return Ok(abi::MPI_COMM_NULL);
        }
        let mut members: Vec<(i32, u32, u32)> = all
            .chunks_exact(8)
            .enumerate()
            .filter_map(|(r, c)| {
                let col = i32::from_le_bytes(c[..4].try_into().expect("4"));
                let k = i32::from_le_bytes(c[4..].try_into().expect("4"));
                (col == color).then_some((k, r as u32, parent.group[r]))
            })
            .collect();
        members.sort_unstable();
        let group: Group = members.iter().map(|m| m.2).collect();
        Ok(self.new_comm(ctx, group, "", parent.errhandler))
    }

    /// MPI_Comm_create: members of `group` get a communicator, others MPI_COMM_NULL.
    pub fn comm_create(&mut self, h: i32, group: Group) -> MpiResult<i32> {
        let parent = self.comm(h)?;
        if group.iter().any(|w| !parent.group.contains(w)) {
            return Err(MpiError::new(
                abi::MPI_ERR_GROUP,
                "the group is not a subset of the communicator's group",
            ));
        }
        let ctx = self.agree_ctx(&parent)?;
        if !group.contains(&self.me) {
            return Ok(abi::MPI_COMM_NULL);
        }
        Ok(self.new_comm(ctx, group, "", parent.errhandler))
    }

    /// MPI_Comm_create_group: collective over the group's members only.
    pub fn comm_create_group(&mut self, h: i32, group: Group, tag: i32) -> MpiResult<i32> {
        let parent = self.comm(h)?;
        MpiRank::check_send_tag(tag)?;
        if !group.contains(&self.me) {
            return Err(MpiError::new(
                abi::MPI_ERR_GROUP,
                "the caller is not a member of the group",
            ));
        }
        if group.iter().any(|w| !parent.group.contains(w)) {
            return Err(MpiError::new(
                abi::MPI_ERR_GROUP,
                "the group is not a subset of the communicator's group",
            ));
        }
        // Agree among the members only, in the parent's collective context with a
        // tag no predefined collective uses.
        let members = Comm {
            ctx: parent.ctx,
            group: group.clone(),
            rank: group.iter().position(|w| *w == self.me).expect("member") as u32,
            errhandler: parent.errhandler,
            name: "".into(),
            cart: None,
        };
        let red = Reduction {
            op: Op::Max,
            prim: Prim::U32,
        };
        let agreed = self.allreduce_bytes_tagged(
            &members,
            self.next_ctx.to_le_bytes().to_vec(),
            red,
            -1000 - tag,
        )?;
        let ctx = u32::from_le_bytes(
            agreed
                .try_into()
                .map_err(|_| MpiError::new(abi::MPI_ERR_INTERN, "bad agreement"))?,
        );
        self.next_ctx = ctx + 2;
        Ok(self.new_comm(ctx, group, "", parent.errhandler))
    }

    /// MPI_Comm_free.
    pub fn comm_free(&mut self, h: i32) -> MpiResult<()> {
        if h == abi::MPI_COMM_WORLD || h == abi::MPI_COMM_SELF {
            return Err(MpiError::new(
                abi::MPI_ERR_COMM,
                "predefined communicators cannot be freed",
            ));
        }
        self.comms.remove(h).map(|_| ()).ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_COMM,
                format!("invalid communicator handle {h:#x}"),
            )
        })
    }

    /// MPI_Comm_compare.
    pub fn comm_compare(&self, a: i32, b: i32) -> MpiResult<i32> {
        let (x, y) = (self.comm(a)?, self.comm(b)?);
        if a == b {
            return Ok(abi::MPI_IDENT);
        }
        Ok(match compare_groups(&x.group, &y.group) {
            abi::MPI_IDENT => abi::MPI_CONGRUENT,
            other => other,
        })
    }

    /// MPI_Cart_create: `dims.len()` dimensions over the first product(dims) ranks.
    pub fn cart_create(&mut self, h: i32, dims: Vec<i32>, periods: Vec<bool>) -> MpiResult<i32> {
        let parent = self.comm(h)?;
        if dims.iter().any(|d| *d <= 0) {
            return Err(MpiError::new(
                abi::MPI_ERR_DIMS,
                format!("invalid dimensions {dims:?}"),
            ));
        }
        let n: i64 = dims.iter().map(|d| *d as i64).product();
        if n > parent.size() as i64 {
            return Err(MpiError::new(
                abi::MPI_ERR_DIMS,
                format!(
                    "a {dims:?} grid needs {n} ranks, the communicator has {}",
                    parent.size()
                ),
            ));
        }
        let ctx = self.agree_ctx(&parent)?;
        if parent.rank as i64 >= n {
            return Ok(abi::MPI_COMM_NULL);
        }
        let group: Group = parent.group[..n as usize].into();
        let nh = self.new_comm(ctx, group, "", parent.errhandler);
        if let Some(c) = self.comms.get_mut(nh) {
            c.cart = Some(Arc::new(Cart { dims, periods }));
        }
        Ok(nh)
    }

    /// The Cartesian topology of a communicator.
    pub fn cart(&self, h: i32) -> MpiResult<(Comm, Arc<Cart>)> {
        let c = self.comm(h)?;
        let cart = c.cart.clone().ok_or_else(|| {
            MpiError::new(
                abi::MPI_ERR_TOPOLOGY,
                "the communicator has no Cartesian topology",
            )
        })?;
        Ok((c, cart))
    }

    /// MPI_Cart_sub: keeps the dimensions with `remain` set.
    pub fn cart_sub(&mut self, h: i32, remain: &[bool]) -> MpiResult<i32> {
        let (c, cart) = self.cart(h)?;
        let me = cart.coords(c.rank as i32);
        // Ranks that agree on the dropped coordinates share a sub-grid: split by them.
        let mut color = 0;
        let mut key = 0;
        for (i, keep) in remain.iter().enumerate() {
            if *keep {
                key = key * cart.dims[i] + me[i];
            } else {
                color = color * cart.dims[i] + me[i];
            }
        }
        let nh = self.comm_split(h, color, key)?;
        let dims: Vec<i32> = cart
            .dims
            .iter()
            .zip(remain)
            .filter(|(_, k)| **k)
            .map(|(d, _)| *d)
            .collect();
        let periods: Vec<bool> = cart
            .periods
            .iter()
            .zip(remain)
            .filter(|(_, k)| **k)
            .map(|(p, _)| *p)
            .collect();
        if let Some(sub) = self.comms.get_mut(nh) {
            sub.cart = Some(Arc::new(Cart { dims, periods }));
        }
        Ok(nh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dims_create_balances_like_mpi() {
        let mut d = [0, 0];
        dims_create(6, &mut d).unwrap();
        assert_eq!(d, [3, 2]);
        let mut d = [0, 0, 0];
        dims_create(8, &mut d).unwrap();
        assert_eq!(d, [2, 2, 2]);
        let mut d = [0, 3, 0];
        dims_create(12, &mut d).unwrap();
        assert_eq!(d, [2, 3, 2]);
        let mut d = [0, 0];
        dims_create(7, &mut d).unwrap();
        assert_eq!(d, [7, 1]);
        assert!(dims_create(7, &mut [2, 0]).is_err());
    }

    #[test]
    fn cartesian_coordinates_round_trip_and_wrap_when_periodic() {
        let c = Cart {
            dims: vec![2, 3],
            periods: vec![false, true],
        };
        assert_eq!(c.coords(5), vec![1, 2]);
        assert_eq!(c.rank(&[1, 2]), Some(5));
        assert_eq!(c.rank(&[1, 3]), Some(3));
        assert_eq!(c.rank(&[2, 0]), None);
    }
}

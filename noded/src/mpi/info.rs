//! MPI_Info objects (MPI-3.1 chapter 9): ordered key/value maps.

use super::abi;
use super::error::{MpiError, MpiResult};
use super::rank::MpiRank;

/// An info object: keys in insertion order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Info {
    entries: Vec<(String, String)>,
}

/// Longest key (mpi.h's MPI_MAX_INFO_KEY).
pub const MAX_INFO_KEY: usize = 255;
/// Longest value (mpi.h's MPI_MAX_INFO_VAL).
pub const MAX_INFO_VAL: usize = 1024;

impl Info {
    /// Sets or replaces a key.
    pub fn set(&mut self, key: &str, value: &str) -> MpiResult<()> {
        if key.is_empty() || key.len() > MAX_INFO_KEY {
            return Err(MpiError::new(
                abi::MPI_ERR_INFO_KEY,
                format!("invalid info key of {} characters", key.len()),
            ));
        }
        if value.is_empty() || value.len() > MAX_INFO_VAL {
            return Err(MpiError::new(
                abi::MPI_ERR_INFO_VALUE,
                format!("invalid info value of {} characters", value.len()),
            ));
        }
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(e) => e.1 = value.to_string(),
            None => self.entries.push((key.to_string(), value.to_string())),
        }
        Ok(())
    }

    /// A key's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Removes a key; MPI_ERR_INFO_NOKEY if absent.
    pub fn delete(&mut self, key: &str) -> MpiResult<()> {
        let before = self.entries.len();
        self.entries.retain(|(k, _)| k != key);
        if self.entries.len() == before {
            return Err(MpiError::new(
                abi::MPI_ERR_INFO_NOKEY,
                format!("info has no key '{key}'"),
            ));
        }
        Ok(())
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The n-th key.
    pub fn nth_key(&self, n: usize) -> Option<&str> {
        self.entries.get(n).map(|(k, _)| k.as_str())
    }
}

impl MpiRank {
    /// An info object by handle (MPI_INFO_ENV is predefined and empty).
    pub fn info(&self, h: i32) -> MpiResult<&Info> {
        self.infos
            .get(h)
            .ok_or_else(|| MpiError::new(abi::MPI_ERR_INFO, format!("invalid info handle {h:#x}")))
    }

    /// Mutable access to a user info object.
    pub fn info_mut(&mut self, h: i32) -> MpiResult<&mut Info> {
        if h == abi::MPI_INFO_ENV {
            return Err(MpiError::new(
                abi::MPI_ERR_INFO,
                "MPI_INFO_ENV cannot be modified",
            ));
        }
        self.infos
            .get_mut(h)
            .ok_or_else(|| MpiError::new(abi::MPI_ERR_INFO, format!("invalid info handle {h:#x}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_insertion_order_and_replace_in_place() {
        let mut i = Info::default();
        i.set("b", "1").unwrap();
        i.set("a", "2").unwrap();
        i.set("b", "3").unwrap();
        assert_eq!(
            (i.len(), i.nth_key(0), i.get("b")),
            (2, Some("b"), Some("3"))
        );
        i.delete("b").unwrap();
        assert_eq!(i.delete("b").unwrap_err().class, abi::MPI_ERR_INFO_NOKEY);
        assert_eq!(i.set("", "x").unwrap_err().class, abi::MPI_ERR_INFO_KEY);
    }
}

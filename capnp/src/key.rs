//! The cluster secret: loading it from a key file, finding that file, and creating
//! one (schedd's first start). See docs/decisions.md, "Authentication".
//!
//! A key file holds the key as text; surrounding whitespace is ignored, so the
//! 64 hex digits fbatch and the Ansible role write, a trailing newline included,
//! are the key as they read. Anything of at least [`MIN_KEY_BYTES`] bytes works.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Where clients and noded look for the key when neither `--secret-file` nor
/// `FBATCH_SECRET_FILE` names one (the Ansible role installs it there).
pub const DEFAULT_KEY_FILE: &str = "/etc/fbatch/cluster.key";

/// The environment variable naming the key file for clients and noded.
pub const KEY_FILE_ENV: &str = "FBATCH_SECRET_FILE";

/// Shortest key accepted, in bytes: a key must not be guessable.
pub const MIN_KEY_BYTES: usize = 16;

/// Random bytes in a generated key (written as twice as many hex digits).
const GENERATED_KEY_BYTES: usize = 32;

/// Errors finding, reading or creating a key file; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// No key file was named and the default one does not exist.
    #[error(
        "no cluster secret: --secret-file not given, {KEY_FILE_ENV} not set, \
         and {DEFAULT_KEY_FILE} does not exist (use --secret-file or {KEY_FILE_ENV})"
    )]
    NotFound,
    /// The key file could not be read.
    #[error("cannot read the cluster secret {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key file holds too little to be a key.
    #[error(
        "the cluster secret {} is too short ({len} bytes; at least {MIN_KEY_BYTES} needed)",
        .path.display()
    )]
    TooShort {
        /// The file.
        path: PathBuf,
        /// Bytes it holds, whitespace trimmed.
        len: usize,
    },
    /// A new key file could not be written.
    #[error("cannot create the cluster secret {}: {source}", .path.display())]
    Create {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The shared secret every daemon and client of a cluster holds.
#[derive(Clone, PartialEq, Eq)]
pub struct ClusterKey(Vec<u8>);

impl std::fmt::Debug for ClusterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClusterKey(<{} bytes>)", self.0.len())
    }
}

impl ClusterKey {
    /// A key from raw bytes (tests; daemons load key files).
    pub fn from_bytes(bytes: &[u8]) -> ClusterKey {
        ClusterKey(bytes.to_vec())
    }

    /// The key's bytes, for the HMAC.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Reads the key file at `path`.
    pub fn load(path: &Path) -> Result<ClusterKey, KeyError> {
        let bytes = std::fs::read(path).map_err(|source| KeyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let key = bytes.trim_ascii();
        if key.len() < MIN_KEY_BYTES {
            return Err(KeyError::TooShort {
                path: path.to_path_buf(),
                len: key.len(),
            });
        }
        Ok(ClusterKey(key.to_vec()))
    }

    /// The key of a client or noded: the file named by `--secret-file` or
    /// `FBATCH_SECRET_FILE` (`named`), else [`DEFAULT_KEY_FILE`] if it exists.
    /// Returns the file it read too.
    pub fn find(named: Option<&Path>) -> Result<(ClusterKey, PathBuf), KeyError> {
        let path = match named {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => {
                let default = PathBuf::from(DEFAULT_KEY_FILE);
                if !default.exists() {
                    return Err(KeyError::NotFound);
                }
                default
            }
        };
        Ok((ClusterKey::load(&path)?, path))
    }

    /// schedd's key without `--secret-file`: `path` if it exists, else a new random
    /// key written there with mode 0400. Returns the key and whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(ClusterKey, bool), KeyError> {
        if path.exists() {
            return Ok((ClusterKey::load(path)?, false));
        }
        let create = |source| KeyError::Create {
            path: path.to_path_buf(),
            source,
        };
        let mut raw = [0u8; GENERATED_KEY_BYTES];
        getrandom::fill(&mut raw).map_err(|e| create(std::io::Error::other(e)))?;
        let text = hex::encode(raw);
        // Written whole under a temporary name, then renamed: a crash leaves either
        // no key file or a complete one, never a truncated key.
        let tmp = path.with_extension(format!("key.tmp{}", std::process::id()));
        let written = (|| {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o400)
                .open(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)?;
            if let Some(dir) = path.parent() {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(create(e));
        }
        Ok((ClusterKey(text.into_bytes()), true))
    }
}

/// A warning if users other than the file's owner and group may read the key
/// file (anyone who can read it can act as any user and node of the cluster).
pub fn permission_warning(path: &Path) -> Option<String> {
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o004 != 0).then(|| {
        format!(
            "the cluster secret {} is readable by every user (mode {:o}); \
             make it 0400 or 0440 with a trusted group",
            path.display(),
            mode & 0o777
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_has_mode_0400_and_loads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cluster.key");
        let (key, created) = ClusterKey::load_or_create(&path).unwrap();
        assert!(created);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o400);
        assert_eq!(key.as_bytes().len(), 2 * GENERATED_KEY_BYTES);
        let (again, created) = ClusterKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(again, key);
        assert_eq!(ClusterKey::load(&path).unwrap(), key);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn whitespace_around_a_key_is_ignored_and_short_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, "  0123456789abcdef0123\n").unwrap();
        assert_eq!(
            ClusterKey::load(&path).unwrap().as_bytes(),
            b"0123456789abcdef0123"
        );
        std::fs::write(&path, "short\n").unwrap();
        let e = ClusterKey::load(&path).unwrap_err().to_string();
        assert!(e.contains("too short (5 bytes"), "{e}");
    }

    #[test]
    fn a_missing_named_file_is_an_error_naming_it() {
        let e = ClusterKey::find(Some(Path::new("/nonexistent/k")))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("cannot read the cluster secret /nonexistent/k"),
            "{e}"
        );
    }

    #[test]
    fn a_key_never_shows_in_debug_output() {
        let k = ClusterKey::from_bytes(b"very secret key bytes");
        assert_eq!(format!("{k:?}"), "ClusterKey(<21 bytes>)");
    }
}

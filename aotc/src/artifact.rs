//! Native artifacts and their integrity record.
//!
//! `Module::deserialize` runs whatever machine code it is given, so fbatch loads
//! only bytes that aotc itself produced from checked wasm. When
//! [`Compiler::compile`](crate::Compiler::compile) produces an artifact it records
//! the artifact's sha256 next to it (in the cache entry, and schedd sends it with
//! the artifact to noded); [`Compiler::load`](crate::Compiler::load), the one place
//! that deserializes, first checks the bytes against that record. Bytes that
//! changed in a cache or on the way (disk corruption, a bug, tampering) are
//! refused, never run.

use sha2::{Digest, Sha256};

/// Marks a cache entry holding `sha256 || artifact` (entries of older builds
/// held the bare artifact and are recompiled).
const RECORD_MAGIC: &[u8; 8] = b"fbart\x00\x00\x01";

/// Bytes before the artifact in a cache entry.
const HEADER_BYTES: usize = RECORD_MAGIC.len() + 32;

/// A native artifact with the sha256 recorded when aotc produced it.
#[derive(Clone, Debug)]
pub struct Artifact {
    bytes: sled::IVec,
    sha256: [u8; 32],
}

/// Why an artifact's bytes are not to be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntegrityError {
    /// The bytes' sha256 differs from the one recorded when aotc produced them.
    #[error("its sha256 is {actual}, not the {recorded} recorded when aotc produced it (corrupted or tampered with)")]
    Mismatch {
        /// What aotc recorded, hex.
        recorded: String,
        /// What the bytes hash to, hex.
        actual: String,
    },
    /// A cache entry without an integrity record (or too short to hold one).
    #[error("the cache entry has no integrity record (written by an older fbatch, or damaged)")]
    NoRecord,
}

impl Artifact {
    /// An artifact aotc just produced: records the sha256 of `bytes`.
    pub(crate) fn produced(bytes: Vec<u8>) -> Artifact {
        let sha256 = Sha256::digest(&bytes).into();
        Artifact {
            bytes: bytes.into(),
            sha256,
        }
    }

    /// Bytes received with the sha256 recorded when aotc produced them (noded
    /// fetching from schedd). Nothing is trusted yet: [`Artifact::verify`] and
    /// [`Compiler::load`](crate::Compiler::load) check the bytes against it.
    pub fn received(bytes: &[u8], recorded_sha256: [u8; 32]) -> Artifact {
        Artifact {
            bytes: bytes.into(),
            sha256: recorded_sha256,
        }
    }

    /// Splits a cache entry into the artifact and its record (unchecked).
    pub(crate) fn from_entry(entry: sled::IVec) -> Result<Artifact, IntegrityError> {
        if entry.len() < HEADER_BYTES || !entry.starts_with(RECORD_MAGIC) {
            return Err(IntegrityError::NoRecord);
        }
        let sha256 = entry[RECORD_MAGIC.len()..HEADER_BYTES]
            .try_into()
            .expect("32 bytes");
        let bytes = entry.subslice(HEADER_BYTES, entry.len() - HEADER_BYTES);
        Ok(Artifact { bytes, sha256 })
    }

    /// The cache entry: magic, recorded sha256, bytes.
    pub(crate) fn to_entry(&self) -> Vec<u8> {
        let mut e = Vec::with_capacity(HEADER_BYTES + self.bytes.len());
        e.extend_from_slice(RECORD_MAGIC);
        e.extend_from_slice(&self.sha256);
        e.extend_from_slice(&self.bytes);
        e
    }

    /// The native code (load it with [`Compiler::load`](crate::Compiler::load)).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The sha256 recorded when aotc produced the artifact.
    pub fn recorded_sha256(&self) -> [u8; 32] {
        self.sha256
    }

    /// Size of the native code.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether there are no bytes (never so for an artifact aotc produced).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Checks the bytes against the recorded sha256.
    pub fn verify(&self) -> Result<(), IntegrityError> {
        let actual: [u8; 32] = Sha256::digest(&self.bytes).into();
        if actual == self.sha256 {
            Ok(())
        } else {
            Err(IntegrityError::Mismatch {
                recorded: hex::encode(self.sha256),
                actual: hex::encode(actual),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_round_trips_and_a_flipped_byte_fails_verification() {
        let a = Artifact::produced(b"\x7fELF native code".to_vec());
        assert!(a.verify().is_ok());
        let mut entry = a.to_entry();
        let back = Artifact::from_entry(entry.clone().into()).unwrap();
        assert_eq!(back.bytes(), a.bytes());
        assert!(back.verify().is_ok());
        *entry.last_mut().unwrap() ^= 1;
        let bad = Artifact::from_entry(entry.into()).unwrap();
        assert!(matches!(bad.verify(), Err(IntegrityError::Mismatch { .. })));
    }

    #[test]
    fn a_bare_artifact_of_an_older_build_has_no_record() {
        let old: sled::IVec = b"\x7fELF...................................."
            .to_vec()
            .into();
        assert_eq!(
            Artifact::from_entry(old).unwrap_err(),
            IntegrityError::NoRecord
        );
    }

    #[test]
    fn received_bytes_must_match_the_hash_sent_with_them() {
        let a = Artifact::produced(b"code".to_vec());
        assert!(Artifact::received(b"code", a.recorded_sha256())
            .verify()
            .is_ok());
        assert!(Artifact::received(b"c0de", a.recorded_sha256())
            .verify()
            .is_err());
    }
}

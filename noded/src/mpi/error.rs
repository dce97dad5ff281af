//! MPI errors (one-to-one with the `MPI_ERR_*` classes) and the ways a rank's
//! execution can be ended from inside an MPI call.

use super::abi;

/// An MPI error: its class and a message naming what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpiError {
    /// `MPI_ERR_*` class, or [`MpiError::STOPPED`].
    pub class: i32,
    /// What went wrong (without the call name; the adapter adds it).
    pub msg: String,
}

/// Result of an MPI operation.
pub type MpiResult<T> = Result<T, MpiError>;

impl MpiError {
    /// Not an MPI class: the job is being torn down and the rank must unwind.
    pub const STOPPED: i32 = i32::MIN;

    /// An error of `class`.
    pub fn new(class: i32, msg: impl Into<String>) -> MpiError {
        MpiError {
            class,
            msg: msg.into(),
        }
    }

    /// The job was stopped (cancel, time limit, another rank's failure).
    pub fn stopped() -> MpiError {
        MpiError::new(Self::STOPPED, "job stopped")
    }

    /// True for [`MpiError::stopped`].
    pub fn is_stopped(&self) -> bool {
        self.class == Self::STOPPED
    }
}

/// `MPI_ERR_ARG` shorthand.
pub fn err_arg(msg: impl Into<String>) -> MpiError {
    MpiError::new(abi::MPI_ERR_ARG, msg)
}

/// The name of an error class (`MPI_ERR_BUFFER`), for messages and MPI_Error_string.
pub fn class_name(class: i32) -> &'static str {
    match class {
        abi::MPI_SUCCESS => "MPI_SUCCESS",
        abi::MPI_ERR_BUFFER => "MPI_ERR_BUFFER",
        abi::MPI_ERR_COUNT => "MPI_ERR_COUNT",
        abi::MPI_ERR_TYPE => "MPI_ERR_TYPE",
        abi::MPI_ERR_TAG => "MPI_ERR_TAG",
        abi::MPI_ERR_COMM => "MPI_ERR_COMM",
        abi::MPI_ERR_RANK => "MPI_ERR_RANK",
        abi::MPI_ERR_REQUEST => "MPI_ERR_REQUEST",
        abi::MPI_ERR_ROOT => "MPI_ERR_ROOT",
        abi::MPI_ERR_GROUP => "MPI_ERR_GROUP",
        abi::MPI_ERR_OP => "MPI_ERR_OP",
        abi::MPI_ERR_TOPOLOGY => "MPI_ERR_TOPOLOGY",
        abi::MPI_ERR_DIMS => "MPI_ERR_DIMS",
        abi::MPI_ERR_ARG => "MPI_ERR_ARG",
        abi::MPI_ERR_UNKNOWN => "MPI_ERR_UNKNOWN",
        abi::MPI_ERR_TRUNCATE => "MPI_ERR_TRUNCATE",
        abi::MPI_ERR_OTHER => "MPI_ERR_OTHER",
        abi::MPI_ERR_INTERN => "MPI_ERR_INTERN",
        abi::MPI_ERR_IN_STATUS => "MPI_ERR_IN_STATUS",
        abi::MPI_ERR_PENDING => "MPI_ERR_PENDING",
        abi::MPI_ERR_INFO_KEY => "MPI_ERR_INFO_KEY",
        abi::MPI_ERR_INFO_NOKEY => "MPI_ERR_INFO_NOKEY",
        abi::MPI_ERR_INFO_VALUE => "MPI_ERR_INFO_VALUE",
        abi::MPI_ERR_INFO => "MPI_ERR_INFO",
        abi::MPI_ERR_NO_MEM => "MPI_ERR_NO_MEM",
        abi::MPI_ERR_WIN => "MPI_ERR_WIN",
        abi::MPI_ERR_RMA_SYNC => "MPI_ERR_RMA_SYNC",
        abi::MPI_ERR_RMA_RANGE => "MPI_ERR_RMA_RANGE",
        abi::MPI_ERR_RMA_FLAVOR => "MPI_ERR_RMA_FLAVOR",
        abi::MPI_ERR_DISP => "MPI_ERR_DISP",
        abi::MPI_ERR_SIZE => "MPI_ERR_SIZE",
        abi::MPI_ERR_LOCKTYPE => "MPI_ERR_LOCKTYPE",
        abi::MPI_ERR_RMA_ATTACH => "MPI_ERR_RMA_ATTACH",
        abi::MPI_ERR_RMA_SHARED => "MPI_ERR_RMA_SHARED",
        _ => "MPI_ERR_UNKNOWN",
    }
}

/// MPI_Error_class: fbatch's error codes are their classes.
pub fn error_class(code: i32) -> MpiResult<i32> {
    if (0..=abi::MPI_ERR_RMA_FLAVOR).contains(&code) {
        Ok(code)
    } else {
        Err(MpiError::new(
            abi::MPI_ERR_ARG,
            format!("invalid error code {code}"),
        ))
    }
}

/// MPI_Error_string: the class name and what it means.
pub fn error_string(code: i32) -> MpiResult<String> {
    let class = error_class(code)?;
    let what = match class {
        abi::MPI_SUCCESS => "no error",
        abi::MPI_ERR_BUFFER => "invalid buffer pointer",
        abi::MPI_ERR_COUNT => "invalid count argument",
        abi::MPI_ERR_TYPE => "invalid datatype",
        abi::MPI_ERR_TAG => "invalid tag",
        abi::MPI_ERR_COMM => "invalid communicator",
        abi::MPI_ERR_RANK => "invalid rank",
        abi::MPI_ERR_REQUEST => "invalid request",
        abi::MPI_ERR_ROOT => "invalid root",
        abi::MPI_ERR_GROUP => "invalid group",
        abi::MPI_ERR_OP => "invalid reduce operation",
        abi::MPI_ERR_TOPOLOGY => "invalid topology",
        abi::MPI_ERR_DIMS => "invalid dimension argument",
        abi::MPI_ERR_ARG => "invalid argument of some other kind",
        abi::MPI_ERR_TRUNCATE => "message truncated",
        abi::MPI_ERR_OTHER => "known error not in this list",
        abi::MPI_ERR_INTERN => "internal error",
        abi::MPI_ERR_IN_STATUS => "error code is in status",
        abi::MPI_ERR_PENDING => "pending request",
        abi::MPI_ERR_INFO_KEY => "invalid info key",
        abi::MPI_ERR_INFO_NOKEY => "info key not defined",
        abi::MPI_ERR_INFO_VALUE => "invalid info value",
        abi::MPI_ERR_INFO => "invalid info object",
        abi::MPI_ERR_NO_MEM => "out of memory",
        abi::MPI_ERR_WIN => "invalid window",
        abi::MPI_ERR_RMA_SYNC => "wrong synchronization of RMA calls",
        abi::MPI_ERR_RMA_RANGE => "target memory is not part of the window",
        abi::MPI_ERR_RMA_FLAVOR => "wrong type of window for this call",
        abi::MPI_ERR_DISP => "invalid displacement unit",
        abi::MPI_ERR_SIZE => "invalid size",
        abi::MPI_ERR_LOCKTYPE => "invalid lock type",
        abi::MPI_ERR_RMA_ATTACH => "memory cannot be attached",
        abi::MPI_ERR_RMA_SHARED => "memory cannot be shared",
        _ => "unknown error",
    };
    Ok(format!("{}: {what}", class_name(class)))
}

/// Why a rank's wasm execution was ended from a host call. Carried inside the
/// `wasmtime::Error` a host function returns, and classified when `_start` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RankExit {
    /// The job was stopped from outside (cancel, time limit, another rank failed).
    Stopped,
    /// An MPI error under `MPI_ERRORS_ARE_FATAL`: the message names call and class.
    Fatal {
        /// The error class (becomes the exit code, like OpenMPI's abort).
        class: i32,
        /// `MPI_Send: MPI_ERR_BUFFER: ...`.
        msg: String,
    },
    /// The program called `MPI_Abort`.
    Abort {
        /// The errorcode argument.
        code: i32,
        /// Describes the call.
        msg: String,
    },
}

impl std::fmt::Display for RankExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RankExit::Stopped => write!(f, "job stopped"),
            RankExit::Fatal { msg, .. } | RankExit::Abort { msg, .. } => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for RankExit {}

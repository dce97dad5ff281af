//! Import checking: a module may import only WASI preview 1 functions that
//! wasmtime-wasi provides and the `"mpi"` functions of [`crate::abi`], each with
//! the right type. Anything else is listed by name so the user knows what to fix.

use std::collections::HashMap;
use wasmtime::wasmparser::{CompositeInnerType, Parser, Payload, TypeRef, ValType};

/// What a module imports and exports that matters for running it.
#[derive(Debug, Default)]
pub struct ModuleShape {
    /// `(module, name, signature)` of every function import.
    pub func_imports: Vec<(String, String, String)>,
    /// Non-function imports (memories, tables, globals, tags), as `module.name`.
    pub other_imports: Vec<String>,
    /// Names of exported functions.
    pub func_exports: Vec<String>,
    /// Whether the module exports a memory named `memory`.
    pub exports_memory: bool,
}

fn val_letter(v: &ValType) -> char {
    match v {
        ValType::I32 => 'i',
        ValType::I64 => 'I',
        ValType::F32 => 'f',
        ValType::F64 => 'F',
        ValType::V128 => 'v',
        ValType::Ref(_) => 'r',
    }
}

/// Renders a function type in [`crate::abi`]'s `params:results` notation.
pub fn signature(params: &[ValType], results: &[ValType]) -> String {
    let p: String = params.iter().map(val_letter).collect();
    let r: String = results.iter().map(val_letter).collect();
    format!("{p}:{r}")
}

/// Reads the imports and exports of a wasm binary. Fails on a malformed binary.
pub fn module_shape(wasm: &[u8]) -> Result<ModuleShape, wasmtime::wasmparser::BinaryReaderError> {
    let mut types: Vec<Option<String>> = Vec::new();
    let mut shape = ModuleShape::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group?.into_types() {
                        types.push(match &sub.composite_type.inner {
                            CompositeInnerType::Func(ft) => {
                                Some(signature(ft.params(), ft.results()))
                            }
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    match import.ty {
                        TypeRef::Func(idx) | TypeRef::FuncExact(idx) => {
                            let sig = types
                                .get(idx as usize)
                                .cloned()
                                .flatten()
                                .unwrap_or_else(|| "?".into());
                            shape.func_imports.push((
                                import.module.to_string(),
                                import.name.to_string(),
                                sig,
                            ));
                        }
                        _ => shape
                            .other_imports
                            .push(format!("{}.{}", import.module, import.name)),
                    }
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    match export.kind {
                        wasmtime::wasmparser::ExternalKind::Func
                        | wasmtime::wasmparser::ExternalKind::FuncExact => {
                            shape.func_exports.push(export.name.to_string())
                        }
                        wasmtime::wasmparser::ExternalKind::Memory if export.name == "memory" => {
                            shape.exports_memory = true
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(shape)
}

/// The host functions a guest may import besides MPI: `(module, name) -> signature`.
pub type HostFunctions = HashMap<(String, String), String>;

/// Lists the problems with a module's imports; empty means it can run on noded.
pub fn import_problems(shape: &ModuleShape, wasi: &HostFunctions) -> Vec<String> {
    let mut problems = Vec::new();
    for (module, name, sig) in &shape.func_imports {
        let expected = if module == crate::abi::MPI_MODULE {
            crate::abi::lookup(name).map(|f| f.sig.to_string())
        } else {
            wasi.get(&(module.clone(), name.clone())).cloned()
        };
        match expected {
            None if module == crate::abi::MPI_MODULE => {
                problems.push(format!("{name} (not implemented by fbatch)"))
            }
            None => problems.push(format!("{module}.{name} (unknown import)")),
            Some(e) if &e != sig => problems.push(format!(
                "{module}.{name} (type {sig} does not match fbatch's {e}; was it declared by hand instead of with fbatch's mpi.h?)"
            )),
            Some(_) => {}
        }
    }
    for other in &shape.other_imports {
        problems.push(format!("{other} (only functions may be imported)"));
    }
    problems
}

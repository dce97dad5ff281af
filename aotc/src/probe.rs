//! Loop probes: how noded stops a rank that computes without calling MPI.
//!
//! Before compilation every module gets one extra linear memory of one page,
//! exported as [`PROBE_EXPORT`], which nothing but the probes touches, and every
//! `loop` gets a load from it at its header (`i32.load`, result dropped). To stop
//! a rank (time limit, fcancel, a failed peer) noded makes that page
//! inaccessible with `mprotect`: the rank's next loop iteration faults, wasmtime
//! turns the fault into a trap, and the rank unwinds. A load that hits the cache
//! costs far less than wasmtime's epoch check (a load, a compare and a branch per
//! loop header, plus the registers they hold), which doubled tight loops
//! (docs/performance.md). Code without loops always reaches a loop, a call into
//! the host or its end, so loops are the only place a rank can run forever.
//!
//! Each loop of a function probes its own 4-byte slot of the page, so Cranelift
//! never merges a nested loop's probe with its parent's (redundant-load
//! elimination would otherwise leave a store-free inner loop without one). The
//! host never reads or writes the probe memory, so revoking it cannot fault host
//! code (unlike revoking the program's own memory, which MPI calls and
//! `memory.copy` touch from the host).

use wasm_encoder::reencode::{utils, Reencode};
use wasm_encoder::{
    CodeSection, ExportKind, ExportSection, Instruction, MemArg, MemorySection, MemoryType, Module,
    SectionId,
};
use wasmparser::{FunctionBody, Operator, Parser, Payload, TypeRef};

/// The export name of the probe memory.
pub const PROBE_EXPORT: &str = "__fbatch_loop_probe";

/// Bytes of the probe memory noded protects (one 64 KiB wasm page).
pub const PROBE_BYTES: usize = 65536;

/// Returns `wasm` with the probe memory and a probe at every loop header.
/// `wasm` must be valid.
pub fn instrument(wasm: &[u8]) -> Result<Vec<u8>, String> {
    let mut memories = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(s) => {
                for imp in s.into_imports() {
                    if matches!(imp.map_err(|e| e.to_string())?.ty, TypeRef::Memory(_)) {
                        memories += 1;
                    }
                }
            }
            Payload::MemorySection(s) => memories += s.count(),
            Payload::ExportSection(s) => {
                for e in s {
                    if e.map_err(|e| e.to_string())?.name == PROBE_EXPORT {
                        return Err(format!("the module already exports `{PROBE_EXPORT}`"));
                    }
                }
            }
            _ => {}
        }
    }
    let mut probes = Probes {
        memory: memories,
        loops: 0,
        memory_done: false,
        export_done: false,
    };
    let mut module = Module::new();
    probes
        .parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| e.to_string())?;
    Ok(module.finish())
}

struct Probes {
    /// Index of the probe memory (after every memory of the module).
    memory: u32,
    /// Loops instrumented so far (picks each probe's slot).
    loops: u32,
    memory_done: bool,
    export_done: bool,
}

impl Probes {
    fn probe_memory(&mut self, memories: &mut MemorySection) {
        memories.memory(MemoryType {
            minimum: 1,
            maximum: Some(1),
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        self.memory_done = true;
    }

    fn probe_export(&mut self, exports: &mut ExportSection) {
        exports.export(PROBE_EXPORT, ExportKind::Memory, self.memory);
        self.export_done = true;
    }
}

/// Position of a section in the order a module must have them.
fn order(id: SectionId) -> u8 {
    match id {
        SectionId::Custom => 0,
        SectionId::Type => 1,
        SectionId::Import => 2,
        SectionId::Function => 3,
        SectionId::Table => 4,
        SectionId::Memory => 5,
        SectionId::Tag => 6,
        SectionId::Global => 7,
        SectionId::Export => 8,
        SectionId::Start => 9,
        SectionId::Element => 10,
        SectionId::DataCount => 11,
        SectionId::Code => 12,
        SectionId::Data => 13,
    }
}

impl Reencode for Probes {
    type Error = std::convert::Infallible;

    fn parse_memory_section(
        &mut self,
        memories: &mut MemorySection,
        section: wasmparser::MemorySectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        utils::parse_memory_section(self, memories, section)?;
        self.probe_memory(memories);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        utils::parse_export_section(self, exports, section)?;
        self.probe_export(exports);
        Ok(())
    }

    /// Adds the memory or export section where the module has none.
    fn intersperse_section_hook(
        &mut self,
        module: &mut Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        let passing = |id: SectionId| before.is_none_or(|b| order(b) > order(id));
        if !self.memory_done && passing(SectionId::Memory) {
            let mut memories = MemorySection::new();
            self.probe_memory(&mut memories);
            module.section(&memories);
        }
        if !self.export_done && passing(SectionId::Export) {
            let mut exports = ExportSection::new();
            self.probe_export(&mut exports);
            module.section(&exports);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        func: FunctionBody<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        let mut f = self.new_function_with_parsed_locals(&func)?;
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            let is_loop = matches!(op, Operator::Loop { .. });
            f.instruction(&self.instruction(op)?);
            if is_loop {
                let slot = self.loops % (PROBE_BYTES as u32 / 4);
                self.loops += 1;
                f.instruction(&Instruction::I32Const(0));
                f.instruction(&Instruction::I32Load(MemArg {
                    offset: u64::from(4 * slot),
                    align: 2,
                    memory_index: self.memory,
                }));
                f.instruction(&Instruction::Drop);
            }
        }
        code.function(&f);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probed_loads(wasm: &[u8]) -> Vec<(u32, u64)> {
        let mut out = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::CodeSectionEntry(body) = payload.unwrap() {
                let mut ops = body.get_operators_reader().unwrap();
                while !ops.eof() {
                    if let Operator::I32Load { memarg } = ops.read().unwrap() {
                        out.push((memarg.memory, memarg.offset));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_loop_gets_its_own_probe_in_the_extra_memory() {
        let wasm = wat::parse_str(
            r#"(module
                 (memory (export "memory") 1)
                 (func (export "_start") (local i32)
                   (loop $outer
                     (loop $inner (br_if $inner (local.get 0)))
                     (br_if $outer (i32.load (i32.const 8))))))"#,
        )
        .unwrap();
        let out = instrument(&wasm).unwrap();
        wasmparser::Validator::new().validate_all(&out).unwrap();
        // the program's own load stays on memory 0; each loop probes memory 1
        assert_eq!(probed_loads(&out), vec![(1, 0), (1, 4), (0, 0)]);
        let engine = crate::new_engine().unwrap();
        let module = wasmtime::Module::new(&engine, &out).unwrap();
        assert!(module.get_export(PROBE_EXPORT).is_some());
    }

    #[test]
    fn a_module_with_an_imported_memory_gets_the_sections_it_lacks() {
        let wasm =
            wat::parse_str(r#"(module (import "env" "memory" (memory 1)) (func (loop)))"#).unwrap();
        let out = instrument(&wasm).unwrap();
        wasmparser::Validator::new().validate_all(&out).unwrap();
        assert_eq!(probed_loads(&out), vec![(1, 0)]);
    }

    #[test]
    fn a_module_exporting_the_probe_name_is_refused() {
        let wasm = wat::parse_str(r#"(module (memory (export "__fbatch_loop_probe") 1))"#).unwrap();
        assert!(instrument(&wasm).unwrap_err().contains(PROBE_EXPORT));
    }
}

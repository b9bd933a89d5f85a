//! Rewrites the CPython module before compilation: a bigger, overflow-checked C stack and a matching
//! C recursion limit, so memoized recursion (`functools.cache`) behaves as it does natively.
//!
//! Why: the runtime was linked with `--stack-first` and a 512 KiB C stack at linear addresses
//! `[0, 512 KiB)`; `__stack_pointer` (global 0) starts at its top. The build is unoptimized, so a
//! recursion level through a C-implemented callable (the `lru_cache` wrapper: ~12 C frames) costs
//! ~9 KiB of that stack; after ~100 levels the pointer wraps below 0 and the guest traps with "out of
//! bounds memory access". Pure-Python recursion is unaffected (3.12 does not recurse in C for it).
//! CPython's own guard, `C_RECURSION_LIMIT` (500 on WASI, 3 per `lru_cache` level), would fire at
//! ~166 levels, far below what native CPython allows.
//!
//! The rewrite, all of it verified against the module's shape first:
//! 1. The stack moves to a fresh region appended after the initial memory (`stack_bytes` long):
//!    the memory's minimum grows by that much and global 0 starts at the region's top. The allocator
//!    keeps working: `sbrk` grows memory past the region and dlmalloc copes with the gap.
//! 2. Overflow can no longer wrap into a trap, so every `global.set 0` is followed by a check that
//!    traps (`unreachable`) when the new pointer lies below the region (what Emscripten's
//!    `STACK_OVERFLOW_CHECK` and binaryen's `--stack-check` add). The check is inline: as a call it
//!    cost 30-50% of interpreter speed, since the unoptimized build moves the stack pointer in
//!    nearly every function. The pointer and the limit are exported as globals
//!    ([`STACK_POINTER_EXPORT`], [`STACK_LIMIT_EXPORT`]) so the host can tell this trap from others
//!    and see that a module was rewritten.
//! 3. `init_threadstate`'s `tstate->c_recursion_remaining = 500` (an `i32.const 500` stored at offset
//!    24, unique in the module) gets `c_recursion_limit`, sized so that RecursionError normally comes
//!    before the stack check.
//!
//! Custom sections (12 MB of DWARF whose offsets the rewrite would invalidate) are dropped.

use wasm_encoder::{
    ConstExpr, GlobalSection, GlobalType, MemorySection, MemoryType, RawSection, ValType,
};
use wasmparser::{BinaryReader, Global, Operator, Parser, Payload, TypeRef};

/// Export names of the stack pointer (global 0) and of the lowest value the check allows.
pub(crate) const STACK_POINTER_EXPORT: &str = "qwen_lsp_stack_pointer";
pub(crate) const STACK_LIMIT_EXPORT: &str = "qwen_lsp_stack_limit";
/// The memory offset of `c_recursion_remaining` in CPython 3.12's `PyThreadState` (wasm32).
const C_RECURSION_REMAINING_OFFSET: u64 = 24;
/// `C_RECURSION_LIMIT` as CPython 3.12 defines it for WASI.
const WASI_C_RECURSION_LIMIT: i32 = 500;
/// Room left under the stack check: leaf functions may use 128 bytes below the stack pointer
/// without moving it (LLVM's wasm red zone).
const STACK_CHECK_MARGIN: u32 = 4096;
const PAGE: u64 = 65536;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PatchOptions {
    /// Size of the relocated C stack; a multiple of 64 KiB.
    pub stack_bytes: u32,
    /// New value of CPython's C recursion limit.
    pub c_recursion_limit: i32,
}

#[derive(Debug)]
pub(crate) struct Patched {
    pub wasm: Vec<u8>,
    /// Whether the C recursion limit was found (exactly once) and raised.
    pub c_recursion_limit_raised: bool,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum PatchError {
    #[error("malformed module: {0}")]
    Parse(#[from] wasmparser::BinaryReaderError),
    #[error("unexpected module layout: {0}")]
    Layout(&'static str),
}

/// Applies the rewrite described in the module docs.
pub(crate) fn patch(wasm: &[u8], opts: PatchOptions) -> Result<Patched, PatchError> {
    if opts.stack_bytes == 0 || u64::from(opts.stack_bytes) % PAGE != 0 {
        return Err(PatchError::Layout(
            "stack size must be a positive multiple of 64 KiB",
        ));
    }
    let shape = Shape::read(wasm)?;
    let region_start = shape.memory_min_pages * PAGE;
    let stack_top = i32::try_from(region_start + u64::from(opts.stack_bytes))
        .map_err(|_| PatchError::Layout("relocated stack would not fit in 2 GiB"))?;
    // Below `stack_top`, so it fits in an i32 too.
    let stack_limit = (region_start as i32) + STACK_CHECK_MARGIN as i32;
    let check = stack_check(stack_limit);

    let mut module = wasm_encoder::Module::new();
    let mut c_limit_sites = 0usize;
    let mut code: Option<(Vec<u8>, u32)> = None;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::Version { .. } | Payload::End(_) | Payload::CustomSection(_) => {}
            Payload::MemorySection(reader) => {
                let mut memories = MemorySection::new();
                for memory in reader {
                    let memory = memory?;
                    let minimum = memory.initial + u64::from(opts.stack_bytes) / PAGE;
                    memories.memory(MemoryType {
                        minimum,
                        maximum: memory.maximum.map(|max| max.max(minimum)),
                        memory64: memory.memory64,
                        shared: memory.shared,
                        page_size_log2: memory.page_size_log2,
                    });
                }
                module.section(&memories);
            }
            Payload::GlobalSection(reader) => {
                let data = &wasm[reader.range()];
                let mut r = BinaryReader::new(data, 0);
                let count = r.read_var_u32()?;
                let _stack_pointer: Global<'_> = r.read()?;
                let mut globals = GlobalSection::new();
                let i32_global = |mutable| GlobalType {
                    val_type: ValType::I32,
                    mutable,
                    shared: false,
                };
                globals.global(i32_global(true), &ConstExpr::i32_const(stack_top));
                for _ in 1..count {
                    let start = r.original_position();
                    let _: Global<'_> = r.read()?;
                    globals.raw(&data[start..r.original_position()]);
                }
                // The limit, as global `count`, only for the host to read.
                globals.global(i32_global(false), &ConstExpr::i32_const(stack_limit));
                module.section(&globals);
            }
            Payload::ExportSection(reader) => {
                let mut exports = Vec::new();
                for (name, index) in [
                    (STACK_POINTER_EXPORT, 0),
                    (STACK_LIMIT_EXPORT, shape.globals),
                ] {
                    leb128_u32(&mut exports, name.len() as u32);
                    exports.extend_from_slice(name.as_bytes());
                    exports.push(0x03); // a global
                    leb128_u32(&mut exports, index);
                }
                let section = append_entries(&wasm[reader.range()], 2, &exports)?;
                module.section(&RawSection {
                    id: 7,
                    data: &section,
                });
            }
            Payload::CodeSectionStart { count, .. } => code = Some((Vec::new(), count)),
            Payload::CodeSectionEntry(body) => {
                let Some((bodies, count)) = &mut code else {
                    return Err(PatchError::Layout("code entry outside the code section"));
                };
                let (rewritten, sites) = rewrite_body(wasm, &body, &check, opts.c_recursion_limit)?;
                c_limit_sites += sites;
                leb128_u32(bodies, rewritten.len() as u32);
                bodies.extend_from_slice(&rewritten);
                *count -= 1;
                if *count == 0 {
                    let mut section = Vec::with_capacity(bodies.len() + 5);
                    leb128_u32(&mut section, shape.defined_funcs);
                    section.extend_from_slice(bodies);
                    module.section(&RawSection {
                        id: 10,
                        data: &section,
                    });
                }
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    module.section(&RawSection {
                        id,
                        data: &wasm[range],
                    });
                }
            }
        }
    }
    Ok(Patched {
        wasm: module.finish(),
        c_recursion_limit_raised: c_limit_sites == 1,
    })
}

/// The bytes that follow each `global.set 0`: `global.get 0; i32.const limit; i32.lt_u;
/// if; unreachable; end`. Checking after the store is as safe as before it: nothing runs between
/// the two, and the trap ends the instance.
fn stack_check(limit: i32) -> Vec<u8> {
    let mut check = vec![0x23, 0x00, 0x41];
    leb128_i32(&mut check, limit);
    check.extend_from_slice(&[0x49, 0x04, 0x40, 0x00, 0x0b]);
    check
}

/// What the rewrite needs to know before it starts, and the checks that it is safe.
struct Shape {
    defined_funcs: u32,
    /// Number of globals (all defined: imported globals are rejected).
    globals: u32,
    memory_min_pages: u64,
}

impl Shape {
    fn read(wasm: &[u8]) -> Result<Shape, PatchError> {
        let mut shape = Shape {
            defined_funcs: 0,
            globals: 0,
            memory_min_pages: 0,
        };
        let (mut memories, mut stack_pointer_ok, mut has_exports) = (0, false, false);
        for payload in Parser::new(0).parse_all(wasm) {
            match payload? {
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        match import?.ty {
                            TypeRef::Memory(_) => {
                                return Err(PatchError::Layout("imported memory"));
                            }
                            TypeRef::Global(_) => {
                                return Err(PatchError::Layout("imported globals"));
                            }
                            _ => {}
                        }
                    }
                }
                Payload::FunctionSection(reader) => shape.defined_funcs = reader.count(),
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        let memory = memory?;
                        memories += 1;
                        if memory.memory64 || memory.shared || memory.page_size_log2.is_some() {
                            return Err(PatchError::Layout("unsupported memory type"));
                        }
                        shape.memory_min_pages = memory.initial;
                    }
                }
                Payload::GlobalSection(reader) => {
                    shape.globals = reader.count();
                    if let Some(first) = reader.into_iter().next() {
                        let global = first?;
                        let init = match global.init_expr.get_operators_reader().read()? {
                            Operator::I32Const { value } => Some(value),
                            _ => None,
                        };
                        // wasm-ld's `__stack_pointer`: global 0, a mutable i32 with a positive
                        // initial value (the stack top).
                        stack_pointer_ok = global.ty.mutable
                            && global.ty.content_type == wasmparser::ValType::I32
                            && init.is_some_and(|top| top > 0);
                    }
                }
                Payload::ExportSection(_) => has_exports = true,
                _ => {}
            }
        }
        if memories != 1 {
            return Err(PatchError::Layout("expected exactly one memory"));
        }
        if !stack_pointer_ok {
            return Err(PatchError::Layout("global 0 is not a stack pointer"));
        }
        if !has_exports {
            return Err(PatchError::Layout("no export section"));
        }
        Ok(shape)
    }
}

/// Re-encodes one function body (locals and all): a stack check after each `global.set 0`, and
/// CPython's C recursion limit initializer with the new value. Returns the body and how many
/// limit sites it rewrote.
fn rewrite_body(
    wasm: &[u8],
    body: &wasmparser::FunctionBody<'_>,
    check: &[u8],
    c_limit: i32,
) -> Result<(Vec<u8>, usize), PatchError> {
    let range = body.range();
    let mut out = Vec::with_capacity(range.len() + 64);
    let mut copied = range.start;
    let mut sites = 0;
    let mut ops = body.get_operators_reader()?;
    // The previous operator, when it was `i32.const 500`: its byte range.
    let mut pending_const: Option<(usize, usize)> = None;
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset()?;
        let end = ops.original_position();
        match op {
            Operator::GlobalSet { global_index: 0 } => {
                out.extend_from_slice(&wasm[copied..end]);
                out.extend_from_slice(check);
                copied = end;
            }
            Operator::I32Store { memarg } if memarg.offset == C_RECURSION_REMAINING_OFFSET => {
                if let Some((start, const_end)) = pending_const {
                    out.extend_from_slice(&wasm[copied..start]);
                    out.push(0x41); // i32.const
                    leb128_i32(&mut out, c_limit);
                    copied = const_end;
                    sites += 1;
                }
            }
            _ => {}
        }
        pending_const = match op {
            Operator::I32Const {
                value: WASI_C_RECURSION_LIMIT,
            } => Some((offset, end)),
            _ => None,
        };
    }
    out.extend_from_slice(&wasm[copied..range.end]);
    Ok((out, sites))
}

/// A vector section's bytes with `added` more entries (already encoded) appended.
fn append_entries(data: &[u8], added: u32, entries: &[u8]) -> Result<Vec<u8>, PatchError> {
    let mut r = BinaryReader::new(data, 0);
    let count = r.read_var_u32()?;
    let mut out = Vec::with_capacity(data.len() + entries.len() + 5);
    leb128_u32(&mut out, count + added);
    out.extend_from_slice(&data[r.original_position()..]);
    out.extend_from_slice(entries);
    Ok(out)
}

fn leb128_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn leb128_i32(out: &mut Vec<u8>, mut value: i32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use wasm_encoder::{CodeSection, Function, Instruction};
    use wasm_encoder::{ExportKind, ExportSection, FunctionSection, MemArg, TypeSection};
    use wasmtime::{Engine, Instance, Module, Store, Trap};

    use super::*;

    /// A miniature of the CPython module's layout: a stack pointer in global 0 at the top of the
    /// first page, a thread-state initializer storing 500 at offset 24, stack-pointer writes.
    fn miniature() -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([], []);
        types.ty().function([ValType::I32], []);
        types.ty().function([], [ValType::I32]);
        let mut funcs = FunctionSection::new();
        for ty in [0, 1, 2, 2] {
            funcs.function(ty);
        }
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: 2,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        let mut globals = GlobalSection::new();
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i32_const(65536),
        );
        let mut exports = ExportSection::new();
        for (name, index) in [("init", 0), ("set_sp", 1), ("limit", 2), ("sp", 3)] {
            exports.export(name, ExportKind::Func, index);
        }
        exports.export("memory", ExportKind::Memory, 0);
        let store24 = MemArg {
            offset: 24,
            align: 2,
            memory_index: 0,
        };
        let mut code = CodeSection::new();
        let mut init = Function::new([]);
        init.instruction(&Instruction::GlobalGet(0))
            .instruction(&Instruction::I32Const(32))
            .instruction(&Instruction::I32Sub)
            .instruction(&Instruction::GlobalSet(0))
            .instruction(&Instruction::I32Const(0))
            .instruction(&Instruction::I32Const(500))
            .instruction(&Instruction::I32Store(store24))
            .instruction(&Instruction::GlobalGet(0))
            .instruction(&Instruction::I32Const(32))
            .instruction(&Instruction::I32Add)
            .instruction(&Instruction::GlobalSet(0))
            .instruction(&Instruction::End);
        code.function(&init);
        let mut set_sp = Function::new([]);
        set_sp
            .instruction(&Instruction::LocalGet(0))
            .instruction(&Instruction::GlobalSet(0))
            .instruction(&Instruction::End);
        code.function(&set_sp);
        let mut limit = Function::new([]);
        limit
            .instruction(&Instruction::I32Const(0))
            .instruction(&Instruction::I32Load(store24))
            .instruction(&Instruction::End);
        code.function(&limit);
        let mut sp = Function::new([]);
        sp.instruction(&Instruction::GlobalGet(0))
            .instruction(&Instruction::End);
        code.function(&sp);
        let mut module = wasm_encoder::Module::new();
        module
            .section(&types)
            .section(&funcs)
            .section(&memories)
            .section(&globals)
            .section(&exports)
            .section(&code);
        module.finish()
    }

    fn instantiate(wasm: &[u8]) -> (Store<()>, Instance, Module) {
        let engine = Engine::default();
        let module = Module::new(&engine, wasm).expect("valid module");
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).expect("instantiate");
        (store, instance, module)
    }

    #[test]
    fn relocates_the_stack_checks_it_and_raises_the_limit() {
        let opts = PatchOptions {
            stack_bytes: 65536,
            c_recursion_limit: 12_345,
        };
        let patched = patch(&miniature(), opts).expect("patch");
        assert!(patched.c_recursion_limit_raised);
        let (mut store, instance, module) = instantiate(&patched.wasm);
        assert!(module.get_export(STACK_LIMIT_EXPORT).is_some());
        let func =
            |store: &mut Store<()>, name: &str| instance.get_func(&mut *store, name).expect(name);
        let global = |store: &mut Store<()>, name: &str| {
            let global = instance.get_global(&mut *store, name).expect(name);
            global.get(&mut *store).i32().expect("i32 global")
        };

        // The stack now sits in a third page, appended after the original two.
        let memory = instance.get_memory(&mut store, "memory").expect("memory");
        assert_eq!(memory.size(&store), 3);
        let sp = func(&mut store, "sp").typed::<(), i32>(&store).expect("sp");
        assert_eq!(sp.call(&mut store, ()).expect("sp"), 3 * 65536);
        assert_eq!(global(&mut store, STACK_POINTER_EXPORT), 3 * 65536);
        assert_eq!(global(&mut store, STACK_LIMIT_EXPORT), 2 * 65536 + 4096);

        let init = func(&mut store, "init")
            .typed::<(), ()>(&store)
            .expect("init");
        init.call(&mut store, ()).expect("init");
        let limit = func(&mut store, "limit")
            .typed::<(), i32>(&store)
            .expect("limit");
        assert_eq!(limit.call(&mut store, ()).expect("limit"), 12_345);

        // Moving the pointer inside the region is fine; below it (into the heap) traps, and the
        // exported globals tell why.
        let set_sp = func(&mut store, "set_sp")
            .typed::<i32, ()>(&store)
            .expect("set_sp");
        set_sp
            .call(&mut store, 2 * 65536 + 8192)
            .expect("inside the region");
        let error = set_sp
            .call(&mut store, 2 * 65536 + 100)
            .expect_err("below the region");
        assert_eq!(
            error.downcast_ref::<Trap>(),
            Some(&Trap::UnreachableCodeReached)
        );
        assert!(global(&mut store, STACK_POINTER_EXPORT) < global(&mut store, STACK_LIMIT_EXPORT));
    }

    #[test]
    fn the_original_traps_nowhere_and_keeps_500() {
        // The same probes against the unpatched miniature: what the rewrite changes.
        let (mut store, instance, _) = instantiate(&miniature());
        let init = instance
            .get_typed_func::<(), ()>(&mut store, "init")
            .expect("init");
        init.call(&mut store, ()).expect("init");
        let limit = instance
            .get_typed_func::<(), i32>(&mut store, "limit")
            .expect("limit");
        assert_eq!(limit.call(&mut store, ()).expect("limit"), 500);
        let set_sp = instance
            .get_typed_func::<i32, ()>(&mut store, "set_sp")
            .expect("set_sp");
        set_sp
            .call(&mut store, 100)
            .expect("no check without the rewrite");
    }

    #[test]
    fn rejects_modules_without_a_stack_pointer() {
        let mut module = wasm_encoder::Module::new();
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        module.section(&memories);
        let opts = PatchOptions {
            stack_bytes: 65536,
            c_recursion_limit: 1,
        };
        assert!(matches!(
            patch(&module.finish(), opts),
            Err(PatchError::Layout(_))
        ));
        assert!(matches!(
            patch(b"not wasm", opts),
            Err(PatchError::Parse(_))
        ));
    }

    #[test]
    fn leb128_matches_the_spec_examples() {
        let enc = |v: i32| {
            let mut out = Vec::new();
            leb128_i32(&mut out, v);
            out
        };
        assert_eq!(enc(500), [0xf4, 0x03]);
        assert_eq!(enc(-1), [0x7f]);
        assert_eq!(enc(63), [0x3f]);
        assert_eq!(enc(64), [0xc0, 0x00]);
        let mut out = Vec::new();
        leb128_u32(&mut out, 624_485);
        assert_eq!(out, [0xe5, 0x8e, 0x26]);
    }
}

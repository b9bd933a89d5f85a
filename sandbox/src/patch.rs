//! Rewrites the CPython module before compilation: a bigger, overflow-checked C stack and a matching
//! C recursion limit, so memoized recursion (`functools.cache`) behaves as it does natively.
//!
//! Why: the runtime was linked with `--stack-first` and a 512 KiB C stack at linear addresses
//! `[0, 512 KiB)`; `__stack_pointer` (global 0) starts at its top. The build is unoptimized, so a
//! recursion level through a C-implemented callable (the `lru_cache` wrapper: ~12 C frames) costs a
//! few KiB of that stack; after ~100 levels the pointer wraps below 0 and the guest traps with "out of
//! bounds memory access". Pure-Python recursion is unaffected (3.12 does not recurse in C for it).
//! CPython's own guard, `C_RECURSION_LIMIT` (500 on WASI, ~3 per `lru_cache` level), fires at ~166
//! levels, far below what native CPython allows.
//!
//! The rewrite, all of it verified against the module's shape first:
//! 1. The stack moves to a fresh region appended after the initial memory (`stack_bytes` long):
//!    the memory's minimum grows by that much and global 0 starts at the region's top. The allocator
//!    keeps working: `sbrk` grows memory past the region and dlmalloc copes with the gap.
//! 2. Stack overflow can no longer wrap to a trap, so every `global.set 0` becomes a call to an
//!    appended function that traps (`unreachable`) when the new pointer would leave the region (the
//!    check Emscripten's `STACK_OVERFLOW_CHECK` and binaryen's `--stack-check` add). A name section
//!    names it [`STACK_CHECK_NAME`], so the host can tell this trap from others.
//! 3. `init_threadstate`'s `tstate->c_recursion_remaining = 500` (an `i32.const 500` stored at offset
//!    24, unique in the module) gets `c_recursion_limit`, sized so that RecursionError normally comes
//!    before the stack check.
//!
//! Other custom sections (12 MB of DWARF whose offsets the rewrite would invalidate) are dropped.

use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, Function, GlobalSection, GlobalType, Instruction, MemorySection,
    MemoryType, NameMap, NameSection, RawSection, ValType,
};
use wasmparser::{
    BinaryReader, CompositeInnerType, Global, Operator, Parser, Payload, TypeRef,
};

/// The memory offset of `c_recursion_remaining` in CPython 3.12's `PyThreadState` (wasm32).
const C_RECURSION_REMAINING_OFFSET: u64 = 24;
/// `C_RECURSION_LIMIT` as CPython 3.12 defines it for WASI.
const WASI_C_RECURSION_LIMIT: i32 = 500;
/// Room left under the stack check: leaf functions may use 128 bytes below the stack pointer
/// without moving it (LLVM's wasm red zone).
const STACK_CHECK_MARGIN: u32 = 4096;
const PAGE: u64 = 65536;

/// The stack-check function's name in the rewritten module's name section (a trap whose innermost
/// frame has this name means the guest exhausted its C stack) and its export name (marking a
/// rewritten module).
pub(crate) const STACK_CHECK_NAME: &str = "qwen_lsp_c_stack_check";

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
    /// Whether the C recursion limit was found and raised.
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
        return Err(PatchError::Layout("stack size must be a positive multiple of 64 KiB"));
    }
    let shape = Shape::read(wasm)?;
    let region_start = shape.memory_min_pages * PAGE;
    let stack_top = region_start + u64::from(opts.stack_bytes);
    let stack_top = i32::try_from(stack_top)
        .map_err(|_| PatchError::Layout("relocated stack would not fit in 2 GiB"))?;
    let stack_limit = u32::try_from(region_start)
        .map_err(|_| PatchError::Layout("memory too large"))?
        + STACK_CHECK_MARGIN;
    let check_func = shape.imported_funcs + shape.defined_funcs;

    let mut module = wasm_encoder::Module::new();
    let mut c_limit_sites = 0usize;
    let mut check_type = shape.check_type;
    let mut code = CodeSection::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        match &payload {
            Payload::Version { .. } | Payload::End(_) => continue,
            Payload::CustomSection(_) => continue,
            Payload::TypeSection(reader) => {
                let data = &wasm[reader.range()];
                let section = if check_type.is_some() {
                    data.to_vec()
                } else {
                    check_type = Some(shape.type_count);
                    // One more entry: `(func (param i32))`, a non-recursive, final function type.
                    append_entry(data, &[0x60, 0x01, 0x7f, 0x00])?
                };
                module.section(&RawSection { id: 1, data: &section });
            }
            Payload::FunctionSection(reader) => {
                let ty = check_type.ok_or(PatchError::Layout("type section must precede functions"))?;
                let mut entry = Vec::new();
                leb128_u32(&mut entry, ty);
                let section = append_entry(&wasm[reader.range()], &entry)?;
                module.section(&RawSection { id: 3, data: &section });
            }
            Payload::MemorySection(reader) => {
                let mut memories = MemorySection::new();
                for memory in reader.clone() {
                    let memory = memory?;
                    let extra = u64::from(opts.stack_bytes) / PAGE;
                    memories.memory(MemoryType {
                        minimum: memory.initial + extra,
                        maximum: memory.maximum.map(|max| max.max(memory.initial + extra)),
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
                globals.global(
                    GlobalType { val_type: ValType::I32, mutable: true, shared: false },
                    &ConstExpr::i32_const(stack_top),
                );
                for _ in 1..count {
                    let start = r.original_position();
                    let _: Global<'_> = r.read()?;
                    globals.raw(&data[start..r.original_position()]);
                }
                module.section(&globals);
            }
            Payload::CodeSectionEntry(body) => {
                let (rewritten, sites) = rewrite_body(wasm, body, check_func, opts.c_recursion_limit)?;
                c_limit_sites += sites;
                code.raw(&rewritten);
                // After the last body comes the check function, and the section takes its
                // original place (before the data section).
                if code.len() == shape.defined_funcs {
                    code.function(&stack_check(stack_limit));
                    module.section(&code);
                }
            }
            Payload::ExportSection(reader) => {
                // Exported too, so a loaded artifact shows whether it is a rewritten module.
                let mut entry = Vec::new();
                leb128_u32(&mut entry, STACK_CHECK_NAME.len() as u32);
                entry.extend_from_slice(STACK_CHECK_NAME.as_bytes());
                entry.push(0x00); // a function
                leb128_u32(&mut entry, check_func);
                let section = append_entry(&wasm[reader.range()], &entry)?;
                module.section(&RawSection { id: 7, data: &section });
            }
            Payload::CodeSectionStart { .. } => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    module.section(&RawSection { id, data: &wasm[range] });
                }
            }
        }
    }
    // Name the check function, so traps in it can be recognised from a backtrace.
    let mut names = NameMap::new();
    names.append(check_func, STACK_CHECK_NAME);
    let mut name_section = NameSection::new();
    name_section.functions(&names);
    module.section(&name_section);
    Ok(Patched {
        wasm: module.finish(),
        c_recursion_limit_raised: c_limit_sites == 1,
    })
}

/// `(func (param $sp i32))`: traps when `$sp` leaves the stack region, else sets global 0.
fn stack_check(limit: u32) -> Function {
    let mut check = Function::new([]);
    check
        .instruction(&Instruction::LocalGet(0))
        .instruction(&Instruction::I32Const(limit.cast_signed()))
        .instruction(&Instruction::I32LtU)
        .instruction(&Instruction::If(BlockType::Empty))
        .instruction(&Instruction::Unreachable)
        .instruction(&Instruction::End)
        .instruction(&Instruction::LocalGet(0))
        .instruction(&Instruction::GlobalSet(0))
        .instruction(&Instruction::End);
    check
}

/// What the rewrite needs to know before it starts, and the checks that it is safe.
struct Shape {
    imported_funcs: u32,
    defined_funcs: u32,
    type_count: u32,
    /// An existing `(func (param i32))` type, if any.
    check_type: Option<u32>,
    memory_min_pages: u64,
}

impl Shape {
    fn read(wasm: &[u8]) -> Result<Shape, PatchError> {
        let mut shape = Shape {
            imported_funcs: 0,
            defined_funcs: 0,
            type_count: 0,
            check_type: None,
            memory_min_pages: 0,
        };
        let mut memories = 0;
        let mut stack_pointer_ok = false;
        for payload in Parser::new(0).parse_all(wasm) {
            match payload? {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        let group = group?;
                        let explicit = group.is_explicit_rec_group();
                        for sub in group.into_types() {
                            if let CompositeInnerType::Func(f) = &sub.composite_type.inner
                                && !explicit
                                && sub.is_final
                                && sub.supertype_idx.is_none()
                                && f.params() == [wasmparser::ValType::I32]
                                && f.results().is_empty()
                                && shape.check_type.is_none()
                            {
                                shape.check_type = Some(shape.type_count);
                            }
                            shape.type_count += 1;
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        match import?.ty {
                            TypeRef::Func(_) => shape.imported_funcs += 1,
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
                    if let Some(first) = reader.into_iter().next() {
                        let global = first?;
                        let mut ops = global.init_expr.get_operators_reader();
                        let init = match ops.read()? {
                            Operator::I32Const { value } => Some(value),
                            _ => None,
                        };
                        // wasm-ld's `__stack_pointer`: global 0, a mutable i32 whose initial value
                        // (the stack top) lies inside the initial memory.
                        stack_pointer_ok = global.ty.mutable
                            && global.ty.content_type == wasmparser::ValType::I32
                            && init.is_some_and(|top| top > 0);
                    }
                }
                Payload::StartSection { .. } => {
                    return Err(PatchError::Layout("start section"));
                }
                _ => {}
            }
        }
        if memories != 1 {
            return Err(PatchError::Layout("expected exactly one memory"));
        }
        if !stack_pointer_ok {
            return Err(PatchError::Layout("global 0 is not a stack pointer"));
        }
        Ok(shape)
    }
}

/// Re-encodes one function body: `global.set 0` becomes `call $check`, and CPython's C recursion
/// limit initializer gets the new value. Returns the body and how many limit sites it rewrote.
fn rewrite_body(
    wasm: &[u8],
    body: &wasmparser::FunctionBody<'_>,
    check_func: u32,
    c_limit: i32,
) -> Result<(Vec<u8>, usize), PatchError> {
    let range = body.range();
    let mut out = Vec::with_capacity(range.len() + 16);
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
                out.extend_from_slice(&wasm[copied..offset]);
                out.push(0x10); // call
                leb128_u32(&mut out, check_func);
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
            Operator::I32Const { value: WASI_C_RECURSION_LIMIT } => Some((offset, end)),
            _ => None,
        };
    }
    out.extend_from_slice(&wasm[copied..range.end]);
    Ok((out, sites))
}

/// A vector section's bytes with one more entry appended (the count is re-encoded).
fn append_entry(data: &[u8], entry: &[u8]) -> Result<Vec<u8>, PatchError> {
    let mut r = BinaryReader::new(data, 0);
    let count = r.read_var_u32()?;
    let mut out = Vec::with_capacity(data.len() + entry.len() + 5);
    leb128_u32(&mut out, count + 1);
    out.extend_from_slice(&data[r.original_position()..]);
    out.extend_from_slice(entry);
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
    use wasm_encoder::{ExportKind, ExportSection, FunctionSection, MemArg, TypeSection};
    use wasmtime::{Engine, Instance, Module, Store, Trap, WasmBacktrace};

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
            GlobalType { val_type: ValType::I32, mutable: true, shared: false },
            &ConstExpr::i32_const(65536),
        );
        let mut exports = ExportSection::new();
        for (name, index) in [("init", 0), ("set_sp", 1), ("limit", 2), ("sp", 3)] {
            exports.export(name, ExportKind::Func, index);
        }
        exports.export("memory", ExportKind::Memory, 0);
        let store24 = MemArg { offset: 24, align: 2, memory_index: 0 };
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
        sp.instruction(&Instruction::GlobalGet(0)).instruction(&Instruction::End);
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
        let opts = PatchOptions { stack_bytes: 65536, c_recursion_limit: 12_345 };
        let patched = patch(&miniature(), opts).expect("patch");
        assert!(patched.c_recursion_limit_raised);
        let (mut store, instance, module) = instantiate(&patched.wasm);
        assert!(module.get_export(STACK_CHECK_NAME).is_some());
        let func = |store: &mut Store<()>, name: &str| instance.get_func(&mut *store, name).expect(name);

        // The stack now sits in a third page, appended after the original two.
        let memory = instance.get_memory(&mut store, "memory").expect("memory");
        assert_eq!(memory.size(&store), 3);
        let sp = func(&mut store, "sp").typed::<(), i32>(&store).expect("sp");
        assert_eq!(sp.call(&mut store, ()).expect("sp"), 3 * 65536);

        let init = func(&mut store, "init").typed::<(), ()>(&store).expect("init");
        init.call(&mut store, ()).expect("init");
        let limit = func(&mut store, "limit").typed::<(), i32>(&store).expect("limit");
        assert_eq!(limit.call(&mut store, ()).expect("limit"), 12_345);

        // Moving the pointer inside the region is fine; below it (into the heap) traps, in the
        // named check function.
        let set_sp = func(&mut store, "set_sp").typed::<i32, ()>(&store).expect("set_sp");
        set_sp.call(&mut store, 2 * 65536 + 8192).expect("inside the region");
        let error = set_sp.call(&mut store, 2 * 65536 + 100).expect_err("below the region");
        assert_eq!(error.downcast_ref::<Trap>(), Some(&Trap::UnreachableCodeReached));
        let name = error
            .downcast_ref::<WasmBacktrace>()
            .and_then(|bt| bt.frames().first())
            .and_then(|frame| frame.func_name());
        assert_eq!(name, Some(STACK_CHECK_NAME));
    }

    #[test]
    fn the_original_traps_nowhere_and_keeps_500() {
        // The same probes against the unpatched miniature: what the rewrite changes.
        let (mut store, instance, _) = instantiate(&miniature());
        let init = instance.get_typed_func::<(), ()>(&mut store, "init").expect("init");
        init.call(&mut store, ()).expect("init");
        let limit = instance.get_typed_func::<(), i32>(&mut store, "limit").expect("limit");
        assert_eq!(limit.call(&mut store, ()).expect("limit"), 500);
        let set_sp = instance.get_typed_func::<i32, ()>(&mut store, "set_sp").expect("set_sp");
        set_sp.call(&mut store, 100).expect("no check without the rewrite");
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
        let opts = PatchOptions { stack_bytes: 65536, c_recursion_limit: 1 };
        assert!(matches!(patch(&module.finish(), opts), Err(PatchError::Layout(_))));
        assert!(matches!(patch(b"not wasm", opts), Err(PatchError::Parse(_))));
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

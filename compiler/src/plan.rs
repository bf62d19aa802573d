//! Which trampolines a library needs, in a canonical order: symbols sorted by
//! name (so key order in the descriptor changes nothing, as it changes not
//! the digest), one fast trampoline per blocking function (behind a
//! frameless entry where its arguments need only moving) and a re-entrant
//! one where it returns a value, one invoke trampoline per distinct
//! signature. The artifact writer and the JIT both
//! build from this plan.

use crate::CompileError;
use crate::emit::Piece;
use crate::imports::symbol_slot;
use crate::trampoline::fast::Output;
use crate::trampoline::{direct, fast, invoke};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::FunctionBuilderContext;
use ffic_schema::{Library, Signature, Symbol, SymbolKind};
use std::collections::HashMap;

/// The trampolines of one library.
pub struct Plan<'l> {
    /// Symbols in manifest order (by name); symbol `i` uses import slot `symbol_slot(i)`.
    pub symbols: Vec<&'l Symbol>,
    /// Distinct signatures, in order of first use.
    pub signatures: Vec<&'l Signature>,
    /// Per symbol: index of its fast trampoline in `functions`.
    pub fast: Vec<Option<usize>>,
    /// Per symbol: index of its re-entrant fast trampoline in `functions`.
    pub reentrant: Vec<Option<usize>>,
    /// Per symbol: index into `signatures` (and of its invoke trampoline).
    pub invoke: Vec<Option<usize>>,
    /// Every function to emit: the invoke trampolines first (in
    /// `signatures` order), then per symbol its fast one (behind its entry)
    /// and its re-entrant one (a shim calling the fast one where it can).
    pub functions: Vec<Piece>,
}

impl<'l> Plan<'l> {
    /// Generates the IR of every trampoline `library` needs.
    pub fn new(library: &'l Library, isa: &dyn TargetIsa) -> Result<Plan<'l>, CompileError> {
        let mut symbols: Vec<&Symbol> = library.symbols.iter().collect();
        symbols.sort_by(|a, b| a.name.cmp(&b.name));
        let mut signatures: Vec<&Signature> = Vec::new();
        let mut seen: HashMap<&Signature, usize> = HashMap::new();
        let mut invoke_of = Vec::with_capacity(symbols.len());
        for symbol in &symbols {
            invoke_of.push(match &symbol.kind {
                SymbolKind::Function { signature, .. } => {
                    Some(*seen.entry(signature).or_insert_with(|| {
                        signatures.push(signature);
                        signatures.len() - 1
                    }))
                }
                SymbolKind::Static { .. } => None,
            });
        }
        let mut fctx = FunctionBuilderContext::new();
        let mut functions = Vec::with_capacity(signatures.len() + symbols.len());
        for (i, signature) in signatures.iter().enumerate() {
            let function = invoke::build(signature, i as u32, isa, &mut fctx)?;
            functions.push(Piece::Function(Box::new(function), None));
        }
        let mut fast_of = Vec::with_capacity(symbols.len());
        let mut reentrant_of = Vec::with_capacity(symbols.len());
        for (i, symbol) in symbols.iter().enumerate() {
            let SymbolKind::Function { signature, .. } = &symbol.kind else {
                fast_of.push(None);
                reentrant_of.push(None);
                continue;
            };
            let slot = symbol_slot(i);
            let fast = if symbol.fast_call() {
                functions.push(Piece::Function(
                    Box::new(fast::build(
                        signature,
                        slot,
                        Output::Returned,
                        isa,
                        &mut fctx,
                    )?),
                    direct::prefix(signature, slot, isa),
                ));
                Some(functions.len() - 1)
            } else {
                None
            };
            fast_of.push(fast);
            reentrant_of.push(match fast.filter(|_| symbol.reentrant_call()) {
                Some(target) => {
                    functions.push(match direct::reentrant_shim(signature, slot, target, isa) {
                        Some(shim) => Piece::Shim(shim),
                        None => Piece::Function(
                            Box::new(fast::build(
                                signature,
                                slot,
                                Output::Stored,
                                isa,
                                &mut fctx,
                            )?),
                            None,
                        ),
                    });
                    Some(functions.len() - 1)
                }
                None => None,
            });
        }
        Ok(Plan {
            symbols,
            signatures,
            fast: fast_of,
            reentrant: reentrant_of,
            invoke: invoke_of,
            functions,
        })
    }
}

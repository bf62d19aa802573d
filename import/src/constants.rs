//! A header's named constants, in header order: its enums' values, and its
//! object-like macros that clang folds to a number or a string. Each macro
//! is evaluated as the initializer of a variable in a second, in-memory
//! unit that includes the header, so expressions, casts to integer types
//! and references to other macros work as in C. A macro that is no such
//! value (empty, a keyword, a type, a pointer) is not a constant and is
//! left out without a warning.

// libclang's constants keep their C names.
#![allow(non_upper_case_globals)]

use crate::ImportError;
use crate::clang::{Unit, Value};
use clang_sys::{
    CXCursor_EnumConstantDecl, CXCursor_EnumDecl, CXCursor_MacroDefinition, CXCursor_VarDecl,
};
use std::path::Path;

/// The variables the second unit evaluates, a prefix and the macro's
/// index: the macro's value as its own type, and (which clang folds only
/// through a pointer) as a string.
const PREFIXES: [&str; 2] = ["__ffic_constant_", "__ffic_string_"];

/// The named constants `unit` (parsed from `header` with `arguments`)
/// defines in the header itself, first definition of a name kept.
pub fn collect(
    unit: &Unit,
    header: &Path,
    arguments: &[String],
) -> Result<Vec<(String, Value)>, ImportError> {
    // Every name with where it is; enum values known now, macros later.
    let mut found: Vec<((u32, u32), String, Option<Value>)> = Vec::new();
    for declaration in unit.declarations() {
        if !declaration.in_main_file() {
            continue;
        }
        let at = |c: &crate::clang::Cursor<'_>| {
            let location = c.location();
            (location.line, location.column)
        };
        match declaration.kind() {
            CXCursor_EnumDecl => {
                for constant in declaration.children() {
                    if constant.kind() == CXCursor_EnumConstantDecl {
                        found.push((at(&constant), constant.name(), Some(constant.enum_value())));
                    }
                }
            }
            CXCursor_MacroDefinition if !declaration.is_function_like_macro() => {
                found.push((at(&declaration), declaration.name(), None));
            }
            _ => {}
        }
    }
    // libclang lists macro definitions before declarations: header order.
    found.sort_by_key(|(at, _, _)| *at);
    let mut named: Vec<(String, Option<Value>)> = found
        .into_iter()
        .map(|(_, name, value)| (name, value))
        .collect();
    let macros: Vec<usize> = (0..named.len()).filter(|&i| named[i].1.is_none()).collect();
    if !macros.is_empty() {
        let header = std::fs::canonicalize(header).unwrap_or_else(|_| header.to_owned());
        // Included by the command line: a path needs no quoting there.
        let mut source = String::new();
        for (i, &at) in macros.iter().enumerate() {
            let name = &named[at].0;
            let [value, string] = PREFIXES;
            source += &format!("__typeof__({name}) {value}{i} = {name};\n");
            source += &format!("__typeof__(&*({name})) {string}{i} = {name};\n");
        }
        let file = header.with_file_name("__ffic_constants__.c");
        let mut all = arguments.to_vec();
        all.extend(["-include".to_owned(), header.display().to_string()]);
        // Every macro that is not a value is an error there: report none.
        all.extend(["-ferror-limit=0".to_owned(), "-w".to_owned()]);
        let evaluated = Unit::parse_source(&file, &source, &all)?;
        for variable in evaluated.declarations() {
            if variable.kind() != CXCursor_VarDecl || !variable.in_main_file() {
                continue;
            }
            let name = variable.name();
            let index = PREFIXES
                .iter()
                .find_map(|p| name.strip_prefix(p))
                .and_then(|i| i.parse::<usize>().ok());
            if let Some(&at) = index.and_then(|i| macros.get(i))
                && named[at].1.is_none()
            {
                named[at].1 = variable.evaluate();
            }
        }
    }
    let mut constants: Vec<(String, Value)> = Vec::new();
    for (name, value) in named {
        if let Some(value) = value
            && !constants.iter().any(|(n, _)| *n == name)
        {
            constants.push((name, value));
        }
    }
    Ok(constants)
}

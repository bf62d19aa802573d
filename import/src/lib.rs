//! ffic-import: descriptors from C headers. A header is parsed with
//! libclang (loaded at run time) and each function it declares becomes a
//! descriptor entry, in header order: its parameters and result as
//! descriptor types (see [`map`]), its documentation comment as
//! `ffic.doc`, its parameter names as `ffic.parameterNames`, C strings and
//! variadic functions in ffic's extension; its enum values and macro
//! constants as the library's named constants, and its structs by name
//! for typed views (both in `"$ffic"`). What a
//! descriptor cannot say is left out with a located warning naming the
//! reason. The same header gives the same bytes.

mod clang;
mod constants;
mod doc;
mod emit;
pub mod map;
mod structs;

use clang::{Cursor, Location, Unit};
use clang_sys::CXCursor_FunctionDecl;
use map::{Mapped, Position};
use regex::Regex;
use std::path::{Path, PathBuf};

/// What went wrong before anything could be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// libclang could not be loaded.
    #[error("cannot load libclang ({0}); install it (Debian: libclang-dev) or set LIBCLANG_PATH")]
    NoLibclang(String),
    /// A path that cannot be passed to libclang.
    #[error("{} cannot be passed to libclang (it holds a NUL byte)", .0.display())]
    Path(PathBuf),
    /// A compiler argument that cannot be passed to libclang.
    #[error("the argument {0:?} holds a NUL byte")]
    Argument(String),
    /// The header does not compile.
    #[error("{} does not compile:\n{}", header.display(), messages.join("\n"))]
    Parse {
        /// The header.
        header: PathBuf,
        /// clang's errors.
        messages: Vec<String>,
    },
    /// A `--function` or `--struct` pattern that is not a regular expression.
    #[error("{pattern:?}: {message}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// Why it is not one.
        message: String,
    },
}

/// What to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The header.
    pub header: PathBuf,
    /// Directories searched for included headers (`-I`).
    pub include_dirs: Vec<PathBuf>,
    /// Macros defined before the header (`-D NAME` or `-D NAME=VALUE`).
    pub defines: Vec<String>,
    /// Only functions whose whole name matches one of these (all when empty).
    pub functions: Vec<String>,
    /// Only named structs whose whole name matches one of these (all when
    /// empty).
    pub structs: Vec<String>,
    /// The native library the generated module opens by default.
    pub library: Option<String>,
}

/// A symbol left out, where it is declared and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where it is declared.
    pub location: Location,
    /// The C name.
    pub symbol: String,
    /// Why it was left out.
    pub reason: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Location { file, line, column } = &self.location;
        write!(
            f,
            "{}:{line}:{column}: warning: {}: {}",
            file.display(),
            self.symbol,
            self.reason
        )
    }
}

/// An imported header.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The descriptor, as JSON text.
    pub text: String,
    /// How many functions it holds.
    pub functions: usize,
    /// How many named constants it holds.
    pub constants: usize,
    /// How many named structs it holds with fields of their own.
    pub structs: usize,
    /// How many other names (a typedef's) for those it holds.
    pub struct_aliases: usize,
    /// What was left out, in header order.
    pub warnings: Vec<Warning>,
}

/// A function of the header, mapped.
struct Function {
    name: String,
    parameters: Vec<Mapped>,
    names: Vec<String>,
    result: Mapped,
    variadic: bool,
    doc: Option<String>,
}

/// Imports the functions, constants and structs `options.header` declares.
pub fn import(options: &Options) -> Result<Imported, ImportError> {
    let function_patterns = patterns(&options.functions)?;
    let struct_patterns = patterns(&options.structs)?;
    let mut arguments: Vec<String> = options
        .include_dirs
        .iter()
        .map(|d| format!("-I{}", d.display()))
        .collect();
    arguments.extend(options.defines.iter().map(|d| format!("-D{d}")));
    let unit = Unit::parse(&options.header, &arguments)?;
    let mut functions: Vec<Function> = Vec::new();
    let mut named_structs: Vec<structs::Named> = Vec::new();
    // Typedef names of tagged structs, each listed once its struct is.
    let mut aliases: Vec<(String, String)> = Vec::new();
    let mut warnings = Vec::new();
    for declaration in unit.declarations() {
        if !declaration.in_main_file() {
            continue;
        }
        if let Some(alias) = structs::alias(&declaration) {
            if matches(&struct_patterns, &alias.0) {
                aliases.push(alias);
                structs::list_aliases(&mut aliases, &mut named_structs);
            }
            continue;
        }
        if let Some(found) = structs::named(&declaration, &named_structs) {
            match found {
                Ok(named) if matches(&struct_patterns, &named.0) => {
                    named_structs.push(named);
                    structs::list_aliases(&mut aliases, &mut named_structs);
                }
                Ok(_) => {}
                Err(reason) if matches(&struct_patterns, &declaration.name()) => {
                    warnings.push(Warning {
                        location: shown(declaration.location(), &options.header),
                        symbol: format!("struct {}", declaration.name()),
                        reason,
                    })
                }
                Err(_) => {}
            }
            continue;
        }
        if declaration.kind() != CXCursor_FunctionDecl {
            continue;
        }
        let name = declaration.name();
        let wanted = matches(&function_patterns, &name);
        // A redeclaration adds nothing.
        if !wanted || functions.iter().any(|f| f.name == name) {
            continue;
        }
        match function(&declaration, &name) {
            Ok(f) => functions.push(f),
            Err(reason) => warnings.push(Warning {
                location: shown(declaration.location(), &options.header),
                symbol: name,
                reason,
            }),
        }
    }
    // A function refused at one declaration and mapped at a later one is
    // not left out.
    warnings.retain(|w| !functions.iter().any(|f| f.name == w.symbol));
    // One warning per symbol, however often it is declared.
    let mut warned = std::collections::HashSet::new();
    warnings.retain(|w| warned.insert(w.symbol.clone()));
    let constants = constants::collect(&unit, &options.header, &arguments)?;
    Ok(Imported {
        text: emit::descriptor(
            options.library.as_deref(),
            &constants,
            &named_structs,
            &functions,
        ),
        functions: functions.len(),
        constants: constants.len(),
        structs: named_structs.iter().filter(|(_, s)| s.is_object()).count(),
        struct_aliases: named_structs.iter().filter(|(_, s)| s.is_string()).count(),
        warnings,
    })
}

/// Each of `given` as a regular expression matching a whole name.
fn patterns(given: &[String]) -> Result<Vec<Regex>, ImportError> {
    given
        .iter()
        .map(|p| {
            Regex::new(&format!("^(?:{p})$")).map_err(|e| ImportError::Pattern {
                pattern: p.clone(),
                message: e.to_string(),
            })
        })
        .collect()
}

/// Whether `name` is wanted: any pattern matches it, or there are none.
fn matches(patterns: &[Regex], name: &str) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| p.is_match(name))
}

/// The function `declaration` declares, or why a descriptor cannot bind it.
fn function(declaration: &Cursor<'_>, name: &str) -> Result<Function, String> {
    if declaration.is_static() {
        return Err("static: the library exports no such symbol".into());
    }
    let ty = declaration.ty();
    if ty.kind() == clang_sys::CXType_FunctionNoProto {
        return Err("declared without a prototype, so its parameters are unknown".into());
    }
    let mut parameters = Vec::new();
    let mut names = Vec::new();
    for (i, parameter) in declaration.arguments().iter().enumerate() {
        let spelled = parameter.name();
        let mapped = map::map(parameter.ty(), Position::Parameter).map_err(|why| {
            let which = if spelled.is_empty() {
                format!("parameter {}", i + 1)
            } else {
                format!("parameter {} ({spelled})", i + 1)
            };
            format!("{which}: {why}")
        })?;
        parameters.push(mapped);
        names.push(js_name(&spelled, i));
    }
    let result =
        map::map(declaration.result(), Position::Result).map_err(|why| format!("result: {why}"))?;
    Ok(Function {
        name: name.to_owned(),
        parameters,
        names,
        result,
        variadic: ty.is_variadic(),
        doc: declaration.comment().as_deref().and_then(doc::text),
    })
}

/// A parameter's name as a JavaScript identifier: the C name (with `_`
/// after a reserved word), else `argN`.
fn js_name(c_name: &str, index: usize) -> String {
    if c_name.is_empty() {
        format!("arg{index}")
    } else if ffic_schema::RESERVED_WORDS.contains(&c_name) {
        format!("{c_name}_")
    } else {
        c_name.to_owned()
    }
}

/// `location` with the header named as the user named it, and other files
/// as libclang found them.
fn shown(location: Location, header: &Path) -> Location {
    let same = std::fs::canonicalize(&location.file).ok() == std::fs::canonicalize(header).ok();
    Location {
        file: if same {
            header.to_owned()
        } else {
            location.file
        },
        ..location
    }
}

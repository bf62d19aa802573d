//! The part of libclang `ffic import` reads, behind safe types: a parsed
//! header (`Unit`), its declarations (`Cursor`) and their types (`Ty`).
//! libclang is loaded at run time (clang-sys's `runtime` feature), so the
//! `ffic` binary needs it only when `import` runs. Every libclang call is
//! here, and each handle lives no longer than the unit it came from: a
//! `Cursor` or `Ty` borrows its `Unit`.

// libclang's constants keep their C names.
#![allow(non_upper_case_globals)]

use crate::ImportError;
use clang_sys::*;
use std::ffi::{CStr, CString, c_void};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// libclang, loaded for this thread, and a parsed translation unit.
pub struct Unit {
    index: CXIndex,
    unit: CXTranslationUnit,
}

impl Unit {
    /// Loads libclang and parses `header` with clang's `arguments` (`-I`,
    /// `-D`), keeping macro definitions; errors in the header are refused
    /// with clang's own messages.
    pub fn parse(header: &Path, arguments: &[String]) -> Result<Unit, ImportError> {
        let unit = Unit::parse_with(header, None, arguments)?;
        let errors = unit.errors();
        if !errors.is_empty() {
            return Err(ImportError::Parse {
                header: header.to_owned(),
                messages: errors,
            });
        }
        Ok(unit)
    }

    /// Parses `source` as if it were the file `name`, errors or not (what
    /// has errors is left out of the unit).
    pub fn parse_source(
        name: &Path,
        source: &str,
        arguments: &[String],
    ) -> Result<Unit, ImportError> {
        Unit::parse_with(name, Some(source), arguments)
    }

    fn parse_with(
        header: &Path,
        source: Option<&str>,
        arguments: &[String],
    ) -> Result<Unit, ImportError> {
        if !clang_sys::is_loaded() {
            clang_sys::load().map_err(ImportError::NoLibclang)?;
        }
        let path = CString::new(header.as_os_str().as_encoded_bytes())
            .map_err(|_| ImportError::Path(header.to_owned()))?;
        let mut all = vec!["-x".to_owned(), "c".to_owned(), "-std=c11".to_owned()];
        all.extend(arguments.iter().cloned());
        let owned: Vec<CString> = all
            .iter()
            .map(|a| CString::new(a.as_str()).map_err(|_| ImportError::Argument(a.clone())))
            .collect::<Result<_, _>>()?;
        let pointers: Vec<*const i8> = owned.iter().map(|a| a.as_ptr()).collect();
        // SAFETY: libclang was loaded above; 0, 0: no precompiled-header
        // exclusion, no diagnostics printed (they are read below).
        let index = unsafe { clang_createIndex(0, 0) };
        let mut unit = std::ptr::null_mut();
        let options =
            CXTranslationUnit_DetailedPreprocessingRecord | CXTranslationUnit_SkipFunctionBodies;
        let mut unsaved = source.map(|text| CXUnsavedFile {
            Filename: path.as_ptr(),
            Contents: text.as_ptr().cast(),
            Length: text.len() as _,
        });
        // SAFETY: the path, every argument and the unsaved source outlive
        // the call (the source needs no NUL: its length is given); `unit`
        // receives the result.
        let code = unsafe {
            clang_parseTranslationUnit2(
                index,
                path.as_ptr(),
                pointers.as_ptr(),
                pointers.len() as i32,
                unsaved
                    .as_mut()
                    .map_or(std::ptr::null_mut(), std::ptr::from_mut),
                u32::from(unsaved.is_some()),
                options,
                &mut unit,
            )
        };
        let parsed = Unit { index, unit };
        if code != CXError_Success || unit.is_null() {
            return Err(ImportError::Parse {
                header: header.to_owned(),
                messages: vec![format!("libclang could not parse it (error {code})")],
            });
        }
        Ok(parsed)
    }

    /// clang's error and fatal diagnostics, formatted as clang prints them.
    fn errors(&self) -> Vec<String> {
        // SAFETY: `self.unit` is a live translation unit.
        let count = unsafe { clang_getNumDiagnostics(self.unit) };
        (0..count)
            .filter_map(|i| {
                // SAFETY: `i` is below the count; each diagnostic is
                // disposed after it is read.
                unsafe {
                    let diagnostic = clang_getDiagnostic(self.unit, i);
                    let severity = clang_getDiagnosticSeverity(diagnostic);
                    let text = (severity >= CXDiagnostic_Error).then(|| {
                        string(clang_formatDiagnostic(
                            diagnostic,
                            clang_defaultDiagnosticDisplayOptions(),
                        ))
                    });
                    clang_disposeDiagnostic(diagnostic);
                    text
                }
            })
            .collect()
    }

    /// The unit's top-level declarations and macro definitions, in order.
    pub fn declarations(&self) -> Vec<Cursor<'_>> {
        // SAFETY: `self.unit` is a live translation unit.
        let root = unsafe { clang_getTranslationUnitCursor(self.unit) };
        Cursor::new(root).children()
    }
}

impl Drop for Unit {
    fn drop(&mut self) {
        // SAFETY: both were created by `parse_with` and are disposed once,
        // the unit (possibly null after a failed parse, which libclang
        // ignores) before its index; no cursor outlives `self` (they borrow it).
        unsafe {
            clang_disposeTranslationUnit(self.unit);
            clang_disposeIndex(self.index);
        }
    }
}

/// A libclang string as a Rust string, disposed.
///
/// # Safety
/// `s` must be a CXString libclang returned and nobody disposed.
unsafe fn string(s: CXString) -> String {
    // SAFETY: forwarded: a live CXString; its C string is NUL-terminated or null.
    unsafe {
        let text = clang_getCString(s);
        let owned = if text.is_null() {
            String::new()
        } else {
            CStr::from_ptr(text).to_string_lossy().into_owned()
        };
        clang_disposeString(s);
        owned
    }
}

/// A place in a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A declaration (or macro definition) of a unit.
#[derive(Clone, Copy)]
pub struct Cursor<'u> {
    raw: CXCursor,
    unit: PhantomData<&'u Unit>,
}

impl<'u> Cursor<'u> {
    fn new(raw: CXCursor) -> Cursor<'u> {
        Cursor {
            raw,
            unit: PhantomData,
        }
    }

    /// Its kind (`CXCursor_FunctionDecl`, …).
    pub fn kind(&self) -> CXCursorKind {
        // SAFETY: a cursor of a live unit (it borrows the unit).
        unsafe { clang_getCursorKind(self.raw) }
    }

    /// Its name.
    pub fn name(&self) -> String {
        // SAFETY: as above; the string is disposed by `string`.
        unsafe { string(clang_getCursorSpelling(self.raw)) }
    }

    /// Where it is declared.
    pub fn location(&self) -> Location {
        let mut file = std::ptr::null_mut();
        let (mut line, mut column, mut offset) = (0, 0, 0);
        // SAFETY: as above; the out-pointers are valid.
        unsafe {
            let location = clang_getCursorLocation(self.raw);
            clang_getSpellingLocation(location, &mut file, &mut line, &mut column, &mut offset);
            let file = if file.is_null() {
                PathBuf::new()
            } else {
                PathBuf::from(string(clang_getFileName(file)))
            };
            Location { file, line, column }
        }
    }

    /// Whether it is declared in the header being imported itself (not in
    /// one it includes).
    pub fn in_main_file(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_Location_isFromMainFile(clang_getCursorLocation(self.raw)) != 0 }
    }

    /// Its direct children, in order.
    pub fn children(&self) -> Vec<Cursor<'u>> {
        extern "C" fn visit(
            child: CXCursor,
            _: CXCursor,
            data: CXClientData,
        ) -> CXChildVisitResult {
            // SAFETY: `data` is the Vec passed below, alive for the visit.
            let children = unsafe { &mut *data.cast::<Vec<CXCursor>>() };
            children.push(child);
            CXChildVisit_Continue
        }
        let mut children: Vec<CXCursor> = Vec::new();
        // SAFETY: as above; the visitor only pushes into `children`.
        unsafe {
            clang_visitChildren(
                self.raw,
                visit,
                std::ptr::from_mut(&mut children).cast::<c_void>(),
            )
        };
        children.into_iter().map(Cursor::new).collect()
    }

    /// Its type.
    pub fn ty(&self) -> Ty<'u> {
        // SAFETY: as above.
        Ty::new(unsafe { clang_getCursorType(self.raw) })
    }

    /// A function's result type.
    pub fn result(&self) -> Ty<'u> {
        // SAFETY: as above.
        Ty::new(unsafe { clang_getCursorResultType(self.raw) })
    }

    /// A function's parameters.
    pub fn arguments(&self) -> Vec<Cursor<'u>> {
        // SAFETY: as above; -1 (not a function) gives none.
        let count = unsafe { clang_Cursor_getNumArguments(self.raw) };
        (0..count.max(0) as u32)
            // SAFETY: as above; `i` is below the count.
            .map(|i| Cursor::new(unsafe { clang_Cursor_getArgument(self.raw, i) }))
            .collect()
    }

    /// Whether a function is `static` (or `static inline`): no symbol to bind.
    pub fn is_static(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_Cursor_getStorageClass(self.raw) == CX_SC_Static }
    }

    /// The documentation comment before it, as written (`None` if none).
    pub fn comment(&self) -> Option<String> {
        // SAFETY: as above.
        let text = unsafe { string(clang_Cursor_getRawCommentText(self.raw)) };
        (!text.is_empty()).then_some(text)
    }

    /// Whether a field is a bit-field.
    pub fn is_bit_field(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_Cursor_isBitField(self.raw) != 0 }
    }

    /// A field's offset in its record, in bits (negative: not known).
    pub fn field_offset(&self) -> i64 {
        // SAFETY: as above.
        unsafe { clang_Cursor_getOffsetOfField(self.raw) }
    }

    /// Whether it is a definition (a struct with its fields, not a
    /// forward declaration).
    pub fn is_definition(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_isCursorDefinition(self.raw) != 0 }
    }

    /// A typedef's underlying type.
    pub fn underlying(&self) -> Ty<'u> {
        // SAFETY: as above.
        Ty::new(unsafe { clang_getTypedefDeclUnderlyingType(self.raw) })
    }

    /// Whether a macro takes arguments.
    pub fn is_function_like_macro(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_Cursor_isMacroFunctionLike(self.raw) != 0 }
    }

    /// An enum constant's value (read as unsigned when its enum's integer
    /// type is).
    pub fn enum_value(&self) -> Value {
        // SAFETY: as above; an enum constant's semantic parent is its enum.
        unsafe {
            let parent = clang_getCursorSemanticParent(self.raw);
            let integer = clang_getCanonicalType(clang_getEnumDeclIntegerType(parent));
            match integer.kind {
                CXType_UInt | CXType_ULong | CXType_ULongLong | CXType_UShort | CXType_UChar
                | CXType_Bool => Value::Unsigned(clang_getEnumConstantDeclUnsignedValue(self.raw)),
                _ => Value::Signed(clang_getEnumConstantDeclValue(self.raw)),
            }
        }
    }

    /// What a variable's initializer evaluates to, if clang can fold it to
    /// a number or a string.
    pub fn evaluate(&self) -> Option<Value> {
        // SAFETY: as above; the result is disposed after it is read, and a
        // string result is copied before that.
        unsafe {
            let result = clang_Cursor_Evaluate(self.raw);
            if result.is_null() {
                return None;
            }
            let value = match clang_EvalResult_getKind(result) {
                CXEval_Int if clang_EvalResult_isUnsignedInt(result) != 0 => {
                    Some(Value::Unsigned(clang_EvalResult_getAsUnsigned(result)))
                }
                CXEval_Int => Some(Value::Signed(clang_EvalResult_getAsLongLong(result))),
                CXEval_Float => Some(Value::Float(clang_EvalResult_getAsDouble(result))),
                CXEval_StrLiteral => {
                    let text = clang_EvalResult_getAsStr(result);
                    (!text.is_null())
                        .then(|| Value::Text(CStr::from_ptr(text).to_string_lossy().into_owned()))
                }
                _ => None,
            };
            clang_EvalResult_dispose(result);
            value
        }
    }

    /// An enum's integer type.
    pub fn enum_integer_type(&self) -> Ty<'u> {
        // SAFETY: as above.
        Ty::new(unsafe { clang_getEnumDeclIntegerType(self.raw) })
    }
}

/// A constant's value as clang computed it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A signed integer.
    Signed(i64),
    /// An unsigned integer.
    Unsigned(u64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Text(String),
}

/// A C type.
#[derive(Clone, Copy)]
pub struct Ty<'u> {
    raw: CXType,
    unit: PhantomData<&'u Unit>,
}

impl<'u> Ty<'u> {
    fn new(raw: CXType) -> Ty<'u> {
        Ty {
            raw,
            unit: PhantomData,
        }
    }

    /// Its kind (`CXType_Int`, …).
    pub fn kind(&self) -> CXTypeKind {
        self.raw.kind
    }

    /// How C spells it.
    pub fn spelling(&self) -> String {
        // SAFETY: a type of a live unit (it borrows the unit).
        unsafe { string(clang_getTypeSpelling(self.raw)) }
    }

    /// With every typedef and elaboration resolved.
    pub fn canonical(&self) -> Ty<'u> {
        // SAFETY: as above.
        Ty::new(unsafe { clang_getCanonicalType(self.raw) })
    }

    /// A typedef's name (empty for other types).
    pub fn typedef_name(&self) -> String {
        // SAFETY: as above.
        unsafe { string(clang_getTypedefName(self.raw)) }
    }

    /// One step towards the canonical type: a typedef's underlying type, an
    /// elaborated type's named type; `None` for anything else.
    pub fn desugared(&self) -> Option<Ty<'u>> {
        // SAFETY: as above.
        unsafe {
            match self.raw.kind {
                CXType_Typedef => Some(Ty::new(clang_getTypedefDeclUnderlyingType(
                    clang_getTypeDeclaration(self.raw),
                ))),
                CXType_Elaborated => Some(Ty::new(clang_Type_getNamedType(self.raw))),
                _ => None,
            }
        }
    }

    /// What a pointer points to.
    pub fn pointee(&self) -> Ty<'u> {
        // SAFETY: as above.
        Ty::new(unsafe { clang_getPointeeType(self.raw) })
    }

    /// Whether it is `const`-qualified.
    pub fn is_const(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_isConstQualifiedType(self.raw) != 0 }
    }

    /// Its declaration (a record's, an enum's, a typedef's).
    pub fn declaration(&self) -> Cursor<'u> {
        // SAFETY: as above.
        Cursor::new(unsafe { clang_getTypeDeclaration(self.raw) })
    }

    /// Size in bytes (negative: incomplete or dependent).
    pub fn size(&self) -> i64 {
        // SAFETY: as above.
        unsafe { clang_Type_getSizeOf(self.raw) }
    }

    /// Alignment in bytes (negative: incomplete).
    pub fn align(&self) -> i64 {
        // SAFETY: as above.
        unsafe { clang_Type_getAlignOf(self.raw) }
    }

    /// An array's element type.
    pub fn element(&self) -> Ty<'u> {
        // SAFETY: as above.
        Ty::new(unsafe { clang_getArrayElementType(self.raw) })
    }

    /// A constant array's length.
    pub fn array_len(&self) -> i64 {
        // SAFETY: as above.
        unsafe { clang_getArraySize(self.raw) }
    }

    /// Whether a function type is variadic.
    pub fn is_variadic(&self) -> bool {
        // SAFETY: as above.
        unsafe { clang_isFunctionTypeVariadic(self.raw) != 0 }
    }

    /// A record's fields, in order (anonymous members included).
    pub fn fields(&self) -> Vec<Cursor<'u>> {
        extern "C" fn visit(field: CXCursor, data: CXClientData) -> CXVisitorResult {
            // SAFETY: `data` is the Vec passed below, alive for the visit.
            let fields = unsafe { &mut *data.cast::<Vec<CXCursor>>() };
            fields.push(field);
            CXVisit_Continue
        }
        let mut fields: Vec<CXCursor> = Vec::new();
        // SAFETY: as above; the visitor only pushes into `fields`.
        unsafe {
            clang_Type_visitFields(
                self.raw,
                visit,
                std::ptr::from_mut(&mut fields).cast::<c_void>(),
            )
        };
        fields.into_iter().map(Cursor::new).collect()
    }
}

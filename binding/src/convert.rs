//! Values across the JS boundary, as Deno's slow path converts them: JS
//! arguments to invoke slots (with Deno's TypeError texts), native results
//! and callback arguments to JS (BigInt for 64-bit integers, External or
//! null for pointers), and the memory behind buffers.

use ffic_loader::Value;
use ffic_schema::native::{Float, Int, Kind, Pointee, Width};
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Type};
use std::ffi::c_void;

fn type_name(ty: &Type) -> String {
    ty.to_string()
}

/// The TypeError for a `cstring` argument C would read as shorter.
pub(super) const NUL_IN_CSTRING: &str =
    "Invalid FFI cstring type, expected a string without NUL characters";

/// A JS argument as an invoke slot, converted as Deno's slow path converts.
/// A `cstring`'s UTF-8 copy is added to `strings`, which must outlive the
/// call.
pub(super) fn to_slot(
    scope: &mut v8::PinScope,
    ty: &Type,
    value: v8::Local<v8::Value>,
    strings: &mut Vec<Box<[u8]>>,
) -> Result<u64, String> {
    let invalid =
        |expected: &str| format!("Invalid FFI {} type, expected {expected}", type_name(ty));
    let p = match ty {
        Type::Struct(layout) => {
            let (data, len) = bytes_of(value).ok_or_else(|| {
                "Invalid FFI struct type, expected ArrayBuffer, or ArrayBufferView".to_string()
            })?;
            // Deno's words for an empty buffer; a short one it reads past
            // its end, which ffic refuses.
            if len == 0 {
                return Err(if value.is_array_buffer() {
                    "Invalid FFI ArrayBuffer, expected data in buffer"
                } else {
                    "Invalid FFI ArrayBufferView, expected data in the buffer"
                }
                .into());
            }
            if (len as u64) < layout.size {
                return Err(format!(
                    "Invalid FFI struct type, expected at least {} bytes, got {len}",
                    layout.size
                ));
            }
            return Ok(data as u64);
        }
        Type::Primitive(p) => *p,
    };
    // An integer that fits a JS number, cut to its width's low bytes.
    let low = |v: u64, width: Width| v & (u64::MAX >> (64 - 8 * width.bytes(8)));
    Ok(match p.kind() {
        Kind::Bool if value.is_boolean() => u64::from(value.is_true()),
        Kind::Bool => return Err("Invalid FFI u8 type, expected boolean".into()),
        Kind::Int(Int { width, signed }) if width.fits_number() => match signed {
            false if value.is_uint32() => {
                low(u64::from(value.uint32_value(scope).unwrap_or(0)), width)
            }
            false => return Err(invalid("unsigned integer")),
            true if value.is_int32() => {
                low(value.int32_value(scope).unwrap_or(0) as i64 as u64, width)
            }
            true => return Err(invalid("integer")),
        },
        Kind::Int(Int { signed, .. }) => {
            if let Ok(big) = v8::Local::<v8::BigInt>::try_from(value) {
                big.u64_value().0
            } else if value.is_number() {
                value.integer_value(scope).unwrap_or(0) as u64
            } else if signed {
                return Err(invalid("integer"));
            } else {
                return Err(invalid("unsigned integer"));
            }
        }
        Kind::Float(Float::F32) if value.is_number() => {
            u64::from((value.number_value(scope).unwrap_or(0.0) as f32).to_bits())
        }
        Kind::Float(Float::F64) if value.is_number() => {
            value.number_value(scope).unwrap_or(0.0).to_bits()
        }
        Kind::Float(_) => return Err(invalid("number")),
        Kind::Pointer(Pointee::Opaque | Pointee::Function) if value.is_null() => 0,
        Kind::Pointer(Pointee::Opaque | Pointee::Function) => {
            match v8::Local::<v8::External>::try_from(value) {
                Ok(external) => external.value() as u64,
                Err(_) => return Err(invalid("null, or External")),
            }
        }
        Kind::Pointer(Pointee::Buffer) if value.is_null() => 0,
        Kind::Pointer(Pointee::Buffer) => match bytes_of(value) {
            Some((data, _)) => data as u64,
            None => return Err(invalid("null, ArrayBuffer, or ArrayBufferView")),
        },
        Kind::Pointer(Pointee::CString) if value.is_null() => 0,
        Kind::Pointer(Pointee::CString) => {
            let string =
                v8::Local::<v8::String>::try_from(value).map_err(|_| invalid("string, or null"))?;
            // Lone surrogates become U+FFFD, as TextEncoder makes them.
            let mut bytes = string.to_rust_string_lossy(scope).into_bytes();
            if bytes.contains(&0) {
                return Err(NUL_IN_CSTRING.into());
            }
            bytes.push(0);
            let bytes = bytes.into_boxed_slice();
            let address = bytes.as_ptr() as u64;
            strings.push(bytes);
            address
        }
        Kind::Void => return Err("void is not a parameter type".into()),
    })
}

/// The data pointer and length of an ArrayBuffer or ArrayBufferView. The
/// crate builds V8 with no on-heap typed arrays, so the data never moves.
pub fn bytes_of(value: v8::Local<v8::Value>) -> Option<(*mut c_void, usize)> {
    if let Ok(view) = v8::Local::<v8::ArrayBufferView>::try_from(value) {
        // One V8 call for both (the fast path's buffer helper runs this on
        // every call). The storage is only written for on-heap typed arrays,
        // which this build of V8 never makes (TYPED_ARRAY_MAX_SIZE_IN_HEAP is 0).
        let mut storage = [0u8; v8::TYPED_ARRAY_MAX_SIZE_IN_HEAP];
        // SAFETY: `storage` is as large as V8 asks, and the span it returns
        // points into the view's off-heap backing store.
        let (data, len) = unsafe { view.get_contents_raw_parts(&mut storage) };
        return Some((data.cast(), len));
    }
    if let Ok(buffer) = v8::Local::<v8::ArrayBuffer>::try_from(value) {
        let data = buffer.data().map_or(std::ptr::null_mut(), |p| p.as_ptr());
        return Some((data, buffer.byte_length()));
    }
    None
}

/// A native value as Deno hands it to JS: BigInt for 64-bit integers,
/// External or null for pointers.
pub(super) fn value_to_js<'s>(
    scope: &v8::PinScope<'s, '_, ()>,
    value: Value,
) -> v8::Local<'s, v8::Value> {
    match value {
        Value::Void | Value::Struct(_) => v8::undefined(scope).into(),
        Value::Bool(b) => v8::Boolean::new(scope, b).into(),
        Value::U8(v) => v8::Integer::new_from_unsigned(scope, v.into()).into(),
        Value::I8(v) => v8::Integer::new(scope, v.into()).into(),
        Value::U16(v) => v8::Integer::new_from_unsigned(scope, v.into()).into(),
        Value::I16(v) => v8::Integer::new(scope, v.into()).into(),
        Value::U32(v) => v8::Integer::new_from_unsigned(scope, v).into(),
        Value::I32(v) => v8::Integer::new(scope, v).into(),
        Value::U64(v) => v8::BigInt::new_from_u64(scope, v).into(),
        Value::I64(v) => v8::BigInt::new_from_i64(scope, v).into(),
        Value::Usize(v) => v8::BigInt::new_from_u64(scope, v as u64).into(),
        Value::Isize(v) => v8::BigInt::new_from_i64(scope, v as i64).into(),
        Value::F32(v) => v8::Number::new(scope, v.into()).into(),
        Value::F64(v) => v8::Number::new(scope, v).into(),
        Value::Pointer(p) if p.is_null() => v8::null(scope).into(),
        Value::Pointer(p) => v8::External::new(scope, p).into(),
    }
}

/// A result of `ty` read from the bytes an invoke wrote, as Deno returns it
/// (and a `cstring` as a string).
pub(super) fn to_js<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    ty: &Type,
    bytes: &[u8],
) -> v8::Local<'s, v8::Value> {
    let value = Value::read(ty, bytes);
    match (ty, value) {
        (Type::Primitive(Primitive::CString), Value::Pointer(address)) => {
            cstring_to_js(scope, address)
        }
        (_, value) => value_to_js(scope, value),
    }
}

/// A C string as JS: `null` for NULL, else its bytes decoded as UTF-8 the
/// way `TextDecoder` decodes them (each maximal invalid subsequence becomes
/// one U+FFFD, the rule Rust's lossy decoding follows too).
fn cstring_to_js<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    address: *mut c_void,
) -> v8::Local<'s, v8::Value> {
    if address.is_null() {
        return v8::null(scope).into();
    }
    // SAFETY: none the host can give: a function declared to return a C
    // string returns a NUL-terminated one (as Deno trusts getCString's
    // pointer); the script declared it, with --allow-ffi.
    let bytes = unsafe { std::ffi::CStr::from_ptr(address.cast()) }.to_bytes();
    let text = String::from_utf8_lossy(bytes);
    match v8::String::new(scope, &text) {
        Some(string) => string.into(),
        // Longer than V8's longest string.
        None => v8::null(scope).into(),
    }
}

/// A pointer as JS sees it: External, or null for 0.
pub(super) fn pointer_to_js<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    address: u64,
) -> v8::Local<'s, v8::Value> {
    value_to_js(scope, Value::Pointer(address as usize as *mut c_void))
}

/// Invoke slots, and the C string copies they point into, which live as
/// long as the slots (`into_parts` splits them for a nonblocking call).
pub(super) struct Slots {
    words: Vec<u64>,
    _strings: Vec<Box<[u8]>>,
}

/// C string copies that arguments point into.
pub(super) struct Strings {
    _copies: Vec<Box<[u8]>>,
}

impl Slots {
    /// The slots, one per parameter, valid while `self` is.
    pub(super) fn as_ptr(&self) -> *const u64 {
        self.words.as_ptr()
    }

    /// The slots, and the copies they point into, which must outlive every
    /// use of the slots and of results that may point into them.
    pub(super) fn into_parts(self) -> (Vec<u64>, Strings) {
        (
            self.words,
            Strings {
                _copies: self._strings,
            },
        )
    }
}

/// The arguments as invoke slots, converted as Deno's slow path does. With
/// `keep`, the backing store of every buffer and struct argument is added to
/// it (a nonblocking call keeps them alive until it finishes).
pub(super) fn slots_of(
    scope: &mut v8::PinScope,
    args: &v8::FunctionCallbackArguments,
    signature: &Signature,
    mut keep: Option<&mut Vec<v8::SharedRef<v8::BackingStore>>>,
) -> Result<Slots, String> {
    let mut slots = Vec::with_capacity(signature.parameters.len());
    let mut strings = Vec::new();
    for (i, ty) in signature.parameters.iter().enumerate() {
        let value = args.get(i as i32);
        slots.push(to_slot(scope, ty, value, &mut strings)?);
        let holds_memory = match ty {
            Type::Struct(_) => true,
            Type::Primitive(p) => match p.kind() {
                Kind::Pointer(Pointee::Buffer) => true,
                Kind::Void
                | Kind::Bool
                | Kind::Int(_)
                | Kind::Float(_)
                | Kind::Pointer(Pointee::Opaque | Pointee::Function | Pointee::CString) => false,
            },
        };
        if let (Some(keep), true) = (keep.as_deref_mut(), holds_memory)
            && let Some(store) = backing_store(value)
        {
            if store.is_resizable_by_user_javascript() {
                return Err(
                    "Resizable backing stores are not supported for nonblocking FFI calls".into(),
                );
            }
            keep.push(store);
        }
    }
    Ok(Slots {
        words: slots,
        _strings: strings,
    })
}

/// The backing store of an ArrayBuffer or view.
fn backing_store(value: v8::Local<v8::Value>) -> Option<v8::SharedRef<v8::BackingStore>> {
    if let Ok(view) = v8::Local::<v8::ArrayBufferView>::try_from(value) {
        return view.get_backing_store();
    }
    v8::Local::<v8::ArrayBuffer>::try_from(value)
        .ok()
        .map(|buffer| buffer.get_backing_store())
}

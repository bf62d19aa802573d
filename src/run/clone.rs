//! The structured clone algorithm through V8's own serializer, as Deno does
//! it: `structuredClone` (ArrayBuffers in the transfer list moved rather
//! than copied) and the serialized form workers' messages travel in. What
//! cannot be cloned fails with a DataCloneError DOMException carrying V8's
//! message.

use super::errors::throw_deno;
use v8::{ValueDeserializerHelper, ValueSerializerHelper};

type Args<'s> = v8::FunctionCallbackArguments<'s>;
type Ret<'s> = v8::ReturnValue<'s, v8::Value>;

/// Turns V8's refusals into Deno's DataCloneError.
struct Delegate;

impl v8::ValueSerializerImpl for Delegate {
    fn throw_data_clone_error<'s>(
        &self,
        scope: &mut v8::PinScope<'s, '_>,
        message: v8::Local<'s, v8::String>,
    ) {
        let message = message.to_rust_string_lossy(scope);
        throw_deno(scope, "DataCloneError", &message, None);
    }
}

impl v8::ValueDeserializerImpl for Delegate {}

/// A value serialized for another isolate (a worker's message): V8's
/// bytes, and the contents of the ArrayBuffers it transferred (their
/// originals detached).
pub struct Serialized {
    bytes: Vec<u8>,
    buffers: Vec<Vec<u8>>,
}

/// The ArrayBuffers of `list` (a JS array checked by the caller).
pub fn buffers<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    list: v8::Local<'s, v8::Value>,
) -> Vec<v8::Local<'s, v8::ArrayBuffer>> {
    v8::Local::<v8::Array>::try_from(list)
        .map(|list| {
            (0..list.length())
                .filter_map(|i| list.get_index(scope, i))
                .filter_map(|b| v8::Local::<v8::ArrayBuffer>::try_from(b).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// V8's bytes for `value`, with `transfer` marked as transferred; `None`
/// (a DataCloneError thrown) if it cannot be cloned.
fn write(
    scope: &mut v8::PinScope,
    value: v8::Local<v8::Value>,
    transfer: &[v8::Local<v8::ArrayBuffer>],
) -> Option<Vec<u8>> {
    let context = scope.get_current_context();
    let serializer = v8::ValueSerializer::new(scope, Box::new(Delegate));
    for (id, buffer) in (0u32..).zip(transfer) {
        serializer.transfer_array_buffer(id, *buffer);
    }
    serializer.write_header();
    (serializer.write_value(context, value) == Some(true)).then(|| serializer.release())
}

/// The value `bytes` holds, the transferred buffers being `moved`.
fn read<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    bytes: &[u8],
    moved: &[v8::Local<'s, v8::ArrayBuffer>],
) -> Option<v8::Local<'s, v8::Value>> {
    let context = scope.get_current_context();
    let deserializer = v8::ValueDeserializer::new(scope, Box::new(Delegate), bytes);
    for (id, buffer) in (0u32..).zip(moved) {
        deserializer.transfer_array_buffer(id, *buffer);
    }
    deserializer.read_header(context)?;
    deserializer.read_value(context)
}

/// Serializes `value` for another isolate, moving `transfer`'s contents
/// out (the originals detach); `None` with a DataCloneError thrown.
pub fn serialize(
    scope: &mut v8::PinScope,
    value: v8::Local<v8::Value>,
    transfer: &[v8::Local<v8::ArrayBuffer>],
) -> Option<Serialized> {
    let bytes = write(scope, value, transfer)?;
    let buffers = transfer
        .iter()
        .map(|buffer| {
            let contents = match buffer.data() {
                // SAFETY: the buffer is alive (a handle) and holds
                // `byte_length` bytes at `data`; no JS runs meanwhile.
                Some(data) => unsafe {
                    std::slice::from_raw_parts(data.as_ptr().cast::<u8>(), buffer.byte_length())
                }
                .to_vec(),
                None => Vec::new(),
            };
            buffer.detach(None);
            contents
        })
        .collect();
    Some(Serialized { bytes, buffers })
}

/// The value `serialized` holds, in this isolate.
pub fn deserialize<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    serialized: Serialized,
) -> Option<v8::Local<'s, v8::Value>> {
    let moved: Vec<_> = serialized
        .buffers
        .into_iter()
        .map(|contents| {
            let store = v8::ArrayBuffer::new_backing_store_from_vec(contents).make_shared();
            v8::ArrayBuffer::with_backing_store(scope, &store)
        })
        .collect();
    read(scope, &serialized.bytes, &moved)
}

/// `structuredClone(value, transfer)`: `transfer` is an array of distinct,
/// detachable ArrayBuffers (checked by the caller), detached here.
fn structured_clone<'s>(scope: &mut v8::PinScope<'s, '_>, args: Args<'s>, mut rv: Ret) {
    let transfer = buffers(scope, args.get(1));
    let Some(bytes) = write(scope, args.get(0), &transfer) else {
        return;
    };
    // The moved buffers' memory goes to the copies; the originals detach.
    let stores: Vec<_> = transfer.iter().map(|b| b.get_backing_store()).collect();
    for buffer in &transfer {
        buffer.detach(None);
    }
    let moved: Vec<_> = stores
        .iter()
        .map(|store| v8::ArrayBuffer::with_backing_store(scope, store))
        .collect();
    if let Some(copy) = read(scope, &bytes, &moved) {
        rv.set(copy);
    }
}

/// Adds `structuredClone` to the natives.
pub fn install(scope: &mut v8::PinScope, object: v8::Local<v8::Object>) {
    ffic_deno::set_function(scope, object, "structuredClone", structured_clone);
}

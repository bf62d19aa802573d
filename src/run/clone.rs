//! `structuredClone`: a value copied through V8's own serializer (the
//! structured clone algorithm, as Deno does it), with ArrayBuffers in the
//! transfer list moved rather than copied. What cannot be cloned fails with
//! a DataCloneError DOMException carrying V8's message.

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

/// `structuredClone(value, transfer)`: `transfer` is an array of distinct,
/// detachable ArrayBuffers (checked by the caller), detached here.
fn structured_clone(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let value = args.get(0);
    let transfer: Vec<v8::Local<v8::ArrayBuffer>> = v8::Local::<v8::Array>::try_from(args.get(1))
        .map(|list| {
            (0..list.length())
                .filter_map(|i| list.get_index(scope, i))
                .filter_map(|b| v8::Local::<v8::ArrayBuffer>::try_from(b).ok())
                .collect()
        })
        .unwrap_or_default();
    let context = scope.get_current_context();
    let serializer = v8::ValueSerializer::new(scope, Box::new(Delegate));
    for (id, buffer) in (0u32..).zip(&transfer) {
        serializer.transfer_array_buffer(id, *buffer);
    }
    serializer.write_header();
    if serializer.write_value(context, value) != Some(true) {
        return;
    }
    let bytes = serializer.release();
    // The moved buffers' memory goes to the copies; the originals detach.
    let stores: Vec<_> = transfer.iter().map(|b| b.get_backing_store()).collect();
    for buffer in &transfer {
        buffer.detach(None);
    }
    let deserializer = v8::ValueDeserializer::new(scope, Box::new(Delegate), &bytes);
    for (id, store) in (0u32..).zip(&stores) {
        let moved = v8::ArrayBuffer::with_backing_store(scope, store);
        deserializer.transfer_array_buffer(id, moved);
    }
    if deserializer.read_header(context) != Some(true) {
        return;
    }
    if let Some(copy) = deserializer.read_value(context) {
        rv.set(copy);
    }
}

/// Adds `structuredClone` to the natives.
pub fn install(scope: &mut v8::PinScope, object: v8::Local<v8::Object>) {
    ffic_deno::set_function(scope, object, "structuredClone", structured_clone);
}

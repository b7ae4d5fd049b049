// What the build's wasm scripts (prune-wasm-table.mjs, trap-panics.mjs,
// short-wasm-names.mjs) read the same way: Rust's function names without their hashes,
// the panic handler, and a name quoted for a regular expression.
import binaryen from 'binaryen';

/** A name without its hashes. Rust's legacy mangling ends a path with `::h0123…`
 * (Rust 1.95), its v0 mangling (the default since: rust-toolchain.toml) puts `[0123…]`
 * after each crate and spells a generic function's arguments out (`invoke::<JsValue, …>`). */
export const unhashed = (name) => name.replace(/\[[0-9a-f]{8,}\]/g, '').replace(/::h[0-9a-f]{16}$/, '');

const PANIC_HANDLER = /(^|::)rust_begin_unwind$/;

/** The panic handler's name if the module has one whose body is a lone `unreachable`
 * (src/lib.rs: a panic traps, its message never formatted), else `undefined`.
 * `names`: the module's own function names. */
export function trappingPanicHandler(module, names) {
  const handler = names.filter((name) => PANIC_HANDLER.test(unhashed(name)));
  if (handler.length !== 1) return undefined;
  const body = binaryen.getFunctionInfo(module.getFunction(handler[0])).body;
  return binaryen.getExpressionId(body) === binaryen.UnreachableId ? handler[0] : undefined;
}

/** `s` matched literally inside a regular expression. */
export const literal = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

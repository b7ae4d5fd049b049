// The size profile of a wasm that kept its names (scripts/size-profile.sh builds one):
// each section raw and gzipped, the largest functions, and code bytes per crate.
// twiggy would do, but panics on wasm-opt's output of this module ("should not parse
// the same key into multiple items"), so this reads the sections itself.
//   node scripts/size-profile.mjs <named.wasm> [--top N] [--json]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const top = Number(args[args.indexOf('--top') + 1]) || 30;
const bytes = readFileSync(file);
const gz = (b) => gzipSync(b, { level: 9 }).length;

let p = 8;
const leb = () => {
  let r = 0, shift = 0, b;
  do { b = bytes[p++]; r += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return r;
};
const name = () => { const n = leb(); const s = bytes.toString('utf8', p, p + n); p += n; return s; };
const SECTION = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'];
const sections = [], bodies = [], names = new Map();
let importedFuncs = 0;
while (p < bytes.length) {
  const id = bytes[p++], size = leb(), start = p, end = p + size;
  let label = SECTION[id] ?? String(id);
  if (id === 0) {
    label = `custom "${name()}"`;
    if (label === 'custom "name"') {
      while (p < end) {
        const sub = bytes[p++], subEnd = leb() + p;
        if (sub === 1) for (let n = leb(); n > 0; n--) { const i = leb(); names.set(i, name()); }
        p = subEnd;
      }
    }
  } else if (id === 2) {
    for (let n = leb(); n > 0; n--) {
      name(); name();
      const kind = bytes[p++];
      if (kind === 0) { leb(); importedFuncs++; }
      else if (kind === 1) { p++; if (bytes[p++] & 1) { leb(); leb(); } else leb(); }
      else if (kind === 2) { if (bytes[p++] & 1) { leb(); leb(); } else leb(); }
      else if (kind === 3) p += 2;
      else if (kind === 4) { p++; leb(); }
    }
  } else if (id === 10) {
    for (let n = leb(), i = 0; i < n; i++) { const s = leb(); bodies.push({ index: i, size: s }); p += s; }
  }
  // The name section is not shipped (wasm-bindgen drops it): leave it out of the totals.
  if (label !== 'custom "name"') sections.push({ section: label, raw: size, gz: gz(bytes.subarray(start, end)) });
  p = end;
}
const functions = bodies
  .map((b) => ({ name: names.get(b.index + importedFuncs) ?? `func[${b.index + importedFuncs}]`, size: b.size }))
  .sort((a, b) => b.size - a.size);
// "crate": the first path segment, the crates' hashes dropped; wasm-bindgen's export shims apart.
const crateOf = (fn) => {
  if (/ shim$/.test(fn)) return 'wasm-bindgen export shims';
  const path = fn.replace(/^[<&]+/, '').replace(/\[[0-9a-f]+\]/g, '');
  // Rust 1.95 names it `drop_in_place`, 1.99 (rust-toolchain.toml) `drop_glue`.
  if (/^core::ptr::drop_(in_place|glue)\b/.test(path)) return 'drop glue (core::ptr::drop_in_place)';
  const seg = path.split('::');
  return /^(genomcore_events_wasm|genomcore_events_core)$/.test(seg[0]) && seg[1] ? `${seg[0]}::${seg[1] === 'wasm' ? seg[2] : seg[1]}` : seg[0];
};
const crates = new Map();
for (const f of functions) crates.set(crateOf(f.name), (crates.get(crateOf(f.name)) ?? 0) + f.size);
const profile = {
  sections,
  // Without the hashes of either mangling (legacy `::h…` at the end, v0 `[…]` after each crate).
  top: functions.slice(0, top).map((f) => ({ name: f.name.replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]{8,}\]/g, ''), size: f.size })),
  crates: [...crates].sort((a, b) => b[1] - a[1]).slice(0, top).map(([crate, size]) => ({ crate, size })),
};
if (args.includes('--json')) {
  console.log(JSON.stringify(profile));
} else {
  const total = sections.reduce((s, x) => s + x.raw, 0);
  console.log('section                      raw B    gzip B (alone)');
  for (const s of sections) console.log(`${s.section.padEnd(24)} ${String(s.raw).padStart(9)} ${String(s.gz).padStart(9)}`);
  console.log(`${'(all, names dropped)'.padEnd(24)} ${String(total).padStart(9)}`);
  console.log(`\nlargest functions (code bytes, of ${functions.reduce((s, f) => s + f.size, 0)} in ${functions.length} functions):`);
  for (const f of profile.top) console.log(`${String(f.size).padStart(7)}  ${f.name}`);
  console.log('\ncode bytes by crate / module:');
  for (const c of profile.crates) console.log(`${String(c.size).padStart(7)}  ${c.crate}`);
}

// Assembles the WebAssembly kernels from the hand-written text sources in `asm/*.wat` and writes them,
// base64-encoded, into a generated TypeScript module so the package loads them synchronously with no
// file or network access (bundlers see an ordinary string constant).
//
// Two binaries come out of one source: `relaxed` keeps `f32x4.relaxed_madd` (fused multiply-add where
// the engine supports relaxed SIMD), `plain` rewrites each `(f32x4.relaxed_madd a b c)` into
// `(f32x4.add (f32x4.mul a b) c)`. Both ship compressed by `scripts/wasm-delta.mjs` (LZ77 that the
// package undoes synchronously and fast): the plain one as edits of nothing, under a third of its
// size, the relaxed one as a few KB of edits of the plain one; with the relaxed build's SHA-256 for
// tests to check the rebuilt bytes against. Both import a shared memory; the loader flips the memory-import
// flag byte (whose offset is recorded here) to load them over an unshared memory where threads are
// unavailable.
//
// Macros and lane templates, expanded before assembling (in that order). WAT has none, and the
// transcendental kernels only run fast when their math is inlined into the kernel loop (V8 does not
// inline wasm calls; each call rematerialises constants and spills) and several independent vectors
// are in flight at once (each vector's polynomial and exponent chain is a long serial dependency).
//
// Macros: `(@macro name ($p ...) body ...)` defines (anywhere; the definition is removed) and
// `(@name arg ...)` is replaced by the body with each parameter `$p` (also in the lane form `$p#`)
// replaced by its argument, an atom or an s-expression; bodies may use other macros.
//
// Lane templates: `(@lanes N item ...)` is expanded in place: each item (an s-expression or a bare
// atom) is written N times in a row, copy k with every `#` inside a `$identifier` replaced by k, and
// `#*S` elsewhere by k·S. `(@lanes 4 (local $x# v128))` declares $x0..$x3;
// `(@lanes 4 (local.set $y# (f32x4.mul (local.get $x#) (local.get $x#))))` is four independent
// statements; `(@lanes 4 (v128.load offset=#*16 (local.get $p)))` loads four vectors from p.
// `(@lanes-down N ...)` counts k down from N−1 (to pop a multi-value result into $y0..$y3:
// `(@lanes-down 4 (local.set $y#))`). Templates do not nest; N may come from a macro argument.
//
// Usage: node scripts/build-wasm.mjs   (run by the package's build, typecheck and test scripts)
// With PROJ_WASM_NAMES=1 the binaries keep a name section (about 40 KB more), so CPU profiles
// (`node --cpu-prof`, Chrome DevTools) show kernel names such as `kernel_4x8` instead of
// `wasm-function[41]`; published builds leave it out.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { encodeDelta } from './wasm-delta.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asmDir = join(root, 'asm');
const outFile = join(root, 'src/backend/wasm/kernels.generated.ts');

/** Pages of 64 KiB: the declared maximum of the imported memory (4 GiB). */
const MAX_PAGES = 65536;

/** End index (exclusive) of the s-expression opening at `text[from] === '('`; skips `;;` line comments. */
function sexpEnd(text, from) {
  let depth = 0;
  let i = from;
  do {
    if (text.startsWith(';;', i)) {
      i = text.indexOf('\n', i);
      if (i < 0) throw new Error(`unterminated s-expression near: ${text.slice(from, from + 60)}`);
      continue;
    }
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (i >= text.length)
      throw new Error(`unterminated s-expression near: ${text.slice(from, from + 60)}`);
    i++;
  } while (depth > 0);
  return i;
}

/**
 * Rewrites every form of `text` that starts with `head`: `rewrite(start)` gets the index of the form's
 * `(` and returns its replacement and the index just past the form.
 */
function rewriteForms(text, head, rewrite) {
  let out = '';
  let at = 0;
  for (;;) {
    const start = text.indexOf(head, at);
    if (start < 0) return out + text.slice(at);
    const { replacement, end } = rewrite(start);
    out += text.slice(at, start) + replacement;
    at = end;
  }
}

/** Expands every `(@lanes N item ...)` lane template (see the header comment). */
function expandLanes(text) {
  const head = '(@lanes';
  return rewriteForms(text, head, (start) => {
    let out = '';
    const count = /^(-down)?\s+(\d+)/.exec(text.slice(start + head.length, start + head.length + 16));
    if (!count) throw new Error(`@lanes needs a lane count near: ${text.slice(start, start + 40)}`);
    const lanes = Number(count[2]);
    const order = Array.from({ length: lanes }, (_, k) => (count[1] ? lanes - 1 - k : k));
    const { items, close } = listItems(text, start + head.length + count[0].length);
    for (const item of items) {
      if (item.includes(head)) throw new Error(`@lanes templates do not nest: ${item.slice(0, 60)}`);
    }
    for (const item of items) {
      for (const k of order) {
        const named = item.replace(/\$[^\s()";]+/g, (id) => id.replaceAll('#', String(k)));
        out += ` ${named.replace(/#\*(\d+)/g, (_, step) => String(k * Number(step)))}`;
      }
    }
    return { replacement: out, end: close + 1 };
  });
}

/** The items (s-expressions and atoms) of the list whose body starts at `i`, and the index of its `)`. */
function listItems(text, i) {
  const items = [];
  for (;;) {
    while (/\s/.test(text[i] ?? '')) i++;
    if (text.startsWith(';;', i)) {
      i = text.indexOf('\n', i);
      continue;
    }
    if (text[i] === ')') return { items, close: i };
    if (i >= text.length) throw new Error('unterminated list');
    const end = text[i] === '(' ? sexpEnd(text, i) : i + /^[^\s()]+/.exec(text.slice(i))[0].length;
    items.push(text.slice(i, end));
    i = end;
  }
}

/**
 * Expands macros: `(@macro name ($p ...) body ...)` defines (and is removed), `(@name arg ...)` is
 * replaced by the body with each parameter replaced by its argument (an atom or an s-expression).
 * A parameter `$p` matches `$p` and the lane-template form `$p#`, not longer names such as `$pq`.
 */
function expandMacros(text) {
  const macros = new Map();
  let rest = '';
  let at = 0;
  for (;;) {
    const start = text.indexOf('(@macro', at);
    if (start < 0) break;
    rest += text.slice(at, start);
    const { items, close } = listItems(text, start + '(@macro'.length);
    const [name, params, ...body] = items;
    if (!name || !params?.startsWith('('))
      throw new Error(`bad @macro near: ${text.slice(start, start + 60)}`);
    macros.set(name, { params: listItems(params, 1).items, body: body.join('\n') });
    at = close + 1;
  }
  rest += text.slice(at);
  const expand = (source, depth) => {
    if (depth > 8) throw new Error('macros nest more than 8 deep');
    let out = '';
    let from = 0;
    for (const m of source.matchAll(/\(@([\w.-]+)/g)) {
      if (m.index < from || m[1] === 'lanes' || m[1] === 'lanes-down') continue;
      const macro = macros.get(m[1]);
      if (!macro) throw new Error(`unknown macro @${m[1]}`);
      const { items: args, close } = listItems(source, m.index + m[0].length);
      if (args.length !== macro.params.length) {
        throw new Error(`@${m[1]} takes ${macro.params.length} arguments, got ${args.length}`);
      }
      const escaped = macro.params.map((p) => p.replace(/[$.*+?^{}()|[\]\\]/g, '\\$&'));
      const pattern = new RegExp(`(${escaped.join('|')})(?=[#\\s()]|$)`, 'g');
      const body = args.length
        ? macro.body.replace(pattern, (param) => args[macro.params.indexOf(param)])
        : macro.body;
      out += source.slice(from, m.index) + expand(body, depth + 1);
      from = close + 1;
    }
    return out + source.slice(from);
  };
  return expand(rest, 0);
}

/** Replaces every `(f32x4.relaxed_madd a b c)` with `(f32x4.add (f32x4.mul a b) c)`. */
function lowerRelaxed(text) {
  const head = '(f32x4.relaxed_madd';
  return rewriteForms(text, head, (start) => {
    const args = [];
    let i = start + head.length;
    while (args.length < 3) {
      while (/\s/.test(text[i])) i++;
      if (text[i] !== '(')
        throw new Error(`relaxed_madd operand must be an s-expression near: ${text.slice(i, i + 40)}`);
      const from = i;
      i = sexpEnd(text, i);
      args.push(lowerRelaxed(text.slice(from, i)));
    }
    while (/\s/.test(text[i])) i++;
    if (text[i] !== ')') throw new Error('relaxed_madd takes exactly three operands');
    return { replacement: `(f32x4.add (f32x4.mul ${args[0]} ${args[1]}) ${args[2]})`, end: i + 1 };
  });
}

/** Offset of the limits-flag byte of the `env.memory` import (0x03 = shared with max, 0x01 = unshared). */
function memoryFlagOffset(bytes) {
  const needle = [3, 0x65, 0x6e, 0x76, 6, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 2, 3];
  const hits = [];
  for (let i = 0; i + needle.length <= bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b)) hits.push(i + needle.length - 1);
  }
  if (hits.length !== 1) throw new Error(`expected one shared env.memory import, found ${hits.length}`);
  return hits[0];
}

function moduleText() {
  const files = readdirSync(asmDir)
    .filter((f) => f.endsWith('.wat'))
    .sort();
  const body = files.map((f) => `;; ---- ${f} ----\n${readFileSync(join(asmDir, f), 'utf8')}`).join('\n');
  return expandLanes(
    expandMacros(`(module\n  (import "env" "memory" (memory 1 ${MAX_PAGES} shared))\n${body}\n)\n`),
  );
}

async function main() {
  const wabt = await wabtInit();
  const text = moduleText();
  const assemble = (name, source, relaxed) => {
    const features = { simd: true, threads: true, relaxed_simd: relaxed, bulk_memory: true };
    const parsed = wabt.parseWat(name, source, features);
    parsed.resolveNames();
    parsed.validate(features);
    const { buffer } = parsed.toBinary({ write_debug_names: process.env.PROJ_WASM_NAMES === '1' });
    parsed.destroy();
    return Uint8Array.from(buffer);
  };
  const relaxed = assemble('kernels-relaxed.wat', text, true);
  const plain = assemble('kernels-plain.wat', lowerRelaxed(text), false);
  if (!WebAssembly.validate(plain)) throw new Error('the plain SIMD build does not validate in this Node');
  const b64 = (bytes) => Buffer.from(bytes).toString('base64');
  const ts = `// Generated by scripts/build-wasm.mjs from asm/*.wat. Do not edit; run \`pnpm build\` instead.

/** The kernels with plain SIMD multiply and add, as edits of nothing (\`applyDelta\`), base64. */
export const PLAIN_WASM_DELTA = '${b64(encodeDelta(new Uint8Array(0), plain))}';

/** The kernels with relaxed-SIMD fused multiply-add, as edits of the plain ones (\`applyDelta\`), base64. */
export const RELAXED_WASM_DELTA = '${b64(encodeDelta(plain, relaxed))}';

/** SHA-256 of the relaxed-SIMD kernels, hex, to check the bytes \`applyDelta\` rebuilds. */
export const RELAXED_WASM_SHA256 = '${createHash('sha256').update(relaxed).digest('hex')}';

/** Byte offset of the memory-import limits flag in each binary (3 = shared, 1 = unshared). */
export const MEMORY_FLAG_OFFSET = { plain: ${memoryFlagOffset(plain)}, relaxed: ${memoryFlagOffset(relaxed)} };

/** Declared maximum of the imported memory, in 64 KiB pages. */
export const MAX_MEMORY_PAGES = ${MAX_PAGES};
`;
  let previous = '';
  try {
    previous = readFileSync(outFile, 'utf8');
  } catch {}
  if (previous === ts) return;
  // Write-then-rename: build, typecheck and test may run this script at the same time.
  const tmp = `${outFile}.${process.pid}.tmp`;
  writeFileSync(tmp, ts);
  renameSync(tmp, outFile);
}

await main();

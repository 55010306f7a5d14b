// Temporary helper (not committed): prints what each example block of a README prints.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import ts from 'typescript';
const [readme, only] = process.argv.slice(2);
const md = readFileSync(readme, 'utf8').split('\n');
mkdirSync('.run-show', { recursive: true });
for (let i = 0; i < md.length; i++) {
  const m = /^```(ts|js)(.*)$/.exec(md[i]);
  if (!m || m[2].includes('no-run')) continue;
  let j = i + 1; while (md[j] !== '```') j++;
  const code = md.slice(i + 1, j).join('\n');
  if (only && String(i + 1) !== only) { i = j; continue; }
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  writeFileSync(`.run-show/b${i}.mjs`, js);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [`.run-show/b${i}.mjs`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  console.log(`---- line ${i + 1} (status ${r.status}, ${Date.now() - t0} ms)\n${r.stdout}${r.stderr}`);
  i = j;
}

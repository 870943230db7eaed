#!/usr/bin/env bash
# Runs the data-driven cases through the peer engine aws-local-stepfunctions and
# prints the cases whose result differs from expected.json. Informational only:
# the test suite does not need it.
#
# Usage: tests/cases/check_with_peer.sh [case-dir-substring]
# Needs: node, and `npm ci` in $PEERS (default /work/shared/bench/peers).
# Task states are served from mocks.json; Wait and Retry delays are overridden to 0 ms,
# so expectations that read $$.State.EnteredTime are expected to differ.
# Events are not compared (the peer has its own event log format).
set -euo pipefail
CASES_DIR="$(cd "$(dirname "$0")" && pwd)"
PEERS="${PEERS:-/work/shared/bench/peers}"
if [ ! -d "$PEERS/node_modules/aws-local-stepfunctions" ]; then
  echo "peer not installed: run 'npm ci' in $PEERS" >&2
  exit 1
fi
RUNNER="$(mktemp --suffix=.mjs -p "$PEERS")"
trap 'rm -f "$RUNNER"' EXIT
cat > "$RUNNER" <<'JS'
import fs from 'node:fs';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';

// The peer calls Promise.withResolvers (Node >= 22); provide it on older Node.
if (!Promise.withResolvers) {
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

const [root, filter] = process.argv.slice(2);
const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
const exists = (f) => fs.existsSync(f);

function collect(def, kinds) {  // names of Wait states and states with Retry, at any depth
  for (const [name, st] of Object.entries(def.States || {})) {
    if (st.Type === 'Wait') kinds.wait[name] = 0;
    if (st.Retry) kinds.retry[name] = 0;
    for (const b of st.Branches || []) collect(b, kinds);
    if (st.ItemProcessor) collect(st.ItemProcessor, kinds);
    if (st.Iterator) collect(st.Iterator, kinds);
  }
  return kinds;
}
function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  return v;
}
function removePointer(doc, ptr) {
  if (ptr === '') return null;
  const parts = ptr.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur = doc;
  for (let i = 0; i < parts.length - 1; i++) { if (cur == null) return doc; cur = cur[parts[i]]; }
  if (cur && typeof cur === 'object') delete cur[parts[parts.length - 1]];
  return doc;
}
function getPointer(doc, ptr) {
  let cur = doc;
  for (const p of ptr.split('/').slice(1)) { if (cur == null) return undefined; cur = cur[p.replace(/~1/g, '/').replace(/~0/g, '~')]; }
  return cur;
}
const context = (input) => ({
  Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:TestMachine:TestExecution', Input: input,
               Name: 'TestExecution', RoleArn: 'arn:aws:iam::123456789012:role/TestRole', StartTime: '2024-01-01T00:00:00.000Z' },
  StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:TestMachine', Name: 'TestMachine' },
});

const dirs = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = path.join(d, e.name);
    if (exists(path.join(p, 'definition.json'))) dirs.push(p); else walk(p);
  }
})(root);
dirs.sort();
let total = 0, mismatches = 0;
for (const dir of dirs) {
  const rel = path.relative(root, dir);
  if (filter && !rel.includes(filter)) continue;
  total++;
  const def = read(path.join(dir, 'definition.json'));
  const exp = read(path.join(dir, 'expected.json'));
  const report = (msg) => { mismatches++; console.log(`MISMATCH ${rel}: ${msg}`); };
  if ('valid' in exp) {
    let valid = true, msg = '';
    try { new StateMachine(def); } catch (e) { valid = false; msg = String(e.message).split('\n').slice(1).join(' ').trim(); }
    if (valid !== exp.valid) report(`expected valid=${exp.valid}, peer valid=${valid} ${msg}`);
    continue;
  }
  const input = read(path.join(dir, 'input.json'));
  const mocks = exists(path.join(dir, 'mocks.json')) ? read(path.join(dir, 'mocks.json')) : {};
  const handlers = {};
  for (const [name, list] of Object.entries(mocks)) {
    let n = 0;
    handlers[name] = async () => {
      const m = list[Math.min(n++, list.length - 1)];
      if ('error' in m) { const err = new Error(m.cause ?? ''); err.name = m.error; throw err; }
      return m.output;
    };
  }
  const kinds = collect(def, { wait: {}, retry: {} });
  let got;
  try {
    const sm = new StateMachine(def, { validationOptions: { checkArn: false } });
    const exec = sm.run(input, { context: context(input), overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: kinds.wait, retryIntervalOverrides: kinds.retry } });
    const out = await exec.result;
    got = { status: 'SUCCEEDED', output: out };
  } catch (e) {
    const cause = e.cause instanceof Error ? e.cause : e;
    got = { status: 'FAILED', error: cause.name, cause: cause.message };
  }
  if (got.status !== exp.status) { report(`status expected ${exp.status}, peer ${got.status} ${got.error ?? ''} ${got.cause ?? ''}`); continue; }
  if (got.status === 'SUCCEEDED') {
    let a = structuredClone(exp.output), b = structuredClone(got.output);
    for (const p of exp.ignore_paths || []) { a = removePointer(a, p); b = removePointer(b, p); }
    for (const p of Object.keys(exp.match_patterns || {})) {
      const v = getPointer(b, p);
      if (!new RegExp(exp.match_patterns[p]).test(String(v))) report(`value at ${p} = ${JSON.stringify(v)} does not match ${exp.match_patterns[p]}`);
      a = removePointer(a, p); b = removePointer(b, p);
    }
    if (JSON.stringify(canon(a)) !== JSON.stringify(canon(b))) report(`output expected ${JSON.stringify(a)}, peer ${JSON.stringify(b)}`);
  } else {
    if (got.error !== exp.error) report(`error expected ${exp.error}, peer ${got.error} (${got.cause})`);
    else if ('cause' in exp && got.cause !== exp.cause) report(`cause expected ${JSON.stringify(exp.cause)}, peer ${JSON.stringify(got.cause)}`);
    else if ('cause_pattern' in exp && !new RegExp(exp.cause_pattern).test(got.cause ?? '')) report(`cause ${JSON.stringify(got.cause)} does not match ${exp.cause_pattern}`);
  }
}
console.log(`${total} cases checked, ${mismatches} mismatches`);
JS
node "$RUNNER" "$CASES_DIR" "${1:-}"

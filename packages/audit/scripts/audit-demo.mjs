#!/usr/bin/env node
// CI's audit step: serves the demo (`npm start`: the script-tag example with the collector mounted)
// on a free loopback port, audits a few of its pages with the built CLI, and exits with the audit's
// exit code, so a gating mistake in the example fails CI. Extra arguments go to the CLI.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');
const port = await new Promise((done) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => done(port));
  });
});
const base = `http://127.0.0.1:${port}`;
const demo = spawn(process.execPath, [join(root, 'scripts/demo.mjs')], {
  cwd: root,
  env: { ...process.env, PORT: String(port) },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const stopDemo = () => demo.exitCode === null && demo.kill('SIGTERM');
process.on('exit', stopDemo);

// The demo prints its banner once it listens; give it a minute (it may build what is missing first).
await new Promise((done, fail) => {
  const timer = setTimeout(() => fail(new Error('the demo did not start within 60 s')), 60_000);
  let out = '';
  demo.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.includes(base)) {
      clearTimeout(timer);
      done();
    }
  });
  demo.on('exit', (code) => fail(new Error(`the demo exited (${code}) before listening`)));
}).catch((error) => {
  console.error(`audit-demo: ${error.message}`);
  process.exit(2);
});

const args = process.argv.slice(2);
const cli = spawn(process.execPath, [join(root, 'packages/audit/dist/cli.js'), '--crawl', '3', ...args, `${base}/`], {
  stdio: 'inherit',
});
const code = await new Promise((done) => cli.on('exit', (c) => done(c ?? 2)));
stopDemo();
process.exit(code);

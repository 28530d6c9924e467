/**
 * README's "Running it as a service": the systemd unit and the Dockerfile must run as printed, as far
 * as this machine allows (no systemd as PID 1, no Docker daemon): every flag and variable they use is
 * one the CLI knows, the unit passes `systemd-analyze verify`, the unit's command line and the image's
 * environment start a collector that answers /healthz, the image's HEALTHCHECK command says so, and
 * SIGTERM stops it cleanly.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, cliPath, packageDir } from './helpers.js';

const run = promisify(execFile);
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
// The section alone, up to the next heading of its level.
const section = readme.slice(readme.indexOf('## Running it as a service')).split(/\n## /)[0]!;
const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({ lang, body: body! }));
const unit = blocks.find((b) => b.body.includes('[Service]'))!.body;
const envFile = blocks.find((b) => b.body.includes('/etc/consent-collector/env'))!.body;
const dockerfile = blocks.find((b) => b.lang === 'dockerfile')!.body;
/** `KEY=value` lines of the environment file, or of the Dockerfile's ENV. */
const assignments = (text: string) =>
  Object.fromEntries(
    [...text.matchAll(/(?:^|\s)(CONSENT_COLLECTOR_\w+|NODE_ENV)=(\S+)/gm)].map(([, k, v]) => [k!, v!]),
  );
/** The arguments after the program in the unit's ExecStart. */
const execStart = /^ExecStart=\S+ (.*)$/m.exec(unit)![1]!.split(' ');

/** Starts the CLI as `args` and `env` say, on a free loopback port; resolves with its address. */
function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return { url, stop, output: () => output };
}

describe('README: running the collector as a service', () => {
  let dir: string;
  let help: string;
  beforeAll(async () => {
    buildOnce();
    dir = mkdtempSync(join(tmpdir(), 'collector-service-'));
    help = (await run(process.execPath, [cliPath, '--help'])).stdout;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses only flags and environment variables the CLI knows', () => {
    // The collector's command lines: the unit's ExecStart and each shell line that runs the CLI.
    const lines = section.split('\n').filter((l) => /^ExecStart=|^\s*(\/usr\/local\/bin\/)?consent-collector /.test(l));
    const flags = new Set(lines.join(' ').match(/--[a-z][a-z-]+/g));
    expect([...flags].sort()).toEqual(['--db', '--host', '--port']);
    for (const flag of [...flags, '--trust-proxy']) expect(help).toContain(`[${flag}`);
    const variables = new Set(section.match(/CONSENT_COLLECTOR_\w+/g));
    expect(variables.size).toBe(6);
    // The help names the first in full and the others by their suffix: CONSENT_COLLECTOR_PORT, _HOST, _DB.
    for (const name of variables) expect(help).toMatch(new RegExp(`(CONSENT_COLLECTOR|\\s)${name.slice(17)}\\b`));
  });

  it.runIf(existsSync('/usr/bin/systemd-analyze'))(
    'has a unit systemd-analyze verifies without a complaint',
    async () => {
      // The unit as printed, with the paths of this machine: verify checks that the program exists.
      const path = join(dir, 'consent-collector.service');
      writeFileSync(join(dir, 'env'), envFile);
      const local = unit
        .replace('/usr/local/bin/consent-collector', cliPath)
        .replace('/etc/consent-collector/env', join(dir, 'env'));
      writeFileSync(path, local);
      // Its complaints on stderr, not in a journal this machine may not have.
      const verify = () =>
        run('systemd-analyze', ['verify', path], { env: { ...process.env, SYSTEMD_LOG_TARGET: 'console' } });
      const { stdout, stderr } = await verify();
      expect(stdout + stderr).toBe('');
      // It would say so: a misspelt directive is reported.
      writeFileSync(path, local.replace('ProtectSystem=', 'ProtectSystm='));
      expect((await verify()).stderr).toContain("Unknown key 'ProtectSystm'");
      for (const directive of [
        'DynamicUser=yes',
        'StateDirectory=',
        'Restart=on-failure',
        'EnvironmentFile=',
        'NoNewPrivileges=yes',
        'ProtectSystem=strict',
      ])
        expect(unit).toContain(directive);
    },
  );

  it("starts from the unit's command line and environment file, answers /healthz, and stops on SIGTERM", async () => {
    const args = execStart.map((a) => (a === '8787' ? '0' : a.replace('/var/lib/consent-collector', dir)));
    const collector = start(args, {
      PATH: process.env.PATH!,
      ...assignments(envFile),
      CONSENT_COLLECTOR_ADMIN_TOKEN: 't'.repeat(64),
      CONSENT_COLLECTOR_CHAIN_KEY: 'k'.repeat(64),
    });
    const url = await collector.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true, store: 'sqlite' });
    expect(existsSync(join(dir, 'receipts.sqlite'))).toBe(true);
    // The origin and token came from the file: no warning about either.
    expect(collector.output()).not.toContain('warning: no --');
    expect(await collector.stop()).toBe(0);
  });

  it("starts with the image's environment, and its HEALTHCHECK command passes, then fails once it is gone", async () => {
    const env = { PATH: process.env.PATH!, ...assignments(dockerfile) };
    expect(env).toMatchObject({ CONSENT_COLLECTOR_HOST: '0.0.0.0', CONSENT_COLLECTOR_DB: '/data/receipts.sqlite' });
    // Loopback only on this machine, and a temporary folder for the volume.
    const collector = start([], {
      ...env,
      CONSENT_COLLECTOR_HOST: '127.0.0.1',
      CONSENT_COLLECTOR_PORT: '0',
      CONSENT_COLLECTOR_DB: join(dir, 'data.sqlite'),
    });
    const port = new URL(await collector.url).port;
    const command = JSON.parse(/HEALTHCHECK[\s\S]*?CMD (\[.*\])/.exec(dockerfile)![1]!) as string[];
    expect(command[0]).toBe('node');
    const check = () =>
      run(process.execPath, command.slice(1), { env: { ...env, CONSENT_COLLECTOR_PORT: port } }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
    expect(await check()).toBe(0);
    expect(await collector.stop()).toBe(0);
    expect(await check()).toBe(1);
    // The image's CMD is the CLI this package ships.
    expect(dockerfile).toContain('CMD ["node", "/app/node_modules/@paloma365/consent-collector/dist/cli.js"]');
    expect(JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).bin['consent-collector']).toBe(
      './dist/cli.js',
    );
  });
});

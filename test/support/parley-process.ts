import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { generateRsaKeyPair } from '../../src/core/auth/rsa-key-pair.js';
import { signToken, type TestApp } from './test-server.js';
import { waitFor } from './wait.js';

const root = resolve(import.meta.dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface ParleyProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string>;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Runs `bin/parley serve` as a real process and waits until it listens. */
export async function startParleyProcess(options: {
  port?: number;
  dataDir?: string;
  env?: Record<string, string>;
}): Promise<ParleyProcess> {
  const port = options.port ?? (await freePort());
  const args = [join(root, 'bin', 'parley'), 'serve', '--port', String(port), '--host', '127.0.0.1'];
  if (options.dataDir) args.push('--data', options.dataDir);
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_API_KEY: 'proc-key',
      PARLEY_API_SECRET: 'proc-secret-1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((r) =>
    child.on('exit', (code, signal) => r(signal ?? code ?? -1)),
  );
  const listening = () => output.includes('Parley listening on');
  try {
    await waitFor(() => listening() || child.exitCode !== null, 20_000, 'parley serve to listen');
  } catch {
    // Reported below with the process's output.
  }
  if (!listening()) {
    child.kill('SIGKILL');
    throw new Error(`parley serve did not start:\n${output}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    exited,
    output: () => output,
    kill: (signal = 'SIGKILL') => {
      child.kill(signal);
      return exited;
    },
  };
}

/** Creates an application on a `parley serve` process (started with the keys above) and an admin REST caller. */
export async function createProcessApp(
  url: string,
  name: string,
): Promise<{ app: TestApp; post: (path: string, body: unknown) => Promise<{ id: string }> }> {
  const keys = generateRsaKeyPair();
  const res = await fetch(`${url}/v2/applications`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('proc-key:proc-secret-1').toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ name, keys: { public_key: keys.publicKey } }),
  });
  const app: TestApp = {
    id: ((await res.json()) as { id: string }).id,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
  };
  const admin = await signToken(app);
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await r.json()) as { id: string };
  };
  return { app, post };
}

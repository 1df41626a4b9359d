import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { writeConfig } from '../../src/cli/config.js';
import { runCli, type CliEnvironment } from './support/run-cli.js';
import { useTempDirs } from './support/temp-dir.js';

const tempDir = useTempDirs();
const APP_ID = 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab';
const ACL =
  '{"paths":{"/v1/users/**":{},"/v1/conversations/**":{},"/v1/sessions/**":{},"/v1/devices/**":{},"/v1/image/**":{},"/v3/media/**":{},"/v1/applications/**":{},"/v1/push/**":{},"/v1/knocking/**":{}}}';

/** A working directory holding ./private.key, as after `app:create --keyfile=private.key`. */
const withKeyFile = async (
  format: 'pkcs8' | 'pkcs1' = 'pkcs8',
): Promise<CliEnvironment & { keyfile: string }> => {
  const cwd = await tempDir();
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: format, format: 'pem' },
  });
  const keyfile = join(cwd, 'private.key');
  await writeFile(keyfile, privateKey, { mode: 0o600 });
  return { cwd, rc: join(cwd, 'rc'), keyfile };
};

const verify = async (token: string, keyfile: string) => {
  const publicKey = createPublicKey(await readFile(keyfile, 'utf8'));
  return (await jwtVerify(token, publicKey, { algorithms: ['RS256'] })).payload;
};

describe('parley jwt:generate', () => {
  it('prints only a token signed RS256 with exactly the tutorial claims plus iat and jti', async () => {
    const where = await withKeyFile();
    const before = Math.floor(Date.now() / 1000);
    const exp = before + 86400;
    const run = await runCli(
      ['jwt:generate', './private.key', 'sub=John', `exp=${exp}`, `acl=${ACL}`, `application_id=${APP_ID}`],
      where,
    );
    expect(run.code).toBe(0);
    expect(run.err).toEqual([]);
    expect(run.out).toHaveLength(1);
    const token = run.out[0]!;
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT' });
    const claims = await verify(token, where.keyfile);
    expect(Object.keys(claims).sort()).toEqual(['acl', 'application_id', 'exp', 'iat', 'jti', 'sub']);
    expect(claims).toMatchObject({ sub: 'John', exp, acl: JSON.parse(ACL), application_id: APP_ID });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(claims.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('adds no exp when none is given and keeps other values as strings', async () => {
    const where = await withKeyFile();
    const run = await runCli(['jwt:generate', 'private.key', 'sub=1234', `application_id=${APP_ID}`], where);
    const claims = await verify(run.out[0]!, where.keyfile);
    expect(Object.keys(claims).sort()).toEqual(['application_id', 'iat', 'jti', 'sub']);
    expect(claims.sub).toBe('1234');
  });

  it('accepts a value containing = after the first one', async () => {
    const where = await withKeyFile();
    const run = await runCli(['jwt:generate', 'private.key', 'sub=a=b', `application_id=${APP_ID}`], where);
    expect((await verify(run.out[0]!, where.keyfile)).sub).toBe('a=b');
  });

  it('gives each token a different jti', async () => {
    const where = await withKeyFile();
    const args = ['jwt:generate', 'private.key', 'sub=John', `application_id=${APP_ID}`];
    const [a, b] = [(await runCli(args, where)).out[0]!, (await runCli(args, where)).out[0]!];
    expect((await verify(a, where.keyfile)).jti).not.toBe((await verify(b, where.keyfile)).jti);
  });

  it('signs with an older PKCS#1 key file too', async () => {
    const where = await withKeyFile('pkcs1');
    const run = await runCli(['jwt:generate', 'private.key', 'sub=John', `application_id=${APP_ID}`], where);
    expect(run.code).toBe(0);
    expect((await verify(run.out[0]!, where.keyfile)).sub).toBe('John');
  });

  it('defaults application_id to the remembered application', async () => {
    const where = await withKeyFile();
    await writeConfig(where.rc, {
      url: 'http://h',
      apiKey: 'k',
      apiSecret: 's',
      app: { id: APP_ID, keyfile: where.keyfile },
    });
    const run = await runCli(['jwt:generate', './private.key', 'sub=John'], where);
    expect((await verify(run.out[0]!, where.keyfile)).application_id).toBe(APP_ID);
  });

  it('prints {token} with --json', async () => {
    const where = await withKeyFile();
    const run = await runCli(
      ['jwt:generate', 'private.key', 'sub=John', `application_id=${APP_ID}`, '--json'],
      where,
    );
    const { token } = JSON.parse(run.stdout) as { token: string };
    expect((await verify(token, where.keyfile)).sub).toBe('John');
  });

  it.each([
    [['acl={"paths":'], /^Error: acl is not valid JSON: /],
    [['exp=tomorrow'], /^Error: exp is not valid JSON: /],
    [
      ['exp="1795632664"'],
      /^Error: exp must be a whole number of seconds since the epoch \(cli:error:invalid-argument\)$/,
    ],
    [['acl=[1]'], /^Error: acl must be a JSON object/],
    [
      ['subject=John'],
      /^Error: unknown key "subject" for jwt:generate \(accepted: sub, exp, acl, application_id\) \(cli:error:invalid-argument\)$/,
    ],
    [
      ['John'],
      /^Error: jwt:generate expects key=value arguments, got "John" \(cli:error:invalid-argument\)$/,
    ],
  ])('rejects %j with one line and exit 1', async (claims, message) => {
    const where = await withKeyFile();
    const run = await runCli(['jwt:generate', 'private.key', `application_id=${APP_ID}`, ...claims], where);
    expect(run.code).toBe(1);
    expect(run.out).toEqual([]);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(message);
  });

  it('tells when no application_id is given and none is remembered', async () => {
    const where = await withKeyFile();
    const run = await runCli(['jwt:generate', 'private.key', 'sub=John'], where);
    expect(run).toMatchObject({
      code: 1,
      err: [
        'Error: jwt:generate needs application_id=… (no application is remembered) (cli:error:no-application)',
      ],
    });
  });

  it('reports a missing key file and a file that is not a key', async () => {
    const where = await withKeyFile();
    const missing = await runCli(['jwt:generate', 'nope.key', 'sub=John', `application_id=${APP_ID}`], where);
    expect(missing).toMatchObject({
      code: 1,
      err: [`Error: cannot read key file ${join(where.cwd, 'nope.key')}: ENOENT (cli:error:key-file)`],
    });
    await writeFile(join(where.cwd, 'bad.key'), 'not a key');
    const bad = await runCli(['jwt:generate', 'bad.key', 'sub=John', `application_id=${APP_ID}`], where);
    expect(bad).toMatchObject({
      code: 1,
      err: [
        `Error: key file ${join(where.cwd, 'bad.key')} does not hold a PEM private key (cli:error:key-file)`,
      ],
    });
  });
});

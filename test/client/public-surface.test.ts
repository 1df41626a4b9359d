import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The SDK as a package user sees it: the declarations `npm run build` publishes (pretest builds them),
 * reached through package.json "exports". Members tagged `@internal` must be absent, and what is left must
 * type-check on its own (a stripped type still referenced would break every user's build).
 */

const root = resolve(import.meta.dirname, '../..');
const consumerPath = join(root, 'public-surface-consumer.ts');

/** A user's file: what the API offers compiles; each `@ts-expect-error` line is something it must not offer. */
const CONSUMER = `
import { ConversationClient, TextEvent, type Application, type Conversation, type Member } from 'parley';

export async function use(app: Application, conversation: Conversation, member: Member): Promise<void> {
  const c: Conversation | undefined = app.conversations.get(conversation.id);
  const m: Member | undefined = conversation.members.get(member.id);
  const size: number = conversation.events.size + (c ? 1 : 0) + (m ? 1 : 0);
  const state: 'listed' | 'loading' | 'loaded' | 'closed' = conversation.loadState;
  await conversation.sendText(String(size) + state);
  await member.kick();
  new ConversationClient({ url: 'http://localhost' }).on('state', () => undefined);
  for (const event of conversation.events.values()) if (event instanceof TextEvent) await event.seen();

  // @ts-expect-error read-only to users
  app.conversations.set('x', conversation);
  // @ts-expect-error read-only to users
  app.conversations.delete('x');
  // @ts-expect-error read-only to users
  conversation.members.clear();
  // @ts-expect-error read-only to users
  conversation.events.delete(1);
  // @ts-expect-error internal
  app.announce(conversation, member, [...conversation.events.values()][0]);
  // @ts-expect-error internal
  app.forget(conversation);
  // @ts-expect-error internal
  app.request({ type: 'ping' });
  // @ts-expect-error internal
  app.detach();
  // @ts-expect-error internal
  conversation.removeMember(member);
  // @ts-expect-error internal
  conversation.sendReceipt('text:seen', [...conversation.events.values()][0]);
  // @ts-expect-error internal
  conversation.load({}, []);
  // @ts-expect-error internal
  conversation.receive({});
  // @ts-expect-error internal
  conversation.refresh({});
  // @ts-expect-error internal
  conversation.markLeft();
  // @ts-expect-error internal
  conversation.close();
  // @ts-expect-error internal
  conversation.open();
  // @ts-expect-error internal
  conversation.update({});
}
`;

function compileConsumer(): { diagnostics: string[]; program: ts.Program } {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    // No DOM: the SDK's types must serve Node users too.
    lib: ['lib.es2023.d.ts'],
    strict: true,
    noEmit: true,
    // The point: check the published declarations themselves, not only the consumer.
    skipLibCheck: false,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (file === consumerPath ? CONSUMER : readFile(file));
  host.fileExists = (file) => file === consumerPath || fileExists(file);
  host.getSourceFile = (file, language, onError, create) =>
    file === consumerPath
      ? ts.createSourceFile(file, CONSUMER, language)
      : getSourceFile(file, language, onError, create);
  const program = ts.createProgram([consumerPath], options, host);
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? `${d.file.fileName.slice(root.length + 1)}:${d.start ?? 0}: ` : ''}` +
        ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    );
  return { diagnostics, program };
}

describe('the published SDK declarations', () => {
  it('leave out every @internal member', async () => {
    const declarations = await readFile(join(root, 'dist/src/client/index.d.ts'), 'utf8');
    expect(declarations).toContain('Application');
    for (const file of ['application', 'conversation', 'member', 'events/conversation-event']) {
      const text = await readFile(join(root, `dist/src/client/${file}.d.ts`), 'utf8');
      expect(text).not.toContain('@internal');
      for (const name of ['announce', 'removeMember', 'sendReceipt', 'markLeft', 'forget', 'detach'])
        expect(text, `${file}.d.ts`).not.toMatch(new RegExp(`^\\s+${name}\\(`, 'm'));
      for (const name of ['load', 'receive', 'refresh', 'update', 'open', 'close', 'start'])
        expect(text, `${file}.d.ts`).not.toMatch(new RegExp(`^\\s+${name}\\(`, 'm'));
    }
  });

  it('type-check on their own, through package.json "exports", offering only the API, with read-only maps', () => {
    const { diagnostics, program } = compileConsumer();
    expect(diagnostics).toEqual([]);
    const resolved = program.getSourceFiles().map((f) => f.fileName.slice(root.length + 1));
    expect(resolved).toContain('dist/src/client/index.d.ts');
    expect(resolved.filter((f) => f.startsWith('src/'))).toEqual([]);
  });
});

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { segment, withExample } from '../command-options.js';
import { requireConfig } from '../config.js';
import type { CliContext } from '../context.js';
import { CliError, UsageError, systemReason } from '../errors.js';
import { printJson } from '../output.js';
import { basicAuth, UnexpectedReplyError } from '../rest-client.js';
import { uploadNdjson } from '../ndjson-transfer.js';
import { appIdFor, type DumpOptions } from './export.js';

interface ImportOptions extends DumpOptions {
  overwrite?: boolean;
  strict?: boolean;
  notify?: boolean;
  json?: boolean;
}

const kindCounts = z.object({
  users: z.number(),
  conversations: z.number(),
  members: z.number(),
  events: z.number(),
});

/** The summary `POST /v2/applications/:id/import` answers with (src/protocol/dump.ts). */
const summarySchema = z
  .object({
    lines: z.number(),
    created: kindCounts,
    unchanged: kindCounts,
    overwritten: kindCounts,
    conflicts: z.number(),
    refused: z.number(),
    malformed: z.number(),
    problems: z.array(
      z
        .object({
          line: z.number(),
          outcome: z.string(),
          kind: z.string().optional(),
          id: z.union([z.string(), z.number()]).optional(),
          conversation_id: z.string().optional(),
          fields: z.array(z.string()).optional(),
          code: z.string().optional(),
          reason: z.string().optional(),
        })
        .loose(),
    ),
    problems_omitted: z.number(),
    stopped_at: z.number().optional(),
  })
  .loose();

type Summary = z.infer<typeof summarySchema>;

const describeCounts = (c: z.infer<typeof kindCounts>): string =>
  `${c.users} users, ${c.conversations} conversations, ${c.members} members, ${c.events} events`;

const total = (c: z.infer<typeof kindCounts>): number => c.users + c.conversations + c.members + c.events;

function describeProblem(p: Summary['problems'][number]): string {
  const what =
    p.kind === undefined
      ? ''
      : `${p.kind} ${String(p.id)}${p.conversation_id === undefined ? '' : ` of ${p.conversation_id}`}`;
  if (p.outcome === 'conflict')
    return `line ${p.line}: conflict: ${what} differs in ${(p.fields ?? []).join(', ')}`;
  if (p.outcome === 'refused') return `line ${p.line}: refused: ${what}: ${p.reason ?? ''} (${p.code ?? ''})`;
  return `line ${p.line}: malformed: ${p.reason ?? ''}`;
}

function printSummary(ctx: CliContext, appId: string, summary: Summary): void {
  ctx.out(`Imported ${summary.lines} lines into ${appId}`);
  ctx.out(`created: ${describeCounts(summary.created)}`);
  ctx.out(`unchanged: ${describeCounts(summary.unchanged)}`);
  if (total(summary.overwritten) > 0) ctx.out(`overwritten: ${describeCounts(summary.overwritten)}`);
  ctx.out(`conflicts: ${summary.conflicts}, refused: ${summary.refused}, malformed: ${summary.malformed}`);
  for (const problem of summary.problems) ctx.out(describeProblem(problem));
  if (summary.problems_omitted > 0) ctx.out(`(${summary.problems_omitted} more problems not listed)`);
  if (summary.stopped_at !== undefined) ctx.out(`stopped at line ${summary.stopped_at} (--strict)`);
}

/** A line on stderr each time another tenth of the file has gone up. */
function progress(ctx: CliContext, size: number): (bytes: number) => void {
  let sent = 0;
  let shown = 0;
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  return (bytes) => {
    sent += bytes;
    const tenth = size === 0 ? 10 : Math.floor((sent / size) * 10);
    if (tenth > shown) {
      shown = tenth;
      ctx.err(`import: ${Math.min(tenth * 10, 100)}% (${mb(sent)} of ${mb(size)} MB sent)`);
    }
  };
}

export const registerImport = (program: Command, ctx: CliContext): void => {
  const command = program
    .command('import')
    .description(
      "Import a dump (NDJSON in Vonage's v1 REST shapes, or a `parley export`) into the application, keeping every id and timestamp",
    )
    .argument('<file>', 'the dump, one object a line')
    .option('--app-id <id>', 'import into this application instead of the remembered one')
    .option('--overwrite', 'replace objects that exist with different content instead of reporting conflicts')
    .option('--strict', 'stop at the first malformed line')
    .option('--notify', 'deliver imported events to live sessions, as if they were sent now')
    .option('--json', "print the server's JSON summary");
  withExample(command, 'parley import vonage-dump.ndjson').action(
    async (file: string, options: ImportOptions) => {
      const config = await requireConfig(ctx.rcPath);
      const appId = appIdFor(config, options);
      const path = ctx.resolvePath(file);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch (e) {
        throw new UsageError('cli:error:invalid-argument', `cannot read ${file}: ${systemReason(e)}`);
      }
      const query = new URLSearchParams();
      for (const flag of ['overwrite', 'strict', 'notify'] as const)
        if (options[flag]) query.set(flag, 'true');
      const report = progress(ctx, size);
      const source = createReadStream(path);
      source.on('data', (chunk) => report(chunk.length));
      const text = await uploadNdjson(
        { baseUrl: config.url, authorize: basicAuth(config.apiKey, config.apiSecret) },
        `/v2/applications/${segment(appId)}/import${query.size > 0 ? `?${query.toString()}` : ''}`,
        source,
      );
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
      const parsed = summarySchema.safeParse(data);
      if (!parsed.success)
        throw new UnexpectedReplyError('POST /v2/applications/:id/import answered an unexpected body');
      const summary = parsed.data;
      if (options.json) printJson(ctx, summary);
      else printSummary(ctx, appId, summary);
      const problems = summary.conflicts + summary.refused + summary.malformed;
      if (problems > 0)
        throw new CliError('cli:error:import-partial', `${problems} lines were not imported as given`);
    },
  );
};

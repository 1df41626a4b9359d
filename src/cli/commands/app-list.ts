import type { Command } from 'commander';
import { withJson, type JsonOption } from '../command-options.js';
import { requireConfig } from '../config.js';
import { adminClient } from '../connect.js';
import type { CliContext } from '../context.js';
import { printRows } from '../output.js';
import { collectNumberedPages } from '../pages.js';
import { applicationPageSchema } from '../wire.js';

export const registerAppList = (program: Command, ctx: CliContext): void => {
  withJson(program.command('app:list').description('List the applications of the account')).action(
    async (options: JsonOption) => {
      const client = adminClient(await requireConfig(ctx.rcPath));
      const apps = await collectNumberedPages(
        client,
        (page) => `/v2/applications?page_size=100&page=${page}`,
        applicationPageSchema,
        (reply) => ({ items: reply._embedded.applications, totalPages: reply.total_pages }),
      );
      printRows(ctx, options, apps, (app) => [app.id, app.name]);
    },
  );
};

import type { Command } from 'commander';
import type { AppOptions } from './connect.js';

export interface JsonOption {
  json?: boolean;
}

/** The options of a `/v1` command. */
export type AppCommandOptions = AppOptions & JsonOption;

export const withJson = (command: Command): Command =>
  command.option('--json', "print the server's JSON reply instead of a summary");

export const withAppOptions = (command: Command): Command =>
  withJson(command)
    .option('--app-id <id>', 'sign as this application instead of the remembered one')
    .option('--keyfile <path>', "that application's private key file (with --app-id)");

/** Appends an example to a command's help. */
export const withExample = (command: Command, example: string): Command =>
  command.addHelpText('after', `\nExample:\n  $ ${example}`);

/** A path segment for an id the user typed. */
export const segment = (id: string): string => encodeURIComponent(id);

import type { ErrorCode } from '../protocol/errors.js';
import type { DumpKind, DumpRef, ImportProblem, ImportSummary, KindCounts } from './dump-items.js';

/** Problems listed one by one; past this only counted, so a bad file of any size keeps the report small. */
export const MAX_LISTED_PROBLEMS = 1000;

const zero = (): KindCounts => ({ user: 0, conversation: 0, member: 0, event: 0 });

/** Tallies what an import did, line by line. */
export class ImportReport {
  private readonly summary: ImportSummary = {
    lines: 0,
    created: zero(),
    unchanged: zero(),
    overwritten: zero(),
    conflicts: 0,
    refused: 0,
    malformed: 0,
    problems: [],
    problemsOmitted: 0,
  };

  read(line: number): void {
    this.summary.lines = Math.max(this.summary.lines, line);
  }

  count(outcome: 'created' | 'unchanged' | 'overwritten', kind: DumpKind): void {
    this.summary[outcome][kind]++;
  }

  conflict(ref: DumpRef, fields: string[]): void {
    this.summary.conflicts++;
    this.list({ ...ref, outcome: 'conflict', fields });
  }

  refused(ref: DumpRef, code: ErrorCode, reason: string): void {
    this.summary.refused++;
    this.list({ ...ref, outcome: 'refused', code, reason });
  }

  malformed(line: number, reason: string): void {
    this.summary.malformed++;
    this.list({ line, outcome: 'malformed', reason });
  }

  stop(line: number): void {
    this.summary.stoppedAt = line;
  }

  /** The summary, its listed problems in line order (they are found out of order: batches, second pass). */
  result(): ImportSummary {
    return { ...this.summary, problems: [...this.summary.problems].sort((a, b) => a.line - b.line) };
  }

  private list(problem: ImportProblem): void {
    if (this.summary.problems.length < MAX_LISTED_PROBLEMS) this.summary.problems.push(problem);
    else this.summary.problemsOmitted++;
  }
}

import type { ErrorCode } from '../protocol/errors.js';
import type { ConversationRecord, EventRecord, MemberRecord, UserRecord } from '../store/records.js';

/*
 * What `parley import` reads and `parley export` writes, one object a line (docs/import-export.md). The wire
 * shape is Vonage's v1 REST shape and belongs to the HTTP edge; these are the records behind it.
 */

export type DumpKind = 'user' | 'conversation' | 'member' | 'event';

/** A user as a dump gives it: Vonage's users carry no creation time, Parley's exports do. */
export type DumpUser = Omit<UserRecord, 'applicationId' | 'created'> & { created?: string | undefined };

/** A conversation as a dump gives it; its event counter follows the events imported into it. */
export type DumpConversation = Omit<
  ConversationRecord,
  'applicationId' | 'lastEventId' | 'createdBy' | 'created' | 'updated'
> & {
  created?: string | undefined;
  updated?: string | undefined;
  createdBy?: string | null | undefined;
};

/** A member as a dump gives it; without a creation time it counts from its earliest timestamp. */
export type DumpMember = Omit<MemberRecord, 'created' | 'invitedBy'> & {
  created?: string | undefined;
  invitedBy?: string | null | undefined;
};

export type DumpEvent = Omit<EventRecord, 'clientRef'> & { clientRef?: string | null | undefined };

/** One line of an import, parsed; `line` counts from 1. */
export type ImportItem = { line: number } & (
  | { kind: 'user'; user: DumpUser }
  | { kind: 'conversation'; conversation: DumpConversation }
  | { kind: 'member'; member: DumpMember }
  | { kind: 'event'; event: DumpEvent }
  | { kind: 'malformed'; reason: string }
);

/** One object of an export, with what its wire shape embeds. */
export type DumpRecord =
  | { kind: 'user'; user: UserRecord }
  | { kind: 'conversation'; conversation: ConversationRecord }
  | { kind: 'member'; member: MemberRecord; user: UserRecord }
  | { kind: 'event'; event: EventRecord; fromUser: UserRecord | null };

export interface ImportOptions {
  /** Replace objects that exist with different content, instead of reporting them as conflicts. */
  overwrite: boolean;
  /** Stop at the first malformed line; the lines before it are imported. */
  strict: boolean;
  /** Publish imported events to live subscribers (and so to webhooks), as if they were sent now. */
  notify: boolean;
}

export type KindCounts = Record<DumpKind, number>;

/** Where an object of a dump stands; events are numbered within their conversation. */
export interface DumpRef {
  line: number;
  kind: DumpKind;
  id: string | number;
  conversationId?: string;
}

export type ImportProblem =
  | (DumpRef & { outcome: 'conflict'; fields: string[] })
  | (DumpRef & { outcome: 'refused'; code: ErrorCode; reason: string })
  | { line: number; outcome: 'malformed'; reason: string };

export interface ImportSummary {
  /** Lines read, blank ones included. */
  lines: number;
  created: KindCounts;
  unchanged: KindCounts;
  overwritten: KindCounts;
  conflicts: number;
  refused: number;
  malformed: number;
  /** The first problems found, in line order; `problemsOmitted` counts the rest. */
  problems: ImportProblem[];
  problemsOmitted: number;
  /** With `strict`: the malformed line the import stopped at. */
  stoppedAt?: number;
}

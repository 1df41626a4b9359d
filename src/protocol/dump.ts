import type { ErrorCode } from './errors.js';
import type { ConversationBody, EventBody, MemberBody, UserBody } from './rest.js';

/**
 * One line of a dump (`parley export`, `parley import`, docs/import-export.md): an object exactly as Vonage's
 * v1 REST API shows it, with its `kind`, `conversation_id` on events, and under `_parley` what Parley keeps
 * that Vonage's shapes do not show. Everything else a line carries (`_links`, `initiator`…) is ignored.
 */
export type DumpLine =
  | ({ kind: 'user' } & Omit<UserBody, '_links'> & { _parley?: { created?: string } })
  | ({ kind: 'conversation' } & Omit<ConversationBody, '_links'> & {
        _parley?: { created_by?: string | null };
      })
  | ({ kind: 'member' } & Omit<MemberBody, '_links'> & { _parley?: { created?: string } })
  | ({ kind: 'event'; conversation_id: string } & Omit<EventBody, '_links'> & {
        _parley?: { client_ref?: string | null };
      });

export interface DumpCounts {
  users: number;
  conversations: number;
  members: number;
  events: number;
}

/** One line the import did not apply as given. */
export interface ImportProblemBody {
  line: number;
  outcome: 'conflict' | 'refused' | 'malformed';
  kind?: 'user' | 'conversation' | 'member' | 'event';
  id?: string | number;
  conversation_id?: string;
  /** Conflicts: the fields that differ from what is stored, by their wire names. */
  fields?: string[];
  /** Refusals: why, as a catalogue code. */
  code?: ErrorCode;
  reason?: string;
}

/** The reply of `POST /v2/applications/:id/import`. */
export interface ImportSummaryBody {
  lines: number;
  created: DumpCounts;
  unchanged: DumpCounts;
  overwritten: DumpCounts;
  conflicts: number;
  refused: number;
  malformed: number;
  /** The first 1000 problems; `problems_omitted` counts the rest. */
  problems: ImportProblemBody[];
  problems_omitted: number;
  /** With `strict=true`: the malformed line the import stopped at; nothing after it was read. */
  stopped_at?: number;
}

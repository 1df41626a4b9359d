import type { DumpRecord, ImportProblem, ImportSummary, KindCounts } from '../../../core/dump-items.js';
import type { DumpCounts, DumpLine, ImportProblemBody, ImportSummaryBody } from '../../../protocol/dump.js';
import { renderConversation, renderEvent, renderMember, renderUser } from '../render.js';

/** Drops `_links`: they name the server that wrote the dump, not the one that will read it. */
function unlinked<T extends { _links: unknown }>(body: T): Omit<T, '_links'> {
  const rest: Partial<T> = { ...body };
  delete rest._links;
  return rest as Omit<T, '_links'>;
}

/** One exported object as its dump line: the REST shape, its kind first, and what only Parley keeps. */
export function renderDumpLine(record: DumpRecord): DumpLine {
  switch (record.kind) {
    case 'user':
      return {
        kind: 'user',
        ...unlinked(renderUser('', record.user)),
        _parley: { created: record.user.created },
      };
    case 'conversation':
      return {
        kind: 'conversation',
        ...unlinked(renderConversation('', record.conversation)),
        _parley: { created_by: record.conversation.createdBy },
      };
    case 'member':
      return {
        kind: 'member',
        ...unlinked(renderMember('', { member: record.member, user: record.user })),
        _parley: { created: record.member.created },
      };
    case 'event': {
      const { event } = record;
      const line: DumpLine = {
        kind: 'event',
        conversation_id: event.conversationId,
        ...unlinked(renderEvent('', { event, fromUser: record.fromUser })),
      };
      if (event.clientRef !== null) line._parley = { client_ref: event.clientRef };
      return line;
    }
  }
}

const counts = (c: KindCounts): DumpCounts => ({
  users: c.user,
  conversations: c.conversation,
  members: c.member,
  events: c.event,
});

function renderProblem(problem: ImportProblem): ImportProblemBody {
  if (problem.outcome === 'malformed') return problem;
  const body: ImportProblemBody = {
    line: problem.line,
    outcome: problem.outcome,
    kind: problem.kind,
    id: problem.id,
  };
  if (problem.conversationId !== undefined) body.conversation_id = problem.conversationId;
  if (problem.outcome === 'conflict') body.fields = problem.fields;
  else Object.assign(body, { code: problem.code, reason: problem.reason });
  return body;
}

export function renderImportSummary(summary: ImportSummary): ImportSummaryBody {
  const body: ImportSummaryBody = {
    lines: summary.lines,
    created: counts(summary.created),
    unchanged: counts(summary.unchanged),
    overwritten: counts(summary.overwritten),
    conflicts: summary.conflicts,
    refused: summary.refused,
    malformed: summary.malformed,
    problems: summary.problems.map(renderProblem),
    problems_omitted: summary.problemsOmitted,
  };
  if (summary.stoppedAt !== undefined) body.stopped_at = summary.stoppedAt;
  return body;
}

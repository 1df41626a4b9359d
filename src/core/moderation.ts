import { ParleyError } from '../protocol/errors.js';
import type { MemberRecord } from '../store/records.js';

/** Who acts: the application itself, or a user through their member in the conversation (if any). */
export type Actor = 'application' | MemberRecord | undefined;

/** Owners and moderators who are JOINED may remove, ban and mute others and delete their messages. */
export const isModerator = (actor: Actor): boolean =>
  actor === 'application' ||
  (actor?.state === 'JOINED' && (actor.role === 'owner' || actor.role === 'moderator'));

/**
 * The application may act on anyone, an owner on anyone but another owner, a moderator on plain members
 * only; anyone else is refused with `system:error:forbidden`.
 */
export function requireAuthorityOver(actor: Actor, target: MemberRecord | undefined, what: string): void {
  if (actor === 'application') return;
  const outranks =
    isModerator(actor) &&
    (target === undefined || (actor?.role === 'owner' ? target.role !== 'owner' : target.role === 'member'));
  if (!outranks) throw new ParleyError('system:error:forbidden', `Only an owner or moderator may ${what}`);
}

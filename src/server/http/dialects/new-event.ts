import { z } from 'zod';
import { ParleyError } from '../../../protocol/errors.js';
import { validate } from '../../validate.js';
import { newEventSchema } from '../schemas.js';

export type NewSuccessorEvent =
  | { relayed: true; type: string; from: string | undefined; body: Record<string, unknown> }
  | {
      relayed: false;
      type: string;
      from: string | undefined;
      body: Record<string, unknown>;
      clientRef: string | undefined;
    };

/** Sent but not stored, as on Vonage: typing, ephemeral payloads and Stitch-style delivery receipts. */
export const RELAYED: ReadonlySet<string> = new Set([
  'ephemeral',
  'text:typing:on',
  'text:typing:off',
  'text:delivered',
  'image:delivered',
]);

const MESSAGE_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'file',
  'vcard',
  'location',
  'template',
  'custom',
] as const;

const messageBody = z
  .object({ message_type: z.enum(MESSAGE_TYPES) })
  .loose()
  .refine((b) => b.message_type !== 'text' || (typeof b.text === 'string' && b.text.length > 0), {
    message: 'a text message needs a non-empty text',
    path: ['text'],
  })
  .refine(
    (b) => b.message_type === 'text' || (typeof b[b.message_type] === 'object' && b[b.message_type] !== null),
    {
      message: 'the message needs an object named after its message_type',
    },
  );
const textBody = z.object({ text: z.string().min(1) }).loose();
const receiptBody = z
  .object({ event_id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) })
  .loose();

/**
 * Validates an event a successor SDK posts. `message` is first class: its body is checked by
 * `message_type`; receipts name an event; `cid` and `originating_session`, which both SDKs add, are ignored.
 */
export function parseNewEvent(input: unknown, maxTextBytes: number): NewSuccessorEvent {
  const event = validate(newEventSchema, input);
  const from = event.from;
  if (RELAYED.has(event.type)) return { relayed: true, type: event.type, from, body: event.body };
  let body = event.body;
  if (event.type === 'message') {
    body = validate(messageBody, body, 'body');
  } else if (event.type === 'text') {
    body = { text: validate(textBody, body, 'body').text };
  } else if (/^(message|text|image):(seen|delivered)$/.test(event.type)) {
    body = { event_id: validate(receiptBody, body, 'body').event_id };
  }
  if (typeof body.text === 'string' && Buffer.byteLength(body.text) > maxTextBytes) {
    throw new ParleyError('system:error:too-large', `A text may have at most ${maxTextBytes} bytes`);
  }
  return { relayed: false, type: event.type, from, body, clientRef: event.client_ref };
}

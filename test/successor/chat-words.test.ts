import { describe, expect, it } from 'vitest';
import { isChatEvent, toMessageWords, toStitchWords } from '../../src/server/vocabulary/chat-vocabulary.js';

const text = { text: 'hi' };
const message = { message_type: 'text', text: 'hi' };

describe('chat vocabulary', () => {
  it('shows a text message to Stitch clients as a text, keeping the body so it can be turned back', () => {
    expect(toStitchWords('message', message)).toEqual({ type: 'text', body: message });
    expect(toStitchWords('message:seen', { event_id: 3 })).toEqual({
      type: 'text:seen',
      body: { event_id: 3 },
    });
    expect(toStitchWords('message:delivered', { event_id: 3 }).type).toBe('text:delivered');
    const image = { message_type: 'image', image: { url: 'https://example.com/a.png' } };
    expect(toStitchWords('message', image)).toEqual({ type: 'message', body: image });
  });

  it('shows a Stitch text as a message to the Vonage SDK, and leaves it a text for nexmo-client', () => {
    expect(toMessageWords('text', text, { keepText: false, stored: true })).toEqual({
      type: 'message',
      body: message,
    });
    expect(toMessageWords('text', text, { keepText: true, stored: true })).toEqual({
      type: 'text',
      body: text,
    });
    // A message shown to Stitch as a text is a message again, whoever reads it.
    const asText = toStitchWords('message', message);
    for (const keepText of [true, false])
      expect(toMessageWords(asText.type, asText.body, { keepText, stored: true })).toEqual({
        type: 'message',
        body: message,
      });
  });

  it('turns receipts into message receipts, but leaves relayed Stitch deliveries (no id) alone', () => {
    expect(toMessageWords('text:seen', { event_id: 1 }, { keepText: true, stored: true }).type).toBe(
      'message:seen',
    );
    expect(toMessageWords('text:delivered', { event_id: 1 }, { keepText: false, stored: true }).type).toBe(
      'message:delivered',
    );
    expect(toMessageWords('text:delivered', { event_id: 1 }, { keepText: false, stored: false }).type).toBe(
      'text:delivered',
    );
  });

  it('knows which types the Vonage SDK can decode in a history page', () => {
    for (const type of [
      'message',
      'member:joined',
      'member:left',
      'member:invited',
      'event:delete',
      'custom:poll',
    ])
      expect(isChatEvent(type), type).toBe(true);
    for (const type of ['text', 'message:seen', 'message:delivered', 'text:typing:on', 'member:media'])
      expect(isChatEvent(type), type).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { socketUrl } from '../../src/client/default-url.js';
import { ParleyClientError } from '../../src/client/index.js';

describe('the WebSocket URL', () => {
  it('maps http to ws and https to wss, at /ws', () => {
    expect(socketUrl('http://localhost:3000')).toBe('ws://localhost:3000/ws');
    expect(socketUrl('https://chat.example.com/')).toBe('wss://chat.example.com/ws');
  });

  it('keeps a path prefix and accepts a ws URL as given', () => {
    expect(socketUrl('https://example.com/parley')).toBe('wss://example.com/parley/ws');
    expect(socketUrl('ws://example.com/ws')).toBe('ws://example.com/ws');
  });

  it('needs a URL outside a browser', () => {
    expect(() => socketUrl(undefined)).toThrow(ParleyClientError);
  });
});

import { describe, expect, it } from 'vitest';
import { deliveryId } from '../../src/core/webhooks/delivery-id.js';
import { retryDelay } from '../../src/core/webhooks/retry-policy.js';
import { isPrivateAddress } from '../../src/server/webhooks/private-addresses.js';

const policy = { baseMs: 1_000, capMs: 60_000, giveUpAfterMs: 86_400_000 };

describe('the retry policy', () => {
  it('doubles the bound with each failure, up to the cap', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelay(n, policy, top))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
    ]);
  });

  it('waits anywhere below the bound (full jitter)', () => {
    expect(retryDelay(3, policy, () => 0)).toBe(0);
    expect(retryDelay(3, policy, () => 0.5)).toBe(2_000);
  });
});

describe('delivery ids', () => {
  it('are the same for the same event and differ between events', () => {
    expect(deliveryId('CON-1', 7)).toBe(deliveryId('CON-1', 7));
    expect(deliveryId('CON-1', 7)).not.toBe(deliveryId('CON-1', 8));
    expect(deliveryId('CON-1', 7)).not.toBe(deliveryId('CON-2', 7));
    expect(deliveryId('CON-1', 7)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('private addresses', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
  ])('refuses %s', (address) => expect(isPrivateAddress(address)).toBe(true));
  it.each(['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('allows %s', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );
});

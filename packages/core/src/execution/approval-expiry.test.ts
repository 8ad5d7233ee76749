import { expect, it } from 'vitest';
import { approvalExpired } from './approval-expiry';

const AT = Date.UTC(2021, 3, 4, 12);

it('says why an approval arriving after its expiry is late; none while in time or without one', () => {
  expect(approvalExpired(AT, AT)).toBeNull();
  expect(approvalExpired(undefined, AT + 1)).toBeNull();
  expect(approvalExpired(AT, AT + 2_500)).toBe(
    'approved until 2021-04-04T12:00:00.000Z, arrived 2500 ms later: risk no longer reserves it',
  );
});

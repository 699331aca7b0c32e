import type request from 'supertest';
import type { PassResult } from '../../src/delivery/pass-state.js';

/** What can post as the admin: a TestApp or DeliveryTestApp (test-app.ts). */
export interface AdminClient {
  post: (path: string, body: unknown) => request.Test;
}

/**
 * One scheduling pass as of `now`, the way every test runs one: POST /v1/scheduler/run with the test clock (the
 * app runs with SCHEDULER_TEST_CLOCK=true, as startDeliveryTestApp sets). The answer comes when the pass is done,
 * so no test waits for a schedule. Returns the pass's counts; anything but 200 fails the test.
 */
export async function pass(app: AdminClient, now: Date | string): Promise<PassResult> {
  const at = typeof now === 'string' ? now : now.toISOString();
  const response = await app.post('/v1/scheduler/run', { now: at }).expect(200);
  return response.body as PassResult;
}

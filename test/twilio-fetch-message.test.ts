import { FailureType } from '../src/domain/failure-types';
import { TwilioClient } from '../src/integrations/twilio/client';
import { startTwilioSimulator, type TwilioSimulator } from '../src/integrations/twilio/simulator';
import { createLogger } from '../src/logger';
import { failureOf } from './helpers/failures';

/** `TwilioClient.fetchMessage`: what a receipt would have said, read when the receipt never came. */
describe('Twilio adapter: fetching one message', () => {
  let sim: TwilioSimulator;
  let client: TwilioClient;
  const SENDER = '+15017122661';
  beforeAll(async () => {
    sim = await startTwilioSimulator({ seed: 3 });
    sim.setCallbackBehaviour({ statusStepMs: 10 });
    client = new TwilioClient({
      config: { baseUrl: sim.url, accountSid: sim.accountSid, auth: { username: sim.apiKey.sid, password: sim.apiKey.secret }, timeoutMs: 1_500 },
      logger: createLogger({ level: 'silent', name: 'twilio-test' }),
    });
  });
  afterAll(() => sim.stop());


  it('reads the message’s current status, and its error code once it failed', async () => {
    const delivered = await client.createMessage({ to: '+33639980101', from: SENDER, body: 'fetched' });
    const unreachable = '+33639980102';
    sim.markUnreachable(unreachable);
    const failed = await client.createMessage({ to: unreachable, from: SENDER, body: 'never arrives' });
    await sim.idle();

    expect(await client.fetchMessage(delivered.sid)).toMatchObject({ sid: delivered.sid, status: 'delivered', to: '+33639980101', errorCode: null });
    expect(await client.fetchMessage(failed.sid)).toMatchObject({ sid: failed.sid, status: 'undelivered', errorCode: 30003 });
  });

  it('refuses anything but a message SID before calling Twilio, and reports an unknown one as NotFound', async () => {
    await client.warmUp();
    const idleBefore = client.idleMs();
    for (const sid of ['../Messages', 'SMabc', `SM${'0'.repeat(31)}/`, `XX${'0'.repeat(32)}`]) {
      const failure = await failureOf(() => client.fetchMessage(sid));
      expect(failure).toMatchObject({ type: FailureType.InvalidInput, nonRetryable: true });
    }
    // No call went out: the time since the last one only grew.
    expect(client.idleMs()).toBeGreaterThanOrEqual(idleBefore);

    const missing = await failureOf(() => client.fetchMessage(`SM${'0'.repeat(32)}`));
    expect(missing).toMatchObject({ type: FailureType.NotFound, nonRetryable: true });
  });
});

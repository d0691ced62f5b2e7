import { type TwilioSimulator, startTwilioSimulator } from '../../src/integrations/twilio/simulator';
import type { RelayHarness } from './relay';

/** A Twilio simulator for a test file: started before, stopped after, fast callbacks. */
export function useTwilioSimulator(options: Parameters<typeof startTwilioSimulator>[0] = {}): () => TwilioSimulator {
  let sim: TwilioSimulator | undefined;
  beforeAll(async () => {
    sim = await startTwilioSimulator({ seed: 1, ...options });
    sim.setCallbackBehaviour({ statusStepMs: 20 });
  });
  afterAll(async () => {
    await sim?.stop();
  });
  return () => {
    if (!sim) throw new Error('the Twilio simulator is not started yet');
    return sim;
  };
}

/** Environment that points Relay's Twilio section at a simulator. */
export const twilioEnv = (sim: TwilioSimulator, senders = 'sms:+33757000001@200,whatsapp:+33757000002@200') => ({
  TWILIO_ACCOUNT_SID: sim.accountSid,
  TWILIO_AUTH_TOKEN: sim.authToken,
  TWILIO_BASE_URL: sim.url,
  TWILIO_SENDERS: senders,
  TWILIO_TIMEOUT_MS: '2000',
  // The simulator lists a message at once unless a test sets its list lag (then it sets this too).
  TWILIO_LIST_SETTLE_MS: '200',
});

type Row = Awaited<ReturnType<RelayHarness['prisma']['notification']['findUniqueOrThrow']>>;

/** Polls the notification log until the notification reaches `status` (or fails the test). */
export async function waitForNotification(relay: RelayHarness, id: string, status: string, timeoutMs = 30_000): Promise<Row> {
  const deadline = Date.now() + timeoutMs;
  let row: Row | null = null;
  while (Date.now() < deadline) {
    row = await relay.prisma.notification.findUnique({ where: { id } });
    if (row?.status === status) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`notification ${id} did not reach ${status} (last: ${row?.status ?? 'no row'}, error: ${row?.lastError ?? '-'})`);
}

import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createNotificationActivities } from '../../src/activities/notifications';
import { createNotificationDeps } from '../../src/activities/notifications/create-deps';
import type { TwilioSendInput } from '../../src/activities/notifications/twilio-send';
import { loadConfig } from '../../src/config';
import { createPrismaClient } from '../../src/db/prisma';
import { loadTwilioConfig } from '../../src/integrations/twilio/config';
import { createLogger } from '../../src/logger';

/**
 * One Twilio send in a process of its own, as a worker runs it: a test kills this process with
 * SIGKILL mid-call to leave exactly what a dead worker leaves. The Relay and Twilio settings come
 * from the environment, the send's input from SEND_INPUT (JSON).
 */
async function main(): Promise<void> {
  const input = JSON.parse(process.env.SEND_INPUT!) as TwilioSendInput;
  const prisma = createPrismaClient(process.env.DATABASE_URL!);
  const deps = createNotificationDeps({
    prisma,
    logger: createLogger({ level: 'silent', name: 'send-once' }),
    twilio: loadTwilioConfig(process.env),
    callbackBaseUrl: process.env.NOTIFY_CALLBACK_BASE_URL!,
    encryptionKeys: loadConfig(process.env).codec.keys,
  });
  const { sendTwilioMessage } = createNotificationActivities(deps);
  console.log('sending');
  const env = new MockActivityEnvironment({ attempt: 1, activityType: 'sendTwilioMessage' }, { logger: new DefaultLogger('ERROR') });
  const result = await env.run(() => sendTwilioMessage(input));
  console.log(JSON.stringify(result));
  await prisma.$disconnect();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

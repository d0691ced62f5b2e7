/**
 * Runs the Twilio simulator on its own: `tsx src/integrations/twilio/simulator/main.ts [--port 4010] [--host
 * 127.0.0.1] [--seed 1] [--no-demo]`. Credentials come from TWILIO_SIMULATOR_ACCOUNT_SID /
 * TWILIO_SIMULATOR_AUTH_TOKEN, else the public demo values in demo-data.ts.
 */
import { parseArgs } from 'node:util';
import { demoOptions, DEMO_ACCOUNT_SID } from './demo-data';
import { startTwilioSimulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.TWILIO_SIMULATOR_PORT ?? '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: '1' },
      'no-demo': { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  const seed = Number(values.seed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

  const accountSid = process.env.TWILIO_SIMULATOR_ACCOUNT_SID;
  const authToken = process.env.TWILIO_SIMULATOR_AUTH_TOKEN;
  const sim = await startTwilioSimulator({
    ...(values['no-demo'] ? { accountSid: DEMO_ACCOUNT_SID, authToken: demoOptions().authToken } : demoOptions()),
    ...(accountSid ? { accountSid } : {}),
    ...(authToken ? { authToken } : {}),
    port,
    host: values.host,
    seed,
  });
  const credentials = authToken ? 'auth token from TWILIO_SIMULATOR_AUTH_TOKEN' : 'demo auth token (demo-data.ts)';
  console.log(`Twilio simulator listening on ${sim.url} (account ${sim.accountSid}, ${credentials}); control API ${sim.controlUrl}`);

  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

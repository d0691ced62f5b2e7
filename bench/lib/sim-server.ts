import { startTwilioSimulator } from '../../src/integrations/twilio/simulator';

/**
 * The Twilio simulator in a process of its own, as Twilio is remote: the receive times it
 * records are not delayed by the load the bench itself generates. Settings come from the
 * environment (SIM_PORT, SIM_ACCOUNT_SID, SIM_AUTH_TOKEN, SIM_OPTIONS as JSON); the bench
 * drives it through its control API (`/__sim`).
 */
async function main(): Promise<void> {
  const sim = await startTwilioSimulator({
    ...(JSON.parse(process.env.SIM_OPTIONS ?? '{}') as object),
    port: Number(process.env.SIM_PORT),
    accountSid: process.env.SIM_ACCOUNT_SID!,
    authToken: process.env.SIM_AUTH_TOKEN!,
  });
  console.log(`ready ${sim.url}`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

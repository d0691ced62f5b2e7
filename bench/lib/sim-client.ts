/**
 * The baselines' vendor call: one Twilio Messages create against the simulator, form-encoded
 * with HTTP Basic auth, as Relay's adapter sends it (no status callback, no bookkeeping).
 */
export interface SimTarget {
  url: string;
  accountSid: string;
  authToken: string;
  from: string;
}

export const simTargetFromEnv = (env: NodeJS.ProcessEnv = process.env): SimTarget => ({
  url: env.SIM_URL!,
  accountSid: env.SIM_ACCOUNT_SID!,
  authToken: env.SIM_AUTH_TOKEN!,
  from: env.SIM_FROM!,
});

export const simTargetEnv = (t: SimTarget): Record<string, string> => ({
  SIM_URL: t.url,
  SIM_ACCOUNT_SID: t.accountSid,
  SIM_AUTH_TOKEN: t.authToken,
  SIM_FROM: t.from,
});

export async function postToSimulator(target: SimTarget, to: string, body: string): Promise<void> {
  const res = await fetch(`${target.url}/2010-04-01/Accounts/${target.accountSid}/Messages.json`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${target.accountSid}:${target.authToken}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ To: to, From: target.from, Body: body }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`the simulator answered ${res.status}`);
}

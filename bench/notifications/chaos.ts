/**
 * `npm run chaos:notifications [-- --recipients K] [--identical] [--list-lag-ms L]`: 1 000
 * notifications through the API, handled by two worker processes, one of which is killed with
 * SIGKILL twice and restarted, while the Twilio simulator fails 20% of message creates (5xx;
 * accepted then the connection dropped; accepted then never answered) and its receipts come 15 s
 * apart (CHAOS_STATUS_STEP_MS), so a crashed send is not rescued by its receipt.
 *
 * By default every message goes to its own recipient with a text of its own. `--recipients K`
 * spreads them over K recipients (each gets SMS and WhatsApp messages), `--identical` gives the
 * messages to one recipient the same body (SMS) or the same template and variables (WhatsApp), as
 * a guest's reminders are, and `--list-lag-ms L` makes the simulator's message list show a new
 * message only L ms after its creation. Messages are counted per notification (each create's
 * status-callback URL names it): every notification must end delivered, with exactly one
 * message at the simulator, and no notification may have recorded another's message. Figures
 * are printed as they come; the last line is `{"sent":1000,"delivered":…,"duplicates":…,"lost":…}`.
 * Exits 1 when a target is missed.
 */
import type { SimMessage } from '../../src/integrations/twilio/simulator';
import type { Managed } from '../lib/processes';
import { type NotificationBody, type Posted, marked, postNotification, recipient, runPool, waitForFinal } from '../lib/load';
import { say } from '../lib/stack';
import { type BenchStack, withStack } from '../lib/twilio-stack';

interface ChaosOptions {
  /** Recipients the messages are spread over (undefined: one each). */
  recipients?: number;
  /** The same content for every message to a recipient, per channel. */
  identical: boolean;
  /** The simulator's list lag. */
  listLagMs: number;
}

function parseOptions(argv: readonly string[]): ChaosOptions {
  const options: ChaosOptions = { identical: false, listLagMs: 0 };
  const count = (flag: string, value: string | undefined, min: number) => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < min) throw new Error(`${flag} needs a whole number of at least ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--recipients') options.recipients = count(arg, argv[++i], 1);
    else if (arg === '--identical') options.identical = true;
    else if (arg === '--list-lag-ms') options.listLagMs = count(arg, argv[++i], 0);
    else throw new Error(`unknown option ${arg} (known: --recipients K, --identical, --list-lag-ms L)`);
  }
  return options;
}

const OPTIONS = parseOptions(process.argv.slice(2));

const N = Number(process.env.CHAOS_N ?? 1_000);
const CONCURRENCY = 8;
const TEMPLATE = `HX${'c4'.repeat(16)}`;
const SENDERS = 'sms:+33757000001@200,whatsapp:+33757000002@200';
/** 20% of creates fail, split between the three ways a create can go wrong. */
const FAULTS = { scope: 'create', errorRate: 0.08, dropAfterAcceptRate: 0.07, timeoutRate: 0.05, timeoutAccepts: true } as const;
/** Failures that are the recipient's, not Relay's: a notification failed for these is not lost. */
const LEGITIMATE_FAILURES = new Set(['RecipientInvalid', 'RecipientOptedOut']);
/** The victim is killed once this many messages reached the simulator, then again at the second mark. */
const KILL_AT = [0.2, 0.55].map((f) => Math.round(f * N));
const STATUS_STEP_MS = Number(process.env.CHAOS_STATUS_STEP_MS ?? 15_000);

function message(i: number): { body: NotificationBody; marker: string } {
  const marker = `m-chaos-${i}`;
  const idempotencyKey = `chaos-${i}`;
  // Messages 2j and 2j+1 (an SMS and a WhatsApp message) go to the same recipient.
  const to = recipient(1, OPTIONS.recipients === undefined ? i : Math.floor(i / 2) % OPTIONS.recipients);
  const text = OPTIONS.identical ? 'is on its way' : `${marked(marker)} is on its way`;
  const day = OPTIONS.identical ? 'Monday' : marked(marker);
  // SMS with a body, WhatsApp with an approved template: both of Relay's Twilio paths.
  return i % 2 === 0
    ? { marker, body: { idempotencyKey, channel: 'sms', recipient: to, body: `Your parcel ${text}` } }
    : { marker, body: { idempotencyKey, channel: 'whatsapp', recipient: to, template: TEMPLATE, variables: { '1': day, '2': '14:30' } } };
}

/** The notification a message was created for: its status-callback URL carries `?notification=<id>`. */
function ownerOf(m: Pick<SimMessage, 'statusCallback'>): string | null {
  try {
    return m.statusCallback === null ? null : new URL(m.statusCallback).searchParams.get('notification');
  } catch {
    return null;
  }
}

async function chaos(stack: BenchStack): Promise<void> {
  const { sim, procs } = stack;
  say(`starting the API and two workers (Temporal ${stack.temporalAddress})`);
  await stack.startApi({ senders: SENDERS });
  const steady = await stack.startWorker('worker-a', { senders: SENDERS });
  let victim: Managed = await stack.startWorker('worker-b-0', { senders: SENDERS });
  await sim.setFaults({ ...FAULTS, listLagMs: OPTIONS.listLagMs });
  say(`simulator faults on creates: ${JSON.stringify(FAULTS)}; list lag ${OPTIONS.listLagMs} ms`);
  say(
    `${N} messages to ${OPTIONS.recipients ?? N} recipients, ${OPTIONS.identical ? 'the same content per recipient and channel' : 'each with a text of its own'}`,
  );
  // Receipts slower than a crashed worker's recovery (as when a sender's queue holds messages
  // at Twilio) leave the look-up at Twilio as the only guard against a second send.
  await sim.setCallbackBehaviour({ statusStepMs: STATUS_STEP_MS });
  say(`status callbacks ${STATUS_STEP_MS} ms apart (queued → sent → delivered)`);

  const started = Date.now();
  const posted: Posted[] = [];
  const messages = Array.from({ length: N }, (_, i) => message(i));
  const posting = runPool(messages, CONCURRENCY, async (m) => {
    posted.push(await postNotification(stack.apiUrl, stack.apiKey, m.body, m.marker));
  }).then(() => say(`posted ${posted.length} notifications in ${((Date.now() - started) / 1000).toFixed(1)} s`));

  // The killer: SIGKILL the victim mid-run, restart it, twice.
  const killer = (async () => {
    for (const [k, mark] of KILL_AT.entries()) {
      const deadline = Date.now() + 5 * 60_000;
      while ((await sim.count()) < mark && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await procs.kill(victim);
      say(`SIGKILL ${victim.name} (pid ${victim.child.pid}) with ${await sim.count()} messages at the simulator`);
      await new Promise((r) => setTimeout(r, 1_000));
      victim = await stack.startWorker(`worker-b-${k + 1}`, { senders: SENDERS });
      say(`restarted it as ${victim.name} (pid ${victim.child.pid})`);
    }
  })();

  await Promise.all([posting, killer]);
  const counts = await waitForFinal(stack.db, 'chaos-', N, 6 * 60_000, 'chaos');
  await sim.idle(5 * 60_000);
  say(`all final after ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
  if (steady.child.exitCode !== null) say('note: the steady worker exited during the run');

  // What the simulator saw: every message it accepted, whatever the client was told, by the
  // notification its create was for.
  const received = await sim.messages();
  const bySid = new Map(received.map((m) => [m.sid, m]));
  const byNotification = new Map<string, SimMessage[]>();
  for (const m of received) {
    const id = ownerOf(m);
    if (id !== null) byNotification.set(id, [...(byNotification.get(id) ?? []), m]);
  }
  const unowned = received.filter((m) => ownerOf(m) === null).length;
  const duplicateGroups = [...byNotification].filter(([, ms]) => ms.length > 1);
  const duplicates = duplicateGroups.reduce((acc, [, ms]) => acc + ms.length - 1, 0);
  const outcomes = received.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.apiOutcome]: (acc[m.apiOutcome] ?? 0) + 1 }), {});
  say(`simulator: ${received.length} messages accepted (${JSON.stringify(outcomes)}: dropped and held ones were answered to nobody)${unowned ? `, ${unowned} naming no notification` : ''}`);
  for (const [id, ms] of duplicateGroups.slice(0, 10)) {
    const copies = ms.map((m) => `${m.sid} at +${m.receivedAt - started} ms, ${m.apiOutcome}`);
    say(`duplicate: ${id} sent ${ms.length} times (${copies.join('; ')})`);
  }

  const rows = await stack.db.query<{ id: string; status: string; attempts: number; error_code: string | null; last_error: string | null; vendor_message_id: string | null }>(
    "SELECT id, status, attempts, error_code, last_error, vendor_message_id FROM notification WHERE id LIKE 'chaos-%'",
  );
  const byId = new Map(rows.rows.map((r) => [r.id, r]));
  const delivered = rows.rows.filter((r) => r.status === 'delivered' || r.status === 'read').length;
  const lostIds: string[] = [];
  for (const m of messages) {
    const id = m.body.idempotencyKey;
    const row = byId.get(id);
    const ok = row && (row.status === 'delivered' || row.status === 'read');
    const legitimate = row && row.status === 'failed' && row.error_code !== null && LEGITIMATE_FAILURES.has(row.error_code);
    if ((!ok && !legitimate) || !byNotification.has(id)) lostIds.push(id);
  }
  for (const id of lostIds.slice(0, 10)) {
    const row = byId.get(id);
    say(`lost: ${id} status=${row?.status ?? 'no row'} attempts=${row?.attempts ?? '-'} error=${row?.error_code ?? '-'} messages=${byNotification.get(id)?.length ?? 0} ${row?.last_error ?? ''}`);
  }
  // A message created for one notification but recorded by another: the first one's content never went out.
  const misadopted = rows.rows.filter((r) => r.vendor_message_id !== null && ownerOf(bySid.get(r.vendor_message_id) ?? { statusCallback: null }) !== r.id);
  say(`adopted by another: ${misadopted.length}`);
  for (const r of misadopted.slice(0, 10)) {
    say(`adopted by another: ${r.id} recorded ${r.vendor_message_id}, created for ${ownerOf(bySid.get(r.vendor_message_id!) ?? { statusCallback: null }) ?? 'no notification at the simulator'}`);
  }
  const retried = rows.rows.filter((r) => r.attempts > 1).length;
  const attempts = rows.rows.reduce((acc, r) => acc + r.attempts, 0);
  say(`send attempts: ${attempts} for ${rows.rows.length} notifications (${retried} needed more than one)`);

  const result = { sent: posted.length, delivered, duplicates, lost: lostIds.length };
  console.log(JSON.stringify(result));
  if (result.sent !== N || result.delivered !== N || result.duplicates !== 0 || result.lost !== 0 || misadopted.length !== 0) process.exitCode = 1;
}

withStack('chaos', { contentTemplates: { [TEMPLATE]: 'Your appointment {{1}} is confirmed for {{2}}' } }, chaos).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * What happens to an accepted message: its status moves queued → sent (once it has left the sender's queue) →
 * delivered (→ read on WhatsApp), or ends failed/undelivered with an asynchronous error; each change is posted
 * to its StatusCallback. Callbacks can be repeated or have their last two swapped, with seeded probabilities, as
 * Twilio's sometimes are.
 */
import { asyncErrors, type AsyncError } from './errors';
import type { MessageStatus, SimMessage } from './model';
import type { Random } from './random';
import type { Scheduler } from './scheduler';
import type { SimulatorStore } from './store';
import type { WebhookClient } from './webhook-client';
import { statusCallbackParams } from './wire';

export interface CallbackBehaviour {
  /** Time between successive statuses after a message leaves its queue (sent → delivered → read). */
  statusStepMs: number;
  /** Probability that a status callback is delivered a second time (with a new idempotency token). */
  repeatRate: number;
  /** Probability that a message's last two status callbacks arrive in swapped order. */
  outOfOrderRate: number;
  /** WhatsApp messages go on to `read` after `delivered`. */
  whatsappRead: boolean;
  /** Per-attempt timeout of a callback POST (Twilio's default read timeout is 15 s). */
  timeoutMs: number;
  /** Wait before retrying a failed callback. */
  retryDelayMs: number;
}

export const defaultCallbackBehaviour = (): CallbackBehaviour => ({
  statusStepMs: 50,
  repeatRate: 0,
  outOfOrderRate: 0,
  whatsappRead: true,
  timeoutMs: 5000,
  retryDelayMs: 100,
});

export function validateCallbackBehaviour(b: CallbackBehaviour): string[] {
  const known = Object.keys(defaultCallbackBehaviour());
  const problems: string[] = Object.keys(b)
    .filter((key) => !known.includes(key))
    .map((key) => `unknown callback setting ${key}`);
  for (const key of ['repeatRate', 'outOfOrderRate'] as const)
    if (typeof b[key] !== 'number' || !(b[key] >= 0 && b[key] <= 1)) problems.push(`${key} must be a number in [0, 1]`);
  for (const key of ['statusStepMs', 'timeoutMs', 'retryDelayMs'] as const)
    if (typeof b[key] !== 'number' || !(b[key] >= 0) || !Number.isFinite(b[key])) problems.push(`${key} must be a non-negative number`);
  if (typeof b.whatsappRead !== 'boolean') problems.push('whatsappRead must be a boolean');
  return problems;
}

interface Step {
  status: MessageStatus;
  at: number;
  error: AsyncError | null;
}

export interface LifecycleDeps {
  store: SimulatorStore;
  scheduler: Scheduler;
  webhooks: WebhookClient;
  random: Random;
  behaviour: () => CallbackBehaviour;
}

export class MessageLifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  /** Plans the message's remaining statuses from the moment it was accepted. */
  start(message: SimMessage, now: number): void {
    const steps = this.plan(message);
    for (const step of steps) {
      if (step.status === message.status && step.at <= message.createdAt) continue;
      this.deps.scheduler.at(step.at - now, () => this.apply(message, step));
    }
    if (message.statusCallback !== null) this.scheduleCallbacks(message, steps, now);
  }

  private plan(message: SimMessage): Step[] {
    const { statusStepMs: step, whatsappRead } = this.deps.behaviour();
    const { store } = this.deps;
    const steps: Step[] = [{ status: 'queued', at: message.createdAt, error: null }];
    // One step after leaving the queue, so `queued` and `sent` are not posted at the same instant.
    const sent = message.dispatchedAt + step;
    if (message.channel === 'whatsapp' && message.contentSid === null && !store.inSession(message.to, message.dispatchedAt)) {
      steps.push({ status: 'failed', at: sent, error: asyncErrors.outsideSessionWindow });
      return steps;
    }
    steps.push({ status: 'sent', at: sent, error: null });
    if (store.isUnreachable(message.to)) {
      steps.push({ status: 'undelivered', at: sent + step, error: asyncErrors.unreachable });
      return steps;
    }
    steps.push({ status: 'delivered', at: sent + step, error: null });
    if (message.channel === 'whatsapp' && whatsappRead) steps.push({ status: 'read', at: sent + 2 * step, error: null });
    return steps;
  }

  private apply(message: SimMessage, step: Step): void {
    message.status = step.status;
    message.updatedAt = Math.max(message.updatedAt, step.at);
    if (step.error !== null) {
      message.errorCode = step.error.code;
      message.errorMessage = step.error.message;
    }
  }

  private scheduleCallbacks(message: SimMessage, steps: Step[], now: number): void {
    const { random, scheduler, webhooks } = this.deps;
    const { outOfOrderRate, repeatRate, statusStepMs } = this.deps.behaviour();
    const times = steps.map((s) => s.at);
    // Only a message with at least two statuses after `queued` can have them cross.
    if (steps.length >= 3 && random.chance(outOfOrderRate)) {
      const last = times.length - 1;
      [times[last - 1], times[last]] = [times[last]!, times[last - 1]!];
    }
    steps.forEach((step, i) => {
      const deliver = (repeat: boolean) => () =>
        webhooks.deliver({
          kind: 'status',
          messageSid: message.sid,
          status: step.status,
          url: message.statusCallback!,
          params: statusCallbackParams(message, step.status, step.error, step.at),
          repeat,
        });
      scheduler.at(times[i]! - now, deliver(false));
      if (random.chance(repeatRate)) scheduler.at(times[i]! - now + Math.max(1, statusStepMs / 2), deliver(true));
    });
  }
}

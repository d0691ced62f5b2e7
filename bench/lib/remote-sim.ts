import type { SenderRateReport, SimMessage, TwilioFaults, CallbackBehaviour } from '../../src/integrations/twilio/simulator';

/** The bench's handle on the simulator process, through the simulator's control API. */
export class RemoteSim {
  constructor(
    /** Base URL to use instead of https://api.twilio.com. */
    readonly url: string,
    readonly accountSid: string,
    readonly authToken: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/__sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok && !(path.startsWith('/idle') && res.status === 503)) throw new Error(`simulator ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** How many messages the simulator has accepted since the last reset. */
  async count(): Promise<number> {
    return (await this.call<{ messages: number }>('GET', '/')).messages;
  }

  async messages(filter: { sender?: string } = {}): Promise<SimMessage[]> {
    const query = filter.sender === undefined ? '' : `?sender=${encodeURIComponent(filter.sender)}`;
    return (await this.call<{ messages: SimMessage[] }>('GET', `/messages${query}`)).messages;
  }

  async setFaults(partial: Partial<TwilioFaults>): Promise<void> {
    await this.call('PATCH', '/faults', partial);
  }

  async setCallbackBehaviour(partial: Partial<CallbackBehaviour>): Promise<void> {
    await this.call('PATCH', '/callback-behaviour', partial);
  }

  async rateStats(by: 'received' | 'dispatched'): Promise<SenderRateReport[]> {
    return (await this.call<{ senders: SenderRateReport[] }>('GET', `/rates?by=${by}`)).senders;
  }

  /** Waits until every scheduled status change and callback has happened (false if not within `timeoutMs`). */
  async idle(timeoutMs = 60_000): Promise<boolean> {
    return (await this.call<{ idle: boolean }>('GET', `/idle?timeoutMs=${timeoutMs}`)).idle;
  }

  /** No messages, no callbacks, the start faults. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }
}

/** The simulator's own view of a message: everything it needs to answer the API, send callbacks and be audited. */

export type MessageStatus =
  | 'accepted'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'failed'
  | 'delivered'
  | 'undelivered'
  | 'read'
  | 'canceled';

export type Channel = 'sms' | 'whatsapp';

/** How the API call that created the message ended, as the client saw it. */
export type ApiOutcome = 'answered' | 'dropped' | 'held';

export interface SimMessage {
  sid: string;
  accountSid: string;
  channel: Channel;
  /** Addresses exactly as sent, e.g. `+31612345678` or `whatsapp:+31612345678`. */
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  contentSid: string | null;
  contentVariables: string | null;
  mediaUrls: string[];
  statusCallback: string | null;
  numSegments: number;
  status: MessageStatus;
  errorCode: number | null;
  errorMessage: string | null;
  /** Rate-limit key: `from`, or the Messaging Service SID when no `From` was given. */
  sender: string;
  /** Epoch ms when the create request arrived, before any injected latency. */
  receivedAt: number;
  /** Epoch ms when the message was accepted and stored (date_created). */
  createdAt: number;
  /** Epoch ms when the message leaves the sender's queue; may lie in the future while it is queued. */
  dispatchedAt: number;
  updatedAt: number;
  apiOutcome: ApiOutcome;
  /** Every form field of the create request, for assertions on what the client actually sent. */
  params: Record<string, string | string[]>;
}

export function channelOf(address: string): Channel {
  return address.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
}

/** The E.164 part of a channel address. */
export function bareNumber(address: string): string {
  const colon = address.indexOf(':');
  return colon === -1 ? address : address.slice(colon + 1);
}

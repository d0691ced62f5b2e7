/**
 * Messages list: Twilio's filters (`To`, `From`, `DateSent`, `DateSent<`, `DateSent>`) and paging (`PageSize`,
 * `Page`, `PageToken`), newest first, with `*_page_uri` links that carry the filters forward.
 */
import { twilioErrors } from './errors';
import type { SimMessage } from './model';
import type { MessageFilter } from './store';
import { messagesListPath, type MessagePageJson, type MessageResourceJson } from './wire';

type Query = Record<string, unknown>;

export interface ListRequest {
  filter: MessageFilter;
  /** Filter parameters exactly as received, in Twilio's order, for the page links. */
  filterParams: Array<[string, string]>;
  pageSize: number;
  page: number;
  pageToken: string | null;
}

const DAY_MS = 86_400_000;
const FILTER_NAMES = ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>'] as const;

function one(query: Query, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) return typeof v[v.length - 1] === 'string' ? (v[v.length - 1] as string) : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** A `YYYY-MM-DD` day or a full ISO 8601 time, at the one-second resolution of date_sent. */
function parseDate(name: string, raw: string): { start: number; day: boolean } {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(raw);
  const t = Date.parse(day ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(raw)) throw twilioErrors.invalidParameter(name);
  return { start: Math.floor(t / 1000) * 1000, day };
}

export function parseList(query: Query): ListRequest {
  const filter: MessageFilter = {};
  const filterParams: Array<[string, string]> = [];
  for (const name of FILTER_NAMES) {
    const raw = one(query, name);
    if (raw === undefined) continue;
    filterParams.push([name, raw]);
    if (name === 'To') filter.to = raw;
    else if (name === 'From') filter.from = raw;
    else {
      const { start, day } = parseDate(name, raw);
      const end = day ? start + DAY_MS - 1 : start;
      // "DateSent>" means on or after, "DateSent<" on or before; a bare DateSent is that day (or that second).
      if (name !== 'DateSent<') filter.sentFrom = Math.max(filter.sentFrom ?? -Infinity, start);
      if (name !== 'DateSent>') filter.sentTo = Math.min(filter.sentTo ?? Infinity, end);
    }
  }
  const pageSizeRaw = one(query, 'PageSize');
  const pageRaw = one(query, 'Page');
  const pageSize = pageSizeRaw === undefined ? 50 : Number(pageSizeRaw);
  const page = pageRaw === undefined ? 0 : Number(pageRaw);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw twilioErrors.invalidParameter('PageSize');
  if (!Number.isInteger(page) || page < 0) throw twilioErrors.invalidParameter('Page');
  return { filter, filterParams, pageSize, page, pageToken: one(query, 'PageToken') ?? null };
}

const enc = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

export function buildPage(
  accountSid: string,
  request: ListRequest,
  matching: SimMessage[],
  toJson: (m: SimMessage) => MessageResourceJson,
): MessagePageJson {
  const { pageSize, page, pageToken, filterParams } = request;
  let offset = page * pageSize;
  // PA<sid>: the page after that message; PB<sid>: the page before it. Unknown tokens fall back to Page.
  if (pageToken !== null && /^P[AB]/.test(pageToken)) {
    const index = matching.findIndex((m) => m.sid === pageToken.slice(2));
    if (index !== -1) offset = pageToken.startsWith('PA') ? index + 1 : Math.max(0, index - pageSize);
  }
  const items = matching.slice(offset, offset + pageSize);
  const link = (p: number, token?: string) =>
    `${messagesListPath(accountSid)}?${enc([
      ...filterParams,
      ['PageSize', String(pageSize)],
      ['Page', String(p)],
      ...(token === undefined ? [] : ([['PageToken', token]] as Array<[string, string]>)),
    ])}`;
  const hasNext = offset + items.length < matching.length && items.length > 0;
  const hasPrevious = offset > 0 && page > 0;
  return {
    end: offset + Math.max(items.length - 1, 0),
    first_page_uri: link(0),
    messages: items.map(toJson),
    next_page_uri: hasNext ? link(page + 1, `PA${items[items.length - 1]!.sid}`) : null,
    page,
    page_size: pageSize,
    previous_page_uri: hasPrevious ? link(page - 1, items.length > 0 ? `PB${items[0]!.sid}` : undefined) : null,
    start: offset,
    uri: link(page, pageToken ?? undefined),
  };
}

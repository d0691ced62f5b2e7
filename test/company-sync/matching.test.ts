import { parseDutchAddress } from '../../src/domain/company-sync/dutch-address';
import { normaliseKvk } from '../../src/domain/company-sync/kvk';
import {
  addressKey,
  type CandidateCompany,
  decideMatch,
  type InboundAccount,
  type MatchCandidates,
  type MatchDecision,
  nameSimilarity,
  nameTokens,
} from '../../src/domain/company-sync/matching';

const GUID = '5b7f4515-0000-4000-8000-000000000001';
const OTHER_GUID = '5b7f4515-0000-4000-8000-000000000002';

const account = (overrides: Partial<InboundAccount> = {}): InboundAccount => ({
  guid: GUID,
  code: '25',
  kvk: normaliseKvk('12345678'),
  name: 'Bakkerij Jansen B.V.',
  postalCode: '1015 CJ',
  buildingNumber: '123',
  buildingNumberAddition: null,
  address: parseDutchAddress('Keizersgracht 123'),
  ...overrides,
});

const company = (companyId: string, fields: Partial<CandidateCompany['fields']> = {}, linkedGuid: string | null = null): CandidateCompany => ({
  companyId,
  linkedGuid,
  fields: { name: 'Bakkerij Jansen', chamberOfCommerceId: '12345678', postalCode: '1015 CJ', buildingNumber: '123', buildingNumberAddition: null, ...fields },
});

const none: MatchCandidates = { byGuid: null, byCode: null, byKvk: [], byAddress: [] };
const found = (c: Partial<MatchCandidates>): MatchCandidates => ({ ...none, ...c });

/** The parts of a decision a case pins down. */
const summary = (d: MatchDecision) => ({
  action: d.action,
  rule: d.rule,
  kind: 'kind' in d ? d.kind : undefined,
  companyId: 'companyId' in d ? d.companyId : undefined,
  candidates: 'candidates' in d ? d.candidates.map((c) => c.companyId) : undefined,
  values: d.values,
  flags: d.flags,
});

describe('matching an inbound Exact account', () => {
  type Case = [string, Partial<InboundAccount>, MatchCandidates, ReturnType<typeof summary>];
  const cases: Case[] = [
    [
      '1. guid: update, whatever else matches',
      {},
      found({ byGuid: { companyId: 'c1' }, byCode: { companyId: 'c9', linkedGuid: null }, byKvk: [company('c1', {}, GUID)], byAddress: [company('c7')] }),
      { action: 'update', rule: 'guid', kind: undefined, companyId: 'c1', candidates: undefined, values: { exactGuid: GUID }, flags: [] },
    ],
    [
      '1. guid: a KVK held by another company collides (updating would take a unique number)',
      {},
      found({ byGuid: { companyId: 'c1' }, byKvk: [company('c2')] }),
      { action: 'conflict', rule: 'kvk', kind: 'kvk_collision', companyId: 'c2', candidates: ['c2'], values: { exactGuid: GUID, chamberOfCommerceId: '12345678' }, flags: [] },
    ],
    [
      '2. code: update when the link has no GUID yet',
      {},
      found({ byCode: { companyId: 'c3', linkedGuid: null } }),
      { action: 'update', rule: 'code', kind: undefined, companyId: 'c3', candidates: undefined, values: { code: '25', exactGuid: GUID }, flags: [] },
    ],
    [
      '2. code: update when the link has this GUID (any case)',
      {},
      found({ byCode: { companyId: 'c3', linkedGuid: GUID.toUpperCase() } }),
      { action: 'update', rule: 'code', kind: undefined, companyId: 'c3', candidates: undefined, values: { code: '25', exactGuid: GUID }, flags: [] },
    ],
    [
      '2. code: a link of the same Code with another GUID is another account',
      {},
      found({ byCode: { companyId: 'c3', linkedGuid: OTHER_GUID } }),
      { action: 'conflict', rule: 'code', kind: 'code_collision', companyId: 'c3', candidates: [], values: { code: '25', exactGuid: GUID, linkedGuid: OTHER_GUID }, flags: [] },
    ],
    [
      '2. code: a KVK held by another company collides',
      {},
      found({ byCode: { companyId: 'c3', linkedGuid: null }, byKvk: [company('c4')] }),
      { action: 'conflict', rule: 'kvk', kind: 'kvk_collision', companyId: 'c4', candidates: ['c4'], values: { code: '25', exactGuid: GUID, chamberOfCommerceId: '12345678' }, flags: [] },
    ],
    [
      '3. kvk on an unlinked company: conflict (scenario A), never linked',
      {},
      found({ byKvk: [company('c5')], byAddress: [company('c5')] }),
      { action: 'conflict', rule: 'kvk', kind: 'kvk_collision', companyId: 'c5', candidates: ['c5'], values: { chamberOfCommerceId: '12345678' }, flags: [] },
    ],
    [
      '3. kvk on a company linked to another account: conflict',
      {},
      found({ byKvk: [company('c5', {}, OTHER_GUID)] }),
      { action: 'conflict', rule: 'kvk', kind: 'kvk_collision', companyId: 'c5', candidates: ['c5'], values: { chamberOfCommerceId: '12345678', linkedGuid: OTHER_GUID }, flags: [] },
    ],
    [
      '3. kvk on a company linked to this very account: update by that link',
      {},
      found({ byKvk: [company('c5', {}, GUID)] }),
      { action: 'update', rule: 'guid', kind: undefined, companyId: 'c5', candidates: undefined, values: { exactGuid: GUID, chamberOfCommerceId: '12345678' }, flags: [] },
    ],
    [
      '3. kvk agrees but name and postal code are far apart: suspicious, review',
      {},
      found({ byKvk: [company('c6', { name: 'Garage De Vries', postalCode: '9711 AA' })] }),
      { action: 'review', rule: 'kvk', kind: 'suspicious_match', companyId: undefined, candidates: ['c6'], values: { chamberOfCommerceId: '12345678' }, flags: [] },
    ],
    [
      '3. kvk agrees, other name at the same postal code (a rename): not suspicious',
      {},
      found({ byKvk: [company('c6', { name: 'Garage De Vries' })] }),
      { action: 'conflict', rule: 'kvk', kind: 'kvk_collision', companyId: 'c6', candidates: ['c6'], values: { chamberOfCommerceId: '12345678' }, flags: [] },
    ],
    [
      '3. kvk agrees, same name elsewhere (a move): not suspicious',
      {},
      found({ byKvk: [company('c6', { postalCode: '9711 AA', name: 'Jansen Bakkerij' })] }),
      { action: 'conflict', rule: 'kvk', kind: 'kvk_collision', companyId: 'c6', candidates: ['c6'], values: { chamberOfCommerceId: '12345678' }, flags: [] },
    ],
    [
      '3. an invalid KVK is not matched on, flagged, and the address rule decides',
      { kvk: normaliseKvk('1234567') },
      found({ byKvk: [company('c5')], byAddress: [company('c7')] }),
      {
        action: 'review',
        rule: 'address',
        kind: 'address_match',
        companyId: undefined,
        candidates: ['c7'],
        values: { postalCode: '1015 CJ', buildingNumber: '123', buildingNumberAddition: null },
        flags: ['invalid_kvk'],
      },
    ],
    [
      '4. address: review, never linked',
      { kvk: normaliseKvk(null) },
      found({ byAddress: [company('c7'), company('c8', { name: 'Garage De Vries' })] }),
      {
        action: 'review',
        rule: 'address',
        kind: 'address_match',
        companyId: undefined,
        candidates: ['c7', 'c8'],
        values: { postalCode: '1015 CJ', buildingNumber: '123', buildingNumberAddition: null },
        flags: [],
      },
    ],
    [
      '4. address: the addition must agree (3 hs = 3-HS), other units are other companies',
      { kvk: normaliseKvk(null), buildingNumberAddition: '3 hs', address: parseDutchAddress('Keizersgracht 123-3 hs') },
      found({ byAddress: [company('c7', { buildingNumberAddition: '3-HS' }), company('c8', { buildingNumberAddition: '2' }), company('c9')] }),
      {
        action: 'review',
        rule: 'address',
        kind: 'address_match',
        companyId: undefined,
        candidates: ['c7'],
        values: { postalCode: '1015 CJ', buildingNumber: '123', buildingNumberAddition: '3 hs' },
        flags: [],
      },
    ],
    [
      '4. address: an unparsed line is no key, flagged, and creates',
      { kvk: normaliseKvk(null), buildingNumber: null, address: parseDutchAddress('Postbus 123') },
      found({ byAddress: [company('c7')] }),
      { action: 'create', rule: 'none', kind: undefined, companyId: undefined, candidates: undefined, values: { exactGuid: GUID, code: '25' }, flags: ['address_unparsed'] },
    ],
    [
      '4. address: without a postal code there is no key',
      { kvk: normaliseKvk(null), postalCode: null },
      found({ byAddress: [company('c7', { postalCode: null })] }),
      { action: 'create', rule: 'none', kind: undefined, companyId: undefined, candidates: undefined, values: { exactGuid: GUID, code: '25' }, flags: [] },
    ],
    [
      '5. nothing: create',
      {},
      none,
      { action: 'create', rule: 'none', kind: undefined, companyId: undefined, candidates: undefined, values: { exactGuid: GUID, code: '25' }, flags: [] },
    ],
    [
      '5. nothing, bad KVK and a PO box: create, both flagged',
      { kvk: normaliseKvk('KVK onbekend'), address: parseDutchAddress('Antwoordnummer 1234'), buildingNumber: null },
      none,
      { action: 'create', rule: 'none', kind: undefined, companyId: undefined, candidates: undefined, values: { exactGuid: GUID, code: '25' }, flags: ['invalid_kvk', 'address_unparsed'] },
    ],
    [
      '2. code is ignored when the account has none',
      { code: null, kvk: normaliseKvk(null) },
      found({ byCode: { companyId: 'c3', linkedGuid: null } }),
      { action: 'create', rule: 'none', kind: undefined, companyId: undefined, candidates: undefined, values: { exactGuid: GUID, code: null }, flags: [] },
    ],
  ];

  it.each(cases)('%s', (_name, overrides, candidates, expected) => {
    expect(summary(decideMatch(account(overrides), candidates))).toEqual(expected);
  });

  it('names both companies of a collision found after a link, and says why without names or addresses', () => {
    const decision = decideMatch(account(), found({ byGuid: { companyId: 'c1' }, byKvk: [company('c2')] }));
    expect(decision).toMatchObject({ action: 'conflict', companyId: 'c2', linkedCompanyId: 'c1', reason: 'linked by guid, but its KVK number is held by another company' });
    expect(decision.reason).not.toMatch(/Jansen|Keizersgracht|1015/);
  });

  it('shows operators how close each candidate is', () => {
    const decision = decideMatch(account({ kvk: normaliseKvk(null) }), found({ byAddress: [company('c7'), company('c8', { name: 'Garage De Vries', chamberOfCommerceId: null })] }));
    expect(decision.action).toBe('review');
    if (decision.action !== 'review') return;
    expect(decision.candidates).toEqual([
      { companyId: 'c7', linkedGuid: null, nameSimilarity: 1, postalCodeAgrees: true, kvkAgrees: false },
      { companyId: 'c8', linkedGuid: null, nameSimilarity: 0, postalCodeAgrees: true, kvkAgrees: false },
    ]);
    const byKvk = decideMatch(account(), found({ byKvk: [company('c5')] }));
    expect(byKvk.action === 'conflict' && byKvk.candidates[0]?.kvkAgrees).toBe(true);
  });
});

describe('company name similarity', () => {
  it('drops case, accents, punctuation and legal forms', () => {
    expect(nameTokens('Bakkerij Jansen B.V.')).toEqual(['bakkerij', 'jansen']);
    expect(nameTokens('De Vries & Zn. V.O.F.')).toEqual(['de', 'vries', 'en', 'zn']);
    expect(nameTokens('Café Het Hoekje N.V.')).toEqual(['cafe', 'het', 'hoekje']);
    expect(nameTokens('Jansen BV i.o.')).toEqual(['jansen']);
    expect(nameTokens(null)).toEqual([]);
  });

  const close: Array<[string, string]> = [
    ['Bakkerij Jansen B.V.', 'Bakkerij Jansen'],
    ['Jansen Transport BV', 'Transport Jansen'],
    ['De Vries & Zn. V.O.F.', 'de vries en zn'],
    ['Café Het Hoekje', 'Cafe het Hoekje BV'],
    ['Van der Berg Installatietechniek', 'Berg Installatie B.V.'],
    ['Heineken N.V.', 'Heineken Nederland B.V.'],
    ['Bouwbedrijf Pietersen', 'Pietersen Bouw'],
    ['Jansen', 'Janssen'],
  ];
  it.each(close)('%j and %j are close (>= 0.5)', (a, b) => {
    expect(nameSimilarity(a, b)).toBeGreaterThanOrEqual(0.5);
    expect(nameSimilarity(b, a)).toBeCloseTo(nameSimilarity(a, b));
  });

  const far: Array<[string | null, string | null]> = [
    ['Bakkerij Jansen', 'Garage De Vries'],
    ['Jansen', 'Pietersen'],
    ['Jansen Bakkerij', 'Jansen Garage'],
    ['Bakkerij Jansen', null],
    ['B.V.', 'B.V.'],
  ];
  it.each(far)('%j and %j are far apart (< 0.5)', (a, b) => {
    expect(nameSimilarity(a, b)).toBeLessThan(0.5);
  });

  it('is 1 for names equal once normalised', () => {
    expect(nameSimilarity('BAKKERIJ JANSEN', 'bakkerij  jansen b.v.')).toBe(1);
  });
});

describe('address key', () => {
  it('is canonical and needs postal code and number', () => {
    const key = (postalCode: string | null, buildingNumber: string | null, buildingNumberAddition: string | null) => addressKey({ postalCode, buildingNumber, buildingNumberAddition });
    expect(key('1015cj', '123', null)).toBe(key('1015 CJ', '123', ''));
    expect(key('1015 CJ', '12', '3 hs')).toBe(key('1015CJ', '12', '3-HS'));
    expect(key('1015 CJ', '12', 'A')).not.toBe(key('1015 CJ', '12', null));
    expect(key(null, '12', null)).toBeNull();
    expect(key('1015 CJ', null, 'A')).toBeNull();
  });
});

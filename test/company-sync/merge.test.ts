import { changedFields, type CompanyFields, emptyFields, normaliseFields, type SyncedField } from '../../src/domain/company-sync/company-fields';
import { fieldsHash } from '../../src/domain/company-sync/field-hash';
import { type MergeInput, mergeFields } from '../../src/domain/company-sync/merge';

const BASE: CompanyFields = {
  name: 'Bakkerij Jansen B.V.',
  chamberOfCommerceId: '12345678',
  streetName: 'Keizersgracht',
  buildingNumber: '123',
  buildingNumberAddition: null,
  postalCode: '1015 CJ',
  city: 'Amsterdam',
  country: 'NL',
};
const with_ = (changes: Partial<CompanyFields>): CompanyFields => ({ ...BASE, ...changes });
const EARLIER = new Date('2025-03-01T10:00:00Z');
const LATER = new Date('2025-03-01T10:05:00Z');

const merge = (overrides: Partial<MergeInput>) =>
  mergeFields({ base: BASE, local: BASE, remote: BASE, localModifiedAt: EARLIER, remoteModifiedAt: EARLIER, manualReviewFields: [], ...overrides });

describe('company fields', () => {
  it('normalises: trims, collapses whitespace, empty is null, Dutch postcodes as 1234 AB, countries upper case', () => {
    expect(
      normaliseFields({ name: '  Bakkerij   Jansen ', chamberOfCommerceId: ' 12345678 ', streetName: '', buildingNumber: '  ', buildingNumberAddition: 'a', postalCode: '1015cj', city: 'Amsterdam\t', country: 'nl' }),
    ).toEqual({ name: 'Bakkerij Jansen', chamberOfCommerceId: '12345678', streetName: null, buildingNumber: null, buildingNumberAddition: 'a', postalCode: '1015 CJ', city: 'Amsterdam', country: 'NL' });
    expect(normaliseFields(with_({ postalCode: '1015  cj' })).postalCode).toBe('1015 CJ');
    // Not Dutch-shaped: kept as written.
    expect(normaliseFields(with_({ postalCode: 'B-1000' })).postalCode).toBe('B-1000');
    expect(normaliseFields(with_({ postalCode: 'SW1A 1AA' })).postalCode).toBe('SW1A 1AA');
    expect(normaliseFields(emptyFields())).toEqual(emptyFields());
  });

  it('lists changed fields in SYNCED_FIELDS order, ignoring spelling the normal form erases', () => {
    expect(changedFields(BASE, with_({ city: 'Utrecht', name: 'Jansen' }))).toEqual(['name', 'city']);
    expect(changedFields(BASE, with_({ postalCode: '1015cj', name: ' Bakkerij  Jansen B.V. ', country: 'nl' }))).toEqual([]);
    expect(changedFields(BASE, with_({ buildingNumberAddition: '' }))).toEqual([]);
    expect(changedFields(emptyFields(), BASE)).toHaveLength(7);
  });

  it('hashes the normalised fields: stable, spelling-blind, sensitive to every field and to null', () => {
    expect(fieldsHash(BASE)).toMatch(/^[0-9a-f]{64}$/);
    expect(fieldsHash(BASE)).toBe(fieldsHash({ ...BASE }));
    expect(fieldsHash(with_({ postalCode: '1015cj', city: ' Amsterdam ' }))).toBe(fieldsHash(BASE));
    expect(fieldsHash(with_({ city: 'Utrecht' }))).not.toBe(fieldsHash(BASE));
    expect(fieldsHash(with_({ buildingNumberAddition: 'null' }))).not.toBe(fieldsHash(BASE));
    // A value moved to another field is another record.
    expect(fieldsHash(with_({ streetName: null, city: 'Keizersgracht' }))).not.toBe(fieldsHash(with_({ streetName: 'Keizersgracht', city: null })));
    // Fixed across releases: SHA-256 of the JSON array of eight nulls (stored hashes depend on it).
    expect(fieldsHash(emptyFields())).toBe('574fee1a0aba0d9a42e3c4b5e191bb8ebabe6578cf58009020a837ae9901f682');
  });
});

describe('three-way merge', () => {
  type Case = {
    name: string;
    input: Partial<MergeInput>;
    merged: Partial<CompanyFields>;
    toLocal: Partial<CompanyFields>;
    toRemote: Partial<CompanyFields>;
    conflicts: Array<{ field: SyncedField; winner: 'local' | 'remote' | 'review' }>;
  };

  const cases: Case[] = [
    { name: 'nothing changed', input: {}, merged: {}, toLocal: {}, toRemote: {}, conflicts: [] },
    {
      name: 'remote changed one field: local takes it',
      input: { remote: with_({ city: 'Utrecht' }) },
      merged: { city: 'Utrecht' },
      toLocal: { city: 'Utrecht' },
      toRemote: {},
      conflicts: [],
    },
    {
      name: 'local changed one field: remote takes it',
      input: { local: with_({ name: 'Bakkerij Jansen & Zn. B.V.' }) },
      merged: { name: 'Bakkerij Jansen & Zn. B.V.' },
      toLocal: {},
      toRemote: { name: 'Bakkerij Jansen & Zn. B.V.' },
      conflicts: [],
    },
    {
      name: 'each side changed a different field: both kept, whatever the times',
      input: { local: with_({ name: 'Jansen' }), remote: with_({ city: 'Utrecht' }), localModifiedAt: EARLIER, remoteModifiedAt: LATER },
      merged: { name: 'Jansen', city: 'Utrecht' },
      toLocal: { city: 'Utrecht' },
      toRemote: { name: 'Jansen' },
      conflicts: [],
    },
    {
      name: 'both changed a field to the same value: no conflict, nothing sent',
      input: { local: with_({ city: 'Utrecht' }), remote: with_({ city: 'Utrecht' }) },
      merged: { city: 'Utrecht' },
      toLocal: {},
      toRemote: {},
      conflicts: [],
    },
    {
      name: 'both changed a field to the same value, spelled differently: no conflict',
      input: { local: with_({ postalCode: '3511ab' }), remote: with_({ postalCode: '3511 AB' }) },
      merged: { postalCode: '3511 AB' },
      toLocal: {},
      toRemote: {},
      conflicts: [],
    },
    {
      name: 'a whitespace-only difference is no edit',
      input: { local: with_({ name: ' Bakkerij  Jansen B.V.' }) },
      merged: {},
      toLocal: {},
      toRemote: {},
      conflicts: [],
    },
    {
      name: 'both changed differently, remote later: remote wins',
      input: { local: with_({ city: 'Haarlem' }), remote: with_({ city: 'Utrecht' }), localModifiedAt: EARLIER, remoteModifiedAt: LATER },
      merged: { city: 'Utrecht' },
      toLocal: { city: 'Utrecht' },
      toRemote: {},
      conflicts: [{ field: 'city', winner: 'remote' }],
    },
    {
      name: 'both changed differently, local later: local wins',
      input: { local: with_({ city: 'Haarlem' }), remote: with_({ city: 'Utrecht' }), localModifiedAt: LATER, remoteModifiedAt: EARLIER },
      merged: { city: 'Haarlem' },
      toLocal: {},
      toRemote: { city: 'Haarlem' },
      conflicts: [{ field: 'city', winner: 'local' }],
    },
    {
      name: 'both changed differently at the same instant: remote wins',
      input: { local: with_({ city: 'Haarlem' }), remote: with_({ city: 'Utrecht' }), localModifiedAt: LATER, remoteModifiedAt: new Date(LATER.getTime()) },
      merged: { city: 'Utrecht' },
      toLocal: { city: 'Utrecht' },
      toRemote: {},
      conflicts: [{ field: 'city', winner: 'remote' }],
    },
    {
      name: 'one side cleared a field, the other left it: the clearing is an edit',
      input: { remote: with_({ buildingNumber: null }) },
      merged: { buildingNumber: null },
      toLocal: { buildingNumber: null },
      toRemote: {},
      conflicts: [],
    },
    {
      name: 'one side cleared, the other changed: a conflict like any other',
      input: { local: with_({ city: null }), remote: with_({ city: 'Utrecht' }), localModifiedAt: LATER, remoteModifiedAt: EARLIER },
      merged: { city: null },
      toLocal: {},
      toRemote: { city: null },
      conflicts: [{ field: 'city', winner: 'local' }],
    },
    {
      name: 'a review field changed on both sides: review, local kept, nothing sent either way',
      input: { local: with_({ name: 'Jansen Brood' }), remote: with_({ name: 'Jansen Banket' }), remoteModifiedAt: LATER, manualReviewFields: ['name'] },
      merged: { name: 'Jansen Brood' },
      toLocal: {},
      toRemote: {},
      conflicts: [{ field: 'name', winner: 'review' }],
    },
    {
      name: 'a review field changed on one side only merges as usual',
      input: { remote: with_({ name: 'Jansen Banket' }), manualReviewFields: ['name'] },
      merged: { name: 'Jansen Banket' },
      toLocal: { name: 'Jansen Banket' },
      toRemote: {},
      conflicts: [],
    },
    {
      name: 'review and last-write-wins side by side, plus one-sided edits',
      input: {
        local: with_({ name: 'Jansen Brood', city: 'Haarlem', country: 'BE' }),
        remote: with_({ name: 'Jansen Banket', city: 'Utrecht', postalCode: '3511 AB' }),
        localModifiedAt: LATER,
        remoteModifiedAt: EARLIER,
        manualReviewFields: ['name'],
      },
      merged: { name: 'Jansen Brood', city: 'Haarlem', country: 'BE', postalCode: '3511 AB' },
      toLocal: { postalCode: '3511 AB' },
      toRemote: { city: 'Haarlem', country: 'BE' },
      conflicts: [
        { field: 'name', winner: 'review' },
        { field: 'city', winner: 'local' },
      ],
    },
  ];

  describe('the street address (street, number, addition) merges as one value', () => {
    // Exact keeps it as one line (AddressLine1): a part from each side is an address nobody typed.
    const ours = with_({ streetName: 'Marktplein', buildingNumber: '79', buildingNumberAddition: 'B' });
    const theirs = with_({ streetName: 'Industrieweg', buildingNumber: '348', buildingNumberAddition: null });

    it('changed on both sides, Exact later: Exact\'s whole address, each differing part audited with both addresses', () => {
      const result = merge({ local: ours, remote: theirs, localModifiedAt: EARLIER, remoteModifiedAt: LATER });
      expect(result.merged).toEqual(theirs);
      expect(result.toLocal).toEqual({ streetName: 'Industrieweg', buildingNumber: '348', buildingNumberAddition: null });
      expect(result.toRemote).toEqual({});
      const address = { base: 'Keizersgracht 123', local: 'Marktplein 79B', remote: 'Industrieweg 348' };
      expect(result.conflicts).toEqual([
        { field: 'streetName', base: 'Keizersgracht', local: 'Marktplein', remote: 'Industrieweg', winner: 'remote', address },
        { field: 'buildingNumber', base: '123', local: '79', remote: '348', winner: 'remote', address },
        { field: 'buildingNumberAddition', base: null, local: 'B', remote: null, winner: 'remote', address },
      ]);
    });

    it('changed on both sides, Relay later: our whole address goes to Exact', () => {
      const result = merge({ local: ours, remote: theirs, localModifiedAt: LATER, remoteModifiedAt: EARLIER });
      expect(result.merged).toEqual(ours);
      expect(result.toLocal).toEqual({});
      expect(result.toRemote).toEqual({ streetName: 'Marktplein', buildingNumber: '79', buildingNumberAddition: 'B' });
      expect(result.conflicts.map((c) => c.winner)).toEqual(['local', 'local', 'local']);
    });

    it('different parts changed on each side are still one conflict with one winner', () => {
      // Ours: the addition; theirs: the street. Field by field this became "Herengracht 123A".
      const result = merge({ local: with_({ buildingNumberAddition: 'A' }), remote: with_({ streetName: 'Herengracht' }), remoteModifiedAt: LATER });
      expect(result.merged).toEqual(with_({ streetName: 'Herengracht' }));
      expect(result.toLocal).toEqual({ streetName: 'Herengracht', buildingNumberAddition: null });
      expect(result.conflicts.map((c) => [c.field, c.winner])).toEqual([
        ['streetName', 'remote'],
        ['buildingNumberAddition', 'remote'],
      ]);
    });

    it('one part changed on one side only: that side\'s whole address, no conflict', () => {
      const result = merge({ local: with_({ buildingNumberAddition: '2 hs' }), remoteModifiedAt: LATER });
      expect(result.toRemote).toEqual({ buildingNumberAddition: '2 hs' });
      expect(result.toLocal).toEqual({});
      expect(result.conflicts).toEqual([]);
    });

    it('changed on both sides to the same address: nothing to do', () => {
      const result = merge({ local: ours, remote: ours });
      expect(result).toMatchObject({ toLocal: {}, toRemote: {}, conflicts: [] });
    });

    it('any part configured for review sends the whole address to review, nothing sent either way', () => {
      const result = merge({ local: ours, remote: theirs, remoteModifiedAt: LATER, manualReviewFields: ['buildingNumberAddition'] });
      expect(result.merged).toEqual(ours);
      expect(result.toLocal).toEqual({});
      expect(result.toRemote).toEqual({});
      expect(result.conflicts.map((c) => [c.field, c.winner])).toEqual([
        ['streetName', 'review'],
        ['buildingNumber', 'review'],
        ['buildingNumberAddition', 'review'],
      ]);
    });
  });

  it.each(cases)('$name', ({ input, merged, toLocal, toRemote, conflicts }) => {
    const result = merge(input);
    expect(result.merged).toEqual(with_(merged));
    expect(result.toLocal).toEqual(toLocal);
    expect(result.toRemote).toEqual(toRemote);
    expect(result.conflicts.map(({ field, winner }) => ({ field, winner }))).toEqual(conflicts);
  });

  it('records both sides and the base of every conflict, normalised', () => {
    const { conflicts } = merge({ local: with_({ postalCode: '2011aa' }), remote: with_({ postalCode: '3511ab' }), remoteModifiedAt: LATER });
    expect(conflicts).toEqual([{ field: 'postalCode', base: '1015 CJ', local: '2011 AA', remote: '3511 AB', winner: 'remote' }]);
  });

  it('applying toLocal and toRemote brings both sides to merged', () => {
    const local = with_({ name: 'Jansen', city: 'Haarlem', buildingNumberAddition: 'A' });
    const remote = with_({ city: 'Utrecht', postalCode: '3511 AB', buildingNumber: null });
    const result = merge({ local, remote, remoteModifiedAt: LATER });
    expect({ ...local, ...result.toLocal }).toEqual(result.merged);
    expect({ ...remote, ...result.toRemote }).toEqual(result.merged);
  });

  describe('without a base (first link): Exact is the source', () => {
    const local = with_({ name: 'Jansen', city: null, streetName: 'Dorpsstraat', country: 'NL' });
    const remote: CompanyFields = { ...emptyFields(), name: 'Bakkerij Jansen B.V.', city: 'Amsterdam', streetName: 'Keizersgracht', chamberOfCommerceId: '12345678' };

    it('takes every value Exact has, keeps and sends what only Relay has, audits each overwrite as a conflict won by remote', () => {
      const result = merge({ base: null, local, remote, localModifiedAt: LATER, remoteModifiedAt: EARLIER });
      // The address is Exact's as a whole ("Keizersgracht", no number): never its street with our number.
      expect(result.merged).toEqual({ ...BASE, name: 'Bakkerij Jansen B.V.', streetName: 'Keizersgracht', buildingNumber: null, city: 'Amsterdam' });
      expect(result.toLocal).toEqual({ name: 'Bakkerij Jansen B.V.', streetName: 'Keizersgracht', buildingNumber: null, city: 'Amsterdam' });
      expect(result.toRemote).toEqual({ postalCode: '1015 CJ', country: 'NL' });
      const address = { base: null, local: 'Dorpsstraat 123', remote: 'Keizersgracht' };
      expect(result.conflicts).toEqual([
        { field: 'name', base: null, local: 'Jansen', remote: 'Bakkerij Jansen B.V.', winner: 'remote' },
        { field: 'streetName', base: null, local: 'Dorpsstraat', remote: 'Keizersgracht', winner: 'remote', address },
        { field: 'buildingNumber', base: null, local: '123', remote: null, winner: 'remote', address },
      ]);
    });

    it("takes Exact's whole address over ours: never one part from each side", () => {
      const ours = with_({ streetName: 'Dorpsstraat', buildingNumber: '170', buildingNumberAddition: 'A' });
      const theirs = with_({ streetName: '1e Jacob van Campenstraat', buildingNumber: '377', buildingNumberAddition: null });
      const result = merge({ base: null, local: ours, remote: theirs, localModifiedAt: LATER });
      expect(result.merged).toEqual(theirs);
      expect(result.toLocal).toEqual({ streetName: '1e Jacob van Campenstraat', buildingNumber: '377', buildingNumberAddition: null });
      expect(result.toRemote).toEqual({});
      expect(result.conflicts.map((c) => [c.field, c.winner])).toEqual([
        ['streetName', 'remote'],
        ['buildingNumber', 'remote'],
        ['buildingNumberAddition', 'remote'],
      ]);
    });

    it('keeps and sends an address only Relay has', () => {
      const theirs = with_({ streetName: null, buildingNumber: null, buildingNumberAddition: null });
      const result = merge({ base: null, local: with_({ buildingNumberAddition: '2 hs' }), remote: theirs });
      expect(result.toRemote).toEqual({ streetName: 'Keizersgracht', buildingNumber: '123', buildingNumberAddition: '2 hs' });
      expect(result.toLocal).toEqual({});
      expect(result.conflicts).toEqual([]);
    });

    it('sends a review field that differs nowhere and leaves it to an operator', () => {
      const result = merge({ base: null, local, remote, manualReviewFields: ['name'] });
      expect(result.merged.name).toBe('Jansen');
      expect(result.toLocal).not.toHaveProperty('name');
      expect(result.toRemote).not.toHaveProperty('name');
      expect(result.conflicts.find((c) => c.field === 'name')?.winner).toBe('review');
    });

    it('with the account as found at linking: what Exact changed since is its edit, a cleared field included', () => {
      const ours = with_({ city: 'Zwolle' });
      const found = with_({ city: 'Tilburg', postalCode: '5017 UQ' });
      // Since it was found, Exact's user cleared the KVK and changed the postcode.
      const now = with_({ chamberOfCommerceId: null, city: 'Tilburg', postalCode: '3547 TF' });
      const result = merge({ base: null, local: ours, remote: now, found, localModifiedAt: LATER });
      expect(result.merged).toEqual(with_({ chamberOfCommerceId: null, city: 'Tilburg', postalCode: '3547 TF' }));
      expect(result.toRemote).toEqual({});
      expect(result.conflicts.map((c) => [c.field, c.winner])).toEqual([
        ['chamberOfCommerceId', 'remote'],
        ['postalCode', 'remote'],
        ['city', 'remote'],
      ]);
      // Without it, an empty value in Exact is one Exact never had: ours is kept and sent.
      expect(merge({ base: null, local: ours, remote: now, localModifiedAt: LATER }).toRemote).toEqual({ chamberOfCommerceId: '12345678' });
      // Unchanged since found: the first-link rule as ever (Exact's values, ours where Exact has none).
      expect(merge({ base: null, local: ours, remote: with_({ chamberOfCommerceId: null }), found: with_({ chamberOfCommerceId: null }) }).toRemote).toEqual({ chamberOfCommerceId: '12345678' });
    });

    it('a new local company (all empty) takes the remote record without conflicts', () => {
      const result = merge({ base: null, local: emptyFields(), remote });
      expect(result.merged).toEqual(remote);
      expect(result.toLocal).toEqual({ name: 'Bakkerij Jansen B.V.', chamberOfCommerceId: '12345678', streetName: 'Keizersgracht', city: 'Amsterdam' });
      expect(result.toRemote).toEqual({});
      expect(result.conflicts).toEqual([]);
    });
  });
});

import { applyLanes } from '../../src/domain/company-sync/apply-lanes';

const account = (guid: string, kvk: string | null, postalCode: string | null = null, buildingNumber: string | null = null, code: string | null = null) => ({
  guid,
  code,
  fields: { chamberOfCommerceId: kvk, postalCode, buildingNumber, buildingNumberAddition: null },
});

describe('apply lanes: accounts whose matching depends on each other stay in one lane, in page order', () => {
  it('puts accounts sharing a KVK (however it is written) in one lane', () => {
    const lanes = applyLanes([account('a', '12345678'), account('b', '1234 5678'), account('c', '87654321')]);
    expect(lanes.map((l) => l.map((a) => a.guid))).toEqual([['a', 'b'], ['c']]);
  });

  it('joins lanes through a chain of shared keys (KVK with one, address with another)', () => {
    const lanes = applyLanes([account('a', '12345678'), account('b', null, '1234ab', '5'), account('c', '12345678', '1234 AB', '5'), account('d', null)]);
    expect(lanes.map((l) => l.map((a) => a.guid))).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('puts accounts sharing a Code in one lane and keeps invalid KVKs from joining anything', () => {
    const lanes = applyLanes([account('a', 'n/a', null, null, '25'), account('b', 'n/a', null, null, ' 25'), account('c', 'n/a')]);
    expect(lanes.map((l) => l.map((a) => a.guid))).toEqual([['a', 'b'], ['c']]);
  });
});

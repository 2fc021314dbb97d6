import { computeOwnership, resolveUboOptions, StructureBuilder } from '@app/ubo';
import type { UboAnswer, UboRequestOptions } from '@app/ubo';
import { uboCsv } from './ubo-export';

const DEFAULTS = {
  regime: 'eu',
  thresholdBp: 2500,
  maxDepth: 25,
  convention: 'integrated',
} as const;

/** Ten 10% holders, a senior managing official and two board members of one company. */
function dispersed(): { b: StructureBuilder; t: string; ceo: string } {
  const b = new StructureBuilder('csv');
  const t = b.company('t');
  for (let i = 0; i < 10; i += 1) b.owns(b.person(`holder${i}`), t, 1000);
  const ceo = b.person('ceo');
  b.controls(ceo, t, 'seniorManagingOfficial');
  b.controls(b.person('chair'), t, 'boardChair');
  b.controls(b.person('member'), t, 'boardMember');
  return { b, t, ceo };
}

function answer(b: StructureBuilder, t: string, request: UboRequestOptions = {}): UboAnswer {
  return computeOwnership(b.build(), t, resolveUboOptions(DEFAULTS, request));
}

/** The CSV's rows as objects keyed by its header (no quoted commas in these names). */
function rows(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const columns = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? '']));
  });
}

describe('uboCsv names every beneficial owner the answer names', () => {
  it('EU fallback: the senior managing official has a row marked as beneficial owner', () => {
    const { b, t, ceo } = dispersed();
    const given = answer(b, t);
    expect(given.beneficialOwners.map((o) => o.uid)).toEqual([ceo]);
    const named = rows(uboCsv(given, new Map())).filter((row) => row.beneficialOwner === 'true');
    expect(named.map((row) => [row.personId, row.kind, row.controlKind])).toEqual([
      [ceo, 'fallback', 'seniorManagingOfficial'],
    ]);
  });

  it('US: the control-prong person has a row marked as beneficial owner beside the 25% owner', () => {
    const { b, t, ceo } = dispersed();
    const big = b.person('big');
    b.owns(big, t, 2500);
    const given = answer(b, t, { regime: 'us' });
    const named = rows(uboCsv(given, new Map())).filter((row) => row.beneficialOwner === 'true');
    expect(named.map((row) => [row.personId, row.kind])).toEqual([
      [big, 'ownership'],
      [ceo, 'control'],
    ]);
    // Every person the answer names is in the CSV as a beneficial owner.
    expect(new Set(named.map((row) => row.personId))).toEqual(
      new Set(given.beneficialOwners.map((o) => o.uid)),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { changedLeaves } from '../../src/domain/cerfa/changes.js';
import { validCerfaPayload } from '../fixtures/cerfa.js';

type Raw = Record<string, unknown>;

function cerfaWith(edit: (cerfa: Raw) => void): { before: Raw; after: Raw } {
  const before = validCerfaPayload(11).cerfa;
  const after = structuredClone(before);
  edit(after);
  return { before, after };
}

const section = (cerfa: Raw, name: string): Raw => cerfa[name] as Raw;

describe('changedLeaves', () => {
  it('When nothing changed, whatever the order of the members, Then no pointer', () => {
    const { before } = cerfaWith(() => undefined);
    const reordered = Object.fromEntries(Object.entries(before).reverse());
    expect(changedLeaves(before, reordered)).toEqual([]);
    expect(changedLeaves({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toEqual([]);
  });

  it('When leaves change, Then their pointers only, in the CERFA’s order, never their values', () => {
    const { before, after } = cerfaWith((c) => {
      section(c, 'contrat').dateFinContrat = '2027-07-31';
      (section(c, 'apprenti').adresse as Raw).commune = 'Villeurbanne';
    });
    const pointers = changedLeaves(before, after);
    expect(pointers).toEqual(['/apprenti/adresse/commune', '/contrat/dateFinContrat']);
    expect(pointers.join()).not.toContain('Villeurbanne');
  });

  it('When a member appears or disappears, Then each of its leaves is named', () => {
    expect(changedLeaves({ a: 1 }, { a: 1, b: { c: 2, d: [3, 4] } })).toEqual(['/b/c', '/b/d/0', '/b/d/1']);
    expect(changedLeaves({ a: 1, b: { c: 2 } }, { a: 1 })).toEqual(['/b/c']);
    expect(changedLeaves({ a: 1 }, { a: null })).toEqual(['/a']);
  });

  it('When an array grows or shrinks, Then the items concerned are named by index', () => {
    expect(changedLeaves({ t: [{ x: 1 }, { x: 2 }] }, { t: [{ x: 1 }, { x: 3 }, { x: 4 }] })).toEqual(['/t/1/x', '/t/2/x']);
    expect(changedLeaves({ t: [1, 2, 3] }, { t: [1] })).toEqual(['/t/1', '/t/2']);
  });

  it('When a value changes kind, or an empty object or array comes or goes, Then its pointer is named once', () => {
    expect(changedLeaves({ a: 'x' }, { a: { b: 1 } })).toEqual(['/a', '/a/b']);
    expect(changedLeaves({ a: {} }, { a: [] })).toEqual(['/a']);
    expect(changedLeaves({}, { maitre2: {} })).toEqual(['/maitre2']);
    expect(changedLeaves({ n: 1 }, { n: '1' })).toEqual(['/n']);
  });

  it('When a member name holds / or ~, Then it is escaped as RFC 6901 says', () => {
    expect(changedLeaves({ 'a/b': 1, 'c~d': 1 }, { 'a/b': 2, 'c~d': 2 })).toEqual(['/a~1b', '/c~0d']);
  });
});

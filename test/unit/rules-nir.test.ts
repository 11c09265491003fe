import { describe, expect, it } from 'vitest';
import { cleNir } from '../../src/domain/cerfa/rules/nir.js';
import { all, expectCase, type Mutation, type RuleCase } from './helpers/cerfa-domain.js';

/** Independent key computation (BigInt) to cross-check the rule's digit-by-digit one. */
function avecCle(corps: string): string {
  const chiffres = corps.replace('2A', '19').replace('2B', '18');
  const cle = 97n - (BigInt(chiffres) % 97n);
  return `${corps}${String(cle).padStart(2, '0')}`;
}

const nir = (value: string | undefined): Mutation => (c) => {
  if (value === undefined) delete c.apprenti.nir;
  else c.apprenti.nir = value;
};
const departement = (value: string): Mutation => (c) => { c.apprenti.departementNaissance = value; };

describe('rules — NIR (N1–N5)', () => {
  it('computes the key like the INSEE rule', () => {
    expect(cleNir('1060575056123')).toBe(79);
    expect(avecCle('1060575056123')).toBe('106057505612379');
    // Corsica: 2A counts as 19, 2B as 18
    expect(cleNir('106052A056123')).toBe(Number(avecCle('106052A056123').slice(13)));
    expect(cleNir('106052B056123')).toBe(Number(avecCle('106052B056123').slice(13)));
    expect(cleNir('106052A056123')).not.toBe(cleNir('106052B056123'));
    expect(cleNir('12345')).toBeUndefined();
  });

  it.each<RuleCase>([
    { name: 'no NIR', mutate: nir(undefined) },
    { name: 'empty NIR', mutate: nir('') },
    { name: '13 characters, no key', mutate: nir('1060575056123') },
    { name: 'with spaces', mutate: nir('1 06 05 75 056 123 79') },
    { name: 'format', mutate: nir('10605750561'), erreurs: ['NIR_FORMAT_INVALIDE'], champ: '/cerfa/apprenti/nir' },
    { name: 'format: letters', mutate: nir('1060575O5612379'), erreurs: ['NIR_FORMAT_INVALIDE'] },
    // N1
    { name: 'N1 NIR of a man, declared woman', mutate: (c) => { c.apprenti.sexe = 'F'; }, erreurs: ['NIR_SEXE_INCOHERENT'],
      champ: '/cerfa/apprenti/nir' },
    { name: 'N1 NIR of a woman, declared man', mutate: nir(avecCle('2060575056123')), erreurs: ['NIR_SEXE_INCOHERENT'] },
    { name: 'N1 woman, consistent', mutate: all(nir(avecCle('2060575056123')), (c) => { c.apprenti.sexe = 'F'; }) },
    { name: 'N1 first digit 7 (temporary number)', mutate: nir(avecCle('7060575056123')), erreurs: ['NIR_SEXE_INCOHERENT'] },
    // N2 / N3
    { name: 'N2 birth year', mutate: nir(avecCle('1070575056123')), erreurs: ['NIR_ANNEE_NAISSANCE_INCOHERENTE'] },
    { name: 'N3 birth month', mutate: nir(avecCle('1060675056123')), erreurs: ['NIR_MOIS_NAISSANCE_INCOHERENT'] },
    { name: 'N3 month 13', mutate: nir(avecCle('1061375056123')), erreurs: ['NIR_MOIS_NAISSANCE_INCOHERENT'] },
    { name: 'N3 month 30 (unknown month, INSEE)', mutate: nir(avecCle('1063075056123')) },
    { name: 'N3 month 62 (provisional number)', mutate: nir(avecCle('1066275056123')) },
    // N4
    { name: 'N4 département', mutate: nir(avecCle('1060569056123')), erreurs: ['NIR_DEPARTEMENT_NAISSANCE_INCOHERENT'] },
    { name: 'N4 département padded to 3 characters', mutate: departement('075') },
    { name: 'N4 born abroad (099)', mutate: all(nir(avecCle('1060599056123')), departement('099')) },
    { name: 'N4 born abroad, NIR of a French département', mutate: departement('99'), erreurs: ['NIR_DEPARTEMENT_NAISSANCE_INCOHERENT'] },
    { name: 'N4 Corse-du-Sud', mutate: all(nir(avecCle('106052A056123')), departement('2A')) },
    { name: 'N4 Corse-du-Sud, NIR of Haute-Corse', mutate: all(nir(avecCle('106052B056123')), departement('2A')),
      erreurs: ['NIR_DEPARTEMENT_NAISSANCE_INCOHERENT'] },
    { name: 'N4 Corsica before the split (20)', mutate: all(nir(avecCle('1060520056123')), departement('2B')) },
    { name: 'N4 NIR of Haute-Corse, département declared 20', mutate: all(nir(avecCle('106052B056123')), departement('20')) },
    { name: 'N4 Guadeloupe', mutate: all(nir(avecCle('1060597105612')), departement('971')) },
    { name: 'N4 NIR of Guadeloupe, born in Martinique', mutate: all(nir(avecCle('1060597105612')), departement('972')),
      erreurs: ['NIR_DEPARTEMENT_NAISSANCE_INCOHERENT'] },
    { name: 'N4 no birth département', mutate: (c) => { delete c.apprenti.departementNaissance; } },
    // N5
    { name: 'N5 wrong key', mutate: nir('106057505612378'), erreurs: ['NIR_CLE_INVALIDE'], champ: '/cerfa/apprenti/nir' },
    { name: 'N5 Corsica key computed on 19', mutate: all(nir(`106052A056123${avecCle('1060519056123').slice(13)}`), departement('2A')) },
    { name: 'N5 Corsica key computed as if 2A were 20', mutate: all(nir(`106052A056123${avecCle('1060520056123').slice(13)}`), departement('2A')),
      erreurs: ['NIR_CLE_INVALIDE'] },
    { name: 'N5 lower-case Corsica letter', mutate: all(nir(avecCle('106052B056123').toLowerCase()), departement('2B')) },
  ])('$name', (c) => { expectCase(c); });

  it('reports every inconsistency of a NIR at once', () => {
    const outcome = expectCase({
      name: 'all wrong',
      mutate: all(nir('207127505612300'), (c) => { c.apprenti.departementNaissance = '13'; }),
      erreurs: ['NIR_SEXE_INCOHERENT', 'NIR_ANNEE_NAISSANCE_INCOHERENTE', 'NIR_MOIS_NAISSANCE_INCOHERENT',
        'NIR_DEPARTEMENT_NAISSANCE_INCOHERENT', 'NIR_CLE_INVALIDE'],
    });
    expect(outcome.erreurs.find((v) => v.code === 'NIR_CLE_INVALIDE')?.description)
      .toBe(`La clé du NIR est incorrecte (clé reçue : 00, clé attendue : ${avecCle('2071275056123').slice(13)}). [règle N5]`);
  });
});

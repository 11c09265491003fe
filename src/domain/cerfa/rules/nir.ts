/**
 * Consistency of the apprentice's NIR with the declared identity (reference §3.2, N1–N5).
 * The key is computed here on purpose (not shared with the format module) so this rule family
 * has no dependency on format validation.
 */
import { parts } from '../../dates.js';
import { CHAMP, type Findings, type RuleContext } from './context.js';

/** 13 characters (no key) or 15 (with key); positions 6–7 may be 2A/2B (Corsica). */
const NIR_FORMAT = /^[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?$/;
const ESPACES = /\s+/g;

/**
 * NIR key of the first 13 characters: 97 − (number mod 97), with 2A → 19 and 2B → 18.
 * Computed digit by digit so that no intermediate value exceeds a few thousand.
 * Returns undefined when the 13 characters are not a NIR body.
 */
export function cleNir(nir13: string): number | undefined {
  if (nir13.length !== 13) return undefined;
  const corse = nir13.slice(5, 7);
  const corps = corse === '2A' ? `${nir13.slice(0, 5)}19${nir13.slice(7)}`
    : corse === '2B' ? `${nir13.slice(0, 5)}18${nir13.slice(7)}`
      : nir13;
  let reste = 0;
  for (let i = 0; i < corps.length; i += 1) {
    const chiffre = corps.charCodeAt(i) - 48;
    if (chiffre < 0 || chiffre > 9) return undefined;
    reste = (reste * 10 + chiffre) % 97;
  }
  return 97 - reste;
}

export function checkNir(ctx: RuleContext, out: Findings): void {
  const { apprenti } = ctx.cerfa;
  if (typeof apprenti.nir !== 'string' || apprenti.nir.trim() === '') return;
  const nir = apprenti.nir.replace(ESPACES, '').toUpperCase();
  if (!NIR_FORMAT.test(nir)) {
    out.add('NIR_FORMAT_INVALIDE', CHAMP.apprentiNir,
      `Le NIR doit comporter 13 caractères, ou 15 avec la clé (chiffres, 2A/2B pour la Corse) : « ${apprenti.nir} ».`);
    return;
  }

  const sexe = nir[0];
  if ((sexe !== '1' && sexe !== '2') || (sexe === '1') !== (apprenti.sexe === 'M')) {
    out.add('NIR_SEXE_INCOHERENT', CHAMP.apprentiNir,
      `Le premier chiffre du NIR doit être 1 pour un homme et 2 pour une femme (NIR : ${sexe}, sexe déclaré : ${apprenti.sexe}).`);
  }

  if (ctx.naissance) {
    const { year, month } = parts(ctx.naissance);
    const annee = String(year % 100).padStart(2, '0');
    if (nir.slice(1, 3) !== annee) {
      out.add('NIR_ANNEE_NAISSANCE_INCOHERENTE', CHAMP.apprentiNir,
        `Les chiffres 2 et 3 du NIR doivent être l'année de naissance (NIR : ${nir.slice(1, 3)}, année de naissance : ${year}).`);
    }
    const moisNir = Number(nir.slice(3, 5));
    // INSEE uses 20–42 and 50–99 when the birth month is unknown: those cannot be compared.
    const moisInconnu = (moisNir >= 20 && moisNir <= 42) || moisNir >= 50;
    if (moisNir !== month && !moisInconnu) {
      out.add('NIR_MOIS_NAISSANCE_INCOHERENT', CHAMP.apprentiNir,
        `Les chiffres 4 et 5 du NIR doivent être le mois de naissance (NIR : ${nir.slice(3, 5)}, mois de naissance : ${String(month).padStart(2, '0')}).`);
    }
  }

  const departement = normalizeDepartement(apprenti.departementNaissance);
  if (departement !== undefined && !departementConcorde(nir, departement)) {
    out.add('NIR_DEPARTEMENT_NAISSANCE_INCOHERENT', CHAMP.apprentiNir,
      `Les chiffres 6 et 7 du NIR doivent être le département de naissance (NIR : ${nir.slice(5, departement.length === 3 ? 8 : 7)}, ` +
      `département de naissance : ${apprenti.departementNaissance}).`);
  }

  if (nir.length === 15) {
    const attendue = cleNir(nir.slice(0, 13));
    const cle = Number(nir.slice(13));
    if (attendue !== cle) {
      out.add('NIR_CLE_INVALIDE', CHAMP.apprentiNir,
        `La clé du NIR est incorrecte (clé reçue : ${nir.slice(13)}, clé attendue : ${String(attendue).padStart(2, '0')}).`);
    }
  }
}

/** "095" → "95", "02A" → "2A", "099" → "99" (AGECAP pads to 3 characters). */
function normalizeDepartement(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const dep = value.trim().toUpperCase();
  if (dep === '') return undefined;
  return dep.length === 3 && dep.startsWith('0') ? dep.slice(1) : dep;
}

function departementConcorde(nir: string, departement: string): boolean {
  if (departement.length === 3) return nir.slice(5, 8) === departement; // overseas: 971, 976, 98x
  const code = nir.slice(5, 7);
  if (code === departement) return true;
  // Corsica was one département ("20") until 1976: "20" on either side matches 2A or 2B.
  return (code === '20' || departement === '20') && estCorse(code) && estCorse(departement);
}

function estCorse(departement: string): boolean {
  return departement === '20' || departement === '2A' || departement === '2B';
}

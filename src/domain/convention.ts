/**
 * Conventions de formation (norme §5.2): what the schema cannot say. The accented cost name some
 * ERPs send is renamed to the norm's; amounts go to the cent and end dates do not precede start
 * dates. Pure: the service decides what to do with the findings.
 */
import { eurosToCents } from './financing/index.js';
import { calendarDateOf } from './formats.js';
import type { Violation } from './violation.js';

/** The members of a schema-valid convention that the rules read; the rest is kept as sent. */
export type Convention = {
  numeroInterneDossier: string;
  employeur: { siret: string };
  organismeFormation: { siret: string };
  contrat: { dateDebutContrat: string; dateFinContrat: string };
  formation: { dateDebutFormation: string; dateFinFormation: string };
  couts: { [key: string]: unknown };
  [key: string]: unknown;
};

const MOBILITE = 'mentionMobiliteInternationale';
const MOBILITE_ACCENTUEE = 'mentionMobilitéInternationale';

/**
 * Renames the accented `couts.mentionMobilitéInternationale` (sent by some ERPs, in NFC or NFD)
 * to the norm's ASCII name; when both are sent, the ASCII one wins. The same object comes back
 * when there was nothing to rename.
 */
export function normalizeConvention<T extends Convention>(convention: T): T {
  const keys = Object.keys(convention.couts);
  if (!keys.some((key) => key !== MOBILITE && key.normalize('NFC') === MOBILITE_ACCENTUEE)) return convention;
  const couts: { [key: string]: unknown } = {};
  let accentuee: unknown;
  for (const [key, value] of Object.entries(convention.couts)) {
    if (key.normalize('NFC') === MOBILITE_ACCENTUEE) accentuee = value;
    else couts[key] = value;
  }
  if (accentuee !== undefined && !(MOBILITE in couts)) couts[MOBILITE] = accentuee;
  return { ...convention, couts };
}

const MONTANTS = ['coutTotalPedagogieCFA', 'montantRQTHAnnee1', 'montantRQTHAnnee2', 'montantRQTHAnnee3', 'montantRQTHAnnee4', 'montantPremierEquipement'];

/** Amounts to the cent, end dates not before start dates; `root` is where the convention sits in the request. */
export function conventionIncoherences(convention: Convention, root: string): Violation[] {
  const out: Violation[] = [];
  for (const name of MONTANTS) {
    const value = convention.couts[name];
    if (typeof value !== 'number') continue;
    try {
      eurosToCents(value);
    } catch {
      out.push({ code: 'MONTANT_INVALIDE', description: `Le champ couts.${name} doit être un montant en euros avec 2 décimales au plus.`, champ: `${root}/couts/${name}`, section: 'convention' });
    }
  }
  const pairs = [
    ['contrat', convention.contrat.dateDebutContrat, convention.contrat.dateFinContrat, 'dateDebutContrat', 'dateFinContrat'],
    ['formation', convention.formation.dateDebutFormation, convention.formation.dateFinFormation, 'dateDebutFormation', 'dateFinFormation'],
  ] as const;
  for (const [block, debutValue, finValue, debut, fin] of pairs) {
    const from = calendarDateOf(debutValue);
    const to = calendarDateOf(finValue);
    if (to < from) {
      out.push({ code: 'DATES_INCOHERENTES', description: `Le champ ${block}.${fin} (${to}) précède ${block}.${debut} (${from}).`, champ: `${root}/${block}/${fin}`, section: 'convention' });
    }
  }
  return out;
}

/**
 * A pay simulation's input (POST /v2/simulations/remuneration) beyond its schema: real calendar
 * dates, their order, the duration, the SMC to the cent.
 */
import { addDays, addMonths, isIsoDate } from '../dates.js';
import { eurosToCents } from '../financing/index.js';
import type { Violation } from '../violation.js';

export interface SimulationRequest {
  dateNaissance: string;
  dateDebutContrat: string;
  dateFinContrat: string;
  dateConclusion?: string | null;
  smc?: number | null;
  departementEmployeur?: string | null;
  tauxDerniereAnneeContratPrecedent?: number | null;
}

/** Longest contract simulated: 4 years and 6 months. */
const DUREE_MAX_MOIS = 54;

const violation = (champ: string, code: string, description: string): Violation => ({ code, description, champ: `/${champ}`, section: 'requete' });

/** What the schema cannot say: real calendar dates, their order, the duration, SMC to the cent. */
export function simulationIncoherences(request: SimulationRequest): Violation[] {
  const out: Violation[] = [];
  const dates = ['dateNaissance', 'dateDebutContrat', 'dateFinContrat', 'dateConclusion'] as const;
  for (const name of dates) {
    const value = request[name];
    if (typeof value === 'string' && value !== '' && !isIsoDate(value)) out.push(violation(name, 'DATE_INVALIDE', `Le champ ${name} n'est pas une date du calendrier (${value}).`));
    else if (typeof value === 'string' && (value < '1900-01-01' || value > '2199-12-31')) out.push(violation(name, 'DATE_INVALIDE', `Le champ ${name} doit être compris entre 1900 et 2199.`));
  }
  if (out.length) return out;
  const { dateNaissance: naissance, dateDebutContrat: debut, dateFinContrat: fin } = request;
  if (naissance >= debut) out.push(violation('dateNaissance', 'DATES_INCOHERENTES', 'La date de naissance doit précéder le début du contrat.'));
  if (fin <= debut) {
    out.push(violation('dateFinContrat', 'DATES_INCOHERENTES', 'La date de fin du contrat doit être postérieure à sa date de début.'));
  } else if (fin > addDays(addMonths(debut, DUREE_MAX_MOIS), -1)) {
    out.push(violation('dateFinContrat', 'DUREE_CONTRAT_EXCESSIVE', 'Le contrat simulé doit durer 4 ans et 6 mois au plus.'));
  }
  if (typeof request.smc === 'number') {
    try {
      eurosToCents(request.smc);
    } catch {
      out.push(violation('smc', 'MONTANT_INVALIDE', 'Le champ smc doit être un montant en euros avec 2 décimales au plus.'));
    }
  }
  return out;
}

/**
 * The legal minimum pay of an apprentice, period by period, computed by `computeRemunerationPeriods`
 * — the same function the business rule R1 checks transmitted CERFAs with.
 */
import { eurosToCents } from '../domain/financing/index.js';
import { refuse } from '../domain/refusal.js';
import { computeRemunerationPeriods, type RemunerationPeriod } from '../domain/remuneration/periodes.js';
import { simulationIncoherences, type SimulationRequest } from '../domain/remuneration/simulation.js';

export type { SimulationRequest };

/** The periods of a schema-valid request; a refusal (400) listing every incoherence. */
export function simulateRemuneration(request: SimulationRequest): RemunerationPeriod[] {
  const incoherences = simulationIncoherences(request);
  if (incoherences.length) throw refuse.invalid(incoherences);
  return computeRemunerationPeriods({
    dateNaissance: request.dateNaissance,
    dateDebutContrat: request.dateDebutContrat,
    dateFinContrat: request.dateFinContrat,
    dateConclusion: request.dateConclusion || request.dateDebutContrat,
    smcMensuelCents: typeof request.smc === 'number' ? eurosToCents(request.smc) : undefined,
    departementEmployeur: request.departementEmployeur || undefined,
    tauxDernierAnneeContratPrecedent: request.tauxDerniereAnneeContratPrecedent ?? undefined,
  });
}

/**
 * POST /v2/simulations/remuneration: the legal minimum pay of an apprentice, period by period,
 * computed by `computeRemunerationPeriods` — the same function the business rule R1 checks
 * transmitted CERFAs with.
 */
import { Router } from 'express';
import { validateAgainst } from '../../domain/cerfa/schema-validation.js';
import { addDays, addMonths, isIsoDate } from '../../domain/dates.js';
import { centsToEuros, eurosToCents } from '../../domain/financing/index.js';
import { computeRemunerationPeriods } from '../../domain/remuneration/periodes.js';
import type { Violation } from '../../domain/violation.js';
import { errors } from '../errors.js';
import { requireJsonBody } from '../middleware/error-handler.js';
import { cfaOf } from '../context.js';

interface SimulationRequest {
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
function coherence(body: SimulationRequest): Violation[] {
  const out: Violation[] = [];
  const dates = ['dateNaissance', 'dateDebutContrat', 'dateFinContrat', 'dateConclusion'] as const;
  for (const name of dates) {
    const value = body[name];
    if (typeof value === 'string' && value !== '' && !isIsoDate(value)) out.push(violation(name, 'DATE_INVALIDE', `Le champ ${name} n'est pas une date du calendrier (${value}).`));
    else if (typeof value === 'string' && (value < '1900-01-01' || value > '2199-12-31')) out.push(violation(name, 'DATE_INVALIDE', `Le champ ${name} doit être compris entre 1900 et 2199.`));
  }
  if (out.length) return out;
  const { dateNaissance: naissance, dateDebutContrat: debut, dateFinContrat: fin } = body;
  if (naissance >= debut) out.push(violation('dateNaissance', 'DATES_INCOHERENTES', 'La date de naissance doit précéder le début du contrat.'));
  if (fin <= debut) {
    out.push(violation('dateFinContrat', 'DATES_INCOHERENTES', 'La date de fin du contrat doit être postérieure à sa date de début.'));
  } else if (fin > addDays(addMonths(debut, DUREE_MAX_MOIS), -1)) {
    out.push(violation('dateFinContrat', 'DUREE_CONTRAT_EXCESSIVE', 'Le contrat simulé doit durer 4 ans et 6 mois au plus.'));
  }
  if (typeof body.smc === 'number') {
    try {
      eurosToCents(body.smc);
    } catch {
      out.push(violation('smc', 'MONTANT_INVALIDE', 'Le champ smc doit être un montant en euros avec 2 décimales au plus.'));
    }
  }
  return out;
}

export function simulationRoutes(): Router {
  const router = Router();

  router.post('/simulations/remuneration', requireJsonBody, (req, res) => {
    cfaOf(req);
    if (req.baseUrl !== '/v2') throw errors.notFound(`Aucune route ne correspond à ${req.method} ${req.baseUrl}${req.path}.`, 'ROUTE_INCONNUE');
    const body: unknown = req.body;
    const violations = validateAgainst('simulation-remuneration.schema.json', body, '', () => 'requete');
    if (violations.length) throw errors.validation(violations);
    const request = body as SimulationRequest;
    const incoherences = coherence(request);
    if (incoherences.length) throw errors.validation(incoherences);

    const periodes = computeRemunerationPeriods({
      dateNaissance: request.dateNaissance,
      dateDebutContrat: request.dateDebutContrat,
      dateFinContrat: request.dateFinContrat,
      dateConclusion: request.dateConclusion || request.dateDebutContrat,
      smcMensuelCents: typeof request.smc === 'number' ? eurosToCents(request.smc) : undefined,
      departementEmployeur: request.departementEmployeur || undefined,
      tauxDernierAnneeContratPrecedent: request.tauxDerniereAnneeContratPrecedent ?? undefined,
    });
    res.json({
      periodes: periodes.map((p) => ({
        ordre: p.ordre,
        dateDebut: p.dateDebut,
        dateFin: p.dateFin,
        anneeContrat: p.anneeContrat,
        age: p.age,
        tauxMinimal: p.tauxMinimal,
        typeSalaire: p.typeSalaire,
        baseMensuelle: centsToEuros(p.baseMensuelleCents),
        salaireBrutMensuel: centsToEuros(p.salaireBrutMensuelCents),
      })),
    });
  });

  return router;
}

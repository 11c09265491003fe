/**
 * Scheduled jobs, for operators: list them with their last run, run one now. The same runs as the
 * schedule's (src/jobs), claimed in the database, logged and counted alike.
 */
import { refuse } from '../../domain/refusal.js';
import { jobStates, runJobOnDemand } from '../../jobs/scheduler.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

const tags = ['Back-office'];
const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

const EXECUTION = {
  type: 'object',
  required: ['tache', 'resultat', 'resume', 'debut', 'fin'],
  properties: {
    tache: { type: 'string' },
    resultat: { type: 'string', enum: ['success', 'failure'] },
    resume: { type: 'object', additionalProperties: { type: 'number' }, description: 'Ce que la tâche a fait (nombres par nature)' },
    debut: { type: 'string', format: 'date-time' },
    fin: { type: 'string', format: 'date-time' },
  },
};

const ETAT = {
  type: 'object',
  required: ['tache', 'planification', 'derniereExecution'],
  properties: {
    tache: { type: 'string' },
    planification: { type: 'string', description: 'Expression cron, heure de Paris' },
    derniereExecution: {
      oneOf: [{ type: 'null' }, {
        type: 'object',
        required: ['debut', 'fin', 'resultat', 'instance'],
        properties: {
          debut: { type: 'string', format: 'date-time' },
          fin: { type: ['string', 'null'], format: 'date-time' },
          resultat: { type: ['string', 'null'] },
          instance: { type: 'string' },
        },
      }],
    },
  },
};

export const JOB_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'listerTaches',
    method: 'get',
    path: '/back-office/v1/jobs',
    role: 'opco',
    tags,
    summary: 'Tâches planifiées, avec leur dernière exécution',
    responses: { 200: { description: 'Succès', schema: { type: 'object', required: ['taches'], properties: { taches: { type: 'array', items: ETAT } } } } },
    async handler(_input, { deps }) {
      const states = await jobStates(deps.db);
      return {
        taches: states.map((s) => ({
          tache: s.tache,
          planification: s.planification,
          derniereExecution: s.derniereExecution && { ...s.derniereExecution, debut: iso(s.derniereExecution.debut), fin: iso(s.derniereExecution.fin) },
        })),
      };
    },
  }),

  route({
    operationId: 'executerTache',
    method: 'post',
    path: '/back-office/v1/jobs/{name}',
    role: 'opco',
    tags,
    summary: 'Exécuter une tâche planifiée maintenant',
    description: 'La même exécution que celle du calendrier (journalisée, comptée), déclenchée à la demande : les tâches sont idempotentes.',
    pathParams: { name: { description: 'Nom de la tâche (GET /back-office/v1/jobs)', schema: { type: 'string', maxLength: 60 } } },
    responses: { 200: { description: 'Exécutée', schema: EXECUTION }, 404: { description: 'Tâche inconnue (TACHE_INCONNUE)' } },
    async handler({ path }, { deps }) {
      const report = await runJobOnDemand(deps, path.name);
      if (!report) throw refuse.notFound('TACHE_INCONNUE', `Aucune tâche ${path.name} : voir GET /back-office/v1/jobs.`);
      return { ...report, debut: report.debut.toISOString(), fin: report.fin.toISOString() };
    },
  }),
];

/**
 * Sandbox mode's own routes (docs/decisions/integration-sandbox.md), declared with `sandbox: true`:
 * outside SANDBOX=true they are neither registered nor documented. The shared clock: read it, move
 * it forward (the jobs that depend on today then run at the new time, and the simulated OPCO makes
 * a pass). CFA keys (the vendors' natural users) and back-office keys may call them.
 */
import { runClockedJobs } from '../../jobs/scheduler.js';
import { advanceClock, clockOf, runSandboxStep, type SandboxClock } from '../../services/sandbox.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

const tags = ['Sandbox'];

const HORLOGE_PROPERTIES = {
  maintenant: { type: 'string', format: 'date-time', description: 'Instant de la sandbox (instant réel + décalage)' },
  aujourdHui: { type: 'string', format: 'date', description: 'Jour de la sandbox, heure de Paris : celui des règles datées (échéances ouvertes, dossiers échus, dépôts)' },
  decalageJours: { type: 'integer', minimum: 0, description: 'Avance de l’horloge sandbox sur l’horloge réelle, en jours' },
};

const HORLOGE = { type: 'object', required: ['maintenant', 'aujourdHui', 'decalageJours'], properties: HORLOGE_PROPERTIES };

const HORLOGE_AVANCEE = {
  type: 'object',
  required: ['maintenant', 'aujourdHui', 'decalageJours', 'taches', 'simulateur'],
  properties: {
    ...HORLOGE_PROPERTIES,
    taches: {
      type: 'array',
      description: 'Les tâches datées exécutées à la nouvelle heure',
      items: {
        type: 'object',
        required: ['tache', 'resultat', 'resume'],
        properties: { tache: { type: 'string' }, resultat: { type: 'string', enum: ['success', 'failure'] }, resume: { type: 'object', additionalProperties: { type: 'number' } } },
      },
    },
    simulateur: {
      type: 'object',
      description: 'Ce que l’OPCO simulé a fait dans la passe qui suit',
      required: ['dossiers', 'factures', 'remboursements', 'echecs'],
      properties: { dossiers: { type: 'integer' }, factures: { type: 'integer' }, remboursements: { type: 'integer' }, echecs: { type: 'integer' } },
    },
  },
};

const clockView = (c: SandboxClock) => ({ maintenant: c.maintenant.toISOString(), aujourdHui: c.aujourdHui, decalageJours: c.decalageJours });

export const SANDBOX_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'lireHorlogeSandbox',
    method: 'get',
    path: '/sandbox/v1/horloge',
    role: ['cfa', 'opco'],
    sandbox: true,
    tags,
    summary: 'Horloge de la sandbox (mode sandbox seulement)',
    responses: { 200: { description: 'Succès', schema: HORLOGE } },
    async handler(_input, { deps }) {
      return clockView(await clockOf(deps.db, new Date()));
    },
  }),

  route({
    operationId: 'avancerHorlogeSandbox',
    method: 'post',
    path: '/sandbox/v1/horloge',
    role: ['cfa', 'opco'],
    sandbox: true,
    tags,
    summary: 'Avancer l’horloge de la sandbox de n jours (mode sandbox seulement)',
    description: 'L’horloge est partagée par toutes les instances et tous les CFA de la sandbox. Après l’avance, les tâches datées (dossiers échus) tournent à la nouvelle date et l’OPCO simulé fait une passe : les étapes en attente depuis SANDBOX_DELAY_SECONDS de temps sandbox avancent d’un pas. Les dépôts de factures, les facturations et les listes de pilotage lisent cette date.',
    body: { kind: 'json', schema: 'avance-horloge' },
    responses: { 200: { description: 'Horloge avancée', schema: HORLOGE_AVANCEE } },
    async handler({ body }, { deps }) {
      const clock = await advanceClock(deps.db, body.jours, new Date());
      const taches = await runClockedJobs(deps);
      const simulateur = await runSandboxStep(deps.db, deps.config, new Date());
      return { ...clockView(clock), taches: taches.map((t) => ({ tache: t.tache, resultat: t.resultat, resume: t.resume })), simulateur };
    },
  }),
];

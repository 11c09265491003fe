/**
 * POST /v2/simulations/remuneration: the legal minimum pay of an apprentice, period by period, the
 * same computation the business rule R1 checks transmitted CERFAs with. v2 only.
 */
import { centsToEuros } from '../../domain/financing/index.js';
import { simulateRemuneration } from '../../services/simulations.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

export const SIMULATION_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'simulerRemuneration',
    method: 'post',
    path: '/{version}/simulations/remuneration',
    versions: ['v2'],
    role: 'cfa',
    tags: ['Simulations'],
    summary: 'Rémunération minimale légale d’un apprenti, période par période',
    description: 'Le même calcul que la règle de contrôle des rémunérations des CERFA : grille D6222-26 selon l’année de contrat et l’âge (changement de tranche le 1er du mois suivant l’anniversaire), SMIC en vigueur au début de chaque période (SMIC de Mayotte pour le 976) ou SMC à partir de 21 ans s’il est plus élevé. Montants en euros.',
    body: { kind: 'json', schema: 'simulation-remuneration' },
    responses: {
      200: { description: 'Succès', schema: ref('ResultatSimulation') },
      400: { description: 'Entrée invalide : toutes les erreurs, avec `champ`' },
    },
    handler({ body }) {
      const periodes = simulateRemuneration(body);
      return {
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
      };
    },
  }),
];

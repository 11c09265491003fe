/**
 * The CFA's profile (`/v2/cfa/profil`): its own data, filled into every new proposal (Formation
 * tab). Choices: docs/decisions/presaisie.md, "CFA profile".
 */
import { readOwnProfile, saveProfile } from '../../services/cfa-profil.js';
import { cfaActor } from '../context.js';
import { profilView } from '../presenters/presaisie.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

const tags = ['Pré-saisie'];

export const CFA_PROFIL_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'lireProfilCfa',
    method: 'get',
    path: '/{version}/cfa/profil',
    versions: ['v2'],
    role: 'cfa',
    tags,
    summary: 'Profil du CFA (repris dans chaque nouvelle proposition de contrat)',
    responses: {
      200: { description: 'Succès', schema: ref('ProfilCfaEnregistre') },
      404: { description: 'Aucun profil enregistré pour ce CFA (PROFIL_INEXISTANT)' },
    },
    async handler(_input, { req, deps }) {
      return profilView(await readOwnProfile(deps.db, cfaActor(req)));
    },
  }),

  route({
    operationId: 'enregistrerProfilCfa',
    method: 'put',
    path: '/{version}/cfa/profil',
    versions: ['v2'],
    role: 'cfa',
    tags,
    summary: 'Enregistrer (remplacer) le profil du CFA',
    description: 'Le profil entier est remplacé. Le SIRET doit appartenir au SIREN de la clé (403 ORGANISME_FORMATION_NON_AUTORISE).',
    body: { kind: 'json', schema: 'cfa-profil' },
    responses: {
      200: { description: 'Profil enregistré', schema: ref('ProfilCfaEnregistre') },
      403: { description: 'SIRET hors du SIREN de la clé (ORGANISME_FORMATION_NON_AUTORISE), ou clé non habilitée' },
    },
    async handler({ body }, { req, deps }) {
      return profilView(await saveProfile(deps.db, cfaActor(req), body));
    },
  }),
];

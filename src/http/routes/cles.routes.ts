/**
 * Back-office key management on a running server (the CLI needs the embedded database to itself):
 * create, list and revoke CFA and employer (`entreprise`) keys. Role `opco` only.
 */
import { createKey, listKeys, revokeKey } from '../../services/cles.js';
import { opcoActor } from '../context.js';
import { createdKeyView, keyView } from '../presenters/cle.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

const tags = ['Back-office'];

export const CLE_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'creerCle',
    method: 'post',
    path: '/back-office/v1/cles',
    role: 'opco',
    tags,
    summary: 'Créer une clé CFA ou entreprise (serveur en marche)',
    description: 'Rôle `cfa` par défaut (SIREN, UAI facultatif) ; `"role": "entreprise"` : clé d’un utilisateur côté employeur (SIREN de l’entreprise et `courriel` obligatoires, préfixe `ent_`). Le courriel est une donnée personnelle : jamais journalisé.',
    body: { kind: 'json', schema: 'nouvelle-cle' },
    responses: { 201: { description: 'Clé créée : `cle` n’est affichée qu’une fois', schema: ref('CleCreee') } },
    async handler({ body }, { req, res, deps }) {
      const created = await createKey(deps.db, opcoActor(req), body);
      res.status(201).json(createdKeyView(created));
      return undefined;
    },
  }),

  route({
    operationId: 'listerCles',
    method: 'get',
    path: '/back-office/v1/cles',
    role: 'opco',
    tags,
    summary: 'Lister les clés (sans leur secret), avec leur rôle et, pour les clés entreprise, leur courriel',
    responses: { 200: { description: 'Succès', schema: { type: 'array', items: ref('Cle') } } },
    async handler(_input, { deps }) {
      return (await listKeys(deps.db)).map(keyView);
    },
  }),

  route({
    operationId: 'revoquerCle',
    method: 'delete',
    path: '/back-office/v1/cles/{id}',
    role: 'opco',
    tags,
    summary: 'Révoquer une clé',
    description: 'La clé est refusée dès la réponse, sur cette instance (son cache d’authentification est vidé) ; sur les autres, au plus tard après AUTH_CACHE_SECONDS.',
    pathParams: { id: { description: 'Identifiant de la clé', schema: { type: 'string' } } },
    responses: { 204: { description: 'Révoquée' }, 404: { description: 'Clé inconnue ou déjà révoquée (CLE_INTROUVABLE)' } },
    async handler({ path }, { req, res, deps }) {
      await revokeKey(deps.db, opcoActor(req), path.id, (id) => deps.keys.forget(id));
      res.status(204).end();
      return undefined;
    },
  }),
];

/**
 * The OpenAPI 3.1 contract of the gateway, written as data. `npm run contract` writes it to
 * contracts/openapi.json and regenerates the TypeScript types (src/http/generated/openapi.ts); a
 * test fails when either is stale. Payload schemas are not repeated here: they are the JSON
 * Schemas of schemas/, referenced by file.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const ref = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
const file = (name: string): Obj => ({ $ref: `../schemas/${name}.schema.json` });
const json = (schema: Obj, description = 'Succès'): Obj => ({ description, content: { 'application/json': { schema } } });
const errorResponse = (description: string): Obj => json(ref('Erreurs'), description);
const query = (name: string, description: string, schema: Obj, required = false): Obj => ({ name, in: 'query', required, description, schema });

const STANDARD_ERRORS: Obj = {
  '400': errorResponse('Requête invalide : toutes les erreurs sont listées'),
  '401': errorResponse('Jeton Bearer invalide ou expiré (ou absent quand il est obligatoire)'),
  '403': errorResponse('Clé X-API-KEY absente, inconnue, révoquée, expirée ou non habilitée'),
  '429': errorResponse('Trop de requêtes : réessayer après Retry-After secondes'),
  '500': errorResponse('Erreur interne : communiquer `instance` au support'),
};

const cfaSecurity: Json = [{ cleApi: [] }, { cleApi: [], jetonEditeur: [] }];
const opcoSecurity: Json = [{ cleApi: [] }];
const editorHeaders: Json = [
  { $ref: '#/components/parameters/Editeur' },
  { $ref: '#/components/parameters/Logiciel' },
  { $ref: '#/components/parameters/Version' },
];

function dossierPaths(version: 'v1' | 'v2'): Obj {
  const tag = [`Dossiers ${version}`];
  const paths: Obj = {
    [`/${version}/dossiers`]: {
      post: {
        tags: tag,
        summary: 'Transmettre un contrat d’apprentissage (CERFA FA13)',
        description: 'Valide le CERFA (schéma, formats, règles métier) et l’enregistre à l’état TRANSMIS, origine API_CFA (« Transmis par API CFA »). Un renvoi identique (même contenu, même CFA) rend le dossier existant avec `Idempotent-Replayed: true`.',
        operationId: `transmettreDossier${version.toUpperCase()}`,
        security: cfaSecurity,
        parameters: [...(editorHeaders as Json[]), { $ref: '#/components/parameters/IdempotencyKey' }],
        requestBody: { required: true, content: { 'application/json': { schema: file('dossier-request') } } },
        responses: {
          '200': json(ref('DossierCree'), 'Dossier enregistré (ou renvoi d’un dossier déjà enregistré)'),
          ...STANDARD_ERRORS,
          '400': errorResponse('CERFA invalide : toutes les erreurs, avec `champ` (pointeur JSON), `section` et `erreursParSection`'),
          '403': errorResponse('Clé refusée, ou SIRET de l’organisme de formation hors du SIREN de la clé'),
          '409': errorResponse('Contrat déjà transmis pour cet apprenti, cet employeur et cette date de début (`numeroInterne` du dossier existant), ou Idempotency-Key encore en cours'),
          '413': errorResponse('Corps trop volumineux'),
          '415': errorResponse('Le corps doit être du JSON'),
          '422': errorResponse('Idempotency-Key déjà utilisée pour un autre corps'),
        },
      },
      get: {
        tags: tag,
        summary: 'Lire un dossier (CERFA tel qu’enregistré, engagement, échéancier, frais)',
        operationId: `lireDossier${version.toUpperCase()}`,
        security: cfaSecurity,
        parameters: [query('numeroInterne', 'Numéro interne rendu à la transmission', { type: 'string' }, true)],
        responses: {
          '200': json(ref('Dossier')),
          '304': { description: 'Non modifié (If-None-Match)' },
          ...STANDARD_ERRORS,
          '404': errorResponse('Dossier inconnu pour ce CFA'),
        },
      },
    },
    [`/${version}/dossiers/etats`]: {
      get: {
        tags: tag,
        summary: 'États des dossiers du CFA (pages, ou flux incrémental avec `depuis`)',
        description: version === 'v1'
          ? 'Rend un tableau nu d’éléments (forme v1).'
          : 'Sans `depuis` : pages numérotées à partir de 1, ordre d’arrivée stable. Avec `depuis=<curseur>` (0 pour tout relire) : les dossiers modifiés après le curseur, dans l’ordre des modifications, et `curseurSuivant` à passer à l’appel suivant.',
        operationId: `etatsDossiers${version.toUpperCase()}`,
        security: cfaSecurity,
        parameters: [
          query('numeroPage', 'Page (1 pour la première)', { type: 'integer', minimum: 1, default: 1 }),
          query('taillePage', 'Éléments par page', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
          query('etat', 'Filtre sur l’état', ref('EtatDossierCode')),
          query('origine', 'Filtre sur l’origine', { type: 'string', enum: ['API_CFA', 'SAISIE_OPCO'] }),
          query('depuis', 'Curseur du flux incrémental (extension de la norme) : 0, puis la valeur de curseurSuivant', { type: 'string', pattern: '^(0|[0-9]+\\.[0-9]+)$' }),
        ],
        responses: {
          '200': json(version === 'v1' ? { type: 'array', items: ref('EtatDossier') } : { oneOf: [ref('PageEtatsDossiers'), ref('FluxEtatsDossiers')] }),
          '304': { description: 'Non modifié (If-None-Match)' },
          ...STANDARD_ERRORS,
        },
      },
    },
    [`/${version}/dossiers/historique`]: {
      get: {
        tags: tag,
        summary: 'Étapes franchies par un dossier (extension de la norme)',
        operationId: `historiqueDossier${version.toUpperCase()}`,
        security: cfaSecurity,
        parameters: [query('numeroInterne', 'Numéro interne du dossier', { type: 'string' }, true)],
        responses: { '200': json(ref('Historique')), ...STANDARD_ERRORS, '404': errorResponse('Dossier inconnu pour ce CFA') },
      },
    },
  };
  if (version === 'v1') {
    paths['/v1/dossiers/liste'] = {
      get: {
        tags: tag,
        summary: 'Lire plusieurs dossiers',
        operationId: 'listeDossiersV1',
        security: cfaSecurity,
        parameters: [query('numerosInternes', 'Numéros internes séparés par des virgules (100 au plus)', { type: 'string' }, true)],
        responses: { '200': json({ type: 'array', items: ref('Dossier') }), ...STANDARD_ERRORS },
      },
    };
  }
  return paths;
}

const numeroParam: Json = [{ name: 'numeroInterne', in: 'path', required: true, schema: { type: 'string' } }];

function backOfficeDossierPaths(): Obj {
  const tags = ['Back-office'];
  const dossierAnswer = json({ type: 'object', description: 'Résumé du dossier (numéros, CFA, état, employeur, apprenti) et vue complète (cerfa, engagement, échéances…)' });
  return {
    '/back-office/v1/dossiers': {
      get: {
        tags, summary: 'Rechercher les dossiers de tous les CFA', operationId: 'rechercherDossiers', security: opcoSecurity,
        parameters: [
          query('etat', 'Filtre sur l’état', ref('EtatDossierCode')),
          query('siren', 'SIREN du CFA', { type: 'string', pattern: '^[0-9]{9}$' }),
          query('recuDepuis', 'Reçus à partir de cette date', { type: 'string', format: 'date' }),
          query('recuJusquAu', 'Reçus jusqu’à cette date incluse', { type: 'string', format: 'date' }),
          query('q', 'Texte : numéro interne, externe ou DECA, SIRET employeur, nom de l’apprenti, dénomination de l’employeur', { type: 'string' }),
          query('numeroPage', 'Page', { type: 'integer', minimum: 1, default: 1 }),
          query('taillePage', 'Taille de page', { type: 'integer', minimum: 1, maximum: 500, default: 50 }),
        ],
        responses: { '200': json({ type: 'object', required: ['total', 'count', 'page', 'dossiers'], properties: { total: { type: 'integer' }, count: { type: 'integer' }, page: { type: 'integer' }, dossiers: { type: 'array', items: { type: 'object' } } } }), ...STANDARD_ERRORS },
      },
    },
    '/back-office/v1/dossiers/{numeroInterne}': {
      get: { tags, summary: 'Lire un dossier avec son historique complet', operationId: 'lireDossierBackOffice', security: opcoSecurity, parameters: numeroParam, responses: { '200': dossierAnswer, ...STANDARD_ERRORS, '404': errorResponse('Dossier inconnu') } },
    },
    '/back-office/v1/dossiers/{numeroInterne}/transitions': {
      post: {
        tags, summary: 'Faire passer un dossier dans un autre état', operationId: 'transitionDossier', security: opcoSecurity, parameters: numeroParam,
        description: 'TRANSMIS → EN_COURS_INSTRUCTION ; EN_COURS_INSTRUCTION → ENGAGE (calcule l’engagement et l’échéancier) ou REFUSE (motif) ; TRANSMIS/EN_COURS_INSTRUCTION/ENGAGE → ANNULE (motif) ; ENGAGE → RUPTURE (dateRupture ; recalcul) ; ENGAGE/RUPTURE → SOLDE.',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['vers'], properties: { vers: ref('EtatDossierCode'), commentaire: { type: 'string', maxLength: 2000 }, dateRupture: { type: 'string', format: 'date' } } } } } },
        responses: { '200': dossierAnswer, ...STANDARD_ERRORS, '404': errorResponse('Dossier inconnu'), '409': errorResponse('Transition interdite : `transitionsPossibles` liste les états permis'), '422': errorResponse('Engagement impossible (ex. régime de financement non supporté)') },
      },
    },
    '/back-office/v1/dossiers/{numeroInterne}/mise-en-conformite': {
      post: {
        tags, summary: 'Demander une mise en conformité (dossier en cours d’instruction)', operationId: 'demanderMiseEnConformite', security: opcoSecurity, parameters: numeroParam,
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['commentaire'], properties: { commentaire: { type: 'string' } } } } } },
        responses: { '200': dossierAnswer, ...STANDARD_ERRORS, '404': errorResponse('Dossier inconnu'), '409': errorResponse('Le dossier n’est pas en cours d’instruction') },
      },
      delete: { tags, summary: 'Lever la demande de mise en conformité', operationId: 'leverMiseEnConformite', security: opcoSecurity, parameters: numeroParam, responses: { '200': dossierAnswer, ...STANDARD_ERRORS, '404': errorResponse('Dossier inconnu'), '409': errorResponse('Aucune demande en attente') } },
    },
    '/back-office/v1/dossiers/{numeroInterne}/numero-deca': {
      put: {
        tags, summary: 'Enregistrer le numéro de dépôt DECA', operationId: 'numeroDeca', security: opcoSecurity, parameters: numeroParam,
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['numeroDeca'], properties: { numeroDeca: { type: 'string', minLength: 15, maxLength: 15 } } } } } },
        responses: { '200': dossierAnswer, ...STANDARD_ERRORS, '404': errorResponse('Dossier inconnu') },
      },
    },
    '/back-office/v1/dossiers/{numeroInterne}/npec': {
      get: {
        tags, summary: 'Quel NPEC s’applique au dossier, et pourquoi', operationId: 'npecDossier', security: opcoSecurity, parameters: numeroParam,
        responses: { '200': json({ type: 'object', required: ['npecAnnuel', 'source', 'explication'], properties: { npecAnnuel: { type: 'number' }, source: { type: 'string', enum: ['REFERENTIEL', 'IDCC_GENERIQUE', 'AMORCAGE'] }, dateEffet: { type: ['string', 'null'], format: 'date' }, explication: { type: 'string' } } }), ...STANDARD_ERRORS, '404': errorResponse('Dossier inconnu') },
      },
    },
    '/back-office/v1/npec': {
      post: {
        tags, summary: 'Importer des lignes du référentiel NPEC (CSV rncp,idcc,npec,date_effet)', operationId: 'importerNpec', security: opcoSecurity,
        requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
        responses: { '200': json({ type: 'object', required: ['lignesImportees'], properties: { lignesImportees: { type: 'integer' } } }), ...STANDARD_ERRORS },
      },
      get: {
        tags, summary: 'Lignes du référentiel NPEC pour un RNCP', operationId: 'listerNpec', security: opcoSecurity,
        parameters: [query('rncp', 'Code RNCP', { type: 'string' }, true)],
        responses: { '200': json({ type: 'array', items: { type: 'object' } }), ...STANDARD_ERRORS },
      },
    },
  };
}

const statusPath = (version: string): Obj => ({
  get: {
    tags: ['Système'],
    summary: 'Disponibilité de l’API (norme)',
    operationId: `status${version}`,
    responses: { '200': json(ref('Statut')), '503': json(ref('Statut'), 'Base de données indisponible') },
  },
});

/** Conventions and documents (norme §5.2, §5.5): multipart as in the norm, or JSON with the file in base64 (`_files`, Opcovia style). */
function uploadBody(part: string, schemaFile: string, base64Key: string): Obj {
  const fichier: Obj = { type: 'string', format: 'binary', description: 'Le fichier : PDF, JPEG ou PNG (type lu dans le contenu), FILE_SIZE_LIMIT au plus (10 Mo par défaut)' };
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: { type: 'object', required: [part, 'fichier'], properties: { [part]: file(schemaFile), fichier } },
        encoding: { [part]: { contentType: 'application/json' }, fichier: { contentType: 'application/pdf, image/jpeg, image/png' } },
      },
      'application/json': {
        schema: {
          allOf: [file(schemaFile), {
            type: 'object',
            required: ['_files'],
            properties: {
              _files: {
                type: 'object',
                required: [base64Key],
                properties: { [base64Key]: { type: 'string', contentEncoding: 'base64', description: 'Le fichier en base64 (le corps JSON reste limité par JSON_BODY_LIMIT)' } },
              },
            },
          }],
        },
      },
    },
  };
}

const UPLOAD_ERRORS: Obj = {
  '413': errorResponse('Fichier (FICHIER_TROP_VOLUMINEUX) ou partie JSON trop volumineux'),
  '415': errorResponse('Corps ni multipart/form-data ni JSON, ou fichier ni PDF, ni JPEG, ni PNG (TYPE_FICHIER_NON_SUPPORTE)'),
};

function uploadPaths(version: 'v1' | 'v2'): Obj {
  const tag = ['Conventions et documents'];
  const V = version.toUpperCase();
  return {
    [`/${version}/conventions`]: {
      post: {
        tags: tag,
        summary: 'Transmettre la convention de formation signée d’un dossier',
        description: 'Partie `convention` (JSON, norme §5.2) et partie `fichier` (la convention signée), ou JSON avec `_files.convention` en base64. Convention et fichier sont enregistrés ensemble ; le fichier devient un document CONVENTION_FORMATION du dossier. Les coûts de la dernière convention reçue servent au calcul de l’engagement. Un renvoi identique (même JSON, même fichier) rend les mêmes numéros avec `Idempotent-Replayed: true`.',
        operationId: `transmettreConvention${V}`,
        security: cfaSecurity,
        parameters: editorHeaders,
        requestBody: uploadBody('convention', 'convention', 'convention'),
        responses: {
          '200': json(ref('ConventionDeposee'), 'Convention enregistrée (ou renvoi d’une convention déjà enregistrée)'),
          ...STANDARD_ERRORS,
          '400': errorResponse('Partie manquante, JSON malformé ou convention invalide : toutes les erreurs, `champ` sous /convention'),
          '403': errorResponse('Clé refusée, ou SIRET de l’organisme de formation hors du SIREN de la clé'),
          '404': errorResponse('Dossier inconnu pour ce CFA (DOSSIER_INTROUVABLE)'),
          ...UPLOAD_ERRORS,
        },
      },
    },
    [`/${version}/documents`]: {
      post: {
        tags: tag,
        summary: 'Rattacher un document à des dossiers ou factures du CFA',
        description: 'Partie `infosFichier` (JSON, norme §5.5) et partie `fichier`, ou JSON avec `_files.document` en base64. Le même fichier (même SHA-256) ne peut être rattaché deux fois au même objet (409 avec `numeroInterneDocument`).',
        operationId: `deposerDocument${V}`,
        security: cfaSecurity,
        parameters: editorHeaders,
        requestBody: uploadBody('infosFichier', 'infos-fichier', 'document'),
        responses: {
          '200': json(ref('DocumentDepose'), 'Document enregistré'),
          ...STANDARD_ERRORS,
          '400': errorResponse('Partie manquante, JSON malformé ou infosFichier invalide : toutes les erreurs, `champ` sous /infosFichier'),
          '404': errorResponse('Objet inconnu pour ce CFA (OBJET_INTROUVABLE)'),
          '409': errorResponse('Fichier déjà déposé sur l’un des objets (DOCUMENT_DEJA_DEPOSE, `numeroInterneDocument` du document existant)'),
          ...UPLOAD_ERRORS,
        },
      },
      get: {
        tags: tag,
        summary: 'Documents du CFA rattachés à un objet (métadonnées)',
        operationId: `listerDocuments${V}`,
        security: cfaSecurity,
        parameters: [
          query('idObjet', 'numeroInterne du dossier ou numeroInterneFacture', { type: 'string', maxLength: 40 }, true),
          query('typeObjet', 'Type de l’objet', { type: 'string', enum: ['DOSSIER_APPRENTISSAGE', 'FACTURE'] }),
        ],
        responses: { '200': json(ref('ListeDocuments')), ...STANDARD_ERRORS },
      },
    },
  };
}

/** Invoices, certificates, payments, ruptures and refunds (norme §5.3, §5.4, §5.7, §5.8; docs/decisions/factures.md). */
function factureBody(): Obj {
  const fichier: Obj = { type: 'string', format: 'binary', description: 'La facture en PDF (type lu dans le contenu), FILE_SIZE_LIMIT au plus' };
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: { type: 'object', required: ['facture', 'fichier'], properties: { facture: file('facture'), fichier } },
        encoding: { facture: { contentType: 'application/json' }, fichier: { contentType: 'application/pdf' } },
      },
      'application/json': {
        schema: {
          type: 'object',
          required: ['facture', '_files'],
          properties: {
            facture: file('facture'),
            _files: { type: 'object', required: ['facture'], properties: { facture: { type: 'string', contentEncoding: 'base64', description: 'Le PDF en base64 (le corps JSON reste limité par JSON_BODY_LIMIT)' } } },
          },
        },
      },
    },
  };
}

function facturePaths(version: 'v1' | 'v2'): Obj {
  const tags = ['Factures et règlements'];
  const V = version.toUpperCase();
  const paths: Obj = {
    [`/${version}/factures`]: {
      post: {
        tags,
        summary: 'Transmettre une facture (contrôlée contre l’échéancier de chaque dossier)',
        description: 'Partie `facture` (JSON, norme §5.3) et partie `fichier` (PDF), ou JSON `{"facture": {…}, "_files": {"facture": "<base64>"}}`. Chaque ligne (dossier × échéance × nature) est contrôlée : dossier ENGAGE ou RUPTURE du CFA, échéance existante, ouverte à `dateEmission`, non annulée, montant ≤ montantTotal − montantRegle − montantEnCoursInstruction, pas d’autre facture en cours sur la même échéance et nature, nature engagée (frais annexes : enveloppes, 3 €/repas, 6 €/nuitée), certificat de réalisation pour les échéances qui l’exigent, solde reçu au plus tard à `dateLimiteFacturation` ; `montantTotal` = Σ lignes ; `numero` unique pour le CFA. Toutes les erreurs sont listées (`champ` : /facture/lignes/2/montant…). Les montants passent « en cours d’instruction ». Avec `numeroInterneFactureCorrigee`, répond à une demande de mise en conformité : la facture garde son numéro, son contenu est remplacé et elle repasse à TRANSMIS.',
        operationId: `transmettreFacture${V}`,
        security: cfaSecurity,
        parameters: editorHeaders,
        requestBody: factureBody(),
        responses: {
          '200': json(ref('FactureDeposee'), 'Facture enregistrée (ou corrigée)'),
          ...STANDARD_ERRORS,
          '400': errorResponse('Partie manquante, JSON malformé, facture invalide ou refusée par les contrôles : toutes les erreurs, `champ` sous /facture'),
          '403': errorResponse('Clé refusée, ou siretEmetteur hors du SIREN de la clé'),
          '413': errorResponse('Fichier ou partie JSON trop volumineux'),
          '415': errorResponse('Corps ni multipart/form-data ni JSON, ou fichier qui n’est pas un PDF'),
        },
      },
      get: {
        tags,
        summary: 'Lire une facture du CFA : lignes, montants réglés, historique (extension de la norme)',
        operationId: `lireFacture${V}`,
        security: cfaSecurity,
        parameters: [query('numeroInterneFacture', 'Numéro rendu à la transmission', { type: 'string' }, true)],
        responses: { '200': json(ref('FactureDetail')), '304': { description: 'Non modifié (If-None-Match)' }, ...STANDARD_ERRORS, '404': errorResponse('Facture inconnue pour ce CFA') },
      },
    },
    [`/${version}/factures/etats`]: {
      get: {
        tags,
        summary: 'États des factures du CFA et leurs règlements (norme §5.7 ; flux incrémental avec `depuis`)',
        description: 'Sans `depuis` : pages numérotées à partir de 1, ordre d’arrivée stable. Avec `depuis=<curseur>` (0 pour tout relire) : les factures modifiées après le curseur, dans l’ordre des modifications. `referenceVirement` et `dateReglement` sont ceux du dernier règlement.',
        operationId: `etatsFactures${V}`,
        security: cfaSecurity,
        parameters: [
          query('numeroPage', 'Page (1 pour la première)', { type: 'integer', minimum: 1, default: 1 }),
          query('taillePage', 'Éléments par page', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
          query('etat', 'Filtre sur l’état', ref('EtatFactureCode')),
          query('depuis', 'Curseur du flux incrémental (extension de la norme) : 0, puis la valeur de curseurSuivant', { type: 'string', pattern: '^(0|[0-9]+\\.[0-9]+)$' }),
        ],
        responses: { '200': json({ oneOf: [ref('PageEtatsFactures'), ref('FluxEtatsFactures')] }), '304': { description: 'Non modifié (If-None-Match)' }, ...STANDARD_ERRORS },
      },
    },
  };
  if (version === 'v2') {
    paths['/v2/certificats'] = {
      post: {
        tags,
        summary: 'Transmettre un certificat de réalisation (norme §5.4)',
        description: 'JSON ; fichier facultatif en base64 dans `_files.certificat`. Rattaché à un dossier du CFA, une échéance et, si donnée, une facture portant sur ce dossier. Il ouvre la facturation des échéances qui exigent un certificat ; rattaché à une facture en attente de mise en conformité, il vaut réponse du CFA (la facture repasse à TRANSMIS).',
        operationId: 'transmettreCertificat',
        security: cfaSecurity,
        parameters: editorHeaders,
        requestBody: { required: true, content: { 'application/json': { schema: file('certificat') } } },
        responses: {
          '200': json(ref('CertificatDepose')),
          ...STANDARD_ERRORS,
          '403': errorResponse('SIRET de l’organisme de formation hors du SIREN de la clé'),
          '404': errorResponse('Dossier inconnu pour ce CFA'),
          '415': errorResponse('Fichier ni PDF, ni JPEG, ni PNG'),
        },
      },
    };
    paths['/v2/reglements'] = {
      get: {
        tags,
        summary: 'Règlements reçus par le CFA, avec les factures et dossiers réglés (extension de la norme)',
        operationId: 'reglementsCfa',
        security: cfaSecurity,
        parameters: [query('numeroPage', 'Page', { type: 'integer', minimum: 1, default: 1 }), query('taillePage', 'Éléments par page', { type: 'integer', minimum: 1, maximum: 1000, default: 100 })],
        responses: { '200': json(ref('PageReglements')), '304': { description: 'Non modifié (If-None-Match)' }, ...STANDARD_ERRORS },
      },
    };
    paths['/v2/dossiers/rupture/employeur'] = {
      post: {
        tags,
        summary: 'Déclarer la rupture anticipée d’un contrat (forme de la passerelle, norme §5.8)',
        description: 'Le dossier (ENGAGE) passe à RUPTURE par la même transition que le back-office : échéancier recalculé (échéance partielle, échéances suivantes annulées) ; un trop-perçu devient un remboursement à régulariser.',
        operationId: 'declarerRupture',
        security: cfaSecurity,
        parameters: editorHeaders,
        requestBody: { required: true, content: { 'application/json': { schema: file('rupture') } } },
        responses: {
          '200': json(ref('RuptureDeclaree')),
          ...STANDARD_ERRORS,
          '404': errorResponse('Dossier inconnu pour ce CFA'),
          '409': errorResponse('Le dossier n’est pas engagé (ou déjà rompu)'),
          '422': errorResponse('Date de rupture hors du contrat (RUPTURE_HORS_CONTRAT)'),
        },
      },
    };
    paths['/v2/remboursements'] = {
      get: {
        tags,
        summary: 'Remboursements (trop-perçus) du CFA',
        operationId: 'remboursementsCfa',
        security: cfaSecurity,
        parameters: [
          query('etat', 'Filtre sur l’état', { type: 'string', enum: ['A_REGULARISER', 'DECLARE', 'RECU'] }),
          query('numeroPage', 'Page', { type: 'integer', minimum: 1, default: 1 }),
          query('taillePage', 'Éléments par page', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
        ],
        responses: { '200': json(ref('PageRemboursements')), '304': { description: 'Non modifié (If-None-Match)' }, ...STANDARD_ERRORS },
      },
    };
    paths['/v2/remboursements/{idRemboursement}/declaration'] = {
      post: {
        tags,
        summary: 'Déclarer comment le CFA régularise un trop-perçu (virement ou avoir)',
        operationId: 'declarerRemboursement',
        security: cfaSecurity,
        parameters: [{ name: 'idRemboursement', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['mode'], properties: { mode: { type: 'string', enum: ['VIREMENT', 'AVOIR_DEDUCTION'] }, referenceAvoir: { type: 'string', maxLength: 100, description: 'Obligatoire pour AVOIR_DEDUCTION' } } } } } },
        responses: { '200': json(ref('Remboursement')), ...STANDARD_ERRORS, '404': errorResponse('Remboursement inconnu pour ce CFA'), '409': errorResponse('Remboursement déjà reçu par l’OPCO') },
      },
    };
  }
  return paths;
}

function backOfficeFacturePaths(): Obj {
  const tags = ['Back-office'];
  const numero: Json = [{ name: 'numeroInterneFacture', in: 'path', required: true, schema: { type: 'string' } }];
  const page = (max: number): Json[] => [query('numeroPage', 'Page', { type: 'integer', minimum: 1, default: 1 }), query('taillePage', 'Taille de page', { type: 'integer', minimum: 1, maximum: max, default: 50 })];
  return {
    '/back-office/v1/factures': {
      get: {
        tags, summary: 'Rechercher les factures de tous les CFA', operationId: 'rechercherFactures', security: opcoSecurity,
        parameters: [query('etat', 'Filtre sur l’état', ref('EtatFactureCode')), query('siren', 'SIREN du CFA', { type: 'string', pattern: '^[0-9]{9}$' }), ...page(500)],
        responses: { '200': json({ type: 'object', required: ['total', 'count', 'page', 'factures'], properties: { total: { type: 'integer' }, count: { type: 'integer' }, page: { type: 'integer' }, factures: { type: 'array', items: ref('EtatFacture') } } }), ...STANDARD_ERRORS },
      },
    },
    '/back-office/v1/factures/{numeroInterneFacture}': {
      get: { tags, summary: 'Lire une facture : lignes, règlements, historique complet', operationId: 'lireFactureBackOffice', security: opcoSecurity, parameters: numero, responses: { '200': json(ref('FactureDetail')), ...STANDARD_ERRORS, '404': errorResponse('Facture inconnue') } },
    },
    '/back-office/v1/factures/{numeroInterneFacture}/transitions': {
      post: {
        tags, summary: 'Demander une mise en conformité, valider ou rejeter une facture', operationId: 'transitionFacture', security: opcoSecurity, parameters: numero,
        description: 'TRANSMIS → EN_ATTENTE_MISE_EN_CONFORMITE (commentaire) ; TRANSMIS / EN_ATTENTE_MISE_EN_CONFORMITE → VALIDEE ; TRANSMIS / EN_ATTENTE_MISE_EN_CONFORMITE / VALIDEE → REJETEE (motif ; les montants en cours sont libérés ; une facture réglée partiellement ne peut pas être rejetée). REGLE_PARTIELLEMENT et REGLE résultent des règlements ; le retour à TRANSMIS, de la correction par le CFA.',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['vers'], properties: { vers: { type: 'string', enum: ['EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE', 'REJETEE'] }, commentaire: { type: 'string', maxLength: 2000 } } } } } },
        responses: { '200': json(ref('FactureDetail')), ...STANDARD_ERRORS, '404': errorResponse('Facture inconnue'), '409': errorResponse('Transition interdite : `transitionsPossibles` liste les états permis') },
      },
    },
    '/back-office/v1/reglements': {
      post: {
        tags, summary: 'Enregistrer un virement qui règle une ou plusieurs factures validées', operationId: 'enregistrerReglement', security: opcoSecurity,
        description: 'Chaque montant est réparti sur les lignes de sa facture dans l’ordre des lignes ; les montants des échéances passent de « en cours » à « réglé » ; la facture passe à REGLE_PARTIELLEMENT ou REGLE. Un virement règle un seul CFA ; sa référence est unique pour ce CFA. Aucune échéance ne peut être réglée au-delà de son montant (recalculé après rupture).',
        requestBody: { required: true, content: { 'application/json': { schema: file('reglement') } } },
        responses: { '200': json(ref('ReglementEnregistre')), ...STANDARD_ERRORS },
      },
      get: {
        tags, summary: 'Règlements enregistrés', operationId: 'listerReglements', security: opcoSecurity,
        parameters: [query('siren', 'SIREN du CFA', { type: 'string', pattern: '^[0-9]{9}$' }), ...page(500)],
        responses: { '200': json(ref('PageReglements')), ...STANDARD_ERRORS },
      },
    },
    '/back-office/v1/remboursements': {
      get: {
        tags, summary: 'Remboursements (trop-perçus) de tous les CFA', operationId: 'listerRemboursements', security: opcoSecurity,
        parameters: [query('etat', 'Filtre sur l’état', { type: 'string', enum: ['A_REGULARISER', 'DECLARE', 'RECU'] }), query('siren', 'SIREN du CFA', { type: 'string', pattern: '^[0-9]{9}$' }), ...page(500)],
        responses: { '200': json(ref('PageRemboursements')), ...STANDARD_ERRORS },
      },
    },
    '/back-office/v1/dossiers/{numeroInterne}/solde': {
      get: {
        tags, summary: 'Le dossier peut-il être soldé ? (fin passée, tout réglé, rien en cours, remboursements reçus)', operationId: 'soldeDossier', security: opcoSecurity,
        parameters: [{ name: 'numeroInterne', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': json({ type: 'object', required: ['numeroInterne', 'etat', 'soldable', 'motifs'], properties: { numeroInterne: { type: 'string' }, etat: ref('EtatDossierCode'), soldable: { type: 'boolean' }, motifs: { type: 'array', items: ref('Erreur') } } }), ...STANDARD_ERRORS, '404': errorResponse('Dossier inconnu') },
      },
    },
    '/back-office/v1/remboursements/{idRemboursement}/reception': {
      post: {
        tags, summary: 'Confirmer la réception d’un remboursement déclaré par le CFA', operationId: 'recevoirRemboursement', security: opcoSecurity,
        parameters: [{ name: 'idRemboursement', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { commentaire: { type: 'string', maxLength: 2000 } } } } } },
        responses: { '200': json(ref('Remboursement')), ...STANDARD_ERRORS, '404': errorResponse('Remboursement inconnu'), '409': errorResponse('Pas encore déclaré par le CFA, ou déjà reçu') },
      },
    },
  };
}

export const document: Obj = {
  openapi: '3.1.0',
  info: {
    title: 'convergence-gateway — API CFA (norme d’échange inter-OPCO)',
    version: '0.1.0',
    description: 'Côté OPCO de la norme d’échange « API CFA » (API Convergence CFA/OPCO). Authentification : clé CFA dans `X-API-KEY` sur chaque appel ; jeton éditeur `Authorization: Bearer` (OAuth2 client credentials sur `/oauth/token`) vérifié quand il est présent. Erreurs : `{errors:[{code, description, champ, section}]}` étendu des membres RFC 9457.',
  },
  servers: [{ url: '/' }],
  tags: [
    { name: 'Système' }, { name: 'Authentification' }, { name: 'Dossiers v1' }, { name: 'Dossiers v2' }, { name: 'Conventions et documents' }, { name: 'Simulations' }, { name: 'Factures et règlements' }, { name: 'Back-office' },
  ],
  paths: {
    '/health': { get: { tags: ['Système'], summary: 'Vivacité', operationId: 'health', responses: { '200': json({ type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] }) } } },
    '/ready': { get: { tags: ['Système'], summary: 'Prêt à servir (base joignable, pas d’arrêt en cours)', operationId: 'ready', responses: { '200': json({ type: 'object' }), '503': json({ type: 'object' }, 'Pas prêt') } } },
    '/v1/status': statusPath('V1'),
    '/v2/status': statusPath('V2'),
    '/oauth/token': {
      post: {
        tags: ['Authentification'],
        summary: 'Jeton éditeur (OAuth2 client credentials)',
        operationId: 'jeton',
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                required: ['grant_type'],
                properties: {
                  grant_type: { const: 'client_credentials' },
                  client_id: { type: 'string' },
                  client_secret: { type: 'string' },
                  scope: { type: 'string' },
                },
              },
            },
          },
        },
        responses: { '200': json(ref('Jeton')), '400': errorResponse('Requête OAuth2 invalide'), '401': errorResponse('Client inconnu ou secret faux') },
      },
    },
    '/v2/cfakeyinfo': {
      get: {
        tags: ['Authentification'],
        summary: 'Validité d’une clé CFA',
        operationId: 'cfaKeyInfo',
        parameters: [
          query('siren', 'SIREN du CFA', { type: 'string', pattern: '^[0-9]{9}$' }, true),
          query('XAPIKEY', 'La clé à vérifier', { type: 'string' }, true),
        ],
        responses: { '200': json(ref('InfoCle')), '400': errorResponse('SIREN ou clé manquant') },
      },
    },
    ...dossierPaths('v1'),
    ...dossierPaths('v2'),
    ...uploadPaths('v1'),
    ...uploadPaths('v2'),
    '/v2/simulations/remuneration': {
      post: {
        tags: ['Simulations'],
        summary: 'Rémunération minimale légale d’un apprenti, période par période',
        description: 'Le même calcul que la règle de contrôle des rémunérations des CERFA : grille D6222-26 selon l’année de contrat et l’âge (changement de tranche le 1er du mois suivant l’anniversaire), SMIC en vigueur au début de chaque période (SMIC de Mayotte pour le 976) ou SMC à partir de 21 ans s’il est plus élevé. Montants en euros.',
        operationId: 'simulerRemuneration',
        security: cfaSecurity,
        requestBody: { required: true, content: { 'application/json': { schema: file('simulation-remuneration') } } },
        responses: { '200': json(ref('SimulationRemuneration')), ...STANDARD_ERRORS, '400': errorResponse('Entrée invalide : toutes les erreurs, avec `champ`') },
      },
    },
    '/back-office/v1/cles': {
      post: {
        tags: ['Back-office'],
        summary: 'Créer une clé CFA (serveur en marche)',
        operationId: 'creerCle',
        security: opcoSecurity,
        requestBody: { required: true, content: { 'application/json': { schema: ref('NouvelleCle') } } },
        responses: { '201': json(ref('CleCreee'), 'Clé créée : `cle` n’est affichée qu’une fois'), ...STANDARD_ERRORS },
      },
      get: {
        tags: ['Back-office'],
        summary: 'Lister les clés (sans leur secret)',
        operationId: 'listerCles',
        security: opcoSecurity,
        responses: { '200': json({ type: 'array', items: ref('Cle') }), ...STANDARD_ERRORS },
      },
    },
    '/back-office/v1/documents': {
      get: {
        tags: ['Back-office'],
        summary: 'Documents rattachés à un objet, tous CFA (métadonnées)',
        operationId: 'listerDocumentsBackOffice',
        security: opcoSecurity,
        parameters: [
          query('idObjet', 'numeroInterne du dossier ou numeroInterneFacture', { type: 'string', maxLength: 40 }, true),
          query('typeObjet', 'Type de l’objet', { type: 'string', enum: ['DOSSIER_APPRENTISSAGE', 'FACTURE'] }),
        ],
        responses: { '200': json(ref('ListeDocuments')), ...STANDARD_ERRORS },
      },
    },
    '/back-office/v1/documents/{numeroInterneDocument}': {
      get: {
        tags: ['Back-office'],
        summary: 'Télécharger un document',
        description: 'Rend le fichier tel que déposé, avec son type (lu dans le contenu), `Content-Disposition: attachment` (nom donné par le CFA, extension du type réel) et `Repr-Digest` (SHA-256).',
        operationId: 'telechargerDocument',
        security: opcoSecurity,
        parameters: [{ name: 'numeroInterneDocument', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'Le fichier',
            headers: { 'Content-Disposition': { schema: { type: 'string' }, description: 'attachment; filename="…"; filename*=UTF-8\'\'…' } },
            content: {
              'application/pdf': { schema: { type: 'string', format: 'binary' } },
              'image/jpeg': { schema: { type: 'string', format: 'binary' } },
              'image/png': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...STANDARD_ERRORS,
          '404': errorResponse('Document inconnu'),
        },
      },
    },
    '/back-office/v1/cles/{id}': {
      delete: {
        tags: ['Back-office'],
        summary: 'Révoquer une clé',
        operationId: 'revoquerCle',
        security: opcoSecurity,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: 'Révoquée' }, ...STANDARD_ERRORS, '404': errorResponse('Clé inconnue ou déjà révoquée') },
      },
    },
    ...backOfficeDossierPaths(),
    ...facturePaths('v1'),
    ...facturePaths('v2'),
    ...backOfficeFacturePaths(),
  },
  components: {
    securitySchemes: {
      cleApi: { type: 'apiKey', in: 'header', name: 'X-API-KEY', description: 'Clé du CFA (ou du back-office OPCO)' },
      jetonEditeur: { type: 'http', scheme: 'bearer', description: 'Jeton de l’éditeur obtenu sur /oauth/token' },
    },
    parameters: {
      Editeur: { name: 'EDITEUR', in: 'header', required: false, schema: { type: 'string' }, description: 'Nom de l’éditeur du logiciel (enregistré avec chaque écriture)' },
      Logiciel: { name: 'LOGICIEL', in: 'header', required: false, schema: { type: 'string' }, description: 'Nom du logiciel' },
      Version: { name: 'VERSION', in: 'header', required: false, schema: { type: 'string' }, description: 'Version du logiciel appelant' },
      IdempotencyKey: { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 }, description: 'Clé d’idempotence (par CFA, conservée 24 h au moins)' },
    },
    schemas: {
      Erreur: {
        type: 'object',
        required: ['code', 'description'],
        properties: {
          code: { type: 'string', description: 'Code stable en MAJUSCULES_SOULIGNÉES' },
          description: { type: 'string', description: 'Explication en français' },
          champ: { type: 'string', description: 'Pointeur JSON du champ en cause, ex. /cerfa/employeur/siret' },
          section: { type: 'string', description: 'Section (onglet) du CERFA : employeur, apprenti, maitre1, maitre2, contrat, remuneration, formation, organismeFormation, lieuFormation, cerfa, requete' },
        },
      },
      Erreurs: {
        type: 'object',
        required: ['errors'],
        properties: {
          errors: { type: 'array', items: ref('Erreur') },
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          instance: { type: 'string', description: 'Identifiant de la requête (X-Request-Id)' },
          erreursParSection: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Nombre d’erreurs par section du CERFA' },
          avertissements: { type: 'array', items: ref('Erreur') },
          numeroInterne: { type: 'string', description: 'Dossier existant (doublon)' },
          numeroInterneDocument: { type: 'string', description: 'Document existant (même fichier déjà déposé sur l’objet)' },
        },
      },
      Statut: {
        type: 'object',
        required: ['status', 'supportedVersions', 'uptime'],
        properties: {
          status: { type: 'string', enum: ['healthy', 'unhealthy'] },
          supportedVersions: { type: 'array', items: { type: 'string' } },
          uptime: { type: 'integer', description: 'Secondes depuis le démarrage' },
        },
      },
      Jeton: {
        type: 'object',
        required: ['access_token', 'token_type', 'expires_in'],
        properties: { access_token: { type: 'string' }, token_type: { const: 'Bearer' }, expires_in: { type: 'integer' }, scope: { type: 'string' } },
      },
      InfoCle: {
        type: 'object',
        required: ['status', 'dateFinValidite', 'comment'],
        properties: {
          status: { type: 'string', enum: ['success', 'error'] },
          dateFinValidite: { type: ['string', 'null'], format: 'date' },
          comment: { type: 'string' },
        },
      },
      EtatDossierCode: { type: 'string', enum: ['TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE', 'REFUSE', 'ANNULE', 'RUPTURE', 'SOLDE'] },
      DossierCree: {
        type: 'object',
        required: ['numeroInterne', 'numeroExterne', 'etat', 'avertissements'],
        properties: {
          numeroInterne: { type: 'string' },
          numeroExterne: { type: 'string', pattern: '^[0-9]{2}APP[0-9]{8}$' },
          etat: ref('EtatDossierCode'),
          avertissements: { type: 'array', items: ref('Erreur') },
        },
      },
      Dossier: {
        type: 'object',
        required: ['cerfa', 'engagement', 'echeances', 'detailsFacturation', 'engagementsFraisAnnexe'],
        properties: {
          cerfa: {
            allOf: [file('cerfa')],
            type: 'object',
            required: ['numeroInterne', 'numeroExterne', 'etat'],
            properties: {
              numeroInterne: { type: 'string' },
              numeroExterne: { type: 'string' },
              numeroDeca: { type: ['string', 'null'] },
              etat: ref('EtatDossierCode'),
              commentaireEtat: { type: ['string', 'null'] },
              miseEnConformiteDemandee: { type: 'boolean' },
            },
          },
          engagement: { type: ['number', 'null'], description: 'Montant engagé en euros (null avant l’engagement)' },
          echeances: { type: 'array', items: { type: 'object' } },
          detailsFacturation: { type: ['object', 'null'] },
          engagementsFraisAnnexe: { type: 'array', items: { type: 'object' } },
        },
      },
      EtatDossier: {
        type: 'object',
        required: ['numeroInterne', 'numeroExterne', 'numeroDeca', 'etat', 'dateMiseAJour'],
        properties: {
          numeroInterne: { type: 'string' },
          numeroExterne: { type: 'string' },
          numeroDeca: { type: ['string', 'null'] },
          etat: ref('EtatDossierCode'),
          dateMiseAJour: { type: 'string', format: 'date-time' },
        },
      },
      PageEtatsDossiers: {
        type: 'object',
        required: ['total', 'count', 'page', 'EtatDossierResult'],
        properties: {
          total: { type: 'integer' },
          count: { type: 'integer' },
          page: { type: 'integer' },
          EtatDossierResult: { type: 'array', items: ref('EtatDossier') },
        },
      },
      FluxEtatsDossiers: {
        type: 'object',
        required: ['count', 'EtatDossierResult', 'curseurSuivant', 'plusDeResultats'],
        properties: {
          count: { type: 'integer' },
          EtatDossierResult: { type: 'array', items: ref('EtatDossier') },
          curseurSuivant: { type: 'string', description: 'À passer en `depuis` à l’appel suivant' },
          plusDeResultats: { type: 'boolean', description: 'Vrai quand la page est pleine : rappeler tout de suite' },
        },
      },
      Historique: {
        type: 'object',
        required: ['numeroInterne', 'etat', 'historique'],
        properties: {
          numeroInterne: { type: 'string' },
          etat: ref('EtatDossierCode'),
          historique: {
            type: 'array',
            items: {
              type: 'object',
              required: ['evenement', 'etat', 'date', 'acteur'],
              properties: {
                evenement: { type: 'string' },
                etat: ref('EtatDossierCode'),
                date: { type: 'string', format: 'date-time' },
                acteur: { type: 'string' },
                commentaire: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
      NouvelleCle: {
        type: 'object',
        required: ['siren'],
        properties: {
          siren: { type: 'string', pattern: '^[0-9]{9}$' },
          uai: { type: 'string', pattern: '^[0-9]{7}[A-Za-z]$' },
          libelle: { type: 'string', maxLength: 200 },
          dateFinValidite: { type: 'string', format: 'date' },
        },
      },
      Cle: {
        type: 'object',
        required: ['id', 'role', 'prefixe'],
        properties: {
          id: { type: 'string' },
          role: { type: 'string', enum: ['cfa', 'opco'] },
          siren: { type: ['string', 'null'] },
          uai: { type: ['string', 'null'] },
          libelle: { type: ['string', 'null'] },
          prefixe: { type: 'string' },
          dateFinValidite: { type: ['string', 'null'], format: 'date' },
          revoqueeLe: { type: ['string', 'null'], format: 'date-time' },
          creeeLe: { type: 'string', format: 'date-time' },
        },
      },
      ConventionDeposee: {
        type: 'object',
        required: ['numeroInterneConvention', 'numeroInterneDocument', 'avertissements'],
        properties: {
          numeroInterneConvention: { type: 'string', pattern: '^[0-9]{12}$' },
          numeroInterneDocument: { type: 'string', pattern: '^[0-9]{12}$', description: 'Le fichier de la convention (document CONVENTION_FORMATION du dossier)' },
          avertissements: { type: 'array', items: ref('Erreur'), description: 'Écarts avec le dossier (employeur, dates) ou dossier déjà engagé : non bloquants' },
        },
      },
      DocumentDepose: {
        type: 'object',
        required: ['numeroInterneDocument', 'sha256', 'typeMime', 'taille'],
        properties: {
          numeroInterneDocument: { type: 'string', pattern: '^[0-9]{12}$' },
          sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          typeMime: { type: 'string', enum: ['application/pdf', 'image/jpeg', 'image/png'] },
          taille: { type: 'integer', description: 'Taille en octets' },
        },
      },
      ListeDocuments: {
        type: 'object',
        required: ['count', 'documents'],
        properties: {
          count: { type: 'integer' },
          documents: {
            type: 'array',
            items: {
              type: 'object',
              required: ['numeroInterneDocument', 'typeFichier', 'typeMime', 'taille', 'sha256', 'nomFichier', 'deposeLe', 'objets'],
              properties: {
                numeroInterneDocument: { type: 'string' },
                typeFichier: { type: 'string' },
                typeMime: { type: 'string' },
                taille: { type: 'integer' },
                sha256: { type: 'string' },
                nomFichier: { type: ['string', 'null'] },
                deposeLe: { type: 'string', format: 'date-time' },
                objets: { type: 'array', items: { type: 'object', required: ['typeObjet', 'idObjet'], properties: { typeObjet: { type: 'string' }, idObjet: { type: 'string' } } } },
                cfaSiren: { type: 'string', description: 'Back-office seulement' },
                editeur: { type: ['string', 'null'], description: 'Back-office seulement' },
              },
            },
          },
        },
      },
      SimulationRemuneration: {
        type: 'object',
        required: ['periodes'],
        properties: {
          periodes: {
            type: 'array',
            items: {
              type: 'object',
              required: ['ordre', 'dateDebut', 'dateFin', 'anneeContrat', 'age', 'tauxMinimal', 'typeSalaire', 'baseMensuelle', 'salaireBrutMensuel'],
              properties: {
                ordre: { type: 'string', description: 'Année de contrat puis partie de l’année (1.1, 1.2, 2.1…)' },
                dateDebut: { type: 'string', format: 'date' },
                dateFin: { type: 'string', format: 'date' },
                anneeContrat: { type: 'integer' },
                age: { type: 'integer', description: 'Âge au début de la période' },
                tauxMinimal: { type: 'number', description: 'Minimum légal, en % de la base' },
                typeSalaire: { type: 'string', enum: ['SMIC', 'SMC'] },
                baseMensuelle: { type: 'number', description: 'SMIC mensuel (35 h) en vigueur au début de la période, ou SMC, en euros' },
                salaireBrutMensuel: { type: 'number', description: 'Salaire brut mensuel minimal, en euros (arrondi au centime supérieur)' },
              },
            },
          },
        },
      },
      EtatFactureCode: { type: 'string', enum: ['TRANSMIS', 'EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE', 'REJETEE', 'REGLE_PARTIELLEMENT', 'REGLE'] },
      FactureDeposee: {
        type: 'object',
        required: ['numeroInterneFacture', 'numeroInterneDocument'],
        properties: { numeroInterneFacture: { type: 'string' }, numeroInterneDocument: { type: 'string', description: 'Le PDF, document FACTURE de la facture' } },
      },
      MontantDossier: {
        type: 'object',
        required: ['numeroInterneDossier', 'numeroExterneDossier', 'montant'],
        properties: { numeroInterneDossier: { type: 'string' }, numeroExterneDossier: { type: 'string' }, montant: { type: 'number', description: 'En euros' } },
      },
      EtatFacture: {
        type: 'object',
        description: 'Une facture dans GET /v2/factures/etats (norme §5.7)',
        required: ['numeroInterneFacture', 'referenceFactureCFA', 'montantFacture', 'etatFacture', 'referenceVirement', 'dateReglement', 'commentaire', 'organismeFormation', 'dossiers'],
        properties: {
          numeroInterneFacture: { type: 'string' },
          referenceFactureCFA: { type: 'string', description: 'Le `numero` de la facture du CFA' },
          montantFacture: { type: 'number' },
          etatFacture: ref('EtatFactureCode'),
          referenceVirement: { type: ['string', 'null'], description: 'Du dernier règlement' },
          dateReglement: { type: ['string', 'null'], format: 'date' },
          commentaire: { type: ['string', 'null'], description: 'Dernier commentaire d’état (mise en conformité demandée, motif de rejet)' },
          organismeFormation: { type: 'object', required: ['siret', 'IBAN'], properties: { siret: { type: 'string' }, IBAN: { type: 'string' } } },
          dossiers: { type: 'array', items: ref('MontantDossier') },
        },
      },
      PageEtatsFactures: {
        type: 'object',
        required: ['total', 'count', 'page', 'factures'],
        properties: { total: { type: 'integer' }, count: { type: 'integer' }, page: { type: 'integer' }, factures: { type: 'array', items: ref('EtatFacture') } },
      },
      FluxEtatsFactures: {
        type: 'object',
        required: ['count', 'factures', 'curseurSuivant', 'plusDeResultats'],
        properties: {
          count: { type: 'integer' },
          factures: { type: 'array', items: ref('EtatFacture') },
          curseurSuivant: { type: 'string', description: 'À passer en `depuis` à l’appel suivant' },
          plusDeResultats: { type: 'boolean' },
        },
      },
      FactureDetail: {
        allOf: [ref('EtatFacture'), {
          type: 'object',
          required: ['montantRegle', 'dateEmission', 'lignes', 'historique'],
          properties: {
            montantRegle: { type: 'number' },
            dateEmission: { type: 'string', format: 'date' },
            estCertificatRealisation: { type: 'boolean' },
            corrections: { type: 'integer', description: 'Nombre de corrections reçues' },
            recueLe: { type: 'string', format: 'date-time' },
            dateMiseAJour: { type: 'string', format: 'date-time' },
            lignes: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  numeroInterneDossier: { type: 'string' }, numeroExterneDossier: { type: 'string' }, numeroEcheance: { type: 'integer' }, codificationEcheance: { type: 'string' },
                  natureLigne: { type: 'string' }, quantite: { type: 'integer' }, montant: { type: 'number' }, montantRegle: { type: 'number' },
                },
              },
            },
            historique: { type: 'array', items: { type: 'object', properties: { evenement: { type: 'string' }, etat: ref('EtatFactureCode'), date: { type: 'string', format: 'date-time' }, acteur: { type: 'string' }, commentaire: { type: ['string', 'null'] } } } },
          },
        }],
      },
      CertificatDepose: {
        type: 'object',
        required: ['numeroInterneCertificat', 'numeroInterneDocument'],
        properties: { numeroInterneCertificat: { type: 'string' }, numeroInterneDocument: { type: ['string', 'null'], description: 'Null sans fichier' } },
      },
      Reglement: {
        type: 'object',
        required: ['idReglement', 'referenceVirement', 'dateReglement', 'montant', 'factures'],
        properties: {
          idReglement: { type: 'string' },
          referenceVirement: { type: 'string' },
          dateReglement: { type: 'string', format: 'date' },
          montant: { type: 'number' },
          factures: {
            type: 'array',
            items: {
              type: 'object',
              required: ['numeroInterneFacture', 'referenceFactureCFA', 'etatFacture', 'montant', 'dossiers'],
              properties: {
                numeroInterneFacture: { type: 'string' }, referenceFactureCFA: { type: 'string' }, etatFacture: ref('EtatFactureCode'), montant: { type: 'number', description: 'Part du virement sur cette facture' },
                dossiers: { type: 'array', items: ref('MontantDossier') },
              },
            },
          },
        },
      },
      PageReglements: {
        type: 'object',
        required: ['total', 'count', 'page', 'reglements'],
        properties: { total: { type: 'integer' }, count: { type: 'integer' }, page: { type: 'integer' }, reglements: { type: 'array', items: ref('Reglement') } },
      },
      ReglementEnregistre: {
        allOf: [ref('Reglement'), {
          type: 'object',
          required: ['etatsFactures'],
          properties: { etatsFactures: { type: 'array', items: { type: 'object', properties: { numeroInterneFacture: { type: 'string' }, etatFacture: ref('EtatFactureCode'), montantFacture: { type: 'number' }, montantRegle: { type: 'number' } } } } },
        }],
      },
      Remboursement: {
        type: 'object',
        required: ['idRemboursement', 'numeroInterneDossier', 'numeroExterneDossier', 'montant', 'cause', 'etat'],
        properties: {
          idRemboursement: { type: 'string' },
          numeroInterneDossier: { type: 'string' },
          numeroExterneDossier: { type: 'string' },
          montant: { type: 'number' },
          cause: { type: 'string', enum: ['TROP_PERCU_RUPTURE'] },
          etat: { type: 'string', enum: ['A_REGULARISER', 'DECLARE', 'RECU'] },
          mode: { type: ['string', 'null'], enum: ['VIREMENT', 'AVOIR_DEDUCTION', null] },
          referenceAvoir: { type: ['string', 'null'] },
          commentaire: { type: ['string', 'null'] },
          dateCreation: { type: 'string', format: 'date-time' },
          dateDeclaration: { type: ['string', 'null'], format: 'date-time' },
          dateReception: { type: ['string', 'null'], format: 'date-time' },
        },
      },
      PageRemboursements: {
        type: 'object',
        required: ['total', 'count', 'page', 'remboursements'],
        properties: { total: { type: 'integer' }, count: { type: 'integer' }, page: { type: 'integer' }, remboursements: { type: 'array', items: ref('Remboursement') } },
      },
      RuptureDeclaree: {
        type: 'object',
        required: ['numeroInterne', 'numeroExterne', 'etat', 'dateRupture', 'engagement', 'tropPercu', 'remboursement'],
        properties: {
          numeroInterne: { type: 'string' },
          numeroExterne: { type: 'string' },
          etat: ref('EtatDossierCode'),
          dateRupture: { type: 'string', format: 'date' },
          motif: { type: 'string' },
          initiative: { type: 'string' },
          engagement: { type: ['number', 'null'], description: 'Montant dû après recalcul, en euros' },
          tropPercu: { type: 'number' },
          remboursement: { oneOf: [ref('Remboursement'), { type: 'null' }] },
        },
      },
      CleCreee: { allOf: [ref('Cle'), { type: 'object', required: ['cle'], properties: { cle: { type: 'string', description: 'La clé, affichée une seule fois' } } }] },
    },
  },
};

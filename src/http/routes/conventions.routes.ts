/**
 * POST /v1|v2/conventions (norme §5.2): the convention de formation of one of the CFA's dossiers,
 * its JSON (validated, every error at once) and the signed file (PDF, JPEG or PNG by content),
 * stored together. The costs of the dossier's latest convention are the ones the engagement uses
 * when the back office engages the dossier.
 */
import { checkConvention, depositConvention } from '../../services/conventions.js';
import { cfaActor } from '../context.js';
import { checkFile } from '../multipart.js';
import { conventionDepositView } from '../presenters/convention.js';
import { ref } from '../route-table/components.js';
import { route, type RouteDeclaration } from '../route-table/declaration.js';

export const CONVENTION_ROUTES: RouteDeclaration[] = [
  route({
    operationId: 'transmettreConvention',
    method: 'post',
    path: '/{version}/conventions',
    versions: ['v1', 'v2'],
    role: 'cfa',
    tags: ['Conventions et documents'],
    summary: 'Transmettre la convention de formation signée d’un dossier',
    description: 'Partie `convention` (JSON, norme §5.2) et partie `fichier` (la convention signée), ou JSON avec `_files.convention` en base64. Convention et fichier sont enregistrés ensemble ; le fichier devient un document CONVENTION_FORMATION du dossier. Les coûts de la dernière convention reçue servent au calcul de l’engagement. Un renvoi identique (même JSON, même fichier) rend les mêmes numéros avec `Idempotent-Replayed: true`.',
    editorHeaders: true,
    body: {
      kind: 'upload', part: 'convention', schema: 'convention', base64Key: 'convention', section: 'convention',
      fileDescription: 'Le fichier : PDF, JPEG ou PNG (type lu dans le contenu), FILE_SIZE_LIMIT au plus (10 Mo par défaut)',
      fileContentTypes: 'application/pdf, image/jpeg, image/png',
    },
    responses: {
      200: { description: 'Convention enregistrée (ou renvoi d’une convention déjà enregistrée)', schema: ref('ConventionDeposee') },
      400: { description: 'Partie manquante, JSON malformé ou convention invalide : toutes les erreurs, `champ` sous /convention' },
      403: { description: 'Clé refusée, ou SIRET de l’organisme de formation hors du SIREN de la clé' },
      404: { description: 'Dossier inconnu pour ce CFA (DOSSIER_INTROUVABLE)' },
      413: { description: 'Fichier (FICHIER_TROP_VOLUMINEUX) ou partie JSON trop volumineux' },
      415: { description: 'Corps ni multipart/form-data ni JSON, ou fichier ni PDF, ni JPEG, ni PNG (TYPE_FICHIER_NON_SUPPORTE)' },
    },
    async handler({ upload }, { req, res, deps }) {
      const cfa = cfaActor(req);
      const checked = await checkConvention(deps.db, cfa, upload.data, upload.rootPointer);
      const fichier = checkFile(upload.file, upload.filePointer, 'convention');
      const deposit = await depositConvention(deps.db, cfa, checked, fichier);
      if (deposit.replayed) res.setHeader('Idempotent-Replayed', 'true');
      return conventionDepositView(deposit);
    },
  }),
];

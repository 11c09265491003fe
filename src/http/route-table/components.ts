/**
 * The named response schemas of the contract (`#/components/schemas/<Name>`). Payload schemas are
 * not repeated here: they are the JSON Schemas of schemas/, referenced with `file()`.
 */
import { ETATS_FACTURATION, NATURES_FACTURATION, NATURES_LIGNE } from '../../domain/invoicing/index.js';
import { ETATS_PROPOSITION, ONGLETS } from '../../domain/propositions.js';
import type { JsonSchema } from './declaration.js';

type Schema = { [key: string]: unknown };

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
/** A schema of schemas/ (`cerfa` → schemas/cerfa.schema.json), bundled into the document. */
export const file = (name: string): Schema => ({ $ref: `../schemas/${name}.schema.json` });

export const COMPONENT_SCHEMAS: Record<string, JsonSchema> = {
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
      description: { type: 'string', description: 'Le texte de l’erreur quand il n’y en a qu’une ; sinon « N erreurs : <texte de la première> (…) »' },
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string', description: 'Identifiant de la requête (X-Request-Id)' },
      erreursParSection: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Nombre d’erreurs par section du CERFA' },
      erreursParOnglet: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Propositions (pré-saisie) : nombre d’erreurs par onglet du guide' },
      etat: { type: 'string', description: 'État de l’objet quand il interdit l’opération (409)' },
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
  DossierCorrige: {
    allOf: [ref('DossierCree'), {
      type: 'object',
      required: ['champsModifies'],
      properties: {
        champsModifies: {
          type: 'array',
          items: { type: 'string' },
          description: 'Pointeurs JSON, relatifs au CERFA, des champs modifiés par la correction (ex. /apprenti/adresse/commune) ; jamais leurs valeurs',
        },
      },
    }],
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
      echeances: { type: 'array', items: ref('EcheanceDossier') },
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
          required: ['evenement', 'libelle', 'etat', 'date', 'acteur'],
          properties: {
            evenement: { type: 'string' },
            libelle: { type: 'string', description: 'L’événement en clair (« Déclaration de solde des dossiers échus », « Dossier engagé »…)' },
            etat: ref('EtatDossierCode'),
            date: { type: 'string', format: 'date-time' },
            acteur: { type: 'string' },
            commentaire: { type: ['string', 'null'] },
          },
        },
      },
    },
  },
  DossierBackOffice: {
    type: 'object',
    description: 'Un dossier dans les recherches du back-office',
    required: ['numeroInterne', 'numeroExterne', 'numeroDeca', 'cfaSiren', 'etat', 'origine', 'miseEnConformite', 'commentaireEtat', 'employeur', 'apprenti', 'recuLe', 'misAJourLe'],
    properties: {
      numeroInterne: { type: 'string' },
      numeroExterne: { type: 'string' },
      numeroDeca: { type: ['string', 'null'] },
      cfaSiren: { type: 'string' },
      etat: ref('EtatDossierCode'),
      origine: { type: 'string', enum: ['API_CFA', 'SAISIE_OPCO', 'ENTREPRISE'] },
      miseEnConformite: { type: 'boolean', description: 'Mise en conformité demandée au CFA' },
      commentaireEtat: { type: ['string', 'null'] },
      employeur: { type: 'object', required: ['siret', 'denomination'], properties: { siret: { type: ['string', 'null'] }, denomination: { type: ['string', 'null'] } } },
      apprenti: { type: 'object', required: ['nom', 'prenom'], properties: { nom: { type: ['string', 'null'] }, prenom: { type: ['string', 'null'] } } },
      recuLe: { type: 'string', format: 'date-time' },
      misAJourLe: { type: 'string', format: 'date-time' },
    },
  },
  PageDossiersBackOffice: {
    type: 'object',
    required: ['total', 'count', 'page', 'dossiers'],
    properties: { total: { type: 'integer' }, count: { type: 'integer' }, page: { type: 'integer' }, dossiers: { type: 'array', items: ref('DossierBackOffice') } },
  },
  DossierBackOfficeDetail: {
    allOf: [ref('DossierBackOffice'), ref('Dossier'), {
      type: 'object',
      required: ['historique'],
      properties: { historique: { $ref: '#/components/schemas/Historique/properties/historique', description: 'Acteurs nommés (opco:<libellé de la clé>)' } },
    }],
  },
  DossierChange: {
    allOf: [ref('DossierBackOffice'), ref('Dossier')],
  },
  NpecDossier: {
    type: 'object',
    required: ['npecAnnuel', 'source', 'dateEffet', 'explication'],
    properties: {
      npecAnnuel: { type: 'number', description: 'Niveau de prise en charge annuel, en euros' },
      source: { type: 'string', description: 'D’où vient le NPEC (REFERENTIEL…)' },
      dateEffet: { type: ['string', 'null'], format: 'date' },
      explication: { type: 'string' },
    },
  },
  SoldeDossier: {
    type: 'object',
    required: ['numeroInterne', 'etat', 'soldable', 'motifs'],
    properties: {
      numeroInterne: { type: 'string' },
      etat: ref('EtatDossierCode'),
      soldable: { type: 'boolean', description: 'Vrai quand le dossier peut passer à SOLDE aujourd’hui' },
      motifs: { type: 'array', items: ref('Erreur'), description: 'Ce qui empêche de solder (vide quand soldable)' },
    },
  },
  Cle: {
    type: 'object',
    required: ['id', 'role', 'prefixe'],
    properties: {
      id: { type: 'string' },
      role: { type: 'string', enum: ['cfa', 'opco', 'entreprise'] },
      siren: { type: ['string', 'null'], description: 'SIREN du CFA (rôle cfa) ou de l’entreprise (rôle entreprise)' },
      uai: { type: ['string', 'null'] },
      libelle: { type: ['string', 'null'] },
      courriel: { type: ['string', 'null'], description: 'Courriel de l’utilisateur côté entreprise (rôle entreprise)' },
      prefixe: { type: 'string' },
      dateFinValidite: { type: ['string', 'null'], format: 'date' },
      revoqueeLe: { type: ['string', 'null'], format: 'date-time' },
      creeeLe: { type: 'string', format: 'date-time' },
    },
  },
  ClientOAuth: {
    type: 'object',
    description: 'Client OAuth2 (client credentials) d’un éditeur de logiciel',
    required: ['clientId', 'editeur', 'creeLe', 'revoqueLe'],
    properties: {
      clientId: { type: 'string' },
      editeur: { type: 'string' },
      creeLe: { type: 'string', format: 'date-time' },
      revoqueLe: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  ClientOAuthCree: {
    type: 'object',
    required: ['clientId', 'clientSecret', 'editeur'],
    properties: {
      clientId: { type: 'string', description: '`client_id` de POST /oauth/token' },
      clientSecret: { type: 'string', description: '`client_secret`, affiché une seule fois' },
      editeur: { type: 'string' },
    },
  },
  Adherent: {
    type: 'object',
    description: 'Établissement d’une entreprise adhérente de l’OPCO (registre importé par le back-office)',
    required: ['siret', 'siren', 'nic', 'raisonSociale', 'adresse', 'codePostal', 'commune', 'naf', 'idcc', 'effectif'],
    properties: {
      siret: { type: 'string', pattern: '^[0-9]{14}$' },
      siren: { type: 'string', pattern: '^[0-9]{9}$' },
      nic: { type: 'string', pattern: '^[0-9]{5}$', description: 'Les 5 derniers chiffres du SIRET' },
      raisonSociale: { type: 'string' },
      adresse: { type: ['string', 'null'] },
      codePostal: { type: ['string', 'null'] },
      commune: { type: ['string', 'null'] },
      naf: { type: ['string', 'null'], description: 'Code NAF, forme 62.02A' },
      idcc: { type: ['string', 'null'], description: 'IDCC sur 4 chiffres' },
      effectif: { type: ['integer', 'null'], minimum: 0 },
    },
  },
  RechercheAdherents: {
    type: 'object',
    required: ['adherents', 'plusDeResultats'],
    properties: {
      adherents: { type: 'array', items: ref('Adherent'), maxItems: 20, description: 'Par raison sociale, 20 au plus' },
      plusDeResultats: { type: 'boolean', description: 'D’autres adhérents répondent : préciser la recherche' },
    },
  },
  ImportAdherents: {
    type: 'object',
    required: ['importes', 'crees', 'misAJour'],
    properties: {
      importes: { type: 'integer', description: 'Lignes du fichier importées' },
      crees: { type: 'integer', description: 'Dont adhérents nouveaux' },
      misAJour: { type: 'integer', description: 'Dont adhérents existants remplacés' },
    },
  },
  ProfilCfaEnregistre: {
    allOf: [
      file('cfa-profil'),
      { type: 'object', required: ['misAJourLe'], properties: { misAJourLe: { type: 'string', format: 'date-time' } } },
    ],
  },
  EtatPropositionCode: { type: 'string', enum: [...ETATS_PROPOSITION] },
  ErreurOnglet: {
    allOf: [ref('Erreur'), { type: 'object', required: ['onglet'], properties: { onglet: { type: 'string', enum: [...ONGLETS] } } }],
  },
  ControleProposition: {
    type: 'object',
    description: 'Ce qui manque ou est erroné, par onglet du guide (le nombre s’affiche sur le bandeau de chaque onglet)',
    required: ['complet', 'nombreErreurs', 'onglets', 'avertissements'],
    properties: {
      complet: { type: 'boolean', description: 'Aucune erreur dans aucun onglet : la proposition peut être transmise à l’OPCO' },
      nombreErreurs: { type: 'integer' },
      onglets: {
        type: 'array',
        description: 'Les 9 onglets, dans l’ordre du guide',
        items: {
          type: 'object',
          required: ['onglet', 'libelle', 'nombreErreurs', 'erreurs'],
          properties: {
            onglet: { type: 'string', enum: [...ONGLETS] },
            libelle: { type: 'string' },
            nombreErreurs: { type: 'integer' },
            erreurs: { type: 'array', items: ref('ErreurOnglet') },
          },
        },
      },
      avertissements: { type: 'array', items: ref('Erreur') },
    },
  },
  LignePeriodeRemuneration: {
    type: 'object',
    required: ['ordre', 'dateDebut', 'dateFin', 'anneeContrat', 'age', 'tauxMinimal', 'typeSalaire', 'baseMensuelle', 'salaireBrutMensuel'],
    properties: {
      ordre: { type: 'string' }, dateDebut: { type: 'string', format: 'date' }, dateFin: { type: 'string', format: 'date' },
      anneeContrat: { type: 'integer' }, age: { type: 'integer' }, tauxMinimal: { type: 'number' }, typeSalaire: { type: 'string', enum: ['SMIC', 'SMC'] },
      baseMensuelle: { type: 'number' }, salaireBrutMensuel: { type: 'number' },
    },
  },
  Proposition: {
    type: 'object',
    required: ['id', 'etat', 'cerfa', 'dossier', 'motifRefus', 'creeLe', 'misAJourLe', 'controle', 'remunerationProposee', 'synthese'],
    properties: {
      id: { type: 'string', pattern: '^[0-9]{12}$', description: 'Numéro de la proposition' },
      etat: ref('EtatPropositionCode'),
      cerfa: { type: 'object', description: 'Le CERFA de la proposition, tel qu’enregistré (préremplissages compris)' },
      dossier: {
        type: ['object', 'null'],
        description: 'Le dossier créé à la transmission à l’OPCO',
        required: ['numeroInterne', 'numeroExterne'],
        properties: { numeroInterne: { type: 'string' }, numeroExterne: { type: 'string' } },
      },
      motifRefus: { type: ['string', 'null'] },
      creeLe: { type: 'string', format: 'date-time' },
      misAJourLe: { type: 'string', format: 'date-time' },
      controle: ref('ControleProposition'),
      prerempli: { type: 'array', items: { type: 'string' }, description: 'Champs remplis par le gateway à cet enregistrement (profil du CFA, registre des adhérents), en pointeurs JSON' },
      remunerationProposee: {
        type: ['array', 'null'], items: ref('LignePeriodeRemuneration'),
        description: 'Onglet Contrat : la rémunération minimale légale du simulateur, période par période (null tant que naissance et dates du contrat manquent)',
      },
      synthese: {
        oneOf: [{ type: 'null' }, ref('SyntheseProposition')],
        description: 'Onglet Synthèse : estimation (NPEC, engagement, échéancier) par le moteur de financement ; null tant que le CERFA ne satisfait pas le schéma',
      },
    },
  },
  SyntheseProposition: {
    type: 'object',
    description: 'Estimation : l’engagement définitif est calculé par l’OPCO à la prise en charge, avec les coûts de la convention',
    required: ['estimation', 'npec', 'engagement', 'echeances', 'explications'],
    properties: {
      estimation: { const: true },
      avertissement: { type: 'string' },
      npec: ref('NpecDossier'),
      engagement: { type: ['number', 'null'], description: 'Engagement estimé, en euros (null quand le moteur ne peut le calculer : explications)' },
      participationEmployeur: { type: 'number' },
      echeances: {
        type: 'array',
        items: {
          type: 'object',
          required: ['numero', 'type', 'anneeExecution', 'dateOuverture', 'dateDebut', 'dateFin', 'montant'],
          properties: {
            numero: { type: 'integer' }, type: { type: 'string' }, anneeExecution: { type: 'integer' },
            dateOuverture: { type: 'string', format: 'date' }, dateDebut: { type: 'string', format: 'date' }, dateFin: { type: 'string', format: 'date' },
            montant: { type: 'number', description: 'En euros' },
          },
        },
      },
      explications: { type: 'array', items: { type: 'string' } },
    },
  },
  LigneProposition: {
    type: 'object',
    required: ['id', 'etat', 'nom', 'prenom', 'du', 'au', 'entreprise', 'siretEmployeur', 'numeroDossier', 'numeroInterneDossier', 'misAJourLe'],
    properties: {
      id: { type: 'string' },
      etat: ref('EtatPropositionCode'),
      nom: { type: ['string', 'null'], description: 'Nom de naissance de l’apprenti(e)' },
      prenom: { type: ['string', 'null'] },
      du: { type: ['string', 'null'], format: 'date', description: 'Début du contrat' },
      au: { type: ['string', 'null'], format: 'date', description: 'Fin du contrat' },
      entreprise: { type: ['string', 'null'] },
      siretEmployeur: { type: ['string', 'null'] },
      numeroDossier: { type: ['string', 'null'], description: 'Numéro externe du dossier, une fois transmise à l’OPCO' },
      numeroInterneDossier: { type: ['string', 'null'] },
      misAJourLe: { type: 'string', format: 'date-time' },
    },
  },
  ListePropositions: {
    type: 'object',
    required: ['total', 'page', 'items'],
    properties: { total: { type: 'integer' }, page: { type: 'integer' }, items: { type: 'array', items: ref('LigneProposition') } },
  },
  FluxPropositions: {
    type: 'object',
    required: ['count', 'items', 'curseurSuivant', 'plusDeResultats'],
    properties: {
      count: { type: 'integer' },
      items: { type: 'array', items: ref('LigneProposition') },
      curseurSuivant: { type: 'string' },
      plusDeResultats: { type: 'boolean' },
    },
  },
  HistoriqueProposition: {
    type: 'object',
    required: ['id', 'etat', 'historique'],
    properties: {
      id: { type: 'string' },
      etat: ref('EtatPropositionCode'),
      historique: {
        type: 'array',
        items: {
          type: 'object',
          required: ['evenement', 'etat', 'date', 'acteur', 'champsModifies', 'commentaire'],
          properties: {
            evenement: { type: 'string' },
            etat: ref('EtatPropositionCode'),
            date: { type: 'string', format: 'date-time' },
            acteur: { type: 'string', description: 'cfa:<siren> ou entreprise:<siren>' },
            champsModifies: { type: 'array', items: { type: 'string' }, description: 'Pointeurs JSON des champs changés (jamais leurs valeurs)' },
            commentaire: { type: ['string', 'null'] },
          },
        },
      },
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
  ResultatSimulation: {
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
    required: ['numeroInterneFacture', 'numeroInterneDocument', 'avertissements'],
    properties: {
      numeroInterneFacture: { type: 'string' },
      numeroInterneDocument: { type: 'string', description: 'Le PDF, document FACTURE de la facture' },
      avertissements: { type: 'array', items: ref('Erreur'), description: 'Non bloquants : codification d’échéance transmise par son seul numéro (« 1 » lu comme A1, CODIFICATION_CONVERTIE), conversions de types' },
    },
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
  PageFacturesBackOffice: {
    type: 'object',
    required: ['total', 'count', 'page', 'factures'],
    properties: {
      total: { type: 'integer' },
      count: { type: 'integer' },
      page: { type: 'integer' },
      factures: {
        type: 'array',
        items: { allOf: [ref('EtatFacture'), { type: 'object', required: ['cfaSiren', 'recueLe'], properties: { cfaSiren: { type: 'string' }, recueLe: { type: 'string', format: 'date-time' } } }] },
      },
    },
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
  SoldeDeclare: {
    type: 'object',
    required: ['numeroInterneDeclaration', 'numeroInterneDossier', 'etat', 'montantLibere', 'dossierEtat', 'declareeLe'],
    properties: {
      numeroInterneDeclaration: { type: 'string', description: 'Numéro interne de la déclaration (12 chiffres)' },
      numeroInterneDossier: { type: 'string' },
      etat: { type: 'string', enum: ['EN_ATTENTE', 'SOLDE'], description: 'EN_ATTENTE tant qu’une facture ou un remboursement du dossier est en cours ; SOLDE une fois le dossier soldé' },
      montantLibere: { type: 'number', description: 'Engagement libéré (échéances et frais annexes non facturés), en euros' },
      dossierEtat: ref('EtatDossierCode'),
      declareeLe: { type: 'string', format: 'date-time' },
    },
  },
  Facturation: {
    type: 'object',
    description: 'Brouillon d’une facture à l’OPCO (« Facturation à l’OPCO »), enregistré à chaque étape',
    required: ['id', 'etat', 'etape', 'nature', 'dossiers', 'lignes', 'nombreDossiers', 'montantTotal', 'numeroInterneFacture', 'pourDeposer', 'creeeLe', 'miseAJourLe', 'deposeeLe'],
    properties: {
      id: { type: 'string', description: 'Numéro interne de la facturation (12 chiffres), le `{id}` des routes' },
      etat: { type: 'string', enum: [...ETATS_FACTURATION] },
      etape: { type: 'integer', enum: [1, 2, 3], description: 'Dernière étape enregistrée : 1 dossiers et nature, 2 échéances, 3 déposée' },
      nature: { type: 'string', enum: [...NATURES_FACTURATION], description: 'COUT_PEDAGOGIQUE : lignes PEDAGOGIE et MAJORATION_RQTH ; sinon une nature de frais annexes' },
      dossiers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['numeroInterne', 'numeroExterne', 'apprenti', 'echeancesOuvertes'],
          properties: {
            numeroInterne: { type: 'string' },
            numeroExterne: { type: 'string' },
            apprenti: { type: 'object', required: ['nom', 'prenom'], properties: { nom: { type: ['string', 'null'] }, prenom: { type: ['string', 'null'] } } },
            echeancesOuvertes: {
              type: 'array',
              description: 'Tant que la facturation est EN_COURS : les échéances facturables aujourd’hui dans cette nature (ouvertes, avec un reste, sans facture en cours ni autre facturation dessus)',
              items: {
                type: 'object',
                required: ['numeroEcheance', 'codification', 'reste', 'certificatRequis'],
                properties: {
                  numeroEcheance: { type: 'integer' },
                  codification: { type: 'string' },
                  reste: { type: 'number', description: 'En euros : reste de l’échéance (pédagogie + RQTH), ou de l’enveloppe de frais annexes' },
                  quantiteDisponible: { type: 'integer', description: 'Repas ou nuitées encore engagés (RESTAURATION, HEBERGEMENT)' },
                  certificatRequis: { type: 'boolean', description: 'Le dépôt exigera un certificat de réalisation pour cette échéance' },
                },
              },
            },
          },
        },
      },
      lignes: {
        type: 'array',
        description: 'Les lignes de la future facture, dans leur ordre (`/lignes/i` des erreurs du dépôt)',
        items: {
          type: 'object',
          required: ['numeroInterneDossier', 'numeroExterneDossier', 'numeroEcheance', 'codification', 'nature', 'quantite', 'montant'],
          properties: {
            numeroInterneDossier: { type: 'string' },
            numeroExterneDossier: { type: 'string' },
            numeroEcheance: { type: 'integer' },
            codification: { type: 'string' },
            nature: { type: 'string', enum: [...NATURES_LIGNE] },
            quantite: { type: 'integer' },
            montant: { type: 'number', description: 'En euros' },
          },
        },
      },
      nombreDossiers: { type: 'integer' },
      montantTotal: { type: 'number', description: 'Somme des lignes, en euros' },
      numeroInterneFacture: { type: ['string', 'null'], description: 'La facture créée au dépôt' },
      pourDeposer: {
        type: 'object',
        description: 'Ce que l’étape 3 demande encore',
        required: ['pret', 'motifs', 'certificatRealisationRequis'],
        properties: {
          pret: { type: 'boolean' },
          motifs: { type: 'array', items: { type: 'string' }, description: 'Pourquoi le dépôt n’est pas encore possible' },
          certificatRealisationRequis: { type: 'boolean', description: 'Une échéance exige un certificat de réalisation : estCertificatRealisation au dépôt, ou POST /v2/certificats avant' },
        },
      },
      creeeLe: { type: 'string', format: 'date-time' },
      miseAJourLe: { type: 'string', format: 'date-time' },
      deposeeLe: { type: ['string', 'null'], format: 'date-time' },
      avertissements: { type: 'array', items: ref('Erreur') },
    },
  },
  FacturationDeposee: {
    allOf: [ref('Facturation'), {
      type: 'object',
      required: ['numeroInterneFacture', 'numeroInterneDocument', 'avertissements'],
      properties: {
        numeroInterneFacture: { type: 'string' },
        numeroInterneDocument: { type: 'string', description: 'Le PDF, document FACTURE de la facture' },
        avertissements: { type: 'array', items: ref('Erreur') },
      },
    }],
  },
  CleCreee: { allOf: [ref('Cle'), { type: 'object', required: ['cle'], properties: { cle: { type: 'string', description: 'La clé, affichée une seule fois' } } }] },

  // ----------------------------------------------------------------- pilotage, états de suivi
  CompteurAction: {
    type: 'object',
    required: ['nombre', 'liste'],
    properties: { nombre: { type: 'integer' }, liste: { type: 'string', description: 'Route de la liste (son `total` égale `nombre`)' } },
  },
  ActionsAMener: {
    type: 'object',
    required: ['dossiersEnAttenteMiseEnConformite', 'facturesEnAttenteMiseEnConformite', 'remboursementsAEmettre', 'dossiersAFacturer', 'dossiersEchusATraiter'],
    properties: Object.fromEntries(['dossiersEnAttenteMiseEnConformite', 'facturesEnAttenteMiseEnConformite', 'remboursementsAEmettre', 'dossiersAFacturer', 'dossiersEchusATraiter']
      .map((name) => [name, ref('CompteurAction')])),
  },
  DossierSuivi: {
    type: 'object',
    required: ['numeroInterne', 'numeroExterne', 'etat', 'libelleEtat', 'typeDossier', 'origine', 'apprenti', 'employeur', 'periode', 'recuLe'],
    properties: {
      numeroInterne: { type: 'string' },
      numeroExterne: { type: 'string' },
      numeroDeca: { type: ['string', 'null'] },
      etat: ref('EtatDossierCode'),
      libelleEtat: { type: 'string' },
      typeDossier: { type: 'string', enum: ['CONTRAT_INITIAL', 'SUCCESSION', 'AVENANT'] },
      libelleTypeDossier: { type: 'string' },
      typeContratApp: { type: 'integer' },
      origine: { type: 'string', enum: ['API_CFA', 'SAISIE_OPCO', 'ENTREPRISE'] },
      libelleOrigine: { type: 'string' },
      apprenti: { type: 'object', properties: { nom: { type: ['string', 'null'] }, prenom: { type: ['string', 'null'] } } },
      employeur: { type: 'object', properties: { siret: { type: 'string' }, denomination: { type: ['string', 'null'] } } },
      diplome: { type: 'object', properties: { intitule: { type: ['string', 'null'] }, codeDiplome: { type: ['string', 'null'] } } },
      periode: { type: 'object', properties: { du: { type: 'string', format: 'date' }, au: { type: ['string', 'null'] } } },
      recuLe: { type: 'string', format: 'date-time', description: 'Transmis (par API CFA, l’entreprise ou l’OPCO) le' },
      misAJourLe: { type: 'string', format: 'date-time' },
      miseEnConformite: { type: 'boolean', description: 'L’OPCO attend une correction du CFA' },
      commentaireEtat: { type: ['string', 'null'] },
    },
  },
  FactureSuivi: {
    type: 'object',
    required: ['numeroInterneFacture', 'referenceFactureCFA', 'etat', 'etablissement', 'type', 'montantHT', 'montantTTC', 'dateEmission'],
    properties: {
      numeroInterneFacture: { type: 'string' },
      referenceFactureCFA: { type: 'string' },
      etat: ref('EtatFactureCode'),
      libelleEtat: { type: 'string' },
      etablissement: { type: 'string', description: 'SIRET de l’établissement émetteur' },
      type: { type: 'string', enum: ['COUT_CONTRAT', 'FRAIS_ANNEXES', 'MIXTE'] },
      libelleType: { type: 'string' },
      montantHT: { type: 'number' },
      montantTTC: { type: 'number', description: 'Égal au HT : les factures des CFA à l’OPCO sont sans TVA (docs/decisions/pilotage.md)' },
      montantRegle: { type: 'number' },
      dateEmission: { type: 'string', format: 'date' },
      recueLe: { type: 'string', format: 'date-time' },
      dateValidation: { type: ['string', 'null'], format: 'date-time' },
      dateReglement: { type: ['string', 'null'], format: 'date' },
      referenceReglement: { type: ['string', 'null'] },
      commentaire: { type: ['string', 'null'] },
    },
  },
  EcheanceDossier: {
    type: 'object',
    description: 'Une échéance de l’échéancier du dossier (norme §5.6), montants en euros. Reste à facturer : montantTotal − montantRegle − montantEnCoursInstruction.',
    required: ['numero', 'codification', 'type', 'dateOuverture', 'montantTotal', 'dontMontantPedagogie', 'dontMajorationRqth', 'montantRegle', 'montantEnCoursInstruction', 'exigeCertificat', 'statut'],
    properties: {
      numero: { type: 'integer' },
      codification: { type: 'string' },
      type: { type: 'string' },
      dateOuverture: { type: 'string', format: 'date' },
      dateDebut: { type: 'string', format: 'date' },
      dateFin: { type: 'string', format: 'date' },
      montantTotal: { type: 'number' },
      dontMontantPedagogie: { type: 'number' },
      dontMajorationRqth: { type: 'number' },
      montantRegle: { type: 'number' },
      montantEnCoursInstruction: { type: 'number' },
      dateLimiteFacturation: { type: ['string', 'null'], format: 'date' },
      exigeCertificat: { type: 'boolean' },
      statut: { type: 'string' },
      siretCfa: { type: ['string', 'null'] },
    },
  },
  EcheanceAFacturer: {
    type: 'object',
    required: ['numeroEcheance', 'codification', 'dateOuverture', 'montantTotal', 'resteAFacturer'],
    properties: {
      numeroEcheance: { type: 'integer' },
      codification: { type: 'string' },
      type: { type: 'string' },
      dateOuverture: { type: 'string', format: 'date' },
      dateDebut: { type: 'string', format: 'date' },
      dateFin: { type: 'string', format: 'date' },
      dateLimiteFacturation: { type: ['string', 'null'], format: 'date' },
      montantTotal: { type: 'number' },
      montantRegle: { type: 'number' },
      montantEnCoursInstruction: { type: 'number' },
      resteAFacturer: { type: 'number' },
      exigeCertificat: { type: 'boolean' },
    },
  },
  DossierEchu: {
    allOf: [ref('DossierSuivi'), {
      type: 'object',
      required: ['finPeriodeFacturation', 'motifs', 'resteAFacturer', 'certificatManquant'],
      properties: {
        finPeriodeFacturation: { type: 'string', format: 'date' },
        motifs: { type: 'array', items: { type: 'string', enum: ['RESTE_A_FACTURER', 'CERTIFICAT_MANQUANT'] } },
        resteAFacturer: { type: 'number' },
        certificatManquant: { type: 'boolean' },
        marqueLe: { type: ['string', 'null'], format: 'date-time' },
      },
    }],
  },
  FacturationSuivi: {
    type: 'object',
    required: ['id', 'etat', 'etape', 'nature', 'nombreDossiers', 'montantTotal'],
    properties: {
      id: { type: 'string' }, etat: { type: 'string' }, etape: { type: 'integer' }, nature: { type: 'string' }, nombreDossiers: { type: 'integer' },
      montantTotal: { type: 'number' }, numeroInterneFacture: { type: ['string', 'null'] }, referenceFactureCFA: { type: ['string', 'null'] },
      creeeLe: { type: ['string', 'null'] }, miseAJourLe: { type: ['string', 'null'] }, deposeeLe: { type: ['string', 'null'] },
    },
  },
  DeclarationSoldeSuivi: {
    allOf: [ref('DossierSuivi'), {
      type: 'object',
      required: ['numeroInterneDeclaration', 'etatDeclaration', 'montantLibere', 'declareeLe'],
      properties: {
        numeroInterneDeclaration: { type: 'string' }, etatDeclaration: { type: 'string', enum: ['EN_ATTENTE', 'SOLDE'] }, commentaire: { type: ['string', 'null'] },
        montantLibere: { type: 'number' }, declareeLe: { type: 'string' }, soldeeLe: { type: ['string', 'null'] },
      },
    }],
  },
  DossierAFacturer: {
    allOf: [ref('DossierSuivi'), {
      type: 'object',
      required: ['nombreEcheancesOuvertes', 'premiereOuverture', 'resteAFacturer', 'echeances'],
      properties: {
        nombreEcheancesOuvertes: { type: 'integer' },
        premiereOuverture: { type: 'string', format: 'date' },
        resteAFacturer: { type: 'number' },
        echeances: { type: 'array', items: ref('EcheanceAFacturer') },
      },
    }],
  },
  Webhook: {
    type: 'object',
    required: ['id', 'url', 'evenements', 'actif', 'creeLe'],
    properties: {
      id: { type: 'string' },
      url: { type: 'string' },
      evenements: { type: ['array', 'null'], items: { type: 'string' }, description: 'Types d’événements reçus ; null : tous' },
      actif: { type: 'boolean' },
      motifDesactivation: { type: ['string', 'null'], enum: ['ECHECS_REPETES', 'PROPRIETAIRE', null], description: 'ECHECS_REPETES : désactivé après 24 h d’échecs sans aucun succès ; PROPRIETAIRE : par son propriétaire' },
      desactiveLe: { type: ['string', 'null'], format: 'date-time' },
      dernierSuccesLe: { type: ['string', 'null'], format: 'date-time' },
      creeLe: { type: 'string', format: 'date-time' },
    },
  },
  WebhookCree: {
    allOf: [ref('Webhook'), { type: 'object', required: ['secret'], properties: { secret: { type: 'string', description: 'Secret de signature Standard Webhooks (whsec_…), affiché une seule fois' } } }],
  },
  LivraisonWebhook: {
    type: 'object',
    required: ['id', 'etat', 'tentatives', 'creeLe'],
    properties: {
      id: { type: 'string' },
      etat: { type: 'string', enum: ['EN_ATTENTE', 'LIVREE', 'ECHEC'] },
      tentatives: { type: 'integer' },
      prochaineTentative: { type: ['string', 'null'], format: 'date-time' },
      creeLe: { type: 'string', format: 'date-time' },
      evenement: {
        type: 'object',
        required: ['id', 'type', 'creeLe'],
        properties: { id: { type: 'string', description: 'webhook-id (identique à chaque tentative et à chaque rejeu)' }, type: { type: 'string' }, creeLe: { type: 'string', format: 'date-time' } },
      },
      historique: {
        type: 'array',
        items: {
          type: 'object',
          required: ['tenteeLe', 'succes', 'dureeMs'],
          properties: {
            tenteeLe: { type: 'string', format: 'date-time' }, succes: { type: 'boolean' }, codeHttp: { type: ['integer', 'null'] },
            dureeMs: { type: 'integer' }, erreur: { type: ['string', 'null'] },
          },
        },
      },
    },
  },
  PageLivraisonsWebhook: {
    type: 'object',
    required: ['total', 'page', 'items'],
    properties: { total: { type: 'integer' }, page: { type: 'integer' }, items: { type: 'array', items: ref('LivraisonWebhook') } },
  },
  EvenementTestWebhook: {
    type: 'object',
    required: ['evenement'],
    properties: { evenement: { type: 'string', description: 'Identifiant interne de l’événement de test' } },
  },
  RejeuWebhookLance: {
    type: 'object',
    required: ['livraisons'],
    properties: { livraisons: { type: 'integer', description: 'Nombre d’événements remis en file' } },
  },
};

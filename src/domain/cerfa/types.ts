/**
 * The CERFA FA13 (10103) contract as the domain sees it, after JSON-Schema validation and
 * normalisation (src/domain/cerfa/normalize.ts):
 * - every date is a calendar date `YYYY-MM-DD` (a date-time with offset is reduced to its local date);
 * - every code is a number (clients send 11 or "11"), except `derniereClasse`, kept as a 2-char string
 *   ("01", "11"…) because its leading zero is meaningful;
 * - `employeurV2` is read as `employeur`;
 * - optional fields are `undefined` when absent or null.
 * Field names are exactly those of the norm (../shared/reference/norme-api-cfa.md §5.1).
 */
export type IsoDate = string; // YYYY-MM-DD

export interface Adresse {
  numero?: number;
  repetitionVoie?: string;
  voie?: string;
  adresse1?: string;
  adresse2?: string;
  complement?: string;
  codePostal?: string;
  commune?: string;
  departement?: string;
  region?: string;
  pays?: string;
}

export interface Employeur {
  denomination: string;
  nom?: string;
  prenom?: string;
  siret: string;
  naf: string;
  nombreDeSalaries: number;
  codeIdcc: string;
  libelleIdcc?: string;
  telephone?: string;
  courriel?: string;
  adresse: Adresse;
  typeEmployeur: number;
  employeurSpecifique?: number;
  caisseComplementaire?: string;
  regimeSpecifique?: boolean;
  attestationEligibilite?: boolean;
  attestationPieces?: boolean;
  privePublic?: string;
}

export interface ResponsableLegal {
  nom?: string;
  prenom?: string;
  courriel?: string;
  adresse?: Adresse;
}

export interface Apprenti {
  nom: string;
  nomUsage?: string;
  prenom: string;
  sexe: 'M' | 'F';
  dateNaissance: IsoDate;
  departementNaissance?: string;
  communeNaissance?: string;
  nationalite: number;
  nir?: string;
  regimeSocial: number;
  handicap: boolean;
  droitsRqthEquivalenceJeune?: boolean;
  droitsRqthExtensionBOE?: boolean;
  situationAvantContrat: number;
  diplome: number;
  diplomePrepare: number;
  intituleDiplomePrepare?: string;
  derniereClasse: string;
  telephone?: string;
  courriel?: string;
  adresse: Adresse;
  responsableLegal?: ResponsableLegal;
  /** A minor apprentice under a legal representative; `false` declares an emancipated minor (no representative needed). */
  apprentiMineurNonEmancipe?: boolean;
  inscriptionSportifDeHautNiveau?: boolean;
  projetCreationRepriseEntreprise?: boolean;
}

export interface Maitre {
  nom?: string;
  prenom?: string;
  dateNaissance?: IsoDate;
  nir?: string;
  courriel?: string;
  emploiOccupe?: string;
  intituleDiplomeObtenu?: string;
  niveauDiplomeObtenu?: number;
}

export interface RemunerationAnnuelle {
  ordre: string; // "1.1" … "4.2"
  dateDebut: IsoDate;
  dateFin: IsoDate;
  taux: number; // % of the base, may have decimals
  typeSalaire: 'SMIC' | 'SMC';
}

export interface Contrat {
  modeContractuel?: number;
  typeContratApp: number;
  numeroContratPrecedent?: string;
  noContrat?: string;
  noAvenant?: string;
  dateConclusion: IsoDate;
  dateDebutContrat: IsoDate;
  dateFormationPratiqueEmployeur?: IsoDate;
  dateFinContrat: IsoDate;
  dateEffetAvenant?: IsoDate;
  dateRupture?: IsoDate;
  lieuSignatureContrat?: string;
  typeDerogation?: number;
  dureeTravailHebdoHeures: number;
  dureeTravailHebdoMinutes?: number;
  travailRisque?: boolean;
  salaireEmbauche?: number;
  /** Salaire minimum conventionnel (monthly, euros), when the branch has one. */
  smc?: number;
  avantageNourriture?: number;
  avantageLogement?: number;
  autreAvantageEnNature?: boolean;
  remunerationsAnnuelles: RemunerationAnnuelle[];
}

export interface Formation {
  rncp: string;
  codeDiplome?: string;
  typeDiplome: number;
  intituleQualification: string;
  dateDebutFormation: IsoDate;
  dateFinFormation: IsoDate;
  dureeFormation: number;
  nombreHeuresEnDistanciel?: number;
}

export interface OrganismeFormation {
  denomination: string;
  formationInterne?: boolean;
  siret: string;
  uaiCfa: string;
  visaCfa?: boolean;
  adresse: Adresse;
  lieuFormationIdentique?: boolean;
}

export interface LieuFormation {
  denomination?: string;
  siret?: string;
  uaiCfa?: string;
  adresse?: Adresse;
}

export interface Cerfa {
  versionCERFA?: string;
  CERFASignatureProbante?: boolean;
  employeur: Employeur;
  apprenti: Apprenti;
  maitre1: Maitre;
  maitre2?: Maitre;
  contrat: Contrat;
  formation: Formation;
  organismeFormation: OrganismeFormation;
  organismeFormationLieuFormationPrincipal?: LieuFormation;
}

/**
 * Sample CERFA payloads, deterministic by seed: the tests' fixture (test/fixtures/cerfa.ts
 * re-exports it) and the demo data set (`npm run demo`, src/services/demo-data.ts). A complete,
 * realistic `POST /dossiers` body that passes the JSON Schema AND the legal business rules
 * (cerfa-model §3, §4): by default a 2-year BTS contract from 2025-09-01 to 2027-08-31, concluded
 * on 2025-08-20, for an apprentice aged 18 to 20 at the start, pay grid at the exact legal minimum.
 *
 * The seed changes the apprentice (name, sex, birth date and place, NIR with a correct key, phone,
 * e-mail) and the maître d'apprentissage; the employer and the CFA stay the same (the CFA's SIREN
 * is the one a test or demo CFA key is issued for). Like real clients, some dates are ISO
 * date-times with an offset and others plain dates; some codes are numeric strings.
 */
import {
  addDays, addYears, firstDayOfNextMonth, fromEpochDay, minDate, parts, toEpochDay,
} from '../dates.js';
import { isSiren, luhnValid, nirKey } from '../formats.js';
import { smicMensuelAt } from '../remuneration/smic.js';
import type { IsoDate } from './types.js';

/** Appends the digit that makes `digits` pass the Luhn check. */
export function withLuhnKey(digits: string): string {
  for (let k = 0; k <= 9; k++) if (luhnValid(`${digits}${k}`)) return `${digits}${k}`;
  throw new RangeError(`no Luhn key for ${digits}`); // unreachable for a digit string
}

/**
 * A valid SIRET for `siren`: the establishment sequence number `nic` (0-9999, leading zeros
 * ignored: 12, "12" and "00012" are the same) on 4 digits, then the digit that makes the 14 digits
 * pass Luhn. Throws on an invalid SIREN so that test data stays realistic.
 */
export function siretForSiren(siren: string, nic: number | string = 1): string {
  if (!isSiren(siren)) throw new RangeError(`not a valid SIREN: ${siren}`);
  const sequence = Number(nic);
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 9999) throw new RangeError(`nic must be an integer 0-9999: ${nic}`);
  return withLuhnKey(`${siren}${String(sequence).padStart(4, '0')}`);
}

export const FIXTURE_CFA_SIREN = '778899112';
export const FIXTURE_CFA_SIRET = siretForSiren(FIXTURE_CFA_SIREN, 1); // 77889911200016
export const FIXTURE_CFA_UAI = '0693456G'; // 693456 mod 23 = 6 → G
export const FIXTURE_EMPLOYEUR_SIRET = siretForSiren('812345676', 17); // 81234567600173

/** The dates of a sample contract (plain dates). */
export interface SampleContrat {
  dateConclusion: IsoDate;
  dateDebutContrat: IsoDate;
  dateFinContrat: IsoDate;
  dateDebutFormation: IsoDate;
  dateFinFormation: IsoDate;
}

/**
 * A 2-year contract starting on `debut`: concluded 12 days before, training from the 8th day to
 * 60 days before the end.
 */
export function sampleContrat(debut: IsoDate): SampleContrat {
  const fin = addDays(addYears(debut, 2), -1);
  return {
    dateConclusion: addDays(debut, -12),
    dateDebutContrat: debut,
    dateFinContrat: fin,
    dateDebutFormation: addDays(debut, 7),
    dateFinFormation: addDays(fin, -60),
  };
}

/** The default contract: 2025-09-01 → 2027-08-31, concluded 2025-08-20. */
export const FIXTURE_CONTRAT: Readonly<SampleContrat> = Object.freeze(sampleContrat('2025-09-01'));

/** D6222-26 minimum rates (% of SMIC) by contract year and age band (<18, 18-20, 21-25, 26+). */
const GRID: Record<number, readonly number[]> = {
  1: [27, 43, 53, 100],
  2: [39, 51, 61, 100],
  3: [55, 67, 78, 100],
  4: [55, 67, 78, 100],
};

const LAST_NAMES = [
  'Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent',
  'Simon', 'Michel', 'Lefèvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard',
  'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Muller', 'Faure', 'André', 'Mercier',
];
const FIRST_NAMES = {
  M: ['Lucas', 'Hugo', 'Louis', 'Nathan', 'Enzo', 'Théo', 'Arthur', 'Jules', 'Tom', 'Raphaël',
    'Gabriel', 'Léo', 'Adam', 'Noah', 'Paul', 'Mathis', 'Yanis', 'Maël', 'Sacha', 'Mohamed'],
  F: ['Emma', 'Léa', 'Chloé', 'Manon', 'Camille', 'Inès', 'Jade', 'Sarah', 'Louise', 'Zoé',
    'Alice', 'Lina', 'Rose', 'Anna', 'Mila', 'Ambre', 'Juliette', 'Lou', 'Nina', 'Yasmine'],
} as const;
const MAITRE_FIRST_NAMES = ['Sophie', 'Nicolas', 'Isabelle', 'Julien', 'Nathalie', 'Olivier', 'Céline', 'Pierre', 'Aurélie', 'Karim'];
/** Metropolitan birth départements (2 chars, as in the NIR), Corsica included for the 2A key rule. */
const BIRTH_PLACES = [
  ['75', 'Paris'], ['69', 'Lyon'], ['13', 'Marseille'], ['33', 'Bordeaux'], ['59', 'Lille'],
  ['44', 'Nantes'], ['38', 'Grenoble'], ['2A', 'Ajaccio'], ['67', 'Strasbourg'], ['31', 'Toulouse'],
] as const;

/** Small deterministic PRNG (mulberry32) so that a seed always gives the same payload. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(list: readonly T[], index: number): T {
  return list[((index % list.length) + list.length) % list.length] as T;
}

function ascii(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z]/g, '');
}

/** Birth date 18-20 at start, adult at conclusion (2004-09-10 to 2007-08-15 for a 2025-09-01 start), never a 1st. */
function birthDate(random: () => number, debut: IsoDate): string {
  const from = toEpochDay(addDays(addYears(debut, -21), 9));
  const to = toEpochDay(addDays(addYears(debut, -18), -17));
  const date = fromEpochDay(from + Math.floor(random() * (to - from + 1)));
  return parts(date).day === 1 ? addDays(date, 1) : date;
}

function nirFor(sexe: 'M' | 'F', birth: string, departement: string, commune: number, ordre: number): string {
  const { year, month } = parts(birth);
  const first13 = `${sexe === 'M' ? 1 : 2}${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}`
    + `${departement}${String(commune).padStart(3, '0')}${String(ordre).padStart(3, '0')}`;
  return first13 + nirKey(first13);
}

interface Ligne {
  ordre: string;
  dateDebut: string;
  dateFin: string;
  taux: number;
  typeSalaire: 'SMIC';
}

/** Legal age band on a date: a band starts on the 1st of the month after the 18th/21st/26th birthday (D6222-31). */
function bandOn(birth: string, date: string): number {
  return [18, 21, 26].filter((age) => firstDayOfNextMonth(addYears(birth, age)) <= date).length;
}

/** Pay grid at the legal minimum: one line per contract year, split when the age band changes. */
export function minimumRemunerations(birth: string, debut: string, fin: string): Ligne[] {
  const lines: Ligne[] = [];
  for (let year = 1; year <= 4; year++) {
    const yearStart = addYears(debut, year - 1);
    if (yearStart > fin) break;
    const yearEnd = minDate(addDays(addYears(debut, year), -1), fin);
    let start = yearStart;
    let period = 1;
    for (const age of [18, 21, 26]) {
      const change = firstDayOfNextMonth(addYears(birth, age));
      if (change > start && change <= yearEnd) {
        lines.push({ ordre: `${year}.${period}`, dateDebut: start, dateFin: addDays(change, -1), taux: GRID[year]?.[bandOn(birth, start)] ?? 100, typeSalaire: 'SMIC' });
        start = change;
        period += 1;
      }
    }
    lines.push({ ordre: `${year}.${period}`, dateDebut: start, dateFin: yearEnd, taux: GRID[year]?.[bandOn(birth, start)] ?? 100, typeSalaire: 'SMIC' });
  }
  return lines;
}

/**
 * A complete, valid `POST /dossiers` body for `seed` (see the file's comment); `contrat` moves the
 * contract's dates (default FIXTURE_CONTRAT), the apprentice's birth date and pay follow.
 */
export function sampleCerfaPayload(seed = 1, contrat: SampleContrat = FIXTURE_CONTRAT): { cerfa: Record<string, unknown> } {
  const random = prng(seed * 7919 + 17);
  const index = Math.abs(Math.trunc(seed) - 1);
  const sexe = index % 2 === 0 ? 'M' : 'F';
  const nom = pick(LAST_NAMES, index);
  // (index mod 30, index div 30) is unique, so (nom, prénom) is distinct for seeds 1..600.
  const prenom = pick(FIRST_NAMES[sexe], index + Math.floor(index / LAST_NAMES.length));
  const naissance = birthDate(random, contrat.dateDebutContrat);
  const [departementNaissance, communeNaissance] = pick(BIRTH_PLACES, Math.floor(random() * BIRTH_PLACES.length));
  const nir = nirFor(sexe, naissance, departementNaissance, 1 + Math.floor(random() * 890), (index % 999) + 1);
  const remunerations = minimumRemunerations(naissance, contrat.dateDebutContrat, contrat.dateFinContrat);
  const salaireEmbauche = Math.ceil((smicMensuelAt(contrat.dateDebutContrat) * (remunerations[0]?.taux ?? 0)) / 100) / 100;
  const maitreNom = pick(LAST_NAMES, index + 11);
  const maitrePrenom = pick(MAITRE_FIRST_NAMES, Math.floor(index / LAST_NAMES.length) + index);
  const maitreNaissance = fromEpochDay(toEpochDay('1972-01-01') + Math.floor(random() * 7000));

  return {
    cerfa: {
      versionCERFA: '10103*14',
      CERFASignatureProbante: true,
      etat: 'TRANSMIS',
      commentaireEtat: '',
      employeur: {
        denomination: 'Numérisia SAS',
        nom: 'Garnier',
        prenom: 'Hélène',
        siret: FIXTURE_EMPLOYEUR_SIRET,
        naf: '62.02A',
        nombreDeSalaries: 45,
        codeIdcc: '1486',
        libelleIdcc: 'Bureaux d\'études techniques, cabinets d\'ingénieurs-conseils et sociétés de conseils (Syntec)',
        telephone: '04 72 10 20 30',
        courriel: 'rh@numerisia.example.org',
        adresse: { adresse1: '12 rue de la République', codePostal: '69002', commune: 'Lyon' },
        typeEmployeur: 12,
        employeurSpecifique: 0,
        caisseComplementaire: 'Malakoff Humanis Agirc-Arrco',
        attestationEligibilite: true,
        attestationPieces: true,
      },
      apprenti: {
        nom,
        nomUsage: null,
        prenom,
        sexe,
        dateNaissance: `${naissance}T00:00:00+0000`,
        departementNaissance,
        communeNaissance,
        nationalite: '1',
        nir,
        regimeSocial: 2,
        handicap: false,
        droitsRqthEquivalenceJeune: false,
        droitsRqthExtensionBOE: false,
        situationAvantContrat: 1,
        diplome: 41,
        diplomePrepare: 41,
        intituleDiplomePrepare: 'Baccalauréat professionnel Systèmes numériques',
        derniereClasse: '01',
        telephone: `06${String(12_000_000 + index * 37).padStart(8, '0')}`,
        courriel: `${ascii(prenom)}.${ascii(nom)}${index}@example.org`,
        adresse: { numero: 8 + (index % 40), voie: 'rue des Lilas', codePostal: '69007', commune: 'Lyon', pays: 'FR' },
        responsableLegal: null,
        apprentiMineurNonEmancipe: false,
        inscriptionSportifDeHautNiveau: false,
        projetCreationRepriseEntreprise: false,
      },
      maitre1: {
        nom: maitreNom,
        prenom: maitrePrenom,
        dateNaissance: maitreNaissance,
        courriel: `${ascii(maitrePrenom)}.${ascii(maitreNom)}@numerisia.example.org`,
        emploiOccupe: 'Responsable des développements',
        intituleDiplomeObtenu: 'Master informatique',
        niveauDiplomeObtenu: 7,
      },
      maitre2: null,
      contrat: {
        modeContractuel: 1,
        typeContratApp: 11,
        typeDerogation: null,
        noContrat: '',
        dateConclusion: `${contrat.dateConclusion}T00:00:00+02:00`,
        dateDebutContrat: `${contrat.dateDebutContrat}T00:00:00+02:00`,
        dateFormationPratiqueEmployeur: contrat.dateDebutContrat,
        dateFinContrat: `${contrat.dateFinContrat}T00:00:00+02:00`,
        lieuSignatureContrat: 'Lyon',
        dureeTravailHebdoHeures: 35,
        dureeTravailHebdoMinutes: 0,
        travailRisque: false,
        salaireEmbauche,
        autreAvantageEnNature: false,
        remunerationsAnnuelles: remunerations,
      },
      formation: {
        rncp: 'RNCP35340',
        codeDiplome: '32032002',
        typeDiplome: 54,
        intituleQualification: 'BTS Services informatiques aux organisations, option B : solutions logicielles et applications métiers',
        dateDebutFormation: contrat.dateDebutFormation,
        dateFinFormation: `${contrat.dateFinFormation}T00:00:00+02:00`,
        // 25 % rule: 0.25 × 1607 h × 2 years = 803.5 h at least
        dureeFormation: 1350,
        nombreHeuresEnDistanciel: 0,
      },
      organismeFormation: {
        denomination: 'CFA du Numérique Lyon Métropole',
        formationInterne: false,
        siret: FIXTURE_CFA_SIRET,
        uaiCfa: FIXTURE_CFA_UAI,
        visaCfa: true,
        adresse: { adresse1: '40 quai Paul Sédallian', codePostal: '69009', commune: 'Lyon' },
        lieuFormationIdentique: true,
      },
    },
  };
}

/**
 * Checks of an invoice against the échéancier of every dossier it names (norme-api-cfa.md §5.3,
 * financement.md §4 "Checks an OPCO applies"). Every failure is listed, each with the JSON pointer
 * of the field at fault (`/facture/lignes/2/montant`). Pure: the caller reads the snapshot
 * (ContexteFacture) under row locks and applies the result. Rules: docs/decisions/factures.md.
 */
import { calendarDateOf } from '../formats.js';
import { eurosToCents, FinancementError, formatEuros, type Cents } from '../financing/index.js';
import type { RuleOutcome, Section, Violation } from '../violation.js';
import { isIban, normalizeIban } from './iban.js';
import { partOfNature, quantiteDisponible, resteEcheance, resteFrais } from './reste.js';
import {
  isNatureEcheance, NATURES_A_QUANTITE, type ContexteFacture, type DossierSuivi, type EcheanceSuivie, type FactureDemandee, type LigneDemandee, type NatureLigne,
} from './types.js';

/** Dossier states in which invoices are accepted (RUPTURE: for what is still due). */
export const ETATS_DOSSIER_FACTURABLES: readonly string[] = ['ENGAGE', 'RUPTURE'];

/** How a nature is named in messages. */
export const LIBELLES_NATURE: Readonly<Record<NatureLigne, string>> = {
  PEDAGOGIE: 'pédagogie',
  MAJORATION_RQTH: 'majoration RQTH',
  RESTAURATION: 'restauration',
  HEBERGEMENT: 'hébergement',
  PREMIEREQUIPEMENT: 'premier équipement',
  MOBILITE: 'mobilité internationale',
};

function violation(code: string, description: string, champ: string): Violation {
  return { code, description, champ, section: 'facture' };
}

const ligneChamp = (i: number, champ?: string): string => `/facture/lignes/${i}${champ ? `/${champ}` : ''}`;

function frDate(date: string): string {
  return date.split('-').reverse().join('/');
}

// ---------------------------------------------------------------------------------- parsing

/** An amount in euros (> 0, exact cents) read into cents; MONTANT_INVALIDE at `champ` otherwise. */
export function readMontantCents(value: unknown, champ: string, violations: Violation[]): Cents | undefined {
  try {
    const c = eurosToCents(value as string | number);
    if (c <= 0) {
      violations.push(violation('MONTANT_INVALIDE', 'Le montant doit être strictement positif.', champ));
      return undefined;
    }
    return c;
  } catch (err) {
    if (err instanceof FinancementError) {
      violations.push(violation('MONTANT_INVALIDE', err.violation.description, champ));
      return undefined;
    }
    throw err;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Reads a `facture` object that passed facture.schema.json into cents and calendar dates. Amounts
 * that are not exact cents (or ≤ 0) are listed; the facture is returned only when all are readable.
 */
export function parseFacture(raw: Record<string, unknown>): { facture?: FactureDemandee; violations: Violation[] } {
  const violations: Violation[] = [];
  const total = readMontantCents(raw.montantTotal, '/facture/montantTotal', violations);
  const rawLignes = Array.isArray(raw.lignes) ? (raw.lignes as Array<Record<string, unknown>>) : [];
  const lignes: LigneDemandee[] = [];
  rawLignes.forEach((l, index) => {
    const montantCents = readMontantCents(l.montant, ligneChamp(index, 'montant'), violations);
    if (montantCents === undefined) return;
    const numeroDossier = text(l.numeroDossier);
    const numeroInterneDossier = text(l.numeroInterneDossier);
    const codificationEcheance = text(l.codificationEcheance);
    lignes.push({
      index,
      ...(numeroDossier ? { numeroDossier } : {}),
      ...(numeroInterneDossier ? { numeroInterneDossier } : {}),
      numeroEcheance: Number(l.numeroEcheance),
      ...(codificationEcheance ? { codificationEcheance } : {}),
      nature: l.natureLigne as NatureLigne,
      quantite: typeof l.quantite === 'number' ? l.quantite : 1,
      montantCents,
    });
  });
  if (violations.length || total === undefined) return { violations };
  const corrigee = text(raw.numeroInterneFactureCorrigee);
  return {
    violations,
    facture: {
      numero: String(raw.numero).trim(),
      dateEmission: calendarDateOf(String(raw.dateEmission)),
      montantTotalCents: total,
      ibanEmetteur: normalizeIban(String(raw.ibanEmetteur)),
      siretEmetteur: String(raw.siretEmetteur),
      estCertificatRealisation: raw.estCertificatRealisation === true,
      ...(corrigee ? { numeroInterneFactureCorrigee: corrigee } : {}),
      lignes,
    },
  };
}

// ----------------------------------------------------------------------------------- checks

/** Resolves the dossier a line names (numeroDossier: numeroExterne or numeroInterne; numeroInterneDossier). */
function dossierDeLigne(l: LigneDemandee, ctx: ContexteFacture, out: Violation[]): DossierSuivi | undefined {
  const parNumero = l.numeroDossier !== undefined ? ctx.dossiers.get(l.numeroDossier) : undefined;
  const parInterne = l.numeroInterneDossier !== undefined ? ctx.dossiers.get(l.numeroInterneDossier) : undefined;
  let ok = true;
  if (l.numeroDossier !== undefined && !parNumero) {
    out.push(violation('DOSSIER_INCONNU', `Aucun dossier ${l.numeroDossier} (numéro externe ou interne) pour ce CFA.`, ligneChamp(l.index, 'numeroDossier')));
    ok = false;
  }
  if (l.numeroInterneDossier !== undefined && !parInterne) {
    out.push(violation('DOSSIER_INCONNU', `Aucun dossier de numéro interne ${l.numeroInterneDossier} pour ce CFA.`, ligneChamp(l.index, 'numeroInterneDossier')));
    ok = false;
  }
  if (parNumero && parInterne && parNumero.id !== parInterne.id) {
    out.push(violation('DOSSIERS_INCOHERENTS', `numeroDossier (${l.numeroDossier}) et numeroInterneDossier (${l.numeroInterneDossier}) désignent deux dossiers différents.`, ligneChamp(l.index, 'numeroInterneDossier')));
    ok = false;
  }
  return ok ? (parNumero ?? parInterne) : undefined;
}

function champDossier(l: LigneDemandee): string {
  return ligneChamp(l.index, l.numeroDossier !== undefined ? 'numeroDossier' : 'numeroInterneDossier');
}

// ----------------------------------------------------------------------------- codification

/** A codification sent as the échéance's plain number (`"4"` for `A4`), as some CFA software writes it. */
const NUMERO_SEUL = /^[1-9][0-9]{0,2}$/;

/**
 * How a received codification reads against an échéance's codification (`A{n}`, docs/financing.md
 * §6.6): `'exacte'` when equal; `'numero'` when it is the plain number of that codification (`"4"`
 * for `A4`: accepted with a CODIFICATION_CONVERTIE warning); undefined when it does not name that
 * échéance. Nothing else is guessed (`"04"`, `"a4"`, `"A 4"` do not name A4).
 */
export function readCodification(recue: string, codification: string): 'exacte' | 'numero' | undefined {
  if (recue === codification) return 'exacte';
  if (NUMERO_SEUL.test(recue) && /^[A-Za-z]+$/.test(codification.slice(0, -recue.length)) && codification.endsWith(recue)) return 'numero';
  return undefined;
}

/** The warning of a codification read from a plain number. */
export function convertedCodificationWarning(recue: string, codification: string, numero: number, champ: string, section: Section, dossier?: string): Violation {
  const ou = dossier ? ` du dossier ${dossier}` : '';
  return {
    code: 'CODIFICATION_CONVERTIE',
    description: `Codification d'échéance reçue : « ${recue} » (numéro seul) ; lue comme ${codification}, l'échéance ${numero}${ou}. Transmettez la codification de l'échéancier (${codification}).`,
    champ,
    section,
  };
}

/** The codification sent on a line, against the échéance its numeroEcheance names: nothing, a warning, or an error. */
function controleCodification(l: LigneDemandee, e: EcheanceSuivie, dossier: DossierSuivi, out: Violation[], avertissements: Violation[]): void {
  const recue = l.codificationEcheance;
  if (recue === undefined) return;
  const champ = ligneChamp(l.index, 'codificationEcheance');
  const lecture = readCodification(recue, e.codification);
  if (lecture === 'exacte') return;
  if (lecture === 'numero') {
    avertissements.push(convertedCodificationWarning(recue, e.codification, e.numero, champ, 'facture', dossier.numeroExterne));
    return;
  }
  if (NUMERO_SEUL.test(recue)) {
    const autre = dossier.echeances.find((x) => readCodification(recue, x.codification) === 'numero');
    const description = autre
      ? `La codification « ${recue} » désigne l'échéance ${autre.codification} du dossier ${dossier.numeroExterne}, mais numeroEcheance vaut ${e.numero} (codification ${e.codification}) : la ligne est ambiguë, corrigez l'un ou l'autre.`
      : `La codification « ${recue} » ne correspond à aucune échéance du dossier ${dossier.numeroExterne} (codifications : ${dossier.echeances.map((x) => x.codification).join(', ')}) ; l'échéance ${e.numero} a pour codification ${e.codification}.`;
    out.push(violation('CODIFICATION_ECHEANCE_INCOHERENTE', description, champ));
    return;
  }
  out.push(violation('CODIFICATION_ECHEANCE_INCOHERENTE', `L'échéance ${e.numero} du dossier ${dossier.numeroExterne} a pour codification ${e.codification}, pas ${recue}.`, champ));
}

/**
 * Every reason why `facture` cannot be accepted as it stands (`erreurs`, in line order then
 * invoice-level checks), and what was accepted only after a reading (`avertissements`: a
 * codification sent as a plain number). Lines are checked cumulatively: two lines of the same
 * invoice on one échéance (pédagogie + RQTH) or one envelope share what remains.
 */
export function examineFacture(facture: FactureDemandee, ctx: ContexteFacture): RuleOutcome {
  const out: Violation[] = [];
  const avertissements: Violation[] = [];
  const vus = new Set<string>();
  /** Amounts taken by earlier lines of this invoice: per (dossier, échéance) and per (dossier, nature). */
  const prisEcheance = new Map<string, Cents>();
  const prisNature = new Map<string, Cents>();
  const quantitesPrises = new Map<string, number>();

  for (const l of facture.lignes) {
    const dossier = dossierDeLigne(l, ctx, out);
    if (!dossier) continue;
    const nature = LIBELLES_NATURE[l.nature];
    if (!ETATS_DOSSIER_FACTURABLES.includes(dossier.etat)) {
      out.push(violation('DOSSIER_NON_FACTURABLE', `Le dossier ${dossier.numeroExterne} est à l'état ${dossier.etat} : seuls les dossiers engagés (ENGAGE) ou rompus (RUPTURE, pour le reste dû) se facturent.`, champDossier(l)));
      continue;
    }
    const e = dossier.echeances.find((x) => x.numero === l.numeroEcheance);
    if (!e) {
      const numeros = dossier.echeances.map((x) => x.numero).join(', ');
      out.push(violation('ECHEANCE_INCONNUE', `Le dossier ${dossier.numeroExterne} n'a pas d'échéance ${l.numeroEcheance} (échéances : ${numeros || 'aucune'}).`, ligneChamp(l.index, 'numeroEcheance')));
      continue;
    }
    controleCodification(l, e, dossier, out, avertissements);
    if (e.statut === 'ANNULEE') {
      out.push(violation('ECHEANCE_ANNULEE', `L'échéance ${e.codification} du dossier ${dossier.numeroExterne} est annulée (rupture) : plus rien n'y est dû.`, ligneChamp(l.index, 'numeroEcheance')));
      continue;
    }
    if (facture.dateEmission < e.dateOuverture) {
      out.push(violation('ECHEANCE_NON_OUVERTE', `L'échéance ${e.codification} du dossier ${dossier.numeroExterne} n'ouvre que le ${frDate(e.dateOuverture)} ; la facture est datée du ${frDate(facture.dateEmission)}.`, ligneChamp(l.index, 'numeroEcheance')));
    }
    const cle = `${dossier.id}|${e.numero}|${l.nature}`;
    if (vus.has(cle)) {
      out.push(violation('LIGNE_EN_DOUBLE', `Une autre ligne de cette facture porte déjà sur l'échéance ${e.codification} du dossier ${dossier.numeroExterne}, nature ${nature}.`, ligneChamp(l.index)));
      continue;
    }
    vus.add(cle);
    const enAttente = e.factureEnAttente[l.nature];
    if (enAttente) {
      out.push(violation('FACTURE_DEJA_EN_COURS', `La facture ${enAttente} (nature ${nature}) est déjà en cours de traitement sur l'échéance ${e.codification} du dossier ${dossier.numeroExterne}.`, ligneChamp(l.index, 'numeroEcheance')));
    }

    if (isNatureEcheance(l.nature)) {
      if (l.nature === 'MAJORATION_RQTH' && partOfNature(e, l.nature) === 0 && (e.factureParNatureCents.MAJORATION_RQTH ?? 0) === 0) {
        out.push(violation('NATURE_NON_ENGAGEE', `Aucune majoration RQTH n'est engagée sur l'échéance ${e.codification} du dossier ${dossier.numeroExterne}.`, ligneChamp(l.index, 'natureLigne')));
        continue;
      }
      if (l.quantite !== 1) {
        out.push(violation('QUANTITE_INVALIDE', `Une ligne ${nature} a la quantité 1.`, ligneChamp(l.index, 'quantite')));
      }
      const cleEcheance = `${dossier.id}|${e.numero}`;
      const dejaPris = prisEcheance.get(cleEcheance) ?? 0;
      const reste = resteEcheance(e, l.nature, dejaPris);
      if (l.montantCents > reste) {
        out.push(violation('MONTANT_SUPERIEUR_AU_RESTE', `Montant ${formatEuros(l.montantCents)} supérieur au reste à facturer en ${nature} sur l'échéance ${e.codification} du dossier ${dossier.numeroExterne} : ${formatEuros(reste)} (montant ${formatEuros(e.montantTotalCents)}, réglé ${formatEuros(e.montantRegleCents)}, en cours d'instruction ${formatEuros(e.montantEnCoursCents + dejaPris)}).`, ligneChamp(l.index, 'montant')));
      } else {
        prisEcheance.set(cleEcheance, dejaPris + l.montantCents);
      }
      if (e.exigeCertificat && !facture.estCertificatRealisation && !e.certificatRecu) {
        out.push(violation('CERTIFICAT_REALISATION_MANQUANT', `L'échéance ${e.codification} (${e.type}) du dossier ${dossier.numeroExterne} exige un certificat de réalisation : transmettez-le par POST /v2/certificats avant la facture, ou joignez-le au PDF avec estCertificatRealisation = true.`, ligneChamp(l.index, 'numeroEcheance')));
      }
      if (e.dateLimiteFacturation && ctx.aujourdHui > e.dateLimiteFacturation) {
        out.push(violation('DELAI_FACTURATION_DEPASSE', `Le solde de l'échéance ${e.codification} du dossier ${dossier.numeroExterne} devait parvenir à l'OPCO au plus tard le ${frDate(e.dateLimiteFacturation)} (4 mois après la fin, R6332-25 III 4°) : il n'est plus dû.`, ligneChamp(l.index, 'numeroEcheance')));
      }
      continue;
    }

    const frais = dossier.frais.find((f) => f.nature === l.nature);
    if (!frais || frais.montantTotalCents === 0) {
      out.push(violation('NATURE_NON_ENGAGEE', `Aucuns frais de ${nature} ne sont engagés sur le dossier ${dossier.numeroExterne}.`, ligneChamp(l.index, 'natureLigne')));
      continue;
    }
    if (!frais.echeances.includes(e.numero)) {
      out.push(violation('NATURE_NON_PREVUE_SUR_ECHEANCE', `Les frais de ${nature} du dossier ${dossier.numeroExterne} ne se facturent pas sur l'échéance ${e.codification} (échéances admises : ${frais.echeances.join(', ')}).`, ligneChamp(l.index, 'natureLigne')));
    }
    const cleNature = `${dossier.id}|${l.nature}`;
    if (NATURES_A_QUANTITE.includes(l.nature)) {
      const plafond = l.quantite * frais.prixUnitaireCents;
      if (l.montantCents > plafond) {
        out.push(violation('MONTANT_SUPERIEUR_AU_PLAFOND_UNITAIRE', `Montant ${formatEuros(l.montantCents)} supérieur à ${l.quantite} × ${formatEuros(frais.prixUnitaireCents)} = ${formatEuros(plafond)} (${nature}).`, ligneChamp(l.index, 'montant')));
      }
      const quantitePrise = quantitesPrises.get(cleNature) ?? 0;
      const disponible = quantiteDisponible(frais, quantitePrise);
      if (l.quantite > disponible) {
        out.push(violation('QUANTITE_SUPERIEURE_A_L_ENGAGEMENT', `Quantité ${l.quantite} supérieure à la quantité restant engagée en ${nature} sur le dossier ${dossier.numeroExterne} : ${disponible} (engagé ${frais.quantite}, déjà facturé ${frais.quantiteFacturee + quantitePrise}).`, ligneChamp(l.index, 'quantite')));
      } else {
        quantitesPrises.set(cleNature, quantitePrise + l.quantite);
      }
    } else if (l.quantite !== 1) {
      out.push(violation('QUANTITE_INVALIDE', `Les frais de ${nature} sont un forfait : quantité 1.`, ligneChamp(l.index, 'quantite')));
    }
    const dejaPris = prisNature.get(cleNature) ?? 0;
    const reste = resteFrais(frais, dejaPris);
    if (l.montantCents > reste) {
      out.push(violation('MONTANT_SUPERIEUR_AU_RESTE', `Montant ${formatEuros(l.montantCents)} supérieur au reste de l'enveloppe ${nature} du dossier ${dossier.numeroExterne} : ${formatEuros(reste)} (engagé ${formatEuros(frais.montantTotalCents)}, déjà facturé ${formatEuros(frais.factureCents + dejaPris)}).`, ligneChamp(l.index, 'montant')));
    } else {
      prisNature.set(cleNature, dejaPris + l.montantCents);
    }
  }

  const somme = facture.lignes.reduce((s, l) => s + l.montantCents, 0);
  if (somme !== facture.montantTotalCents) {
    out.push(violation('MONTANT_TOTAL_INCOHERENT', `montantTotal (${formatEuros(facture.montantTotalCents)}) doit être exactement la somme des lignes (${formatEuros(somme)}).`, '/facture/montantTotal'));
  }
  if (ctx.numeroDejaUtilise) {
    out.push(violation('NUMERO_FACTURE_DEJA_UTILISE', `Le CFA a déjà transmis une facture numéro ${facture.numero}.`, '/facture/numero'));
  }
  if (facture.dateEmission > ctx.aujourdHui) {
    out.push(violation('DATE_EMISSION_FUTURE', `La date d'émission (${frDate(facture.dateEmission)}) est postérieure à la date de réception (${frDate(ctx.aujourdHui)}).`, '/facture/dateEmission'));
  }
  if (!isIban(facture.ibanEmetteur)) {
    out.push(violation('IBAN_INVALIDE', "L'IBAN de l'émetteur est invalide (clé de contrôle fausse).", '/facture/ibanEmetteur'));
  }
  return { erreurs: out, avertissements };
}

/** The errors of {@link examineFacture} alone. */
export function checkFacture(facture: FactureDemandee, ctx: ContexteFacture): Violation[] {
  return examineFacture(facture, ctx).erreurs;
}

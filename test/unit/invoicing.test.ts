/**
 * Invoice checks against the échéancier (src/domain/invoicing): every rule, every failure listed
 * with its pointer, cumulative lines, money movements and payment spreading.
 */
import { describe, expect, it } from 'vitest';
import {
  etatAfterReglement, isIban, parseFacture, motifsRefusSolde, mouvementsDepot, mouvementsLiberation, mouvementsReglement, planDeclaration, planReception,
  splitReglement, checkDeclarationRupture, checkFacture, examineFacture, readCodification,
  type ContexteFacture, type DossierSuivi, type EcheanceSuivie, type FactureDemandee, type LigneDemandee,
} from '../../src/domain/invoicing/index.js';

const IBAN = 'FR7630006000011234567890189';

function echeance(numero: number, partial: Partial<EcheanceSuivie> = {}): EcheanceSuivie {
  const montant = partial.montantTotalCents ?? 240_000;
  return {
    numero,
    codification: `A${numero}`,
    type: numero === 1 ? 'AVANCE' : numero === 4 ? 'SOLDE' : 'INTERMEDIAIRE',
    statut: 'PREVUE',
    dateOuverture: ['2025-09-01', '2026-03-01', '2026-06-01', '2026-08-31'][numero - 1] ?? '2027-01-01',
    dateLimiteFacturation: numero === 4 ? '2026-12-31' : null,
    exigeCertificat: numero !== 1,
    montantTotalCents: montant,
    dontPedagogieCents: montant - (partial.dontRqthCents ?? 0),
    dontRqthCents: 0,
    montantRegleCents: 0,
    montantEnCoursCents: 0,
    factureParNatureCents: {},
    factureEnAttente: {},
    certificatRecu: false,
    ...partial,
  };
}

function dossier(partial: Partial<DossierSuivi> = {}): DossierSuivi {
  return {
    id: '1',
    numeroInterne: '111111111111',
    numeroExterne: '25APP00000001',
    etat: 'ENGAGE',
    echeances: [echeance(1, { montantTotalCents: 245_000 }), echeance(2), echeance(3, { montantTotalCents: 160_000 }), echeance(4, { montantTotalCents: 80_000 })],
    frais: [
      { nature: 'RESTAURATION', quantite: 100, prixUnitaireCents: 300, montantTotalCents: 30_000, factureCents: 0, quantiteFacturee: 0, echeances: [1, 2, 3, 4] },
      { nature: 'PREMIEREQUIPEMENT', quantite: 1, prixUnitaireCents: 50_000, montantTotalCents: 50_000, factureCents: 0, quantiteFacturee: 0, echeances: [1] },
    ],
    ...partial,
  };
}

function contexte(dossiers: DossierSuivi[], partial: Partial<ContexteFacture> = {}): ContexteFacture {
  const map = new Map<string, DossierSuivi>();
  for (const d of dossiers) {
    map.set(d.numeroInterne, d);
    map.set(d.numeroExterne, d);
  }
  return { dossiers: map, numeroDejaUtilise: false, aujourdHui: '2026-11-27', ...partial };
}

function ligne(index: number, partial: Partial<LigneDemandee> = {}): LigneDemandee {
  return { index, numeroDossier: '25APP00000001', numeroEcheance: 1, nature: 'PEDAGOGIE', quantite: 1, montantCents: 245_000, ...partial };
}

function facture(lignes: LigneDemandee[], partial: Partial<FactureDemandee> = {}): FactureDemandee {
  return {
    numero: 'F-2026-001',
    dateEmission: '2026-10-01',
    montantTotalCents: lignes.reduce((s, l) => s + l.montantCents, 0),
    ibanEmetteur: IBAN,
    siretEmetteur: '77889911200016',
    estCertificatRealisation: false,
    lignes,
    ...partial,
  };
}

const codes = (f: FactureDemandee, ctx: ContexteFacture): Array<[string, string]> => checkFacture(f, ctx).map((v) => [v.code, v.champ]);

describe('reading an invoice', () => {
  it('turns euros into exact cents and defaults the quantity to 1', () => {
    const { facture: f, violations } = parseFacture({
      numero: ' F1 ', dateEmission: '2026-10-01T00:00:00+02:00', montantTotal: '2450.10', ibanEmetteur: 'fr76 3000 6000 0112 3456 7890 189', siretEmetteur: '77889911200016',
      lignes: [{ numeroDossier: '25APP00000001', numeroEcheance: '1', natureLigne: 'PEDAGOGIE', montant: 2450.1 }],
    });
    expect(violations).toEqual([]);
    expect(f).toMatchObject({ numero: 'F1', dateEmission: '2026-10-01', montantTotalCents: 245_010, ibanEmetteur: IBAN, estCertificatRealisation: false });
    expect(f?.lignes[0]).toMatchObject({ numeroEcheance: 1, quantite: 1, montantCents: 245_010 });
  });

  it('lists every amount that is not exact cents or not positive', () => {
    const { facture: f, violations } = parseFacture({
      numero: 'F1', dateEmission: '2026-10-01', montantTotal: 10.001, ibanEmetteur: IBAN, siretEmetteur: '77889911200016',
      lignes: [{ numeroDossier: 'x', numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: 0 }, { numeroDossier: 'x', numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant: '1.234' }],
    });
    expect(f).toBeUndefined();
    expect(violations.map((v) => v.champ)).toEqual(['/facture/montantTotal', '/facture/lignes/0/montant', '/facture/lignes/1/montant']);
    expect(violations.every((v) => v.code === 'MONTANT_INVALIDE')).toBe(true);
  });
});

describe('codification sent as the échéance’s plain number', () => {
  it('reads "4" as A4 and nothing else', () => {
    expect(readCodification('A4', 'A4')).toBe('exacte');
    expect(readCodification('4', 'A4')).toBe('numero');
    expect(readCodification('12', 'A12')).toBe('numero');
    for (const recue of ['04', 'a4', 'A 4', '4.0', '14', '0', 'A14', '']) expect(readCodification(recue, 'A4'), recue).toBeUndefined();
    expect(readCodification('1', 'A11')).toBeUndefined();
    expect(readCodification('2', 'A1')).toBeUndefined();
  });

  it('matches "1" to A1 with a CODIFICATION_CONVERTIE warning on the line’s pointer; "A1" gives none', () => {
    const { erreurs, avertissements } = examineFacture(facture([ligne(0, { numeroEcheance: 2, codificationEcheance: 'A2', montantCents: 1000 }), ligne(1, { codificationEcheance: '1' })], { estCertificatRealisation: true }), contexte([dossier()]));
    expect(erreurs).toEqual([]);
    expect(avertissements).toEqual([{ code: 'CODIFICATION_CONVERTIE', description: expect.stringMatching(/« 1 ».*A1/), champ: '/facture/lignes/1/codificationEcheance', section: 'facture' }]);
    expect(examineFacture(facture([ligne(0, { codificationEcheance: 'A1' })]), contexte([dossier()]))).toEqual({ erreurs: [], avertissements: [] });
    expect(examineFacture(facture([ligne(0)]), contexte([dossier()]))).toEqual({ erreurs: [], avertissements: [] });
    // checkFacture is the errors alone.
    expect(checkFacture(facture([ligne(0, { codificationEcheance: '1' })]), contexte([dossier()]))).toEqual([]);
  });

  it('stays an error when ambiguous: a number naming another échéance than numeroEcheance, or no échéance at all', () => {
    const contredit = examineFacture(facture([ligne(0, { codificationEcheance: '2' })]), contexte([dossier()]));
    expect(contredit.avertissements).toEqual([]);
    expect(contredit.erreurs.map((v) => [v.code, v.champ])).toEqual([['CODIFICATION_ECHEANCE_INCOHERENTE', '/facture/lignes/0/codificationEcheance']]);
    expect(contredit.erreurs[0]?.description).toMatch(/« 2 » désigne l'échéance A2.*numeroEcheance vaut 1/);
    const aucune = examineFacture(facture([ligne(0, { codificationEcheance: '9' })]), contexte([dossier()]));
    expect(aucune.avertissements).toEqual([]);
    expect(aucune.erreurs.map((v) => [v.code, v.champ])).toEqual([['CODIFICATION_ECHEANCE_INCOHERENTE', '/facture/lignes/0/codificationEcheance']]);
    expect(aucune.erreurs[0]?.description).toMatch(/« 9 » ne correspond à aucune échéance/);
    // Not a plain number: not guessed.
    for (const codificationEcheance of ['01', 'a1', 'B1']) {
      expect(codes(facture([ligne(0, { codificationEcheance })]), contexte([dossier()])), codificationEcheance).toEqual([['CODIFICATION_ECHEANCE_INCOHERENTE', '/facture/lignes/0/codificationEcheance']]);
    }
    // An unknown numeroEcheance is still named on numeroEcheance, whatever the codification.
    expect(codes(facture([ligne(0, { numeroEcheance: 9, codificationEcheance: '9' })]), contexte([dossier()]))).toEqual([['ECHEANCE_INCONNUE', '/facture/lignes/0/numeroEcheance']]);
  });

  it('a converted line is otherwise checked as usual (warning kept next to its errors)', () => {
    const { erreurs, avertissements } = examineFacture(facture([ligne(0, { codificationEcheance: '1', montantCents: 245_001 })]), contexte([dossier()]));
    expect(erreurs.map((v) => [v.code, v.champ])).toEqual([['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/0/montant']]);
    expect(avertissements.map((v) => v.code)).toEqual(['CODIFICATION_CONVERTIE']);
  });
});

describe('invoice checks', () => {
  it('accepts an invoice of the open advance within what remains', () => {
    expect(checkFacture(facture([ligne(0)]), contexte([dossier()]))).toEqual([]);
  });

  it('finds the dossier by numeroExterne or numeroInterne, and flags two numbers naming two dossiers', () => {
    const other = dossier({ id: '2', numeroInterne: '222222222222', numeroExterne: '25APP00000002' });
    expect(checkFacture(facture([ligne(0, { numeroDossier: '111111111111' })]), contexte([dossier()]))).toEqual([]);
    expect(checkFacture(facture([ligne(0, { numeroDossier: undefined, numeroInterneDossier: '111111111111' })]), contexte([dossier()]))).toEqual([]);
    expect(codes(facture([ligne(0, { numeroInterneDossier: '222222222222' })]), contexte([dossier(), other])))
      .toEqual([['DOSSIERS_INCOHERENTS', '/facture/lignes/0/numeroInterneDossier']]);
  });

  it('an unknown dossier (or another CFA’s: not in the snapshot) is named on its line', () => {
    expect(codes(facture([ligne(0), ligne(1, { numeroDossier: '25APP99999999' })]), contexte([dossier()])))
      .toEqual([['DOSSIER_INCONNU', '/facture/lignes/1/numeroDossier']]);
  });

  it('the dossier must be engaged (or broken)', () => {
    for (const etat of ['TRANSMIS', 'EN_COURS_INSTRUCTION', 'REFUSE', 'ANNULE', 'SOLDE']) {
      expect(codes(facture([ligne(0)]), contexte([dossier({ etat })]))).toEqual([['DOSSIER_NON_FACTURABLE', '/facture/lignes/0/numeroDossier']]);
    }
    expect(checkFacture(facture([ligne(0)]), contexte([dossier({ etat: 'RUPTURE' })]))).toEqual([]);
  });

  it('the échéance must exist, match its codification, be open at the invoice date and not cancelled', () => {
    expect(codes(facture([ligne(0, { numeroEcheance: 9 })]), contexte([dossier()]))).toEqual([['ECHEANCE_INCONNUE', '/facture/lignes/0/numeroEcheance']]);
    expect(codes(facture([ligne(0, { codificationEcheance: 'A2' })]), contexte([dossier()]))).toEqual([['CODIFICATION_ECHEANCE_INCOHERENTE', '/facture/lignes/0/codificationEcheance']]);
    const early = facture([ligne(0, { numeroEcheance: 2, montantCents: 1000 })], { dateEmission: '2026-02-28', estCertificatRealisation: true });
    expect(codes(early, contexte([dossier()]))).toEqual([['ECHEANCE_NON_OUVERTE', '/facture/lignes/0/numeroEcheance']]);
    const onOpening = facture([ligne(0, { numeroEcheance: 2, montantCents: 1000 })], { dateEmission: '2026-03-01', estCertificatRealisation: true });
    expect(checkFacture(onOpening, contexte([dossier()]))).toEqual([]);
    const cancelled = dossier({ etat: 'RUPTURE', echeances: [echeance(1), echeance(2, { statut: 'ANNULEE', montantTotalCents: 0 })] });
    expect(codes(facture([ligne(0, { numeroEcheance: 2, montantCents: 1 })], { estCertificatRealisation: true }), contexte([cancelled])))
      .toEqual([['ECHEANCE_ANNULEE', '/facture/lignes/0/numeroEcheance']]);
  });

  it('a line cannot exceed montantTotal − montantRegle − montantEnCoursInstruction', () => {
    const d = dossier({ echeances: [echeance(1, { montantTotalCents: 245_000, montantRegleCents: 100_000, montantEnCoursCents: 45_000, factureParNatureCents: { PEDAGOGIE: 145_000 } })] });
    expect(checkFacture(facture([ligne(0, { montantCents: 100_000 })]), contexte([d]))).toEqual([]);
    const over = checkFacture(facture([ligne(0, { montantCents: 100_001 })]), contexte([d]));
    expect(over).toEqual([expect.objectContaining({ code: 'MONTANT_SUPERIEUR_AU_RESTE', champ: '/facture/lignes/0/montant' })]);
    expect(over[0]?.description).toContain('1 000,00 €');
  });

  it('pédagogie and RQTH lines on one échéance share what remains, each within its own part', () => {
    const d = dossier({ echeances: [echeance(1, { montantTotalCents: 300_000, dontRqthCents: 50_000 })] });
    const ok = facture([ligne(0, { montantCents: 250_000 }), ligne(1, { nature: 'MAJORATION_RQTH', montantCents: 50_000 })]);
    expect(checkFacture(ok, contexte([d]))).toEqual([]);
    const rqthTooBig = facture([ligne(0, { montantCents: 200_000 }), ligne(1, { nature: 'MAJORATION_RQTH', montantCents: 60_000 })]);
    expect(codes(rqthTooBig, contexte([d]))).toEqual([['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/1/montant']]);
    expect(codes(facture([ligne(0, { nature: 'MAJORATION_RQTH', montantCents: 100 })]), contexte([dossier()])))
      .toEqual([['NATURE_NON_ENGAGEE', '/facture/lignes/0/natureLigne']]);
  });

  it('refuses a second pending invoice on the same échéance and nature, and twice the same line', () => {
    const d = dossier({ echeances: [echeance(1, { montantTotalCents: 245_000, montantEnCoursCents: 1000, factureParNatureCents: { PEDAGOGIE: 1000 }, factureEnAttente: { PEDAGOGIE: '123456789012' } })] });
    const pending = checkFacture(facture([ligne(0, { montantCents: 1000 })]), contexte([d]));
    expect(pending.map((v) => v.code)).toEqual(['FACTURE_DEJA_EN_COURS']);
    expect(pending[0]?.description).toContain('123456789012');
    expect(codes(facture([ligne(0, { montantCents: 1000 }), ligne(1, { montantCents: 1000, numeroDossier: '111111111111' })]), contexte([dossier()])))
      .toEqual([['LIGNE_EN_DOUBLE', '/facture/lignes/1']]);
  });

  it('frais annexes: only engaged natures, on their échéances, within unit caps, quantities and envelopes', () => {
    const meals = (i: number, quantite: number, montantCents: number, numeroEcheance = 1): LigneDemandee => ligne(i, { nature: 'RESTAURATION', quantite, montantCents, numeroEcheance });
    expect(checkFacture(facture([meals(0, 40, 12_000)]), contexte([dossier()]))).toEqual([]);
    expect(codes(facture([meals(0, 40, 12_001)]), contexte([dossier()]))).toEqual([['MONTANT_SUPERIEUR_AU_PLAFOND_UNITAIRE', '/facture/lignes/0/montant']]);
    expect(codes(facture([meals(0, 60, 18_000), meals(1, 60, 18_000, 2)], { estCertificatRealisation: true }), contexte([dossier()])))
      .toEqual([['QUANTITE_SUPERIEURE_A_L_ENGAGEMENT', '/facture/lignes/1/quantite'], ['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/1/montant']]);
    expect(codes(facture([ligne(0, { nature: 'HEBERGEMENT', quantite: 2, montantCents: 1200 })]), contexte([dossier()])))
      .toEqual([['NATURE_NON_ENGAGEE', '/facture/lignes/0/natureLigne']]);
    expect(codes(facture([ligne(0, { nature: 'PREMIEREQUIPEMENT', montantCents: 50_000, numeroEcheance: 2 })], { estCertificatRealisation: true }), contexte([dossier()])))
      .toEqual([['NATURE_NON_PREVUE_SUR_ECHEANCE', '/facture/lignes/0/natureLigne']]);
    expect(codes(facture([ligne(0, { nature: 'PREMIEREQUIPEMENT', montantCents: 50_000, quantite: 2 })]), contexte([dossier()])))
      .toEqual([['QUANTITE_INVALIDE', '/facture/lignes/0/quantite']]);
    const used = dossier({ frais: [{ nature: 'PREMIEREQUIPEMENT', quantite: 1, prixUnitaireCents: 50_000, montantTotalCents: 50_000, factureCents: 30_000, quantiteFacturee: 1, echeances: [1] }] });
    expect(codes(facture([ligne(0, { nature: 'PREMIEREQUIPEMENT', montantCents: 20_001 })]), contexte([used]))).toEqual([['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/0/montant']]);
    // Frais annexes do not eat the échéance's pédagogie.
    expect(checkFacture(facture([ligne(0), meals(1, 10, 3000)]), contexte([dossier()]))).toEqual([]);
  });

  it('intermediate and balance échéances need a certificat de réalisation: flag on the invoice or certificate posted', () => {
    const l = ligne(0, { numeroEcheance: 2, montantCents: 240_000 });
    expect(codes(facture([l]), contexte([dossier()]))).toEqual([['CERTIFICAT_REALISATION_MANQUANT', '/facture/lignes/0/numeroEcheance']]);
    expect(checkFacture(facture([l], { estCertificatRealisation: true }), contexte([dossier()]))).toEqual([]);
    const withCertificate = dossier({ echeances: [echeance(1), echeance(2, { certificatRecu: true })] });
    expect(checkFacture(facture([l]), contexte([withCertificate]))).toEqual([]);
  });

  it('the balance is refused once its 4-month deadline has passed (reception date)', () => {
    const solde = facture([ligne(0, { numeroEcheance: 4, montantCents: 80_000 })], { dateEmission: '2026-12-30', estCertificatRealisation: true });
    expect(checkFacture(solde, contexte([dossier()], { aujourdHui: '2026-12-31' }))).toEqual([]);
    expect(codes(solde, contexte([dossier()], { aujourdHui: '2027-01-01' }))).toEqual([['DELAI_FACTURATION_DEPASSE', '/facture/lignes/0/numeroEcheance']]);
  });

  it('invoice level: total = Σ lines to the cent, number unique, date not in the future, IBAN key', () => {
    const f = facture([ligne(0)], { montantTotalCents: 245_001, dateEmission: '2026-11-28', ibanEmetteur: 'FR7630006000011234567890188' });
    expect(codes(f, contexte([dossier()], { numeroDejaUtilise: true }))).toEqual([
      ['MONTANT_TOTAL_INCOHERENT', '/facture/montantTotal'],
      ['NUMERO_FACTURE_DEJA_UTILISE', '/facture/numero'],
      ['DATE_EMISSION_FUTURE', '/facture/dateEmission'],
      ['IBAN_INVALIDE', '/facture/ibanEmetteur'],
    ]);
  });

  it('lists every failure of every line at once', () => {
    const f = facture([
      ligne(0, { montantCents: 300_000 }),
      ligne(1, { numeroEcheance: 3, montantCents: 1000 }),
      ligne(2, { numeroDossier: 'inconnu', montantCents: 1 }),
      ligne(3, { nature: 'MOBILITE', montantCents: 1 }),
    ], { montantTotalCents: 1, dateEmission: '2026-05-01' });
    expect(codes(f, contexte([dossier()]))).toEqual([
      ['MONTANT_SUPERIEUR_AU_RESTE', '/facture/lignes/0/montant'],
      ['ECHEANCE_NON_OUVERTE', '/facture/lignes/1/numeroEcheance'],
      ['CERTIFICAT_REALISATION_MANQUANT', '/facture/lignes/1/numeroEcheance'],
      ['DOSSIER_INCONNU', '/facture/lignes/2/numeroDossier'],
      ['NATURE_NON_ENGAGEE', '/facture/lignes/3/natureLigne'],
      ['MONTANT_TOTAL_INCOHERENT', '/facture/montantTotal'],
    ]);
  });
});

describe('money movements', () => {
  const lignes = [
    { dossierId: '1', numeroEcheance: 1, nature: 'PEDAGOGIE' as const, montantCents: 1000, regleCents: 0 },
    { dossierId: '1', numeroEcheance: 1, nature: 'MAJORATION_RQTH' as const, montantCents: 500, regleCents: 0 },
    { dossierId: '1', numeroEcheance: 1, nature: 'RESTAURATION' as const, montantCents: 300, regleCents: 0 },
    { dossierId: '2', numeroEcheance: 3, nature: 'PEDAGOGIE' as const, montantCents: 700, regleCents: 0 },
  ];

  it('a deposit puts échéance natures en cours (frais annexes stay out of the échéances)', () => {
    expect(mouvementsDepot(lignes)).toEqual([
      { dossierId: '1', numeroEcheance: 1, enCoursCents: 1500, regleCents: 0 },
      { dossierId: '2', numeroEcheance: 3, enCoursCents: 700, regleCents: 0 },
    ]);
    expect(mouvementsLiberation(lignes)).toEqual([
      { dossierId: '1', numeroEcheance: 1, enCoursCents: -1500, regleCents: 0 },
      { dossierId: '2', numeroEcheance: 3, enCoursCents: -700, regleCents: 0 },
    ]);
  });

  it('a payment is spread over the lines in order and moves en cours to paid', () => {
    const parts = splitReglement(lignes, 1_800);
    expect(parts).toEqual([1000, 500, 300, 0]);
    expect(mouvementsReglement(lignes, parts)).toEqual([{ dossierId: '1', numeroEcheance: 1, enCoursCents: -1500, regleCents: 1500 }]);
    const after = lignes.map((l, i) => ({ ...l, regleCents: parts[i] ?? 0 }));
    expect(splitReglement(after, 700)).toEqual([0, 0, 0, 700]);
    expect(() => splitReglement(after, 701)).toThrow(RangeError);
    expect(() => splitReglement(after, 0)).toThrow(RangeError);
    expect(etatAfterReglement(2500, 1800)).toBe('REGLE_PARTIELLEMENT');
    expect(etatAfterReglement(2500, 2500)).toBe('REGLE');
  });
});

describe('IBAN, ruptures, refunds', () => {
  it('checks the IBAN key', () => {
    expect(isIban(IBAN)).toBe(true);
    expect(isIban('FR76 3000 6000 0112 3456 7890 189')).toBe(true);
    expect(isIban('FR7630006000011234567890188')).toBe(false);
    expect(isIban('FR76')).toBe(false);
  });

  it('motif and initiative must agree; AUTRE needs a comment', () => {
    expect(checkDeclarationRupture({ motif: 'ACCORD_COMMUN', initiative: 'COMMUN' })).toEqual([]);
    expect(checkDeclarationRupture({ motif: 'PERIODE_PROBATOIRE', initiative: 'APPRENTI' })).toEqual([]);
    expect(checkDeclarationRupture({ motif: 'FAUTE_GRAVE', initiative: 'APPRENTI' }).map((v) => v.code)).toEqual(['INITIATIVE_INCOHERENTE']);
    expect(checkDeclarationRupture({ motif: 'AUTRE', initiative: 'EMPLOYEUR' }).map((v) => v.champ)).toEqual(['/commentaire']);
  });

  it('refund: declared (again while not received), then received once', () => {
    expect(planDeclaration('A_REGULARISER', 'VIREMENT', undefined)).toEqual({ ok: true, vers: 'DECLARE' });
    expect(planDeclaration('DECLARE', 'AVOIR_DEDUCTION', 'AV-1')).toEqual({ ok: true, vers: 'DECLARE' });
    expect(planDeclaration('A_REGULARISER', 'AVOIR_DEDUCTION', ' ')).toMatchObject({ ok: false, violations: [{ champ: '/referenceAvoir' }] });
    expect(planDeclaration('RECU', 'VIREMENT', undefined)).toMatchObject({ ok: false, code: 'REMBOURSEMENT_DEJA_RECU' });
    expect(planReception('A_REGULARISER')).toMatchObject({ ok: false, code: 'DECLARATION_ATTENDUE', allowed: ['DECLARE'] });
    expect(planReception('DECLARE')).toEqual({ ok: true, vers: 'RECU' });
    expect(planReception('RECU')).toMatchObject({ ok: false, code: 'ETAT_INCHANGE' });
  });
});

describe('closing a dossier (SOLDE)', () => {
  const e = (partial: Partial<Parameters<typeof motifsRefusSolde>[0]['echeances'][number]> = {}) => ({
    codification: 'A1', montantTotalCents: 1000, montantRegleCents: 1000, montantEnCoursCents: 0, dateLimiteFacturation: null, ...partial,
  });

  it('needs the end past, everything paid, nothing en cours, refunds received', () => {
    expect(motifsRefusSolde({ dateFin: '2026-03-15', aujourdHui: '2026-11-27', echeances: [e(), e({ montantTotalCents: 0, montantRegleCents: 0 })], remboursementsEnAttente: 0 })).toEqual([]);
    expect(motifsRefusSolde({
      dateFin: '2027-08-31', aujourdHui: '2026-11-27', remboursementsEnAttente: 1,
      echeances: [e({ codification: 'A2', montantRegleCents: 0, montantEnCoursCents: 1000 }), e({ codification: 'A3', montantRegleCents: 400 })],
    }).map((v) => v.code)).toEqual(['FIN_NON_ATTEINTE', 'FACTURE_EN_COURS', 'ECHEANCE_NON_REGLEE', 'REMBOURSEMENT_EN_ATTENTE']);
  });

  it('a balance never invoiced by its deadline is no longer due', () => {
    const solde = e({ codification: 'A8', montantRegleCents: 0, dateLimiteFacturation: '2027-12-31' });
    expect(motifsRefusSolde({ dateFin: '2027-08-31', aujourdHui: '2027-12-31', echeances: [solde], remboursementsEnAttente: 0 }).map((v) => v.code)).toEqual(['ECHEANCE_NON_REGLEE']);
    expect(motifsRefusSolde({ dateFin: '2027-08-31', aujourdHui: '2028-01-01', echeances: [solde], remboursementsEnAttente: 0 })).toEqual([]);
  });
});

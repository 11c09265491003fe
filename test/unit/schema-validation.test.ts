import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateAgainst, validateDossierRequest } from '../../src/domain/cerfa/schema-validation.js';
import { checkNir, isSiren, isSiret, isUai, sirenOfSiret } from '../../src/domain/formats.js';
import type { Violation } from '../../src/domain/violation.js';
import {
  FIXTURE_CFA_SIREN, FIXTURE_CFA_SIRET, FIXTURE_CFA_UAI, FIXTURE_EMPLOYEUR_SIRET, siretForSiren, validCerfaPayload,
} from '../fixtures/cerfa.js';

type Raw = Record<string, unknown>;

function bodyWith(edit: (cerfa: Raw) => void, seed = 1): { cerfa: Raw } {
  const body = structuredClone(validCerfaPayload(seed));
  edit(body.cerfa);
  return body;
}

function section(cerfa: Raw, ...path: string[]): Raw {
  return path.reduce<Raw>((node, key) => node[key] as Raw, cerfa);
}

function remunerations(cerfa: Raw): Raw[] {
  return section(cerfa, 'contrat').remunerationsAnnuelles as Raw[];
}

function byField(violations: Violation[], champ: string): Violation[] {
  return violations.filter((v) => v.champ === champ);
}

describe('fixture', () => {
  it.each(Array.from({ length: 50 }, (_, i) => i + 1))('When seed %i, Then the payload is schema-valid', (seed) =>
    expect(validateDossierRequest(validCerfaPayload(seed))).toEqual([]));

  it('When seeds differ, Then apprentices differ (names, NIR with a valid key) but the CFA is the same', () => {
    const apprentis = Array.from({ length: 50 }, (_, i) => validCerfaPayload(i + 1).cerfa);
    const nirs = apprentis.map((c) => section(c, 'apprenti').nir as string);
    expect(new Set(nirs).size).toBe(50);
    expect(nirs.every((nir) => checkNir(nir, { exigerCle: true }).valide)).toBe(true);
    expect(new Set(apprentis.map((c) => `${String(section(c, 'apprenti').nom)} ${String(section(c, 'apprenti').prenom)}`)).size).toBe(50);
    expect(new Set(apprentis.map((c) => section(c, 'organismeFormation').siret))).toEqual(new Set([FIXTURE_CFA_SIRET]));
  });

  it('When reading the CFA identifiers, Then they are valid and consistent', () => {
    expect(isSiren(FIXTURE_CFA_SIREN)).toBe(true);
    expect(isSiret(FIXTURE_CFA_SIRET)).toBe(true);
    expect(sirenOfSiret(FIXTURE_CFA_SIRET)).toBe(FIXTURE_CFA_SIREN);
    expect(isUai(FIXTURE_CFA_UAI)).toBe(true);
    expect(isSiret(FIXTURE_EMPLOYEUR_SIRET)).toBe(true);
  });

  it.each([
    ['732829320', 12],
    ['732829320', '00012'],
    ['552100554', 1],
  ])('siretForSiren(%s, %j) gives a valid SIRET of that SIREN', (siren, nic) => {
    const siret = siretForSiren(siren, nic);
    expect(isSiret(siret)).toBe(true);
    expect(sirenOfSiret(siret)).toBe(siren);
  });

  it('siretForSiren refuses an invalid SIREN', () => expect(() => siretForSiren('123456789', 1)).toThrow(RangeError));
});

describe('validateDossierRequest: what real clients send is accepted', () => {
  it.each<[string, (c: Raw) => void]>([
    ['codes as numeric strings', (c) => {
      Object.assign(section(c, 'employeur'), { typeEmployeur: '12', employeurSpecifique: '0' });
      Object.assign(section(c, 'apprenti'), { regimeSocial: '2', situationAvantContrat: '1', diplome: '41', diplomePrepare: '41' });
      Object.assign(section(c, 'contrat'), { typeContratApp: '11', modeContractuel: '1' });
      section(c, 'formation').typeDiplome = '54';
    }],
    ['derniereClasse as the number 1', (c) => { section(c, 'apprenti').derniereClasse = 1; }],
    ['derniereClasse as "1"', (c) => { section(c, 'apprenti').derniereClasse = '1'; }],
    ['derniereClasse as 40', (c) => { section(c, 'apprenti').derniereClasse = 40; }],
    ['employeurV2 instead of employeur', (c) => { c.employeurV2 = c.employeur; delete c.employeur; }],
    ['employeurV2 with employeur: null', (c) => { c.employeurV2 = c.employeur; c.employeur = null; }],
    ['CERFAsignatureProbante spelling', (c) => { delete c.CERFASignatureProbante; c.CERFAsignatureProbante = true; }],
    ['both signature spellings', (c) => { c.CERFAsignatureProbante = true; }],
    ['unknown properties at every level', (c) => {
      c.logicielEditeur = { version: 3 };
      section(c, 'apprenti').idInterneErp = 42;
      section(c, 'apprenti', 'adresse').label = '8 rue des Lilas 69007 Lyon';
      remunerations(c)[0]!.salaireBrut = 774.78;
    }],
    ['dates as plain dates', (c) => {
      Object.assign(section(c, 'contrat'), { dateConclusion: '2025-08-20', dateDebutContrat: '2025-09-01', dateFinContrat: '2027-08-31' });
    }],
    ['dates with Z, +0000 and fractions', (c) => {
      Object.assign(section(c, 'contrat'), { dateConclusion: '2025-08-20T00:00:00Z', dateDebutContrat: '2025-09-01T00:00:00.000+0000' });
    }],
    ['dateSignature instead of dateConclusion', (c) => {
      const contrat = section(c, 'contrat');
      contrat.dateSignature = contrat.dateConclusion;
      delete contrat.dateConclusion;
    }],
    ['dateDebutFormationPratique instead of dateFormationPratiqueEmployeur', (c) => {
      const contrat = section(c, 'contrat');
      contrat.dateDebutFormationPratique = contrat.dateFormationPratiqueEmployeur;
      delete contrat.dateFormationPratiqueEmployeur;
    }],
    ['maître diploma under the State model names', (c) => {
      const m = section(c, 'maitre1');
      delete m.intituleDiplomeObtenu;
      delete m.niveauDiplomeObtenu;
      Object.assign(m, { diplome: 'Master MIAGE', niveauDiplome: '7' });
    }],
    ['maitre2 absent', (c) => { delete c.maitre2; }],
    ['maitre2 as an object', (c) => { c.maitre2 = { nom: 'Roche', prenom: 'Marc', dateNaissance: '1980-02-03T00:00:00+01:00', niveauDiplomeObtenu: 5 }; }],
    ['address as adresse1/adresse2', (c) => {
      section(c, 'apprenti').adresse = { adresse1: '8 rue des Lilas', adresse2: 'Bâtiment B', codePostal: '69007', commune: 'Lyon' };
    }],
    ['address numero as a numeric string', (c) => { section(c, 'apprenti', 'adresse').numero = '8'; }],
    ['typeDerogation 99 (none)', (c) => { section(c, 'contrat').typeDerogation = 99; }],
    ['typeDerogation as ""', (c) => { section(c, 'contrat').typeDerogation = ''; }],
    ['noContrat 0 on creation', (c) => { section(c, 'contrat').noContrat = 0; }],
    ['optional strings empty or null', (c) => {
      Object.assign(section(c, 'apprenti'), { nir: '', telephone: null, courriel: '', nomUsage: '' });
      Object.assign(section(c, 'employeur'), { telephone: '', courriel: null });
    }],
    ['a 13-char NIR (no key)', (c) => { section(c, 'apprenti').nir = (section(c, 'apprenti').nir as string).slice(0, 13); }],
    ['a lower-case UAI', (c) => { section(c, 'organismeFormation').uaiCfa = FIXTURE_CFA_UAI.toLowerCase(); }],
    ['a La Poste SIRET failing Luhn', (c) => { section(c, 'employeur').siret = '35600000049837'; }],
    ['rncp without prefix', (c) => { section(c, 'formation').rncp = '35340'; }],
    ['ordre as numbers', (c) => { for (const l of remunerations(c)) l.ordre = Number(l.ordre); }],
    ['a main training site', (c) => {
      c.organismeFormationLieuFormationPrincipal = { denomination: 'Site Villeurbanne', siret: siretForSiren(FIXTURE_CFA_SIREN, 2), uaiCfa: '0561910X', adresse: null };
    }],
    ['a legal representative', (c) => {
      section(c, 'apprenti').responsableLegal = { nom: 'Martin Anne', courriel: 'anne.martin@example.org', adresse: { adresse1: '1 rue X', codePostal: '69001', commune: 'Lyon' } };
    }],
    ['departementNaissance on 3 chars', (c) => { section(c, 'apprenti').departementNaissance = '099'; }],
  ])('When %s, Then there is no violation', (_label, edit) => expect(validateDossierRequest(bodyWith(edit))).toEqual([]));
});

describe('validateDossierRequest: invalid payloads', () => {
  it.each<[string, string, string, Violation['section'], (c: Raw) => void]>([
    ['employeur and employeurV2 missing', 'CHAMP_OBLIGATOIRE', '/cerfa/employeur', 'employeur', (c) => { delete c.employeur; }],
    ['employeur and employeurV2 both sent', 'CHAMPS_INCOMPATIBLES', '/cerfa/employeurV2', 'employeur', (c) => { c.employeurV2 = c.employeur; }],
    ['employeur.siret missing', 'CHAMP_OBLIGATOIRE', '/cerfa/employeur/siret', 'employeur', (c) => { delete section(c, 'employeur').siret; }],
    ['employeur.siret empty', 'CHAMP_OBLIGATOIRE', '/cerfa/employeur/siret', 'employeur', (c) => { section(c, 'employeur').siret = ''; }],
    ['employeur.siret bad Luhn', 'SIRET_INVALIDE', '/cerfa/employeur/siret', 'employeur', (c) => { section(c, 'employeur').siret = '81234567600174'; }],
    ['employeur.siret as a number', 'TYPE_INVALIDE', '/cerfa/employeur/siret', 'employeur', (c) => { section(c, 'employeur').siret = 81234567600173; }],
    ['employeurV2.siret bad', 'SIRET_INVALIDE', '/cerfa/employeurV2/siret', 'employeur', (c) => { c.employeurV2 = c.employeur; delete c.employeur; section(c, 'employeurV2').siret = '123'; }],
    ['employeur.adresse.codePostal missing', 'CHAMP_OBLIGATOIRE', '/cerfa/employeur/adresse/codePostal', 'employeur', (c) => { delete section(c, 'employeur', 'adresse').codePostal; }],
    ['employeur.adresse.codePostal 4 digits', 'FORMAT_INVALIDE', '/cerfa/employeur/adresse/codePostal', 'employeur', (c) => { section(c, 'employeur', 'adresse').codePostal = '6900'; }],
    ['employeur.typeEmployeur unknown', 'VALEUR_NON_AUTORISEE', '/cerfa/employeur/typeEmployeur', 'employeur', (c) => { section(c, 'employeur').typeEmployeur = 17; }],
    ['employeur.naf malformed', 'FORMAT_INVALIDE', '/cerfa/employeur/naf', 'employeur', (c) => { section(c, 'employeur').naf = '62'; }],
    ['employeur.codeIdcc on 3 digits', 'FORMAT_INVALIDE', '/cerfa/employeur/codeIdcc', 'employeur', (c) => { section(c, 'employeur').codeIdcc = '486'; }],
    ['employeur.courriel malformed', 'FORMAT_INVALIDE', '/cerfa/employeur/courriel', 'employeur', (c) => { section(c, 'employeur').courriel = 'rh@numerisia'; }],
    ['employeur.nombreDeSalaries negative', 'VALEUR_HORS_LIMITES', '/cerfa/employeur/nombreDeSalaries', 'employeur', (c) => { section(c, 'employeur').nombreDeSalaries = -1; }],
    ['apprenti.nom missing', 'CHAMP_OBLIGATOIRE', '/cerfa/apprenti/nom', 'apprenti', (c) => { delete section(c, 'apprenti').nom; }],
    ['apprenti.nom null', 'CHAMP_OBLIGATOIRE', '/cerfa/apprenti/nom', 'apprenti', (c) => { section(c, 'apprenti').nom = null; }],
    ['apprenti.sexe H', 'VALEUR_NON_AUTORISEE', '/cerfa/apprenti/sexe', 'apprenti', (c) => { section(c, 'apprenti').sexe = 'H'; }],
    ['apprenti.dateNaissance 30 February', 'DATE_INVALIDE', '/cerfa/apprenti/dateNaissance', 'apprenti', (c) => { section(c, 'apprenti').dateNaissance = '2005-02-30'; }],
    ['apprenti.dateNaissance French format', 'DATE_INVALIDE', '/cerfa/apprenti/dateNaissance', 'apprenti', (c) => { section(c, 'apprenti').dateNaissance = '14/03/2006'; }],
    ['apprenti.nir 14 chars', 'NIR_INVALIDE', '/cerfa/apprenti/nir', 'apprenti', (c) => { section(c, 'apprenti').nir = '10411310770018'; }],
    ['apprenti.nir with letters', 'NIR_INVALIDE', '/cerfa/apprenti/nir', 'apprenti', (c) => { section(c, 'apprenti').nir = '1041131077001X0'; }],
    ['apprenti.nationalite 4', 'VALEUR_NON_AUTORISEE', '/cerfa/apprenti/nationalite', 'apprenti', (c) => { section(c, 'apprenti').nationalite = 4; }],
    ['apprenti.derniereClasse 2', 'VALEUR_NON_AUTORISEE', '/cerfa/apprenti/derniereClasse', 'apprenti', (c) => { section(c, 'apprenti').derniereClasse = 2; }],
    ['apprenti.handicap "non"', 'TYPE_INVALIDE', '/cerfa/apprenti/handicap', 'apprenti', (c) => { section(c, 'apprenti').handicap = 'non'; }],
    ['apprenti.adresse missing', 'CHAMP_OBLIGATOIRE', '/cerfa/apprenti/adresse', 'apprenti', (c) => { delete section(c, 'apprenti').adresse; }],
    ['apprenti.adresse.numero with a leading 0', 'FORMAT_INVALIDE', '/cerfa/apprenti/adresse/numero', 'apprenti', (c) => { section(c, 'apprenti', 'adresse').numero = '08'; }],
    ['apprenti.telephone 9 digits', 'FORMAT_INVALIDE', '/cerfa/apprenti/telephone', 'apprenti', (c) => { section(c, 'apprenti').telephone = '061234567'; }],
    ['apprenti.departementNaissance 2C', 'FORMAT_INVALIDE', '/cerfa/apprenti/departementNaissance', 'apprenti', (c) => { section(c, 'apprenti').departementNaissance = '2C'; }],
    ['apprenti.responsableLegal a string', 'TYPE_INVALIDE', '/cerfa/apprenti/responsableLegal', 'apprenti', (c) => { section(c, 'apprenti').responsableLegal = 'Mme Martin'; }],
    ['maitre1 missing', 'CHAMP_OBLIGATOIRE', '/cerfa/maitre1', 'maitre1', (c) => { delete c.maitre1; }],
    ['maitre1.dateNaissance missing', 'CHAMP_OBLIGATOIRE', '/cerfa/maitre1/dateNaissance', 'maitre1', (c) => { delete section(c, 'maitre1').dateNaissance; }],
    ['maitre1.niveauDiplomeObtenu 2', 'VALEUR_NON_AUTORISEE', '/cerfa/maitre1/niveauDiplomeObtenu', 'maitre1', (c) => { section(c, 'maitre1').niveauDiplomeObtenu = 2; }],
    ['maitre2 a string', 'TYPE_INVALIDE', '/cerfa/maitre2', 'maitre2', (c) => { c.maitre2 = 'aucun'; }],
    ['maitre2.dateNaissance bad', 'DATE_INVALIDE', '/cerfa/maitre2/dateNaissance', 'maitre2', (c) => { c.maitre2 = { nom: 'Roche', dateNaissance: '1980-13-01' }; }],
    ['contrat.dateConclusion and dateSignature missing', 'CHAMP_OBLIGATOIRE', '/cerfa/contrat/dateConclusion', 'contrat', (c) => { delete section(c, 'contrat').dateConclusion; }],
    ['contrat.dateConclusion null', 'CHAMP_OBLIGATOIRE', '/cerfa/contrat/dateConclusion', 'contrat', (c) => { section(c, 'contrat').dateConclusion = null; }],
    ['contrat.dateSignature malformed', 'DATE_INVALIDE', '/cerfa/contrat/dateSignature', 'contrat', (c) => { const k = section(c, 'contrat'); delete k.dateConclusion; k.dateSignature = '2025-08-32'; }],
    ['contrat.typeContratApp 39', 'VALEUR_NON_AUTORISEE', '/cerfa/contrat/typeContratApp', 'contrat', (c) => { section(c, 'contrat').typeContratApp = '39'; }],
    ['contrat.typeDerogation 13', 'VALEUR_NON_AUTORISEE', '/cerfa/contrat/typeDerogation', 'contrat', (c) => { section(c, 'contrat').typeDerogation = 13; }],
    ['contrat.numeroContratPrecedent 14 chars', 'FORMAT_INVALIDE', '/cerfa/contrat/numeroContratPrecedent', 'contrat', (c) => { section(c, 'contrat').numeroContratPrecedent = '95202501123456'; }],
    ['contrat.dureeTravailHebdoHeures "35"', 'TYPE_INVALIDE', '/cerfa/contrat/dureeTravailHebdoHeures', 'contrat', (c) => { section(c, 'contrat').dureeTravailHebdoHeures = '35'; }],
    ['contrat.dureeTravailHebdoMinutes 60', 'VALEUR_HORS_LIMITES', '/cerfa/contrat/dureeTravailHebdoMinutes', 'contrat', (c) => { section(c, 'contrat').dureeTravailHebdoMinutes = 60; }],
    ['contrat.remunerationsAnnuelles empty', 'NOMBRE_ELEMENTS_INVALIDE', '/cerfa/contrat/remunerationsAnnuelles', 'remuneration', (c) => { section(c, 'contrat').remunerationsAnnuelles = []; }],
    ['contrat.remunerationsAnnuelles 9 lines', 'NOMBRE_ELEMENTS_INVALIDE', '/cerfa/contrat/remunerationsAnnuelles', 'remuneration', (c) => { const l = remunerations(c); section(c, 'contrat').remunerationsAnnuelles = Array.from({ length: 9 }, () => l[0]); }],
    ['remuneration taux 0', 'VALEUR_HORS_LIMITES', '/cerfa/contrat/remunerationsAnnuelles/1/taux', 'remuneration', (c) => { remunerations(c)[1]!.taux = 0; }],
    ['remuneration typeSalaire lower-case', 'VALEUR_NON_AUTORISEE', '/cerfa/contrat/remunerationsAnnuelles/0/typeSalaire', 'remuneration', (c) => { remunerations(c)[0]!.typeSalaire = 'smic'; }],
    ['remuneration ordre 5.1', 'VALEUR_NON_AUTORISEE', '/cerfa/contrat/remunerationsAnnuelles/0/ordre', 'remuneration', (c) => { remunerations(c)[0]!.ordre = '5.1'; }],
    ['remuneration dateFin missing', 'CHAMP_OBLIGATOIRE', '/cerfa/contrat/remunerationsAnnuelles/0/dateFin', 'remuneration', (c) => { delete remunerations(c)[0]!.dateFin; }],
    ['formation.rncp malformed', 'FORMAT_INVALIDE', '/cerfa/formation/rncp', 'formation', (c) => { section(c, 'formation').rncp = 'RS5340'; }],
    ['formation.codeDiplome 7 chars', 'FORMAT_INVALIDE', '/cerfa/formation/codeDiplome', 'formation', (c) => { section(c, 'formation').codeDiplome = '3203200'; }],
    ['formation.typeDiplome 57', 'VALEUR_NON_AUTORISEE', '/cerfa/formation/typeDiplome', 'formation', (c) => { section(c, 'formation').typeDiplome = 57; }],
    ['formation.dureeFormation 0', 'VALEUR_HORS_LIMITES', '/cerfa/formation/dureeFormation', 'formation', (c) => { section(c, 'formation').dureeFormation = 0; }],
    ['formation.intituleQualification too long', 'LONGUEUR_INVALIDE', '/cerfa/formation/intituleQualification', 'formation', (c) => { section(c, 'formation').intituleQualification = 'x'.repeat(256); }],
    ['organismeFormation.uaiCfa bad key', 'UAI_INVALIDE', '/cerfa/organismeFormation/uaiCfa', 'organismeFormation', (c) => { section(c, 'organismeFormation').uaiCfa = '0693456H'; }],
    ['organismeFormation.uaiCfa missing', 'CHAMP_OBLIGATOIRE', '/cerfa/organismeFormation/uaiCfa', 'organismeFormation', (c) => { delete section(c, 'organismeFormation').uaiCfa; }],
    ['organismeFormation.siret bad', 'SIRET_INVALIDE', '/cerfa/organismeFormation/siret', 'organismeFormation', (c) => { section(c, 'organismeFormation').siret = '77889911200017'; }],
    ['lieu de formation siret bad', 'SIRET_INVALIDE', '/cerfa/organismeFormationLieuFormationPrincipal/siret', 'lieuFormation', (c) => { c.organismeFormationLieuFormationPrincipal = { siret: '123' }; }],
    ['CERFASignatureProbante "oui"', 'TYPE_INVALIDE', '/cerfa/CERFASignatureProbante', 'cerfa', (c) => { c.CERFASignatureProbante = 'oui'; }],
  ])('When %s, Then %s at %s (%s) and only one violation for that field', (_label, code, champ, sectionName, edit) => {
    const violations = validateDossierRequest(bodyWith(edit));
    const found = byField(violations, champ);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code, champ, section: sectionName });
    expect(found[0]?.description).toMatch(/\S/);
    expect(found[0]?.description).toContain(champ.slice(1).replace(/\/([0-9]+)(?=\/|$)/g, '[$1]').replace(/\//g, '.'));
  });

  it.each([17, '17', true, 'douze', 12.5, null, {}, [12]])('When typeEmployeur is %j, Then there is exactly one violation in total', (value) => {
    const violations = validateDossierRequest(bodyWith((c) => { section(c, 'employeur').typeEmployeur = value; }));
    expect(violations).toHaveLength(1);
    expect(violations[0]?.champ).toBe('/cerfa/employeur/typeEmployeur');
  });

  it('When an enum with short meanings fails, Then the allowed values are listed with their meaning', () => {
    const [v] = validateDossierRequest(bodyWith((c) => { section(c, 'apprenti').nationalite = 9; }));
    expect(v?.description).toContain('1 (française), 2 (Union européenne), 3 (étranger hors Union européenne)');
  });

  it('When an enum with long meanings fails, Then all allowed codes are listed', () => {
    const [v] = validateDossierRequest(bodyWith((c) => { section(c, 'employeur').typeEmployeur = 17; }));
    expect(v?.description).toContain('11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30');
  });

  it('When the NIR is malformed, Then the message does not echo it', () => {
    const nir = '1041131077001X0';
    const [v] = validateDossierRequest(bodyWith((c) => { section(c, 'apprenti').nir = nir; }));
    expect(v?.code).toBe('NIR_INVALIDE');
    expect(JSON.stringify(v)).not.toContain(nir);
  });

  it('When many fields are wrong, Then all errors come back together with their champ and section', () => {
    const violations = validateDossierRequest(bodyWith((c) => {
      section(c, 'employeur').siret = '12345678901234';
      delete section(c, 'apprenti').prenom;
      section(c, 'apprenti').sexe = 'X';
      section(c, 'maitre1').nom = '';
      section(c, 'contrat').dateDebutContrat = '2025-09-31';
      remunerations(c)[0]!.taux = -5;
      section(c, 'formation').typeDiplome = '999';
      section(c, 'organismeFormation').uaiCfa = '0693456Z';
      c.maitre2 = 3;
    }));
    expect(violations.map((v) => [v.code, v.champ, v.section]).sort()).toEqual([
      ['CHAMP_OBLIGATOIRE', '/cerfa/apprenti/prenom', 'apprenti'],
      ['CHAMP_OBLIGATOIRE', '/cerfa/maitre1/nom', 'maitre1'],
      ['DATE_INVALIDE', '/cerfa/contrat/dateDebutContrat', 'contrat'],
      ['SIRET_INVALIDE', '/cerfa/employeur/siret', 'employeur'],
      ['TYPE_INVALIDE', '/cerfa/maitre2', 'maitre2'],
      ['UAI_INVALIDE', '/cerfa/organismeFormation/uaiCfa', 'organismeFormation'],
      ['VALEUR_HORS_LIMITES', '/cerfa/contrat/remunerationsAnnuelles/0/taux', 'remuneration'],
      ['VALEUR_NON_AUTORISEE', '/cerfa/apprenti/sexe', 'apprenti'],
      ['VALEUR_NON_AUTORISEE', '/cerfa/formation/typeDiplome', 'formation'],
    ].sort());
  });

  it('When required sections are missing, Then each is reported once', () => {
    const violations = validateDossierRequest({ cerfa: {} });
    expect(violations.map((v) => v.champ).sort()).toEqual(
      ['/cerfa/apprenti', '/cerfa/contrat', '/cerfa/employeur', '/cerfa/formation', '/cerfa/maitre1', '/cerfa/organismeFormation']);
    expect(violations.every((v) => v.code === 'CHAMP_OBLIGATOIRE')).toBe(true);
  });

  it.each<[unknown, string, string, Violation['section']]>([
    [null, 'TYPE_INVALIDE', '', 'requete'],
    [[], 'TYPE_INVALIDE', '', 'requete'],
    ['cerfa', 'TYPE_INVALIDE', '', 'requete'],
    [{}, 'CHAMP_OBLIGATOIRE', '/cerfa', 'cerfa'],
    [{ cerfa: null }, 'CHAMP_OBLIGATOIRE', '/cerfa', 'cerfa'],
    [{ cerfa: 'x' }, 'TYPE_INVALIDE', '/cerfa', 'cerfa'],
  ])('When the body is %j, Then one %s at %j', (body, code, champ, sectionName) => {
    expect(validateDossierRequest(body)).toEqual([expect.objectContaining({ code, champ, section: sectionName })]);
  });
});

describe('validateAgainst', () => {
  it('When validating the inner CERFA under /cerfa, Then pointers are the same as from the body', () => {
    const body = bodyWith((c) => { section(c, 'employeur').siret = '1'; });
    expect(validateAgainst('cerfa.schema.json', body.cerfa, '/cerfa')).toEqual(validateDossierRequest(body));
  });

  it('When used for another payload, Then the root pointer and section mapping are the caller\'s', () => {
    const violations = validateAgainst('adresse.schema.json', { codePostal: '123', numero: 0 }, '/convention/adresse', () => 'convention');
    expect(violations).toEqual([
      expect.objectContaining({ code: 'VALEUR_HORS_LIMITES', champ: '/convention/adresse/numero', section: 'convention' }),
      expect.objectContaining({ code: 'FORMAT_INVALIDE', champ: '/convention/adresse/codePostal', section: 'convention' }),
    ]);
  });

  it('When the schema file is unknown, Then it throws', () => expect(() => validateAgainst('nope.schema.json', {}, '')).toThrow(/nope/));
});

describe('property: whatever is changed in a valid payload', () => {
  const paths = [
    ['employeur', 'siret'], ['employeur', 'typeEmployeur'], ['employeur', 'adresse'], ['apprenti', 'nom'],
    ['apprenti', 'dateNaissance'], ['apprenti', 'derniereClasse'], ['apprenti', 'responsableLegal'], ['maitre1'],
    ['maitre2'], ['contrat', 'dateConclusion'], ['contrat', 'remunerationsAnnuelles'], ['formation', 'rncp'],
    ['organismeFormation', 'uaiCfa'], ['employeur'], ['contrat'],
  ];

  it('Then validation never throws and gives at most one well-formed violation per field', () => {
    fc.assert(fc.property(fc.constantFrom(...paths), fc.jsonValue(), fc.integer({ min: 1, max: 50 }), (path, value, seed) => {
      const body = bodyWith((c) => {
        const parent = section(c, ...path.slice(0, -1));
        parent[path[path.length - 1] as string] = value;
      }, seed);
      const violations = validateDossierRequest(body);
      const champs = violations.map((v) => v.champ);
      expect(new Set(champs).size).toBe(champs.length);
      for (const v of violations) {
        expect(v.code).toMatch(/^[A-Z]+(?:_[A-Z]+)*$/);
        expect(v.champ.startsWith('/cerfa/')).toBe(true);
        expect(v.description.length).toBeGreaterThan(10);
      }
    }), { numRuns: 300 });
  });
});

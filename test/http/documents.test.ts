import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CFA_SIREN, validCerfaPayload } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const OTHER_SIREN = '732829320';

/** A small but real-looking PDF: the header, binary bytes (as real PDFs carry), the trailer. */
function pdfBytes(seed: number, size = 600): Buffer {
  const head = Buffer.from(`%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Seed ${seed} >> endobj\n`, 'latin1');
  const tail = Buffer.from('\n%%EOF\n', 'latin1');
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length - tail.length)), tail]);
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(300)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(300)]);
const TEXT = Buffer.from('Ceci est un simple fichier texte, renommé en .pdf.\n', 'utf8');

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Objet { typeObjet: string; idObjet: string }
const infos = (typeFichier: string, ...objets: Objet[]) => ({ typeFichier, objets });
const dossierObj = (idObjet: string): Objet => ({ typeObjet: 'DOSSIER_APPRENTISSAGE', idObjet });

describe('documents (default limits)', () => {
  let t: TestGateway;
  let cfa: string;
  let other: string;
  let opco: string;
  let seed = 900;

  beforeAll(async () => {
    t = await startTestGateway();
    cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
    other = await t.cfaKey(OTHER_SIREN);
    opco = await t.opcoKey();
  });
  afterAll(async () => t.close());

  async function newDossier(): Promise<string> {
    seed += 1;
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(seed));
    expect(res.status).toBe(200);
    return res.body.numeroInterne as string;
  }

  const upload = (body: unknown, file: Buffer, filename = 'piece.pdf', key = cfa, version = 'v1') =>
    t.http.post(`/${version}/documents`).set('X-API-KEY', key).set('EDITEUR', 'ACME')
      .field('infosFichier', JSON.stringify(body))
      .attach('fichier', file, { filename, contentType: 'application/pdf' });

  it('stores a multipart upload (v1 and v2): number, SHA-256, type read from the content, size; audited', async () => {
    const n = await newDossier();
    const file = pdfBytes(1);
    const res = await upload(infos('CERTIFICAT_REALISATION', dossierObj(n)), file, 'certificat.pdf');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ numeroInterneDocument: expect.stringMatching(/^\d{12}$/), sha256: sha256(file), typeMime: 'application/pdf', taille: file.length });
    const audit = await t.db('audit_ecritures').where({ objet_id: res.body.numeroInterneDocument }).first();
    expect(audit).toMatchObject({ action: 'DOCUMENT_DEPOSE', objet_type: 'DOCUMENT', siren: FIXTURE_CFA_SIREN, editeur: 'ACME' });

    // Some HTTP libraries send the JSON part as a file: it is read as text all the same.
    const jsonAsFile = await t.http.post('/v1/documents').set('X-API-KEY', cfa)
      .attach('infosFichier', Buffer.from(JSON.stringify(infos('AUTRE', dossierObj(n)))), { filename: 'infos.json', contentType: 'application/json' })
      .attach('fichier', pdfBytes(11), 'b.pdf');
    expect(jsonAsFile.status).toBe(200);

    const v2 = await upload(infos('AUTRE', dossierObj(n)), JPEG, 'photo.jpg', cfa, 'v2');
    expect(v2.status).toBe(200);
    expect(v2.body.typeMime).toBe('image/jpeg');
  });

  it('accepts the base64 JSON transport (_files.document)', async () => {
    const n = await newDossier();
    const file = pdfBytes(2);
    const res = await t.http.post('/v1/documents').set('X-API-KEY', cfa)
      .send({ ...infos('CONVENTION_MOBILITE', dossierObj(n)), _files: { document: file.toString('base64') } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ sha256: sha256(file), typeMime: 'application/pdf', taille: file.length });
    const bad = await t.http.post('/v1/documents').set('X-API-KEY', cfa).send({ ...infos('AUTRE', dossierObj(n)), _files: { document: 'pas du base64 !' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ code: 'BASE64_INVALIDE', champ: '/_files/document', section: 'document' });
    const none = await t.http.post('/v1/documents').set('X-API-KEY', cfa).send(infos('AUTRE', dossierObj(n)));
    expect(none.status).toBe(400);
    expect(none.body.errors[0]).toMatchObject({ code: 'PARTIE_MANQUANTE', champ: '/_files/document' });
  });

  it('decides the type by the content: a .pdf name with PNG bytes is a PNG; text bytes are refused (415)', async () => {
    const n = await newDossier();
    const png = await upload(infos('AUTRE', dossierObj(n)), PNG, 'scan.pdf');
    expect(png.status).toBe(200);
    expect(png.body.typeMime).toBe('image/png');

    const text = await upload(infos('AUTRE', dossierObj(n)), TEXT, 'faux.pdf');
    expect(text.status).toBe(415);
    expect(text.body.errors[0]).toMatchObject({ code: 'TYPE_FICHIER_NON_SUPPORTE', champ: '/fichier', section: 'document' });
    expect(text.body.errors[0].description).toMatch(/ni un PDF, ni une image JPEG, ni une image PNG/);
    const empty = await upload(infos('AUTRE', dossierObj(n)), Buffer.alloc(0), 'vide.pdf');
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].code).toBe('FICHIER_VIDE');
    expect(await t.db('documents').where({ sha256: sha256(TEXT) }).first()).toBeUndefined();
  });

  it('a re-upload of the same file on the same object is a retry: 200 with the existing document, Idempotent-Replayed', async () => {
    const a = await newDossier();
    const b = await newDossier();
    const file = pdfBytes(3);
    const first = await upload(infos('AUTRE', dossierObj(a)), file);
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await upload(infos('CONTRAT', dossierObj(a)), file, 'autre-nom.pdf');
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    // The base64 transport and v2 replay the same way; nothing more is stored or audited.
    const json = await t.http.post('/v2/documents').set('X-API-KEY', cfa).send({ ...infos('AUTRE', dossierObj(a)), _files: { document: file.toString('base64') } });
    expect(json.status).toBe(200);
    expect(json.headers['idempotent-replayed']).toBe('true');
    expect(json.body).toEqual(first.body);
    const audits = await t.db('audit_ecritures').where({ action: 'DOCUMENT_DEPOSE', objet_id: first.body.numeroInterneDocument }).count<{ n: string }[]>({ n: '*' });
    expect(Number(audits[0]?.n)).toBe(1);
    // On another dossier the same file is a new document; listing both objects at once, when each
    // already holds it through a different document, is a conflict (not a retry of either).
    const onB = await upload(infos('AUTRE', dossierObj(b)), file);
    expect(onB.status).toBe(200);
    expect(onB.headers['idempotent-replayed']).toBeUndefined();
    const both = await upload(infos('AUTRE', dossierObj(a), dossierObj(b)), file);
    expect(both.status).toBe(409);
    expect(both.body.errors[0].code).toBe('DOCUMENT_DEJA_DEPOSE');
    expect([first.body.numeroInterneDocument, onB.body.numeroInterneDocument]).toContain(both.body.numeroInterneDocument);
    const count = await t.db('documents').where({ sha256: sha256(file) }).count<{ n: string }[]>({ n: '*' });
    expect(Number(count[0]?.n)).toBe(2);
  });

  it('a file deposited on several objects at once is replayed for any of them; new objects with it are a conflict', async () => {
    const a = await newDossier();
    const b = await newDossier();
    const c = await newDossier();
    const file = pdfBytes(31);
    const first = await upload(infos('AUTRE', dossierObj(a), dossierObj(b)), file);
    expect(first.status).toBe(200);
    const retry = await upload(infos('AUTRE', dossierObj(b), dossierObj(a)), file);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.numeroInterneDocument).toBe(first.body.numeroInterneDocument);
    const onlyB = await upload(infos('AUTRE', dossierObj(b)), file);
    expect(onlyB.status).toBe(200);
    expect(onlyB.body.numeroInterneDocument).toBe(first.body.numeroInterneDocument);
    const widened = await upload(infos('AUTRE', dossierObj(a), dossierObj(c)), file);
    expect(widened.status).toBe(409);
    expect(widened.body).toMatchObject({ errors: [expect.objectContaining({ code: 'DOCUMENT_DEJA_DEPOSE' })], numeroInterneDocument: first.body.numeroInterneDocument });
  });

  it('two simultaneous uploads of one file on one object: one is stored, the other is answered as its retry', async () => {
    const n = await newDossier();
    const file = pdfBytes(4);
    const results = await Promise.all([upload(infos('AUTRE', dossierObj(n)), file), upload(infos('AUTRE', dossierObj(n)), file)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.map((r) => r.headers['idempotent-replayed'] ?? 'no').sort()).toEqual(['no', 'true']);
    expect(results[0]!.body.numeroInterneDocument).toBe(results[1]!.body.numeroInterneDocument);
    const count = await t.db('documents').where({ sha256: sha256(file) }).count<{ n: string }[]>({ n: '*' });
    expect(Number(count[0]?.n)).toBe(1);
  });

  it('a dossier is named by its numeroInterne or by its numeroExterne (the number of the OPCO’s letters)', async () => {
    seed += 1;
    const created = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(seed));
    expect(created.status).toBe(200);
    const { numeroInterne, numeroExterne } = created.body as { numeroInterne: string; numeroExterne: string };
    expect(numeroExterne).toMatch(/^\d{2}APP\d{8}$/);
    const file = pdfBytes(32);
    const res = await upload(infos('AUTRE', dossierObj(numeroExterne)), file);
    expect(res.status).toBe(200);
    // Attached to the dossier itself: listed under its numeroInterne, linked by it.
    const list = await t.http.get('/v2/documents').query({ idObjet: numeroInterne }).set('X-API-KEY', cfa);
    expect(list.body.documents).toEqual([expect.objectContaining({ numeroInterneDocument: res.body.numeroInterneDocument, objets: [dossierObj(numeroInterne)] })]);
    // Both numbers of one dossier are one object; the same file by the other number is a retry.
    const both = await upload(infos('AUTRE', dossierObj(numeroInterne), dossierObj(numeroExterne)), pdfBytes(33));
    expect(both.status).toBe(200);
    expect((await t.db('documents_objets').where({ id_objet: numeroInterne })).length).toBe(2);
    const retry = await upload(infos('AUTRE', dossierObj(numeroInterne)), file);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.numeroInterneDocument).toBe(res.body.numeroInterneDocument);
    // Another CFA's dossier by its numeroExterne: 404 like an unknown one.
    const foreign = await upload(infos('AUTRE', dossierObj(numeroExterne)), pdfBytes(34), 'x.pdf', other);
    expect(foreign.status).toBe(404);
    expect(foreign.body.errors[0].code).toBe('OBJET_INTROUVABLE');
    const unknown = await upload(infos('AUTRE', dossierObj('99APP99999999')), pdfBytes(34));
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].description).toContain('DOSSIER_APPRENTISSAGE 99APP99999999');
  });

  it('another CFA’s dossier, an unknown dossier or an unknown invoice: 404', async () => {
    const n = await newDossier();
    const foreign = await upload(infos('AUTRE', dossierObj(n)), pdfBytes(5), 'x.pdf', other);
    expect(foreign.status).toBe(404);
    expect(foreign.body.errors[0].code).toBe('OBJET_INTROUVABLE');
    const unknown = await upload(infos('AUTRE', dossierObj('000000000000')), pdfBytes(5));
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].code).toBe(foreign.body.errors[0].code);
    const invoice = await upload(infos('FACTURE', dossierObj(n), { typeObjet: 'FACTURE', idObjet: '999999999999' }), pdfBytes(5));
    expect(invoice.status).toBe(404);
    expect(invoice.body.errors[0].description).toContain('FACTURE 999999999999');
    expect(invoice.body.errors[0].description).not.toContain(n);
  });

  it('lists every schema error of infosFichier with its pointer', async () => {
    const res = await upload({ typeFichier: 'FOO', objets: [{ typeObjet: 'DOSSIER' }] }, pdfBytes(6));
    expect(res.status).toBe(400);
    const champs = res.body.errors.map((e: { champ: string }) => e.champ).sort();
    expect(champs).toEqual(['/infosFichier/objets/0/idObjet', '/infosFichier/objets/0/typeObjet', '/infosFichier/typeFichier']);
    expect(res.body.errors.every((e: { section: string }) => e.section === 'document')).toBe(true);
    const none = await upload({ typeFichier: 'AUTRE', objets: [] }, pdfBytes(6));
    expect(none.body.errors).toEqual([expect.objectContaining({ code: 'NOMBRE_ELEMENTS_INVALIDE', champ: '/infosFichier/objets' })]);
    const flat = await t.http.post('/v1/documents').set('X-API-KEY', cfa).send({ typeFichier: 'facture', objets: [], _files: { document: pdfBytes(6).toString('base64') } });
    expect(flat.body.errors.map((e: { champ: string }) => e.champ).sort()).toEqual(['/objets', '/typeFichier']);
  });

  it('malformed or incomplete multipart bodies: 400 naming the part; other content types: 415', async () => {
    const bad = await t.http.post('/v1/documents').set('X-API-KEY', cfa).field('infosFichier', '{"typeFichier": ').attach('fichier', pdfBytes(7), 'a.pdf');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ code: 'JSON_MALFORME', champ: '/infosFichier', section: 'document' });
    const missing = await t.http.post('/v1/documents').set('X-API-KEY', cfa).field('autre', 'x');
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { champ: string }) => e.champ)).toEqual(['/infosFichier', '/fichier']);
    const twice = await t.http.post('/v1/documents').set('X-API-KEY', cfa).field('infosFichier', '{}')
      .attach('fichier', pdfBytes(7), 'a.pdf').attach('fichier', pdfBytes(8), 'b.pdf');
    expect(twice.status).toBe(400);
    expect(twice.body.errors[0].code).toBe('PARTIE_EN_DOUBLE');
    const asText = await t.http.post('/v1/documents').set('X-API-KEY', cfa).field('infosFichier', '{}').field('fichier', '%PDF-1.4');
    expect(asText.body.errors[0]).toMatchObject({ code: 'PARTIE_INVALIDE', champ: '/fichier' });
    const noBoundary = await t.http.post('/v1/documents').set('X-API-KEY', cfa).set('Content-Type', 'multipart/form-data').send('xxx');
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.body.errors[0].code).toBe('MULTIPART_MALFORME');
    const truncated = await t.http.post('/v1/documents').set('X-API-KEY', cfa).set('Content-Type', 'multipart/form-data; boundary=XYZ')
      .send('--XYZ\r\nContent-Disposition: form-data; name="infosFichier"\r\n\r\n{}\r\n--XYZ\r\nContent-Disposition: form-data; name="fichier"; filename="a.pdf"\r\n\r\n%PDF-1.4 coupé');
    expect(truncated.status).toBe(400);
    expect(truncated.body.errors[0].code).toBe('MULTIPART_MALFORME');
    const text = await t.http.post('/v1/documents').set('X-API-KEY', cfa).set('Content-Type', 'text/plain').send('bonjour');
    expect(text.status).toBe(415);
  });

  it('the CFA lists its documents on an object (metadata only); another CFA sees none', async () => {
    const n = await newDossier();
    const a = await upload(infos('CERTIFICAT_REALISATION', dossierObj(n)), pdfBytes(9), 'certificat-réalisation.pdf');
    const b = await upload(infos('AUTRE', dossierObj(n)), PNG, 'photo.png');
    const list = await t.http.get('/v2/documents').query({ idObjet: n }).set('X-API-KEY', cfa);
    expect(list.status).toBe(200);
    expect(list.body.count).toBe(2);
    expect(list.body.documents.map((d: { numeroInterneDocument: string }) => d.numeroInterneDocument)).toEqual([a.body.numeroInterneDocument, b.body.numeroInterneDocument]);
    expect(list.body.documents[0]).toEqual({
      numeroInterneDocument: a.body.numeroInterneDocument, typeFichier: 'CERTIFICAT_REALISATION', typeMime: 'application/pdf', taille: a.body.taille,
      sha256: a.body.sha256, nomFichier: 'certificat-réalisation.pdf', deposeLe: expect.any(String), objets: [dossierObj(n)],
    });
    const typed = await t.http.get('/v2/documents').query({ idObjet: n, typeObjet: 'FACTURE' }).set('X-API-KEY', cfa);
    expect(typed.body.count).toBe(0);
    expect((await t.http.get('/v2/documents').query({ idObjet: n }).set('X-API-KEY', other)).body.count).toBe(0);
    const noParam = await t.http.get('/v2/documents').set('X-API-KEY', cfa);
    expect(noParam.status).toBe(400);
    expect(noParam.body.errors[0]).toMatchObject({ code: 'PARAMETRE_OBLIGATOIRE', champ: '/idObjet' });
  });

  it('the back office lists and downloads a document with its exact bytes, type and name', async () => {
    const n = await newDossier();
    const file = pdfBytes(10, 5000);
    const up = await upload(infos('CONVENTION_REDUCTION_DUREE', dossierObj(n)), file, 'Convention réduite.pdf');
    const numero = up.body.numeroInterneDocument as string;

    const list = await t.http.get('/back-office/v1/documents').query({ idObjet: n }).set('X-API-KEY', opco);
    expect(list.status).toBe(200);
    expect(list.body.documents[0]).toMatchObject({ numeroInterneDocument: numero, cfaSiren: FIXTURE_CFA_SIREN, editeur: 'ACME' });

    const dl = await t.http.get(`/back-office/v1/documents/${numero}`).set('X-API-KEY', opco).responseType('blob');
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toBe(`attachment; filename="Convention reduite.pdf"; filename*=UTF-8''Convention%20r%C3%A9duite.pdf`);
    expect(Buffer.compare(dl.body as Buffer, file)).toBe(0);
    expect(dl.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(file).digest('base64')}:`);

    const png = await upload(infos('AUTRE', dossierObj(n)), PNG, 'scan.pdf');
    const dlPng = await t.http.get(`/back-office/v1/documents/${png.body.numeroInterneDocument}`).set('X-API-KEY', opco).responseType('blob');
    expect(dlPng.headers['content-type']).toBe('image/png');
    expect(dlPng.headers['content-disposition']).toContain('filename="scan.pdf.png"');
    expect(Buffer.compare(dlPng.body as Buffer, PNG)).toBe(0);

    expect((await t.http.get('/back-office/v1/documents/000000000000').set('X-API-KEY', opco)).status).toBe(404);
    expect((await t.http.get(`/back-office/v1/documents/${numero}`).set('X-API-KEY', cfa)).status).toBe(403);
  });
});

describe('documents with FILE_SIZE_LIMIT=2kb', () => {
  let t: TestGateway;
  let cfa: string;
  let numero: string;

  beforeAll(async () => {
    t = await startTestGateway({ FILE_SIZE_LIMIT: '2kb' });
    cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', cfa).send(validCerfaPayload(950));
    numero = res.body.numeroInterne as string;
  });
  afterAll(async () => t.close());

  const body = () => JSON.stringify(infos('AUTRE', dossierObj(numero)));

  it('accepts a file of exactly the limit', async () => {
    const res = await t.http.post('/v1/documents').set('X-API-KEY', cfa).field('infosFichier', body()).attach('fichier', pdfBytes(20, 2048), 'a.pdf');
    expect(res.status).toBe(200);
    expect(res.body.taille).toBe(2048);
  });

  it('refuses a larger multipart file with 413, in the error shape, and stores nothing', async () => {
    const file = pdfBytes(21, 50_000);
    const res = await t.http.post('/v1/documents').set('X-API-KEY', cfa).field('infosFichier', body()).attach('fichier', file, 'gros.pdf');
    expect(res.status).toBe(413);
    expect(res.body.errors[0]).toMatchObject({ code: 'FICHIER_TROP_VOLUMINEUX', champ: '/fichier', section: 'document' });
    expect(res.body.errors[0].description).toContain('2048 octets');
    expect(res.headers.connection).toBe('close'); // the rest of the body is not read
    expect(await t.db('documents').where({ sha256: sha256(file) }).first()).toBeUndefined();
    // The connection stays usable after the rest of the body was discarded.
    expect((await t.http.get('/v2/documents').query({ idObjet: numero }).set('X-API-KEY', cfa)).status).toBe(200);
  });

  it('refuses a body whose declared length is far beyond the limits at once (413)', async () => {
    const res = await t.http.post('/v1/documents').set('X-API-KEY', cfa).field('infosFichier', body()).attach('fichier', pdfBytes(23, 3_000_000), 'enorme.pdf');
    expect(res.status).toBe(413);
    expect(res.body.errors[0].code).toBe('FICHIER_TROP_VOLUMINEUX');
  });

  it('refuses a larger base64 file with 413 before decoding it', async () => {
    const res = await t.http.post('/v1/documents').set('X-API-KEY', cfa)
      .send({ ...infos('AUTRE', dossierObj(numero)), _files: { document: pdfBytes(22, 3000).toString('base64') } });
    expect(res.status).toBe(413);
    expect(res.body.errors[0]).toMatchObject({ code: 'FICHIER_TROP_VOLUMINEUX', champ: '/_files/document' });
  });
});

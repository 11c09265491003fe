/** What the middleware chain learns about a request, attached to express's Request. */
export interface Caller {
  keyId: string;
  role: 'cfa' | 'opco';
  /** The CFA's SIREN (role cfa only). */
  siren: string | null;
  uai: string | null;
  libelle: string | null;
}

export interface VendorClient {
  id: string;
  clientId: string;
  editeur: string;
}

/** The norm's editor headers, recorded with every write. */
export interface EditorHeaders {
  editeur: string | null;
  logiciel: string | null;
  version: string | null;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      requestId: string;
      caller?: Caller;
      vendor?: VendorClient;
      editor: EditorHeaders;
    }
  }
}

export function actorOf(caller: Caller): string {
  return caller.role === 'cfa' ? `cfa:${caller.siren}` : `opco:${caller.libelle ?? caller.keyId}`;
}

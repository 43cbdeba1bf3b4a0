// Certificates: the PEM store that stands in for Windows' certificate stores, and generation.
export {
  loadCertificateStore,
  describeMissingThumbprint,
  requireServerCertificate,
  normalizeThumbprint,
  isThumbprint,
  parseSubjectAltName,
} from './store.js';
export type { CertificateStore, StoredCertificate, ServerCertificate } from './store.js';
export {
  generateServerCertificate,
  generateCertificateAuthority,
  generateClientCertificate,
  writeToStore,
  thumbprintOf,
  ipToBytes,
  isValidDnsName,
  isValidUpn,
  OID,
} from './generate.js';
export type {
  GeneratedCertificate,
  IssuerKeyPair,
  ServerCertificateOptions,
  CertificateAuthorityOptions,
  ClientCertificateOptions,
} from './generate.js';

/**
 * The certification registry (首台（套）认定). Other modules read certificates through here: the validity rule, the
 * lookups and the view; a certificate's change takes the listings resting on it along (listings.ts).
 */
export { certView, type CertView } from './presenters';
export { findCert, findCertByNo, lastCertificateSeq, type CertRow } from './repo';
export { certificationRoutes } from './routes';
export { certificateNumber, isCurrent } from './rules';
export { CertListQuery } from './schema';
export { CertificationService, issueCertificate } from './service';
export type { CertificationInput } from './schema';

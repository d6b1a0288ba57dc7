// SMN notifications for receivers and for the kit: a delivery flows
// validateSmnNotification (envelope and headers) -> verifySmnNotification (the same,
// then the signature with the certificate, then the timestamp window).
export { validateSmnNotification } from './validate.js';
export type { SmnNotificationVerdict, SmnVerifiedSignature } from './validate.js';
export { verifySmnNotification } from './verify.js';
export type { VerifySmnNotificationOptions } from './verify.js';
export { signSmnNotification, signSmnNotificationAsync } from './sign.js';
export type { SignSmnNotificationOptions, SmnPrivateKeyInput } from './sign.js';
export { smnSigningString } from './signing-string.js';
export type { SmnSigningStringOptions } from './signing-string.js';
export { readSmnSigningCertificate } from './certificate.js';
export type { SmnSigningCertificate, SmnSignatureHash, SmnCertificateInput } from './certificate.js';
export type { KeyObjectLike, X509CertificateLike } from './crypto-types.js';
export { readHeader as readSmnNotificationHeader } from './headers.js';
export type { SmnNotificationHeadersInput } from './headers.js';
export { smnNotificationContract, loadSmnNotificationContract } from './contract.js';
export type { SmnNotificationContract, SmnMessageTypeContract, SmnHeaderContract } from './contract.js';
export type { SmnNotificationProblem, SmnNotificationRule } from './problem.js';

// The certificate downloads: DownloadHttpCert (`GET /smn/{certificate_id}`, the URL a
// message's `signing_cert_url` names) and DownloadHttpSignCert (`GET
// /v2/notifications/certifications/download/{certificate_id}`). The emulator has one
// certificate, the one its notifications are signed with (delivery/signing.ts): its file
// name is the only id either answers, with the PEM. Its own `/smn/` URL is served by the
// links (delivery/links.ts) before the API is reached, without credentials, as a
// receiver fetches it; an authenticated DownloadHttpCert of that name gets the same
// answer here. Another name is a file the service does not serve: the gateway's 404.
import { Family, type FamilyModule, type Handler, type OperationRequest } from '../family.js';

/** What this family reads of the notifier: the certificate notifications are signed with. */
export interface SigningCertificate {
  certificate(): { name: string; pem: string };
}

/** The documented error of a certificate the service does not have (the contract's CertificateNotFound: the gateway's 404). */
const NO_SUCH_FILE = 'certificate_not_found';

export class Certificates extends Family {
  readonly kinds = [] as const;

  private download({ path, notifier }: OperationRequest): ReturnType<Handler> {
    const signing: SigningCertificate = notifier;
    const { name, pem } = signing.certificate();
    const asked = path.certificate_id!;
    if (asked === name) return { body: pem };
    return { error: NO_SUCH_FILE, reason: `the emulator's only certificate is ${name}`, where: ['path', 'certificate_id'] };
  }

  override readonly handlers: Readonly<Record<string, Handler>> = {
    DownloadHttpCert: (request) => this.download(request),
    DownloadHttpSignCert: (request) => this.download(request),
  };
}

export const certificates = {
  create: () => new Certificates(),
} satisfies FamilyModule<Certificates>;

// Projects, as the emulator tells them apart. Project ids of 32 hexadecimal digits (IAM's
// form, issued in lower case) compare without regard to case, so `F961...` and
// `f961...` are one project; other (readable, local) ids compare exactly. The seed and
// the URNs the emulator makes carry a 32-hexadecimal id: a readable id gets a stable
// stand-in.
import { createHash } from 'node:crypto';

const IAM_ID = /^[0-9a-fA-F]{32}$/;

/** The key of a project: IAM's 32-hexadecimal ids in lower case, others as given. */
export const projectKey = (id: string): string => (IAM_ID.test(id) ? id.toLowerCase() : id);

/** The 32-hexadecimal id that stands for a project in URNs and `owner` (readable local ids get a stable stand-in). */
export const urnProjectId = (id: string): string => (IAM_ID.test(id) ? id.toLowerCase() : createHash('md5').update(id).digest('hex'));

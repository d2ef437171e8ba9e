/** A new partner link for store tests: one in #acme, created at T0 and open an hour; tests override fields. */
import type { NewPartnerLink } from '../../src/core/model.js';

export const LINK_T0 = new Date('2026-11-30T10:00:00.000Z');

export function newLink(id: string, fields: Partial<NewPartnerLink> = {}): NewPartnerLink {
  return {
    id,
    channelId: 'C0ACME',
    channelName: 'acme',
    teamName: 'Example',
    requester: 'U0ALICE',
    filename: 'report.pdf',
    key: `uploads/C0ACME/2026-11-30/${id}/report.pdf`,
    createdAt: LINK_T0,
    expiresAt: new Date(LINK_T0.getTime() + 3600_000),
    singleUse: false,
    page: false,
    urlExpiresAt: new Date(LINK_T0.getTime() + 3600_000),
    maxSizeBytes: undefined,
    allowedTypes: undefined,
    grant: 'channel',
    ...fields,
  };
}

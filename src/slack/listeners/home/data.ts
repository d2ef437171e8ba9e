/** What the Home views show, gathered from the store, the access policy and Slack. */
import type { Logger } from '@slack/bolt';
import type { HomeView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { AdminDeps } from '../../../core/admin/execute.js';
import { SLACK_ID } from '../../../core/slack-ids.js';
import { errorMessage, isStoreUnavailable, slackErrorCode } from '../../../lib/errors.js';
import { withTimeout } from '../../../lib/time.js';
import { type AdminHomeData, buildAdminHomeView, type GroupChoices } from '../../views/home-admin.js';
import { buildMemberHomeView, buildUnavailableHomeView, type MemberHomeData } from '../../views/home-member.js';

/** Don't let a slow Slack hold up the whole view: without groups it is still useful. */
const GROUP_LIST_TIMEOUT_MS = 5000;

/** A failed group listing, in words for the admin who sees no group picker. */
function groupListProblem(error: unknown): string {
  const code = slackErrorCode(error);
  if (code === 'paid_teams_only') return 'user groups need a paid Slack plan';
  if (code === 'missing_scope') return 'the app lacks the usergroups:read scope (reinstall it from manifest.yml)';
  return `Slack did not list the user groups (${code ?? errorMessage(error)})`;
}

async function groupChoices(client: WebClient, logger: Logger): Promise<GroupChoices> {
  try {
    const result = await withTimeout(
      client.usergroups.list({ include_disabled: false }),
      GROUP_LIST_TIMEOUT_MS,
      'usergroups.list',
    );
    const groups = (result.usergroups ?? [])
      .filter((g) => typeof g.id === 'string' && SLACK_ID.test(g.id))
      .map((g) => ({ id: g.id as string, handle: g.handle ?? g.id ?? '', name: g.name ?? '' }))
      .sort((a, b) => a.handle.localeCompare(b.handle));
    return { ok: true, groups };
  } catch (error) {
    const reason = groupListProblem(error);
    logger.warn(`usergroups.list failed: ${reason}`);
    return { ok: false, reason };
  }
}

async function adminData(deps: AdminDeps, client: WebClient, logger: Logger, feedback: readonly string[]) {
  const [slackAdmins, entries, channelSettings, groups] = await Promise.all([
    deps.store.admins.list(),
    deps.store.entries.list(),
    deps.store.settings.list(),
    groupChoices(client, logger),
  ]);
  return {
    feedback,
    global: deps.settings,
    configAdmins: deps.configAdmins,
    slackAdmins,
    configAllowed: deps.configAllowed,
    entries,
    channelSettings,
    groups,
  } satisfies AdminHomeData;
}

async function memberData(deps: AdminDeps, userId: string, feedback: readonly string[]): Promise<MemberHomeData> {
  const [where, admins, recentLinks] = await Promise.all([
    deps.access.whereAllowed(userId),
    deps.access.admins(),
    deps.store.links.list({ requester: userId, limit: 10 }),
  ]);
  return {
    ...where,
    feedback,
    admins,
    recentLinks,
    now: deps.now(),
  };
}

/** The view `userId` should see now: the admin one or the member one. Throws StoreUnavailableError. */
export async function homeViewFor(
  deps: AdminDeps,
  client: WebClient,
  logger: Logger,
  userId: string,
  feedback: readonly string[],
): Promise<HomeView> {
  return (await deps.access.isAdmin(userId))
    ? buildAdminHomeView(await adminData(deps, client, logger, feedback))
    : buildMemberHomeView(await memberData(deps, userId, feedback));
}

/** Publish the view `userId` should see now, with `feedback` at the top; the store being down shows as such. */
export async function publishHomeView(
  deps: AdminDeps,
  client: WebClient,
  logger: Logger,
  userId: string,
  feedback: readonly string[] = [],
): Promise<void> {
  const view = await homeViewFor(deps, client, logger, userId, feedback).catch((error: unknown) => {
    if (!isStoreUnavailable(error)) throw error;
    logger.error(`Access store unavailable: ${error.message}`);
    return buildUnavailableHomeView();
  });
  await client.views.publish({ user_id: userId, view });
}

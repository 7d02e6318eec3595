/**
 * A Cognito access token carries the groups the user had when it was issued, for up to an hour.
 * Managing API keys (minting long-lived credentials) asks Cognito again, so a user just removed
 * from `admin` cannot mint or revoke keys with a token issued before the removal.
 */
import { paginateAdminListGroupsForUser, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { isAwsError } from '../aws/errors';
import { allItems } from '../aws/pages';
import type { Principal } from './principal';
import { ForbiddenError } from './errors';

export async function liveGroups(cognito: CognitoIdentityProviderClient, userPoolId: string, username: string): Promise<string[]> {
  return allItems(paginateAdminListGroupsForUser({ client: cognito, pageSize: 60 }, { UserPoolId: userPoolId, Username: username }), (page) =>
    (page.Groups ?? []).map((g) => g.GroupName!).filter(Boolean),
  );
}

/** 403 unless a user principal is in `group` right now (API keys are not users: the caller checks them). */
export async function assertStillInGroup(cognito: CognitoIdentityProviderClient, userPoolId: string, principal: Principal, group: string): Promise<void> {
  if (principal.kind !== 'user') return;
  let groups: string[];
  try {
    groups = await liveGroups(cognito, userPoolId, principal.id);
  } catch (e) {
    if (isAwsError(e, 'UserNotFoundException')) groups = [];
    else throw e;
  }
  if (!groups.includes(group))
    throw new ForbiddenError(`requires the ${group} group, which this user is no longer in (the access token predates the change)`, 'FORBIDDEN');
}

/**
 * The platform's users, for a workshop host: invite a participant (Cognito AdminCreateUser with a
 * temporary password, in the `operator` group unless said otherwise), list with groups, reset a
 * password (a new temporary one), remove. The temporary password is generated here and shown once
 * to the admin, who hands it over; the participant chooses their own at first sign-in.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  paginateListUsers,
  paginateListUsersInGroup,
  type CognitoIdentityProviderClient,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { isAwsError } from '../aws/errors';
import { allItems } from '../aws/pages';
import { ConflictError, NotFoundError } from '../errors';

export const USER_GROUPS = ['admin', 'operator'] as const;

export const UserInviteSchema = z
  .object({
    username: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit'),
    email: z.email().max(254).optional(),
    group: z.enum(USER_GROUPS).default('operator'),
  })
  .strict();
export type UserInvite = z.infer<typeof UserInviteSchema>;

export interface UserView {
  username: string;
  status?: string;
  enabled?: boolean;
  email?: string;
  groups: string[];
  created_at?: string;
}

/** A temporary password Cognito's default policy accepts (upper, lower, digit, symbol; 16+ characters). */
export function temporaryPassword(random: (n: number) => Uint8Array = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n))): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  const body = Array.from(random(16), (b) => alphabet[b % alphabet.length]).join('');
  return `${body}-Aa1`;
}

function view(u: UserType, groups: string[]): UserView {
  return {
    username: u.Username!,
    status: u.UserStatus,
    enabled: u.Enabled,
    email: u.Attributes?.find((a) => a.Name === 'email')?.Value,
    groups,
    created_at: u.UserCreateDate?.toISOString(),
  };
}

export class UserDirectory {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async invite(input: UserInvite): Promise<{ user: UserView; temporary_password: string }> {
    const password = temporaryPassword();
    try {
      await this.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: input.username,
          TemporaryPassword: password,
          // The admin hands the password over: Cognito sends no e-mail.
          MessageAction: 'SUPPRESS',
          ...(input.email ? { UserAttributes: [{ Name: 'email', Value: input.email }] } : {}),
        }),
      );
    } catch (e) {
      if (isAwsError(e, 'UsernameExistsException')) throw new ConflictError(`user ${input.username} already exists`, 'USER_EXISTS');
      throw e;
    }
    await this.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: input.username, GroupName: input.group }));
    return {
      user: {
        username: input.username,
        status: 'FORCE_CHANGE_PASSWORD',
        enabled: true,
        email: input.email,
        groups: [input.group],
        created_at: new Date().toISOString(),
      },
      temporary_password: password,
    };
  }

  async list(): Promise<UserView[]> {
    const [users, ...byGroup] = await Promise.all([
      allItems(paginateListUsers({ client: this.cognito, pageSize: 60 }, { UserPoolId: this.userPoolId }), (p) => p.Users ?? []),
      ...USER_GROUPS.map((g) =>
        allItems(paginateListUsersInGroup({ client: this.cognito, pageSize: 60 }, { UserPoolId: this.userPoolId, GroupName: g }), (p) =>
          (p.Users ?? []).map((u) => u.Username!),
        ),
      ),
    ]);
    const groupsOf = (name: string) => USER_GROUPS.filter((_, i) => byGroup[i]!.includes(name));
    return users.map((u) => view(u, groupsOf(u.Username!))).sort((a, b) => a.username.localeCompare(b.username));
  }

  /** A new temporary password: the user sets their own at next sign-in; their sessions end. */
  async resetPassword(username: string): Promise<{ username: string; temporary_password: string }> {
    const password = temporaryPassword();
    await this.notFound(username, () =>
      this.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: this.userPoolId, Username: username, Password: password, Permanent: false })),
    );
    await this.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: this.userPoolId, Username: username })).catch(() => undefined);
    return { username, temporary_password: password };
  }

  async remove(username: string, by: string): Promise<{ username: string; removed: true }> {
    if (username === by) throw new ConflictError('you cannot remove your own user; another admin can', 'CANNOT_REMOVE_SELF');
    await this.notFound(username, () => this.cognito.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: username })));
    return { username, removed: true };
  }

  private async notFound<T>(username: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isAwsError(e, 'UserNotFoundException')) throw new NotFoundError(`no user ${username}`, 'USER_NOT_FOUND');
      throw e;
    }
  }
}

/** Users (admins): invite participants, list, reset a password, remove. */
import type { Api } from '../api';

export function UsersScreen(_: { api: Api }) {
  return (
    <>
      <h1>Users</h1>
      <p>User management arrives with the /v1/users API.</p>
    </>
  );
}

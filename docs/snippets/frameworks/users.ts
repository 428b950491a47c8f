// Stands in for the app's own user store in the docs' example apps.
export async function verifyPassword(
  email: unknown,
  password: unknown,
): Promise<{ id: string; email: string } | null> {
  return email === 'alice@example.com' && password === 'alice-password-1'
    ? { id: 'u-alice', email }
    : null;
}

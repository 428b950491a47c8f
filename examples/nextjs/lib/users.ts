import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** A demo account. */
export interface User {
  readonly id: string;
  readonly email: string;
}

interface Account {
  readonly user: User;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

// Node's default scrypt cost keeps the example quick; production should meet OWASP's floor
// (N=2^17, r=8, p=1) or use Argon2id.
const PARAMS: ScryptOptions = { N: 2 ** 14, r: 8, p: 1 };

function hash(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, 32, PARAMS, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

async function account(id: string, email: string, password: string): Promise<Account> {
  const salt = randomBytes(16);
  return { user: { id, email }, salt, hash: await hash(password, salt) };
}

// The demo's two users, seeded once per process; the passwords exist only as scrypt hashes.
const seeded = Promise.all([
  account('u-alice', 'alice@example.com', 'alice-password-1'),
  account('u-bob', 'bob@example.com', 'bob-password-1'),
  // An unknown email still costs one scrypt, so timing does not reveal who has an account.
  account('', '', randomBytes(16).toString('hex')),
]);

/** The user whose email and password match, else null; both branches cost the same. */
export async function verifyPassword(email: unknown, password: unknown): Promise<User | null> {
  if (typeof email !== 'string' || typeof password !== 'string' || password.length > 1024) {
    return null;
  }
  const [alice, bob, decoy] = await seeded;
  const found = [alice, bob].find((a) => a.user.email === email.trim().toLowerCase());
  const candidate = found ?? decoy;
  const ok = timingSafeEqual(await hash(password, candidate.salt), candidate.hash);
  return ok && found ? found.user : null;
}

/** The user with this id. */
export async function userById(id: string): Promise<User | undefined> {
  const accounts = await seeded;
  return accounts.find((a) => a.user.id === id && id !== '')?.user;
}

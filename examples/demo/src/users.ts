import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** A demo account. The password exists only as a scrypt hash. */
export interface User {
  readonly id: string;
  readonly email: string;
  displayName: string;
}

interface Account {
  readonly user: User;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

// Node's default cost (N=2^14, r=8, p=1: ~50 ms here) keeps the demo and its test matrix quick.
// Production should meet OWASP's floor (N=2^17, r=8, p=1) or use Argon2id.
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
  return { user: { id, email, displayName: '' }, salt, hash: await hash(password, salt) };
}

/** The two seeded users of DESIGN §5, and the password check. */
export class Users {
  private constructor(
    private readonly byEmail: ReadonlyMap<string, Account>,
    // An unknown email still costs one scrypt, so timing does not reveal who has an account.
    private readonly decoy: Account,
  ) {}

  static async seed(): Promise<Users> {
    const accounts = await Promise.all([
      account('u-alice', 'alice@example.com', 'alice-password-1'),
      account('u-bob', 'bob@example.com', 'bob-password-1'),
    ]);
    const decoy = await account('', '', randomBytes(16).toString('hex'));
    return new Users(new Map(accounts.map((a) => [a.user.email, a])), decoy);
  }

  /** The user whose email and password match, else null; both branches cost the same. */
  async verify(email: unknown, password: unknown): Promise<User | null> {
    if (typeof email !== 'string' || typeof password !== 'string' || password.length > 1024) {
      return null;
    }
    const found = this.byEmail.get(email.trim().toLowerCase());
    const candidate = found ?? this.decoy;
    const ok = timingSafeEqual(await hash(password, candidate.salt), candidate.hash);
    return ok && found ? found.user : null;
  }

  /** The user with this id. */
  byId(id: string): User | undefined {
    for (const { user } of this.byEmail.values()) if (user.id === id) return user;
    return undefined;
  }
}

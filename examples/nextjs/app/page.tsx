import { Account } from './account.tsx';

export default function Home() {
  return (
    <main>
      <h1>sess on Next.js</h1>
      <p>Log in as alice@example.com / alice-password-1 or bob@example.com / bob-password-1.</p>
      <Account />
    </main>
  );
}

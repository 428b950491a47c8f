import { httpStatusFor, isSessError } from '@sess/core';
import { createAuth } from '@sess/express';
import express from 'express';
import { sess } from './config.ts';

declare const users: {
  verify(email: unknown, password: unknown): Promise<{ id: string; email: string } | null>;
};

const auth = createAuth(sess);
const app = express();
app.use(express.json(), auth.session, auth.csrf);

app.get('/cart', async (req, res) => {
  const guest = await auth.guest.get(req); // null: no guest session (and none is created)
  res.json({ cart: guest?.data.cart ?? [] });
});

app.post('/cart', async (req, res) => {
  try {
    const { guest } = await auth.guest.set(req, (data) => ({
      ...data,
      cart: [...((data.cart as string[] | undefined) ?? []), String(req.body.sku)],
    }));
    res.json({ cart: guest.data.cart });
  } catch (err) {
    if (!isSessError(err)) throw err;
    res.status(httpStatusFor(err.code)).json({ error: err.toJSON() });
  }
});

// At login, name what the user session carries from the guest session.
app.use(
  auth.routes({
    login: async (_req, body) => {
      const user = await users.verify(body.email, body.password);
      return user && { userId: user.id, body: { user }, carry: ['cart', 'locale'] };
    },
  }),
);

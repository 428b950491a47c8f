import { sess } from './sess.ts';

declare const refreshToken: string;

// Two tabs refresh with the same token at the same moment: one rotation, one shared successor.
const [first, second] = await Promise.all([sess.refresh(refreshToken), sess.refresh(refreshToken)]);
first.credential === second.credential; // true
first.retry !== second.retry; // true: one of them found the rotation already done

// A retry of a lost response, inside the reuse window: the same successor again.
const retried = await sess.refresh(refreshToken);
retried.credential === first.credential; // true
